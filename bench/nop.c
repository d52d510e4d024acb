/* The payload of the peak-RSS runs: exits at once, with no C runtime (no
 * start files, a few KiB, static), so the largest process of the tree that
 * GNU time reports is the launcher's own, not the sandboxed program's.
 * (ru_maxrss survives execve: a launcher's child that execs this keeps the
 * high-water mark it had as the launcher, which is what we want counted.)
 * Built with -static -nostartfiles: _start is the entry point. */
#include <unistd.h>

void _start (void);

__attribute__ ((noreturn, used)) void
_start (void)
{
  _exit (0);
}
