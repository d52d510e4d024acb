/* test-seccomp-profile.c: unit tests of the seccomp profile compiler
 * (src/lib/seccomp_profile.c) and the cache, in-process.  Compiled
 * programs are checked by running them through a tiny classic-BPF
 * interpreter on made-up seccomp_data, so every action, operator and
 * error path is exercised without loading a filter.  Also the issue-6
 * flags' front end (--seccomp-profile, --memory-max, --pids-max,
 * --cpu-max, --io-weight, --net).  Prints TAP.
 *
 * Must not: need privileges, load a filter, or write outside $TMPDIR.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/json_u64.h"
#include "lib/seccomp_profile.h"
#include "lib/sha256.h"
#include "plan/plan.h"
#include "tap.h"

/* ---- A classic-BPF interpreter, enough for libseccomp's output ---------- */

static uint32_t
bpf_run (const struct sock_filter *prog, size_t n, const struct seccomp_data *d)
{
  uint32_t a = 0, x = 0, mem[16] = { 0 };
  size_t pc = 0;

  while (pc < n)
    {
      const struct sock_filter *f = &prog[pc++];
      uint32_t k = f->k;

      switch (BPF_CLASS (f->code))
        {
        case BPF_LD:
          if (BPF_MODE (f->code) == BPF_ABS && k + 4 <= sizeof *d)
            memcpy (&a, (const char *) d + k, 4);
          else if (BPF_MODE (f->code) == BPF_MEM)
            a = mem[k & 15];
          else if (BPF_MODE (f->code) == BPF_IMM)
            a = k;
          else
            return 0xdead;
          break;
        case BPF_LDX:
          x = BPF_MODE (f->code) == BPF_MEM ? mem[k & 15] : k;
          break;
        case BPF_ST:
          mem[k & 15] = a;
          break;
        case BPF_STX:
          mem[k & 15] = x;
          break;
        case BPF_ALU:
          {
            uint32_t v = BPF_SRC (f->code) == BPF_X ? x : k;
            switch (BPF_OP (f->code))
              {
              case BPF_AND: a &= v; break;
              case BPF_OR: a |= v; break;
              case BPF_ADD: a += v; break;
              case BPF_SUB: a -= v; break;
              case BPF_NEG: a = -a; break;
              case BPF_LSH: a <<= v; break;
              case BPF_RSH: a >>= v; break;
              default: return 0xdead;
              }
            break;
          }
        case BPF_JMP:
          {
            uint32_t v = BPF_SRC (f->code) == BPF_X ? x : k;
            bool c;
            if (BPF_OP (f->code) == BPF_JA)
              {
                pc += k;
                break;
              }
            switch (BPF_OP (f->code))
              {
              case BPF_JEQ: c = a == v; break;
              case BPF_JGT: c = a > v; break;
              case BPF_JGE: c = a >= v; break;
              case BPF_JSET: c = (a & v) != 0; break;
              default: return 0xdead;
              }
            pc += c ? f->jt : f->jf;
            break;
          }
        case BPF_RET:
          return BPF_RVAL (f->code) == BPF_A ? a : k;
        case BPF_MISC:
          if (BPF_MISCOP (f->code) == BPF_TAX)
            x = a;
          else
            a = x;
          break;
        default:
          return 0xdead;
        }
    }
  return 0xdead;
}

/* The action the compiled profile returns for (arch, nr, args...). */
static uint32_t
verdict (const struct sock_filter *prog, size_t n, uint32_t arch, int nr, uint64_t a0, uint64_t a1)
{
  struct seccomp_data d = { .nr = nr, .arch = arch, .args = { a0, a1 } };
  return bpf_run (prog, n, &d);
}

/* ---- Helpers ------------------------------------------------------------ */

/* Compile JSON text; 0 ok (*c set), -1 with err. */
static int
compile_c (const char *text, struct seccomp_compiled *c, struct husk_err *err)
{
  json_t *j = json_u64_load (text, strlen (text), "test", err);
  int r;

  if (j == NULL)
    {
      fprintf (stderr, "bad test JSON: %s: %s\n", err->msg, text);
      exit (2);
    }
  memset (err, 0, sizeof *err);
  r = seccomp_profile_compile (j, "linux.seccomp", c, err);
  json_decref (j);
  return r;
}

/* The same, for the program only; 0 ok (prog set), -1 with err. */
static int
compile (const char *text, struct sock_filter **prog, size_t *n, struct husk_err *err)
{
  struct seccomp_compiled c = { 0 };
  int r = compile_c (text, &c, err);

  *prog = steal_pointer (&c.prog);
  *n = c.n;
  seccomp_compiled_free (&c);
  return r;
}

static void
compile_fails (const char *text, const char *want)
{
  struct sock_filter *prog;
  struct husk_err err;
  size_t n;
  int r = compile (text, &prog, &n, &err);

  ok (r < 0 && strcmp (err.msg, want) == 0, "error: %s", want);
  if (r == 0 || strcmp (err.msg, want) != 0)
    diag ("  got: %s", r < 0 ? err.msg : "(compiled)");
  free (prog);
}

#define X86_64 AUDIT_ARCH_X86_64
#define I386   AUDIT_ARCH_I386
#define ACT_ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static void
test_actions (void)
{
  static const struct
  {
    const char *json;
    uint32_t want;
  } cases[] = {
    { "SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD },
    { "SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD },
    { "SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS },
    { "SCMP_ACT_TRAP", SECCOMP_RET_TRAP },
    { "SCMP_ACT_ERRNO", ACT_ERRNO (EPERM) },
    { "SCMP_ACT_TRACE", SECCOMP_RET_TRACE | EPERM },
    { "SCMP_ACT_LOG", SECCOMP_RET_LOG },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char text[256];
      struct sock_filter *prog;
      struct husk_err err;
      size_t n;

      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],"
                "\"action\":\"%s\"}]}",
                cases[i].json);
      if (compile (text, &prog, &n, &err) < 0)
        {
          ok (0, "%s compiles: %s", cases[i].json, err.msg);
          continue;
        }
      ok (verdict (prog, n, X86_64, SYS_getpid, 0, 0) == cases[i].want
            && verdict (prog, n, X86_64, SYS_getppid, 0, 0) == SECCOMP_RET_ALLOW,
          "action %s", cases[i].json);
      free (prog);
    }
}

static void
test_errno_and_default (void)
{
  struct sock_filter *prog;
  struct husk_err err;
  size_t n;

  if (compile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
               "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\","
               "\"errnoRet\":122},{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"},"
               "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7}]}",
               &prog, &n, &err)
      < 0)
    {
      ok (0, "errno profile compiles: %s", err.msg);
      return;
    }
  ok (verdict (prog, n, X86_64, SYS_mkdir, 0, 0) == ACT_ERRNO (122), "errnoRet 122 on mkdir");
  ok (verdict (prog, n, X86_64, SYS_mkdirat, 0, 0) == ACT_ERRNO (122), "and on mkdirat");
  ok (verdict (prog, n, X86_64, SYS_getpid, 0, 0) == SECCOMP_RET_ALLOW, "allowed syscall");
  ok (verdict (prog, n, X86_64, SYS_getppid, 0, 0) == (SECCOMP_RET_TRACE | 7), "trace value 7");
  ok (verdict (prog, n, X86_64, SYS_read, 0, 0) == ACT_ERRNO (38), "defaultErrnoRet 38");
  ok (verdict (prog, n, I386, 20, 0, 0) == SECCOMP_RET_KILL_THREAD,
      "an architecture not listed is killed");
  free (prog);
}

static void
test_operators (void)
{
  static const struct
  {
    const char *op;
    uint64_t value, value2;
    uint64_t arg;
    bool match;
  } cases[] = {
    { "SCMP_CMP_EQ", 5, 0, 5, true },        { "SCMP_CMP_EQ", 5, 0, 6, false },
    { "SCMP_CMP_NE", 5, 0, 6, true },        { "SCMP_CMP_NE", 5, 0, 5, false },
    { "SCMP_CMP_LT", 5, 0, 4, true },        { "SCMP_CMP_LT", 5, 0, 5, false },
    { "SCMP_CMP_LE", 5, 0, 5, true },        { "SCMP_CMP_LE", 5, 0, 6, false },
    { "SCMP_CMP_GE", 5, 0, 5, true },        { "SCMP_CMP_GE", 5, 0, 4, false },
    { "SCMP_CMP_GT", 5, 0, 6, true },        { "SCMP_CMP_GT", 5, 0, 5, false },
    { "SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x3a, true },
    { "SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x4a, false },
    { "SCMP_CMP_EQ", 0x100000000ull, 0, 0x100000000ull, true },
    { "SCMP_CMP_EQ", 0x100000000ull, 0, 0, false },
    /* Above INT64_MAX: jansson alone refuses these (json_u64.c reads them). */
    { "SCMP_CMP_EQ", UINT64_MAX, 0, UINT64_MAX, true },
    { "SCMP_CMP_EQ", UINT64_MAX, 0, UINT64_MAX - 1, false },
    { "SCMP_CMP_EQ", UINT64_MAX, 0, 0xffffffffull, false },
    { "SCMP_CMP_GT", 1ull << 63, 0, UINT64_MAX, true },
    { "SCMP_CMP_GT", 1ull << 63, 0, 1ull << 63, false },
    { "SCMP_CMP_MASKED_EQ", UINT64_MAX, 1ull << 63, 1ull << 63, true },
    { "SCMP_CMP_MASKED_EQ", UINT64_MAX, 1ull << 63, (1ull << 63) | 1, false },
    { "SCMP_CMP_MASKED_EQ", 1ull << 63, 1ull << 63, (1ull << 63) | 7, true },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      char text[512];
      struct sock_filter *prog;
      struct husk_err err;
      size_t n;
      uint32_t v;

      snprintf (text, sizeof text,
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"personality\"],"
                "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":9,\"args\":[{\"index\":0,"
                "\"value\":%llu,\"valueTwo\":%llu,\"op\":\"%s\"}]}]}",
                (unsigned long long) cases[i].value, (unsigned long long) cases[i].value2,
                cases[i].op);
      if (compile (text, &prog, &n, &err) < 0)
        {
          ok (0, "%s compiles: %s", cases[i].op, err.msg);
          continue;
        }
      v = verdict (prog, n, X86_64, SYS_personality, cases[i].arg, 0);
      ok (v == (cases[i].match ? ACT_ERRNO (9) : SECCOMP_RET_ALLOW), "%s %llu vs %#llx: %s",
          cases[i].op, (unsigned long long) cases[i].value, (unsigned long long) cases[i].arg,
          cases[i].match ? "matches" : "does not match");
      free (prog);
    }
}

static void
test_args_and (void)
{
  struct sock_filter *prog;
  struct husk_err err;
  size_t n;

  if (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kill\"],"
               "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
               "\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}]}",
               &prog, &n, &err)
      < 0)
    {
      ok (0, "two-argument rule compiles: %s", err.msg);
      return;
    }
  ok (verdict (prog, n, X86_64, SYS_kill, 1, 9) == ACT_ERRNO (EPERM), "args: both hold");
  ok (verdict (prog, n, X86_64, SYS_kill, 1, 15) == SECCOMP_RET_ALLOW, "args: one fails");
  free (prog);
}

static void
test_architectures (void)
{
  struct sock_filter *prog;
  struct husk_err err;
  size_t n;

  if (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
               "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"flags\":[\"SECCOMP_FILTER_FLAG_TSYNC\"],"
               "\"syscalls\":[{\"names\":[\"mkdir\",\"socketcall\",\"no_such_call_xyz\"],"
               "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},{\"names\":[\"not_a_syscall\"],"
               "\"action\":\"SCMP_ACT_ALLOW\"}]}",
               &prog, &n, &err)
      == 0)
    {
      ok (0, "a denied unknown syscall is an error");
      free (prog);
    }
  else
    ok (strcmp (err.msg, "linux.seccomp.syscalls[0].names[2]: unknown syscall "
                         "\"no_such_call_xyz\" (libseccomp cannot deny it)")
          == 0,
        "a denied unknown syscall is an error naming it: %s", err.msg);
  if (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
               "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"mkdir\","
               "\"socketcall\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1},"
               "{\"names\":[\"not_a_syscall\"],\"action\":\"SCMP_ACT_LOG\"},"
               "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
               &prog, &n, &err)
      < 0)
    {
      ok (0, "three-arch profile compiles: %s", err.msg);
      return;
    }
  ok (1, "an allowed unknown syscall is skipped; a rule equal to the default is skipped");
  ok (verdict (prog, n, X86_64, SYS_mkdir, 0, 0) == ACT_ERRNO (1), "x86_64 mkdir (83)");
  ok (verdict (prog, n, I386, 39, 0, 0) == ACT_ERRNO (1), "i386 mkdir (39)");
  ok (verdict (prog, n, I386, 102, 0, 0) == ACT_ERRNO (1), "i386 socketcall (102)");
  ok (verdict (prog, n, X86_64, 0x40000000 | 83, 0, 0) == ACT_ERRNO (1), "x32 mkdir");
  ok (verdict (prog, n, X86_64, SYS_rmdir, 0, 0) == SECCOMP_RET_ALLOW, "x86_64 rmdir allowed");
  free (prog);
}

static void
test_errors (void)
{
  compile_fails ("[]", "linux.seccomp: must be a JSON object");
  compile_fails ("{}", "linux.seccomp.defaultAction: missing");
  compile_fails ("{\"defaultAction\":5}", "linux.seccomp.defaultAction: must be a string");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_FOO\"}",
                 "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_NOTIFY\",\"listenerPath\":\"/run/a\"}",
                 "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1}",
                 "linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take "
                 "one, not SCMP_ACT_ALLOW");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
                 "linux.seccomp.defaultErrnoRet: must be a non-negative integer");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4096}",
                 "linux.seccomp.defaultErrnoRet: 4096 is out of range (0..4095)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ERRNO\","
                 "\"defaultErrnoRet\":9223372036854775808}",
                 "linux.seccomp.defaultErrnoRet: 9223372036854775808 is out of range (0..4095)");
  compile_fails ("{\"defaultAction\":18446744073709551615}",
                 "linux.seccomp.defaultAction: must be a string");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"lseek\"],"
                 "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,"
                 "\"value\":18446744073709551616,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].value: out of range "
                 "(0..18446744073709551615)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"lseek\"],"
                 "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,"
                 "\"value\":1,\"op\":18446744073709551615}]}]}",
                 "linux.seccomp.syscalls[0].args[0].op: must be a string");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                 "[18446744073709551615],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                 "linux.seccomp.syscalls[0].names[0]: must be a syscall name");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":\"x\"}",
                 "linux.seccomp.architectures: must be an array of strings");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_VAX\"]}",
                 "linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_VAX\"");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[1]}",
                 "linux.seccomp.architectures[0]: must be a string");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"X\"]}",
                 "linux.seccomp.flags[0]: unknown flag \"X\"");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
                 "linux.seccomp.syscalls: must be an array");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[1]}",
                 "linux.seccomp.syscalls[0]: must be an object");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},"
                 "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_FOO\"}]}",
                 "linux.seccomp.syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}",
                 "linux.seccomp.syscalls[0].action: missing");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_LOG\"}]}",
                 "linux.seccomp.syscalls[0].names: missing");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":"
                 "\"SCMP_ACT_LOG\"}]}",
                 "linux.seccomp.syscalls[0].names: must be a non-empty array of syscall names");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"\"],\"action\":"
                 "\"SCMP_ACT_LOG\"}]}",
                 "linux.seccomp.syscalls[0].names[0]: must be a syscall name");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]}",
                 "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE "
                 "take one, not SCMP_ACT_KILL");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"includes\":{}}]}",
                 "linux.seccomp.syscalls[0].includes: Docker's profile extension, not the "
                 "runtime-spec format");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":{}}]}",
                 "linux.seccomp.syscalls[0].args: must be an array");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].index: missing");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":6,\"value\":1,\"op\":"
                 "\"SCMP_CMP_EQ\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].value: missing");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1}]}]}",
                 "linux.seccomp.syscalls[0].args[0].op: missing");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
                 "\"SCMP_CMP_XOR\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XOR\"");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                 "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":-3,\"op\":"
                 "\"SCMP_CMP_EQ\"}]}]}",
                 "linux.seccomp.syscalls[0].args[0].value: must be a non-negative integer");
}

/* The JSON path prefix is optional (a profile file). */
static void
test_no_prefix (void)
{
  json_t *j = json_loads ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                          "[\"read\"],\"action\":\"SCMP_ACT_FOO\"}]}",
                          0, NULL);
  struct seccomp_compiled c = { 0 };
  struct husk_err err = { 0 };

  ok (seccomp_profile_compile (j, NULL, &c, &err) < 0
        && strcmp (err.msg, "syscalls[0].action: unknown action \"SCMP_ACT_FOO\"") == 0,
      "without a prefix: %s", err.msg);
  json_decref (j);
  seccomp_compiled_free (&c);
}

static void
test_sha256 (void)
{
  static const char *const want[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  };
  static const char *const in[]
    = { "", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq" };

  for (int i = 0; i < 3; i++)
    {
      unsigned char d[SHA256_LEN];
      char hex[65];
      struct sha256 s;

      sha256_init (&s);
      sha256_update (&s, in[i], strlen (in[i]));
      sha256_final (&s, d);
      for (int k = 0; k < SHA256_LEN; k++)
        snprintf (hex + 2 * k, 3, "%02x", d[k]);
      ok (strcmp (hex, want[i]) == 0, "sha256 (\"%s\")", in[i]);
    }
}

/* Cache round trip, validation and the file's mode, in a scratch dir. */
static void
test_cache (void)
{
  char dir[] = "/tmp/husk-test-cache.XXXXXX";
  struct sock_filter prog[2] = { BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 0),
                                 BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
  struct seccomp_compiled in = { .prog = prog, .n = 2 }, got = { 0 };
  unsigned char key[SHA256_LEN], other[SHA256_LEN];
  cleanup_free char *path = NULL;
  struct stat st;

  if (mkdtemp (dir) == NULL)
    {
      ok (0, "mkdtemp");
      return;
    }
  setenv ("XDG_CACHE_HOME", dir, 1);
  seccomp_cache_key ("{}", 2, key);
  seccomp_cache_key ("{} ", 3, other);
  path = seccomp_cache_path (key);
  ok (path != NULL && strncmp (path, dir, strlen (dir)) == 0
        && strstr (path, "/husk/seccomp/") != NULL,
      "cache path under XDG_CACHE_HOME/husk/seccomp");
  ok (seccomp_cache_read (path, key, &got) < 0, "a miss before the write");
  ok (seccomp_cache_write (path, key, &in) == 0, "write");
  ok (stat (path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 96 + 16,
      "mode 0600, header + program");
  ok (seccomp_cache_read (path, key, &got) == 0 && got.n == 2
        && memcmp (got.prog, prog, sizeof prog) == 0 && got.flags == 0
        && got.listener_path == NULL && got.listener_metadata == NULL,
      "a hit gives the program back");
  seccomp_compiled_free (&got);
  ok (seccomp_cache_read (path, other, &got) < 0, "another key misses");
  if (truncate (path, 96 + 12) == 0)
    ok (seccomp_cache_read (path, key, &got) < 0, "a truncated entry misses");
  ok (seccomp_cache_write (path, key, &in) == 0, "rewrite");
  {
    FILE *f = fopen (path, "r+");
    if (f != NULL)
      {
        fseek (f, 101, SEEK_SET);
        fputc ('X', f);
        fclose (f);
      }
  }
  ok (seccomp_cache_read (path, key, &got) < 0, "a corrupted program misses");
  /* Issue 5: the flags and the listener survive a hit. */
  in.flags = SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_NEW_LISTENER;
  in.listener_path = (char *) "/run/agent.sock";
  in.listener_metadata = (char *) "meta data";
  ok (seccomp_cache_write (path, key, &in) == 0 && stat (path, &st) == 0
        && st.st_size == 96 + 15 + 9 + 16,
      "write with a listener: header + path + metadata + program");
  ok (seccomp_cache_read (path, key, &got) == 0 && got.n == 2
        && memcmp (got.prog, prog, sizeof prog) == 0 && got.flags == in.flags
        && got.listener_path && strcmp (got.listener_path, in.listener_path) == 0
        && got.listener_metadata && strcmp (got.listener_metadata, in.listener_metadata) == 0,
      "a hit gives the flags, the listener path and the metadata back");
  seccomp_compiled_free (&got);
  {
    FILE *f = fopen (path, "r+");
    uint32_t bad = 1; /* version 1: the format before issue 5 */
    if (f != NULL)
      {
        fseek (f, 8, SEEK_SET);
        fwrite (&bad, sizeof bad, 1, f);
        fclose (f);
      }
  }
  ok (seccomp_cache_read (path, key, &got) < 0, "an entry of another format version misses");
  ok (seccomp_cache_write (path, key, &in) == 0, "rewrite with a listener");
  chmod (path, 0622);
  ok (seccomp_cache_read (path, key, &got) < 0, "a group/other-writable entry misses");
  seccomp_compiled_free (&got);
  unsetenv ("XDG_CACHE_HOME");
  {
    char cmd[256];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system (cmd) != 0)
      ok (0, "cleanup");
  }
}

static void
test_default_profile (void)
{
  cleanup_free char *path = NULL;
  json_t *j;
  struct seccomp_compiled c = { 0 };
  struct sock_filter *prog = NULL;
  struct husk_err err = { 0 };
  size_t n = 0;

  /* The source tree's data/, unless the caller points elsewhere. */
  setenv ("HUSK_DATADIR", HUSK_TEST_DATADIR, 0);
  path = seccomp_profile_resolve ("default");
  j = json_load_file (path, 0, NULL);
  ok (j != NULL && seccomp_profile_compile (j, NULL, &c, &err) == 0 && c.flags == 0,
      "the default profile compiles (%zu instructions, no flags) %s", c.n, err.msg);
  prog = steal_pointer (&c.prog);
  n = c.n;
  if (prog != NULL)
    {
      ok (verdict (prog, n, X86_64, SYS_keyctl, 0, 0) == ACT_ERRNO (EPERM), "default: keyctl EPERM");
      ok (verdict (prog, n, X86_64, SYS_mount, 0, 0) == ACT_ERRNO (EPERM), "default: mount EPERM");
      ok (verdict (prog, n, I386, 21, 0, 0) == ACT_ERRNO (EPERM), "default: i386 mount EPERM");
      ok (verdict (prog, n, X86_64, SYS_read, 0, 0) == SECCOMP_RET_ALLOW, "default: read allowed");
      ok (verdict (prog, n, X86_64, SYS_unshare, 0x10000000, 0) == ACT_ERRNO (EPERM),
          "default: unshare (CLONE_NEWUSER) EPERM");
      ok (verdict (prog, n, X86_64, SYS_unshare, 0x00020000, 0) == SECCOMP_RET_ALLOW,
          "default: unshare (CLONE_NEWNS) allowed");
      ok (verdict (prog, n, X86_64, SYS_clone, 0x10000000 | 17, 0) == ACT_ERRNO (EPERM),
          "default: clone (CLONE_NEWUSER) EPERM");
      ok (verdict (prog, n, X86_64, SYS_personality, 0x400000, 0) == ACT_ERRNO (ENOSYS),
          "default: personality (READ_IMPLIES_EXEC) ENOSYS");
      ok (verdict (prog, n, X86_64, SYS_personality, 0xffffffff, 0) == SECCOMP_RET_ALLOW,
          "default: personality query allowed");
      ok (verdict (prog, n, X86_64, 435 /* clone3 */, 0, 0) == ACT_ERRNO (ENOSYS),
          "default: clone3 ENOSYS (libc falls back to clone)");
    }
  free (prog);
  json_decref (j);
}

/* Issue 5: flags, SCMP_ACT_NOTIFY and its listener. */
#define NOTIFY_MKDIR                                                                              \
  "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]"
static void
test_flags_and_notify (void)
{
  struct seccomp_compiled c = { 0 };
  struct husk_err err;

  ok (compile_c ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
                 "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_TSYNC\"]}",
                 &c, &err)
          == 0
        && c.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)
        && c.listener_path == NULL,
      "flags LOG and SPEC_ALLOW are kept, TSYNC changes nothing %s", err.msg);
  seccomp_compiled_free (&c);
  ok (compile_c ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a\","
                 "\"listenerMetadata\":\"m\"}",
                 &c, &err)
          == 0
        && c.flags == 0 && c.listener_path == NULL && c.listener_metadata == NULL,
      "listenerPath without SCMP_ACT_NOTIFY is ignored (runtime-spec) %s", err.msg);
  seccomp_compiled_free (&c);
  ok (compile_c ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/a.sock\","
                 "\"listenerMetadata\":\"hello\",\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
                 NOTIFY_MKDIR "}",
                 &c, &err)
          == 0
        && c.flags == (SECCOMP_FILTER_FLAG_NEW_LISTENER | (1u << 5))
        && c.listener_path != NULL && strcmp (c.listener_path, "/run/a.sock") == 0
        && c.listener_metadata != NULL && strcmp (c.listener_metadata, "hello") == 0,
      "SCMP_ACT_NOTIFY: NEW_LISTENER, the listener path and metadata %s", err.msg);
  if (c.prog != NULL)
    {
      ok (verdict (c.prog, c.n, X86_64, SYS_mkdir, 0, 0) == SECCOMP_RET_USER_NOTIF,
          "mkdir is notified");
      ok (verdict (c.prog, c.n, X86_64, SYS_rmdir, 0, 0) == SECCOMP_RET_ALLOW,
          "rmdir is allowed");
    }
  seccomp_compiled_free (&c);
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"," NOTIFY_MKDIR "}",
                 "linux.seccomp.listenerPath: missing (syscalls[0] uses SCMP_ACT_NOTIFY)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"\"," NOTIFY_MKDIR "}",
                 "linux.seccomp.listenerPath: missing (syscalls[0] uses SCMP_ACT_NOTIFY)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"run/a\"," NOTIFY_MKDIR
                 "}",
                 "linux.seccomp.listenerPath: must be an absolute path");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/"
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                 "aaaaaaaaaaaaaaaaaaaaaa\"," NOTIFY_MKDIR "}",
                 "linux.seccomp.listenerPath: longer than a unix socket path can be (107 bytes)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":7," NOTIFY_MKDIR "}",
                 "linux.seccomp.listenerPath: must be a string (without NUL bytes)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerMetadata\":\"m\"}",
                 "linux.seccomp.listenerMetadata: requires listenerPath");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/a\",\"syscalls\":"
                 "[{\"names\":[\"mkdir\",\"sendmsg\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}",
                 "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot apply to sendmsg "
                 "(husk hands the listener to the agent with it)");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/a\",\"syscalls\":"
                 "[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\",\"errnoRet\":1}]}",
                 "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take "
                 "one, not SCMP_ACT_NOTIFY");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
                 "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
                 "linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV requires a "
                 "SCMP_ACT_NOTIFY rule");
  compile_fails ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
                 "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
}

int
main (void)
{
  test_actions ();
  test_errno_and_default ();
  test_operators ();
  test_args_and ();
  test_architectures ();
  test_errors ();
  test_no_prefix ();
  test_flags_and_notify ();
  test_sha256 ();
  test_cache ();
  test_default_profile ();
  return tap_done ();
}
