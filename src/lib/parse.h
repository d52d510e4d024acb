/* parse.h: strict parsers for numbers given by users (flags, JSON strings).
 *
 * Each returns 0 and stores the value, or -1 (nothing stored) when the text
 * is not exactly a number in range: no signs, no spaces, no empty string,
 * no trailing characters, no overflow.  Callers word the error message.
 *
 * Must not: make syscalls, print, or allocate.
 */
#ifndef HUSK_PARSE_H
#define HUSK_PARSE_H

#include <stdint.h>

/* File descriptor: decimal 0..INT_MAX. */
int parse_fd (const char *s, int *out);

/* uid or gid: decimal 0..4294967294 ((uid_t) -1 is never valid). */
int parse_id (const char *s, uint32_t *out);

/* Permission bits: octal 0..07777. */
int parse_octal_mode (const char *s, int *out);

/* Size in bytes: decimal, greater than 0. */
int parse_size (const char *s, uint64_t *out);

/* A list of numbers and ranges, "0-3,7" (the kernel's cpulist format):
 * sets bit N of bits[] (nbits bits, words of 64) for each N listed, every
 * N below nbits; ranges ascending; no spaces, no empty items.  bits[] is
 * overwritten only on success. */
int parse_bit_list (const char *s, uint64_t *bits, unsigned nbits);

#endif
