/* mounts.c: run one filesystem op of the plan inside the new root
 * (exec_mounts_run_op), in the child, inside its private mount namespace.
 *
 * Every destination is resolved with lib/path.c inside fs->newroot_fd and
 * every host source inside fs->oldroot_fd, so a symlink planted in either
 * tree ("x -> /../../etc", "x -> /oldroot/home") can never make us create,
 * mount on, or chmod anything outside the root it belongs to.  Mounts land
 * on the fd that was resolved (move_mount with MOVE_MOUNT_T_EMPTY_PATH, or
 * the fd's magic link for mount(2)): nothing is resolved twice by name.
 *
 * With the mount API (open_tree, mount_setattr, fsopen/fsconfig/fsmount,
 * move_mount: Linux 5.12+) flags are set on the detached copy before it is
 * attached, recursively, and only ever added.  Without it, mount(2) is used
 * through "/oldroot/proc/self/fd/N" paths; the new mount is found again from
 * the mount point's parent (never by re-resolving the destination) and
 * checked, and a recursive bind's flags are applied to each of its
 * submounts, found in mountinfo.
 *
 * Must not: read /proc/self/mountinfo on the mount API path (binds must
 * cost O(1) each there; the mount(2) fallback reads it once per recursive
 * bind; a failed proc mount reads it for its hint), resolve a path from the process root or cwd, leak an fd, or print
 * (errors go up in *err, prefixed with the op's origin).
 */
#include "exec/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/path.h"
#include "lib/xalloc.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 8192
#endif

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* same number on every architecture (6.6+) */
#endif

/* The host's procfs, for magic-link paths to our own fds (see rootfs.h). */
#define MNT_FD_PATH "/oldroot/proc/self/fd/%d"
#define MNT_MOUNTINFO "/oldroot/proc/self/mountinfo"

/* What failed, for the error message: a step name and the kernel's
 * fs_context log line when it gave one. */
struct mnt_why
{
  const char *what;
  char log[256];
};

/* A resolved mount point: fd is what the mount lands on.  rootfd and path
 * name it; mount(2) uses them to find a mount put on a non-directory again
 * (see mnt_reopen_find). */
struct mnt_target
{
  int fd;
  int rootfd;
  const char *path;
  bool is_root;  /* fd is the root of the tree being built */
};

struct mnt_opt
{
  const char *key;
  const char *value;  /* NULL: a flag */
};

static int
mnt_fail (struct husk_err *err, const struct husk_op *op,
          const struct mnt_why *why)
{
  if (why->log[0] != '\0')
    return husk_err_sys (err, "%s: %s: %s", op->origin.where, why->what,
                         why->log);
  if (why->what != NULL)
    return husk_err_sys (err, "%s: %s", op->origin.where, why->what);
  return husk_err_sys (err, "%s", op->origin.where);
}

static int
mnt_step_fail (struct mnt_why *why, const char *what)
{
  why->what = what;
  return -1;
}

static void
mnt_fd_path (char *buf, size_t len, int fd)
{
  snprintf (buf, len, MNT_FD_PATH, fd);
}

/* ---- resolved targets --------------------------------------------------- */

static bool
mnt_same_file (int a, int b)
{
  struct statx sa, sb;
  unsigned mask = STATX_INO | STATX_MNT_ID;

  if (statx (a, "", AT_EMPTY_PATH, mask, &sa) < 0
      || statx (b, "", AT_EMPTY_PATH, mask, &sb) < 0)
    return false;
  if ((sa.stx_mask & sb.stx_mask & STATX_MNT_ID) && sa.stx_mnt_id != sb.stx_mnt_id)
    return false;
  return sa.stx_dev_major == sb.stx_dev_major
         && sa.stx_dev_minor == sb.stx_dev_minor && sa.stx_ino == sb.stx_ino;
}

static void
mnt_target_init (struct exec_rootfs *fs, struct mnt_target *t, int fd,
                 int rootfd, const char *path)
{
  t->fd = fd;
  t->rootfd = rootfd;
  t->path = path;
  t->is_root = rootfd == fs->newroot_fd && mnt_same_file (fd, rootfd);
}

/* t->fd as it was before mount(2) put something on it. */
static int
mnt_before (const struct mnt_target *t, struct statx *pre, struct mnt_why *why)
{
  if (statx (t->fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_MNT_ID, pre) < 0)
    return mnt_step_fail (why, "stat mount point");
  return 0;
}

/* A candidate for the mount just put on t (mount(2) only: the fd of a path
 * does not see what is mounted on it later).  The destination is NOT
 * resolved again: when it went through ".." or a symlink that crosses the
 * new mount point ("/m/x/.." where the new mount's x is "x -> /elsewhere"),
 * the same path now leads somewhere else, and the read-only remount would
 * land on another mount, leaving this one writable.  So a directory is
 * looked up by its own name in its parent, with O_NOFOLLOW; the lookup
 * crosses into the mount on top of it.  A non-directory cannot be crossed
 * by a lookup, so mounting on it changes no path that leads to it, and its
 * path finds it again. */
static int
mnt_reopen_find (struct exec_rootfs *fs, const struct mnt_target *t,
                 const struct statx *pre)
{
  char link[64], path[PATH_MAX];
  cleanup_fd int parent = -1;
  const char *name;
  ssize_t n;

  if (t->is_root)
    return openat (fs->scratch_fd, "newroot", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (!S_ISDIR (pre->stx_mode))
    return path_open (t->rootfd, t->path, 0);
  parent = openat (t->fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (parent < 0)
    return -1;
  mnt_fd_path (link, sizeof link, t->fd);
  n = readlink (link, path, sizeof path - 1);
  if (n < 0)
    return -1;
  path[n] = '\0';
  name = strrchr (path, '/');
  name = name != NULL ? name + 1 : path;
  if (*name == '\0' || strcmp (name, "..") == 0 || strcmp (name, ".") == 0)
    return errno = ENOENT, -1;
  return openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* Is fd the mount just made on what `pre` describes?  It must be the root
 * of a mount other than the one pre was on (statx, 5.8+); a bind's root is
 * the source itself (same dev and inode: checked always), a new
 * filesystem has a device of its own (checked when statx has no mount id,
 * as before 5.8). */
static bool
mnt_reopen_ok (int fd, const struct statx *pre, int srcfd)
{
  struct statx now, src;
  unsigned mask = STATX_INO | STATX_MNT_ID;
  bool have_id;

  if (statx (fd, "", AT_EMPTY_PATH, mask, &now) < 0)
    return false;
  have_id = (now.stx_mask & pre->stx_mask & STATX_MNT_ID) != 0;
  if (have_id && now.stx_mnt_id == pre->stx_mnt_id)
    return false;
  if ((now.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      && !(now.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return false;
  if (srcfd >= 0)
    return statx (srcfd, "", AT_EMPTY_PATH, mask, &src) == 0
           && src.stx_dev_major == now.stx_dev_major
           && src.stx_dev_minor == now.stx_dev_minor && src.stx_ino == now.stx_ino;
  return have_id || now.stx_dev_major != pre->stx_dev_major
         || now.stx_dev_minor != pre->stx_dev_minor;
}

/* Find the mount just put on t, whose state before is `pre`, and check it
 * (srcfd: a bind's source, else -1).  Anything else found is refused: the
 * op fails rather than leave the new mount without its flags. */
static int
mnt_reopen (struct exec_rootfs *fs, const struct mnt_target *t,
            const struct statx *pre, int srcfd, struct mnt_why *why)
{
  cleanup_fd int fd = mnt_reopen_find (fs, t, pre);

  if (fd < 0)
    return mnt_step_fail (why, "reopen mount point");
  if (!mnt_reopen_ok (fd, pre, srcfd))
    {
      errno = EBUSY;
      return mnt_step_fail (why, "the new mount is not on its mount point");
    }
  return steal_fd (&fd);
}

/* Something was mounted on t and mfd is its root.  When t was the root of
 * the new tree (--bind / /, --tmpfs /), later ops must resolve inside the
 * new mount: an fd of the old root would keep pointing under it. */
static int
mnt_attached (struct exec_rootfs *fs, const struct mnt_target *t, int mfd)
{
  int fd;

  if (!t->is_root)
    return 0;
  fd = openat (mfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  close (fs->newroot_fd);
  fs->newroot_fd = fd;
  return 0;
}

/* mkdir -p the op's destination in the new root. */
static int
mnt_dest_dir (struct exec_rootfs *fs, const struct husk_op *op,
              struct mnt_target *t, mode_t mode, struct mnt_why *why)
{
  int fd = path_mkdir (fs->newroot_fd, op->dest, mode);

  if (fd < 0)
    return mnt_step_fail (why, "create mount point");
  mnt_target_init (fs, t, fd, fs->newroot_fd, op->dest);
  return 0;
}

/* An empty file (parents 0755) to mount a non-directory on. */
static int
mnt_dest_file (struct exec_rootfs *fs, const struct husk_op *op,
               struct mnt_target *t, struct mnt_why *why)
{
  int fd = path_mkfile (fs->newroot_fd, op->dest, 0444);

  if (fd < 0)
    return mnt_step_fail (why, "create mount point");
  mnt_target_init (fs, t, fd, fs->newroot_fd, op->dest);
  return 0;
}

/* ---- binds -------------------------------------------------------------- */

static unsigned long
mnt_attr_to_ms (unsigned attrs)
{
  return ((attrs & MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0)
         | ((attrs & MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0)
         | ((attrs & MOUNT_ATTR_NODEV) ? MS_NODEV : 0)
         | ((attrs & MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0)
         | ((attrs & MOUNT_ATTR_NOSYMFOLLOW) ? MS_NOSYMFOLLOW : 0);
}

/* mount(2) remount flags replace all the per-mount flags, and a mount
 * inherited from a more privileged namespace has its flags locked: dropping
 * one (nosuid, nodev, ro, noexec, an atime mode) is EPERM.  So keep every
 * flag the mount has now and only add ours. */
static unsigned long
mnt_current_ms (int fd)
{
  struct statvfs sv;
  unsigned long ms = 0;

  if (fstatvfs (fd, &sv) < 0)
    return 0;
  ms |= (sv.f_flag & ST_RDONLY) ? MS_RDONLY : 0;
  ms |= (sv.f_flag & ST_NOSUID) ? MS_NOSUID : 0;
  ms |= (sv.f_flag & ST_NODEV) ? MS_NODEV : 0;
  ms |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
  ms |= (sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0;
  ms |= (sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0;
  ms |= (sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0;
  ms |= (sv.f_flag & ST_NOSYMFOLLOW) ? MS_NOSYMFOLLOW : 0;
  return ms;
}

/* Add attrs to the mount whose root is fd, with mount(2). */
static int
mnt_legacy_remount (int fd, unsigned attrs, struct mnt_why *why)
{
  char path[64];

  mnt_fd_path (path, sizeof path, fd);
  if (mount (NULL, path, NULL,
             MS_REMOUNT | MS_BIND | mnt_current_ms (fd) | mnt_attr_to_ms (attrs),
             NULL) < 0)
    return mnt_step_fail (why, "remount");
  return 0;
}

/* ---- binds with mount(2): the submounts ---------------------------------- */

/* One line of mountinfo: its ids and its mount point (unescaped). */
struct mnt_info_line
{
  long id, parent;
  char *point;
  bool in_tree;  /* part of the new mount's tree */
};

struct mnt_info
{
  char *buf;  /* the whole file; points are inside it */
  struct mnt_info_line *v;
  size_t n;
};

static void
mnt_info_freep (struct mnt_info *mi)
{
  free (mi->buf);
  free (mi->v);
}

/* Undo mountinfo's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place. */
static void
mnt_info_unescape (char *s)
{
  char *w = s;

  for (; *s != '\0'; s++, w++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7'
          && s[3] >= '0' && s[3] <= '7')
        {
          *w = (char) (((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
          s += 3;
        }
      else
        *w = *s;
    }
  *w = '\0';
}

/* Split mi->buf into lines: "ID PARENT MAJ:MIN ROOT POINT OPTIONS...". */
static int
mnt_info_parse (struct mnt_info *mi)
{
  size_t cap = 0;
  char *line, *next;

  for (line = mi->buf; *line != '\0'; line = next)
    {
      char *f[5], *p = line;
      int i;

      next = line + strcspn (line, "\n");
      if (*next != '\0')
        *next++ = '\0';
      for (i = 0; i < 5 && p != NULL; i++)
        {
          f[i] = p;
          p = strchr (p, ' ');
          if (p != NULL)
            *p++ = '\0';
        }
      if (i < 5)
        return errno = EINVAL, -1;
      mnt_info_unescape (f[4]);
      mi->v = xgrow (mi->v, &cap, mi->n + 1, sizeof *mi->v);
      mi->v[mi->n++] = (struct mnt_info_line) {
        strtol (f[0], NULL, 10), strtol (f[1], NULL, 10), f[4], false,
      };
    }
  return 0;
}

/* Read our mount namespace's mountinfo (the host's procfs shows it). */
static int
mnt_info_read (struct mnt_info *mi)
{
  cleanup_fd int fd = open (MNT_MOUNTINFO, O_RDONLY | O_CLOEXEC);
  size_t cap = 0, len = 0;

  if (fd < 0)
    return -1;
  for (;;)
    {
      ssize_t r;

      mi->buf = xgrow (mi->buf, &cap, len + 8192, 1);
      r = read (fd, mi->buf + len, cap - len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      len += (size_t) r;
    }
  mi->buf[len] = '\0';
  return mnt_info_parse (mi);
}

/* Is `point` the path `top` or under it? */
static bool
mnt_info_under (const char *point, const char *top, size_t tlen)
{
  if (strncmp (point, top, tlen) != 0)
    return false;
  return point[tlen] == '\0' || point[tlen] == '/' || (tlen == 1 && top[0] == '/');
}

static bool
mnt_info_in_tree (const struct mnt_info *mi, long id)
{
  size_t i;

  for (i = 0; i < mi->n; i++)
    if (mi->v[i].in_tree && mi->v[i].id == id)
      return true;
  return false;
}

/* Mark the mount `root` (its id, or -1: the last mount on `top`, which
 * mountinfo lists after what it covers) and every mount below it.  Other
 * mounts on paths under top (what the new mount covers) are not marked.
 * Returns root's id. */
static long
mnt_info_tree (struct mnt_info *mi, const char *top, long root)
{
  size_t i, tlen = strlen (top);
  bool more = true;

  for (i = mi->n; i-- > 0 && root < 0;)
    if (strcmp (mi->v[i].point, top) == 0)
      root = mi->v[i].id;
  for (i = 0; i < mi->n; i++)
    if (mi->v[i].id == root)
      mi->v[i].in_tree = true;
  if (root < 0 || !mnt_info_in_tree (mi, root))
    return errno = ENOENT, -1;
  while (more)
    {
      more = false;
      for (i = 0; i < mi->n; i++)
        if (!mi->v[i].in_tree && mnt_info_under (mi->v[i].point, top, tlen)
            && mnt_info_in_tree (mi, mi->v[i].parent))
          more = mi->v[i].in_tree = true;
    }
  return root;
}

/* Open `rel` below dirfd one component at a time with O_NOFOLLOW: the walk
 * stays in dirfd's tree (a symlink in the middle is ENOTDIR). */
static int
mnt_walk (int dirfd, const char *rel)
{
  cleanup_free char *copy = xstrdup (rel);
  cleanup_fd int fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 0);
  char *save = NULL, *c;

  for (c = strtok_r (copy, "/", &save); c != NULL && fd >= 0;
       c = strtok_r (NULL, "/", &save))
    {
      int next;

      if (strcmp (c, ".") == 0 || strcmp (c, "..") == 0)
        return errno = EINVAL, -1;
      next = openat (fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  return steal_fd (&fd);
}

/* Add attrs to the submount `m` of the new mount top, found at `rel`
 * below it.  What cannot be reached (gone, or hidden under a later mount
 * of the tree: then nothing in the sandbox reaches it either) is skipped;
 * a mount that is not in the tree is refused. */
static int
mnt_remount_sub (int top, const char *rel, const struct mnt_info_line *m,
                 const struct mnt_info *mi, unsigned attrs, struct mnt_why *why)
{
  cleanup_fd int fd = mnt_walk (top, rel);
  struct statx stx;
  bool have_id;

  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == EACCES))
    return 0;
  if (fd < 0 || statx (fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MNT_ID, &stx) < 0)
    return mnt_step_fail (why, "open submount");
  if (S_ISLNK (stx.stx_mode))
    return 0;
  have_id = (stx.stx_mask & STATX_MNT_ID) != 0;
  if (have_id && (long) stx.stx_mnt_id != m->id)
    {
      if (mnt_info_in_tree (mi, (long) stx.stx_mnt_id))
        return 0;
      errno = EBUSY;
      return mnt_step_fail (why, "submounts changed during the bind");
    }
  if (mnt_legacy_remount (fd, attrs, why) == 0)
    return 0;
  /* Before 5.8 (no mount id) the walk may end on a directory that is no
   * longer a mount point: EINVAL. */
  if (!have_id && errno == EINVAL)
    return 0;
  return -1;
}

/* mount(2) has no recursive remount: after a recursive bind, add attrs to
 * every submount of the new mount fd, parents first (mountinfo order), or
 * the host's submounts would stay writable, suid and with devices inside a
 * --ro-bind (e.g. /dev/shm under --ro-bind / /).  Found in mountinfo, read
 * once, from the new mount's own path. */
static int
mnt_remount_tree (int fd, unsigned attrs, struct mnt_why *why)
{
  __attribute__ ((cleanup (mnt_info_freep))) struct mnt_info mi = { 0 };
  char link[64], top[PATH_MAX];
  struct statx stx;
  long root = -1;
  size_t i, tlen;
  ssize_t n;

  mnt_fd_path (link, sizeof link, fd);
  n = readlink (link, top, sizeof top - 1);
  if (n >= 0 && (n == 0 || top[0] != '/'))
    errno = ENOENT;  /* not reachable from our root */
  if (n <= 0 || top[0] != '/')
    return mnt_step_fail (why, "find the new mount's path");
  top[n] = '\0';
  tlen = (size_t) n;
  if (statx (fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) == 0
      && (stx.stx_mask & STATX_MNT_ID))
    root = (long) stx.stx_mnt_id;
  if (mnt_info_read (&mi) < 0)
    return mnt_step_fail (why, "read " MNT_MOUNTINFO);
  root = mnt_info_tree (&mi, top, root);
  if (root < 0)
    return mnt_step_fail (why, "find the new mount in mountinfo");
  for (i = 0; i < mi.n; i++)
    if (mi.v[i].in_tree && mi.v[i].id != root
        && mnt_remount_sub (fd, mi.v[i].point + (tlen == 1 ? 0 : tlen), &mi.v[i], &mi,
                            attrs, why) < 0)
      return -1;
  return 0;
}

/* mount(2) fallback of mnt_bind: bind, find the new mount, then add attrs
 * to it and (recursive) to each of its submounts. */
static int
mnt_bind_legacy (struct exec_rootfs *fs, int srcfd, const struct mnt_target *t,
                 unsigned attrs, bool recursive, struct mnt_why *why)
{
  char src[64], dst[64];
  cleanup_fd int fd = -1;
  struct statx pre;

  if (mnt_before (t, &pre, why) < 0)
    return -1;
  mnt_fd_path (src, sizeof src, srcfd);
  mnt_fd_path (dst, sizeof dst, t->fd);
  if (mount (src, dst, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return mnt_step_fail (why, "bind mount");
  fd = mnt_reopen (fs, t, &pre, srcfd, why);
  if (fd < 0)
    return -1;
  if (mnt_legacy_remount (fd, attrs, why) < 0)
    return -1;
  if (recursive && attrs != 0 && mnt_remount_tree (fd, attrs, why) < 0)
    return -1;
  return steal_fd (&fd);
}

/* Bind the tree at srcfd onto t (recursively unless told otherwise) with
 * attrs (MOUNT_ATTR_*) added to every mount of the copy.  Returns an fd of
 * the new mount, or -1 with errno. */
static int
mnt_bind (struct exec_rootfs *fs, int srcfd, const struct mnt_target *t,
          unsigned attrs, bool recursive, struct mnt_why *why)
{
  unsigned rec = recursive ? AT_RECURSIVE : 0;
  struct mount_attr attr = { .attr_set = attrs };
  cleanup_fd int tree = -1;

  if (!fs->have_mount_api)
    return mnt_bind_legacy (fs, srcfd, t, attrs, recursive, why);
  tree = open_tree (srcfd, "",
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
  if (tree < 0)
    return mnt_step_fail (why, "open_tree");
  /* attr_set only adds flags and leaves the atime mode alone (attr_clr is
   * empty), so locked flags of host mounts are never cleared: no EPERM. */
  if (mount_setattr (tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0)
    return mnt_step_fail (why, "mount_setattr");
  if (move_mount (tree, "", t->fd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mnt_step_fail (why, "move_mount");
  return steal_fd (&tree);
}

/* ---- new filesystems ---------------------------------------------------- */

/* Keep the first error line the kernel logged on fsfd, if any. */
static void
mnt_fs_log (int fsfd, struct mnt_why *why)
{
  int saved = errno;
  char buf[512];
  ssize_t n = read (fsfd, buf, sizeof buf - 1);

  if (n > 2)
    {
      buf[n] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      /* Skip the "e " (error) / "w " (warning) prefix. */
      snprintf (why->log, sizeof why->log, "%.*s", (int) sizeof why->log - 1, buf + 2);
    }
  errno = saved;
}

/* Create the superblock configured in fsfd and a detached mount of it. */
static int
mnt_fs_finish (int fsfd, unsigned attrs, struct mnt_why *why)
{
  int mfd;

  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      mnt_fs_log (fsfd, why);
      return mnt_step_fail (why, "create");
    }
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, attrs);
  if (mfd < 0)
    {
      mnt_fs_log (fsfd, why);
      return mnt_step_fail (why, "fsmount");
    }
  return mfd;
}

static int
mnt_fs_open (const char *type, struct mnt_why *why)
{
  int fsfd = fsopen (type, FSOPEN_CLOEXEC);

  if (fsfd < 0)
    return mnt_step_fail (why, "fsopen");
  /* The source shows in mountinfo; "none" would be the default. */
  fsconfig (fsfd, FSCONFIG_SET_STRING, "source", type, 0);
  return fsfd;
}

/* A detached mount of a new `type` filesystem. */
static int
mnt_fs_new (const char *type, const struct mnt_opt *opts, size_t n,
            unsigned attrs, struct mnt_why *why)
{
  cleanup_fd int fsfd = mnt_fs_open (type, why);
  size_t i;

  if (fsfd < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      int r = opts[i].value
                ? fsconfig (fsfd, FSCONFIG_SET_STRING, opts[i].key, opts[i].value, 0)
                : fsconfig (fsfd, FSCONFIG_SET_FLAG, opts[i].key, NULL, 0);
      if (r < 0)
        {
          mnt_fs_log (fsfd, why);
          return mnt_step_fail (why, opts[i].key);
        }
    }
  return mnt_fs_finish (fsfd, attrs, why);
}

/* mount(2) fallback of mnt_fs_at. */
static int
mnt_fs_legacy (struct exec_rootfs *fs, const char *type,
               const struct mnt_opt *opts, size_t n, unsigned attrs,
               const struct mnt_target *t, struct mnt_why *why)
{
  char dst[64];
  char data[512] = "";
  size_t i, len = 0;
  struct statx pre;

  /* A value holding a comma (an SELinux context with categories) is
   * quoted, or it would split the option string. */
  for (i = 0; i < n && len < sizeof data; i++)
    {
      const char *v = opts[i].value;
      const char *q = v && strchr (v, ',') ? "\"" : "";

      len += (size_t) snprintf (data + len, sizeof data - len, "%s%s%s%s%s%s",
                                i ? "," : "", opts[i].key, v ? "=" : "", q,
                                v ? v : "", q);
    }
  if (len >= sizeof data)
    {
      errno = E2BIG;
      return mnt_step_fail (why, "mount options");
    }
  if (mnt_before (t, &pre, why) < 0)
    return -1;
  mnt_fd_path (dst, sizeof dst, t->fd);
  if (mount (type, dst, type, mnt_attr_to_ms (attrs), data) < 0)
    return mnt_step_fail (why, "mount");
  return mnt_reopen (fs, t, &pre, -1, why);
}

/* Attach a detached mount to t; returns mfd (now attached) or -1. */
static int
mnt_attach (int mfd, const struct mnt_target *t, struct mnt_why *why)
{
  if (move_mount (mfd, "", t->fd, "",
                  MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    {
      close (mfd);
      return mnt_step_fail (why, "move_mount");
    }
  return mfd;
}

/* Mount a new `type` filesystem on t; returns an fd of its root. */
static int
mnt_fs_at (struct exec_rootfs *fs, const char *type, const struct mnt_opt *opts,
           size_t n, unsigned attrs, const struct mnt_target *t,
           struct mnt_why *why)
{
  int mfd;

  if (!fs->have_mount_api)
    return mnt_fs_legacy (fs, type, opts, n, attrs, t, why);
  mfd = mnt_fs_new (type, opts, n, attrs, why);
  if (mfd < 0)
    return -1;
  return mnt_attach (mfd, t, why);
}

/* ---- shared helpers ----------------------------------------------------- */

/* chmod through an O_PATH fd: fchmodat2 (6.6+) takes AT_EMPTY_PATH; older
 * kernels get the fd's magic link, which names exactly this inode. */
static int
mnt_chmod_fd (int fd, mode_t mode)
{
  char path[64];

  if (syscall (SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
    return 0;
  if (errno != ENOSYS && errno != EINVAL)
    return -1;
  mnt_fd_path (path, sizeof path, fd);
  return chmod (path, mode);
}

static int
mnt_write_all (int fd, const char *buf, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, buf, n);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      buf += w;
      n -= (size_t) w;
    }
  return 0;
}

/* Copy everything readable from `from` to `to`. */
static int
mnt_copy_fd (int from, int to, struct mnt_why *why)
{
  char buf[16384];

  for (;;)
    {
      ssize_t n = read (from, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return mnt_step_fail (why, "read");
      if (n == 0)
        return 0;
      if (mnt_write_all (to, buf, (size_t) n) < 0)
        return mnt_step_fail (why, "write");
    }
}

static unsigned
mnt_bind_attrs (const struct husk_op *op)
{
  return MOUNT_ATTR_NOSUID
         | ((op->flags & HUSK_OPF_DEV) ? 0 : MOUNT_ATTR_NODEV)
         | ((op->flags & HUSK_OPF_RO) ? MOUNT_ATTR_RDONLY : 0)
         | ((op->flags & HUSK_OPF_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0)
         | ((op->flags & HUSK_OPF_NOSYMFOLLOW) ? MOUNT_ATTR_NOSYMFOLLOW : 0);
}

/* --file-label: the SELinux context given to the tmpfs mounts we create
 * (lsm.c already refused it where SELinux is unavailable).  Stores the
 * option in *opt and returns how many were stored. */
static size_t
mnt_label_opt (const struct exec_rootfs *fs, struct mnt_opt *opt)
{
  if (fs->plan == NULL || fs->plan->file_label == NULL)
    return 0;
  opt->key = "context";
  opt->value = fs->plan->file_label;
  return 1;
}

static mode_t
mnt_perms (const struct husk_op *op, mode_t dflt)
{
  return op->perms == HUSK_PERMS_UNSET ? dflt : (mode_t) op->perms;
}

/* ---- ops: binds --------------------------------------------------------- */

/* Bind srcfd onto the op's destination (a directory or an empty file,
 * like the source), recursively, with the op's flags.  Returns the new
 * mount's fd. */
static int
mnt_bind_to_dest (struct exec_rootfs *fs, const struct husk_op *op, int srcfd,
                  struct mnt_why *why)
{
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;
  struct stat st;

  if (fstat (srcfd, &st) < 0)
    return mnt_step_fail (why, "stat source");
  if ((S_ISDIR (st.st_mode) ? mnt_dest_dir (fs, op, &t, 0755, why)
                            : mnt_dest_file (fs, op, &t, why)) < 0)
    return -1;
  dest = t.fd;
  mfd = mnt_bind (fs, srcfd, &t, mnt_bind_attrs (op),
                  !(op->flags & HUSK_OPF_NOREC), why);
  if (mfd < 0)
    return -1;
  if (mnt_attached (fs, &t, mfd) < 0)
    return mnt_step_fail (why, "reopen root");
  return steal_fd (&mfd);
}

/* An idmapped bind: the parent made it (idmap.c); attach it. */
static int
mnt_op_bind_idmapped (struct exec_rootfs *fs, const struct husk_op *op,
                      struct husk_err *err)
{
  int tree = fs->idmap_trees != NULL ? fs->idmap_trees[fs->op_index] : -1;
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  struct stat st;

  if (tree == -2)
    return 0; /* a --bind-try source that does not exist */
  if (tree < 0)
    return husk_err_set (err, EINVAL, "%s: the idmapped mount was not prepared",
                         op->origin.where);
  if (fstat (tree, &st) < 0)
    return husk_err_sys (err, "%s: idmapped mount", op->origin.where);
  if ((S_ISDIR (st.st_mode) ? mnt_dest_dir (fs, op, &t, 0755, &why)
                            : mnt_dest_file (fs, op, &t, &why)) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  if (move_mount (tree, "", t.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return husk_err_sys (err, "%s: idmapped mount: move_mount", op->origin.where);
  if (mnt_attached (fs, &t, tree) < 0)
    return husk_err_sys (err, "%s: reopen root", op->origin.where);
  return 0;
}

static int
mnt_op_bind (struct exec_rootfs *fs, const struct husk_op *op,
             struct husk_err *err)
{
  struct mnt_why why = { 0 };
  cleanup_fd int src = -1;
  cleanup_fd int mfd = -1;

  if (op->flags & HUSK_OPF_IDMAP)
    return mnt_op_bind_idmapped (fs, op, err);
  src = path_open (fs->oldroot_fd, op->src, 0);

  if (src < 0 && errno == ENOENT && (op->flags & HUSK_OPF_TRY))
    return 0;
  if (src < 0)
    return mnt_fail (err, op, &why);
  mfd = mnt_bind_to_dest (fs, op, src, &why);
  if (mfd < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* The caller's fd was opened in the caller's mount namespace, and the
 * kernel will not clone a mount tree from another namespace (open_tree and
 * bind mounts of it fail with EINVAL).  So find the same file in our copy
 * of the host tree through the fd's path, and accept it only when it is the
 * very file the fd refers to (same dev/ino): a path swapped by a racing
 * process is refused.  The opened copy is what gets bound, so nothing can be
 * swapped between the check and the mount. */
static int
mnt_op_bind_fd (struct exec_rootfs *fs, const struct husk_op *op,
                struct husk_err *err)
{
  struct mnt_why why = { 0 };
  char proc[64], target[PATH_MAX];
  cleanup_fd int src = -1;
  cleanup_fd int mfd = -1;
  struct stat a, b;
  ssize_t n;

  if (fstat (op->fd, &a) < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  snprintf (proc, sizeof proc, "/oldroot/proc/self/fd/%d", op->fd);
  n = readlink (proc, target, sizeof target - 1);
  if (n < 0)
    return husk_err_sys (err, "%s: find the path of fd %d", op->origin.where, op->fd);
  target[n] = '\0';
  /* The fd's mount belongs to the caller's namespace, so its path reads
   * as the caller sees it: resolve it under the host root. */
  if (strncmp (target, "/oldroot/", 9) == 0)
    /* An fd opened in our own namespace after the first pivot_root. */
    src = open (target, O_PATH | O_CLOEXEC);
  else
    src = target[0] == '/' ? path_open (fs->oldroot_fd, target, 0) : -1;
  if (src < 0 || fstat (src, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
    return husk_err_set (err, src < 0 ? errno : 0,
                         "%s: fd %d is not reachable by its path in the host's tree",
                         op->origin.where, op->fd);
  mfd = mnt_bind_to_dest (fs, op, src, &why);
  if (mfd < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

static int
mnt_op_remount_ro (struct exec_rootfs *fs, const struct husk_op *op,
                   struct husk_err *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  struct mnt_why why = { 0 };
  cleanup_fd int fd = path_open (fs->newroot_fd, op->dest, 0);
  struct statx stx;

  if (fd < 0)
    return mnt_fail (err, op, &why);
  if (statx (fd, "", AT_EMPTY_PATH, 0, &stx) == 0
      && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return husk_err_set (err, EINVAL, "%s: not a mount point", op->origin.where);
  /* Not recursive: only this mount, as bwrap's --remount-ro. */
  if (fs->have_mount_api
      ? mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr)
      : mnt_legacy_remount (fd, MOUNT_ATTR_RDONLY, &why))
    {
      if (errno == EINVAL)
        return husk_err_set (err, EINVAL, "%s: not a mount point", op->origin.where);
      return husk_err_sys (err, "%s: remount read-only", op->origin.where);
    }
  return 0;
}

/* ---- ops: proc, mqueue, tmpfs ------------------------------------------- */

/* Old procfs entries that can do harm to the host when writable
 * (/proc/sysrq-trigger can reboot it, /proc/sys sets kernel knobs): bind
 * each over itself read-only.  A missing entry is skipped; any other
 * failure is an error rather than a silently writable knob. */
static int
mnt_proc_cover (struct exec_rootfs *fs, int procfd, struct mnt_why *why)
{
  static const char *const names[] = { "sys", "sysrq-trigger", "irq", "bus" };
  const unsigned attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID
                         | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  size_t i;

  for (i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      cleanup_fd int fd = openat (procfd, names[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
      cleanup_fd int mfd = -1;
      struct mnt_target t = { fd, procfd, names[i], false };

      if (fd < 0 && errno == ENOENT)
        continue;
      if (fd < 0)
        return mnt_step_fail (why, names[i]);
      mfd = mnt_bind (fs, fd, &t, attrs, true, why);
      if (mfd < 0)
        {
          snprintf (why->log, sizeof why->log, "covering %s read-only", names[i]);
          return -1;
        }
    }
  return 0;
}

/* Failure path only (issue 6): the kernel refuses a new procfs in a user
 * namespace unless the /proc it can see is fully visible, which an outer
 * container masking parts of it (/proc/sys, /proc/kcore, ...) breaks.
 * Name the mounts over the host's /proc, if any. */
static void
mnt_proc_masked_hint (struct husk_err *err)
{
  static const char top[] = "/oldroot/proc/";
  struct mnt_info mi = { 0 };
  char first[256] = "";
  size_t n = 0;

  if (mnt_info_read (&mi) == 0)
    for (size_t i = 0; i < mi.n; i++)
      if (strncmp (mi.v[i].point, top, sizeof top - 1) == 0 && n++ == 0)
        snprintf (first, sizeof first, "/proc/%s", mi.v[i].point + sizeof top - 1);
  mnt_info_freep (&mi);
  if (n == 0)
    return;
  husk_err_hint (err,
                 "/proc is masked by an outer container (%zu mount%s over it, e.g. %s): the "
                 "kernel then refuses a new /proc in a user namespace; unmask it (podman/"
                 "docker: --security-opt systempaths=unconfined), or drop --unshare-pid",
                 n, n == 1 ? "" : "s", first);
}

static int
mnt_op_proc (struct exec_rootfs *fs, const struct husk_op *op,
             struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;

  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  mfd = mnt_fs_at (fs, "proc", NULL, 0,
                   MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                   | ((op->flags & HUSK_OPF_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0),
                   &t, &why);
  if (mfd < 0 && errno == EPERM && fs->in_userns && fs->own_pidns)
    {
      /* With a pid namespace of our own the kernel still refuses a new
       * procfs when the visible /proc is partly covered (mount_too_revealing):
       * binding the host's /proc instead would show the host's processes
       * in a sandbox asked to have its own (issue 6).  Fail, saying why. */
      husk_err_sys (err, "%s: mount proc", op->origin.where);
      mnt_proc_masked_hint (err);
      return -1;
    }
  if (mfd < 0 && errno == EPERM && fs->in_userns)
    {
      /* Without a pid namespace of our own the kernel refuses a new procfs
       * in a user namespace; like bwrap, bind the host's /proc instead (it
       * shows the host's processes, as the sandbox shares their pid
       * namespace anyway). */
      cleanup_fd int host = path_open (fs->oldroot_fd, "/proc", 0);

      if (host >= 0)
        mfd = mnt_bind (fs, host, &t, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true, &why);
      if (mfd < 0)
        {
          husk_err_sys (err, "%s: mount proc", op->origin.where);
          husk_err_hint (err, "a new /proc needs a pid namespace of its own: "
                              "add --unshare-pid");
          return -1;
        }
    }
  if (mfd < 0)
    return husk_err_sys (err, "%s: mount proc", op->origin.where);
  if (mnt_attached (fs, &t, mfd) < 0 || mnt_proc_cover (fs, mfd, &why) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

static int
mnt_op_mqueue (struct exec_rootfs *fs, const struct husk_op *op,
               struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;

  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  /* No mount flags, as bwrap (an mqueue fs holds neither programs nor
   * devices, so they would change nothing). */
  mfd = mnt_fs_at (fs, "mqueue", NULL, 0, 0, &t, &why);
  if (mfd < 0)
    {
      int e = errno;

      husk_err_sys (err, "%s: mount mqueue", op->origin.where);
      if (e == EPERM && fs->in_userns)
        husk_err_hint (err, "an mqueue mount needs an IPC namespace of its own: "
                            "add --unshare-ipc");
      return -1;
    }
  if (mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* tmpcopyup: copy the tree `from` (a directory of the rootfs, now covered)
 * into `to` (the new tmpfs): directories, regular files, symlinks and
 * FIFOs, with their modes (and owners where we may set them).  Nothing is
 * followed (each entry is opened with O_NOFOLLOW) and no other file system
 * is entered; device nodes and sockets are skipped. */
#define MNT_COPYUP_DEPTH 64

static int mnt_copyup (int from, int to, const struct husk_op *op, int depth,
                       struct husk_err *err);

static int
mnt_copyup_entry (int from, int to, const char *name, const struct stat *top,
                  const struct husk_op *op, int depth, struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct stat st;
  mode_t mode;

  if (fstatat (from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
  mode = st.st_mode & 07777;
  if (S_ISDIR (st.st_mode) && st.st_dev == top->st_dev)
    {
      cleanup_fd int sub = openat (from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_fd int dsub = -1;

      if (sub < 0 || (mkdirat (to, name, 0700) < 0 && errno != EEXIST)
          || (dsub = openat (to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
      if (mnt_copyup (sub, dsub, op, depth + 1, err) < 0)
        return -1;
    }
  else if (S_ISREG (st.st_mode))
    {
      cleanup_fd int in = openat (from, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
      cleanup_fd int out = -1;

      if (in < 0
          || (out = openat (to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            0600)) < 0)
        return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
      if (mnt_copy_fd (in, out, &why) < 0)
        return mnt_fail (err, op, &why);
    }
  else if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (from, name, target, sizeof target - 1);

      if (n < 0)
        return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
      target[n] = '\0';
      if (symlinkat (target, to, name) < 0)
        return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
    }
  else if (S_ISFIFO (st.st_mode))
    {
      if (mknodat (to, name, S_IFIFO | 0600, 0) < 0)
        return husk_err_sys (err, "%s: tmpcopyup: %s", op->origin.where, name);
    }
  else
    return 0;
  /* Owner first (it may clear set-id bits), then the exact mode; an owner
   * our user namespace cannot map is left as ours. */
  if (fchownat (to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM
      && errno != EINVAL)
    return husk_err_sys (err, "%s: tmpcopyup: chown %s", op->origin.where, name);
  if (!S_ISLNK (st.st_mode) && fchmodat (to, name, mode, 0) < 0)
    return husk_err_sys (err, "%s: tmpcopyup: chmod %s", op->origin.where, name);
  return 0;
}

static int
mnt_copyup (int from, int to, const struct husk_op *op, int depth, struct husk_err *err)
{
  cleanup_fd int dup = -1;
  DIR *d;
  struct dirent *e;
  struct stat top;
  int r = 0;

  if (depth > MNT_COPYUP_DEPTH)
    return husk_err_set (err, ELOOP, "%s: tmpcopyup: deeper than %d directories",
                         op->origin.where, MNT_COPYUP_DEPTH);
  if (fstat (from, &top) < 0 || (dup = fcntl (from, F_DUPFD_CLOEXEC, 0)) < 0
      || (d = fdopendir (dup)) == NULL)
    return husk_err_sys (err, "%s: tmpcopyup: read %s", op->origin.where, op->dest);
  dup = -1; /* the DIR owns it */
  errno = 0;
  while (r == 0 && (e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      r = mnt_copyup_entry (from, to, e->d_name, &top, op, depth, err);
  if (r == 0 && errno != 0)
    r = husk_err_sys (err, "%s: tmpcopyup: read %s", op->origin.where, op->dest);
  closedir (d);
  return r;
}

static int
mnt_op_tmpfs (struct exec_rootfs *fs, const struct husk_op *op,
              struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct mnt_target t;
  char mode[16], size[32];
  struct mnt_opt opts[6] = { { "mode", mode }, { "size", size } };
  size_t n = op->size == HUSK_SIZE_UNSET ? 1 : 2;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;
  cleanup_fd int under = -1;

  snprintf (mode, sizeof mode, "%o", (unsigned) mnt_perms (op, 0755));
  snprintf (size, sizeof size, "%llu", (unsigned long long) op->size);
  n += mnt_label_opt (fs, &opts[n]);
  /* Superblock flags: the VFS takes them as options of any file system. */
  if (op->flags & HUSK_OPF_SYNC)
    opts[n++] = (struct mnt_opt){ "sync", NULL };
  if (op->flags & HUSK_OPF_DIRSYNC)
    opts[n++] = (struct mnt_opt){ "dirsync", NULL };
  if (op->flags & HUSK_OPF_LAZYTIME)
    opts[n++] = (struct mnt_opt){ "lazytime", NULL };
  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  /* tmpcopyup: what the tmpfs is about to cover, kept open to copy from. */
  if ((op->flags & HUSK_OPF_COPYUP)
      && (under = openat (dest, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return husk_err_sys (err, "%s: tmpcopyup: open %s", op->origin.where, op->dest);
  mfd = mnt_fs_at (fs, "tmpfs", opts, n, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                   | ((op->flags & HUSK_OPF_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0)
                   | ((op->flags & HUSK_OPF_NOSYMFOLLOW) ? MOUNT_ATTR_NOSYMFOLLOW : 0),
                   &t, &why);
  if (mfd < 0 || mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  if (under >= 0 && mnt_copyup (under, mfd, op, 0, err) < 0)
    return -1;
  return 0;
}

/* ---- ops: /dev ---------------------------------------------------------- */

/* Bind the host's device /dev/<name> (or the path `host`) onto a new empty
 * file `name` in devfd.  No nodev here: these must work as devices. */
static int
mnt_dev_bind (struct exec_rootfs *fs, int devfd, const char *name,
              const char *host, struct mnt_why *why)
{
  char hostpath[64];
  cleanup_fd int src = -1;
  cleanup_fd int node = -1;
  cleanup_fd int mfd = -1;
  struct mnt_target t;

  if (host == NULL)
    snprintf (hostpath, sizeof hostpath, "/dev/%s", name);
  src = path_open (fs->oldroot_fd, host ? host : hostpath, 0);
  if (src < 0)
    return mnt_step_fail (why, host ? host : hostpath);
  node = openat (devfd, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0444);
  if (node < 0)
    return mnt_step_fail (why, name);
  t = (struct mnt_target) { node, devfd, name, false };
  mfd = mnt_bind (fs, src, &t, MOUNT_ATTR_NOSUID, false, why);
  if (mfd < 0)
    {
      snprintf (why->log, sizeof why->log, "binding %s", host ? host : hostpath);
      return -1;
    }
  return 0;
}

/* devpts for the sandbox's own ptys.  gid=5 (tty) only exists when mapped:
 * in a user namespace it is often not, and the mount is retried without.
 * When husk wrote the gid map itself it knows, and skips the doomed first
 * try (issue 9: 8 syscalls and a devpts fs_context per run). */
static int
mnt_devpts_at (struct exec_rootfs *fs, const struct mnt_target *t,
               struct mnt_why *why)
{
  struct mnt_opt opts[] = {
    { "newinstance", NULL }, { "ptmxmode", "0666" }, { "mode", "620" }, { "gid", "5" },
  };
  const unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;
  int mfd;

  if (fs->tty_gid_unmapped)
    return mnt_fs_at (fs, "devpts", opts, 3, attrs, t, why);
  mfd = mnt_fs_at (fs, "devpts", opts, 4, attrs, t, why);
  if (mfd < 0 && errno == EINVAL)
    {
      memset (why, 0, sizeof *why);
      mfd = mnt_fs_at (fs, "devpts", opts, 3, attrs, t, why);
    }
  return mfd;
}

static int
mnt_dev_pts (struct exec_rootfs *fs, int devfd, struct mnt_why *why)
{
  cleanup_fd int dir = -1;
  int mfd;
  struct mnt_target t;

  if (mkdirat (devfd, "pts", 0755) < 0)
    return mnt_step_fail (why, "pts");
  dir = openat (devfd, "pts", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return mnt_step_fail (why, "pts");
  t = (struct mnt_target) { dir, devfd, "pts", false };
  mfd = mnt_devpts_at (fs, &t, why);
  if (mfd < 0)
    return -1;
  close (mfd);
  if (symlinkat ("pts/ptmx", devfd, "ptmx") < 0)
    return mnt_step_fail (why, "ptmx");
  return 0;
}

/* Links, /dev/shm, /dev/pts and the console inside the new /dev. */
static int
mnt_dev_fill (struct exec_rootfs *fs, int devfd, struct mnt_why *why)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
  static const char *const links[][2] = {
    { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
    { "stderr", "/proc/self/fd/2" }, { "fd", "/proc/self/fd" }, { "core", "/proc/kcore" },
  };
  size_t i;

  for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
    if (mnt_dev_bind (fs, devfd, nodes[i], NULL, why) < 0)
      return -1;
  for (i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat (links[i][1], devfd, links[i][0]) < 0)
      return mnt_step_fail (why, links[i][0]);
  /* /dev/shm is where shm_open(3) creates objects: a plain directory on
   * this private tmpfs, owned by the uid setting up the sandbox (the
   * program's uid), mode 0755 as in bwrap. */
  if (mkdirat (devfd, "shm", 0755) < 0)
    return mnt_step_fail (why, "shm");
  if (mnt_dev_pts (fs, devfd, why) < 0)
    return -1;
  if (fs->host_tty != NULL && mnt_dev_bind (fs, devfd, "console", fs->host_tty, why) < 0)
    return -1;
  return 0;
}

static int
mnt_op_dev (struct exec_rootfs *fs, const struct husk_op *op,
            struct husk_err *err)
{
  struct mnt_opt opts[2] = { { "mode", "0755" } };
  size_t n = 1 + mnt_label_opt (fs, &opts[1]);
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int devfd = -1;

  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  /* nodev on the tmpfs itself: a device node made there (by root) would
   * not work; the device binds on top carry their own flags. */
  devfd = mnt_fs_at (fs, "tmpfs", opts, n, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                     &t, &why);
  if (devfd < 0 || mnt_attached (fs, &t, devfd) < 0 || mnt_dev_fill (fs, devfd, &why) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* ---- ops: OCI devpts, masked and read-only paths (issue 5) -------------- */

static int
mnt_op_devpts (struct exec_rootfs *fs, const struct husk_op *op,
               struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;

  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  mfd = mnt_devpts_at (fs, &t, &why);
  if (mfd < 0 || mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* The path inside the new root, or -1 with errno ENOENT when it does not
 * exist (masked and read-only paths that are missing are skipped, as the
 * runtime-spec's defaults name paths not every kernel has). */
static int
mnt_open_existing (struct exec_rootfs *fs, const struct husk_op *op,
                   struct mnt_target *t)
{
  int fd = path_open (fs->newroot_fd, op->dest, 0);

  if (fd >= 0)
    mnt_target_init (fs, t, fd, fs->newroot_fd, op->dest);
  return fd;
}

/* Masking hides what is there: a directory gets an empty read-only tmpfs,
 * anything else the host's /dev/null, read-only (reads give nothing,
 * writes fail). */
static int
mnt_op_mask (struct exec_rootfs *fs, const struct husk_op *op,
             struct husk_err *err)
{
  const unsigned attrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID
                         | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  struct mnt_opt opts[] = { { "mode", "0555" }, { "size", "4096" } };
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = mnt_open_existing (fs, op, &t);
  cleanup_fd int null = -1;
  cleanup_fd int mfd = -1;
  struct stat st;

  if (dest < 0 && errno == ENOENT)
    return 0;
  if (dest < 0 || fstat (dest, &st) < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  if (S_ISDIR (st.st_mode))
    mfd = mnt_fs_at (fs, "tmpfs", opts, 2, attrs, &t, &why);
  else
    {
      null = path_open (fs->oldroot_fd, "/dev/null", 0);
      if (null < 0)
        return husk_err_sys (err, "%s: open the host's /dev/null", op->origin.where);
      mfd = mnt_bind (fs, null, &t, attrs & ~MOUNT_ATTR_NODEV, false, &why);
    }
  if (mfd < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

static int
mnt_op_ro_self (struct exec_rootfs *fs, const struct husk_op *op,
                struct husk_err *err)
{
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = mnt_open_existing (fs, op, &t);
  cleanup_fd int mfd = -1;

  if (dest < 0 && errno == ENOENT)
    return 0;
  if (dest < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  mfd = mnt_bind (fs, dest, &t, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, true, &why);
  if (mfd < 0 || mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* ---- ops: OCI linux.devices (issue 5) ------------------------------------ */

static bool
mnt_dev_is (const struct stat *st, const struct husk_devnode *d)
{
  if (d->type == 'p')
    return S_ISFIFO (st->st_mode);
  if (!(d->type == 'b' ? S_ISBLK (st->st_mode) : S_ISCHR (st->st_mode)))
    return false;
  return major (st->st_rdev) == d->major && minor (st->st_rdev) == d->minor;
}

/* In a user namespace no device node can be made: bind the host's node at
 * the same path onto a new empty file (crun and runc do the same).  Its
 * mode and owner are the host's: they cannot be changed from here. */
static int
mnt_dev_from_host (struct exec_rootfs *fs, int dir, const char *name,
                   const struct husk_op *op, struct husk_err *err)
{
  struct mnt_why why = { 0 };
  cleanup_fd int src = path_open (fs->oldroot_fd, op->dest, 0);
  cleanup_fd int node = -1;
  cleanup_fd int mfd = -1;
  struct mnt_target t;
  struct stat st;

  if (src < 0 && errno == ENOENT)
    return husk_err_set (err, ENOENT, "%s: the host has no %s to bind (a device node cannot "
                         "be made in a user namespace)", op->origin.where, op->dest);
  if (src < 0 || fstat (src, &st) < 0)
    return husk_err_sys (err, "%s: the host's %s", op->origin.where, op->dest);
  if (!mnt_dev_is (&st, &op->dev))
    return husk_err_set (err, 0, "%s: the host's %s is not the requested device (a device "
                         "node cannot be made in a user namespace)", op->origin.where,
                         op->dest);
  node = openat (dir, name, O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
  if (node < 0)
    return husk_err_sys (err, "%s: create mount point", op->origin.where);
  t = (struct mnt_target) { node, dir, name, false };
  mfd = mnt_bind (fs, src, &t, MOUNT_ATTR_NOSUID, false, &why);
  if (mfd < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* The copy of a nodev mount is nodev too: clear it on the new mount mfd
 * (our own mount, so no flag of it is locked). */
static int
mnt_clear_nodev (struct exec_rootfs *fs, int mfd, struct mnt_why *why)
{
  struct mount_attr attr = { .attr_clr = MOUNT_ATTR_NODEV };
  char path[64];

  if (fs->have_mount_api)
    return mount_setattr (mfd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0
             ? mnt_step_fail (why, "mount_setattr")
             : 0;
  mnt_fd_path (path, sizeof path, mfd);
  if (mount (NULL, path, NULL, MS_REMOUNT | MS_BIND | (mnt_current_ms (mfd) & ~MS_NODEV),
             NULL) < 0)
    return mnt_step_fail (why, "remount");
  return 0;
}

/* mknod, owner, then a bind of the node onto itself without nodev: every
 * mount husk makes is nodev (no device cgroup stands behind it), so only
 * nodes named in the config work, each on a mount of its own.  Returns 1
 * when mknod was refused (EPERM: no CAP_MKNOD), for the caller to bind. */
static int
mnt_dev_make (struct exec_rootfs *fs, int dir, const char *name,
              const struct husk_op *op, struct husk_err *err)
{
  const struct husk_devnode *d = &op->dev;
  mode_t type = d->type == 'p' ? S_IFIFO : d->type == 'b' ? S_IFBLK : S_IFCHR;
  struct mnt_why why = { 0 };
  cleanup_fd int node = -1;
  cleanup_fd int mfd = -1;
  struct mnt_target t;

  if (mknodat (dir, name, type | mnt_perms (op, 0666),
               d->type == 'p' ? 0 : makedev (d->major, d->minor)) < 0)
    {
      if (errno == EPERM && d->type != 'p')
        return 1;
      return husk_err_sys (err, "%s: mknod %s", op->origin.where, op->dest);
    }
  if ((d->has_uid || d->has_gid)
      && fchownat (dir, name, d->has_uid ? (uid_t) d->uid : (uid_t) -1,
                   d->has_gid ? (gid_t) d->gid : (gid_t) -1, AT_SYMLINK_NOFOLLOW) < 0)
    return husk_err_sys (err, "%s: chown %s", op->origin.where, op->dest);
  if (d->type == 'p')
    return 0;
  node = openat (dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (node < 0)
    return husk_err_sys (err, "%s: open %s", op->origin.where, op->dest);
  t = (struct mnt_target) { node, dir, name, false };
  mfd = mnt_bind (fs, node, &t, MOUNT_ATTR_NOSUID, false, &why);
  if (mfd < 0 || mnt_clear_nodev (fs, mfd, &why) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

static int
mnt_op_device (struct exec_rootfs *fs, const struct husk_op *op,
               struct husk_err *err)
{
  cleanup_free char *name = NULL;
  cleanup_fd int dir = path_open_parent (fs->newroot_fd, op->dest, &name);
  struct stat st;

  if (dir < 0)
    return husk_err_sys (err, "%s: %s", op->origin.where, op->dest);
  /* The runtime-spec: what is already there must be the device asked for. */
  if (fstatat (dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (mnt_dev_is (&st, &op->dev))
        return 0;
      return husk_err_set (err, EEXIST, "%s: %s exists and is not the requested device",
                           op->origin.where, op->dest);
    }
  if (errno != ENOENT)
    return husk_err_sys (err, "%s: %s", op->origin.where, op->dest);
  /* A FIFO can be made anywhere; a device only outside a user namespace
   * (and not where mknod is refused, as in a container without CAP_MKNOD). */
  if (op->dev.type == 'p' || !fs->in_userns)
    {
      int r = mnt_dev_make (fs, dir, name, op, err);

      if (r <= 0)
        return r;
    }
  return mnt_dev_from_host (fs, dir, name, op, err);
}

/* ---- ops: OCI propagation (issue 5) -------------------------------------- */

/* The mount at dest (it must be one) gets the op's propagation, or with
 * REC it and every mount below it.  Inside the container's mount namespace
 * only: "shared" makes a new peer group there; everything husk mounts stays
 * a slave of the host's (rootfs.c), so nothing ever propagates back. */
static int
mnt_op_propagate (struct exec_rootfs *fs, const struct husk_op *op,
                  struct husk_err *err)
{
  static const unsigned long ms[] = {
    [HUSK_PROP_PRIVATE] = MS_PRIVATE, [HUSK_PROP_SHARED] = MS_SHARED,
    [HUSK_PROP_SLAVE] = MS_SLAVE,     [HUSK_PROP_UNBINDABLE] = MS_UNBINDABLE,
  };
  bool rec = (op->flags & HUSK_OPF_REC) != 0;
  struct mount_attr attr = { 0 };
  cleanup_fd int fd = path_open (fs->newroot_fd, op->dest, 0);
  struct statx stx;
  char path[64];
  int r;

  if (fd < 0)
    return husk_err_sys (err, "%s: %s", op->origin.where, op->dest);
  if ((unsigned) op->propagation >= sizeof ms / sizeof ms[0] || ms[op->propagation] == 0)
    return husk_err_set (err, EINVAL, "%s: unknown propagation", op->origin.where);
  if (statx (fd, "", AT_EMPTY_PATH, 0, &stx) == 0
      && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return husk_err_set (err, EINVAL, "%s: %s is not a mount point", op->origin.where, op->dest);
  attr.propagation = ms[op->propagation];
  if (fs->have_mount_api)
    r = mount_setattr (fd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof attr);
  else
    {
      mnt_fd_path (path, sizeof path, fd);
      r = mount (NULL, path, NULL, ms[op->propagation] | (rec ? MS_REC : 0), NULL);
    }
  if (r < 0)
    return husk_err_sys (err, "%s: set the propagation of %s", op->origin.where, op->dest);
  if (mnt_same_file (fd, fs->newroot_fd))
    fs->root_shared = op->propagation == HUSK_PROP_SHARED;
  return 0;
}

/* ---- ops: OCI cgroup mounts (issue 5) ------------------------------------ */

/* The sandbox's own cgroup v2 directory in the host tree, opened O_PATH:
 * the 0:: line of /proc/self/cgroup under the cgroup2 mount at
 * /sys/fs/cgroup (a pure v2 host) or /sys/fs/cgroup/unified (a hybrid
 * one).  The directory must be a cgroup2 one (statfs), or it is not taken. */
static int
mnt_cgroup_own (struct exec_rootfs *fs, struct mnt_why *why)
{
  static const char *const roots[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
  cleanup_file FILE *f = fopen ("/oldroot/proc/self/cgroup", "re");
  char line[4096] = "";
  bool found = false;

  while (f != NULL && !found && fgets (line, sizeof line, f) != NULL)
    found = strncmp (line, "0::/", 4) == 0;
  if (!found)
    {
      errno = ENOENT;
      return mnt_step_fail (why, "no cgroup v2 line in /proc/self/cgroup");
    }
  line[strcspn (line, "\n")] = '\0';
  for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
    {
      cleanup_free char *path = xasprintf ("%s%s", roots[i], line + 3);
      cleanup_fd int fd = path_open (fs->oldroot_fd, path, 0);
      struct statfs sf;

      if (fd >= 0 && fstatfs (fd, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
        return steal_fd (&fd);
    }
  errno = ENOENT;
  return mnt_step_fail (why, "find the cgroup2 mount");
}

/* A cgroup2 at dest, nosuid, nodev and noexec (RO: read-only too).  In a
 * cgroup namespace a new cgroup2 filesystem: its root is the namespace's
 * root, the sandbox's own cgroup.  Without one a new cgroup2 would show the
 * host's whole tree (and needs privileges), so the sandbox's own cgroup
 * directory is bound instead, as runc does: the same view. */
static int
mnt_op_cgroup (struct exec_rootfs *fs, const struct husk_op *op,
               struct husk_err *err)
{
  unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
                   | ((op->flags & HUSK_OPF_RO) ? MOUNT_ATTR_RDONLY : 0);
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int src = -1;
  cleanup_fd int mfd = -1;

  if (mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  if (fs->own_cgroupns)
    mfd = mnt_fs_at (fs, "cgroup2", NULL, 0, attrs, &t, &why);
  else
    {
      src = mnt_cgroup_own (fs, &why);
      if (src >= 0)
        mfd = mnt_bind (fs, src, &t, attrs, false, &why);
    }
  if (mfd < 0 || mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* ---- ops: OCI mount attributes (issue 5) --------------------------------- */

/* The mount at dest (it must be one) gets the op's attributes, or with REC
 * it and every mount below it.  mount_setattr only (Linux 5.12): the
 * mount(2) fallback could not change a tree's flags one attribute at a
 * time.  Clearing a flag the kernel locked on a mount from the host (in a
 * user namespace) fails with EPERM: reported, never ignored. */
static int
mnt_op_setattr (struct exec_rootfs *fs, const struct husk_op *op,
                struct husk_err *err)
{
  static const struct
  {
    unsigned ma;
    uint64_t kernel;
  } map[] = {
    { HUSK_MA_RDONLY, MOUNT_ATTR_RDONLY },          { HUSK_MA_NOSUID, MOUNT_ATTR_NOSUID },
    { HUSK_MA_NODEV, MOUNT_ATTR_NODEV },            { HUSK_MA_NOEXEC, MOUNT_ATTR_NOEXEC },
    { HUSK_MA_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW }, { HUSK_MA_NODIRATIME, MOUNT_ATTR_NODIRATIME },
    { HUSK_MA_RELATIME, MOUNT_ATTR_RELATIME },      { HUSK_MA_NOATIME, MOUNT_ATTR_NOATIME },
    { HUSK_MA_STRICTATIME, MOUNT_ATTR_STRICTATIME },
  };
  bool rec = (op->flags & HUSK_OPF_REC) != 0;
  struct mount_attr attr = { 0 };
  cleanup_fd int fd = path_open (fs->newroot_fd, op->dest, 0);
  struct statx stx;

  if (fd < 0)
    return husk_err_sys (err, "%s: %s", op->origin.where, op->dest);
  if (!fs->have_mount_api)
    return husk_err_set (err, ENOSYS, "%s: mount attributes need mount_setattr (Linux 5.12)",
                         op->origin.where);
  if (statx (fd, "", AT_EMPTY_PATH, 0, &stx) == 0
      && (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
      && !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
    return husk_err_set (err, EINVAL, "%s: %s is not a mount point", op->origin.where, op->dest);
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    {
      if (op->attr_set & map[i].ma)
        attr.attr_set |= map[i].kernel;
      if (op->attr_clr & map[i].ma)
        attr.attr_clr |= map[i].kernel;
    }
  /* An atime mode replaces the mount's: the kernel wants the whole mask. */
  if (op->attr_set & HUSK_MA_ATIME)
    attr.attr_clr |= MOUNT_ATTR__ATIME;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
    return husk_err_sys (err, "%s: set the mount attributes of %s%s", op->origin.where, op->dest,
                         errno == EPERM && fs->in_userns
                           ? " (in a user namespace the kernel locks the atime mode and "
                             "flags of a mount from the host)"
                           : "");
  return 0;
}

/* ---- ops: files, directories, symlinks ---------------------------------- */

static int
mnt_op_dir (struct exec_rootfs *fs, const struct husk_op *op,
            struct husk_err *err)
{
  cleanup_fd int fd = path_mkdir (fs->newroot_fd, op->dest, mnt_perms (op, 0755));

  /* Modes are exact (the executor runs ops under umask 0); an existing
   * directory keeps its mode, as in bwrap. */
  if (fd < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  return 0;
}

static int
mnt_op_file (struct exec_rootfs *fs, const struct husk_op *op,
             struct husk_err *err)
{
  struct mnt_why why = { 0 };
  cleanup_fd int fd = path_open_file (fs->newroot_fd, op->dest,
                                      O_WRONLY | O_CREAT | O_TRUNC, mnt_perms (op, 0666));

  if (fd < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  if (mnt_copy_fd (op->fd, fd, &why) < 0)
    return mnt_fail (err, op, &why);
  if (op->perms != HUSK_PERMS_UNSET && fchmod (fd, (mode_t) op->perms) < 0)
    return husk_err_sys (err, "%s: chmod", op->origin.where);
  return 0;
}

/* The data goes to a file on the scratch tmpfs (outside the sandbox's
 * tree, so the sandbox can only reach it through the bind), which is
 * unlinked once mounted. */
static int
mnt_op_bind_data (struct exec_rootfs *fs, const struct husk_op *op,
                  struct husk_err *err)
{
  struct mnt_why why = { 0 };
  mode_t mode = mnt_perms (op, 0600);
  char name[64];
  cleanup_fd int fd = -1;
  cleanup_fd int mfd = -1;

  snprintf (name, sizeof name, "bind-data-%u", fs->scratch_seq++);
  fd = openat (fs->scratch_fd, name,
               O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return husk_err_sys (err, "%s: create %s in the scratch area",
                         op->origin.where, name);
  /* fchmod: the mode the sandbox sees must not depend on our umask. */
  if (mnt_copy_fd (op->fd, fd, &why) == 0)
    {
      if (fchmod (fd, mode) < 0)
        mnt_step_fail (&why, "chmod");
      else
        mfd = mnt_bind_to_dest (fs, op, fd, &why);
    }
  if (mfd < 0)
    {
      int e = errno;

      unlinkat (fs->scratch_fd, name, 0);
      errno = e;
      return mnt_fail (err, op, &why);
    }
  unlinkat (fs->scratch_fd, name, 0);
  return 0;
}

static int
mnt_op_symlink (struct exec_rootfs *fs, const struct husk_op *op,
                struct husk_err *err)
{
  cleanup_free char *name = NULL;
  cleanup_free char *old = NULL;
  cleanup_fd int dir = path_open_parent (fs->newroot_fd, op->dest, &name);
  char buf[PATH_MAX];
  ssize_t n;

  if (dir < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  if (symlinkat (op->src, dir, name) == 0)
    return 0;
  if (errno != EEXIST)
    return husk_err_sys (err, "%s", op->origin.where);
  n = readlinkat (dir, name, buf, sizeof buf);
  if (n < 0 && errno == EINVAL)
    return husk_err_set (err, EEXIST, "%s: destination exists and is not a symlink",
                         op->origin.where);
  if (n < 0 || (size_t) n >= sizeof buf)
    return husk_err_sys (err, "%s: reading the existing symlink", op->origin.where);
  /* Idempotent: the same link made twice (e.g. by two --symlink) is fine. */
  if ((size_t) n == strlen (op->src) && memcmp (buf, op->src, (size_t) n) == 0)
    return 0;
  return husk_err_set (err, EEXIST, "%s: existing symlink points to \"%.*s\"",
                       op->origin.where, (int) n, buf);
}

static int
mnt_op_chmod (struct exec_rootfs *fs, const struct husk_op *op,
              struct husk_err *err)
{
  cleanup_fd int fd = path_open (fs->newroot_fd, op->dest, 0);

  if (fd < 0)
    return husk_err_sys (err, "%s", op->origin.where);
  if (op->perms == HUSK_PERMS_UNSET)
    return husk_err_set (err, EINVAL, "%s: no mode given", op->origin.where);
  if (mnt_chmod_fd (fd, (mode_t) op->perms) < 0)
    return husk_err_sys (err, "%s: chmod", op->origin.where);
  return 0;
}

/* ---- ops: overlay ------------------------------------------------------- */

/* The layer fds of one overlay op. */
struct mnt_layers
{
  int *lower;  /* op order: lower[0] is the bottom layer */
  size_t n;
  int upper, work;
};

static void
mnt_layers_freep (struct mnt_layers *l)
{
  size_t i;

  for (i = 0; i < l->n; i++)
    if (l->lower[i] >= 0)
      close (l->lower[i]);
  free (l->lower);
  if (l->upper >= 0)
    close (l->upper);
  if (l->work >= 0)
    close (l->work);
}

/* --tmp-overlay: upper and work dirs on a fresh tmpfs mounted in the
 * scratch area (not the scratch tmpfs itself, which may be small), so
 * writes never reach the host and vanish with the sandbox. */
static int
mnt_overlay_tmp (struct exec_rootfs *fs, struct mnt_layers *l, struct mnt_why *why)
{
  struct mnt_opt opts[] = { { "mode", "0755" } };
  char name[64];
  cleanup_fd int dir = -1;
  cleanup_fd int mfd = -1;
  struct mnt_target t;

  snprintf (name, sizeof name, "overlay-%u", fs->scratch_seq++);
  if (mkdirat (fs->scratch_fd, name, 0700) < 0)
    return mnt_step_fail (why, "scratch directory");
  dir = openat (fs->scratch_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0)
    return mnt_step_fail (why, "scratch directory");
  t = (struct mnt_target) { dir, fs->scratch_fd, name, false };
  mfd = mnt_fs_at (fs, "tmpfs", opts, 1, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &t, why);
  if (mfd < 0)
    return -1;
  if (mkdirat (mfd, "upper", 0755) < 0 || mkdirat (mfd, "work", 0755) < 0)
    return mnt_step_fail (why, "upper/work directories");
  l->upper = openat (mfd, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  l->work = openat (mfd, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (l->upper < 0 || l->work < 0)
    return mnt_step_fail (why, "upper/work directories");
  return 0;
}

/* Open every layer inside the host root. */
static int
mnt_overlay_open (struct exec_rootfs *fs, const struct husk_op *op,
                  struct mnt_layers *l, struct mnt_why *why)
{
  size_t i;

  l->lower = xmalloc (op->n_overlay_srcs * sizeof *l->lower);
  for (i = 0; i < op->n_overlay_srcs; i++, l->n++)
    {
      l->lower[i] = path_open (fs->oldroot_fd, op->overlay_srcs[i], 0);
      if (l->lower[i] < 0)
        return mnt_step_fail (why, op->overlay_srcs[i]);
    }
  if (op->overlay_mode == HUSK_OVERLAY_TMP)
    return mnt_overlay_tmp (fs, l, why);
  if (op->overlay_mode != HUSK_OVERLAY_RW)
    return 0;
  l->upper = path_open (fs->oldroot_fd, op->src, 0);
  if (l->upper < 0)
    return mnt_step_fail (why, op->src);
  l->work = path_open (fs->oldroot_fd, op->overlay_work, 0);
  if (l->work < 0)
    return mnt_step_fail (why, op->overlay_work);
  return 0;
}

/* One layer by fd (6.13+ takes FSCONFIG_SET_FD), else by its magic link,
 * which overlayfs resolves to exactly this directory. */
static int
mnt_overlay_layer (int fsfd, const char *key, int fd)
{
  char path[64];

  if (fsconfig (fsfd, FSCONFIG_SET_FD, key, NULL, fd) == 0)
    return 0;
  mnt_fd_path (path, sizeof path, fd);
  return fsconfig (fsfd, FSCONFIG_SET_STRING, key, path, 0);
}

/* Append `path` to a lowerdir= list, escaping the separators. */
static void
mnt_overlay_escape (char *buf, size_t len, size_t *pos, const char *path)
{
  for (; *path != '\0' && *pos + 2 < len; path++)
    {
      if (*path == ':' || *path == ',' || *path == '\\')
        buf[(*pos)++] = '\\';
      buf[(*pos)++] = *path;
    }
  buf[*pos] = '\0';
}

/* "lowerdir=" string, top layer first (the op lists the bottom first). */
static int
mnt_overlay_lowerdir (const struct mnt_layers *l, char *buf, size_t len)
{
  size_t i, pos = 0;

  buf[0] = '\0';
  for (i = l->n; i-- > 0;)
    {
      char path[64];

      mnt_fd_path (path, sizeof path, l->lower[i]);
      if (pos > 0 && pos + 1 < len)
        buf[pos++] = ':';
      mnt_overlay_escape (buf, len, &pos, path);
    }
  if (pos + 2 >= len)
    return errno = E2BIG, -1;
  return 0;
}

/* Lower layers, topmost first (the op lists the bottom first): one
 * "lowerdir+" per layer (6.8+: nothing to escape), or with `as_list` the
 * whole "lowerdir=" list that older kernels want. */
static int
mnt_overlay_lowers (int fsfd, const struct mnt_layers *l, bool as_list)
{
  char list[4096];
  size_t i;

  if (as_list)
    {
      if (mnt_overlay_lowerdir (l, list, sizeof list) < 0)
        return -1;
      return fsconfig (fsfd, FSCONFIG_SET_STRING, "lowerdir", list, 0);
    }
  for (i = l->n; i-- > 0;)
    if (mnt_overlay_layer (fsfd, "lowerdir+", l->lower[i]) < 0)
      return -1;
  return 0;
}

static int
mnt_overlay_configure (struct exec_rootfs *fs, int fsfd, const struct mnt_layers *l,
                       bool as_list, struct mnt_why *why)
{
  const char *what = NULL;

  if (mnt_overlay_lowers (fsfd, l, as_list) < 0)
    what = "lower layers";
  else if (l->upper >= 0 && mnt_overlay_layer (fsfd, "upperdir", l->upper) < 0)
    what = "upper layer";
  else if (l->work >= 0 && mnt_overlay_layer (fsfd, "workdir", l->work) < 0)
    what = "work directory";
  if (what != NULL)
    {
      mnt_fs_log (fsfd, why);
      return mnt_step_fail (why, what);
    }
  /* In a user namespace trusted.* xattrs cannot be written: keep
   * overlay's metadata in user.* (5.11+; older kernels ignore the try). */
  if (fs->in_userns)
    fsconfig (fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0);
  return 0;
}

/* mount(2) fallback for kernels without the mount API. */
static int
mnt_overlay_legacy (struct exec_rootfs *fs, const struct mnt_layers *l,
                    unsigned attrs, const struct mnt_target *t, struct mnt_why *why)
{
  char lower[4096], data[4352], up[64], wk[64], dst[64];
  struct statx pre;

  if (mnt_before (t, &pre, why) < 0)
    return -1;
  if (mnt_overlay_lowerdir (l, lower, sizeof lower) < 0)
    return mnt_step_fail (why, "lower layers");
  mnt_fd_path (up, sizeof up, l->upper);
  mnt_fd_path (wk, sizeof wk, l->work);
  snprintf (data, sizeof data, "lowerdir=%s%s%s%s%s%s", lower,
            l->upper >= 0 ? ",upperdir=" : "", l->upper >= 0 ? up : "",
            l->work >= 0 ? ",workdir=" : "", l->work >= 0 ? wk : "",
            fs->in_userns ? ",userxattr" : "");
  mnt_fd_path (dst, sizeof dst, t->fd);
  if (mount ("overlay", dst, "overlay", mnt_attr_to_ms (attrs), data) < 0)
    return mnt_step_fail (why, "mount overlay");
  return mnt_reopen (fs, t, &pre, -1, why);
}

static int
mnt_overlay_mount (struct exec_rootfs *fs, const struct husk_op *op,
                   const struct mnt_layers *l, const struct mnt_target *t,
                   struct mnt_why *why)
{
  unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                   | (op->overlay_mode == HUSK_OVERLAY_RO ? MOUNT_ATTR_RDONLY : 0);
  int pass;
  int mfd = -1;

  if (!fs->have_mount_api)
    return mnt_overlay_legacy (fs, l, attrs, t, why);
  /* Kernels before 6.5 take overlay options through the generic "legacy"
   * fs_context, which accepts any key and fails only at create: so when
   * "lowerdir+" fails in any way, start again with a "lowerdir=" list. */
  for (pass = 0; pass < 2 && mfd < 0; pass++)
    {
      cleanup_fd int fsfd = mnt_fs_open ("overlay", why);

      if (fsfd < 0)
        return -1;
      memset (why, 0, sizeof *why);
      if (mnt_overlay_configure (fs, fsfd, l, pass == 1, why) == 0)
        mfd = mnt_fs_finish (fsfd, attrs, why);
    }
  if (mfd < 0)
    return -1;
  return mnt_attach (mfd, t, why);
}

static int
mnt_op_overlay (struct exec_rootfs *fs, const struct husk_op *op,
                struct husk_err *err)
{
  __attribute__ ((cleanup (mnt_layers_freep)))
  struct mnt_layers l = { NULL, 0, -1, -1 };
  struct mnt_why why = { 0 };
  struct mnt_target t;
  cleanup_fd int dest = -1;
  cleanup_fd int mfd = -1;

  if (mnt_overlay_open (fs, op, &l, &why) < 0
      || mnt_dest_dir (fs, op, &t, 0755, &why) < 0)
    return mnt_fail (err, op, &why);
  dest = t.fd;
  mfd = mnt_overlay_mount (fs, op, &l, &t, &why);
  if (mfd < 0 || mnt_attached (fs, &t, mfd) < 0)
    return mnt_fail (err, op, &why);
  return 0;
}

/* ---- entry point -------------------------------------------------------- */

int
exec_mounts_run_op (struct exec_rootfs *fs, const struct husk_op *op,
                    struct husk_err *err)
{
  switch (op->kind)
    {
    case HUSK_OP_BIND:
      return mnt_op_bind (fs, op, err);
    case HUSK_OP_BIND_FD:
      return mnt_op_bind_fd (fs, op, err);
    case HUSK_OP_REMOUNT_RO:
      return mnt_op_remount_ro (fs, op, err);
    case HUSK_OP_PROC:
      return mnt_op_proc (fs, op, err);
    case HUSK_OP_DEV:
      return mnt_op_dev (fs, op, err);
    case HUSK_OP_TMPFS:
      return mnt_op_tmpfs (fs, op, err);
    case HUSK_OP_MQUEUE:
      return mnt_op_mqueue (fs, op, err);
    case HUSK_OP_DIR:
      return mnt_op_dir (fs, op, err);
    case HUSK_OP_FILE:
      return mnt_op_file (fs, op, err);
    case HUSK_OP_BIND_DATA:
      return mnt_op_bind_data (fs, op, err);
    case HUSK_OP_SYMLINK:
      return mnt_op_symlink (fs, op, err);
    case HUSK_OP_CHMOD:
      return mnt_op_chmod (fs, op, err);
    case HUSK_OP_OVERLAY:
      return mnt_op_overlay (fs, op, err);
    case HUSK_OP_DEVPTS:
      return mnt_op_devpts (fs, op, err);
    case HUSK_OP_MASK:
      return mnt_op_mask (fs, op, err);
    case HUSK_OP_RO_SELF:
      return mnt_op_ro_self (fs, op, err);
    case HUSK_OP_DEVICE:
      return mnt_op_device (fs, op, err);
    case HUSK_OP_PROPAGATE:
      return mnt_op_propagate (fs, op, err);
    case HUSK_OP_CGROUP:
      return mnt_op_cgroup (fs, op, err);
    case HUSK_OP_SETATTR:
      return mnt_op_setattr (fs, op, err);
    default:
      break;
    }
  return husk_err_set (err, EINVAL, "%s: unknown operation %d", op->origin.where,
                       (int) op->kind);
}
