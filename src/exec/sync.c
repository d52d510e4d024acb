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
#include <unistd.h>

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
  return sync_recv_pid (fd, type, err, NULL);
}

int
sync_recv_pid (int fd, enum sync_type *type, struct husk_err *err, pid_t *pid)
{
  int passed = -1;
  int r = sync_recv_fd (fd, type, err, pid, &passed);

  /* Nobody expects an fd here: never leak one. */
  if (passed >= 0)
    close (passed);
  return r;
}

void
sync_attach_fd (struct msghdr *mh, union sync_fd_cmsg *ctl, int fd)
{
  struct cmsghdr *c;

  memset (ctl, 0, sizeof *ctl);
  mh->msg_control = ctl->buf;
  mh->msg_controllen = sizeof ctl->buf;
  c = CMSG_FIRSTHDR (mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
}

int
sync_send_fd (int fd, enum sync_type type, int passed)
{
  struct sync_wire w;
  union sync_fd_cmsg ctl;
  struct iovec iov = { .iov_base = &w, .iov_len = sizeof w };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  ssize_t n;

  memset (&w, 0, sizeof w);
  w.type = type;
  sync_attach_fd (&mh, &ctl, passed);
  do
    n = sendmsg (fd, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof w ? 0 : -1;
}

/* SCM_CREDENTIALS carry the sender's pid translated by the kernel into the
 * receiver's pid namespace, which is how the parent learns the program's
 * pid behind a pid-1 reaper. */
int
sync_recv_fd (int fd, enum sync_type *type, struct husk_err *err, pid_t *pid, int *passed)
{
  struct sync_wire w;
  union
  {
    char buf[CMSG_SPACE (sizeof (struct ucred)) + CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = { .iov_base = &w, .iov_len = sizeof w };
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  struct cmsghdr *c;
  ssize_t n;

  if (pid)
    *pid = 0;
  *passed = -1;
  do
    n = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  for (c = n > 0 ? CMSG_FIRSTHDR (&mh) : NULL; c; c = CMSG_NXTHDR (&mh, c))
    if (pid && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS
        && c->cmsg_len == CMSG_LEN (sizeof (struct ucred)))
      {
        struct ucred uc;

        memcpy (&uc, CMSG_DATA (c), sizeof uc);
        *pid = uc.pid;
      }
    else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
             && c->cmsg_len == CMSG_LEN (sizeof (int)) && *passed < 0)
      memcpy (passed, CMSG_DATA (c), sizeof *passed);
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
