/* fuzz-seccomp-profile.c: libFuzzer entry point for the seccomp profile
 * compiler: the input is a profile's JSON text, parsed as
 * seccomp_profile_load parses it, then seccomp_profile_compile.  Compile
 * only: the cache (seccomp_profile_load, seccomp_cache_*) is never called,
 * so nothing is read from or written to a cache directory, and no filter is
 * ever loaded.
 *
 * Every other input is compiled as the linux.seccomp object of a config
 * (errors then start with "linux.seccomp"), the rest as a top-level profile
 * file.  Warnings about unknown properties go to /dev/null while the
 * target runs (stdio's stderr is swapped; fd 2, where the sanitizers
 * report, is untouched).
 *
 * Aborts when an error message is empty or spans lines, when a compiled
 * program is empty or longer than BPF_MAXINSNS, or when the compiler leaves
 * an fd open (it exports the program through a memfd).
 *
 * Built twice: with -fsanitize=fuzzer (configure --enable-fuzzing, clang)
 * as tests/fuzz/fuzz-seccomp-profile, and always with replay.c as
 * tests/unit/test-fuzz-replay-seccomp-profile, which runs the seed corpus
 * (tests/fuzz/corpus/seccomp-profile/) in `make check`.
 *
 * Must not: touch the cache directory or the filesystem; keep state across
 * inputs.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/json_u64.h"
#include "lib/seccomp_profile.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static FILE *fuzz_null;

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
  fuzz_null = fopen ("/dev/null", "we");
  if (fuzz_null == NULL)
    {
      fprintf (stderr, "fuzz-seccomp-profile: fopen /dev/null: %s\n", strerror (errno));
      abort ();
    }
  atexit (fuzz_close_null); /* nothing left for valgrind to report */
  return 0;
}

/* The lowest free fd: it changes when the target leaves an fd open. */
static int
fuzz_lowest_free_fd (void)
{
  int fd = fcntl (fileno (fuzz_null), F_DUPFD_CLOEXEC, 0);

  if (fd < 0)
    {
      fprintf (stderr, "fuzz-seccomp-profile: F_DUPFD: %s\n", strerror (errno));
      abort ();
    }
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
      fprintf (stderr, "fuzz-seccomp-profile: bad error message: \"%s\" (hint \"%s\")\n", line,
               err->hint);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *prefix = (size % 2) ? "linux.seccomp" : NULL;
  struct seccomp_compiled c = { 0 };
  struct husk_err err = { 0 };
  json_t *profile;
  FILE *saved_stderr;
  int r, fd_before;

  if (fuzz_null == NULL)
    LLVMFuzzerInitialize (NULL, NULL);
  profile = json_u64_load ((const char *) data, size, "fuzz", &err);
  if (profile == NULL)
    return 0; /* parse errors: fuzz-oci checks how they are reported */

  fd_before = fuzz_lowest_free_fd ();
  saved_stderr = stderr;
  stderr = fuzz_null;
  r = seccomp_profile_compile (profile, prefix, &c, &err);
  stderr = saved_stderr;
  json_decref (profile);

  if (r < 0)
    fuzz_check_error (&err);
  else if (c.prog == NULL || c.n == 0 || c.n > BPF_MAXINSNS)
    {
      fprintf (stderr, "fuzz-seccomp-profile: compiled %zu instructions at %p\n", c.n,
               (void *) c.prog);
      abort ();
    }
  /* A listener exactly with SCMP_ACT_NOTIFY (NEW_LISTENER), at an
   * absolute path; metadata only with it. */
  else if (((c.flags & 8u) != 0) != (c.listener_path != NULL)
           || (c.listener_path != NULL && c.listener_path[0] != '/')
           || (c.listener_metadata != NULL && c.listener_path == NULL))
    {
      fprintf (stderr, "fuzz-seccomp-profile: flags %#x with listener %s\n", c.flags,
               c.listener_path ? c.listener_path : "(none)");
      abort ();
    }
  seccomp_compiled_free (&c);
  if (fuzz_lowest_free_fd () != fd_before)
    {
      fprintf (stderr, "fuzz-seccomp-profile: the compiler left an fd open (was %d free)\n",
               fd_before);
      abort ();
    }
  return 0;
}
