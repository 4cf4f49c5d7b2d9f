/* Markup readers: Markdown and HTML turned into the plain text the report parser reads, with
** markup, tags and link targets left out, headings made headings, table rows made lines.
** The text keeps the source's lines one for one (a line of output is that line of the file,
** or empty), so line numbers are the file's, and every byte keeps its raw offset: citations
** stay exact. */
#ifndef JFTS_MARKUP_H
#define JFTS_MARKUP_H

#include "decode.h"

/* Both take decoded text (src, not modified; the caller keeps it) and make a new DecodedText
** in *out (dec_free) with the same number of '\n' as src, and raw_offset set (mapping each
** byte to the raw offset of the source byte it came from; an inserted byte, such as the
** space that ends a block or the 【】 around a heading, maps to the source byte it stands
** before). Rules, per line:
**   markdown: a heading (# ...) becomes 【title】 unless it starts with a marker of its own
**     (１．, 〇, 【...); list, quote and table markers go; a table row's cells are joined by
**     spaces and its separator row is empty; fenced code is kept as is; [text](url) and
**     ![alt](url) keep text/alt only; <url> autolinks, HTML tags, reference definitions,
**     and the marks * ` ~~ \ go. A line that ends a block (heading, list item, table row,
**     the line before a blank line) ends with a space, as repair.h expects; the lines of a
**     paragraph are joined by repair.
**   html: tags, comments and the content of script and style go; entities are decoded;
**     h1-h6 become 【title】 (unless marked); a line where a block element (p, div, li, tr,
**     br, h1-h6, table...) ends, ends a block; table cells are separated by a space.
** Return JFTS_OK or JFTS_ERR_NOMEM, or JFTS_ERR_INPUT when src is larger than 4 GiB
** (offsets are 32-bit). */
int markup_markdown(const DecodedText *src, DecodedText **out, char **err_out);
int markup_html(const DecodedText *src, DecodedText **out, char **err_out);

#endif
