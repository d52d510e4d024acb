/* fuzz-cli.c: libFuzzer entry point for the command-line front end:
 * cli_parse, then plan_check, plan_dump and plan_free, in-process.
 *
 * Input format:  ARGV [SEP STREAM]
 *   ARGV    NUL-separated arguments (without the program name); a trailing
 *           NUL is optional.
 *   SEP     the 4 bytes "\xff--\xff"; everything after it is STREAM.
 *   STREAM  served on fd 3 (a memfd) and fd 4 (a pipe, up to 64 KiB), so
 *           "--args 3", "--seccomp 4", "--file 3 /x" ... read it.  Both are
 *           replaced by /dev/null again after every run, so nothing leaks
 *           from one input to the next (fd 3 and 4 stay reserved).
 * fd 0 is /dev/null, and a terminal on fd 1 or 2 is reopened write-only,
 * so an input naming fd 0, 1 or 2 (--args 0) cannot block; in the libFuzzer
 * build, reads of any other fd fail with EBADF (see __wrap_read).
 *
 * Built twice: with -fsanitize=fuzzer (configure --enable-fuzzing, clang)
 * as tests/fuzz/fuzz-cli, and always with replay.c as
 * tests/unit/test-fuzz-replay, which runs the seed corpus in `make check`.
 *
 * Must not: write anything outside its own fds; keep state across inputs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "plan/plan.h"

#define FUZZ_SEP      "\xff--\xff"
#define FUZZ_SEP_LEN  4
#define FUZZ_MAX_ARGS 4096
#define FUZZ_PIPE_MAX 65536

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static FILE *fuzz_null;
static int fuzz_devnull = -1;

#ifdef HUSK_FUZZ_WRAP_READ
/* Linked with -Wl,--wrap=read: while the target runs, only fds 0-4 can be
 * read.  libFuzzer and the sanitizers keep pipes of their own open (the
 * symbolizer's), and "--args 6" must not block on them. */
static int fuzz_in_target;
ssize_t __real_read (int fd, void *buf, size_t len);
ssize_t __wrap_read (int fd, void *buf, size_t len);

ssize_t
__wrap_read (int fd, void *buf, size_t len)
{
  if (fuzz_in_target && (fd < 0 || fd > 4))
    {
      errno = EBADF;
      return -1;
    }
  return __real_read (fd, buf, len);
}
#define FUZZ_TARGET(on) (fuzz_in_target = (on))
#else
/* The replay main closes every fd above 2 first: nothing to guard. */
#define FUZZ_TARGET(on) ((void) 0)
#endif

static void
fuzz_fail (const char *what)
{
  fprintf (stderr, "fuzz-cli: %s: %s\n", what, strerror (errno));
  abort ();
}

/* Put /dev/null on fd (reserving it, or dropping what a run put there). */
static void
fuzz_reserve (int fd)
{
  if (dup2 (fuzz_devnull, fd) < 0)
    fuzz_fail ("dup2");
}

/* A terminal could be read from (--args 1): reopen it write-only. */
static void
fuzz_tame_tty (int fd)
{
  char path[64];
  int w;

  if (!isatty (fd))
    return;
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  w = open (path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (w < 0)
    fuzz_fail ("reopen terminal write-only");
  if (dup2 (w, fd) < 0)
    fuzz_fail ("dup2");
  close (w);
}

static void
fuzz_close_null (void)
{
  fclose (fuzz_null);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc;
  (void) argv;
  if (fuzz_devnull >= 0)
    return 0;
  /* fd 3 and 4 are ours: refuse to clobber something already there. */
  if (fcntl (3, F_GETFD) >= 0 || fcntl (4, F_GETFD) >= 0)
    {
      fprintf (stderr, "fuzz-cli: fd 3 and 4 must be free (close them, and "
                       "do not use -close_fd_mask)\n");
      abort ();
    }
  fuzz_devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (fuzz_devnull < 0)
    fuzz_fail ("open /dev/null");
  if (fuzz_devnull < 5)
    {
      /* Keep our own /dev/null above the fds we hand out. */
      int hi = fcntl (fuzz_devnull, F_DUPFD_CLOEXEC, 10);

      if (hi < 0)
        fuzz_fail ("F_DUPFD");
      close (fuzz_devnull);
      fuzz_devnull = hi;
    }
  fuzz_reserve (3);
  fuzz_reserve (4);
  if (dup2 (fuzz_devnull, 0) < 0)
    fuzz_fail ("dup2 stdin");
  fuzz_tame_tty (1);
  fuzz_tame_tty (2);
  fuzz_null = fopen ("/dev/null", "we");
  if (fuzz_null == NULL)
    fuzz_fail ("fopen /dev/null");
  atexit (fuzz_close_null); /* nothing left for valgrind to report */
  return 0;
}

static const uint8_t *
fuzz_find_sep (const uint8_t *data, size_t size)
{
  return memmem (data, size, FUZZ_SEP, FUZZ_SEP_LEN);
}

/* STREAM on fd 3 (memfd) and fd 4 (pipe, truncated to what fits). */
static void
fuzz_serve_stream (const uint8_t *s, size_t len)
{
  int m, p[2];
  size_t off;

  m = memfd_create ("fuzz-args", MFD_CLOEXEC);
  if (m < 0)
    fuzz_fail ("memfd_create");
  for (off = 0; off < len;)
    {
      ssize_t w = write (m, s + off, len - off);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        fuzz_fail ("write memfd");
      off += (size_t) w;
    }
  if (lseek (m, 0, SEEK_SET) < 0)
    fuzz_fail ("lseek");
  if (dup2 (m, 3) < 0)
    fuzz_fail ("dup2");
  close (m);

  if (pipe2 (p, O_CLOEXEC) < 0)
    fuzz_fail ("pipe2");
  if (len > FUZZ_PIPE_MAX)
    len = FUZZ_PIPE_MAX;
  for (off = 0; off < len;)
    {
      ssize_t w = write (p[1], s + off, len - off);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        break; /* full: the reader gets what fitted */
      off += (size_t) w;
    }
  close (p[1]);
  if (dup2 (p[0], 4) < 0)
    fuzz_fail ("dup2");
  close (p[0]);
}

/* An error must say something, on one line (husk prints exactly one). */
static void
fuzz_check_error (const struct husk_err *err)
{
  char line[HUSK_ERR_MSG_MAX + 256];

  husk_err_format (err, line, sizeof line);
  if (err->msg[0] == '\0' || strchr (line, '\n') != NULL)
    {
      fprintf (stderr, "fuzz-cli: bad error message: \"%s\"\n", line);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *sep = fuzz_find_sep (data, size);
  size_t alen = sep ? (size_t) (sep - data) : size;
  char *abuf, **argv;
  int argc = 0;
  size_t i, start;
  struct husk_plan plan;
  struct husk_err err = { 0 };
  enum cli_action action = CLI_RUN;

  if (fuzz_devnull < 0)
    LLVMFuzzerInitialize (NULL, NULL);

  /* argv: a private NUL-terminated copy, split at NULs. */
  abuf = malloc (alen + 1);
  argv = malloc ((FUZZ_MAX_ARGS + 2) * sizeof *argv);
  if (abuf == NULL || argv == NULL)
    abort ();
  memcpy (abuf, data, alen);
  abuf[alen] = '\0';
  argv[argc++] = (char *) "husk";
  for (i = 0, start = 0; i <= alen && argc <= FUZZ_MAX_ARGS; i++)
    if (i == alen || abuf[i] == '\0')
      {
        if (i == alen && start == alen && alen > 0)
          break; /* a trailing NUL ends the list, it adds no "" */
        argv[argc++] = &abuf[start];
        start = i + 1;
      }
  if (alen == 0)
    argc = 1;
  argv[argc] = NULL;

  fuzz_serve_stream (sep ? sep + FUZZ_SEP_LEN : data + size, sep ? size - alen - FUZZ_SEP_LEN : 0);

  FUZZ_TARGET (1);
  plan_init (&plan);
  /* As main does: --help/--version stop there, anything else is checked
   * and dumped. */
  if (cli_parse (&plan, argc, argv, &action, &err) < 0)
    fuzz_check_error (&err);
  else if (action == CLI_HELP || action == CLI_VERSION)
    ;
  else if (plan_check (&plan, &err) < 0)
    fuzz_check_error (&err);
  else
    plan_dump (&plan, fuzz_null);
  plan_free (&plan);
  FUZZ_TARGET (0);

  fuzz_reserve (3);
  fuzz_reserve (4);
  free (argv);
  free (abuf);
  return 0;
}
