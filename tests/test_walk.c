/* Tests of the files a walk passed over (walk.h): the kind each file name counts under, and
** the one summary line of a run ("12 files: 7 .docx, 3 .xlsx, 2 binary"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "walk.h"

static void test_skipped_summary(void **state) {
  (void)state;
  static const struct {
    const char *name;
    const char *paths; /* '|'-separated paths passed over */
    const char *expect;
  } cases[] = {
      {"nothing", "", NULL},
      {"one file", "w/a.xlsx", "1 file: 1 .xlsx"},
      {"by count, then name", "a.docx|b.xlsx|c.docx|d|e.docx|f.xlsx|g.txt",
       "7 files: 3 .docx, 2 .xlsx, 2 binary"},
      {"case folded", "A.DOCX|b.Docx", "2 files: 2 .docx"},
      {"a dot in a directory name is no extension", "dir.d/prog|x.tar.gz", "2 files: 1 .gz, 1 binary"},
      {"hidden-style and odd extensions", ".profile|a.|b.$$$|c.verylongextension",
       "4 files: 4 binary"},
      {"ties by name", "z.png|a.jpg|m.bin", "3 files: 1 .bin, 1 .jpg, 1 .png"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    WalkSkipped s = {0};
    char buf[256];
    strcpy(buf, cases[i].paths);
    for (char *p = buf, *end; *p; p = end + (*end != '\0')) {
      end = p + strcspn(p, "|");
      char saved = *end;
      *end = '\0';
      assert_int_equal(walk_skipped_add(&s, p), JFTS_OK);
      *end = saved;
    }
    char *text = NULL;
    assert_int_equal(walk_skipped_describe(&s, &text), JFTS_OK);
    if (cases[i].expect == NULL ? text != NULL : text == NULL || strcmp(text, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, text ? text : "(null)",
               cases[i].expect ? cases[i].expect : "(null)");
    free(text);
    walk_skipped_clear(&s);
    assert_null(s.kinds);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_skipped_summary),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
