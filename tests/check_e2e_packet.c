/* SPDX-License-Identifier: ISC */
/*
 * AF_PACKET end to end on the loopback: SOCK_RAW and SOCK_DGRAM capture of
 * a UDP datagram with the sender's sockaddr_ll, binding by interface index
 * and (over the raw protocol) by name, unknown interfaces, promiscuous
 * membership and PACKET_AUXDATA through recvmsg.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define PACKET_MARK	"sockbroker-packet-"

static int	 packet_socket(sb_conn *, int, int);
static void	 packet_udp(const char *);
static ssize_t	 packet_capture(sb_conn *, int, const char *, uint8_t *,
		     size_t, struct sockaddr_ll *);
static void	 packet_check_ll(const struct sockaddr_ll *);
static Sockbroker__Response *packet_raw_bind(int, uint32_t, const char *);

/* An AF_PACKET handle of type for ETH_P_IP, bound to lo by index. */
static int
packet_socket(sb_conn *c, int type, int dobind)
{
	struct sockaddr_ll	 ll;
	int			 h;

	h = sb_socket(c, AF_PACKET, type, htons(ETH_P_IP));
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);
	if (!dobind)
		return (h);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = if_nametoindex("lo");
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&ll, sizeof ll) == 0,
	    "sb_bind: %s", strerror(errno));
	return (h);
}

/* Sends one UDP datagram carrying mark over the loopback (locally). */
static void
packet_udp(const char *mark)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	/* Port 9 (discard): nobody listens; the capture sees it anyway. */
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 9);
	ck_assert_int_eq(sendto(fd, mark, strlen(mark), 0,
	    (struct sockaddr *)&ss, len), (ssize_t)strlen(mark));
	close(fd);
}

/*
 * Receives frames on h until one carries mark (lo may carry other
 * traffic); returns its length, the sender in *ll.
 */
static ssize_t
packet_capture(sb_conn *c, int h, const char *mark, uint8_t *buf, size_t size,
    struct sockaddr_ll *ll)
{
	socklen_t	 len;
	ssize_t		 n;
	int		 tries;

	for (tries = 0; tries < 256; tries++) {
		len = sizeof *ll;
		memset(ll, 0, sizeof *ll);
		n = sb_recvfrom(c, h, buf, size, 0, (struct sockaddr *)ll,
		    &len);
		ck_assert_msg(n > 0, "sb_recvfrom: %s", strerror(errno));
		ck_assert_int_ge(len, offsetof(struct sockaddr_ll, sll_addr));
		if (memmem(buf, n, mark, strlen(mark)) != NULL)
			return (n);
	}
	ck_abort_msg("the datagram was not captured");
	return (-1);
}

/* Checks the sockaddr_ll of a frame captured on lo. */
static void
packet_check_ll(const struct sockaddr_ll *ll)
{
	ck_assert_int_eq(ll->sll_family, AF_PACKET);
	ck_assert_int_eq(ll->sll_ifindex, (int)if_nametoindex("lo"));
	ck_assert_int_eq(ll->sll_protocol, htons(ETH_P_IP));
	ck_assert_int_eq(ll->sll_hatype, ARPHRD_LOOPBACK);
	ck_assert_msg(ll->sll_pkttype == PACKET_HOST ||
	    ll->sll_pkttype == PACKET_OUTGOING, "sll_pkttype %d",
	    ll->sll_pkttype);
}

START_TEST(test_packet_raw_captures_udp_on_lo)
{
	struct sockaddr_ll	 ll;
	sb_conn			*c;
	uint8_t			 buf[2048];
	const char		*mark = PACKET_MARK "raw";
	ssize_t			 n;
	int			 h;

	c = fixture_open();
	h = packet_socket(c, SOCK_RAW, 1);
	packet_udp(mark);
	n = packet_capture(c, h, mark, buf, sizeof buf, &ll);
	packet_check_ll(&ll);
	/* The loopback's (zero) Ethernet header, then IPv4. */
	ck_assert_int_ge(n, ETH_HLEN + 20 + 8 + (ssize_t)strlen(mark));
	ck_assert_int_eq(buf[12] << 8 | buf[13], ETH_P_IP);
	ck_assert_int_eq(buf[ETH_HLEN] >> 4, 4);
	ck_assert_int_eq(buf[ETH_HLEN + 9], IPPROTO_UDP);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_packet_dgram_captures_udp_on_lo)
{
	struct sockaddr_ll	 ll;
	sb_conn			*c;
	uint8_t			 buf[2048];
	const char		*mark = PACKET_MARK "dgram";
	ssize_t			 n;
	int			 h;

	c = fixture_open();
	h = packet_socket(c, SOCK_DGRAM, 1);
	packet_udp(mark);
	n = packet_capture(c, h, mark, buf, sizeof buf, &ll);
	packet_check_ll(&ll);
	/* No link header: the IPv4 header comes first. */
	ck_assert_int_ge(n, 20 + 8 + (ssize_t)strlen(mark));
	ck_assert_int_eq(buf[0] >> 4, 4);
	ck_assert_int_eq(buf[9], IPPROTO_UDP);
	sb_close_conn(c);
}
END_TEST

/* Sends a BindRequest for a packet address naming ifname. */
static Sockbroker__Response *
packet_raw_bind(int fd, uint32_t h, const char *ifname)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest	 op = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__Address	 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__PacketAddress p = SOCKBROKER__PACKET_ADDRESS__INIT;

	p.ifname = (char *)ifname;
	p.has_protocol = 1;
	p.protocol = ETH_P_IP;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_PACKET;
	a.packet = &p;
	op.handle = h;
	op.address = &a;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &op;
	return (rawconn_call(fd, &req));
}

START_TEST(test_packet_bind_by_interface_name)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocknameRequest op = SOCKBROKER__SOCKNAME_REQUEST__INIT;
	Sockbroker__Response	*resp;
	Sockbroker__PacketAddress *p;
	uint32_t		 h;
	int			 fd;

	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
	resp = packet_raw_bind(fd, h, "lo");
	ck_assert_msg(resp->error == NULL, "bind lo: %s",
	    resp->error != NULL && resp->error->message != NULL ?
	    resp->error->message : "?");
	ck_assert_ptr_nonnull(resp->empty);
	sockbroker__response__free_unpacked(resp, NULL);

	op.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &op;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	ck_assert_ptr_nonnull(resp->address);
	ck_assert_ptr_nonnull(resp->address->address);
	ck_assert_int_eq(resp->address->address->addr_case,
	    SOCKBROKER__ADDRESS__ADDR_PACKET);
	p = resp->address->address->packet;
	ck_assert(p->has_ifindex);
	ck_assert_uint_eq(p->ifindex, if_nametoindex("lo"));
	if (p->ifname != NULL)
		ck_assert_str_eq(p->ifname, "lo");
	ck_assert(p->has_protocol);
	ck_assert_uint_eq(p->protocol, ETH_P_IP);
	sockbroker__response__free_unpacked(resp, NULL);
	close(fd);
}
END_TEST

START_TEST(test_packet_unknown_interface_is_enodev)
{
	Sockbroker__Response	*resp;
	struct sockaddr_ll	 ll;
	sb_conn			*c;
	uint32_t		 rh;
	int			 fd, h;

	/* By name (raw protocol): the daemon's lookup, before any syscall. */
	fd = rawconn_start(NULL);
	rh = rawconn_socket(fd, AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
	resp = packet_raw_bind(fd, rh, "nosuchif0");
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->errnum, ENODEV);
	sockbroker__response__free_unpacked(resp, NULL);
	close(fd);

	/* By index (C API): the kernel's answer. */
	c = fixture_open();
	h = packet_socket(c, SOCK_RAW, 0);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = 0x7ffffff0;
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&ll, sizeof ll), -1);
	ck_assert_msg(errno == ENODEV || errno == ENXIO, "errno %d (%s)",
	    errno, strerror(errno));
	ck_assert_int_eq(sb_if_nametoindex(c, "nosuchif0"), 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_packet_add_membership_promisc)
{
	struct packet_mreq	 mr;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = packet_socket(c, SOCK_RAW, 1);
	memset(&mr, 0, sizeof mr);
	mr.mr_ifindex = if_nametoindex("lo");
	mr.mr_type = PACKET_MR_PROMISC;
	ck_assert_msg(sb_setsockopt(c, h, SOL_PACKET, PACKET_ADD_MEMBERSHIP,
	    &mr, sizeof mr) == 0, "PACKET_ADD_MEMBERSHIP: %s",
	    strerror(errno));
	ck_assert_msg(sb_setsockopt(c, h, SOL_PACKET, PACKET_DROP_MEMBERSHIP,
	    &mr, sizeof mr) == 0, "PACKET_DROP_MEMBERSHIP: %s",
	    strerror(errno));
	sb_close_conn(c);
}
END_TEST

START_TEST(test_packet_auxdata_through_recvmsg)
{
	struct tpacket_auxdata	 aux;
	struct sockaddr_ll	 ll;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} ctl;
	sb_conn			*c;
	uint8_t			 buf[2048];
	const char		*mark = PACKET_MARK "aux";
	ssize_t			 n;
	int			 h, one = 1, tries, found = 0;

	c = fixture_open();
	h = packet_socket(c, SOCK_DGRAM, 1);
	ck_assert_msg(sb_setsockopt(c, h, SOL_PACKET, PACKET_AUXDATA, &one,
	    sizeof one) == 0, "PACKET_AUXDATA: %s", strerror(errno));
	packet_udp(mark);
	for (tries = 0; tries < 256 && !found; tries++) {
		iov.iov_base = buf;
		iov.iov_len = sizeof buf;
		memset(&msg, 0, sizeof msg);
		msg.msg_name = &ll;
		msg.msg_namelen = sizeof ll;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof ctl.buf;
		n = sb_recvmsg(c, h, &msg, 0);
		ck_assert_msg(n > 0, "sb_recvmsg: %s", strerror(errno));
		found = memmem(buf, n, mark, strlen(mark)) != NULL;
	}
	ck_assert_msg(found, "the datagram was not captured");
	packet_check_ll(&ll);
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_PACKET &&
		    cm->cmsg_type == PACKET_AUXDATA)
			break;
	}
	ck_assert_msg(cm != NULL, "no PACKET_AUXDATA");
	ck_assert_uint_eq(cm->cmsg_len, CMSG_LEN(sizeof aux));
	memcpy(&aux, CMSG_DATA(cm), sizeof aux);
	ck_assert_uint_eq(aux.tp_snaplen, n);
	ck_assert_uint_ge(aux.tp_len, aux.tp_snaplen);
	ck_assert_int_eq(msg.msg_flags & MSG_CTRUNC, 0);
	sb_close_conn(c);
}
END_TEST

/* AF_PACKET end to end. */
Suite *
e2e_packet_suite(void)
{
	Suite	*s = suite_create("e2e_packet");
	TCase	*tc;

	tc = fixture_tcase("capture");
	tcase_add_test(tc, test_packet_raw_captures_udp_on_lo);
	tcase_add_test(tc, test_packet_dgram_captures_udp_on_lo);
	tcase_add_test(tc, test_packet_auxdata_through_recvmsg);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("bind");
	tcase_add_test(tc, test_packet_bind_by_interface_name);
	tcase_add_test(tc, test_packet_unknown_interface_is_enodev);
	tcase_add_test(tc, test_packet_add_membership_promisc);
	suite_add_tcase(s, tc);
	return (s);
}
