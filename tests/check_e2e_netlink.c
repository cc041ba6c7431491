/* SPDX-License-Identifier: ISC */
/*
 * AF_NETLINK end to end: a NETLINK_ROUTE socket bound with pid 0, its
 * kernel-assigned address, and an RTM_GETLINK dump whose multipart answer
 * names the loopback.
 */

#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

/* An RTM_GETLINK dump request. */
struct netlink_getlink {
	struct nlmsghdr		nh;
	struct ifinfomsg	ifi;
};

static int	 netlink_route(sb_conn *);
static void	 netlink_request(struct netlink_getlink *, uint32_t);
static int	 netlink_has_lo(const struct nlmsghdr *);
static int	 netlink_dump(sb_conn *, int, uint32_t);

/* A NETLINK_ROUTE handle bound to (pid 0, groups 0). */
static int
netlink_route(sb_conn *c)
{
	struct sockaddr_nl	 nl;
	int			 h;

	h = sb_socket(c, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);
	memset(&nl, 0, sizeof nl);
	nl.nl_family = AF_NETLINK;
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&nl, sizeof nl) == 0,
	    "sb_bind: %s", strerror(errno));
	return (h);
}

/* Fills an RTM_GETLINK dump request with sequence number seq. */
static void
netlink_request(struct netlink_getlink *r, uint32_t seq)
{
	memset(r, 0, sizeof *r);
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof r->ifi);
	r->nh.nlmsg_type = RTM_GETLINK;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r->nh.nlmsg_seq = seq;
	r->ifi.ifi_family = AF_UNSPEC;
}

/* Whether an RTM_NEWLINK message has IFLA_IFNAME "lo". */
static int
netlink_has_lo(const struct nlmsghdr *nh)
{
	const struct ifinfomsg	*ifi = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	int			 len;

	if (nh->nlmsg_type != RTM_NEWLINK ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof *ifi))
		return (0);
	len = IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_IFNAME &&
		    strncmp(RTA_DATA(rta), "lo", RTA_PAYLOAD(rta)) == 0)
			return (1);
	}
	return (0);
}

/*
 * Reads the multipart answer to request seq until NLMSG_DONE; returns
 * whether it named lo. NLMSG_ERROR fails the test.
 */
static int
netlink_dump(sb_conn *c, int h, uint32_t seq)
{
	static uint8_t		 buf[32768];
	const struct nlmsghdr	*nh;
	ssize_t			 n;
	size_t			 off;
	int			 lo = 0, parts;

	for (parts = 0; parts < 1000; parts++) {
		n = sb_recv(c, h, buf, sizeof buf, 0);
		ck_assert_msg(n > 0, "sb_recv: %s", strerror(errno));
		for (off = 0; off + sizeof *nh <= (size_t)n;
		    off += NLMSG_ALIGN(nh->nlmsg_len)) {
			nh = (const struct nlmsghdr *)(buf + off);
			ck_assert_uint_ge(nh->nlmsg_len, sizeof *nh);
			ck_assert_uint_le(nh->nlmsg_len, (size_t)n - off);
			ck_assert_uint_eq(nh->nlmsg_seq, seq);
			ck_assert_int_ne(nh->nlmsg_type, NLMSG_ERROR);
			if (nh->nlmsg_type == NLMSG_DONE)
				return (lo);
			ck_assert_int_ne(nh->nlmsg_flags & NLM_F_MULTI, 0);
			lo |= netlink_has_lo(nh);
		}
	}
	ck_abort_msg("no NLMSG_DONE");
	return (0);
}

START_TEST(test_netlink_getsockname_has_a_nonzero_pid)
{
	struct sockaddr_nl	 nl;
	socklen_t		 len;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = netlink_route(c);
	memset(&nl, 0, sizeof nl);
	len = sizeof nl;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&nl, &len),
	    0);
	ck_assert_int_eq(len, sizeof nl);
	ck_assert_int_eq(nl.nl_family, AF_NETLINK);
	ck_assert_uint_ne(nl.nl_pid, 0);
	ck_assert_uint_eq(nl.nl_groups, 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_netlink_getlink_dump_via_sendto_names_lo)
{
	struct netlink_getlink	 r;
	struct sockaddr_nl	 kernel;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = netlink_route(c);
	netlink_request(&r, 1001);
	memset(&kernel, 0, sizeof kernel);
	kernel.nl_family = AF_NETLINK;
	ck_assert_int_eq(sb_sendto(c, h, &r, r.nh.nlmsg_len, 0,
	    (struct sockaddr *)&kernel, sizeof kernel), r.nh.nlmsg_len);
	ck_assert_msg(netlink_dump(c, h, 1001), "no IFLA_IFNAME \"lo\"");
	sb_close_conn(c);
}
END_TEST

START_TEST(test_netlink_getlink_dump_via_send_names_lo)
{
	struct netlink_getlink	 r;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = netlink_route(c);
	netlink_request(&r, 1002);
	ck_assert_int_eq(sb_send(c, h, &r, r.nh.nlmsg_len, 0),
	    r.nh.nlmsg_len);
	ck_assert_msg(netlink_dump(c, h, 1002), "no IFLA_IFNAME \"lo\"");

	/* Twice on the same socket: the first dump left nothing behind. */
	netlink_request(&r, 1003);
	ck_assert_int_eq(sb_send(c, h, &r, r.nh.nlmsg_len, 0),
	    r.nh.nlmsg_len);
	ck_assert_msg(netlink_dump(c, h, 1003), "no IFLA_IFNAME \"lo\"");
	sb_close_conn(c);
}
END_TEST

/* AF_NETLINK end to end. */
Suite *
e2e_netlink_suite(void)
{
	Suite	*s = suite_create("e2e_netlink");
	TCase	*tc;

	tc = fixture_tcase("route");
	tcase_add_test(tc, test_netlink_getsockname_has_a_nonzero_pid);
	tcase_add_test(tc, test_netlink_getlink_dump_via_sendto_names_lo);
	tcase_add_test(tc, test_netlink_getlink_dump_via_send_names_lo);
	suite_add_tcase(s, tc);
	return (s);
}
