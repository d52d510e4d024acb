/* err.h: the error convention shared by every layer of husk.
 *
 * A function that can fail returns 0 on success or -1 with *err filled in.
 * The error lives on the caller's stack (no heap, nothing to leak).  Each
 * layer may prefix context on the way up.  Printing happens once, in main
 * (or in the parent for errors the child sent over the sync socket).
 *
 * Must not: allocate, print, or exit.
 */
#ifndef HUSK_ERR_H
#define HUSK_ERR_H

#include <stddef.h>

#define HUSK_ERR_MSG_MAX 1024

struct husk_err
{
  int errnum;                    /* errno value, 0 when not an OS error */
  char msg[HUSK_ERR_MSG_MAX];    /* "<where>: <what>" without strerror */
  char hint[256];                /* optional advice for environmental causes */
};

/* Set err from a printf-style message; errnum may be 0.  Returns -1. */
int husk_err_set (struct husk_err *err, int errnum, const char *fmt, ...)
  __attribute__ ((format (printf, 3, 4)));

/* Same as husk_err_set with errnum = errno.  Returns -1. */
int husk_err_sys (struct husk_err *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Prefix "<ctx>: " to the existing message.  Returns -1. */
int husk_err_prefix (struct husk_err *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Attach a hint line (printed after the error).  Returns -1. */
int husk_err_hint (struct husk_err *err, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Format "msg[: strerror]" into buf. */
void husk_err_format (const struct husk_err *err, char *buf, size_t len);

/* Program name used in messages ("husk", or "bwrap" in compat mode) and
 * whether to prefix messages with a syslog level ("<3>") (--level-prefix). */
extern const char *husk_progname;
extern int husk_level_prefix;

/* Copy text (at most len bytes incl. NUL) into buf with every control
 * byte replaced by '?': for quoting third-party text, such as a JSON
 * parser's message that quotes raw input, in a one-line error. */
void husk_err_clean_text (char *buf, size_t len, const char *text);

/* Print "husk: msg[: strerror]\n" (and the hint) to stderr. */
void husk_err_print (const struct husk_err *err);

/* Print a warning line "husk: warning: ..." to stderr. */
void husk_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* Out of memory and other unrecoverable conditions only. */
_Noreturn void husk_die (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2)));

#endif
