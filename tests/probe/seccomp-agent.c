/* seccomp-agent.c: a tiny seccomp agent for the tests of SCMP_ACT_NOTIFY
 * (issue 5).  Runs on the host, beside husk.
 *
 *   husk-seccomp-agent SOCKET REPORT ERRNO [METADATA]
 *
 * Listens on the unix socket SOCKET (SOCK_STREAM), accepts one connection,
 * reads the runtime-spec's container process state (JSON) with the
 * listener as SCM_RIGHTS, checks what it can (ociVersion, fds ==
 * ["seccompFd"], pid > 0 and the same in state.pid, state.status
 * "creating", state.id, an absolute state.bundle, metadata == METADATA or
 * absent when METADATA is not given) and writes to REPORT:
 *
 *   state ok | state bad: WHY
 *   pid=N id=S bundle=S annotations=K=V,...
 *   mkdir N            (at the end: how many mkdir/mkdirat it answered)
 *
 * Then it answers notifications until the sandbox is gone (the listener
 * hangs up) or 30 s pass: mkdir and mkdirat get -ERRNO, or a fake success
 * (0, nothing created) when ERRNO is 0; any other syscall continues as if
 * there were no filter.  Exit status 0 when the state was fine, 1 if not,
 * 2 on a usage or system error.
 *
 * Must not: be used outside the tests (SECCOMP_USER_NOTIF_FLAG_CONTINUE is
 * no security decision).
 */
#include <errno.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define STATE_MAX 65536
#define TIMEOUT_MS 30000

static int
fail (const char *what)
{
  fprintf (stderr, "husk-seccomp-agent: %s: %s\n", what, strerror (errno));
  exit (2);
}

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int s = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (s < 0 || strlen (path) >= sizeof addr.sun_path)
    fail ("socket");
  strcpy (addr.sun_path, path);
  unlink (path);
  if (bind (s, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (s, 4) < 0)
    fail ("bind/listen");
  return s;
}

/* Read the whole state (until EOF: husk closes the connection after it)
 * and the fd that came with the first part. */
static char *
read_state (int conn, int *fd)
{
  char *buf = calloc (1, STATE_MAX + 1);
  size_t len = 0;

  *fd = -1;
  if (buf == NULL)
    fail ("calloc");
  for (;;)
    {
      union
      {
        char b[CMSG_SPACE (sizeof (int))];
        struct cmsghdr align;
      } ctl;
      struct iovec iov = { .iov_base = buf + len, .iov_len = STATE_MAX - len };
      struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b,
                           .msg_controllen = sizeof ctl.b };
      struct cmsghdr *c;
      ssize_t n = recvmsg (conn, &mh, MSG_CMSG_CLOEXEC);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        fail ("recvmsg");
      for (c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && *fd < 0)
          memcpy (fd, CMSG_DATA (c), sizeof *fd);
      if (n == 0 || len + (size_t) n >= STATE_MAX)
        break;
      len += (size_t) n;
    }
  return buf;
}

static const char *
str_or_dash (const json_t *v)
{
  return json_is_string (v) ? json_string_value (v) : "-";
}

/* Check the state; write the report's first two lines; 0 when fine. */
static int
check_state (const char *text, const char *want_meta, FILE *report)
{
  json_error_t jerr;
  json_t *j = json_loads (text, 0, &jerr), *st, *fds, *meta, *ann, *v;
  const char *why = NULL, *key;
  json_int_t pid = 0;

  st = json_object_get (j, "state");
  fds = json_object_get (j, "fds");
  meta = json_object_get (j, "metadata");
  if (j == NULL)
    why = "not JSON";
  else if (!json_is_string (json_object_get (j, "ociVersion")))
    why = "no ociVersion";
  else if (!json_is_array (fds) || json_array_size (fds) != 1
           || !json_is_string (json_array_get (fds, 0))
           || strcmp (json_string_value (json_array_get (fds, 0)), "seccompFd") != 0)
    why = "fds is not [\"seccompFd\"]";
  else if ((pid = json_integer_value (json_object_get (j, "pid"))) <= 0)
    why = "pid is not positive";
  else if (want_meta ? !json_is_string (meta) || strcmp (json_string_value (meta), want_meta) != 0
                     : meta != NULL)
    why = "metadata differs";
  else if (!json_is_object (st)
           || json_integer_value (json_object_get (st, "pid")) != pid)
    why = "state.pid differs from pid";
  else if (!json_is_string (json_object_get (st, "status"))
           || strcmp (json_string_value (json_object_get (st, "status")), "creating") != 0)
    why = "state.status is not \"creating\"";
  else if (!json_is_string (json_object_get (st, "ociVersion"))
           || !json_is_string (json_object_get (st, "id"))
           || json_string_length (json_object_get (st, "id")) == 0)
    why = "state.ociVersion or state.id missing";
  else if (!json_is_string (json_object_get (st, "bundle"))
           || json_string_value (json_object_get (st, "bundle"))[0] != '/')
    why = "state.bundle is not absolute";
  fprintf (report, why ? "state bad: %s\n" : "state ok\n", why);
  fprintf (report, "pid=%lld id=%s bundle=%s annotations=", (long long) pid,
           str_or_dash (json_object_get (st, "id")), str_or_dash (json_object_get (st, "bundle")));
  ann = json_object_get (st, "annotations");
  json_object_foreach (ann, key, v)
  {
    fprintf (report, "%s=%s,", key, json_is_string (v) ? json_string_value (v) : "?");
  }
  fputc ('\n', report);
  fflush (report);
  json_decref (j);
  return why ? 1 : 0;
}

/* Answer notifications until the listener hangs up; the mkdir count. */
static int
serve (int listener, int err_no)
{
  struct seccomp_notif_sizes sizes;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  int handled = 0;

  if (syscall (SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    fail ("SECCOMP_GET_NOTIF_SIZES");
  req = calloc (1, sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
  resp = calloc (1, sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp
                                                           : sizeof *resp);
  if (req == NULL || resp == NULL)
    fail ("calloc");
  for (;;)
    {
      struct pollfd p = { .fd = listener, .events = POLLIN };
      int r = poll (&p, 1, TIMEOUT_MS);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0 || (p.revents & (POLLHUP | POLLERR)) || !(p.revents & POLLIN))
        break;
      memset (req, 0, sizes.seccomp_notif);
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
        {
          if (errno == EINTR || errno == ENOENT)
            continue;
          break;
        }
      memset (resp, 0, sizes.seccomp_notif_resp);
      resp->id = req->id;
      if (req->data.nr == SYS_mkdir || req->data.nr == SYS_mkdirat)
        {
          resp->error = -err_no;
          resp->val = 0;
          handled++;
        }
      else
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      /* ENOENT: the caller was killed meanwhile. */
      if (ioctl (listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
        break;
    }
  free (req);
  free (resp);
  return handled;
}

int
main (int argc, char **argv)
{
  struct pollfd p;
  FILE *report;
  char *text;
  int s, conn, listener, bad;

  if (argc < 4 || argc > 5)
    {
      fprintf (stderr, "usage: husk-seccomp-agent SOCKET REPORT ERRNO [METADATA]\n");
      return 2;
    }
  s = listen_on (argv[1]);
  /* Anyone may connect: husk may run as another uid than the agent. */
  chmod (argv[1], 0777);
  report = fopen (argv[2], "we");
  if (report == NULL)
    fail ("fopen REPORT");
  p = (struct pollfd){ .fd = s, .events = POLLIN };
  if (poll (&p, 1, TIMEOUT_MS) != 1)
    {
      fprintf (report, "state bad: nobody connected\n");
      return 1;
    }
  conn = accept4 (s, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    fail ("accept");
  text = read_state (conn, &listener);
  close (conn);
  close (s);
  unlink (argv[1]);
  bad = check_state (text, argc == 5 ? argv[4] : NULL, report);
  free (text);
  if (listener < 0)
    {
      fprintf (report, "state bad: no fd\n");
      return 1;
    }
  fprintf (report, "mkdir %d\n", serve (listener, atoi (argv[3])));
  fclose (report);
  return bad;
}
