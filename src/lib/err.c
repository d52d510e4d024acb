/* err.c: the error convention of err.h: filling a struct husk_err on the
 * caller's stack, formatting it, and printing it (once, from main or the
 * parent).  Also warnings and husk_die for unrecoverable conditions.
 *
 * Must not: allocate (messages are truncated to fit the fixed buffers).
 */
#include "lib/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *husk_progname = "husk";
int husk_level_prefix = 0;

/* Length of the well-formed UTF-8 sequence at s (2 to 4), or 0. */
static size_t
utf8_len (const unsigned char *s)
{
  size_t n;

  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  /* Overlong, surrogates and beyond U+10FFFF. */
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f)
      || (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
    return 0;
  return n;
}

/* Every message is one line that cannot steer a terminal, whatever text it
 * quotes (a path from argv or a config, a file's name): C0 controls and
 * DEL become '?', and so do C1 controls (U+0080-U+009F, which some
 * terminals obey: U+009B is CSI) and bytes that are not well-formed UTF-8
 * (a lone 0x9b is CSI to an 8-bit terminal). */
static void
err_one_line (char *text)
{
  unsigned char *s = (unsigned char *) text;

  while (*s != '\0')
    {
      size_t n;

      if (*s < 0x20 || *s == 0x7f)
        *s++ = '?';
      else if (*s < 0x80)
        s++;
      else if ((n = utf8_len (s)) == 0)
        *s++ = '?';
      else if (s[0] == 0xc2 && s[1] <= 0x9f)
        {
          s[0] = s[1] = '?';
          s += 2;
        }
      else
        s += n;
    }
}

int
husk_err_set (struct husk_err *err, int errnum, const char *fmt, ...)
{
  va_list ap;

  err->errnum = errnum;
  err->hint[0] = '\0';
  va_start (ap, fmt);
  vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  err_one_line (err->msg);
  return -1;
}

int
husk_err_sys (struct husk_err *err, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;

  err->errnum = saved;
  err->hint[0] = '\0';
  va_start (ap, fmt);
  vsnprintf (err->msg, sizeof err->msg, fmt, ap);
  va_end (ap);
  err_one_line (err->msg);
  errno = saved;
  return -1;
}

int
husk_err_prefix (struct husk_err *err, const char *fmt, ...)
{
  char buf[HUSK_ERR_MSG_MAX];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (n < 0)
    return -1;
  if ((size_t) n < sizeof buf - 3)
    {
      size_t room, len = strnlen (err->msg, sizeof err->msg);

      buf[n++] = ':';
      buf[n++] = ' ';
      room = sizeof buf - (size_t) n - 1;
      if (len > room)
        len = room;
      memcpy (buf + n, err->msg, len);
      buf[(size_t) n + len] = '\0';
    }
  buf[sizeof buf - 1] = '\0';
  err_one_line (buf);
  memcpy (err->msg, buf, sizeof err->msg);
  return -1;
}

int
husk_err_hint (struct husk_err *err, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (err->hint, sizeof err->hint, fmt, ap);
  va_end (ap);
  err_one_line (err->hint);
  return -1;
}

void
husk_err_format (const struct husk_err *err, char *buf, size_t len)
{
  if (len == 0)
    return;
  if (err->errnum != 0)
    snprintf (buf, len, "%s: %s", err->msg, strerror (err->errnum));
  else
    snprintf (buf, len, "%s", err->msg);
}

/* One message line: "[<N>]husk: [kind: ]text\n". */
static void
err_print_line (int level, const char *kind, const char *text)
{
  if (husk_level_prefix)
    fprintf (stderr, "<%d>", level);
  if (kind)
    fprintf (stderr, "%s: %s: %s\n", husk_progname, kind, text);
  else
    fprintf (stderr, "%s: %s\n", husk_progname, text);
}

void
husk_err_print (const struct husk_err *err)
{
  char buf[HUSK_ERR_MSG_MAX + 256];

  husk_err_format (err, buf, sizeof buf);
  err_print_line (3, NULL, buf);
  if (err->hint[0] != '\0')
    err_print_line (3, "hint", err->hint);
}

void
husk_warn (const char *fmt, ...)
{
  char buf[HUSK_ERR_MSG_MAX];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  err_one_line (buf);
  err_print_line (4, "warning", buf);
}

_Noreturn void
husk_die (const char *fmt, ...)
{
  char buf[HUSK_ERR_MSG_MAX];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  err_print_line (3, NULL, buf);
  exit (1);
}

void
husk_err_clean_text (char *buf, size_t len, const char *text)
{
  size_t i;

  if (len == 0)
    return;
  for (i = 0; i + 1 < len && text[i] != '\0'; i++)
    buf[i] = ((unsigned char) text[i] < 0x20 || text[i] == 0x7f) ? '?' : text[i];
  buf[i] = '\0';
}
