/* json.c: path-tracking getters over jansson for the OCI front end.
 *
 * Each getter knows the JSON path of the object it reads from and names
 * the member's full path in its error, so an error always points at what
 * the user wrote ("linux.namespaces[2].type: expected a string, got a
 * number").  Unknown members are reported as warnings, never errors: the
 * runtime-spec's extensibility rule makes runtimes ignore them.
 *
 * Must not: make syscalls (the text is read by load.c), or accept a value
 * of the wrong JSON type silently.
 */
#include "oci/oci_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/json_u64.h"
#include "lib/xalloc.h"

char *
oci_path_key (const char *base, const char *key)
{
  size_t nb, nk;
  char *p;

  if (base == NULL || base[0] == '\0')
    return xstrdup (key);
  /* By hand, not xasprintf: paths are built for every array element read,
   * and vsnprintf was most of husk --oci's parsing cost. */
  nb = strlen (base);
  nk = strlen (key);
  p = xmalloc (nb + nk + 2);
  memcpy (p, base, nb);
  p[nb] = '.';
  memcpy (p + nb + 1, key, nk + 1);
  return p;
}

char *
oci_path_index (const char *base, size_t i)
{
  char digits[24];
  size_t nd = 0, nb = strlen (base);
  char *p;

  do
    digits[nd++] = (char) ('0' + i % 10);
  while ((i /= 10) != 0);
  p = xmalloc (nb + nd + 3);
  memcpy (p, base, nb);
  p[nb] = '[';
  for (size_t k = 0; k < nd; k++)
    p[nb + 1 + k] = digits[nd - 1 - k];
  p[nb + 1 + nd] = ']';
  p[nb + 2 + nd] = '\0';
  return p;
}

int
oci_json_parse (const char *text, size_t len, const char *name, json_t **out, struct husk_err *err)
{
  /* Duplicate keys: which one counts differs between parsers, so refuse.
   * Integers above INT64_MAX (RLIM_INFINITY) come back tagged. */
  *out = json_u64_load (text, len, name, err);
  if (*out == NULL)
    return -1;
  if (!json_is_object (*out))
    {
      json_decref (*out);
      *out = NULL;
      return husk_err_set (err, 0, "%s: expected a JSON object", name);
    }
  return 0;
}

static const char *
oci_type_name (json_type type)
{
  switch (type)
    {
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    case JSON_STRING:
      return "a string";
    case JSON_INTEGER:
      return "an integer";
    case JSON_REAL:
      return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
      return "a boolean";
    case JSON_NULL:
      return "null";
    default:
      return "a value";
    }
}

const char *
oci_json_kind (const json_t *v)
{
  return oci_type_name (json_u64_typeof (v));
}

int
oci_expect (const json_t *v, json_type type, const char *path, struct husk_err *err)
{
  json_type t = json_u64_typeof (v);
  bool good = t == type || (type == JSON_TRUE && (t == JSON_TRUE || t == JSON_FALSE));

  if (good)
    return 0;
  return husk_err_set (err, 0, "%s: expected %s, got %s", path, oci_type_name (type),
                       oci_json_kind (v));
}

int
oci_get (json_t *obj, const char *base, const char *key, json_type type, json_t **out,
         struct husk_err *err)
{
  json_t *v = json_object_get (obj, key);
  json_type t;

  *out = NULL;
  if (v == NULL || json_is_null (v))
    return 0;
  /* The path is formatted only for an error: building it for every field
   * read was a third of the parent's instructions in husk --oci. */
  t = json_u64_typeof (v);
  if (t != type && !(type == JSON_TRUE && (t == JSON_TRUE || t == JSON_FALSE)))
    {
      cleanup_free char *path = oci_path_key (base, key);
      return oci_expect (v, type, path, err);
    }
  *out = v;
  return 0;
}

int
oci_get_string (json_t *obj, const char *base, const char *key, const char **out,
                struct husk_err *err)
{
  json_t *v;

  *out = NULL;
  if (oci_get (obj, base, key, JSON_STRING, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  /* A NUL inside would cut the string short where the kernel reads it. */
  if (strlen (json_string_value (v)) != json_string_length (v))
    {
      cleanup_free char *path = oci_path_key (base, key);
      return husk_err_set (err, 0, "%s: string contains a NUL byte", path);
    }
  *out = json_string_value (v);
  return 0;
}

int
oci_get_bool (json_t *obj, const char *base, const char *key, bool *out, struct husk_err *err)
{
  json_t *v;

  *out = false;
  if (oci_get (obj, base, key, JSON_TRUE, &v, err) < 0)
    return -1;
  *out = v != NULL && json_is_true (v);
  return 0;
}

/* "PATH: N is out of range (MIN..MAX)" for a tagged big integer v. */
static int
oci_big_out_of_range (const json_t *v, const char *path, long long min, unsigned long long max,
                      struct husk_err *err)
{
  uint64_t n;
  bool too_big;

  if (json_u64_value (v, &n, &too_big) < 0)
    return husk_err_set (err, 0,
                         "%s: a number above 18446744073709551615 is out of range "
                         "(%lld..%llu)",
                         path, min, max);
  return husk_err_set (err, 0, "%s: %llu is out of range (%lld..%llu)", path,
                       (unsigned long long) n, min, max);
}

int
oci_get_int (json_t *obj, const char *base, const char *key, int64_t min, int64_t max, int64_t *out,
             bool *present, struct husk_err *err)
{
  json_t *v;
  json_int_t n;

  *present = false;
  if (oci_get (obj, base, key, JSON_INTEGER, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  if (json_u64_is_big (v))
    {
      cleanup_free char *path = oci_path_key (base, key);
      return oci_big_out_of_range (v, path, (long long) min, (unsigned long long) max, err);
    }
  n = json_integer_value (v);
  if (n < min || n > max)
    {
      cleanup_free char *path = oci_path_key (base, key);
      return husk_err_set (err, 0, "%s: %lld is out of range (%lld..%lld)", path, (long long) n,
                           (long long) min, (long long) max);
    }
  *out = (int64_t) n;
  *present = true;
  return 0;
}

int
oci_uint_value (const json_t *v, const char *path, uint64_t max, uint64_t *out,
                struct husk_err *err)
{
  bool too_big;

  if (oci_expect (v, JSON_INTEGER, path, err) < 0)
    return -1;
  if (json_u64_value (v, out, &too_big) < 0)
    {
      if (too_big)
        return oci_big_out_of_range (v, path, 0, (unsigned long long) max, err);
      return husk_err_set (err, 0, "%s: %lld is out of range (0..%llu)", path,
                           (long long) json_integer_value (v), (unsigned long long) max);
    }
  if (*out > max)
    return husk_err_set (err, 0, "%s: %llu is out of range (0..%llu)", path,
                         (unsigned long long) *out, (unsigned long long) max);
  return 0;
}

int
oci_get_uint (json_t *obj, const char *base, const char *key, uint64_t max, uint64_t *out,
              bool *present, struct husk_err *err)
{
  cleanup_free char *path = NULL;
  json_t *v;

  *present = false;
  if (oci_get (obj, base, key, JSON_INTEGER, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  path = oci_path_key (base, key);
  if (oci_uint_value (v, path, max, out, err) < 0)
    return -1;
  *present = true;
  return 0;
}

int
oci_string_at (json_t *arr, const char *base, size_t i, const char **out, struct husk_err *err)
{
  json_t *v = json_array_get (arr, i);

  if (json_u64_typeof (v) != JSON_STRING
      || strlen (json_string_value (v)) != json_string_length (v))
    {
      cleanup_free char *path = oci_path_index (base, i);

      if (oci_expect (v, JSON_STRING, path, err) < 0)
        return -1;
      return husk_err_set (err, 0, "%s: string contains a NUL byte", path);
    }
  *out = json_string_value (v);
  return 0;
}

void
oci_warn (struct oci_ctx *ctx, const char *fmt, ...)
{
  char buf[HUSK_ERR_MSG_MAX];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  husk_warn ("%s", buf);
  ctx->warnings++;
}

void
oci_warn_unknown (struct oci_ctx *ctx, json_t *obj, const char *base, const char *const *known)
{
  const char *key;
  json_t *v;

  json_object_foreach (obj, key, v)
  {
    size_t i;

    for (i = 0; known[i] != NULL && strcmp (known[i], key) != 0; i++)
      ;
    if (known[i] == NULL)
      {
        cleanup_free char *path = oci_path_key (base, key);
        oci_warn (ctx, "%s: unknown property, ignored", path);
      }
  }
}

static bool
oci_is_empty (const json_t *v)
{
  switch (json_typeof (v))
    {
    case JSON_NULL:
    case JSON_FALSE:
      return true;
    case JSON_STRING:
      return json_string_length (v) == 0;
    case JSON_ARRAY:
      return json_array_size (v) == 0;
    case JSON_OBJECT:
      return json_object_size (v) == 0;
    case JSON_TRUE:
    case JSON_INTEGER:
    case JSON_REAL:
    default:
      return false;
    }
}

int
oci_unsupported (json_t *obj, const char *base, const char *key, struct husk_err *err)
{
  json_t *v = json_object_get (obj, key);
  cleanup_free char *path = NULL;

  if (v == NULL || oci_is_empty (v))
    return 0;
  path = oci_path_key (base, key);
  return husk_err_set (err, 0, "%s: not supported yet", path);
}

char *
oci_quote (const char *s)
{
  char *out = xmalloc (strlen (s) * 4 + 3);
  char *q = out;

  *q++ = '"';
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          *q++ = '\\';
          *q++ = (char) *p;
        }
      else if (*p < ' ' || *p >= 0x7f)
        q += sprintf (q, "\\%03o", (unsigned) *p);
      else
        *q++ = (char) *p;
    }
  *q++ = '"';
  *q = '\0';
  return out;
}
