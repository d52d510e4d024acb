/* rlimit.c: resource-limit names and values (see rlimit.h).
 *
 * Must not: make syscalls, print, or allocate.
 */
#include "lib/rlimit.h"

#include <stddef.h>
#include <strings.h>
#include <sys/resource.h>

static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "as", RLIMIT_AS },
  { "core", RLIMIT_CORE },
  { "cpu", RLIMIT_CPU },
  { "data", RLIMIT_DATA },
  { "fsize", RLIMIT_FSIZE },
  { "locks", RLIMIT_LOCKS },
  { "memlock", RLIMIT_MEMLOCK },
  { "msgqueue", RLIMIT_MSGQUEUE },
  { "nice", RLIMIT_NICE },
  { "nofile", RLIMIT_NOFILE },
  { "nproc", RLIMIT_NPROC },
  { "rss", RLIMIT_RSS },
  { "rtprio", RLIMIT_RTPRIO },
  { "rttime", RLIMIT_RTTIME },
  { "sigpending", RLIMIT_SIGPENDING },
  { "stack", RLIMIT_STACK },
};
#define RLIMIT_N_NAMES (sizeof rlimit_names / sizeof rlimit_names[0])

int
rlimit_from_name (const char *name)
{
  if (strncasecmp (name, "RLIMIT_", 7) == 0)
    name += 7;
  for (size_t i = 0; i < RLIMIT_N_NAMES; i++)
    if (strcasecmp (name, rlimit_names[i].name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

const char *
rlimit_name (int resource)
{
  for (size_t i = 0; i < RLIMIT_N_NAMES; i++)
    if (rlimit_names[i].resource == resource)
      return rlimit_names[i].name;
  return NULL;
}

int
rlimit_parse_value (const char *s, uint64_t *out)
{
  uint64_t v = 0;

  if (strcasecmp (s, "unlimited") == 0 || strcasecmp (s, "infinity") == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  if (*s == '\0')
    return -1;
  for (; *s != '\0'; s++)
    {
      if (*s < '0' || *s > '9')
        return -1;
      /* UINT64_MAX itself is "unlimited": spell it so. */
      if (v > (UINT64_MAX - 1 - (uint64_t) (*s - '0')) / 10)
        return -1;
      v = v * 10 + (uint64_t) (*s - '0');
    }
  *out = v;
  return 0;
}
