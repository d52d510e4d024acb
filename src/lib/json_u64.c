/* json_u64.c: JSON text to jansson values, with integers up to UINT64_MAX
 * (see json_u64.h for the tagged form).
 *
 * The lexer only has to know where strings are and whether the next token
 * is a value (after '[', ':', a ',' inside an array, or at the start) or an
 * object key: a number anywhere else is left for jansson to refuse.
 *
 * Must not: make syscalls (but the one getrandom that seeds jansson);
 * depend on plan, cli, oci or exec.
 */
#include "lib/json_u64.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define JU_TAG       "\xee\x80\x80" /* U+E000, a private-use character */
#define JU_TAG_LEN   3
#define JU_MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH: deeper fails anyway */

struct ju_lex
{
  const char *in;
  size_t len, i;
  char *out;
  size_t n;
  unsigned char in_array[JU_MAX_DEPTH / 8]; /* a bit per nesting level */
  size_t depth;
  bool value_pos; /* the next token is a value, not an object key */
  bool lost;      /* nested deeper than we track: rewrite nothing more */
};

static void
ju_put (struct ju_lex *lx, const char *s, size_t n)
{
  memcpy (lx->out + lx->n, s, n);
  lx->n += n;
}

/* Line and column of in[pos], counted as jansson counts them (1-based
 * lines, columns in characters). */
static void
ju_where (const char *in, size_t pos, int *line, int *col)
{
  *line = 1;
  *col = 1;
  for (size_t k = 0; k < pos; k++)
    if (in[k] == '\n')
      {
        ++*line;
        *col = 1;
      }
    else if (((unsigned char) in[k] & 0xc0) != 0x80)
      ++*col;
}

static bool
ju_delim (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}';
}

/* A string literal at in[i]: copy it.  -1 when it starts with the tag. */
static int
ju_string (struct ju_lex *lx)
{
  const char *s = lx->in + lx->i + 1;
  size_t rest = lx->len - lx->i - 1;
  size_t k = lx->i + 1;

  if ((rest >= JU_TAG_LEN && memcmp (s, JU_TAG, JU_TAG_LEN) == 0)
      || (rest >= 6 && strncasecmp (s, "\\ue000", 6) == 0))
    return -1;
  while (k < lx->len && lx->in[k] != '"')
    k += lx->in[k] == '\\' ? 2 : 1;
  k = k < lx->len ? k + 1 : lx->len;
  ju_put (lx, lx->in + lx->i, k - lx->i);
  lx->i = k;
  lx->value_pos = false;
  return 0;
}

/* Digits at in[i] in a value position.  An integer above INT64_MAX becomes
 * '"' U+E000 BODY '"', as many columns as the digits: BODY is the value in
 * hex, zero-padded, or all 'x' above UINT64_MAX. */
static void
ju_number (struct ju_lex *lx)
{
  size_t start = lx->i, j = lx->i, len;
  uint64_t v = 0;
  bool over = false;

  while (j < lx->len && lx->in[j] >= '0' && lx->in[j] <= '9')
    {
      unsigned d = (unsigned) (lx->in[j] - '0');

      if (v > (UINT64_MAX - d) / 10)
        over = true;
      v = v * 10 + d;
      j++;
    }
  len = j - start;
  lx->value_pos = false;
  /* Fractions, exponents, leading zeros, junk after: jansson's business. */
  if ((j < lx->len && !ju_delim (lx->in[j])) || lx->in[start] == '0'
      || (!over && v <= (uint64_t) INT64_MAX))
    {
      ju_put (lx, lx->in + start, len);
      lx->i = j;
      return;
    }
  ju_put (lx, "\"" JU_TAG, 1 + JU_TAG_LEN);
  if (over)
    memset (lx->out + lx->n, 'x', len - 3);
  else
    {
      static const char hex[] = "0123456789abcdef";

      memset (lx->out + lx->n, '0', len - 3);
      for (size_t k = len - 3; v != 0; k--, v >>= 4)
        lx->out[lx->n + k - 1] = hex[v & 15];
    }
  lx->n += len - 3;
  ju_put (lx, "\"", 1);
  lx->i = j;
}

static void
ju_structural (struct ju_lex *lx, char c)
{
  size_t d = lx->depth;

  switch (c)
    {
    case '{':
    case '[':
      if (d >= JU_MAX_DEPTH)
        lx->lost = true;
      else
        {
          if (c == '[')
            lx->in_array[d / 8] |= (unsigned char) (1u << (d % 8));
          else
            lx->in_array[d / 8] &= (unsigned char) ~(1u << (d % 8));
          lx->depth++;
        }
      lx->value_pos = c == '[';
      break;
    case '}':
    case ']':
      if (lx->depth > 0)
        lx->depth--;
      lx->value_pos = false;
      break;
    case ':':
      lx->value_pos = true;
      break;
    case ',':
      lx->value_pos = d > 0 && (lx->in_array[(d - 1) / 8] & (1u << ((d - 1) % 8)));
      break;
    default:
      if (!ju_delim (c))
        lx->value_pos = false;
      break;
    }
  ju_put (lx, &c, 1);
  lx->i++;
}

/* The rewritten text in lx->out; -1 at a string starting with the tag
 * (lx->i is where). */
static int
ju_rewrite (struct ju_lex *lx)
{
  while (lx->i < lx->len)
    {
      char c = lx->in[lx->i];

      if (c == '"')
        {
          if (ju_string (lx) < 0)
            return -1;
        }
      else if (c >= '0' && c <= '9' && lx->value_pos && !lx->lost)
        ju_number (lx);
      else
        ju_structural (lx, c);
    }
  return 0;
}

/* Whether TEXT may need the rewrite: it has a run of 19 or more digits
 * (INT64_MAX has 19), U+E000's UTF-8 bytes, or a \u escape of it.  Most
 * configs have none of these and go to jansson as they are, uncopied. */
static bool
ju_needs_rewrite (const char *text, size_t len)
{
  size_t run = 0;

  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) text[i];

      if (c >= '0' && c <= '9')
        {
          if (++run >= 19)
            return true;
          continue;
        }
      run = 0;
      if (c == 0xee && i + 2 < len && memcmp (text + i, JU_TAG, JU_TAG_LEN) == 0)
        return true;
      if (c == '\\' && i + 5 < len && strncasecmp (text + i + 1, "ue000", 5) == 0)
        return true;
    }
  return false;
}

/* jansson seeds its hash function from /dev/urandom (open, read, close) on
 * first use; one getrandom call does the same.  If it fails, jansson still
 * seeds itself. */
static void
ju_seed (void)
{
  static bool seeded;
  uint32_t seed = 0;

  if (seeded)
    return;
  seeded = true;
  if (getrandom (&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t) sizeof seed && seed != 0)
    json_object_seed (seed);
}

json_t *
json_u64_load (const char *text, size_t len, const char *name, struct husk_err *err)
{
  cleanup_free char *buf = NULL;
  struct ju_lex lx = { .in = text, .len = len, .value_pos = true };
  const char *json = text;
  size_t json_len = len;
  json_error_t je;
  json_t *v;

  ju_seed ();
  if (ju_needs_rewrite (text, len))
    {
      /* Each rewrite turns >= 19 bytes into 2 more: well under len / 8. */
      lx.out = buf = xmalloc (len + len / 8 + 16);
      if (ju_rewrite (&lx) < 0)
        {
          int line, col;

          ju_where (text, lx.i, &line, &col);
          husk_err_set (err, 0,
                        "%s: line %d, column %d: a string may not start with U+E000 (husk "
                        "reserves it)",
                        name, line, col);
          return NULL;
        }
      json = buf;
      json_len = lx.n;
    }
  v = json_loadb (json, json_len, JSON_REJECT_DUPLICATES, &je);
  if (v == NULL)
    {
      char clean[sizeof je.text];

      /* jansson quotes the raw input after "near", newlines included. */
      husk_err_clean_text (clean, sizeof clean, je.text);
      husk_err_set (err, 0, "%s: line %d, column %d: %s", name, je.line, je.column, clean);
    }
  return v;
}

bool
json_u64_is_big (const json_t *v)
{
  const char *s;
  size_t n;

  if (!json_is_string (v))
    return false;
  s = json_string_value (v);
  n = json_string_length (v);
  if (n <= JU_TAG_LEN || memcmp (s, JU_TAG, JU_TAG_LEN) != 0)
    return false;
  if (strspn (s + JU_TAG_LEN, "x") == n - JU_TAG_LEN)
    return true;
  return strspn (s + JU_TAG_LEN, "0123456789abcdef") == n - JU_TAG_LEN;
}

json_type
json_u64_typeof (const json_t *v)
{
  return json_u64_is_big (v) ? JSON_INTEGER : json_typeof (v);
}

int
json_u64_value (const json_t *v, uint64_t *out, bool *too_big)
{
  const char *s;
  uint64_t n = 0;

  *too_big = false;
  if (json_is_integer (v))
    {
      if (json_integer_value (v) < 0)
        return -1;
      *out = (uint64_t) json_integer_value (v);
      return 0;
    }
  if (!json_u64_is_big (v))
    return -1;
  s = json_string_value (v) + JU_TAG_LEN;
  if (*s == 'x')
    {
      *too_big = true;
      return -1;
    }
  for (; *s != '\0'; s++)
    n = (n << 4) | (uint64_t) (*s <= '9' ? *s - '0' : *s - 'a' + 10);
  *out = n;
  return 0;
}

json_t *
json_u64_new (uint64_t v)
{
  char buf[JU_TAG_LEN + 17];
  static const char hex[] = "0123456789abcdef";

  if (v <= (uint64_t) INT64_MAX)
    return json_integer ((json_int_t) v);
  memcpy (buf, JU_TAG, JU_TAG_LEN);
  for (int k = 15; k >= 0; k--, v >>= 4)
    buf[JU_TAG_LEN + k] = hex[v & 15];
  buf[JU_TAG_LEN + 16] = '\0';
  return json_string (buf);
}

char *
json_u64_dumps (const json_t *v, size_t flags, size_t n_big)
{
  cleanup_free char *text = json_dumps (v, flags);
  char *w, *r;
  size_t found = 0;

  if (text == NULL)
    husk_die ("out of memory");
  /* A tag dumps as '"' U+E000 16 hex digits '"' (21 bytes, more than any
   * decimal): rewrite in place. */
  for (r = w = text; *r != '\0';)
    {
      size_t hexlen = r[0] == '"' && strncmp (r + 1, JU_TAG, JU_TAG_LEN) == 0
                        ? strspn (r + 1 + JU_TAG_LEN, "0123456789abcdef")
                        : 0;

      if (hexlen == 16 && r[1 + JU_TAG_LEN + 16] == '"')
        {
          uint64_t n = 0;

          for (size_t k = 0; k < 16; k++)
            {
              char c = r[1 + JU_TAG_LEN + k];
              n = (n << 4) | (uint64_t) (c <= '9' ? c - '0' : c - 'a' + 10);
            }
          w += sprintf (w, "%llu", (unsigned long long) n);
          r += 1 + JU_TAG_LEN + 16 + 1;
          found++;
        }
      else if (r[0] == '\\' && r[1] != '\0')
        {
          *w++ = *r++;
          *w++ = *r++;
        }
      else
        *w++ = *r++;
    }
  *w = '\0';
  if (found != n_big)
    return NULL;
  return steal_pointer (&text);
}

const char *
json_u64_string (const json_t *v)
{
  if (!json_is_string (v) || json_u64_is_big (v))
    return NULL;
  return json_string_value (v);
}
