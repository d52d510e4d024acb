/* xalloc.h: allocators that die on out-of-memory (the only case where husk
 * dies instead of returning an error). */
#ifndef HUSK_XALLOC_H
#define HUSK_XALLOC_H

#include <stddef.h>

void *xmalloc (size_t n);
void *xcalloc (size_t nmemb, size_t size);
void *xrealloc (void *p, size_t n);
/* Grow an array to hold at least `need` elements; *cap is updated. */
void *xgrow (void *p, size_t *cap, size_t need, size_t elem_size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
