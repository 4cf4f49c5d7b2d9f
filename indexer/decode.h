/* Decoding of raw input bytes into UTF-8 (ICU converters and charset detection), keeping a
** map from every decoded byte back to the raw file, so that any passage or match can be cited
** by raw byte offset and line. Contract: UTF-8 (BOM optional), UTF-16LE/BE with BOM,
** Shift_JIS (CP932) and EUC-JP; without a BOM, valid UTF-8 wins, else Shift_JIS/EUC-JP only
** when ICU's detector has confidence >= 50 and the whole file converts without error. */
#ifndef JFTS_DECODE_H
#define JFTS_DECODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct DecodedText {
  char *text;            /* UTF-8, NUL-terminated, BOM removed; owned */
  size_t n_bytes;        /* length of text in bytes, without the NUL */
  size_t n_bom_bytes;    /* bytes of BOM skipped at the start of the raw input */
  uint32_t *raw_offset;  /* NULL when raw offset = decoded offset + n_bom_bytes (UTF-8 input);
                         ** else n_bytes+1 entries: raw byte offset of each decoded byte's char */
  char encoding[32];     /* canonical name: "UTF-8", "UTF-16LE", "UTF-16BE", "Shift_JIS", "EUC-JP" */
} DecodedText;

/* Returns 1 when the bytes look binary (a NUL byte, or a known binary magic such as %PDF, ELF,
** PNG); *offset_out (may be NULL) gets the offset of the NUL byte or 0 for a magic. */
int dec_is_binary(const unsigned char *raw, size_t n_bytes, size_t *offset_out);

/* Decodes raw bytes. encoding: NULL to detect, else an ICU converter name that overrides
** detection ("UTF-8", "Shift_JIS", "EUC-JP", "UTF-16LE", ...). On success *out owns a new
** DecodedText (free with dec_free). Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE (unknown
** encoding name), JFTS_ERR_INPUT (binary, or not decodable; *err_out says why, e.g.
** "not UTF-8 (first invalid byte at 1234)", "binary file (NUL byte at 12)",
** "invalid Shift_JIS at byte 77") or JFTS_ERR_ICU. Messages do not name the file: callers
** prefix it. An empty input decodes to an empty text. */
int dec_decode(const unsigned char *raw, size_t n_bytes, const char *encoding,
               DecodedText **out, char **err_out);

/* Raw byte offset of decoded byte `byte` (0 <= byte <= n_bytes). */
size_t dec_raw_offset(const DecodedText *d, size_t byte);

void dec_free(DecodedText *d);

#endif
