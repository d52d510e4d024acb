/* passwd.h: look users and groups up in the text of an /etc/passwd and an
 * /etc/group file (a container's, read by the caller), the way container
 * tools resolve a user name against an image (containerd's WithUsername
 * and WithAdditionalGIDs): no NSS, no host databases.
 *
 * Lines are "name:password:uid:gid:gecos:home:shell" and
 * "name:password:gid:member,member,..."; empty lines, "#" comments and NIS
 * "+"/"-" lines are skipped; any other line that does not have that shape
 * is an error naming FILE:LINE.  Ids are 0..4294967294.
 *
 * Must not: make syscalls, print; depend on plan, cli, oci or exec.
 */
#ifndef HUSK_PASSWD_H
#define HUSK_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct husk_pwent
{
  char *name; /* malloc'd */
  char *home; /* malloc'd, "" when the field is empty */
  uint32_t uid, gid;
};

/* The first passwd entry named `name` (name != NULL) or with uid `uid`:
 * 1 with *out filled (free with passwd_ent_free), 0 when there is none,
 * -1 on a malformed line.  `file` names the text in errors. */
int passwd_lookup (const char *text, const char *file, const char *name, uint32_t uid,
                   struct husk_pwent *out, struct husk_err *err);
void passwd_ent_free (struct husk_pwent *e);

/* The gid of the group named `name`: 1 found, 0 not, -1 malformed. */
int passwd_group_gid (const char *text, const char *file, const char *name, uint32_t *gid,
                      struct husk_err *err);

/* Append to *gids (malloc'd, *n entries) the gid of every group that lists
 * `user` as a member, in file order, skipping gids already present.
 * 0, or -1 on a malformed line. */
int passwd_member_gids (const char *text, const char *file, const char *user, uint32_t **gids,
                        size_t *n, struct husk_err *err);

/* A decimal id 0..4294967294 (no sign, no spaces): 0 with *out, else -1. */
int passwd_parse_id (const char *s, size_t len, uint32_t *out);

#endif
