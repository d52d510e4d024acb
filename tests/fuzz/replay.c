/* replay.c: a main for the fuzz entry points without libFuzzer.  Runs
 * LLVMFuzzerTestOneInput once on every file of the seed corpus and prints
 * TAP, one "ok" per file (a crash or sanitizer report ends the run, which
 * the test runner counts as a failure).  Built as tests/unit/test-fuzz-replay
 * so `make check` always exercises the corpus.
 *
 * Usage: test-fuzz-replay [DIR|FILE...]   (default: HUSK_FUZZ_CORPUS, else
 * the corpus directory compiled in as HUSK_FUZZ_CORPUS_DIR)
 *
 * Must not: depend on libFuzzer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/tap.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
replay_cmp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
replay_file (const char *path)
{
  FILE *f = fopen (path, "rbe");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;

  if (f == NULL)
    {
      ok (0, "%s: %s", path, strerror (errno));
      return;
    }
  for (;;)
    {
      size_t r;

      if (len == cap)
        {
          cap = cap ? cap * 2 : 4096;
          buf = realloc (buf, cap);
          if (buf == NULL)
            abort ();
        }
      r = fread (buf + len, 1, cap - len, f);
      if (r == 0)
        break;
      len += r;
    }
  fclose (f);
  fflush (stdout);
  LLVMFuzzerTestOneInput (buf, len);
  free (buf);
  ok (1, "%s", strrchr (path, '/') ? strrchr (path, '/') + 1 : path);
}

static void
replay_path (const char *path)
{
  struct stat st;
  DIR *d;
  struct dirent *e;
  char **names = NULL;
  size_t n = 0, i;

  if (stat (path, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      replay_file (path);
      return;
    }
  d = opendir (path);
  if (d == NULL)
    {
      ok (0, "%s: %s", path, strerror (errno));
      return;
    }
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.')
        continue;
      names = realloc (names, (n + 1) * sizeof *names);
      if (names == NULL || asprintf (&names[n], "%s/%s", path, e->d_name) < 0)
        abort ();
      n++;
    }
  closedir (d);
  if (n > 0)
    qsort (names, n, sizeof *names, replay_cmp);
  for (i = 0; i < n; i++)
    {
      replay_file (names[i]);
      free (names[i]);
    }
  free (names);
}

int
main (int argc, char **argv)
{
  const char *dir = getenv ("HUSK_FUZZ_CORPUS");
  int i;

#ifdef HUSK_FUZZ_CORPUS_DIR
  if (dir == NULL || dir[0] == '\0')
    dir = HUSK_FUZZ_CORPUS_DIR;
#endif
  /* The entry point hands out fd 3 and 4: drop whatever we inherited. */
  for (i = 3; i < 1024; i++)
    close (i);
  LLVMFuzzerInitialize (&argc, &argv);
  if (argc > 1)
    for (i = 1; i < argc; i++)
      replay_path (argv[i]);
  else if (dir != NULL)
    replay_path (dir);
  if (tap_count () == 0)
    ok (0, "the corpus is empty or missing (%s)", dir ? dir : "none given");
  return tap_done ();
}
