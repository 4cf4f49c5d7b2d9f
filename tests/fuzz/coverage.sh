#!/usr/bin/env bash
# Line and function coverage of the module each fuzz harness tests, from replaying corpora
# through the harness built with clang's source-based coverage (-fprofile-instr-generate
# -fcoverage-mapping; the replay driver, no libFuzzer and no sanitizer needed). Use it to see
# what a fuzzing run added: once over the seeds, once over the seeds and libFuzzer's output.
#
# usage: tests/fuzz/coverage.sh [-b BUILD_DIR] [-c ROOT]... [-t TARGET]... [-o OUT_DIR] [-m]
#   -b BUILD_DIR  the coverage build (default build-cov in the source tree; configured and built when needed)
#   -c ROOT       also replay ROOT/<target> for each target that ROOT has (e.g. the output
#                 corpora of a libFuzzer run); repeatable. Without it: the seeds alone
#   -t TARGET     decode, report, tokenizer, query, db, pdf or serve_params; repeatable
#                 (default: all of them; serve_params needs libmicrohttpd)
#   -o OUT_DIR    where the profiles and logs go (default: a new directory under /tmp)
#   -m            only print the module files of the targets (absolute paths), build nothing
# Prints one line per module file (or "<target> <file> not linked into fuzz_<target>") and a
# total per harness:
#   <target> <file>|total lines <covered>/<total> (<pct>%) functions <covered>/<total> (<pct>%)
# An input that crashes or hangs is named on stderr and left out (its profile is lost with
# its process: inputs run in batches, and a failed batch again one input per process).
# Exit status: 0 done; 1 an input failed (the figures leave it out); 2 usage or build error.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build="$src/build-cov"
roots=()
targets=()
out=""
list_only=0
known=(decode report tokenizer query db pdf serve_params)

usage() {
  sed -n '7,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while getopts "b:c:t:o:mh" opt; do
  case $opt in
    m) list_only=1 ;;
    b) build=$OPTARG ;;
    c) roots+=("$OPTARG") ;;
    t) targets+=("$OPTARG") ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
[ ${#targets[@]} -gt 0 ] || targets=("${known[@]}")
for t in "${targets[@]}"; do
  case " ${known[*]} " in *" $t "*) ;; *) echo "coverage: unknown target '$t'" >&2; exit 2 ;; esac
done
for r in "${roots[@]}"; do
  [ -d "$r" ] || { echo "coverage: $r: not a directory" >&2; exit 2; }
done
# clang 14's tools under their Debian names, or unversioned.
profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata) ||
  { echo "coverage: llvm-profdata(-14) not found" >&2; exit 2; }
cov=$(command -v llvm-cov-14 || command -v llvm-cov) ||
  { echo "coverage: llvm-cov(-14) not found" >&2; exit 2; }

# The module under test of each harness (what the figures are about), from the source root.
module_files() {
  case $1 in
    decode) echo indexer/decode.c ;;
    report) echo indexer/report.c ;;
    tokenizer) echo indexer/tokenizer.c indexer/norm.c ;;
    query) echo query/qparse.c query/expand.c query/match.c ;;
    # store_write.c is linked but not under test: the harness opens the database read-only.
    db) echo indexer/store.c indexer/store_read.c indexer/store_search.c indexer/store_check.c ;;
    pdf) echo indexer/pdf.c ;;
    serve_params) echo serve/params.c ;;
  esac
}

if [ $list_only = 1 ]; then
  for t in "${targets[@]}"; do
    for f in $(module_files "$t"); do echo "$src/$f"; done
  done
  exit 0
fi
[ -n "$out" ] || out=$(mktemp -d /tmp/jfts-fuzz-cov.XXXXXX)
mkdir -p "$out"

# Debug (-O0) so that lines map one to one; only the harnesses are built.
if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DJFTS_SANITIZE=OFF \
    -DJFTS_FUZZ_LIBFUZZER=OFF -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping" \
    -DCMAKE_EXE_LINKER_FLAGS="-fprofile-instr-generate" >"$out/configure.log" 2>&1 ||
    { echo "coverage: configure failed; see $out/configure.log" >&2; exit 2; }
fi
bins=()
for t in "${targets[@]}"; do bins+=("fuzz_$t"); done
cmake --build "$build" -j"$(nproc)" --target "${bins[@]}" >"$out/build.log" 2>&1 ||
  { echo "coverage: build failed; see $out/build.log" >&2; exit 2; }

# Runs bin over the files listed in $1 (NUL-separated), 20 to a process; a batch that fails
# is run again one input per process, so that only the failing input's profile is lost.
replay() {
  local bin=$1 list=$2 t=$3 status=0
  export LLVM_PROFILE_FILE="$out/$t/%p.profraw"
  if ! xargs -0 -n 20 "$bin" -runs=0 -timeout=30 -artifact_prefix="$out/$t/" \
    <"$list" >>"$out/$t.log" 2>&1; then
    local f
    while IFS= read -r -d '' f; do
      if ! "$bin" -runs=0 -timeout=30 -artifact_prefix="$out/$t/" "$f" >>"$out/$t.log" 2>&1; then
        echo "coverage: $t: input failed (left out): $f" >&2
        status=1
      fi
    done <"$list"
  fi
  return $status
}

# "<covered>/<total> (<pct>%)" from llvm-cov's counts of a kind: total and missed.
fraction() {
  awk -v n="$1" -v miss="$2" 'BEGIN { c = n - miss; printf "%d/%d (%.1f%%)", c, n, n ? 100 * c / n : 0 }'
}

status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz_$t"
  [ -x "$bin" ] || bin="$build/tests/fuzz/fuzz_$t"
  [ -x "$bin" ] || { echo "coverage: no fuzz_$t in $build" >&2; exit 2; }
  rm -rf "${out:?}/$t" && mkdir -p "$out/$t"
  list=$out/$t.files
  dirs=("$here/corpus/$t")
  for r in "${roots[@]}"; do [ -d "$r/$t" ] && dirs+=("$r/$t"); done
  find "${dirs[@]}" -maxdepth 1 -type f -print0 | sort -z >"$list"
  n_inputs=$(tr -cd '\0' <"$list" | wc -c)
  replay "$bin" "$list" "$t" || status=1
  "$profdata" merge -sparse -o "$out/$t.profdata" "$out/$t"/*.profraw ||
    { echo "coverage: $t: no profile to merge" >&2; exit 2; }
  files=()
  for f in $(module_files "$t"); do files+=("$src/$f"); done
  echo "# $t: $n_inputs inputs from ${dirs[*]}"
  # llvm-cov's table: Filename (relative to the files' common folder), Regions, Missed, Cover,
  # Functions, Missed, Executed, Lines, Missed, Cover, ...; TOTAL sums the files shown. A file
  # that the harness never links is left out of it.
  "$cov" report "$bin" -instr-profile="$out/$t.profdata" "${files[@]}" >"$out/$t.cov" \
    2>"$out/$t.cov.err" || { echo "coverage: $t: llvm-cov failed; see $out/$t.cov.err" >&2; exit 2; }
  for f in $(module_files "$t") total; do
    row=$(awk -v f="$f" -v b="${f##*/}" '
      (f == "total" && $1 == "TOTAL") || (f != "total" && ($1 == b || $1 ~ ("/" b "$"))) {
        print $5, $6, $8, $9; exit }' "$out/$t.cov")
    if [ -z "$row" ]; then
      echo "$t $f not linked into fuzz_$t"
      continue
    fi
    read -r fn fn_miss ln ln_miss <<<"$row"
    echo "$t $f lines $(fraction "$ln" "$ln_miss") functions $(fraction "$fn" "$fn_miss")"
  done
done
echo "# profiles and logs in $out" >&2
exit $status
