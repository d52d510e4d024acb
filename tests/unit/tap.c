/* tap.c: the unit tests' TAP harness (see tap.h): the test counter, the
 * failure count, and the "ok N - ..." lines.
 *
 * Must not: know about husk; the fuzz replay (tests/fuzz/replay.c) uses
 * it too.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

static int tap_n;
static int tap_failed;
static const char *tap_prefix = "";

static void tap_line (const char *status, const char *fmt, va_list ap)
  __attribute__ ((format (printf, 2, 0)));

static void
tap_line (const char *status, const char *fmt, va_list ap)
{
  printf ("%s %d - %s", status, ++tap_n, tap_prefix);
  vprintf (fmt, ap);
}

void
ok (int cond, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  tap_line (cond ? "ok" : "not ok", fmt, ap);
  va_end (ap);
  putchar ('\n');
  if (!cond)
    tap_failed++;
}

void
tap_skip (const char *reason, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  tap_line ("ok", fmt, ap);
  va_end (ap);
  printf (" # SKIP %s\n", reason);
}

void
diag (const char *fmt, ...)
{
  va_list ap;

  fputs ("# ", stdout);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
}

void
tap_set_prefix (const char *prefix)
{
  tap_prefix = prefix != NULL ? prefix : "";
}

int
tap_count (void)
{
  return tap_n;
}

int
tap_done (void)
{
  printf ("1..%d\n", tap_n);
  fflush (stdout);
  return tap_failed ? 1 : 0;
}
