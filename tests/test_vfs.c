/* I/O fault injection: a VFS shim over SQLite's default VFS fails the Nth read, write, sync or
** lock of a whole index run (store_open, store_begin, ingest_file, store_commit), for N = 1, 2,
** ... until a run meets no fault, as test_oom does for allocations; and simulates a crash by
** dropping every write after the Nth. Each failed run must give an error with a message, and
** the index on disk must afterwards be exactly the previous one or the new one, whole: it
** answers as one of them and passes store_check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "jfts_common.h"
#include "store.h"
#include "test_util.h"

/* ---- the shim ---------------------------------------------------------------------------- */

typedef enum FaultOp { OP_READ, OP_WRITE, OP_SYNC, OP_LOCK, N_OPS } FaultOp;

static const char *const k_op_names[N_OPS] = {"read", "write", "sync", "lock"};

/* What the shim does: count ops of kind `op` and fail the `fail_at`th (1-based; 0: never), or
** with `crash`, drop every write, truncate, sync and delete from the fail_at'th write on. */
static struct {
  sqlite3_vfs *base;
  FaultOp op;
  long fail_at;
  long n_seen;
  int crash;
  int fired;
} g_fault;

typedef struct ShimFile {
  sqlite3_file base;    /* must come first: SQLite sees a ShimFile as a sqlite3_file */
  sqlite3_file *real;   /* the default VFS's file, allocated after this struct */
} ShimFile;

/* 1 when this op fails: without crash, the fail_at'th op of kind g_fault.op, once; with crash,
** the fail_at'th write and every write, sync, truncate and delete after it (dropped). */
static int fault_hits(FaultOp op) {
  if (g_fault.fail_at <= 0) return 0;
  if (g_fault.crash && g_fault.fired) return op == OP_WRITE || op == OP_SYNC;
  if (op != g_fault.op || g_fault.fired) return 0;
  if (++g_fault.n_seen < g_fault.fail_at) return 0;
  g_fault.fired = 1;
  return 1;
}

static int shim_close(sqlite3_file *f) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xClose(s->real);
}
static int shim_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off) {
  ShimFile *s = (ShimFile *)f;
  if (!g_fault.crash && fault_hits(OP_READ)) return SQLITE_IOERR_READ;
  return s->real->pMethods->xRead(s->real, buf, n, off);
}
static int shim_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off) {
  ShimFile *s = (ShimFile *)f;
  if (fault_hits(OP_WRITE)) return g_fault.crash ? SQLITE_OK : SQLITE_FULL;
  return s->real->pMethods->xWrite(s->real, buf, n, off);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 size) {
  ShimFile *s = (ShimFile *)f;
  if (g_fault.crash && g_fault.fired) return SQLITE_OK;
  return s->real->pMethods->xTruncate(s->real, size);
}
static int shim_sync(sqlite3_file *f, int flags) {
  ShimFile *s = (ShimFile *)f;
  if (fault_hits(OP_SYNC)) return g_fault.crash ? SQLITE_OK : SQLITE_IOERR_FSYNC;
  return s->real->pMethods->xSync(s->real, flags);
}
static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xFileSize(s->real, size);
}
static int shim_lock(sqlite3_file *f, int level) {
  ShimFile *s = (ShimFile *)f;
  if (!g_fault.crash && fault_hits(OP_LOCK)) return SQLITE_IOERR_LOCK;
  return s->real->pMethods->xLock(s->real, level);
}
static int shim_unlock(sqlite3_file *f, int level) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xUnlock(s->real, level);
}
static int shim_check_reserved(sqlite3_file *f, int *out) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xCheckReservedLock(s->real, out);
}
static int shim_file_control(sqlite3_file *f, int op, void *arg) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xFileControl(s->real, op, arg);
}
static int shim_sector_size(sqlite3_file *f) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xSectorSize(s->real);
}
static int shim_device_chars(sqlite3_file *f) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xDeviceCharacteristics(s->real);
}
static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xShmMap(s->real, pg, pgsz, extend, pp);
}
static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xShmLock(s->real, offset, n, flags);
}
static void shim_shm_barrier(sqlite3_file *f) {
  ShimFile *s = (ShimFile *)f;
  s->real->pMethods->xShmBarrier(s->real);
}
static int shim_shm_unmap(sqlite3_file *f, int delete_flag) {
  ShimFile *s = (ShimFile *)f;
  return s->real->pMethods->xShmUnmap(s->real, delete_flag);
}

/* Version 2: no xFetch/xUnfetch, so SQLite never reads the database through a memory map
** that would bypass shim_read. */
static const sqlite3_io_methods k_shim_io = {
    2,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved,
    shim_file_control,
    shim_sector_size,
    shim_device_chars,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    NULL,
    NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                     int *out_flags) {
  (void)vfs;
  ShimFile *s = (ShimFile *)f;
  s->real = (sqlite3_file *)(s + 1);
  int rc = g_fault.base->xOpen(g_fault.base, name, s->real, flags, out_flags);
  /* SQLite calls xClose, even after a failed open, exactly when pMethods is set. */
  s->base.pMethods = s->real->pMethods ? &k_shim_io : NULL;
  return rc;
}

static int shim_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  (void)vfs;
  if (g_fault.crash && g_fault.fired) return SQLITE_OK;
  return g_fault.base->xDelete(g_fault.base, name, sync_dir);
}

static sqlite3_vfs g_shim;

/* Installs the shim as the default VFS (once), passing everything but files to the base. */
static void shim_install(void) {
  if (g_fault.base) return;
  g_fault.base = sqlite3_vfs_find(NULL);
  assert_non_null(g_fault.base);
  g_shim = *g_fault.base;
  g_shim.zName = "jfts-fault";
  g_shim.szOsFile = (int)sizeof(ShimFile) + g_fault.base->szOsFile;
  g_shim.pNext = NULL;
  g_shim.xOpen = shim_open;
  g_shim.xDelete = shim_delete;
  assert_int_equal(sqlite3_vfs_register(&g_shim, 1), SQLITE_OK);
}

static void fault_set(FaultOp op, long fail_at, int crash) {
  g_fault.op = op;
  g_fault.fail_at = fail_at;
  g_fault.n_seen = 0;
  g_fault.crash = crash;
  g_fault.fired = 0;
}

/* ---- the runs ---------------------------------------------------------------------------- */

static char g_dir[64], g_db[96], g_old[96], g_doc[96];

static const char k_doc_v1[] = "地域の支援体制について検討を行った。\n関係機関と連携した。\n";
static const char k_doc_v2[] =
    "地域の支援体制について関係機関と協議を重ねた。\n相談支援の連携強化に取り組んだ。\n"
    "次年度も継続して検討する。\n";

/* One run of jfts-index on the document: open, begin, ingest, commit, close. Returns JFTS_OK
** or the first failure, with its message in *err_out (caller frees). */
static int index_run(char **err_out) {
  Store *s = NULL;
  int rc = store_open(g_db, STORE_WRITE, &s, err_out);
  if (rc == JFTS_OK) rc = store_begin(s, err_out);
  if (rc == JFTS_OK) {
    const IngestMeta meta = {NULL, NULL, NULL, 0};
    const IngestFile f = {.path = g_doc, .realpath = g_doc, .meta = &meta};
    const IngestOptions opt = {NULL, INGEST_PIECE_BYTES_DEFAULT, NULL, NULL};
    IngestResult res;
    ingest_file(s, &opt, &f, NULL, &res);
    if (res.status != INGEST_INDEXED) {
      rc = res.rc != JFTS_OK ? res.rc : JFTS_ERR_IO;
      if (res.reason) jfts_set_error(err_out, "%s", res.reason);
    }
    ingest_result_clear(&res);
  }
  if (rc == JFTS_OK) rc = store_commit(s, err_out);
  if (s) store_rollback(s, NULL);
  store_close(s);
  return rc;
}

/* What the index answers, as one string: its passages' texts in order; "" when it cannot be
** read. Checks store_check on the way (no problem allowed). */
static char *fingerprint(void) {
  Store *s = NULL;
  char *err = NULL;
  if (store_open(g_db, STORE_READ, &s, &err) != JFTS_OK) {
    print_error("cannot open the index after the run: %s\n", err ? err : "?");
    fail();
  }
  long n_problems = -1;
  int64_t n_passages = 0;
  assert_int_equal(store_check(s, NULL, NULL, &n_problems, &n_passages, &err), JFTS_OK);
  assert_int_equal(n_problems, 0);
  store_close(s);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT group_concat(text, '|') FROM"
                                          " (SELECT text FROM passages ORDER BY file_id, ordinal)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const char *t = (const char *)sqlite3_column_text(st, 0);
  char *fp = strdup(t ? t : "");
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  jfts_free(err);
  return fp;
}

static void copy_file(const char *from, const char *to) {
  size_t n = 0;
  char *b = test_read_file(from, &n);
  test_write_file(to, b, n);
  free(b);
}

static void reset_db(void) {
  char p[128];
  snprintf(p, sizeof p, "%s-wal", g_db);
  unlink(p);
  snprintf(p, sizeof p, "%s-shm", g_db);
  unlink(p);
  snprintf(p, sizeof p, "%s-journal", g_db);
  unlink(p);
  copy_file(g_old, g_db);
}

static int setup(void **state) {
  (void)state;
  snprintf(g_dir, sizeof g_dir, "/tmp/jfts_test_vfs_XXXXXX");
  assert_non_null(mkdtemp(g_dir));
  snprintf(g_db, sizeof g_db, "%s/t.db", g_dir);
  snprintf(g_old, sizeof g_old, "%s/old.db", g_dir);
  snprintf(g_doc, sizeof g_doc, "%s/doc.txt", g_dir);
  shim_install();
  fault_set(OP_READ, 0, 0);
  /* The previous index: version 1 of the document, checkpointed into old.db alone. */
  test_write_file(g_doc, k_doc_v1, sizeof k_doc_v1 - 1);
  char *err = NULL;
  assert_int_equal(index_run(&err), JFTS_OK);
  copy_file(g_db, g_old);
  test_write_file(g_doc, k_doc_v2, sizeof k_doc_v2 - 1);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Fails the Nth op of each kind in turn, N = 1, 2, ... until a run meets no fault. */
static void run_faults(int crash) {
  reset_db();
  char *old_fp = fingerprint(), *new_fp = NULL, *err = NULL;
  /* The new index, once, without faults. */
  assert_int_equal(index_run(&err), JFTS_OK);
  new_fp = fingerprint();
  assert_string_not_equal(old_fp, new_fp);
  for (int op = 0; op < N_OPS; op++) {
    if (crash && op != OP_WRITE) continue; /* a crash is counted in writes */
    long n_failed = 0;
    for (long n = 1;; n++) {
      reset_db();
      fault_set((FaultOp)op, n, crash);
      int rc = index_run(&err);
      int fired = g_fault.fired;
      fault_set(OP_READ, 0, 0);
      if (!fired) {
        assert_int_equal(rc, JFTS_OK);
        /* Each kind of op happens more than once in a run (reads and locks dozens of times). */
        assert_true(n > 2);
        print_message("%s %s: %ld runs, %ld failed with a message\n",
                      crash ? "crash after write" : "failed", k_op_names[op], n - 1, n_failed);
        break;
      }
      if (!crash && rc == JFTS_OK) {
        /* SQLite may retry or ignore some failures (an unlock-time sync): fine when the
        ** result is the new index. */
      } else if (!crash) {
        if (err == NULL || strcmp(err, "out of memory") == 0)
          print_error("%s %ld: rc %d, message '%s'\n", k_op_names[op], n, rc, err ? err : "");
        assert_non_null(err);
        n_failed++;
      }
      jfts_free(err);
      err = NULL;
      char *fp = fingerprint();
      if (strcmp(fp, old_fp) != 0 && strcmp(fp, new_fp) != 0) {
        print_error("%s %s %ld: the index is neither the old nor the new one\n",
                    crash ? "crash after write" : "failed", k_op_names[op], n);
        fail();
      }
      if (!crash && rc != JFTS_OK) assert_string_equal(fp, old_fp);
      free(fp);
      if (n > 100000) fail_msg("%s: no end to the faults", k_op_names[op]);
    }
    if (!crash && op != OP_LOCK) assert_true(n_failed > 0);
  }
  free(old_fp);
  free(new_fp);
}

static void test_io_errors(void **state) {
  (void)state;
  run_faults(0);
}

static void test_crash(void **state) {
  (void)state;
  run_faults(1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_io_errors),
      cmocka_unit_test(test_crash),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
