/* idmap.c: idmapped binds (OCI's idmap/ridmap and per-mount uidMappings /
 * gidMappings, issue 5), made by the parent before clone.
 *
 * mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the initial user
 * namespace, which the child never has once it is in the container's user
 * namespace.  So the parent, in husk's own user namespace and after joining
 * the namespaces the plan names (so a source reads as the child would see
 * it), makes each idmapped bind as a detached copy (open_tree with
 * OPEN_TREE_CLONE) with the op's flags and the id mapping of a user
 * namespace made just for it; the child attaches it at its destination, in
 * op order (mounts.c).  Moving a detached mount into the child's mount
 * namespace needs only the child's rights there.
 *
 * The user namespace: a helper process cloned into a new one, whose maps
 * the parent writes; its ns file is opened, then the helper exits (the
 * mount keeps the namespace).
 *
 * Without CAP_SYS_ADMIN in the initial user namespace (husk run by an
 * unprivileged user, or after joining a user namespace) the kernel refuses
 * the copy: the error names the op (mounts[i]) and says why.
 *
 * Must not: print; leave a helper process or an fd behind (every fd here
 * is O_CLOEXEC and the trees are closed by idmap_release).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/path.h"
#include "lib/xalloc.h"

static int
idmap_write_map (pid_t pid, const char *file, const struct husk_idmap *v, size_t n)
{
  char path[64];
  cleanup_free char *buf = xmalloc (n * 40 + 1);
  size_t len = 0;
  cleanup_fd int fd = -1;
  ssize_t w;

  for (size_t i = 0; i < n; i++)
    len += (size_t) snprintf (buf + len, 40, "%u %u %u\n", (unsigned) v[i].inside,
                              (unsigned) v[i].outside, (unsigned) v[i].count);
  snprintf (path, sizeof path, "%d/%s", (int) pid, file);
  fd = hostproc_open (path, O_WRONLY);
  if (fd < 0)
    return -1;
  w = write (fd, buf, len);
  return w == (ssize_t) len ? 0 : -1;
}

/* A user namespace with the op's maps; returns its fd. */
static int
idmap_userns (const struct husk_op *op, struct husk_err *err)
{
  int pfd[2];
  pid_t pid;
  int fd = -1, e = 0, st;
  const char *what = NULL;

  if (pipe2 (pfd, O_CLOEXEC) < 0)
    return husk_err_sys (err, "%s: idmapped mount: pipe", op->origin.where);
  pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0)
    {
      char c;

      close (pfd[1]);
      while (read (pfd[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (pfd[0]);
  if (pid < 0)
    {
      e = errno;
      close (pfd[1]);
      errno = e;
      return husk_err_sys (err, "%s: idmapped mount: a user namespace for it", op->origin.where);
    }
  if (idmap_write_map (pid, "uid_map", op->idmap_uids, op->n_idmap_uids) < 0)
    what = "write uid_map", e = errno;
  else if (idmap_write_map (pid, "gid_map", op->idmap_gids, op->n_idmap_gids) < 0)
    what = "write gid_map", e = errno;
  else
    {
      if ((fd = hostproc_open_ns (pid, "user")) < 0)
        what = "open its user namespace", e = errno;
    }
  close (pfd[1]);
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (what != NULL)
    return husk_err_set (err, e, "%s: idmapped mount: %s", op->origin.where, what);
  return fd;
}

static void
idmap_hint (struct husk_err *err, int e)
{
  if (e == EPERM)
    husk_err_hint (err, "an idmapped mount needs CAP_SYS_ADMIN in the initial user namespace: "
                        "run husk as root, without joining a user namespace");
  else if (e == EINVAL)
    husk_err_hint (err, "the file system must support idmapped mounts (ext4, xfs, btrfs, "
                        "tmpfs since 6.3, ...), every mount of it with ridmap");
}

/* The detached, idmapped copy of op's source; -2 for a --bind-try source
 * that does not exist. */
static int
idmap_tree (int rootfd, const struct husk_op *op, struct husk_err *err)
{
  unsigned rec = (op->flags & HUSK_OPF_NOREC) ? 0 : AT_RECURSIVE;
  struct mount_attr attr = {
    .attr_set = MOUNT_ATTR_NOSUID | ((op->flags & HUSK_OPF_DEV) ? 0 : MOUNT_ATTR_NODEV)
                | ((op->flags & HUSK_OPF_RO) ? MOUNT_ATTR_RDONLY : 0)
                | ((op->flags & HUSK_OPF_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0)
                | ((op->flags & HUSK_OPF_NOSYMFOLLOW) ? MOUNT_ATTR_NOSYMFOLLOW : 0),
  };
  struct mount_attr idmap = { .attr_set = MOUNT_ATTR_IDMAP };
  cleanup_fd int src = path_open (rootfd, op->src, 0);
  cleanup_fd int tree = -1;
  cleanup_fd int userns = -1;
  int e;

  if (src < 0 && errno == ENOENT && (op->flags & HUSK_OPF_TRY))
    return -2;
  if (src < 0)
    return husk_err_sys (err, "%s: %s", op->origin.where, op->src);
  tree = open_tree (src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | rec);
  if (tree < 0)
    {
      e = errno;
      husk_err_sys (err, "%s: idmapped mount: open_tree", op->origin.where);
      idmap_hint (err, e);
      return -1;
    }
  if (mount_setattr (tree, "", AT_EMPTY_PATH | rec, &attr, sizeof attr) < 0)
    return husk_err_sys (err, "%s: idmapped mount: mount_setattr", op->origin.where);
  userns = idmap_userns (op, err);
  if (userns < 0)
    return -1;
  idmap.userns_fd = (uint64_t) userns;
  if (mount_setattr (tree, "",
                     AT_EMPTY_PATH | ((op->flags & HUSK_OPF_IDMAP_REC) ? AT_RECURSIVE : 0), &idmap,
                     sizeof idmap)
      < 0)
    {
      e = errno;
      husk_err_sys (err, "%s: idmapped mount: mount_setattr MOUNT_ATTR_IDMAP", op->origin.where);
      idmap_hint (err, e);
      return -1;
    }
  return steal_fd (&tree);
}

int
idmap_prepare (const struct husk_plan *plan, int **trees, struct husk_err *err)
{
  cleanup_fd int root = -1;
  size_t i;

  *trees = NULL;
  for (i = 0; i < plan->n_ops && !(plan->ops[i].flags & HUSK_OPF_IDMAP); i++)
    ;
  if (i == plan->n_ops)
    return 0;
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return husk_err_sys (err, "open /");
  *trees = xmalloc (plan->n_ops * sizeof **trees);
  for (i = 0; i < plan->n_ops; i++)
    (*trees)[i] = -1;
  for (i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].flags & HUSK_OPF_IDMAP)
      {
        int t = idmap_tree (root, &plan->ops[i], err);

        if (t == -1)
          {
            idmap_release (trees, plan->n_ops);
            return -1;
          }
        (*trees)[i] = t;
      }
  return 0;
}

void
idmap_release (int **trees, size_t n)
{
  if (*trees == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    if ((*trees)[i] >= 0)
      close ((*trees)[i]);
  free (*trees);
  *trees = NULL;
}
