/* net.c: networking inside the sandbox: bring up loopback in a fresh
 * network namespace (the kernel assigns 127.0.0.1/8 and ::1 once lo is
 * up); move the host interfaces an OCI config names (linux.netDevices,
 * issue 5) into it, from the parent, with rtnetlink.
 *
 * Must not: touch any namespace but the child's own, and, for
 * linux.netDevices, the interfaces named in husk's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
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

/* ---- linux.netDevices (OCI, issue 5) ------------------------------------ */

struct net_req
{
  struct nlmsghdr nh;
  struct ifinfomsg ifi;
  char attrs[64];
};

static void
net_attr (struct net_req *r, unsigned short type, const void *data, size_t len)
{
  struct rtattr *a = (struct rtattr *) ((char *) r + NLMSG_ALIGN (r->nh.nlmsg_len));

  a->rta_type = type;
  a->rta_len = (unsigned short) RTA_LENGTH (len);
  memcpy (RTA_DATA (a), data, len);
  r->nh.nlmsg_len = NLMSG_ALIGN (r->nh.nlmsg_len) + RTA_ALIGN (a->rta_len);
}

/* Send r and wait for its acknowledgement: 0, or -1 with errno set. */
static int
net_talk (int nl, struct net_req *r)
{
  char buf[512];
  struct nlmsghdr *h = (struct nlmsghdr *) buf;
  ssize_t n;

  if (send (nl, r, r->nh.nlmsg_len, 0) < 0)
    return -1;
  do
    n = recv (nl, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if (!NLMSG_OK (h, (size_t) n) || h->nlmsg_type != NLMSG_ERROR
      || h->nlmsg_len < NLMSG_LENGTH (sizeof (struct nlmsgerr)))
    return errno = EPROTO, -1;
  if (((struct nlmsgerr *) NLMSG_DATA (h))->error != 0)
    return errno = -((struct nlmsgerr *) NLMSG_DATA (h))->error, -1;
  return 0;
}

static int
net_move_one (int nl, int nsfd, const struct husk_netdev *d, unsigned seq, struct husk_err *err)
{
  struct net_req r;
  uint32_t fd = (uint32_t) nsfd;
  unsigned idx = if_nametoindex (d->name);

  if (idx == 0)
    return husk_err_sys (err, "%s: no interface \"%s\" in husk's network namespace",
                         d->origin.where, d->name);
  memset (&r, 0, sizeof r);
  r.nh.nlmsg_len = NLMSG_LENGTH (sizeof r.ifi);
  r.nh.nlmsg_type = RTM_NEWLINK;
  r.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  r.nh.nlmsg_seq = seq;
  r.ifi.ifi_family = AF_UNSPEC;
  r.ifi.ifi_index = (int) idx;
  net_attr (&r, IFLA_NET_NS_FD, &fd, sizeof fd);
  /* The name it gets in the new namespace (the kernel renames on the way). */
  net_attr (&r, IFLA_IFNAME, d->new_name, strlen (d->new_name) + 1);
  if (net_talk (nl, &r) == 0)
    return 0;
  husk_err_sys (err, "%s: moving \"%s\" into the sandbox as \"%s\"", d->origin.where, d->name,
                d->new_name);
  if (err->errnum == EPERM)
    husk_err_hint (err, "moving a network interface needs CAP_NET_ADMIN over husk's "
                        "network namespace and the sandbox's: run husk as root");
  else if (err->errnum == EINVAL)
    husk_err_hint (err, "some interfaces cannot change namespace (lo, bridges' ports, "
                        "devices marked netns-local)");
  return -1;
}

int
net_move_devices (const struct husk_plan *plan, pid_t pid, struct husk_err *err)
{
  cleanup_fd int nl = -1;
  cleanup_fd int nsfd = -1;
  char path[64];

  if (plan->n_netdevs == 0)
    return 0;
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int) pid);
  nsfd = hostproc_open_ns (pid, "net");
  if (nsfd < 0)
    return husk_err_sys (err, "%s: open %s", plan->netdevs[0].origin.where, path);
  nl = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl < 0)
    return husk_err_sys (err, "%s: netlink socket", plan->netdevs[0].origin.where);
  for (size_t i = 0; i < plan->n_netdevs; i++)
    if (net_move_one (nl, nsfd, &plan->netdevs[i], (unsigned) i + 1, err) < 0)
      return -1;
  return 0;
}
