/* SPDX-License-Identifier: ISC */
/*
 * Datagram sockets end to end: sendto/recvfrom over UDP on IPv4 and IPv6
 * loopback and over AF_UNIX, with the sender's address checked.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

static int	dgram_bound(sb_conn *, int, struct sockaddr_storage *,
		    socklen_t *);
static void	dgram_assert_same(const struct sockaddr_storage *,
		    const struct sockaddr_storage *);
static void	dgram_ping_pong(int);

/* A datagram socket bound to the loopback of family, its address in ss. */
static int
dgram_bound(sb_conn *c, int family, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int	h;

	h = sb_socket(c, family, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	*len = fixture_addr(ss, family, family == AF_INET ? "127.0.0.1" :
	    "::1", 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, *len) == 0,
	    "sb_bind: %s", strerror(errno));
	*len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, len), 0);
	return (h);
}

/* Fails the test unless a and b are the same IPv4 or IPv6 address+port. */
static void
dgram_assert_same(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6	*a6 = (const void *)a, *b6 = (const void *)b;

	ck_assert_int_eq(a->ss_family, b->ss_family);
	ck_assert_int_eq(fixture_port(a), fixture_port(b));
	if (a->ss_family == AF_INET)
		ck_assert_int_eq(a4->sin_addr.s_addr, b4->sin_addr.s_addr);
	else
		ck_assert_mem_eq(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof a6->sin6_addr);
}

/* Two bound sockets send each other a datagram; each sees the other. */
static void
dgram_ping_pong(int family)
{
	struct sockaddr_storage	 aa, ba, from;
	socklen_t		 alen, blen, fromlen;
	sb_conn			*c;
	char			 buf[64];
	int			 a, b;

	c = fixture_open();
	a = dgram_bound(c, family, &aa, &alen);
	b = dgram_bound(c, family, &ba, &blen);
	ck_assert_int_ne(fixture_port(&aa), fixture_port(&ba));

	ck_assert_int_eq(sb_sendto(c, a, "ping", 4, 0, (struct sockaddr *)&ba,
	    blen), 4);
	fromlen = sizeof from;
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_recvfrom(c, b, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(fromlen, alen);
	dgram_assert_same(&from, &aa);

	ck_assert_int_eq(sb_sendto(c, b, "pong!", 5, 0,
	    (struct sockaddr *)&from, fromlen), 5);
	fromlen = sizeof from;
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_recvfrom(c, a, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 5);
	ck_assert_mem_eq(buf, "pong!", 5);
	dgram_assert_same(&from, &ba);
	sb_close_conn(c);
}

START_TEST(test_udp_sendto_recvfrom_over_ipv4)
{
	dgram_ping_pong(AF_INET);
}
END_TEST

START_TEST(test_udp_sendto_recvfrom_over_ipv6)
{
	if (!fixture_have_ipv6()) {
		fprintf(stderr, "%s: no IPv6 loopback here, skipped\n",
		    __func__);
		return;
	}
	dgram_ping_pong(AF_INET6);
}
END_TEST

START_TEST(test_udp_connected_send_and_recv)
{
	struct sockaddr_storage	 aa, ba;
	socklen_t		 alen, blen;
	sb_conn			*c;
	char			 buf[16];
	int			 a, b;

	c = fixture_open();
	a = dgram_bound(c, AF_INET, &aa, &alen);
	b = dgram_bound(c, AF_INET, &ba, &blen);
	ck_assert_int_eq(sb_connect(c, a, (struct sockaddr *)&ba, blen), 0);
	ck_assert_int_eq(sb_send(c, a, "abc", 3, 0), 3);
	ck_assert_int_eq(sb_recv(c, b, buf, sizeof buf, 0), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_udp_recv_truncates_datagram_to_bufsize)
{
	struct sockaddr_storage	 aa, ba;
	socklen_t		 alen, blen;
	sb_conn			*c;
	char			 big[100], buf[10];
	int			 a, b;

	c = fixture_open();
	a = dgram_bound(c, AF_INET, &aa, &alen);
	b = dgram_bound(c, AF_INET, &ba, &blen);
	memset(big, 'z', sizeof big);
	ck_assert_int_eq(sb_sendto(c, a, big, sizeof big, 0,
	    (struct sockaddr *)&ba, blen), sizeof big);
	ck_assert_int_eq(sb_recv(c, b, buf, sizeof buf, 0), sizeof buf);
	/* The rest of the datagram is gone: nothing is left to read. */
	ck_assert_int_eq(sb_settimeout(c, b, 0), 0);
	ck_assert_int_eq(sb_recv(c, b, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_udp_send_on_unconnected_socket_is_edestaddrreq)
{
	sb_conn	*c;
	int	 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EDESTADDRREQ);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_unix_dgram_sendto_recvfrom_over_path)
{
	struct sockaddr_un	 aa, ba, from;
	socklen_t		 fromlen;
	sb_conn			*c;
	char			 buf[16];
	int			 a, b;

	c = fixture_open();
	memset(&aa, 0, sizeof aa);
	aa.sun_family = AF_UNIX;
	snprintf(aa.sun_path, sizeof aa.sun_path, "%s/a.sock", fixture_dir());
	ba = aa;
	snprintf(ba.sun_path, sizeof ba.sun_path, "%s/b.sock", fixture_dir());
	a = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0);
	b = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_int_eq(sb_bind(c, a, (struct sockaddr *)&aa, sizeof aa), 0);
	ck_assert_int_eq(sb_bind(c, b, (struct sockaddr *)&ba, sizeof ba), 0);

	ck_assert_int_eq(sb_sendto(c, a, "hi", 2, 0, (struct sockaddr *)&ba,
	    sizeof ba), 2);
	fromlen = sizeof from;
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_recvfrom(c, b, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 2);
	ck_assert_int_eq(from.sun_family, AF_UNIX);
	ck_assert_str_eq(from.sun_path, aa.sun_path);
	sb_close_conn(c);
}
END_TEST

/* The datagram suite. */
Suite *
e2e_dgram_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_dgram");
	tc = fixture_tcase("udp");
	tcase_add_test(tc, test_udp_sendto_recvfrom_over_ipv4);
	tcase_add_test(tc, test_udp_sendto_recvfrom_over_ipv6);
	tcase_add_test(tc, test_udp_connected_send_and_recv);
	tcase_add_test(tc, test_udp_recv_truncates_datagram_to_bufsize);
	tcase_add_test(tc, test_udp_send_on_unconnected_socket_is_edestaddrreq);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("unix");
	tcase_add_test(tc, test_unix_dgram_sendto_recvfrom_over_path);
	suite_add_tcase(s, tc);
	return (s);
}
