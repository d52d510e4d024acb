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

/* One decimal number at *p, up to a ',', '-' or the end; moves *p past it. */
static int
parse_list_number (const char **p, unsigned limit, unsigned *out)
{
  uint64_t v = 0;
  const char *s = *p;

  if (*s < '0' || *s > '9')
    return -1;
  for (; *s >= '0' && *s <= '9'; s++)
    {
      v = v * 10 + (uint64_t) (*s - '0');
      if (v >= limit)
        return -1;
    }
  *out = (unsigned) v;
  *p = s;
  return 0;
}

/* bits NULL: only check. */
static int
parse_bit_list_pass (const char *s, uint64_t *bits, unsigned nbits)
{
  const char *p = s;

  if (s == NULL || *s == '\0')
    return -1;
  for (;;)
    {
      unsigned lo, hi;

      if (parse_list_number (&p, nbits, &lo) < 0)
        return -1;
      hi = lo;
      if (*p == '-')
        {
          p++;
          if (parse_list_number (&p, nbits, &hi) < 0 || hi < lo)
            return -1;
        }
      for (unsigned b = lo; bits != NULL && b <= hi; b++)
        bits[b / 64] |= UINT64_C (1) << (b % 64);
      if (*p == '\0')
        return 0;
      if (*p != ',')
        return -1;
      p++;
    }
}

int
parse_bit_list (const char *s, uint64_t *bits, unsigned nbits)
{
  if (parse_bit_list_pass (s, NULL, nbits) < 0)
    return -1;
  for (unsigned i = 0; i < (nbits + 63) / 64; i++)
    bits[i] = 0;
  return parse_bit_list_pass (s, bits, nbits);
}
