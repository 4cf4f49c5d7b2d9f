/* Linked into jfts-query only when it is linked wholly static (CMakeLists.txt,
** JFTS_STATIC_LIBC), with -Wl,--wrap=dlopen. SQLite's unix VFS refers to dlopen for loadable
** extensions, which jfts-query never enables; glibc's static dlopen would print a warning at
** every link and need the shared C library at run time anyway. The wrap sends that reference
** here instead: no shared object is ever loaded (sqlite3_load_extension fails). */
#include <stddef.h>

void *__wrap_dlopen(const char *file, int mode);

void *__wrap_dlopen(const char *file, int mode) {
  (void)file;
  (void)mode;
  return NULL;
}
