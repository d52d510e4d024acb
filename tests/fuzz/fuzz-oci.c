/* fuzz-oci.c: libFuzzer entry point for the OCI front end: the input is
 * the bytes of a config.json, loaded from memory with oci_load_text, then
 * plan_check, plan_dump and plan_free, in-process.  Nothing is executed.
 *
 * The bundle is a fixed absolute path that does not exist (the loader only
 * joins paths with it).  HOME and XDG_CACHE_HOME are unset, so linux.seccomp
 * is always compiled and the seccomp cache is never read.  Warnings about
 * unknown properties are the loader's documented behaviour: they go to
 * /dev/null while the target runs (stdio's stderr is swapped; fd 2, where
 * the sanitizers report, is untouched).
 *
 * Aborts when an error message is empty or spans lines, or when the loader
 * leaves an fd open.
 *
 * Built twice: with -fsanitize=fuzzer (configure --enable-fuzzing, clang)
 * as tests/fuzz/fuzz-oci, and always with replay.c as
 * tests/unit/test-fuzz-replay-oci, which runs the seed corpus
 * (tests/fuzz/corpus/oci/) in `make check`.
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
#include <unistd.h>

#include "lib/err.h"
#include "oci/oci.h"
#include "plan/plan.h"

#define FUZZ_BUNDLE "/nonexistent/husk-fuzz-bundle"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static FILE *fuzz_null;

static void
fuzz_fail (const char *what)
{
  fprintf (stderr, "fuzz-oci: %s: %s\n", what, strerror (errno));
  abort ();
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
  if (fuzz_null != NULL)
    return 0;
  /* No cache directory: linux.seccomp is compiled, never looked up. */
  unsetenv ("XDG_CACHE_HOME");
  unsetenv ("HOME");
  fuzz_null = fopen ("/dev/null", "we");
  if (fuzz_null == NULL)
    fuzz_fail ("fopen /dev/null");
  atexit (fuzz_close_null); /* nothing left for valgrind to report */
  return 0;
}

/* The lowest free fd: it changes when the target leaves an fd open. */
static int
fuzz_lowest_free_fd (void)
{
  int fd = fcntl (fileno (fuzz_null), F_DUPFD_CLOEXEC, 0);

  if (fd < 0)
    fuzz_fail ("F_DUPFD");
  close (fd);
  return fd;
}

/* An error must say something, on one line (husk prints exactly one). */
static void
fuzz_check_error (const struct husk_err *err)
{
  char line[HUSK_ERR_MSG_MAX + 256];

  husk_err_format (err, line, sizeof line);
  if (err->msg[0] == '\0' || strchr (line, '\n') != NULL || strchr (err->hint, '\n') != NULL)
    {
      fprintf (stderr, "fuzz-oci: bad error message: \"%s\" (hint \"%s\")\n", line, err->hint);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_plan plan;
  struct husk_err err = { 0 };
  struct husk_err check_err = { 0 };
  FILE *saved_stderr;
  unsigned warnings = 0;
  int fd_before, loaded, checked = 0;

  if (fuzz_null == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  fd_before = fuzz_lowest_free_fd ();

  saved_stderr = stderr;
  stderr = fuzz_null;
  plan_init (&plan);
  loaded
    = oci_load_text (&plan, (const char *) data, size, FUZZ_BUNDLE, "config.json", &warnings, &err);
  if (loaded == 0)
    {
      checked = plan_check (&plan, &check_err);
      if (checked == 0)
        plan_dump (&plan, fuzz_null);
    }
  plan_free (&plan);
  stderr = saved_stderr;

  if (loaded < 0)
    fuzz_check_error (&err);
  else if (checked < 0)
    fuzz_check_error (&check_err);
  if (fuzz_lowest_free_fd () != fd_before)
    {
      fprintf (stderr, "fuzz-oci: the loader left an fd open (lowest free fd %d, was %d)\n",
               fuzz_lowest_free_fd (), fd_before);
      abort ();
    }
  return 0;
}
