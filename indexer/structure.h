/* Structure of any document: what Japanese administrative texts share outside the ward
** report template. Numbered headings and their nesting (第N章, 第N節, １, （１）, ①, ア, (ア),
** 【…】, ■, ◆, ○), a table of contents (目次, dot leaders and page numbers), the speaker turns
** of council minutes (○議長（山田太郎君）), and the document fields (organisation, kind, fiscal
** year, date) with where each came from. The report parser (report.c) drives the heading
** state line by line; ingest resolves the document fields once a file is parsed. */
#ifndef JFTS_STRUCTURE_H
#define JFTS_STRUCTURE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* ---- lines ---------------------------------------------------------------------------- */

typedef enum StKind {
  ST_NONE = 0,
  ST_CHAPTER,    /* 第N章 (also 第一章): always the top level */
  ST_SETSU,      /* 第N節 */
  ST_DAI,        /* 第N followed by a space ("第１　総則") */
  ST_NUM,        /* １ 見出し, 1. 見出し, １．見出し */
  ST_PAREN_NUM,  /* （１） (1) ⑴ */
  ST_HALF_NUM,   /* 1) １） */
  ST_CIRCLED,    /* ① */
  ST_KANA,       /* ア 見出し, ア．見出し */
  ST_PAREN_KANA, /* （ア） (ア) */
  ST_HALF_KANA,  /* ア） ア) */
  ST_BRACKET,    /* 【…】 (also Markdown and HTML headings, made 【…】 by markup.c) */
  ST_SQUARE,     /* ■ □ */
  ST_DIAMOND,    /* ◆ ◇ */
  ST_CIRCLE,     /* ○ 〇 ◯ ● ◎ */
  ST_TRIANGLE,   /* ▲ △ ▼ ▽ */
  ST_STAR,       /* ★ ☆ */
  ST_DOT2,       /* 2.1 見出し (the number is the last part) */
  ST_DOT3        /* 3.1.2 見出し, and deeper */
} StKind;

typedef struct StMarker {
  StKind kind;
  int number;          /* 1-based for numbered kinds; 0 for symbols and 【…】 */
  size_t marker_end;   /* bytes: end of the marker itself in the line */
  size_t title_start;  /* bytes: where the title starts (after the marker and a separator);
                       ** the line's length when the line is only a marker */
  int indent;          /* ASCII spaces before the line's marker; 0 from st_marker, set by the
                       ** caller: markup.c indents a Markdown 【…】 heading by its level - 1, so
                       ** that ## nests under # (st_place) */
} StMarker;

/* The marker a trimmed line s[0,n) starts with, whatever follows (ST_NONE: none). A number
** must be followed by a separator (space, ．, ., 、) or the line's end: "2021年" and "1月"
** start with no marker. */
StKind st_marker(const char *s, size_t n, StMarker *out);

/* 1 when the trimmed line s[0,n) can be a heading: a marker and a short title (at most 60
** characters in all), not a sentence (no 。; a numbered title does not end as a verb does:
** "5. ボタンをクリックします" is a step), not a table row or a count (a number cell after a
** space, "３ 人"), not a table-of-contents entry; *out gets the marker. Whether it is one
** depends on its neighbours too (report.c: a list of ○ items is a list, numbers must follow
** on). */
int st_heading_line(const char *s, size_t n, StMarker *out);

/* A heading that PDF extraction glued to the first sentence under it: "（１）人口の推移人口は
** 減少…", "第２章 計画の基本的な考え方本計画は…". Told only where it is safe: a numbered marker,
** a line that is no heading as it stands, a split where the text takes up the title's first
** word again (two kanji or katakana, after 本, この or 当 or not: 人口の推移 / 人口は,
** 計画の基本的な考え方 / 本計画は), a title that makes a heading alone (st_heading_line), and
** a 、 or 。 after it. Returns 1 and sets *out (the heading's marker) and *split_out (byte
** where the body starts); else 0. Whether it is one depends on its neighbours too (st_place). */
int st_glued_heading(const char *s, size_t n, StMarker *out, size_t *split_out);

/* 1 when the trimmed line is a table of contents' title: 目次, もくじ, Contents (spaces,
** brackets and ■ around it allowed). */
int st_toc_title(const char *s, size_t n);

/* 1 when the trimmed line is a table-of-contents entry: a title, a dot leader (……, ・・・,
** ．．．, ―) and a page number at the end. Inside a 目次 block (in_toc 1), a page number after
** two or more spaces is enough, and a line of only a page number counts. */
int st_toc_line(const char *s, size_t n, int in_toc);

/* A speaker's turn in council minutes: a marker (○ ◯ 〇 ◆ ◇ ◎ ●), a speaker ("議長（山田太郎君）",
** "鈴木委員", "健康福祉局長（佐藤一郎）") and the speech after white space (or nothing: the speech
** starts on the next line). Returns 2 for a strong turn (君, or a role such as 議長, 委員, 市長,
** 局長, N番), 1 for a name in parentheses only, 0 for none; sets the speaker's byte range
** [*name_start, *name_end) (without the marker) and *speech_start (n when none). */
int st_speaker_line(const char *s, size_t n, size_t *name_start, size_t *name_end,
                    size_t *speech_start);

/* ---- the heading stack ------------------------------------------------------------------ */

#define ST_MAX_DEPTH 8

typedef struct StHeading {
  StKind kind;
  int number;
  char *text;        /* the heading line(s) as printed, trimmed; owned */
  char *section;     /* the marker as a section name: "第2章", "2", "(1)", "①", "■", "【…】" */
  char *title;       /* the title after the marker ("計画の基本的な考え方"); owned, may be "" */
  int used;          /* 1 once a passage was given under it (or it became one) */
  size_t src_start, src_end; /* the heading line in the text being parsed (see `here`) */
  int lineno;
  size_t src2_start, src2_end; /* a title printed on the line after a lone 第N章; 0 if none */
  int lineno2;
  int here;          /* 1 while src_* point into the text being parsed (not an earlier piece) */
  int indent;        /* StMarker.indent of its line */
} StHeading;

/* What the structure of a file is at a point of it. It is carried from one piece of a large
** file to the next (report_parse_carry), so headings nest across pieces. */
typedef struct StState {
  StHeading stack[ST_MAX_DEPTH];
  int depth;
  int minutes;       /* 1 once the file showed speaker turns */
  char *speaker;     /* the turn going on (across a piece's end), owned; NULL outside turns */
  int more;          /* set by the caller: another piece follows the one being parsed, so a
                     ** heading at its end waits there for its passages instead of becoming
                     ** a passage of its own */
} StState;

/* A new empty state (NULL when out of memory); st_state_free accepts NULL. */
StState *st_state_new(void);
void st_state_free(StState *st);
/* A deep copy of st into *out (JFTS_OK or JFTS_ERR_NOMEM). */
int st_state_copy(const StState *st, StState **out);

/* The level (0-based) where a heading with marker m (of the line s) goes, or -1 when it does
** not continue the numbering there (not a heading): a kind on the stack goes back to its level
** and must number on (the next or the one after, for a heading the extractor lost; 3.2.1 after
** 3.1.x starts at 1); a new kind nests under the deepest heading and must start at 1; 第N章
** is always level 0. 【…】 headings nest by indent (Markdown levels): one goes back to the
** level of a 【…】 of the same indent, else nests under the deepest heading when a 【…】 of
** less indent is open, else takes the place of the first more indented one. */
int st_place(const StState *st, const StMarker *m, const char *s);

/* Makes the heading line s[0,n) (marker m, source range and line given) the heading at
** `level`, dropping the levels below it. `title_extra` (may be NULL) is a title printed on
** the line after a lone marker ("第２章" / "計画の基本的な考え方"). Returns JFTS_OK or
** JFTS_ERR_NOMEM. */
int st_push(StState *st, int level, const StMarker *m, const char *s, size_t n,
            const char *title_extra, size_t src_start, size_t src_end, int lineno);

/* The heading path of the first `depth` levels, " › "-joined (a new string; NULL when depth is
** 0). *rc is set to JFTS_ERR_NOMEM on failure (sticky: nothing is done once set). */
char *st_path(const StState *st, int depth, int *rc);

/* Marks every level as used (a passage was given under them), or as not in this piece. */
void st_mark_used(StState *st);
void st_leave_piece(StState *st);

/* ---- document fields -------------------------------------------------------------------- */

/* The municipality or body a string names, and the ward in it: "仙台市健康福祉局" → 仙台市,
** "宮城県仙台市青葉区" → 仙台市 / 青葉区, "○○市社会福祉協議会" → the council, "名取市" → 名取市.
** *org_out and *ward_out are new strings or NULL. Returns JFTS_OK or JFTS_ERR_NOMEM. */
int st_find_org(const char *s, size_t n, char **org_out, char **ward_out);

/* The kind of document a title names: 取組状況, 会議録 (会議録, 議事録, 会議記録), 広報 (広報,
** だより, 便り, 通信, ニュース, newsletter), 報告 (報告, 実績, 白書), 計画 (計画, プラン,
** ビジョン, 戦略); NULL when none. A static string. */
const char *st_kind_of(const char *s, size_t n);

/* The fiscal year a string gives: 令和N年度, 平成N年度, R3年度, 2021年度 (spaces allowed);
** *year_out the Western year, 0 when none. */
void st_year_of(const char *s, size_t n, int *year_out);

/* The first date the string gives (令和3年6月30日, 2021年6月30日, 2021/6/30, 令和元年…) as
** ISO 8601 into buf (11 bytes); 1 when found. */
int st_date_of(const char *s, size_t n, char buf[11]);

/* The label of a fiscal year as the template prints it: 2021 → "令和3年度", 2010 → "平成22年度",
** earlier years "1980年度". A new string, or NULL when out of memory. */
char *st_year_label(int year);

/* What a file says about itself beside its text (each NULL or 0 when absent). */
typedef struct StDocSources {
  const char *meta_title, *meta_publisher; /* the .meta sidecar */
  int meta_year;
  const char *pdf_title, *pdf_author, *pdf_creator; /* the PDF's document information */
  const char *pdf_created;                           /* ISO 8601 */
  const char *path;                                  /* the file's path */
} StDocSources;

/* Fills the document fields of every document of r (parsed from text[0,n_bytes)) and gives
** text outside any document a document of its own, so that every passage has one: an
** untagged file becomes one document spanning it, an empty file one without passages.
** Sources rank sidecar > PDF information > title line > text > path (report.h, DocFrom);
** the sidecar's title and year speak for the file, so they apply only when it holds one
** document. `first_piece` 0: a later piece of a large file, whose text outside documents
** stays without one (the first piece's document is in another Report). Passages take their
** document's ward, year and year label. Returns JFTS_OK or JFTS_ERR_NOMEM (r is then still
** valid to free). */
int st_resolve_docs(Report *r, const char *text, size_t n_bytes, const StDocSources *src,
                    int first_piece);

#endif
