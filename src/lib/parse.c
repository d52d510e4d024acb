/* parse.c: strict number parsers (parse.h).
 *
 * Hand-written instead of strtoul so that signs, leading spaces, "0x"
 * prefixes and locale quirks are rejected rather than silently accepted.
 *
 * Must not: make syscalls, print, or allocate.
 */
#include "lib/parse.h"

#include <limits.h>
#include <stddef.h>

/* Digits only, in base (8 or 10), value <= max.  */
static int
parse_unsigned (const char *s, unsigned base, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;
  const char *p;

  if (s == NULL || *s == '\0')
    return -1;
  for (p = s; *p != '\0'; p++)
    {
      unsigned d;

      if (*p < '0' || *p > '9')
        return -1;
      d = (unsigned) (*p - '0');
      if (d >= base)
        return -1;
      if (v > (max - d) / base)
        return -1;
      v = v * base + d;
    }
  *out = v;
  return 0;
}

int
parse_fd (const char *s, int *out)
{
  uint64_t v;

  if (parse_unsigned (s, 10, INT_MAX, &v) < 0)
    return -1;
  *out = (int) v;
  return 0;
}

int
parse_id (const char *s, uint32_t *out)
{
  uint64_t v;

  if (parse_unsigned (s, 10, UINT32_MAX - 1, &v) < 0)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

int
parse_octal_mode (const char *s, int *out)
{
  uint64_t v;

  if (parse_unsigned (s, 8, 07777, &v) < 0)
    return -1;
  *out = (int) v;
  return 0;
}

int
parse_size (const char *s, uint64_t *out)
{
  uint64_t v;

  if (parse_unsigned (s, 10, UINT64_MAX, &v) < 0 || v == 0)
    return -1;
  *out = v;
  return 0;
}
