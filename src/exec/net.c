/* net.c: networking inside the sandbox.  For now: bring up loopback in a
 * fresh network namespace (the kernel assigns 127.0.0.1/8 and ::1 once lo
 * is up).
 *
 * Must not: touch any namespace but the child's own.
 */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/exec_int.h"
#include "lib/cleanup.h"

int
net_loopback_up (struct husk_err *err)
{
  cleanup_fd int sock = -1;
  struct ifreq ifr;

  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return husk_err_sys (err, "--unshare-net: socket");
  memset (&ifr, 0, sizeof ifr);
  strncpy (ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return husk_err_sys (err, "--unshare-net: get flags of lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    return husk_err_sys (err, "--unshare-net: bring up lo");
  return 0;
}
