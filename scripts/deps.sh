# Sourced by run.sh and test.sh: installs the Debian 12 packages jfts needs, only when some are
# missing. As root it runs apt-get itself; otherwise it uses sudo when that needs no password,
# and else prints the exact command to run and exits 1.
jfts_ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "jfts: missing packages: ${missing[*]}" >&2
      echo "jfts: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  echo "jfts: installing ${missing[*]}" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# libpoppler-glib-dev: the PDF reader; poppler-data: the CMaps of Japanese PDFs that do not
# embed their fonts. poppler-utils (pdftotext) is the PDF tests' oracle; python3-reportlab
# (with python3-pil) makes the PDF fixtures (tests/data/pdf/make-fixtures.py).
# libmicrohttpd-dev: jfts-serve. The tests drive its page in headless Chromium through
# Selenium (Debian's python3); fonts-noto-cjk renders the Japanese page in the screenshots.
# time (GNU time): peak RSS and CPU seconds in the bench and the memory tests.
JFTS_BUILD_PACKAGES=(gcc make cmake pkg-config libicu-dev libsqlite3-dev sqlite3
                     libpoppler-glib-dev poppler-data libmicrohttpd-dev)
JFTS_TEST_PACKAGES=(libcmocka-dev poppler-utils python3 python3-reportlab python3-pil
                    chromium chromium-driver python3-selenium fonts-noto-cjk time)
