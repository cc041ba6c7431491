/* SPDX-License-Identifier: ISC */
/*
 * What the VM test programs share: CAN addresses and sockets, through the
 * broker and directly (the guest runs the tests as root, so a test can be
 * the other node on the bus).
 */

#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>
#include <net/if.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

int
vm_ifindex(const char *ifname)
{
	unsigned int	 i = if_nametoindex(ifname);

	ck_assert_msg(i != 0, "no interface %s: %s", ifname, strerror(errno));
	return ((int)i);
}

socklen_t
vm_can_addr(struct sockaddr_can *a, const char *ifname)
{
	memset(a, 0, sizeof *a);
	a->can_family = AF_CAN;
	a->can_ifindex = ifname[0] == '\0' ? 0 : vm_ifindex(ifname);
	return (sizeof *a);
}

int
vm_can_open(sb_conn *c, int type, int protocol, const char *ifname)
{
	struct sockaddr_can	 a;
	socklen_t		 len = vm_can_addr(&a, ifname);
	int			 h;

	h = sb_socket(c, AF_CAN, type, protocol);
	ck_assert_msg(h >= 0, "sb_socket(AF_CAN, %d, %d): %s", type, protocol,
	    strerror(errno));
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&a, len) == 0,
	    "sb_bind(%s): %s", ifname, strerror(errno));
	return (h);
}

int
vm_direct_raw(const char *ifname, int fd)
{
	struct sockaddr_can	 a;
	socklen_t		 len = vm_can_addr(&a, ifname);
	int			 s;

	s = socket(AF_CAN, SOCK_RAW, CAN_RAW);
	ck_assert_msg(s >= 0, "socket(AF_CAN): %s", strerror(errno));
	if (fd)
		ck_assert_int_eq(setsockopt(s, SOL_CAN_RAW, CAN_RAW_FD_FRAMES,
		    &fd, sizeof fd), 0);
	ck_assert_msg(bind(s, (struct sockaddr *)&a, len) == 0, "bind(%s): %s",
	    ifname, strerror(errno));
	return (s);
}

ssize_t
vm_direct_recv(int s, struct canfd_frame *f, int ms)
{
	struct pollfd	 p = { .fd = s, .events = POLLIN };
	ssize_t		 n;

	if (poll(&p, 1, ms) == 0)
		return (0);
	n = read(s, f, sizeof *f);
	ck_assert_msg(n == CAN_MTU || n == CANFD_MTU, "read: %zd (%s)", n,
	    strerror(errno));
	return (n);
}

void
vm_direct_send(int s, canid_t id, const void *data, int len)
{
	struct can_frame	 f;

	ck_assert_int_le(len, CAN_MAX_DLEN);
	memset(&f, 0, sizeof f);
	f.can_id = id;
	f.len = (uint8_t)len;
	memcpy(f.data, data, (size_t)len);
	ck_assert_int_eq(write(s, &f, sizeof f), sizeof f);
}

int
vm_quiet(sb_conn *c, int h, int ms)
{
	char	 buf[CANFD_MTU + 64];
	ssize_t	 n;

	ck_assert_int_eq(sb_settimeout(c, h, ms / 1000.0), 0);
	n = sb_recv(c, h, buf, sizeof buf, 0);
	ck_assert_int_eq(sb_settimeout(c, h, SB_TIMEOUT_NONE), 0);
	if (n >= 0)
		return (0);
	ck_assert_msg(errno == EAGAIN, "sb_recv: %s", strerror(errno));
	return (1);
}

void
vm_use_policy(const char *name)
{
	static char		 path[PATH_MAX];
	static const char	*args[] = { "--policy", path, NULL };
	const char		*dir = getenv("SB_VM_CONF");

	snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : ".", name);
	fixture_set_args(args);
}
