/* path.c: resolve and create paths inside a root directory fd (path.h).
 *
 * Resolution is openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS when
 * the kernel has it (5.6+), else a walker that opens one component at a time
 * with O_NOFOLLOW and expands symlinks itself.  Creation is always done with
 * a plain name relative to an already resolved directory fd (mkdirat,
 * openat with O_NOFOLLOW), so the kernel never follows a link we did not
 * check: a hostile "x -> /../../etc" or "x -> /oldroot/tmp" can only ever
 * lead back inside the root.
 *
 * Must not: use a path string that the kernel resolves from the process
 * root or cwd; follow magic links; print or exit.
 */
#include "lib/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

int path_use_fallback = 0;

/* -1 unknown, 0 missing (ENOSYS), 1 works. */
static int path_have_openat2 = -1;

/* ---- components --------------------------------------------------------- */

/* Return the next component of *p (not NUL-terminated, length in *len) and
 * advance *p past it, or NULL at the end.  Repeated slashes are skipped. */
static const char *
path_next (const char **p, size_t *len)
{
  const char *s = *p;
  const char *e;

  while (*s == '/')
    s++;
  if (*s == '\0')
    {
      *p = s;
      return NULL;
    }
  e = strchrnul (s, '/');
  *len = (size_t) (e - s);
  *p = e;
  return s;
}

/* True when only slashes remain in p. */
static bool
path_rest_empty (const char *p)
{
  while (*p == '/')
    p++;
  return *p == '\0';
}

static bool
path_is_dots (const char *c, size_t len)
{
  return (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.');
}

/* Copy a component into a NUL-terminated name buffer of NAME_MAX + 1. */
static int
path_copy_name (char *dst, const char *c, size_t len)
{
  if (len > NAME_MAX)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  memcpy (dst, c, len);
  dst[len] = '\0';
  return 0;
}

static int
path_dup_root (int rootfd)
{
  return openat (rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The text of the symlink `name` in dirfd (name "" with an O_PATH fd of the
 * link itself), malloc'd.  An empty link is ENOENT, as for the kernel. */
static char *
path_readlink (int dirfd, const char *name)
{
  char buf[PATH_MAX];
  ssize_t n = readlinkat (dirfd, name, buf, sizeof buf);

  if (n < 0)
    return NULL;
  if ((size_t) n >= sizeof buf)
    {
      errno = ENAMETOOLONG;
      return NULL;
    }
  if (n == 0)
    {
      errno = ENOENT;
      return NULL;
    }
  return xstrndup (buf, (size_t) n);
}

/* ---- the portable walker ------------------------------------------------ */

/* The directories walked so far, root first: ".." pops one (never the
 * root), an absolute link pops back to the root.  Walking the fds we came
 * through instead of opening ".." means a directory renamed out of the root
 * under our feet cannot lead us out with it. */
struct path_walk
{
  int *fds;
  size_t n, cap;
};

static void
path_walk_pop (struct path_walk *w, size_t keep)
{
  while (w->n > keep)
    close (w->fds[--w->n]);
}

static void
path_walk_freep (struct path_walk *w)
{
  path_walk_pop (w, 0);
  free (w->fds);
}

static void
path_walk_push (struct path_walk *w, int fd)
{
  w->fds = xgrow (w->fds, &w->cap, w->n + 1, sizeof *w->fds);
  w->fds[w->n++] = fd;
}

/* The last component was a symlink to follow: replace the path still to
 * walk with "<link text><rest>". */
static int
path_walk_expand (struct path_walk *w, int linkfd, char **buf,
                  const char **rest)
{
  cleanup_free char *target = path_readlink (linkfd, "");
  char *next;

  if (target == NULL)
    return -1;
  if (target[0] == '/')
    path_walk_pop (w, 1);
  next = xasprintf ("%s%s", target, *rest);
  free (*buf);
  *buf = next;
  *rest = next;
  return 0;
}

/* Open one component below the top of the walk.  Returns 1 when a symlink
 * was expanded (nothing pushed), 0 when the component was pushed. */
static int
path_walk_step (struct path_walk *w, const char *c, size_t len,
                char **buf, const char **rest, unsigned flags, int *links)
{
  char name[NAME_MAX + 1];
  bool last = path_rest_empty (*rest);
  bool slash = last && **rest == '/';
  cleanup_fd int fd = -1;
  struct stat st;

  if (path_copy_name (name, c, len) < 0)
    return -1;
  fd = openat (w->fds[w->n - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return -1;
  if (S_ISLNK (st.st_mode) && !(last && !slash && (flags & PATH_NOFOLLOW)))
    {
      if (++*links > PATH_MAX_LINKS)
        {
          errno = ELOOP;
          return -1;
        }
      if (path_walk_expand (w, fd, buf, rest) < 0)
        return -1;
      return 1;
    }
  /* Anything followed by more components or a slash must be a directory. */
  if (!S_ISDIR (st.st_mode) && !S_ISLNK (st.st_mode) && (!last || slash))
    {
      errno = ENOTDIR;
      return -1;
    }
  path_walk_push (w, steal_fd (&fd));
  return 0;
}

/* Walk `buf` to the end; the result is left on top of w. */
static int
path_walk_run (struct path_walk *w, char **buf, unsigned flags)
{
  const char *p = *buf;
  const char *c;
  size_t len;
  int links = 0;

  while ((c = path_next (&p, &len)) != NULL)
    {
      if (len == 1 && c[0] == '.')
        continue;
      if (len == 2 && c[0] == '.' && c[1] == '.')
        {
          /* Clamp at the root, as RESOLVE_IN_ROOT does. */
          path_walk_pop (w, w->n > 1 ? w->n - 1 : 1);
          continue;
        }
      if (path_walk_step (w, c, len, buf, &p, flags, &links) < 0)
        return -1;
    }
  return 0;
}

int
path_open_fallback (int rootfd, const char *path, unsigned flags)
{
  __attribute__ ((cleanup (path_walk_freep))) struct path_walk w = { 0 };
  cleanup_free char *buf = NULL;
  int root;

  if (path[0] == '\0')
    {
      errno = ENOENT;
      return -1;
    }
  root = path_dup_root (rootfd);
  if (root < 0)
    return -1;
  path_walk_push (&w, root);
  buf = xstrdup (path);
  if (path_walk_run (&w, &buf, flags) < 0)
    return -1;
  return steal_fd (&w.fds[--w.n]);
}

/* ---- openat2 ------------------------------------------------------------ */

static int
path_openat2 (int rootfd, const char *path, unsigned flags)
{
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | ((flags & PATH_NOFOLLOW) ? O_NOFOLLOW : 0),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int tries;
  long fd = -1;

  /* EAGAIN: a concurrent rename raced with ".." resolution; the kernel
   * refuses rather than risk an escape, and asks us to retry. */
  for (tries = 0; tries < 64; tries++)
    {
      fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
      if (fd >= 0 || errno != EAGAIN)
        break;
    }
  return (int) fd;
}

int
path_open (int rootfd, const char *path, unsigned flags)
{
  int fd;

  if (path_use_fallback || path_have_openat2 == 0)
    return path_open_fallback (rootfd, path, flags);
  fd = path_openat2 (rootfd, path, flags);
  if (fd < 0 && errno == ENOSYS)
    {
      path_have_openat2 = 0;
      return path_open_fallback (rootfd, path, flags);
    }
  path_have_openat2 = 1;
  /* ELOOP from openat2 can be spurious: when the lock-free (RCU) walk has
   * to restart in ref-walk mode, e.g. because mounts changed meanwhile,
   * the kernel keeps counting the symlinks the first attempt followed, so
   * a path with 21 links can fail against the limit of 40 on a busy
   * machine (seen in bursts here).  The walker counts links itself and
   * gives the same answer every time: a real loop is ELOOP there too. */
  if (fd < 0 && errno == ELOOP)
    return path_open_fallback (rootfd, path, flags);
  return fd;
}

/* ---- creation ----------------------------------------------------------- */

static int
path_require_dir (int fd)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return -1;
  if (!S_ISDIR (st.st_mode))
    {
      errno = ENOTDIR;
      return -1;
    }
  return 0;
}

/* Return fd, or close it and fail with EISDIR when it is a directory. */
static int
path_require_nondir (int fd)
{
  struct stat st;

  if (fstat (fd, &st) < 0 || S_ISDIR (st.st_mode))
    {
      int saved = S_ISDIR (st.st_mode) ? EISDIR : errno;

      close (fd);
      errno = saved;
      return -1;
    }
  return fd;
}

/* Resolve prefix; when it is missing, create its last component `name` in
 * the already resolved parent and resolve again. */
static int
path_mkdir_one (int rootfd, int parent, const char *prefix, const char *name,
                mode_t mode)
{
  int fd = path_open (rootfd, prefix, 0);

  if (fd >= 0 || errno != ENOENT)
    return fd;
  /* EEXIST: a dangling symlink (the reopen below then fails with ENOENT)
   * or a concurrent mkdir (then the reopen succeeds). */
  if (mkdirat (parent, name, mode) < 0 && errno != EEXIST)
    return -1;
  return path_open (rootfd, prefix, 0);
}

int
path_mkdir (int rootfd, const char *path, mode_t mode)
{
  cleanup_fd int cur = -1;
  cleanup_free char *prefix = NULL;
  size_t plen = 0;
  const char *p = path;
  const char *c;
  size_t len;

  /* Fast path: it exists already (the common case for mount points). */
  cur = path_open (rootfd, path, 0);
  if (cur >= 0)
    return path_require_dir (cur) < 0 ? -1 : steal_fd (&cur);
  if (errno != ENOENT)
    return -1;
  cur = path_dup_root (rootfd);
  if (cur < 0)
    return -1;
  prefix = xmalloc (strlen (path) + 2);
  while ((c = path_next (&p, &len)) != NULL)
    {
      char name[NAME_MAX + 1];
      int fd;

      if (path_copy_name (name, c, len) < 0)
        return -1;
      prefix[plen++] = '/';
      memcpy (prefix + plen, c, len);
      plen += len;
      prefix[plen] = '\0';
      fd = path_is_dots (c, len) ? path_open (rootfd, prefix, 0)
                                 : path_mkdir_one (rootfd, cur, prefix, name, mode);
      if (fd < 0)
        return -1;
      close (cur);
      cur = fd;
      if (path_require_dir (cur) < 0)
        return -1;
    }
  return steal_fd (&cur);
}

/* Split path into its directory part (malloc'd, possibly "") and last
 * component (malloc'd). */
static int
path_split (const char *path, char **dir, char **name)
{
  size_t end = strlen (path);
  size_t start;

  if (end > 0 && path[end - 1] == '/')
    {
      while (end > 0 && path[end - 1] == '/')
        end--;
      errno = end > 0 ? EISDIR : EEXIST;
      return -1;
    }
  start = end;
  while (start > 0 && path[start - 1] != '/')
    start--;
  if (end == start || path_is_dots (path + start, end - start))
    {
      errno = EEXIST;
      return -1;
    }
  if (end - start > NAME_MAX)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  *dir = xstrndup (path, start);
  *name = xstrndup (path + start, end - start);
  return 0;
}

static int
path_parent (int rootfd, const char *path, bool create, char **name)
{
  cleanup_free char *dir = NULL;
  cleanup_free char *base = NULL;
  cleanup_fd int fd = -1;

  if (path_split (path, &dir, &base) < 0)
    return -1;
  if (create)
    fd = path_mkdir (rootfd, dir, 0755);
  else if (dir[0] == '\0')
    fd = path_dup_root (rootfd);
  else
    fd = path_open (rootfd, dir, 0);
  if (fd < 0 || path_require_dir (fd) < 0)
    return -1;
  *name = steal_pointer (&base);
  return steal_fd (&fd);
}

int
path_open_parent (int rootfd, const char *path, char **name)
{
  return path_parent (rootfd, path, true, name);
}

/* `name` in dirfd is a symlink found while resolving `cur`: return the path
 * to try next, its text taken relative to cur's directory (or the root
 * when absolute).  Resolution of that path again stays in the root. */
static char *
path_follow_last (const char *cur, int dirfd, const char *name)
{
  cleanup_free char *target = path_readlink (dirfd, name);
  size_t dlen = strlen (cur);

  if (target == NULL)
    return NULL;
  if (target[0] == '/')
    return steal_pointer (&target);
  while (dlen > 0 && cur[dlen - 1] != '/')
    dlen--;
  return xasprintf ("%.*s%s", (int) dlen, cur, target);
}

/* Replace *cur by the target of the symlink name in dirfd; counts links. */
static int
path_next_link (char **cur, int dirfd, const char *name, int *links)
{
  char *next;

  if (++*links > PATH_MAX_LINKS)
    {
      errno = ELOOP;
      return -1;
    }
  next = path_follow_last (*cur, dirfd, name);
  if (next == NULL)
    return -1;
  free (*cur);
  *cur = next;
  return 0;
}

int
path_open_file (int rootfd, const char *path, int oflags, mode_t mode)
{
  cleanup_free char *cur = xstrdup (path);
  int links = 0;

  for (;;)
    {
      cleanup_free char *name = NULL;
      cleanup_fd int dirfd = path_parent (rootfd, cur, (oflags & O_CREAT) != 0,
                                          &name);
      int fd;

      if (dirfd < 0)
        return -1;
      /* O_NOFOLLOW always: a final symlink is followed by us, inside the
       * root, never by the kernel from the real root (which for O_CREAT
       * would create the target of a dangling link anywhere). */
      fd = openat (dirfd, name, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
      if (fd >= 0)
        return path_require_nondir (fd);
      if (errno != ELOOP || (oflags & O_NOFOLLOW))
        return -1;
      if (path_next_link (&cur, dirfd, name, &links) < 0)
        return errno == EINVAL ? (errno = ELOOP, -1) : -1;
    }
}

int
path_mkfile (int rootfd, const char *path, mode_t mode)
{
  cleanup_free char *cur = xstrdup (path);
  int links = 0;

  for (;;)
    {
      cleanup_free char *name = NULL;
      cleanup_fd int dirfd = path_open_parent (rootfd, cur, &name);
      cleanup_fd int fd = -1;
      struct stat st;

      if (dirfd < 0)
        return -1;
      fd = openat (dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno != ENOENT)
        return -1;
      if (fd < 0)
        {
          /* Create, then loop to open what is there now: a racing swap for
           * a symlink is then followed inside the root like any other. */
          fd = openat (dirfd, name,
                       O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
          if (fd < 0 && errno != EEXIST)
            return -1;
          if (++links > PATH_MAX_LINKS)
            return errno = ELOOP, -1;
          continue;
        }
      if (fstat (fd, &st) < 0)
        return -1;
      if (S_ISDIR (st.st_mode))
        return errno = EISDIR, -1;
      if (!S_ISLNK (st.st_mode))
        return steal_fd (&fd);
      if (path_next_link (&cur, dirfd, name, &links) < 0)
        return -1;
    }
}
