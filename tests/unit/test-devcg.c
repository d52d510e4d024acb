/* test-devcg.c: unit tests of the device cgroup's eBPF program compiler
 * (src/exec/devcg.c, devcg_compile).  The program is run by a small
 * interpreter of the instructions the compiler emits (anything else fails
 * the test) and compared with the rules' meaning, written here plainly:
 * for each access bit asked for, the last rule matching the device and
 * that bit decides; nothing matching denies.  Fixed cases, then random
 * rule lists against random requests.
 * In-process; prints TAP.  Must stay valgrind-clean.
 *
 * Must not: need privileges, or load programs into the kernel (the
 * sandbox test tests/sandbox/oci-devices-cgroup.sh does, as root).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec_int.h"
#include "tap.h"

/* Run the program on a request: its return value, or -1 for an
 * instruction the interpreter does not know, a jump out of the program,
 * or a register read before it was written. */
static int
run (const struct bpf_insn *prog, size_t len, uint32_t type, uint32_t access, uint32_t major,
     uint32_t minor)
{
  const uint32_t ctx[3] = { (access << 16) | type, major, minor };
  uint64_t reg[11] = { 0 };
  unsigned set = 1u << 1; /* r1 = ctx */

  for (size_t pc = 0; pc < len; pc++)
    {
      const struct bpf_insn *i = &prog[pc];
      uint32_t d = (uint32_t) reg[i->dst_reg];
      uint32_t k = (uint32_t) i->imm;
      bool jump;

      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          if (i->src_reg != 1 || i->off < 0 || i->off > 8 || i->off % 4 != 0)
            return -1;
          reg[i->dst_reg] = ctx[i->off / 4];
          set |= 1u << i->dst_reg;
          continue;
        case BPF_ALU | BPF_MOV | BPF_K:
          reg[i->dst_reg] = k;
          set |= 1u << i->dst_reg;
          continue;
        case BPF_ALU | BPF_MOV | BPF_X:
          if (!(set & (1u << i->src_reg)))
            return -1;
          reg[i->dst_reg] = (uint32_t) reg[i->src_reg];
          set |= 1u << i->dst_reg;
          continue;
        case BPF_ALU | BPF_AND | BPF_K:
        case BPF_ALU | BPF_RSH | BPF_K:
          if (!(set & (1u << i->dst_reg)))
            return -1;
          reg[i->dst_reg] = (i->code & 0xf0) == BPF_AND ? d & k : d >> k;
          continue;
        case BPF_JMP32 | BPF_JNE | BPF_K:
        case BPF_JMP32 | BPF_JEQ | BPF_K:
          if (!(set & (1u << i->dst_reg)))
            return -1;
          jump = (i->code & 0xf0) == BPF_JEQ ? d == k : d != k;
          if (jump)
            {
              if (i->off < 0 || pc + 1 + (size_t) i->off >= len)
                return -1;
              pc += (size_t) i->off;
            }
          continue;
        case BPF_JMP | BPF_EXIT:
          return (set & 1) ? (int) reg[0] : -1;
        default:
          return -1;
        }
    }
  return -1; /* fell off the end */
}

/* The rules' meaning, plainly. */
static int
expect (const struct husk_device_rule *rules, size_t n, uint32_t type, uint32_t access,
        uint32_t major, uint32_t minor)
{
  for (unsigned bit = 1; bit <= 4; bit <<= 1)
    {
      bool allowed = false;

      if (!(access & bit))
        continue;
      for (size_t i = 0; i < n; i++)
        {
          const struct husk_device_rule *r = &rules[i];

          if ((r->type == 'a' || (r->type == 'b') == (type == BPF_DEVCG_DEV_BLOCK))
              && (r->major == HUSK_DEV_ANY || (uint32_t) r->major == major)
              && (r->minor == HUSK_DEV_ANY || (uint32_t) r->minor == minor) && (r->access & bit))
            allowed = r->allow;
        }
      if (!allowed)
        return 0;
    }
  return 1;
}

#define R(allow, type, major, minor, access)     \
  {                                              \
    (allow), (type), (major), (minor), (access), \
    {                                            \
      NULL, -1                                   \
    }                                            \
  }

static int
decide (const struct husk_device_rule *rules, size_t n, char type, unsigned access, uint32_t major,
        uint32_t minor)
{
  size_t len = 0;
  struct bpf_insn *prog = devcg_compile (rules, n, &len);
  int r
    = run (prog, len, type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, access, major, minor);

  free (prog);
  return r;
}

static void
test_fixed (void)
{
  const struct husk_device_rule deny_all[]
    = { R (false, 'a', -1, -1, HUSK_DEV_ALL), R (true, 'c', 1, 3, HUSK_DEV_ALL) };
  const struct husk_device_rule deny_w[]
    = { R (true, 'a', -1, -1, HUSK_DEV_ALL), R (false, 'c', 1, 3, HUSK_DEV_WRITE) };
  const struct husk_device_rule two[]
    = { R (true, 'c', 1, -1, HUSK_DEV_READ), R (true, 'c', -1, 5, HUSK_DEV_WRITE) };
  const struct husk_device_rule big[] = { R (true, 'c', 4294967295, 4294967295, HUSK_DEV_ALL) };

  ok (decide (NULL, 0, 'c', HUSK_DEV_READ, 1, 3) == 0, "no rules: denied");
  ok (decide (deny_all, 2, 'c', HUSK_DEV_READ | HUSK_DEV_WRITE, 1, 3) == 1,
      "deny all, allow c 1:3: rw of 1:3 allowed");
  ok (decide (deny_all, 2, 'c', HUSK_DEV_READ, 1, 5) == 0, "deny all, allow c 1:3: 1:5 denied");
  ok (decide (deny_all, 2, 'b', HUSK_DEV_READ, 1, 3) == 0,
      "deny all, allow c 1:3: block 1:3 denied");
  ok (decide (deny_w, 2, 'c', HUSK_DEV_READ, 1, 3) == 1, "deny c 1:3 w: read allowed");
  ok (decide (deny_w, 2, 'c', HUSK_DEV_READ | HUSK_DEV_WRITE, 1, 3) == 0,
      "deny c 1:3 w: read-write denied");
  ok (decide (deny_w, 2, 'c', HUSK_DEV_MKNOD, 1, 3) == 1, "deny c 1:3 w: mknod allowed");
  ok (decide (two, 2, 'c', HUSK_DEV_READ | HUSK_DEV_WRITE, 1, 5) == 1,
      "r from one rule, w from another: read-write allowed");
  ok (decide (two, 2, 'c', HUSK_DEV_READ | HUSK_DEV_WRITE, 1, 6) == 0,
      "only r allowed: read-write denied");
  ok (decide (big, 1, 'c', HUSK_DEV_READ, 4294967295u, 4294967295u) == 1,
      "major and minor 2^32-1 compare as u32");
  ok (decide (big, 1, 'c', HUSK_DEV_READ, 4294967295u, 0) == 0, "and only those");
}

static uint32_t seed = 12345;

static uint32_t
rnd (uint32_t n)
{
  seed = seed * 1103515245u + 12345u;
  return (seed >> 8) % n;
}

static void
test_random (void)
{
  static const char types[] = { 'a', 'b', 'c' };
  unsigned mismatches = 0, bad = 0, runs = 0;

  for (int t = 0; t < 2000; t++)
    {
      struct husk_device_rule rules[12];
      size_t n = rnd (12), len = 0;
      struct bpf_insn *prog;

      for (size_t i = 0; i < n; i++)
        rules[i] = (struct husk_device_rule) R (
          rnd (2) == 0, types[rnd (3)], rnd (3) == 0 ? -1 : (int64_t) rnd (3),
          rnd (3) == 0 ? -1 : (int64_t) rnd (3), 1 + rnd (HUSK_DEV_ALL));
      prog = devcg_compile (rules, n, &len);
      for (uint32_t type = 1; type <= 2; type++)
        for (uint32_t access = 1; access <= HUSK_DEV_ALL; access++)
          for (uint32_t major = 0; major < 3; major++)
            for (uint32_t minor = 0; minor < 3; minor++)
              {
                int got = run (prog, len, type, access, major, minor);

                runs++;
                bad += got < 0;
                mismatches += got != expect (rules, n, type, access, major, minor);
              }
      free (prog);
    }
  ok (bad == 0, "random rule lists: every run ends in an exit (%u did not)", bad);
  ok (mismatches == 0, "random rule lists: the program decides as the rules say (%u of %u differ)",
      mismatches, runs);
}

int
main (void)
{
  test_fixed ();
  test_random ();
  return tap_done ();
}
