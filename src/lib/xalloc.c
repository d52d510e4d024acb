/* xalloc.c: allocators that die on out-of-memory (xalloc.h).
 *
 * Must not: return NULL, or be used for sizes taken unchecked from input
 * (callers bound those first; overflow here is treated as out-of-memory).
 */
#include "lib/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

static void *
xalloc_check (void *p)
{
  if (p == NULL)
    husk_die ("out of memory");
  return p;
}

void *
xmalloc (size_t n)
{
  return xalloc_check (malloc (n ? n : 1));
}

void *
xcalloc (size_t nmemb, size_t size)
{
  if (nmemb == 0 || size == 0)
    nmemb = size = 1;
  return xalloc_check (calloc (nmemb, size));
}

void *
xrealloc (void *p, size_t n)
{
  return xalloc_check (realloc (p, n ? n : 1));
}

void *
xgrow (void *p, size_t *cap, size_t need, size_t elem_size)
{
  size_t n = *cap;

  if (need <= n && p != NULL)
    return p;
  if (n < 8)
    n = 8;
  while (n < need)
    {
      if (n > SIZE_MAX / 2)
        husk_die ("out of memory");
      n *= 2;
    }
  if (elem_size != 0 && n > SIZE_MAX / elem_size)
    husk_die ("out of memory");
  p = xrealloc (p, n * elem_size);
  *cap = n;
  return p;
}

char *
xstrdup (const char *s)
{
  return xalloc_check (strdup (s));
}

char *
xstrndup (const char *s, size_t n)
{
  return xalloc_check (strndup (s, n));
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *s;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0)
    husk_die ("cannot format a message");
  s = xmalloc ((size_t) n + 1);
  va_start (ap, fmt);
  vsnprintf (s, (size_t) n + 1, fmt, ap);
  va_end (ap);
  return s;
}
