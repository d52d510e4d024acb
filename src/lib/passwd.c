/* passwd.c: users and groups from /etc/passwd and /etc/group text (see
 * passwd.h).
 *
 * Must not: make syscalls, print; depend on plan, cli, oci or exec.
 */
#include "lib/passwd.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define PW_MAX_FIELDS 8

struct pw_line
{
  const char *f[PW_MAX_FIELDS]; /* field starts */
  size_t len[PW_MAX_FIELDS];
  size_t n; /* fields found (PW_MAX_FIELDS means "too many") */
  unsigned lineno;
};

int
passwd_parse_id (const char *s, size_t len, uint32_t *out)
{
  uint64_t v = 0;

  if (len == 0 || len > 10)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return -1;
      v = v * 10 + (uint64_t) (s[i] - '0');
    }
  if (v > 4294967294U)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

/* The next line of *text that is not empty, a comment or a NIS line, split
 * at ':'.  false at the end. */
static bool
pw_next (const char **text, unsigned *lineno, struct pw_line *l)
{
  while (**text != '\0')
    {
      const char *s = *text, *end = strchr (s, '\n');
      size_t len = end ? (size_t) (end - s) : strlen (s);

      *text = s + len + (end ? 1 : 0);
      ++*lineno;
      if (len > 0 && s[len - 1] == '\r')
        len--;
      if (len == 0 || s[0] == '#' || s[0] == '+' || s[0] == '-')
        continue;
      l->lineno = *lineno;
      l->n = 0;
      for (const char *p = s; l->n < PW_MAX_FIELDS;)
        {
          const char *c = memchr (p, ':', len - (size_t) (p - s));

          l->f[l->n] = p;
          l->len[l->n++] = c ? (size_t) (c - p) : len - (size_t) (p - s);
          if (c == NULL)
            break;
          p = c + 1;
        }
      return true;
    }
  return false;
}

static bool
pw_is (const struct pw_line *l, size_t i, const char *s)
{
  return l->len[i] == strlen (s) && memcmp (l->f[i], s, l->len[i]) == 0;
}

static int
pw_bad (struct husk_err *err, const char *file, const struct pw_line *l, const char *what)
{
  return husk_err_set (err, 0, "%s:%u: malformed line (%s)", file, l->lineno, what);
}

int
passwd_lookup (const char *text, const char *file, const char *name, uint32_t uid,
               struct husk_pwent *out, struct husk_err *err)
{
  struct pw_line l;
  unsigned lineno = 0;
  bool found = false;

  /* Every line is checked, also after the match: a damaged file is an
   * error wherever the damage is. */
  while (pw_next (&text, &lineno, &l))
    {
      uint32_t u, g;

      const char *bad = NULL;

      if (l.n != 7)
        bad = "expected 7 fields";
      else if (l.len[0] == 0)
        bad = "empty user name";
      else if (passwd_parse_id (l.f[2], l.len[2], &u) < 0
               || passwd_parse_id (l.f[3], l.len[3], &g) < 0)
        bad = "the uid and gid must be numbers below 4294967295";
      if (bad != NULL)
        {
          if (found)
            passwd_ent_free (out);
          return pw_bad (err, file, &l, bad);
        }
      if (found || (name != NULL ? !pw_is (&l, 0, name) : u != uid))
        continue;
      out->name = xstrndup (l.f[0], l.len[0]);
      out->home = xstrndup (l.f[5], l.len[5]);
      out->uid = u;
      out->gid = g;
      found = true;
    }
  if (found)
    return 1;
  return 0;
}

void
passwd_ent_free (struct husk_pwent *e)
{
  free (e->name);
  free (e->home);
  e->name = e->home = NULL;
}

/* The next well-formed group line: 1, 0 at the end, -1 malformed. */
static int
pw_next_group (const char **text, unsigned *lineno, const char *file, struct pw_line *l,
               uint32_t *gid, struct husk_err *err)
{
  if (!pw_next (text, lineno, l))
    return 0;
  if (l->n != 4)
    return pw_bad (err, file, l, "expected 4 fields");
  if (l->len[0] == 0)
    return pw_bad (err, file, l, "empty group name");
  if (passwd_parse_id (l->f[2], l->len[2], gid) < 0)
    return pw_bad (err, file, l, "the gid must be a number below 4294967295");
  return 1;
}

int
passwd_group_gid (const char *text, const char *file, const char *name, uint32_t *gid,
                  struct husk_err *err)
{
  struct pw_line l;
  unsigned lineno = 0;
  uint32_t g;
  bool found = false;
  int r;

  while ((r = pw_next_group (&text, &lineno, file, &l, &g, err)) > 0)
    if (!found && pw_is (&l, 0, name))
      {
        *gid = g;
        found = true;
      }
  return r < 0 ? -1 : found;
}

/* user is one of the comma-separated names in l's member field. */
static bool
pw_has_member (const struct pw_line *l, const char *user)
{
  const char *p = l->f[3], *end = l->f[3] + l->len[3];
  size_t ulen = strlen (user);

  while (p < end)
    {
      const char *c = memchr (p, ',', (size_t) (end - p));
      size_t len = c ? (size_t) (c - p) : (size_t) (end - p);

      if (len == ulen && memcmp (p, user, len) == 0)
        return true;
      p += len + 1;
    }
  return false;
}

int
passwd_member_gids (const char *text, const char *file, const char *user, uint32_t **gids,
                    size_t *n, struct husk_err *err)
{
  struct pw_line l;
  unsigned lineno = 0;
  uint32_t g;
  int r;

  while ((r = pw_next_group (&text, &lineno, file, &l, &g, err)) > 0)
    {
      bool seen = false;

      if (!pw_has_member (&l, user))
        continue;
      for (size_t i = 0; i < *n && !seen; i++)
        seen = (*gids)[i] == g;
      if (seen)
        continue;
      *gids = xrealloc (*gids, (*n + 1) * sizeof **gids);
      (*gids)[(*n)++] = g;
    }
  return r;
}
