/* pty.c: process.terminal (issue 5) and --pty (issue 6): the program runs
 * on a new pseudo terminal whose other end husk relays to its own stdio, so
 * it never holds the caller's terminal (no TIOCSTI into it, no reading the
 * caller's keystrokes once it has gone to the background).
 *
 * Child: after pivot_root it opens /dev/ptmx of the sandbox's own devpts
 * instance (so `tty` inside names a /dev/pts path that exists there), makes
 * the slave fds 0-2, sends the master to the parent over the sync socket,
 * and later, just before the reaper fork, becomes a session leader with
 * the slave as its controlling terminal.
 *
 * Parent: sets the window size (process.consoleSize, else husk's own
 * terminal's), puts husk's terminal in raw mode when stdin is one (so keys
 * like ^C reach the program's line discipline instead of husk), and relays
 * in a thread: stdin -> master, master -> stdout.  At EOF on stdin it sends
 * the terminal's EOF character.  After the program has exited the relay
 * drains what is left and the terminal mode is restored.  Window size
 * changes (SIGWINCH, caught by signals.c) are copied to the pty with
 * pty_resize, unless --no-forward-signals.
 *
 * Must not: print; touch husk's terminal when stdin is not a tty.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"

#define PTY_DRAIN_MS 200 /* after the program exits: quiet time that ends the relay */

int
pty_child_open (const struct husk_plan *plan, int sync_sock, struct husk_err *err)
{
  cleanup_fd int master = -1;
  cleanup_fd int slave = -1;
  char name[64];

  if (!plan->terminal)
    return 0;
  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    {
      husk_err_sys (err, "%s: open /dev/ptmx", plan->terminal_origin.where);
      /* Missing, or the host's /dev/ptmx on a nodev bind mount. */
      if (err->errnum == ENOENT || err->errnum == EACCES || err->errnum == EPERM)
        husk_err_hint (err, "the sandbox needs a devpts of its own: add --dev /dev "
                            "(or a devpts mount at /dev/pts)");
      return -1;
    }
  if (unlockpt (master) < 0 || ptsname_r (master, name, sizeof name) != 0)
    return husk_err_sys (err, "%s: unlockpt", plan->terminal_origin.where);
  slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0)
    return husk_err_sys (err, "%s: open %s", plan->terminal_origin.where, name);
  if (plan->console_rows > 0)
    {
      struct winsize ws = { .ws_row = (unsigned short) plan->console_rows,
                            .ws_col = (unsigned short) plan->console_cols };
      if (ioctl (master, TIOCSWINSZ, &ws) < 0)
        return husk_err_sys (err, "%s: TIOCSWINSZ", plan->terminal_origin.where);
    }
  else
    {
      /* husk's own size, before the program can run: set later by the
       * parent, the change would reach the program as a SIGWINCH.  (fds
       * 0-2 are still husk's here.) */
      struct winsize ws;

      if (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0)
        (void) ioctl (master, TIOCSWINSZ, &ws);
    }
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return husk_err_sys (err, "%s: dup2", plan->terminal_origin.where);
  if (sync_send_fd (sync_sock, SYNC_PTY, master) < 0)
    return husk_err_sys (err, "%s: send the terminal to husk", plan->terminal_origin.where);
  return 0;
}

int
pty_child_ctty (const struct husk_plan *plan, struct husk_err *err)
{
  if (!plan->terminal)
    return 0;
  if (getsid (0) != getpid () && setsid () < 0)
    return husk_err_sys (err, "%s: setsid", plan->terminal_origin.where);
  if (ioctl (0, TIOCSCTTY, 0) < 0)
    return husk_err_sys (err, "%s: TIOCSCTTY", plan->terminal_origin.where);
  return 0;
}

static int
pty_write_all (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t w = write (fd, buf, len);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      buf += w;
      len -= (size_t) w;
    }
  return 0;
}

/* master -> stdout; 1 on data, 0 when the slave side is gone, -1 on error. */
static int
pty_copy_out (struct exec_pty *pty, bool *out_ok)
{
  char buf[8192];
  ssize_t n = read (pty->master, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 1;
  if (n <= 0)
    return 0; /* EIO: every slave fd is closed */
  if (*out_ok && pty_write_all (1, buf, (size_t) n) < 0)
    *out_ok = false; /* keep draining, so the program never blocks on us */
  return 1;
}

/* stdin -> master; at EOF the terminal's EOF character (^D) ends a read
 * in canonical mode, as closing the input would (none when it is disabled:
 * writing _POSIX_VDISABLE would send a NUL). */
static void
pty_copy_in (struct exec_pty *pty, bool *in_open)
{
  char buf[4096];
  ssize_t n = read (0, buf, sizeof buf);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      struct termios t;

      *in_open = false;
      if (tcgetattr (pty->master, &t) == 0 && (t.c_lflag & ICANON)
          && t.c_cc[VEOF] != _POSIX_VDISABLE)
        (void) pty_write_all (pty->master, (const char *) &t.c_cc[VEOF], 1);
      return;
    }
  (void) pty_write_all (pty->master, buf, (size_t) n);
}

/* Does C end a line in canonical mode under T (unlike the EOF character,
 * which a read does not return)?  A disabled (0) EOL or EOL2 ends none. */
static bool
pty_line_end (const struct termios *t, char c)
{
  cc_t u = (cc_t) c;

  return u == '\n' || (u != _POSIX_VDISABLE && u == t->c_cc[VEOL])
         || (u != _POSIX_VDISABLE && (t->c_lflag & IEXTEN) && u == t->c_cc[VEOL2]);
}

/* Put husk's terminal (stdin, termios in pty->saved) in raw mode without
 * turning an end-of-file already typed into a NUL byte.
 *
 * In canonical mode the line discipline keeps the EOF character (^D) in
 * the input queue as a NUL flagged as a line end; a read returns what
 * precedes it, or 0 for a ^D at the start of a line.  Going raw drops the
 * flags and keeps the bytes, so that NUL would be read as input, relayed to
 * the program, and echoed by its terminal as "^@" (and a program reading
 * its input would get that NUL instead of an end of file).  script(1) with
 * an empty input hits this whenever husk is slow to get here (a loaded
 * machine): it writes ^D to husk's terminal about 10 ms after starting it.
 *
 * So: first disable the EOF character (and echo, or a ^D typed from now on
 * would show as "^D"), which stops new markers; then read what canonical
 * mode has completed and send it to the program as typed, with the EOF
 * character where one ended a read; then go raw, which makes the rest (a
 * partial line, what arrives in between) the bytes that were typed.  */
static void
pty_make_raw (struct exec_pty *pty)
{
  struct termios t = pty->saved;
  char buf[4096];
  size_t total = 0;

  if (t.c_lflag & ICANON)
    {
      t.c_cc[VEOF] = _POSIX_VDISABLE;
      t.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
      if (tcsetattr (0, TCSANOW, &t) < 0)
        return;
      pty->raw = true;
      /* Every marker came before the change, and the queue holds 4 KiB. */
      while (total < sizeof buf)
        {
          struct pollfd p = { .fd = 0, .events = POLLIN };
          ssize_t n;

          if (poll (&p, 1, 0) != 1 || p.revents != POLLIN)
            break; /* empty, or hung up (where reads return 0 forever) */
          n = read (0, buf, sizeof buf);
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            break;
          if (n > 0)
            (void) pty_write_all (pty->master, buf, (size_t) n);
          if ((n == 0 || !pty_line_end (&pty->saved, buf[n - 1]))
              && pty->saved.c_cc[VEOF] != _POSIX_VDISABLE)
            (void) pty_write_all (pty->master, (const char *) &pty->saved.c_cc[VEOF], 1);
          total += (size_t) n + 1;
        }
    }
  t = pty->saved;
  cfmakeraw (&t);
  if (tcsetattr (0, TCSANOW, &t) == 0)
    pty->raw = true;
}

static void *
pty_relay (void *arg)
{
  struct exec_pty *pty = arg;
  bool in_open = true, out_ok = true, draining = false;

  for (;;)
    {
      struct pollfd p[3] = {
        { .fd = pty->master, .events = POLLIN },
        { .fd = draining ? -1 : pty->stop[0], .events = POLLIN },
        { .fd = in_open && !draining ? 0 : -1, .events = POLLIN },
      };
      int r = poll (p, 3, draining ? PTY_DRAIN_MS : -1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break; /* drained (timeout) or poll failed */
      if (p[0].revents && pty_copy_out (pty, &out_ok) == 0)
        break;
      if (p[1].revents)
        draining = true;
      if (p[2].revents)
        pty_copy_in (pty, &in_open);
    }
  return NULL;
}

int
pty_parent_start (const struct husk_plan *plan, struct exec_pty *pty, int master,
                  struct husk_err *err)
{
  struct winsize ws;

  pty->master = master;
  if (plan->console_rows == 0
      && (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0))
    (void) ioctl (master, TIOCSWINSZ, &ws);
  if (pipe2 (pty->stop, O_CLOEXEC) < 0)
    return husk_err_sys (err, "%s: pipe", plan->terminal_origin.where);
  if (isatty (0) && tcgetattr (0, &pty->saved) == 0)
    pty_make_raw (pty);
  errno = pthread_create (&pty->thread, NULL, pty_relay, pty);
  if (errno != 0)
    {
      pty_parent_finish (pty);
      return husk_err_sys (err, "%s: relay thread", plan->terminal_origin.where);
    }
  pty->running = true;
  return 0;
}

void
pty_resize (int master)
{
  struct winsize ws;

  if (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0)
    (void) ioctl (master, TIOCSWINSZ, &ws);
}

/* After the program has exited (or on failure): drain, restore, close. */
void
pty_parent_finish (struct exec_pty *pty)
{
  if (pty->running)
    {
      (void) !write (pty->stop[1], "x", 1);
      pthread_join (pty->thread, NULL);
      pty->running = false;
    }
  if (pty->raw)
    {
      tcsetattr (0, TCSANOW, &pty->saved);
      pty->raw = false;
    }
  husk_cleanup_closep (&pty->master);
  husk_cleanup_closep (&pty->stop[0]);
  husk_cleanup_closep (&pty->stop[1]);
}
