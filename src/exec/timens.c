/* timens.c: a new time namespace (--unshare-time) and its clock offsets
 * (--time-offset).
 *
 * unshare(CLONE_NEWTIME) does not move the caller: the namespace is for
 * its children, and its offsets may be written (to
 * /proc/self/timens_offsets) only until a process enters it.  The child
 * does both before anything else, while the host's /proc is still mounted;
 * the program then enters the namespace at its execve (Linux 5.11 and
 * later) or, behind a reaper, when the reaper forks it.  The reaper itself
 * stays outside; it never reads a clock.
 *
 * Must not: print.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec/exec_int.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int
timens_child_setup (const struct husk_plan *plan, struct husk_err *err)
{
  int fd;

  if (!plan->unshare_time)
    return 0;
  if (unshare (CLONE_NEWTIME) < 0)
    {
      husk_err_sys (err, "--unshare-time: unshare");
      if (errno == EINVAL)
        husk_err_hint (err,
                       "the kernel has no time namespaces (Linux 5.6 and later, CONFIG_TIME_NS)");
      return -1;
    }
  fd = hostproc_open ("self/timens_offsets", O_WRONLY);
  if (fd < 0)
    return husk_err_sys (err, "--unshare-time: open /proc/self/timens_offsets");
  /* One line per write, so an error names its flag. */
  for (size_t c = 0; c < HUSK_CLOCK_COUNT; c++)
    {
      const struct husk_time_offset *o = &plan->time_offsets[c];
      char line[96];
      int n;

      if (!o->set)
        continue;
      n = snprintf (line, sizeof line, "%s %" PRId64 " %ld\n",
                    plan_clock_name ((enum husk_clock) c), o->sec, o->nsec);
      if (write (fd, line, (size_t) n) != n)
        {
          husk_err_sys (err, "%s", o->origin.where);
          if (errno == ERANGE)
            husk_err_hint (err, "the clock would be negative or too far ahead");
          close (fd);
          return -1;
        }
    }
  close (fd);
  return 0;
}
