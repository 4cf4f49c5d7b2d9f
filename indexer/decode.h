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
                         ** else n_bytes+1 entries: raw byte offset of each decoded byte's char,
                         ** the last one being the raw length; owned */
  char encoding[32];     /* canonical name: "UTF-8", "UTF-16LE", "UTF-16BE", "Shift_JIS", "EUC-JP"
                         ** (or ICU's IANA/MIME name of an explicitly requested converter) */
} DecodedText;

/* Returns 1 when the bytes look binary: a known magic at the start (%PDF-, ELF, PNG, GIF,
** JPEG, ZIP, gzip, bzip2, xz, 7z, RAR, OLE2) or a NUL byte anywhere. Input that starts with
** a UTF-16 BOM is judged by its 16-bit units: only a U+0000 unit counts as NUL. *offset_out
** (may be NULL) gets the raw offset of the NUL byte (unit), or 0 for a magic. */
int dec_is_binary(const unsigned char *raw, size_t n_bytes, size_t *offset_out);

/* Decodes raw bytes. encoding: NULL to detect, else a name that overrides detection: the
** aliases utf8, utf-16le, utf-16be, utf-16 (BOM decides, else big-endian), shift_jis, sjis,
** cp932, ms932, windows-31j, euc-jp, eucjp, ujis (case, '-' and '_' ignored), or any other
** ICU converter name (e.g. "ISO-2022-JP"). A BOM matching the requested encoding is skipped.
** Shift_JIS is decoded as CP932 (ICU "ibm-943_P15A-2003"), EUC-JP with ICU "euc-jp-2007"
** (JIS X 0208/0212 plus the NEC/IBM rows of CP51932; eucJP-ms's 3-byte IBM kanji are rejected).
** On success *out owns a new DecodedText (free with dec_free); on failure *out is NULL.
** Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE ("unknown encoding 'xyz'"), JFTS_ERR_INPUT
** (binary, or not decodable; *err_out says why: "binary file (NUL byte at 12)",
** "binary file (PDF)", "not UTF-8 (first invalid byte at 1234)" when detection found nothing,
** "invalid Shift_JIS at byte 77" when an explicit encoding or a BOM's encoding fails) or
** JFTS_ERR_ICU. Byte offsets in messages are raw offsets of the first byte of the offending
** sequence. Messages do not name the file: callers prefix it. An empty input decodes to an
** empty text. Non-UTF-8 input larger than 4 GiB is rejected (raw_offset is 32-bit). */
int dec_decode(const unsigned char *raw, size_t n_bytes, const char *encoding,
               DecodedText **out, char **err_out);

/* Decodes one piece of a larger input: raw[0, n_bytes) are the input's bytes
** [raw_base, raw_base + n_bytes). raw_base 0 is the input's start: exactly dec_decode. A later
** piece continues text already decoded as UTF-8 (jfts-index streams only UTF-8 files): it is
** decoded as UTF-8 whatever encoding says, with no BOM and no binary magic (both mean
** something only at the start). Offsets are reported as numbers of the whole input, so no
** caller rewrites a message: on success d->n_bom_bytes is raw_base (raw offset = decoded
** offset + n_bom_bytes, as for any UTF-8 input); JFTS_ERR_INPUT for a later piece says
** "binary file (NUL byte at N)" or "not UTF-8 (first invalid byte at N)" with N counted from
** the input's start. Returns as dec_decode. */
int dec_decode_piece(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                     const char *encoding, DecodedText **out, char **err_out);

/* Raw byte offset of decoded byte `byte` (0 <= byte <= n_bytes; larger values are clamped). */
size_t dec_raw_offset(const DecodedText *d, size_t byte);

/* Offset of the first byte of s that is not part of well-formed UTF-8, or n_bytes when all
** of it is (a sequence cut by the end counts as ill-formed). */
size_t dec_utf8_first_invalid(const unsigned char *s, size_t n_bytes);

void dec_free(DecodedText *d);

#endif
