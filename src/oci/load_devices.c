/* load_devices.c: linux.devices as DEVICE ops (issue 5), in array order,
 * after the default devices and before readonlyPaths and maskedPaths (the
 * caller, load_mounts.c, keeps that order).
 *
 * How the executor supplies each one is its business (mknod as real root,
 * a bind of the host's node at the same path in a user namespace; see
 * exec/mounts.c): the plan only says which node is wanted.
 *
 * Must not: make syscalls.
 */
#include "oci/oci_int.h"

#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define OCI_ID_MAX    4294967294LL /* (uid_t) -1 is never an id */
#define OCI_MAJOR_MAX 4095         /* the kernel's dev_t: 12 bits of major */
#define OCI_MINOR_MAX 1048575      /*                     20 bits of minor */

/* type, major and minor of one device. */
static int
oci_device_node (json_t *d, const char *p, struct husk_devnode *dev, struct husk_err *err)
{
  const char *type;
  int64_t major = 0, minor = 0;
  bool has_major, has_minor;

  if (oci_get_string (d, p, "type", &type, err) < 0)
    return -1;
  if (type == NULL)
    return husk_err_set (err, 0, "%s.type: required", p);
  if (strlen (type) != 1 || strchr ("cbup", type[0]) == NULL)
    {
      cleanup_free char *q = oci_quote (type);
      return husk_err_set (err, 0, "%s.type: unknown device type %s (c, b, u or p)", p, q);
    }
  dev->type = type[0];
  if (oci_get_int (d, p, "major", 0, OCI_MAJOR_MAX, &major, &has_major, err) < 0
      || oci_get_int (d, p, "minor", 0, OCI_MINOR_MAX, &minor, &has_minor, err) < 0)
    return -1;
  if (dev->type != 'p' && (!has_major || !has_minor))
    return husk_err_set (err, 0, "%s.%s: required for a device of type \"%c\"", p,
                         has_major ? "minor" : "major", dev->type);
  dev->major = (uint32_t) major;
  dev->minor = (uint32_t) minor;
  return 0;
}

static int
oci_load_device (struct oci_ctx *ctx, json_t *d, const char *p, struct husk_err *err)
{
  static const char *const known[]
    = { "type", "path", "major", "minor", "fileMode", "uid", "gid", NULL };
  struct husk_devnode dev = { 0 };
  struct husk_origin o = { NULL, -1 };
  struct husk_op *op;
  const char *path;
  int64_t mode = 0, uid = 0, gid = 0;
  bool has_mode;

  if (oci_expect (d, JSON_OBJECT, p, err) < 0)
    return -1;
  oci_warn_unknown (ctx, d, p, known);
  if (oci_get_string (d, p, "path", &path, err) < 0)
    return -1;
  if (path == NULL || path[0] == '\0')
    return husk_err_set (err, 0, "%s.path: required", p);
  if (path[0] != '/')
    {
      cleanup_free char *q = oci_quote (path);
      return husk_err_set (err, 0, "%s.path: must be an absolute path, got %s", p, q);
    }
  if (oci_device_node (d, p, &dev, err) < 0
      || oci_get_int (d, p, "fileMode", 0, 07777, &mode, &has_mode, err) < 0
      || oci_get_int (d, p, "uid", 0, OCI_ID_MAX, &uid, &dev.has_uid, err) < 0
      || oci_get_int (d, p, "gid", 0, OCI_ID_MAX, &gid, &dev.has_gid, err) < 0)
    return -1;
  dev.uid = (uint32_t) uid;
  dev.gid = (uint32_t) gid;
  o.where = xstrdup (p);
  op = plan_add_op (ctx->plan, HUSK_OP_DEVICE, &o);
  origin_free (&o);
  op->dest = xstrdup (path);
  op->dev = dev;
  if (has_mode)
    op->perms = (int) mode;
  return 0;
}

int
oci_load_devices (struct oci_ctx *ctx, json_t *lx, struct husk_err *err)
{
  json_t *arr;

  if (lx == NULL)
    return 0;
  if (oci_get (lx, "linux", "devices", JSON_ARRAY, &arr, err) < 0)
    return -1;
  for (size_t i = 0; arr != NULL && i < json_array_size (arr); i++)
    {
      cleanup_free char *p = oci_path_index ("linux.devices", i);

      if (oci_load_device (ctx, json_array_get (arr, i), p, err) < 0)
        return -1;
    }
  return 0;
}
