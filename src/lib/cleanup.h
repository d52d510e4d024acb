/* cleanup.h: scope-bound cleanup helpers (__attribute__((cleanup))).
 *
 * Always initialise: `cleanup_free char *p = NULL;`, `cleanup_fd int fd = -1;`.
 * steal_pointer / steal_fd hand ownership to the caller.
 */
#ifndef HUSK_CLEANUP_H
#define HUSK_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdio.h>

static inline void
husk_cleanup_freep (void *p)
{
  free (*(void **) p);
}

static inline void
husk_cleanup_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

static inline void
husk_cleanup_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

#define cleanup_free __attribute__ ((cleanup (husk_cleanup_freep)))
#define cleanup_fd __attribute__ ((cleanup (husk_cleanup_closep)))
#define cleanup_file __attribute__ ((cleanup (husk_cleanup_fclosep)))

static inline void *
husk_steal_pointer (void *pp)
{
  void **p = pp;
  void *ret = *p;
  *p = NULL;
  return ret;
}
/* Type-checked: the result has the pointee's type. */
#define steal_pointer(pp) ((__typeof__ (*(pp))) husk_steal_pointer (pp))

static inline int
steal_fd (int *fd)
{
  int ret = *fd;
  *fd = -1;
  return ret;
}

#endif
