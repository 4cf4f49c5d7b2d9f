/* Tests of the structure of any document (structure.h, and report.c's use of it): which lines
** are headings, table-of-contents entries and speaker turns; the heading paths, TOC marks and
** speakers the hand-made fixtures of tests/data/structure get (a plan with chapters and a
** 目次, its Markdown version, council minutes, a newsletter), across pieces too; and the
** document fields with where each came from. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "jfts_common.h"
#include "markup.h"
#include "report.h"
#include "structure.h"
#include "test_report_check.h"
#include "test_util.h"

static const char *kind_name(StKind k) {
  static const char *const names[] = {"-",      "CHAPTER", "SETSU",   "DAI",    "NUM",
                                      "PAREN",  "HALF",    "CIRCLED", "KANA",   "PKANA",
                                      "HKANA",  "BRACKET", "SQUARE",  "DIAMOND", "CIRCLE",
                                      "TRIANGLE", "STAR",    "DOT2",    "DOT3"};
  return names[k];
}

/* ---- lines ------------------------------------------------------------------------------ */

static void test_heading_lines(void **state) {
  (void)state;
  static const struct {
    const char *line, *expect; /* "KIND/number", or "-" for no heading */
  } cases[] = {
      {"第１章　計画の策定にあたって", "CHAPTER/1"},
      {"第二章 基本理念", "CHAPTER/2"},
      {"第十二章 資料", "CHAPTER/12"},
      {"第２章", "CHAPTER/2"}, /* its title on the next line */
      {"第２節　相談支援", "SETSU/2"},
      {"第１　総則", "DAI/1"},
      {"１　計画策定の趣旨", "NUM/1"},
      {"１．計画の概要", "NUM/1"},
      {"2. 現状と課題", "NUM/2"},
      {"１　人口の推移", "NUM/1"},        /* 人 starts a word, not a count */
      {"１ 日常生活の支援", "NUM/1"},
      {"（１）相談支援", "PAREN/1"},
      {"(2) 就労支援", "PAREN/2"},
      {"⑶ 住まいの確保", "PAREN/3"},
      {"1) 概要", "HALF/1"},
      {"①相談件数の増加", "CIRCLED/1"},
      {"⑫ 権利擁護", "CIRCLED/12"},
      {"ア　地域移行", "KANA/1"},
      {"（イ）地域定着", "PKANA/2"},
      {"ウ）緊急時の対応", "HKANA/3"},
      {"【お知らせ】", "BRACKET/0"},
      {"【北部エリア】 連絡会", "BRACKET/0"},
      {"■基本目標１　地域で安心して暮らせる体制づくり", "SQUARE/0"},
      {"◆基幹相談支援センター", "DIAMOND/0"},
      {"○手をつなぐ育成会の交流会", "CIRCLE/0"},
      {"〇地域展開チーム", "CIRCLE/0"},
      {"▼申込方法", "TRIANGLE/0"},
      {"2.1 簡単な歴史と名前", "DOT2/1"},
      {"3.1.2 主サーバー", "DOT3/2"},
      {"５. 右下の隅にある「Import」ボタンをクリックします", "-"}, /* a step */
      {"（２）相談支援体制を充実します", "-"},
      /* Sentences, counts, dates, table rows, TOC entries, words. */
      {"①相談件数は年々増加しています。", "-"},
      {"① 研修会を開催し、関係機関の理解を深めるとともに、地域の課題を共有して次年度の取組に"
       "つなげることができた", "-"},
      {"１ 人", "-"},
      {"1 月15日に開催", "-"},
      {"１２月３日（日）に市民センターで", "-"},
      {"2021年度の実績", "-"},
      {"１　人口の推移　12,345人", "-"},
      {"（１）相談件数 120 135 150", "-"},
      {"身体障害者手帳　3,412　3,398", "-"},
      {"1.5倍に増加した", "-"},
      {"ア ン ケ ー ト 調 査", "-"},
      {"アンケート調査の結果", "-"},
      {"第１章　計画の策定にあたって ………………… 1", "-"},
      {"・就労移行支援事業所の利用者数　120人", "-"},
      {"【未完の括弧", "-"},
      {"（１）", "-"},
      {"１", "-"},
      {"第2期計画の評価", "-"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    StMarker m;
    char got[64] = "-";
    if (st_heading_line(cases[c].line, strlen(cases[c].line), &m))
      snprintf(got, sizeof got, "%s/%d", kind_name(m.kind), m.number);
    if (strcmp(got, cases[c].expect) != 0) print_error("line '%s'\n", cases[c].line);
    assert_string_equal(got, cases[c].expect);
  }
}

/* Headings the PDF extraction glued to the first sentence under them, told apart only where
** the sentence takes up the title's first word again; everything else stays text. */
static void test_glued_headings(void **state) {
  (void)state;
  static const struct {
    const char *line, *expect; /* "KIND/number|heading", or "-" */
  } cases[] = {
      {"（１）人口の推移人口は減少傾向にありますが、手帳所持者は増えています。",
       "PAREN/1|（１）人口の推移"},
      {"第２章 計画の基本的な考え方本計画は、共に暮らす地域社会を目指します。",
       "CHAPTER/2|第２章 計画の基本的な考え方"},
      {"３　相談窓口相談は、基幹相談支援センターでも受け付けています。", "NUM/3|３　相談窓口"},
      {"①相談件数の増加相談件数は年々増えています。", "CIRCLED/1|①相談件数の増加"},
      {"（２）認定調査認定調査員が御自宅を訪問し、心身の状況をお聞きしま", "PAREN/2|（２）認定調査"},
      {"１　計画の概要この計画は、市の障害者施策の基本となるものです。", "NUM/1|１　計画の概要"},
      /* A heading as it stands; no word taken up again; a title that does not end as a
      ** noun; a symbol marker; no sentence after the split. */
      {"（１）相談支援", "-"},
      {"（１）相談件数は年々増加しています。", "-"},
      {"（１）相談支援専門員の相談支援の質の向上を図りました。", "-"},
      {"１　計画の推進にあたり計画の進捗を管理します。", "-"},
      {"■相談窓口相談は、基幹相談支援センターでも受け付けています。", "-"},
      {"（１）人口の推移人口", "-"},
      {"令和５年度は延べ2,345件となりました。", "-"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    StMarker m;
    size_t split;
    char got[256] = "-";
    if (st_glued_heading(cases[c].line, strlen(cases[c].line), &m, &split))
      snprintf(got, sizeof got, "%s/%d|%.*s", kind_name(m.kind), m.number, (int)split,
               cases[c].line);
    if (strcmp(got, cases[c].expect) != 0) print_error("line '%s'\n", cases[c].line);
    assert_string_equal(got, cases[c].expect);
  }
}

static void test_toc_lines(void **state) {
  (void)state;
  static const struct {
    const char *line;
    int in_toc, expect;
  } cases[] = {
      {"第１章　計画の策定にあたって ………………………………… 1", 0, 1},
      {"　１　計画策定の趣旨 ・・・・・・・・・・・ 12", 0, 1},
      {"計画の位置付け．．．．．．．．．P.3", 0, 1},
      {"２　施策の体系 ........................ 12", 0, 1},
      {"資料編 ――――――― －45－", 0, 1},
      {"人口の推移　　　　　4", 1, 1},
      {"人口の推移　　　　　4", 0, 0},
      {"12", 1, 1},
      {"12", 0, 0},
      {"－ 1 －", 0, 0},
      {"身体障害者手帳　3,412　3,398　3,405", 1, 0},
      {"令和５年度は延べ2,345件となりました。", 0, 0},
      {"詳しくは・・・", 0, 0},
      {"倍率は ... 1.5", 0, 0},
      {"第３章　計画の基本的な考え方", 1, 0},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    int got = st_toc_line(cases[c].line, strlen(cases[c].line), cases[c].in_toc);
    if (got != cases[c].expect)
      fail_msg("line '%s' in_toc %d: %d", cases[c].line, cases[c].in_toc, got);
  }
  static const struct {
    const char *line;
    int expect;
  } titles[] = {{"目次", 1},     {"目　次", 1}, {"【目次】", 1}, {"■ 目次", 1},
                {"もくじ", 1},   {"Contents", 1}, {"目次の作成", 0}, {"次", 0}};
  for (size_t c = 0; c < sizeof titles / sizeof *titles; c++)
    if (st_toc_title(titles[c].line, strlen(titles[c].line)) != titles[c].expect)
      fail_msg("title '%s'", titles[c].line);
}

static void test_speaker_lines(void **state) {
  (void)state;
  static const struct {
    const char *line, *expect; /* "strength|speaker|speech" or "0" */
  } cases[] = {
      {"○委員長（佐藤一郎君）　ただいまから開会します。", "2|委員長（佐藤一郎君）|ただいまから開会します。"},
      {"◆鈴木花子委員　質問します。", "2|鈴木花子委員|質問します。"},
      {"◎健康福祉部長（高橋次郎君）　お答えします。", "2|健康福祉部長（高橋次郎君）|お答えします。"},
      {"○議長（山田 太郎君）", "2|議長（山田 太郎君）|"},
      {"◆２６番（山田太郎）　質問します。", "2|２６番（山田太郎）|質問します。"},
      {"○山田太郎（東山の会）　発言します。", "1|山田太郎（東山の会）|発言します。"},
      {"○出席委員（６名）", "0"},
      {"○手をつなぐ育成会の交流会", "0"},
      {"○委員会の開催について、関係機関と調整した。", "0"},
      {"◆基幹相談支援センター", "0"},
      {"○議長の指名により開会", "0"},
      {"■議長（山田太郎君）　開会します。", "0"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const char *s = cases[c].line;
    size_t n = strlen(s), a, b, sp;
    char got[256] = "0";
    int k = st_speaker_line(s, n, &a, &b, &sp);
    if (k) snprintf(got, sizeof got, "%d|%.*s|%s", k, (int)(b - a), s + a, s + sp);
    if (strcmp(got, cases[c].expect) != 0) print_error("line '%s'\n", s);
    assert_string_equal(got, cases[c].expect);
  }
}

/* ---- files ------------------------------------------------------------------------------ */

/* The text the report parser sees for a fixture: the file, or a Markdown file's text. */
static char *fixture_text(const char *name, size_t *n_out) {
  char path[512];
  snprintf(path, sizeof path, "%s/structure/%s", JFTS_TESTDATA, name);
  size_t n;
  char *raw = test_read_file(path, &n);
  if (strstr(name, ".md") == NULL) {
    *n_out = n;
    return raw;
  }
  DecodedText *dec = NULL, *md = NULL;
  assert_int_equal(dec_decode((const unsigned char *)raw, n, NULL, &dec, NULL), JFTS_OK);
  assert_int_equal(markup_markdown(dec, &md, NULL), JFTS_OK);
  char *text = malloc(md->n_bytes + 1);
  assert_non_null(text);
  memcpy(text, md->text, md->n_bytes + 1);
  *n_out = md->n_bytes;
  dec_free(md);
  dec_free(dec);
  free(raw);
  return text;
}

/* One line per passage: its first line, [toc], the speaker and the heading path (or -). */
static char *render_passages(const Report *r) {
  size_t cap = 1 << 16, k = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  out[0] = '\0';
  for (size_t i = 0; i < r->n_passages; i++) {
    const Passage *p = &r->passages[i];
    k += (size_t)snprintf(out + k, cap - k, "%d%s%s%s %s|%s\n", p->line_start,
                          p->toc ? " toc" : "", p->speaker ? " @" : "",
                          p->speaker ? p->speaker : "", p->section ? p->section : "-",
                          p->heading ? p->heading : "-");
    assert_true(k + 512 < cap);
  }
  return out;
}

static void test_fixture_structure(void **state) {
  (void)state;
  static const struct {
    const char *file, *expect;
  } cases[] = {
      {"plan.txt",
       "1 -|-\n"
       "9 toc -|目　次\n"
       "16 toc -|目　次\n"
       "22 第1章|第１章　計画の策定にあたって › １　計画策定の趣旨\n"
       "29 第1章|第１章　計画の策定にあたって › ２　計画の位置付け › （１）法的な位置付け\n"
       "31 第1章|第１章　計画の策定にあたって › ２　計画の位置付け › （２）計画の期間\n"
       "39 第2章|第２章 障害のある人を取り巻く現状 › １　人口の推移\n"
       "50 第2章|第２章 障害のある人を取り巻く現状 › ２　現状と課題 › （１）相談支援 › "
       "①相談件数の増加\n"
       "54 第2章|第２章 障害のある人を取り巻く現状 › ２　現状と課題 › （１）相談支援 › "
       "②地域生活への移行\n"
       "57 第2章|第２章 障害のある人を取り巻く現状 › ２　現状と課題 › （２）就労支援\n"
       "64 第3章|第３章　計画の基本的な考え方 › １　基本理念\n"
       "69 第3章|第３章　計画の基本的な考え方 › ２　施策の体系 › "
       "■基本目標１　地域で安心して暮らせる体制づくり\n"
       "71 第3章|第３章　計画の基本的な考え方 › ２　施策の体系 › ■基本目標２　社会参加の促進\n"},
      /* Markdown headings: a marker of their own is kept (第２章, １, （１）), others are
      ** 【…】; the title heading no passage followed is a passage of its own. */
      {"plan.md",
       "1 -|-\n"
       "7 第2章|第２章 障害のある人を取り巻く現状 › １ 人口の推移\n"
       "18 第2章|第２章 障害のある人を取り巻く現状 › ２ 現状と課題 › （１）相談支援\n"
       "22 第2章|第２章 障害のある人を取り巻く現状 › ２ 現状と課題 › （２）就労支援\n"
       "31 第3章|第３章 計画の基本的な考え方 › 【基本理念】\n"},
      /* Headings of Markdown levels without markers of their own: ## nests under #, ###
      ** under ##, the next ## and # go back to their level. */
      {"manual.md",
       "5 【相談支援の手引き】|【相談支援の手引き】 › 【相談の流れ】\n"
       "9 【相談支援の手引き】|【相談支援の手引き】 › 【相談の流れ】 › 【初回面談】\n"
       "13 【相談支援の手引き】|【相談支援の手引き】 › 【窓口一覧】\n"
       "19 【付録】|【付録】 › 【用語集】\n"},
      {"minutes.txt",
       "1 -|-\n"
       "13 @委員長（佐藤一郎君） -|-\n"
       "16 @健康福祉部長（高橋次郎君） -|-\n"
       "25 @健康福祉部長（高橋次郎君） -|-\n"
       "32 @委員長（佐藤一郎君） -|-\n"
       "33 @鈴木花子委員 -|-\n"
       "35 @障害福祉課長（田中三郎君） -|-\n"
       "37 @委員長（佐藤一郎君） -|-\n"
       "39 @委員長（佐藤一郎君） -|-\n"},
      /* Headings glued to their first sentence (（１）申請申請は…); top-level １ is section
      ** "1." (the ward template's sections are 1, 2, 3). */
      {"guide.txt",
       "1 -|-\n"
       "6 1.|１　サービスの概要\n"
       "8 2.|２　利用の手続き › （１）申請\n"
       "9 2.|２　利用の手続き › （２）認定調査\n"
       "11 3.|３　相談窓口\n"},
      {"newsletter.txt",
       "1 -|-\n"
       "6 【お知らせ】|【お知らせ】 › ■障害者週間記念イベントを開催します\n"
       "9 【お知らせ】|【お知らせ】 › ■福祉タクシー券の申請受付\n"
       "13 【相談窓口】|【相談窓口】 › ◆基幹相談支援センター\n"
       "20 【地域の活動】|【地域の活動】 › ○手をつなぐ育成会の交流会\n"
       "22 【地域の活動】|【地域の活動】 › ○ボランティア養成講座\n"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    size_t n;
    char *text = fixture_text(cases[c].file, &n);
    Report *r = NULL;
    assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
    assert_false(r->tagged);
    char *got = render_passages(r);
    if (strcmp(got, cases[c].expect) != 0) print_error("%s:\n%s", cases[c].file, got);
    assert_string_equal(got, cases[c].expect);
    check_no_text_lost(cases[c].file, text, n, r);
    free(got);
    report_free(r);
    free(text);
  }
}

/* The section is the top heading's marker, its title the section title. */
static void test_sections(void **state) {
  (void)state;
  size_t n;
  char *text = fixture_text("plan.txt", &n);
  Report *r = NULL;
  assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
  const Passage *p = NULL;
  for (size_t i = 0; i < r->n_passages && p == NULL; i++)
    if (strstr(r->passages[i].body.text, "延べ2,345件")) p = &r->passages[i];
  assert_non_null(p);
  assert_string_equal(p->section, "第2章");
  assert_string_equal(p->section_title, "障害のある人を取り巻く現状");
  assert_int_equal(p->toc, 0);
  assert_null(p->speaker);
  report_free(r);
  free(text);
}

/* A file parsed in two pieces (as jfts-index streams large files) carrying its structure
** gets the heading paths and speakers it gets whole; cut is the first line of piece two. A
** heading at the end of piece one waits for its passages in piece two. */
static void test_pieces(void **state) {
  (void)state;
  static const struct {
    const char *file, *cut_before;
  } cases[] = {
      {"plan.txt", "（２）就労支援"},           /* nested three deep at the cut */
      {"plan.txt", "２　施策の体系\n■"},       /* not the TOC's entry */
      {"plan.txt", "本市では、平成30年"},       /* a heading ends piece one */
      {"plan.txt", "①相談件数の増加"},
      {"minutes.txt", "まず、相談支援体制につきましては"}, /* inside a long turn */
      {"newsletter.txt", "【地域の活動】"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    size_t n;
    char *text = fixture_text(cases[c].file, &n);
    const char *at = strstr(text, cases[c].cut_before);
    assert_non_null(at);
    size_t cut = (size_t)(at - text);
    int cut_line = 1;
    for (size_t i = 0; i < cut; i++) cut_line += text[i] == '\n';
    Report *whole = NULL, *a = NULL, *b = NULL;
    assert_int_equal(report_parse(text, n, &whole, NULL), JFTS_OK);
    StState *carry = st_state_new();
    assert_non_null(carry);
    carry->more = 1;
    assert_int_equal(report_parse_carry(text, cut, 1, carry, &a, NULL), JFTS_OK);
    carry->more = 0;
    assert_int_equal(report_parse_carry(text + cut, n - cut, cut_line, carry, &b, NULL),
                     JFTS_OK);
    if (a->n_passages + b->n_passages != whole->n_passages)
      fail_msg("%s cut before %s: %zu + %zu passages, whole %zu", cases[c].file,
               cases[c].cut_before, a->n_passages, b->n_passages, whole->n_passages);
    /* Piece two's passages are whole's last ones, with the same headings and speakers. */
    assert_true(b->n_passages <= whole->n_passages);
    for (size_t i = 0; i < b->n_passages; i++) {
      const Passage *pw = &whole->passages[whole->n_passages - b->n_passages + i];
      const Passage *pb = &b->passages[i];
      if (strcmp(pw->heading ? pw->heading : "-", pb->heading ? pb->heading : "-") != 0 ||
          strcmp(pw->speaker ? pw->speaker : "-", pb->speaker ? pb->speaker : "-") != 0)
        fail_msg("%s cut before %s: passage %zu has '%s' @%s, whole '%s' @%s", cases[c].file,
                 cases[c].cut_before, i, pb->heading ? pb->heading : "-",
                 pb->speaker ? pb->speaker : "-", pw->heading ? pw->heading : "-",
                 pw->speaker ? pw->speaker : "-");
    }
    check_no_text_lost(cases[c].file, text, cut, a);
    check_no_text_lost(cases[c].file, text + cut, n - cut, b);
    st_state_free(carry);
    report_free(whole);
    report_free(a);
    report_free(b);
    free(text);
  }
}

/* ---- document fields ---------------------------------------------------------------------- */

static void test_find_org(void **state) {
  (void)state;
  static const struct {
    const char *s, *expect; /* "org|ward", - for none */
  } cases[] = {
      {"仙台市健康福祉局障害企画課", "仙台市|-"},
      {"宮城県仙台市青葉区役所 障害高齢課", "仙台市|青葉区"},
      {"札幌市北区", "札幌市|北区"},
      {"東山市社会福祉協議会", "東山市社会福祉協議会|-"},
      {"令和3年度仙台市障害者自立支援協議会", "仙台市|-"},
      {"令和５年第２回東山市議会定例会", "東山市|-"},
      {"宮城県障害福祉計画", "宮城県|-"},
      {"東京都福祉局", "東京都|-"},
      {"京都市", "京都市|-"},
      {"さいたま市", "さいたま市|-"},
      {"青葉区役所 障害高齢課", "-|青葉区"},
      {"仙台市 (青葉区・宮城野区 障害者自立支援協議会)", "仙台市|-"},
      {"政令指定都市の市町村", "-|-"},
      {"本市の取組", "-|-"},
      {"町内会の活動", "-|-"},
      {"Microsoft Word", "-|-"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    char *org = NULL, *ward = NULL, got[256];
    assert_int_equal(st_find_org(cases[c].s, strlen(cases[c].s), &org, &ward), JFTS_OK);
    snprintf(got, sizeof got, "%s|%s", org ? org : "-", ward ? ward : "-");
    if (strcmp(got, cases[c].expect) != 0) print_error("'%s'\n", cases[c].s);
    assert_string_equal(got, cases[c].expect);
    jfts_free(org);
    jfts_free(ward);
  }
}

static void test_kind_year_date(void **state) {
  (void)state;
  static const struct {
    const char *s, *kind, *date;
    int year;
  } cases[] = {
      {"令和 3年度 青葉区障害者自立支援協議会 取組状況", "取組状況", "-", 2021},
      {"東山市障害者福祉計画（令和６年度～令和８年度）", "計画", "-", 2024},
      {"第３期 地域福祉推進プラン", "計画", "-", 0},
      {"令和５年第２回東山市議会定例会 厚生委員会会議録", "会議録", "-", 0},
      {"第4回 推進会議 議事録 2022年11月2日", "会議録", "2022-11-02", 0},
      {"ひがしやま障害福祉だより 第１２号", "広報", "-", 0},
      {"社協通信 vol.3", "広報", "-", 0},
      {"Newsletter 2023", "広報", "-", 0},
      {"平成30年度 事業実績報告書", "報告", "-", 2018},
      {"令和元年度 活動報告", "報告", "-", 2019},
      {"R3年度 相談支援の状況", "-", "-", 2021},
      {"2020年度 障害福祉白書", "報告", "-", 2020},
      {"令和３年６月３０日（水曜日）", "-", "2021-06-30", 0},
      {"令和６年３月", "-", "2024-03", 0},
      {"発行日 2023/10/1", "-", "2023-10-01", 0},
      {"1,234年度", "-", "-", 0},
      {"お知らせ", "-", "-", 0},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const char *s = cases[c].s;
    size_t n = strlen(s);
    const char *kind = st_kind_of(s, n);
    int year;
    char date[11] = "-";
    st_year_of(s, n, &year);
    if (!st_date_of(s, n, date)) strcpy(date, "-");
    if (strcmp(kind ? kind : "-", cases[c].kind) != 0 || year != cases[c].year ||
        strcmp(date, cases[c].date) != 0)
      fail_msg("'%s': kind %s year %d date %s", s, kind ? kind : "-", year, date);
  }
  char *label = st_year_label(2021);
  assert_string_equal(label, "令和3年度");
  jfts_free(label);
  label = st_year_label(2010);
  assert_string_equal(label, "平成22年度");
  jfts_free(label);
}

/* "value(source)" for a document field. */
static void field(char *out, size_t cap, const char *v, unsigned char from) {
  static const char *const src[] = {"-", "path", "text", "title", "pdf", "sidecar"};
  snprintf(out, cap, "%s(%s)", v ? v : "-", src[from]);
}

static char *render_doc(const ReportDoc *d) {
  char t[256], o[128], w[64], y[64], k[64], dt[64], year[16];
  snprintf(year, sizeof year, "%d", d->year);
  field(t, sizeof t, d->title, d->title_from);
  field(o, sizeof o, d->org, d->org_from);
  field(w, sizeof w, d->ward, d->ward_from);
  field(y, sizeof y, d->year ? year : NULL, d->year_from);
  field(k, sizeof k, d->kind, d->kind_from);
  field(dt, sizeof dt, d->date, d->date_from);
  return jfts_mprintf("%s %s %s %s %s %s", t, o, w, y, k, dt);
}

static void test_doc_fields(void **state) {
  (void)state;
  static const StDocSources none = {0};
  static const StDocSources plan_meta = {"東山市障害者福祉計画（第５期）", "東山市健康福祉部", 2023,
                                         NULL, NULL, NULL, NULL, NULL};
  static const StDocSources pdf_info = {NULL, NULL, 0, "障害福祉だより10月号", "東山市障害福祉課",
                                        "Microsoft Word", "2023-09-28T10:00:00+09:00", NULL};
  static const StDocSources word_title = {NULL, NULL, 0, "Microsoft Word - 計画案.docx", "user",
                                          NULL, NULL, NULL};
  static const StDocSources npo = {NULL, "NPO法人ひがしやまネット", 0, NULL, NULL, NULL, NULL, NULL};
  static const StDocSources in_r3 = {NULL, NULL, 0, NULL, NULL, NULL, NULL, "reports/R3/memo.txt"};
  static const StDocSources corpus_meta = {"令和3年度 仙台市各区障害者自立支援協議会 取組状況",
                                           "仙台市 (青葉区・宮城野区・若林区・太白区・泉区 障害者自立支援協議会)",
                                           2021, NULL, NULL, NULL, NULL, NULL};
  static const struct {
    const char *file; /* under tests/data, or "=text" */
    const StDocSources *src;
    size_t doc;
    const char *expect;
  } cases[] = {
      {"structure/plan.txt", &none, 0,
       "東山市障害者福祉計画(title) 東山市(title) -(-) 2024(text) 計画(title) 2024-03(text)"},
      {"structure/plan.txt", &plan_meta, 0,
       "東山市障害者福祉計画（第５期）(sidecar) 東山市(sidecar) -(-) 2023(sidecar) 計画(sidecar) "
       "2024-03(text)"},
      {"structure/plan.txt", &word_title, 0, /* a file name is no title; a person no org */
       "東山市障害者福祉計画(title) 東山市(title) -(-) 2024(text) 計画(title) 2024-03(text)"},
      {"structure/plan.md", &none, 0,
       "東山市障害者福祉計画(title) 東山市(title) -(-) -(-) 計画(title) -(-)"},
      {"structure/minutes.txt", &none, 0,
       "令和５年第２回東山市議会定例会　厚生委員会会議録(title) 東山市(title) -(-) 2023(text) "
       "会議録(title) 2023-06-20(text)"},
      {"structure/newsletter.txt", &none, 0,
       "ひがしやま障害福祉だより　第１２号(title) 東山市(text) -(-) 2023(text) 広報(title) "
       "2023-10-01(text)"},
      {"structure/newsletter.txt", &pdf_info, 0,
       "障害福祉だより10月号(pdf) 東山市(pdf) -(-) 2023(pdf) 広報(pdf) 2023-09-28(pdf)"},
      {"=打合せメモ\n\n○会長（山田）　始めます。\n◆委員（鈴木）　意見があります。\n", &in_r3, 0,
       "打合せメモ(title) -(-) -(-) 2021(path) 会議録(text) -(-)"},
      /* A publisher naming no place is the organisation as given. */
      {"=活動報告\n\n今年度は交流会を開いた。\n", &npo, 0,
       "活動報告(title) NPO法人ひがしやまネット(sidecar) -(-) -(-) 報告(title) -(-)"},
      {"report/second-city.txt", &none, 0,
       "令和 4年度 中央区障害者自立支援協議会 取組状況(title) -(-) 中央区(title) 2022(title) "
       "取組状況(title) -(-)"},
      {"../../corpus/sendai-r3-jiritsushien.txt", &corpus_meta, 1,
       "令和 3年度 宮城野区障害者自立支援協議会 取組状況(title) 仙台市(sidecar) 宮城野区(title) "
       "2021(title) 取組状況(title) -(-)"},
      {"report/empty.txt", &none, 0, "-(-) -(-) -(-) -(-) -(-) -(-)"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    char path[512], *text;
    size_t n;
    if (cases[c].file[0] == '=') {
      text = strdup(cases[c].file + 1);
      n = strlen(text);
    } else if (strstr(cases[c].file, ".md")) {
      text = fixture_text(cases[c].file + strlen("structure/"), &n);
    } else {
      snprintf(path, sizeof path, "%s/%s", JFTS_TESTDATA, cases[c].file);
      text = test_read_file(path, &n);
    }
    Report *r = NULL;
    assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
    assert_int_equal(st_resolve_docs(r, text, n, cases[c].src, 1), JFTS_OK);
    assert_true(r->n_docs > cases[c].doc);
    char *got = render_doc(&r->docs[cases[c].doc]);
    if (strcmp(got, cases[c].expect) != 0) print_error("%s\n", cases[c].file);
    assert_string_equal(got, cases[c].expect);
    /* Every passage has a document and carries its year. */
    for (size_t i = 0; i < r->n_passages; i++) {
      assert_true(r->passage_doc[i] >= 0);
      assert_int_equal(r->passages[i].year, r->docs[r->passage_doc[i]].year);
    }
    jfts_free(got);
    report_free(r);
    free(text);
  }
}

/* A later piece of a large file gets no document for its text outside documents: that is
** the first piece's (another Report). */
static void test_later_piece_no_doc(void **state) {
  (void)state;
  const char *text = "続きの本文です。\n";
  Report *r = NULL;
  assert_int_equal(report_parse(text, strlen(text), &r, NULL), JFTS_OK);
  assert_int_equal(st_resolve_docs(r, text, strlen(text), NULL, 0), JFTS_OK);
  assert_int_equal(r->n_docs, 0);
  assert_int_equal(r->passage_doc[0], -1);
  report_free(r);
}

/* Every allocation of parsing and resolving a fixture may fail: the result is out of memory
** and nothing leaks, or the same report as without failures. */
static void test_out_of_memory(void **state) {
  (void)state;
  static const char *const files[] = {"plan.txt", "minutes.txt", "newsletter.txt"};
  static const StDocSources src = {"題", "東山市", 2023, NULL, NULL, NULL, NULL, "a/R5/x.txt"};
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    size_t n;
    char *text = fixture_text(files[f], &n);
    long live = jfts_alloc_live();
    int done = 0;
    for (long k = 0; !done && k < 100000; k++) {
      Report *r = NULL;
      jfts_alloc_fail_after(k);
      int rc = report_parse(text, n, &r, NULL);
      if (rc == JFTS_OK) rc = st_resolve_docs(r, text, n, &src, 1);
      jfts_alloc_fail_after(-1);
      if (rc == JFTS_OK) done = 1;
      else if (rc != JFTS_ERR_NOMEM) fail_msg("%s: fail after %ld: rc %d", files[f], k, rc);
      report_free(r);
      if (jfts_alloc_live() != live) fail_msg("%s: fail after %ld: a leak", files[f], k);
    }
    assert_true(done);
    free(text);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_heading_lines),      cmocka_unit_test(test_toc_lines),
      cmocka_unit_test(test_speaker_lines),      cmocka_unit_test(test_fixture_structure),
      cmocka_unit_test(test_glued_headings),
      cmocka_unit_test(test_sections),           cmocka_unit_test(test_pieces),
      cmocka_unit_test(test_find_org),           cmocka_unit_test(test_kind_year_date),
      cmocka_unit_test(test_doc_fields),         cmocka_unit_test(test_later_piece_no_doc),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
