/* devcg.c: the device cgroup of OCI linux.resources.devices (issue 5) on
 * cgroup v2, where it is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE)
 * attached to the sandbox's cgroup (BPF_CGROUP_DEVICE): the kernel runs it
 * on every open of a device node (read, write) and every mknod of one,
 * from a process of that cgroup, and refuses (EPERM) when it returns 0.
 *
 * The program is written here instruction by instruction (no libbpf, no
 * compiler).  It gets struct bpf_cgroup_dev_ctx: access_type (the access
 * bits, BPF_DEVCG_ACC_*, shifted left by 16, or'ed with the device type,
 * BPF_DEVCG_DEV_*), major and minor.  Each access asked for is decided by
 * the last rule matching the device and that access, so the program walks
 * the rules from the last to the first with the accesses still undecided
 * (r3):
 *
 *     r2 = type; r3 = accesses; r4 = major; r5 = minor
 *     for each rule, last first:
 *       (if type differs, major differs, minor differs: next rule)
 *       deny:  if (r3 & access) return 0          (one asked access denied)
 *       allow: r3 &= ~access; if (r3 == 0) return 1 (all decided, allowed)
 *     return 0                                     (nothing decided: denied)
 *
 * Comparisons are 32-bit (BPF_JMP32) since majors and minors are u32.
 *
 * cgroup_create (cgroup.c) attaches it, with BPF_F_ALLOW_MULTI so that a
 * program of an enclosing cgroup keeps applying too, before the sandbox is
 * cloned into the cgroup: nothing of the sandbox runs without it.  It is
 * detached at the end (the cgroup, when husk made it, is removed anyway;
 * one that was there before must not keep it).
 *
 * Must not: touch any cgroup but the one it is given.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define DEVCG_INSN(c, d, s, o, i) \
  ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
/* r = *(u32 *) (r1 + off) */
#define DEVCG_LOAD(r, o)        DEVCG_INSN (BPF_LDX | BPF_MEM | BPF_W, (r), BPF_REG_1, (o), 0)
#define DEVCG_ALU32(op, r, imm) DEVCG_INSN (BPF_ALU | (op) | BPF_K, (r), 0, 0, (imm))
#define DEVCG_MOV32_REG(d, s)   DEVCG_INSN (BPF_ALU | BPF_MOV | BPF_X, (d), (s), 0, 0)
/* if ((u32) r op imm) goto pc + 1 + off */
#define DEVCG_JMP32(op, r, imm, o) DEVCG_INSN (BPF_JMP32 | (op) | BPF_K, (r), 0, (o), (imm))
#define DEVCG_EXIT()               DEVCG_INSN (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* The longest block of one rule: 3 compares, then 5 instructions. */
#define DEVCG_BLOCK_MAX 8

/* One rule's block; the compares jump past its end (to the next rule). */
static size_t
devcg_rule_block (const struct husk_device_rule *r, struct bpf_insn *b)
{
  size_t n = 0, njumps;

  if (r->type != 'a')
    b[n++] = DEVCG_JMP32 (BPF_JNE, BPF_REG_2,
                          r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
  if (r->major != HUSK_DEV_ANY)
    b[n++] = DEVCG_JMP32 (BPF_JNE, BPF_REG_4, (int32_t) (uint32_t) r->major, 0);
  if (r->minor != HUSK_DEV_ANY)
    b[n++] = DEVCG_JMP32 (BPF_JNE, BPF_REG_5, (int32_t) (uint32_t) r->minor, 0);
  njumps = n;
  if (r->allow)
    {
      b[n++] = DEVCG_ALU32 (BPF_AND, BPF_REG_3, (int32_t) (~r->access & HUSK_DEV_ALL));
      b[n++] = DEVCG_JMP32 (BPF_JNE, BPF_REG_3, 0, 2);
      b[n++] = DEVCG_ALU32 (BPF_MOV, BPF_REG_0, 1);
    }
  else
    {
      b[n++] = DEVCG_MOV32_REG (BPF_REG_1, BPF_REG_3);
      b[n++] = DEVCG_ALU32 (BPF_AND, BPF_REG_1, (int32_t) r->access);
      b[n++] = DEVCG_JMP32 (BPF_JEQ, BPF_REG_1, 0, 2);
      b[n++] = DEVCG_ALU32 (BPF_MOV, BPF_REG_0, 0);
    }
  b[n++] = DEVCG_EXIT ();
  for (size_t i = 0; i < njumps; i++)
    b[i].off = (int16_t) (n - i - 1);
  return n;
}

/* The program for the plan's rules (caller frees), its length in *len. */
struct bpf_insn *
devcg_compile (const struct husk_device_rule *rules, size_t n_rules, size_t *len)
{
  static const struct bpf_insn head[] = {
    DEVCG_LOAD (BPF_REG_2, offsetof (struct bpf_cgroup_dev_ctx, access_type)),
    DEVCG_LOAD (BPF_REG_4, offsetof (struct bpf_cgroup_dev_ctx, major)),
    DEVCG_LOAD (BPF_REG_5, offsetof (struct bpf_cgroup_dev_ctx, minor)),
    DEVCG_MOV32_REG (BPF_REG_3, BPF_REG_2),
    DEVCG_ALU32 (BPF_AND, BPF_REG_2, 0xffff),
    DEVCG_ALU32 (BPF_RSH, BPF_REG_3, 16),
  };
  size_t nhead = sizeof head / sizeof head[0];
  struct bpf_insn *prog = xcalloc (nhead + n_rules * DEVCG_BLOCK_MAX + 2, sizeof *prog);
  size_t n = nhead;

  memcpy (prog, head, sizeof head);
  for (size_t i = n_rules; i-- > 0;)
    n += devcg_rule_block (&rules[i], prog + n);
  prog[n++] = DEVCG_ALU32 (BPF_MOV, BPF_REG_0, 0);
  prog[n++] = DEVCG_EXIT ();
  *len = n;
  return prog;
}

static int
devcg_bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

/* Load the program and attach it to the cgroup at cgroup_fd; the
 * program's fd (close-on-exec, as every bpf fd) in *prog_fd, for
 * devcg_detach.  A failure to load or attach for lack of privileges (no
 * CAP_BPF and CAP_SYS_ADMIN: an unprivileged user, even with a delegated
 * cgroup) sets *denied. */
int
devcg_attach (const struct husk_plan *plan, int cgroup_fd, int *prog_fd, bool *denied,
              struct husk_err *err)
{
  const char *where
    = plan->device_rules_origin.where ? plan->device_rules_origin.where : "device rules";
  size_t len = 0;
  cleanup_free struct bpf_insn *prog
    = devcg_compile (plan->device_rules, plan->n_device_rules, &len);
  static char log[16384];
  union bpf_attr attr;
  cleanup_fd int fd = -1;

  *denied = false;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) prog;
  attr.insn_cnt = (uint32_t) len;
  attr.license = (uint64_t) (uintptr_t) "MIT"; /* no GPL-only helper is called */
  strncpy (attr.prog_name, "husk_devices", sizeof attr.prog_name - 1);
  fd = devcg_bpf (BPF_PROG_LOAD, &attr);
  if (fd < 0 && errno == EINVAL)
    {
      /* A program the verifier refuses is husk's bug: say why. */
      log[0] = '\0';
      attr.log_buf = (uint64_t) (uintptr_t) log;
      attr.log_size = sizeof log;
      attr.log_level = 1;
      fd = devcg_bpf (BPF_PROG_LOAD, &attr);
      if (fd < 0)
        {
          char *last;

          log[sizeof log - 1] = '\0';
          while ((last = strrchr (log, '\n')) != NULL && last[1] == '\0')
            *last = '\0';
          last = strrchr (log, '\n');
          return husk_err_sys (err, "%s: loading the device cgroup's eBPF program (verifier: %s)",
                               where, last ? last + 1 : log);
        }
    }
  if (fd < 0)
    {
      *denied = errno == EPERM || errno == EACCES;
      return husk_err_sys (err, "%s: loading the device cgroup's eBPF program", where);
    }
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgroup_fd;
  attr.attach_bpf_fd = (uint32_t) fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (devcg_bpf (BPF_PROG_ATTACH, &attr) < 0)
    {
      *denied = errno == EPERM || errno == EACCES;
      return husk_err_sys (err, "%s: attaching the device cgroup's eBPF program", where);
    }
  *prog_fd = steal_fd (&fd);
  return 0;
}

/* Detach the program (best effort) and close its fd. */
void
devcg_detach (int cgroup_fd, int *prog_fd)
{
  union bpf_attr attr;

  if (*prog_fd < 0)
    return;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (uint32_t) cgroup_fd;
  attr.attach_bpf_fd = (uint32_t) *prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  (void) devcg_bpf (BPF_PROG_DETACH, &attr);
  husk_cleanup_closep (prog_fd);
  *prog_fd = -1;
}
