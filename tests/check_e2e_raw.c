/* SPDX-License-Identifier: ISC */
/*
 * Raw IP end to end, all on the loopback: ICMP and ICMPv6 echo over raw
 * sockets with a hand-built request, the unprivileged ICMP datagram socket,
 * an IP_HDRINCL packet delivered to a brokered UDP socket, and UDP-Lite.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define RAW_ID		0x5b5b
#define RAW_PAYLOAD	"sockbroker echo"
#define RAW_PING_RANGE	"/proc/sys/net/ipv4/ping_group_range"

static uint16_t	 raw_cksum(const void *, size_t);
static size_t	 raw_echo(uint8_t *, int, uint16_t, uint16_t);
static int	 raw_socket(sb_conn *, int, int, int);
static int	 raw_ping_range(char *, size_t);
static int	 raw_ping_range_set(const char *);

/* The Internet checksum of len bytes. */
static uint16_t
raw_cksum(const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint32_t	 sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (htons(~sum & 0xffff));
}

/* Builds an echo request of type (ICMP or ICMPv6) into buf; its length. */
static size_t
raw_echo(uint8_t *buf, int type, uint16_t id, uint16_t seq)
{
	struct icmphdr	 icmp;
	size_t		 len = sizeof icmp + sizeof RAW_PAYLOAD;

	memset(&icmp, 0, sizeof icmp);
	icmp.type = type;
	icmp.un.echo.id = htons(id);
	icmp.un.echo.sequence = htons(seq);
	memcpy(buf, &icmp, sizeof icmp);
	memcpy(buf + sizeof icmp, RAW_PAYLOAD, sizeof RAW_PAYLOAD);
	/* The kernel computes ICMPv6 checksums itself. */
	if (type == ICMP_ECHO)
		icmp.checksum = raw_cksum(buf, len);
	memcpy(buf, &icmp, sizeof icmp);
	return (len);
}

/* A handle of family/type/protocol with a 5 s timeout. */
static int
raw_socket(sb_conn *c, int family, int type, int protocol)
{
	int	 h;

	h = sb_socket(c, family, type, protocol);
	ck_assert_msg(h > 0, "sb_socket(%d, %d, %d): %s", family, type,
	    protocol, strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);
	return (h);
}

START_TEST(test_raw_icmp_echo_to_127_0_0_1)
{
	struct sockaddr_storage	 ss;
	struct icmphdr		 icmp;
	struct iphdr		 ip;
	socklen_t		 len;
	sb_conn			*c;
	uint8_t			 req[128], buf[1024];
	size_t			 n, ihl;
	ssize_t			 r;
	int			 h, tries;

	c = fixture_open();
	h = raw_socket(c, AF_INET, SOCK_RAW, IPPROTO_ICMP);
	n = raw_echo(req, ICMP_ECHO, RAW_ID, 7);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_sendto(c, h, req, n, 0, (struct sockaddr *)&ss,
	    len), n);

	/* A raw socket sees its own request on lo too: skip non-replies. */
	for (tries = 0; tries < 16; tries++) {
		r = sb_recv(c, h, buf, sizeof buf, 0);
		ck_assert_msg(r > 0, "sb_recv: %s", strerror(errno));
		ck_assert_uint_ge(r, sizeof ip);
		memcpy(&ip, buf, sizeof ip);
		ihl = ip.ihl * 4;
		ck_assert_uint_ge(r, ihl + sizeof icmp);
		ck_assert_int_eq(ip.protocol, IPPROTO_ICMP);
		memcpy(&icmp, buf + ihl, sizeof icmp);
		if (icmp.type != ICMP_ECHOREPLY ||
		    ntohs(icmp.un.echo.id) != RAW_ID)
			continue;
		ck_assert_int_eq(ntohs(icmp.un.echo.sequence), 7);
		ck_assert_uint_eq(r - ihl, n);
		ck_assert_mem_eq(buf + ihl + sizeof icmp, RAW_PAYLOAD,
		    sizeof RAW_PAYLOAD);
		sb_close_conn(c);
		return;
	}
	ck_abort_msg("no echo reply");
}
END_TEST

START_TEST(test_raw_icmpv6_echo_to_ipv6_loopback)
{
	struct sockaddr_storage	 ss, from;
	struct icmp6_hdr	 icmp;
	socklen_t		 len, fromlen;
	sb_conn			*c;
	uint8_t			 req[128], buf[1024];
	size_t			 n;
	ssize_t			 r;
	int			 h, tries;

	if (!fixture_have_ipv6()) {
		fprintf(stderr, "%s: no IPv6 loopback, skipped\n", __func__);
		return;
	}
	c = fixture_open();
	h = raw_socket(c, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	n = raw_echo(req, ICMP6_ECHO_REQUEST, RAW_ID, 9);
	len = fixture_addr(&ss, AF_INET6, "::1", 0);
	ck_assert_int_eq(sb_sendto(c, h, req, n, 0, (struct sockaddr *)&ss,
	    len), n);
	for (tries = 0; tries < 16; tries++) {
		fromlen = sizeof from;
		r = sb_recvfrom(c, h, buf, sizeof buf, 0,
		    (struct sockaddr *)&from, &fromlen);
		ck_assert_msg(r > 0, "sb_recvfrom: %s", strerror(errno));
		ck_assert_uint_ge(r, sizeof icmp);
		ck_assert_int_eq(from.ss_family, AF_INET6);
		memcpy(&icmp, buf, sizeof icmp);
		if (icmp.icmp6_type != ICMP6_ECHO_REPLY ||
		    ntohs(icmp.icmp6_id) != RAW_ID)
			continue;
		ck_assert_int_eq(ntohs(icmp.icmp6_seq), 9);
		ck_assert_uint_eq(r, n);
		sb_close_conn(c);
		return;
	}
	ck_abort_msg("no echo reply");
}
END_TEST

/* Reads ping_group_range into buf; -1 if there is none. */
static int
raw_ping_range(char *buf, size_t size)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(RAW_PING_RANGE, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	return (0);
}

/* Writes ping_group_range; -1 if it cannot. */
static int
raw_ping_range_set(const char *value)
{
	ssize_t	 n;
	int	 fd;

	if ((fd = open(RAW_PING_RANGE, O_WRONLY | O_CLOEXEC)) == -1)
		return (-1);
	n = write(fd, value, strlen(value));
	close(fd);
	return (n == (ssize_t)strlen(value) ? 0 : -1);
}

START_TEST(test_icmp_datagram_socket_echo)
{
	struct sockaddr_storage	 ss, name;
	struct icmphdr		 icmp;
	socklen_t		 len;
	sb_conn			*c;
	char			 saved[64];
	uint8_t			 req[128], buf[1024];
	unsigned int		 lo, hi;
	size_t			 n;
	ssize_t			 r;
	int			 h, changed = 0;

	/*
	 * The daemon's gid (root's, 0) must be in ping_group_range; this
	 * host's default "1 0" allows nobody, so widen it for the test and
	 * put it back afterwards.
	 */
	ck_assert_int_eq(raw_ping_range(saved, sizeof saved), 0);
	if (sscanf(saved, "%u %u", &lo, &hi) != 2 || lo > getegid() ||
	    hi < getegid()) {
		ck_assert_msg(raw_ping_range_set("0 0") == 0,
		    "cannot set %s", RAW_PING_RANGE);
		changed = 1;
	}
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (changed)
		raw_ping_range_set(saved);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);

	n = raw_echo(req, ICMP_ECHO, 0, 11);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_sendto(c, h, req, n, 0, (struct sockaddr *)&ss,
	    len), n);
	/* The kernel sets the id to the socket's "port". */
	len = sizeof name;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&name, &len),
	    0);
	r = sb_recv(c, h, buf, sizeof buf, 0);
	ck_assert_msg(r > 0, "sb_recv: %s", strerror(errno));
	ck_assert_uint_eq(r, n);
	memcpy(&icmp, buf, sizeof icmp);
	ck_assert_int_eq(icmp.type, ICMP_ECHOREPLY);
	ck_assert_int_eq(ntohs(icmp.un.echo.sequence), 11);
	ck_assert_int_eq(ntohs(icmp.un.echo.id), fixture_port(&name));
	sb_close_conn(c);
}
END_TEST

START_TEST(test_ip_hdrincl_packet_reaches_brokered_udp)
{
	struct sockaddr_storage	 ua, ss, from;
	struct iphdr		 ip;
	struct udphdr		 udp;
	socklen_t		 ulen, len, fromlen;
	sb_conn			*c;
	uint8_t			 pkt[128];
	char			 buf[64];
	size_t			 n;
	int			 u, r, one = 1;

	c = fixture_open();
	u = raw_socket(c, AF_INET, SOCK_DGRAM, 0);
	ulen = fixture_addr(&ua, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_bind(c, u, (struct sockaddr *)&ua, ulen), 0);
	ulen = sizeof ua;
	ck_assert_int_eq(sb_getsockname(c, u, (struct sockaddr *)&ua, &ulen),
	    0);

	r = raw_socket(c, AF_INET, SOCK_RAW, IPPROTO_UDP);
	ck_assert_msg(sb_setsockopt(c, r, IPPROTO_IP, IP_HDRINCL, &one,
	    sizeof one) == 0, "IP_HDRINCL: %s", strerror(errno));

	n = sizeof ip + sizeof udp + 5;
	memset(&ip, 0, sizeof ip);
	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons(n);
	ip.ttl = 64;
	ip.protocol = IPPROTO_UDP;
	ip.saddr = htonl(INADDR_LOOPBACK);
	ip.daddr = htonl(INADDR_LOOPBACK);
	ip.check = raw_cksum(&ip, sizeof ip);
	memset(&udp, 0, sizeof udp);
	udp.source = htons(4242);
	udp.dest = htons(fixture_port(&ua));
	udp.len = htons(sizeof udp + 5);
	udp.check = 0;		/* none: allowed over IPv4 */
	memcpy(pkt, &ip, sizeof ip);
	memcpy(pkt + sizeof ip, &udp, sizeof udp);
	memcpy(pkt + sizeof ip + sizeof udp, "hdrin", 5);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	ck_assert_msg(sb_sendto(c, r, pkt, n, 0, (struct sockaddr *)&ss,
	    len) == (ssize_t)n, "sb_sendto: %s", strerror(errno));

	fromlen = sizeof from;
	ck_assert_int_eq(sb_recvfrom(c, u, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 5);
	ck_assert_mem_eq(buf, "hdrin", 5);
	ck_assert_int_eq(fixture_port(&from), 4242);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_udplite_send_and_recv_on_loopback)
{
	struct sockaddr_storage	 aa, ba, from;
	socklen_t		 alen, blen, fromlen;
	sb_conn			*c;
	char			 buf[32];
	int			 a, b;

	c = fixture_open();
	a = raw_socket(c, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	b = raw_socket(c, AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
	alen = fixture_addr(&aa, AF_INET, "127.0.0.1", 0);
	blen = fixture_addr(&ba, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_bind(c, a, (struct sockaddr *)&aa, alen), 0);
	ck_assert_int_eq(sb_bind(c, b, (struct sockaddr *)&ba, blen), 0);
	alen = blen = sizeof aa;
	ck_assert_int_eq(sb_getsockname(c, a, (struct sockaddr *)&aa, &alen),
	    0);
	ck_assert_int_eq(sb_getsockname(c, b, (struct sockaddr *)&ba, &blen),
	    0);
	ck_assert_int_eq(sb_sendto(c, a, "lite", 4, 0, (struct sockaddr *)&ba,
	    blen), 4);
	fromlen = sizeof from;
	ck_assert_int_eq(sb_recvfrom(c, b, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 4);
	ck_assert_mem_eq(buf, "lite", 4);
	ck_assert_int_eq(fixture_port(&from), fixture_port(&aa));
	sb_close_conn(c);
}
END_TEST

/* Raw IP end to end. */
Suite *
e2e_raw_suite(void)
{
	Suite	*s = suite_create("e2e_raw");
	TCase	*tc;

	tc = fixture_tcase("icmp");
	tcase_add_test(tc, test_raw_icmp_echo_to_127_0_0_1);
	tcase_add_test(tc, test_raw_icmpv6_echo_to_ipv6_loopback);
	tcase_add_test(tc, test_icmp_datagram_socket_echo);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("ip");
	tcase_add_test(tc, test_ip_hdrincl_packet_reaches_brokered_udp);
	tcase_add_test(tc, test_udplite_send_and_recv_on_loopback);
	suite_add_tcase(s, tc);
	return (s);
}
