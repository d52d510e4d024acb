/* sync.c: typed messages between the husk parent and the sandbox child.
 *
 * One SOCK_SEQPACKET socketpair: one message per send, no framing needed.
 * The child never prints its own errors; it sends {errno, message, hint}
 * and the parent prints one line.  EOF on the parent's side means the child
 * reached execve (the socket is close-on-exec) or died.
 *
 * Must not: allocate, print.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "exec/exec_int.h"

struct sync_wire
{
  uint32_t type;
  int32_t errnum;
  char msg[HUSK_ERR_MSG_MAX];
  char hint[sizeof ((struct husk_err *) 0)->hint];
};

int
sync_send (int fd, enum sync_type type, const struct husk_err *err)
{
  struct sync_wire w;
  ssize_t n;

  memset (&w, 0, sizeof w);
  w.type = type;
  if (err)
    {
      w.errnum = err->errnum;
      memcpy (w.msg, err->msg, sizeof w.msg);
      memcpy (w.hint, err->hint, sizeof w.hint);
      w.msg[sizeof w.msg - 1] = '\0';
      w.hint[sizeof w.hint - 1] = '\0';
    }
  do
    n = send (fd, &w, sizeof w, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof w ? 0 : -1;
}

int
sync_recv (int fd, enum sync_type *type, struct husk_err *err)
{
  struct sync_wire w;
  ssize_t n;

  do
    n = recv (fd, &w, sizeof w, 0);
  while (n < 0 && errno == EINTR);
  if (n == 0)
    return 0;
  if (n != (ssize_t) sizeof w)
    return -1;
  *type = (enum sync_type) w.type;
  if (err)
    {
      err->errnum = w.errnum;
      w.msg[sizeof w.msg - 1] = '\0';
      w.hint[sizeof w.hint - 1] = '\0';
      memcpy (err->msg, w.msg, sizeof err->msg);
      memcpy (err->hint, w.hint, sizeof err->hint);
    }
  return 1;
}
