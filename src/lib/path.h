/* path.h: resolving and creating paths inside a root directory fd, so that
 * nothing a symlink says can reach outside it.
 *
 * Every function takes `rootfd` (an fd of a directory, O_PATH is fine) and a
 * path that is always interpreted inside it: "/a/b" and "a/b" both mean
 * rootfd/a/b; ".." never climbs above rootfd; a symlink whose text is
 * absolute restarts at rootfd, exactly like chroot(2) would, but without
 * changing the process root.  The functions work anywhere (nothing here
 * knows about /newroot or /oldroot), so they are unit-tested directly.
 *
 * Convention: like the *at() syscalls they wrap, they return an fd (or 0)
 * on success and -1 with errno set on failure; the caller words the error.
 * All returned fds are O_CLOEXEC.
 *
 * Must not: follow a symlink, "..", or magic link out of rootfd; print;
 * know about the executor's layout.
 */
#ifndef HUSK_PATH_H
#define HUSK_PATH_H

#include <stdbool.h>
#include <sys/types.h>

/* Flags for path_open. */
#define PATH_NOFOLLOW   (1u << 0) /* do not follow a symlink in the last component */

/* Open an existing path as O_PATH.  With PATH_NOFOLLOW a symlink in the
 * last component is returned itself (unless the path ends in "/"). */
int path_open (int rootfd, const char *path, unsigned flags);

/* "mkdir -p": create every missing directory of path with `mode` (minus the
 * umask), follow symlinks in the middle (inside the root), and return an
 * O_PATH fd of the final directory.  Existing directories are fine; a
 * non-directory in the way is ENOTDIR, a dangling symlink ENOENT. */
int path_mkdir (int rootfd, const char *path, mode_t mode);

/* Create the parents of path (mkdir -p, mode 0755) and return an O_PATH fd
 * of the directory that will hold the last component, whose name is stored
 * in *name (malloc'd, never "." or "..", no slash).  Fails with EISDIR when
 * path ends in "/" and EEXIST when its last component is ".", "..", or
 * the path names the root itself: those can only be existing directories. */
int path_open_parent (int rootfd, const char *path, char **name);

/* Open a non-directory with open(2) `oflags` (O_CREAT, O_TRUNC, O_WRONLY,
 * O_EXCL... but not O_PATH or O_DIRECTORY), creating the parents first
 * when O_CREAT is given.  A symlink in the last component is followed
 * inside the root, also when O_CREAT creates its dangling target (never
 * outside).  O_NOFOLLOW in oflags refuses a final symlink (ELOOP). */
int path_open_file (int rootfd, const char *path, int oflags, mode_t mode);

/* Make sure path exists as a non-directory to mount a file on: create the
 * parents (0755) and an empty regular file with `mode` if nothing is there,
 * accept any existing non-directory (following symlinks inside the root),
 * and return an O_PATH fd of it.  An existing directory is EISDIR. */
int path_mkfile (int rootfd, const char *path, mode_t mode);

/* Resolution backend.  path_use_fallback: 0 = openat2(2) when the kernel
 * has it (auto-detected once), 1 = always the portable walker.  Tests set
 * it to compare both; a CI mode may set it to exercise the fallback. */
extern int path_use_fallback;

/* The portable walker alone (component by component with O_NOFOLLOW,
 * symlinks expanded by hand, ".." and absolute targets clamped at the root,
 * at most PATH_MAX_LINKS links).  Same contract as path_open; exposed for
 * tests.  Note one deliberate difference: it never follows a magic link as
 * magic (it reads the link text and resolves that inside the root), where
 * openat2 with RESOLVE_NO_MAGICLINKS refuses it with ELOOP. */
int path_open_fallback (int rootfd, const char *path, unsigned flags);

#define PATH_MAX_LINKS 40

#endif
