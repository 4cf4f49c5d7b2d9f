/* Reading a large file in pieces for jfts-index, so that memory stays bounded whatever the
** file's size: each piece ends at a PDF block end (a line ending in a space) or a blank line
** when one is near, else at a line break, else (one huge line) at a UTF-8 character
** boundary. A piece never splits CRLF, and it knows its raw offset and first line. */
#ifndef JFTS_CHUNKER_H
#define JFTS_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

typedef struct Chunker Chunker;

/* Opens path for reading in pieces of about piece_bytes (at least 4096). Returns 0 or an
** errno value; *out is NULL on error. */
int chunker_open(const char *path, size_t piece_bytes, Chunker **out);

/* Reads the next piece: *bytes_out points to *n_out bytes (valid until the next call),
** *raw_offset_out is the piece's offset in the file and *first_line_out its first line
** (1-based). *n_out is 0 at the end of the file. Returns 0 or an errno value. */
int chunker_next(Chunker *c, const unsigned char **bytes_out, size_t *n_out,
                 uint64_t *raw_offset_out, int *first_line_out);

/* Takes back the end of the last piece: only its first n_used bytes (0 < n_used <= n) count
** as read, and the next piece starts with the rest (a report cut in the middle is read again
** whole from its title line). */
void chunker_keep(Chunker *c, size_t n_used);

/* 1 when the last piece handed out reaches the end of the file. */
int chunker_at_end(const Chunker *c);

void chunker_close(Chunker *c);

/* Where to end a piece of buf[0,n) that is not the end of the file (exposed for tests). */
size_t chunker_cut(const unsigned char *buf, size_t n);

#endif
