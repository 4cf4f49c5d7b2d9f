/* Entry point of the loadable extension jfts_icu: `.load jfts_icu` in the sqlite3 shell (or
** sqlite3_load_extension) registers the `jfts` tokenizer, so that an index built by jfts-index
** can be queried, or a new one built, from any SQLite program. */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "tokenizer.h"

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_jftsicu_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  SQLITE_EXTENSION_INIT2(pApi);
  int rc = tok_register(db);
  if (rc != SQLITE_OK && pzErrMsg != NULL) {
    *pzErrMsg = sqlite3_mprintf("jfts_icu: cannot register the %s tokenizer: %s", TOK_NAME,
                                sqlite3_errstr(rc));
  }
  return rc;
}
