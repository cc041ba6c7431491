/* SPDX-License-Identifier: ISC */
/*
 * sendmsg, recvmsg and ioctl end to end: ancillary data both ways
 * (timestamps, IP_PKTINFO, IP_TTL), MSG_TRUNC, MSG_PEEK and MSG_DONTWAIT,
 * descriptors refused on send and dropped on receive, the brokered ioctl
 * requests, the Address variants of the families this kernel has, the
 * families it lacks, and a busy client that does not starve the others.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>

#include <arpa/inet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

/* The streaming test: a receiving client, a local flooding sender. */
struct msg_stream {
	sb_conn			*c;
	int			 h;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	volatile int		 stop;
	long			 received;
};

static int	 msg_udp(sb_conn *, struct sockaddr_storage *, socklen_t *);
static void	 msg_send_to(sb_conn *, int, const struct sockaddr_storage *,
		     socklen_t, const char *, size_t);
static ssize_t	 msg_recv(sb_conn *, int, void *, size_t, void *, size_t,
		     struct msghdr *, int);
static struct cmsghdr *msg_cmsg(struct msghdr *, int, int);
static double	 msg_realtime(void);
static void	 msg_setopt(sb_conn *, int, int, int, int);
static void	 msg_ifreq(struct ifreq *, const char *);
static int	 msg_family_missing(int, int, int);
static void	 msg_send_ancillary(int, int);
static void	*msg_stream_recv(void *);
static void	*msg_stream_flood(void *);

/* A UDP handle bound to 127.0.0.1 with a 5 s timeout; its address in ss. */
static int
msg_udp(sb_conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	int	 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, *len) == 0,
	    "sb_bind: %s", strerror(errno));
	*len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, len), 0);
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);
	return (h);
}

/* Sends one datagram of len bytes from h to ss. */
static void
msg_send_to(sb_conn *c, int h, const struct sockaddr_storage *ss,
    socklen_t len, const char *data, size_t n)
{
	ck_assert_msg(sb_sendto(c, h, data, n, 0, (const struct sockaddr *)ss,
	    len) == (ssize_t)n, "sb_sendto: %s", strerror(errno));
}

/* sb_recvmsg into one buffer and a control buffer, msg filled for checks. */
static ssize_t
msg_recv(sb_conn *c, int h, void *buf, size_t len, void *ctl, size_t ctllen,
    struct msghdr *msg, int flags)
{
	static struct iovec	iov;
	static struct sockaddr_storage from;

	iov.iov_base = buf;
	iov.iov_len = len;
	memset(msg, 0, sizeof *msg);
	memset(&from, 0, sizeof from);
	msg->msg_name = &from;
	msg->msg_namelen = sizeof from;
	msg->msg_iov = &iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = ctllen;
	return (sb_recvmsg(c, h, msg, flags));
}

/* The first cmsg of level and type in msg, or NULL. */
static struct cmsghdr *
msg_cmsg(struct msghdr *msg, int level, int type)
{
	struct cmsghdr	*cm;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == level && cm->cmsg_type == type)
			return (cm);
	}
	return (NULL);
}

/* Wall-clock time in seconds. */
static double
msg_realtime(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* Sets an integer option, failing the test if the daemon refuses. */
static void
msg_setopt(sb_conn *c, int h, int level, int name, int value)
{
	ck_assert_msg(sb_setsockopt(c, h, level, name, &value,
	    sizeof value) == 0, "sb_setsockopt(%d, %d): %s", level, name,
	    strerror(errno));
}

/* An ifreq naming ifname. */
static void
msg_ifreq(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof *ifr);
	snprintf(ifr->ifr_name, sizeof ifr->ifr_name, "%s", ifname);
}

START_TEST(test_recvmsg_so_timestampns_gives_scm_timestampns)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct timespec		 ts;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} ctl;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	msg_send_to(c, ha, &b, blen, "stamp", 5);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, ctl.buf,
	    sizeof ctl.buf, &msg, 0), 5);
	ck_assert_mem_eq(buf, "stamp", 5);
	cm = msg_cmsg(&msg, SOL_SOCKET, SCM_TIMESTAMPNS);
	ck_assert_msg(cm != NULL, "no SCM_TIMESTAMPNS");
	ck_assert_uint_eq(cm->cmsg_len, CMSG_LEN(sizeof ts));
	memcpy(&ts, CMSG_DATA(cm), sizeof ts);
	ck_assert_double_le(fabs(ts.tv_sec + ts.tv_nsec / 1e9 -
	    msg_realtime()), 5.0);
	ck_assert_int_eq(msg.msg_flags & MSG_CTRUNC, 0);
	ck_assert_int_eq(msg.msg_namelen, sizeof(struct sockaddr_in));
	ck_assert_int_eq(fixture_port(msg.msg_name), fixture_port(&a));
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recvmsg_so_timestamp_gives_scm_timestamp)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct timeval		 tv;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} ctl;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, SOL_SOCKET, SO_TIMESTAMP, 1);
	msg_send_to(c, ha, &b, blen, "stamp", 5);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, ctl.buf,
	    sizeof ctl.buf, &msg, 0), 5);
	cm = msg_cmsg(&msg, SOL_SOCKET, SCM_TIMESTAMP);
	ck_assert_msg(cm != NULL, "no SCM_TIMESTAMP");
	ck_assert_uint_eq(cm->cmsg_len, CMSG_LEN(sizeof tv));
	memcpy(&tv, CMSG_DATA(cm), sizeof tv);
	ck_assert_double_le(fabs(tv.tv_sec + tv.tv_usec / 1e6 -
	    msg_realtime()), 5.0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recvmsg_small_control_buffer_sets_msg_ctrunc)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_LEN(4)];
	} ctl;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	msg_send_to(c, ha, &b, blen, "stamp", 5);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, ctl.buf,
	    sizeof ctl.buf, &msg, 0), 5);
	ck_assert_int_ne(msg.msg_flags & MSG_CTRUNC, 0);
	/* As the kernel's put_cmsg(): at most a cut item, never a whole one. */
	cm = msg_cmsg(&msg, SOL_SOCKET, SCM_TIMESTAMPNS);
	if (cm != NULL)
		ck_assert_uint_lt(cm->cmsg_len,
		    CMSG_LEN(sizeof(struct timespec)));
	ck_assert_uint_le(msg.msg_controllen, sizeof ctl.buf);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recvmsg_large_control_buffer_works)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	static union {
		struct cmsghdr	 align;
		char		 buf[65536];
	} ctl;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb;

	/* As a local recvmsg: a roomy control buffer is no error. */
	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	msg_send_to(c, ha, &b, blen, "roomy", 5);
	ck_assert_msg(msg_recv(c, hb, buf, sizeof buf, ctl.buf,
	    sizeof ctl.buf, &msg, 0) == 5, "sb_recvmsg: %s (%s)",
	    strerror(errno), sb_lasterror()->message);
	ck_assert_ptr_nonnull(msg_cmsg(&msg, SOL_SOCKET, SCM_TIMESTAMPNS));
	ck_assert_int_eq(msg.msg_flags & MSG_CTRUNC, 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recvmsg_ip_pktinfo_and_ip_recvttl)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} ctl;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb, ttl;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, IPPROTO_IP, IP_PKTINFO, 1);
	msg_setopt(c, hb, IPPROTO_IP, IP_RECVTTL, 1);
	msg_setopt(c, ha, IPPROTO_IP, IP_TTL, 33);
	msg_send_to(c, ha, &b, blen, "info", 4);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, ctl.buf,
	    sizeof ctl.buf, &msg, 0), 4);
	cm = msg_cmsg(&msg, IPPROTO_IP, IP_PKTINFO);
	ck_assert_msg(cm != NULL, "no IP_PKTINFO");
	memcpy(&pi, CMSG_DATA(cm), sizeof pi);
	ck_assert_uint_eq(pi.ipi_ifindex, if_nametoindex("lo"));
	ck_assert_uint_eq(ntohl(pi.ipi_addr.s_addr), INADDR_LOOPBACK);
	cm = msg_cmsg(&msg, IPPROTO_IP, IP_TTL);
	ck_assert_msg(cm != NULL, "no IP_TTL");
	memcpy(&ttl, CMSG_DATA(cm), sizeof ttl);
	ck_assert_int_eq(ttl, 33);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_msg_trunc_returns_the_real_length)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	sb_conn			*c;
	char			 big[100], buf[10];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	memset(big, 'x', sizeof big);
	msg_send_to(c, ha, &b, blen, big, sizeof big);
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, MSG_TRUNC), 100);
	ck_assert_mem_eq(buf, big, sizeof buf);

	/* recvmsg without MSG_TRUNC: what fits, and MSG_TRUNC in msg_flags. */
	msg_send_to(c, ha, &b, blen, big, sizeof big);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, NULL, 0, &msg, 0),
	    10);
	ck_assert_int_ne(msg.msg_flags & MSG_TRUNC, 0);

	/* recvmsg with MSG_TRUNC: the real length. */
	msg_send_to(c, ha, &b, blen, big, sizeof big);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, NULL, 0, &msg,
	    MSG_TRUNC), 100);
	ck_assert_int_ne(msg.msg_flags & MSG_TRUNC, 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_msg_peek_leaves_the_data)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_send_to(c, ha, &b, blen, "peek", 4);
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, MSG_PEEK), 4);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, NULL, 0, &msg,
	    MSG_PEEK), 4);
	memset(buf, 0, sizeof buf);
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "peek", 4);
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_msg_dontwait_is_eagain_at_once)
{
	struct sockaddr_storage	 b;
	socklen_t		 blen;
	struct msghdr		 msg;
	sb_conn			*c;
	char			 buf[16];
	double			 start;
	int			 hb;

	c = fixture_open();
	hb = msg_udp(c, &b, &blen);
	ck_assert_int_eq(sb_settimeout(c, hb, SB_TIMEOUT_NONE), 0);
	start = fixture_now();
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, NULL, 0, &msg,
	    MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_double_lt(fixture_now() - start, fixture_slow() ? 5 : 0.5);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_sendmsg_two_buffers_and_an_address)
{
	struct sockaddr_storage	 a, b, from;
	socklen_t		 alen, blen, fromlen;
	struct msghdr		 msg;
	struct iovec		 iov[2];
	sb_conn			*c;
	char			 buf[32];
	int			 ha, hb;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	iov[0].iov_base = "hello, ";
	iov[0].iov_len = 7;
	iov[1].iov_base = "world";
	iov[1].iov_len = 5;
	memset(&msg, 0, sizeof msg);
	msg.msg_name = &b;
	msg.msg_namelen = blen;
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	ck_assert_int_eq(sb_sendmsg(c, ha, &msg, 0), 12);
	fromlen = sizeof from;
	ck_assert_int_eq(sb_recvfrom(c, hb, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &fromlen), 12);
	ck_assert_mem_eq(buf, "hello, world", 12);
	ck_assert_int_eq(fixture_port(&from), fixture_port(&a));

	/* And recvmsg scatters over two buffers. */
	ck_assert_int_eq(sb_sendmsg(c, ha, &msg, 0), 12);
	memset(buf, 0, sizeof buf);
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	iov[1].iov_base = buf + 10;
	iov[1].iov_len = 20;
	memset(&msg, 0, sizeof msg);
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	ck_assert_int_eq(sb_recvmsg(c, hb, &msg, 0), 12);
	ck_assert_mem_eq(buf, "hel", 3);
	ck_assert_mem_eq(buf + 10, "lo, world", 9);
	ck_assert_int_eq(msg.msg_namelen, 0);
	sb_close_conn(c);
}
END_TEST

/*
 * Sends "anc" from ha to hb (which has IP_RECVTTL) with an IP_PKTINFO item
 * (pktinfo set) and an IP_TTL item (ttl > 0); checks the TTL hb sees.
 */
static void
msg_send_ancillary(int pktinfo, int ttl)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg, rmsg;
	struct cmsghdr		*cm;
	struct in_pktinfo	 pi;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				     CMSG_SPACE(sizeof(int))];
	} out;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} in;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb, got;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	msg_setopt(c, hb, IPPROTO_IP, IP_RECVTTL, 1);

	memset(&out, 0, sizeof out);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = "anc";
	iov.iov_len = 3;
	msg.msg_name = &b;
	msg.msg_namelen = blen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = out.buf;
	msg.msg_controllen = sizeof out.buf;
	cm = CMSG_FIRSTHDR(&msg);
	if (pktinfo) {
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof pi);
		memset(&pi, 0, sizeof pi);
		pi.ipi_spec_dst.s_addr = htonl(INADDR_LOOPBACK);
		memcpy(CMSG_DATA(cm), &pi, sizeof pi);
		msg.msg_controllen = CMSG_SPACE(sizeof pi);
		if (ttl > 0) {
			msg.msg_controllen = sizeof out.buf;
			cm = CMSG_NXTHDR(&msg, cm);
			ck_assert_ptr_nonnull(cm);
		}
	}
	if (ttl > 0) {
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_TTL;
		cm->cmsg_len = CMSG_LEN(sizeof ttl);
		memcpy(CMSG_DATA(cm), &ttl, sizeof ttl);
		msg.msg_controllen = (char *)cm - out.buf +
		    CMSG_SPACE(sizeof ttl);
	}
	ck_assert_msg(sb_sendmsg(c, ha, &msg, 0) == 3, "sb_sendmsg: %s (%s)",
	    strerror(errno), sb_lasterror()->message);

	ck_assert_int_eq(msg_recv(c, hb, buf, sizeof buf, in.buf,
	    sizeof in.buf, &rmsg, 0), 3);
	ck_assert_mem_eq(buf, "anc", 3);
	cm = msg_cmsg(&rmsg, IPPROTO_IP, IP_TTL);
	ck_assert_msg(cm != NULL, "no IP_TTL");
	memcpy(&got, CMSG_DATA(cm), sizeof got);
	if (ttl > 0)
		ck_assert_int_eq(got, ttl);
	else
		ck_assert_int_gt(got, 0);
	sb_close_conn(c);
}

START_TEST(test_sendmsg_with_ip_pktinfo_ancillary)
{
	msg_send_ancillary(1, 0);
}
END_TEST

START_TEST(test_sendmsg_with_ip_ttl_ancillary)
{
	msg_send_ancillary(0, 7);
}
END_TEST

START_TEST(test_sendmsg_with_two_ancillary_items)
{
	msg_send_ancillary(1, 9);
}
END_TEST

START_TEST(test_sendmsg_scm_rights_or_credentials_is_eperm)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct ucred		 cred;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct ucred))];
	} out;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb, fd = 0;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	memset(&out, 0, sizeof out);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = "fd";
	iov.iov_len = 2;
	msg.msg_name = &b;
	msg.msg_namelen = blen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = out.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof fd);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fd);
	memcpy(CMSG_DATA(cm), &fd, sizeof fd);
	ck_assert_int_eq(sb_sendmsg(c, ha, &msg, 0), -1);
	ck_assert_int_eq(errno, EPERM);

	msg.msg_controllen = CMSG_SPACE(sizeof cred);
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof cred);
	cred.pid = getpid();
	cred.uid = getuid();
	cred.gid = getgid();
	memcpy(CMSG_DATA(cm), &cred, sizeof cred);
	ck_assert_int_eq(sb_sendmsg(c, ha, &msg, 0), -1);
	ck_assert_int_eq(errno, EPERM);

	/* Nothing went out. */
	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_sendmsg_bad_cmsg_length_is_einval)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} out;
	sb_conn			*c;
	int			 ha;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	msg_udp(c, &b, &blen);
	memset(&out, 0, sizeof out);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = "x";
	iov.iov_len = 1;
	msg.msg_name = &b;
	msg.msg_namelen = blen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = out.buf;
	msg.msg_controllen = sizeof out.buf;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = sizeof out.buf + 64;
	ck_assert_int_eq(sb_sendmsg(c, ha, &msg, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_fd_passed_by_a_peer_is_dropped_with_msg_ctrunc)
{
	struct sockaddr_un	 sun;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} out;
	union {
		struct cmsghdr	 align;
		char		 buf[256];
	} in;
	sb_conn			*c;
	char			 buf[16];
	int			 h, peer, passed, base;

	c = fixture_open();
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/rights.sock",
	    fixture_dir());
	h = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&sun, sizeof sun) == 0,
	    "sb_bind: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, fixture_slow() ? 60 : 5), 0);
	base = fixture_fd_baseline();

	/* A local peer passes a socket: it would show in the daemon's count. */
	peer = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	passed = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(peer, 0);
	ck_assert_int_ge(passed, 0);
	memset(&out, 0, sizeof out);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = "rights";
	iov.iov_len = 6;
	msg.msg_name = &sun;
	msg.msg_namelen = sizeof sun;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = out.buf;
	msg.msg_controllen = sizeof out.buf;
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof passed);
	memcpy(CMSG_DATA(cm), &passed, sizeof passed);
	ck_assert_msg(sendmsg(peer, &msg, 0) == 6, "sendmsg: %s",
	    strerror(errno));
	close(passed);
	close(peer);

	ck_assert_int_eq(msg_recv(c, h, buf, sizeof buf, in.buf,
	    sizeof in.buf, &msg, 0), 6);
	ck_assert_mem_eq(buf, "rights", 6);
	ck_assert_ptr_null(msg_cmsg(&msg, SOL_SOCKET, SCM_RIGHTS));
	ck_assert_int_ne(msg.msg_flags & MSG_CTRUNC, 0);
	ck_assert_int_le(fixture_fd_wait(base), base);
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_ioctl_fionread_siocoutq_and_siocgstamp)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	struct timeval		 tv;
	struct timespec		 ts;
	sb_conn			*c;
	char			 buf[16];
	int			 ha, hb, n;

	c = fixture_open();
	ha = msg_udp(c, &a, &alen);
	hb = msg_udp(c, &b, &blen);
	n = -1;
	ck_assert_int_eq(sb_ioctl(c, hb, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 0);
	msg_send_to(c, ha, &b, blen, "12345", 5);
	n = -1;
	ck_assert_int_eq(sb_ioctl(c, hb, SIOCINQ, &n), 0);
	ck_assert_int_eq(n, 5);
	n = -1;
	ck_assert_int_eq(sb_ioctl(c, ha, SIOCOUTQ, &n), 0);
	ck_assert_int_ge(n, 0);

	ck_assert_int_eq(sb_recv(c, hb, buf, sizeof buf, 0), 5);
	memset(&tv, 0, sizeof tv);
	ck_assert_msg(sb_ioctl(c, hb, SIOCGSTAMP, &tv) == 0,
	    "SIOCGSTAMP: %s", strerror(errno));
	ck_assert_double_le(fabs(tv.tv_sec + tv.tv_usec / 1e6 -
	    msg_realtime()), 5.0);
	memset(&ts, 0, sizeof ts);
	ck_assert_msg(sb_ioctl(c, hb, SIOCGSTAMPNS, &ts) == 0,
	    "SIOCGSTAMPNS: %s", strerror(errno));
	ck_assert_double_le(fabs(ts.tv_sec + ts.tv_nsec / 1e9 -
	    msg_realtime()), 5.0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_ioctl_siocgif_requests_on_lo)
{
	struct sockaddr_storage	 a;
	socklen_t		 alen;
	struct ifreq		 ifr, local;
	sb_conn			*c;
	unsigned int		 lo = if_nametoindex("lo");
	int			 h, fd;

	ck_assert_uint_gt(lo, 0);
	c = fixture_open();
	h = msg_udp(c, &a, &alen);

	msg_ifreq(&ifr, "lo");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFINDEX, &ifr), 0);
	ck_assert_int_eq(ifr.ifr_ifindex, (int)lo);

	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_ifindex = lo;
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFNAME, &ifr), 0);
	ck_assert_str_eq(ifr.ifr_name, "lo");

	msg_ifreq(&ifr, "lo");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFFLAGS, &ifr), 0);
	ck_assert_int_ne(ifr.ifr_flags & IFF_LOOPBACK, 0);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	msg_ifreq(&local, "lo");
	ck_assert_int_eq(ioctl(fd, SIOCGIFMTU, &local), 0);
	close(fd);
	msg_ifreq(&ifr, "lo");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFMTU, &ifr), 0);
	ck_assert_int_eq(ifr.ifr_mtu, local.ifr_mtu);

	msg_ifreq(&ifr, "lo");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFHWADDR, &ifr), 0);
	ck_assert_int_eq(ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);

	/* An unknown interface is the kernel's ENODEV. */
	msg_ifreq(&ifr, "nosuchif0");
	ck_assert_int_eq(sb_ioctl(c, h, SIOCGIFINDEX, &ifr), -1);
	ck_assert_int_eq(errno, ENODEV);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_ioctl_unlisted_request_is_einval)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__IoctlRequest op = SOCKBROKER__IOCTL_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sockaddr_storage	 a;
	socklen_t		 alen;
	struct ifreq		 ifr;
	sb_conn			*c;
	int			 h, fd;

	/* The library refuses what it has no argument size for... */
	c = fixture_open();
	h = msg_udp(c, &a, &alen);
	msg_ifreq(&ifr, "lo");
	ifr.ifr_mtu = 1280;
	ck_assert_int_eq(sb_ioctl(c, h, SIOCSIFMTU, &ifr), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_ioctl(c, h, FIONBIO, &h), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, NULL), -1);
	ck_assert_int_eq(errno, EFAULT);
	sb_close_conn(c);

	/* ...and so does the daemon, asked directly. */
	fd = rawconn_start(NULL);
	op.handle = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	op.request = SIOCSIFMTU;
	op.has_arg = 1;
	op.arg.data = (uint8_t *)&ifr;
	op.arg.len = sizeof ifr;
	req.op_case = SOCKBROKER__REQUEST__OP_IOCTL;
	req.ioctl = &op;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->errnum, EINVAL);
	ck_assert_int_eq(resp->error->kind, SOCKBROKER__ERROR__KIND__OS);
	ck_assert_ptr_nonnull(resp->error->message);
	ck_assert_msg(strstr(resp->error->message, "not brokered") != NULL,
	    "message: %s", resp->error->message);
	sockbroker__response__free_unpacked(resp, NULL);
	close(fd);
}
END_TEST

START_TEST(test_netlink_address_bind_and_getsockname)
{
	struct sockaddr_nl	 nl;
	socklen_t		 len;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = sb_socket(c, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	memset(&nl, 0, sizeof nl);
	nl.nl_family = AF_NETLINK;
	nl.nl_groups = RTMGRP_LINK;
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&nl, sizeof nl) == 0,
	    "sb_bind: %s", strerror(errno));
	memset(&nl, 0, sizeof nl);
	len = sizeof nl;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&nl, &len),
	    0);
	ck_assert_int_eq(len, sizeof nl);
	ck_assert_int_eq(nl.nl_family, AF_NETLINK);
	ck_assert_uint_ne(nl.nl_pid, 0);
	ck_assert_uint_eq(nl.nl_groups, RTMGRP_LINK);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_vsock_address_bind_and_getsockname)
{
	struct sockaddr_vm	 vm;
	socklen_t		 len;
	sb_conn			*c;
	int			 h, fd, r, local;

	c = fixture_open();
	h = sb_socket(c, AF_VSOCK, SOCK_STREAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	memset(&vm, 0, sizeof vm);
	vm.svm_family = AF_VSOCK;
	vm.svm_cid = VMADDR_CID_ANY;
	vm.svm_port = VMADDR_PORT_ANY;
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&vm, sizeof vm) == 0,
	    "sb_bind: %s", strerror(errno));
	memset(&vm, 0, sizeof vm);
	len = sizeof vm;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&vm, &len),
	    0);
	ck_assert_int_eq(vm.svm_family, AF_VSOCK);
	ck_assert_uint_eq(vm.svm_cid, VMADDR_CID_ANY);
	ck_assert_uint_ne(vm.svm_port, VMADDR_PORT_ANY);

	/* VMADDR_CID_LOCAL: whatever a local socket gets, the broker gets. */
	memset(&vm, 0, sizeof vm);
	vm.svm_family = AF_VSOCK;
	vm.svm_cid = VMADDR_CID_LOCAL;
	vm.svm_port = VMADDR_PORT_ANY;
	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	local = bind(fd, (struct sockaddr *)&vm, sizeof vm) == 0 ? 0 : errno;
	close(fd);
	h = sb_socket(c, AF_VSOCK, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	r = sb_bind(c, h, (struct sockaddr *)&vm, sizeof vm) == 0 ? 0 : errno;
	ck_assert_int_eq(r, local);
	if (r == 0) {
		len = sizeof vm;
		ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&vm,
		    &len), 0);
		ck_assert_uint_eq(vm.svm_cid, VMADDR_CID_LOCAL);
	}
	sb_close_conn(c);
}
END_TEST

START_TEST(test_packet_address_bind_and_getsockname)
{
	struct sockaddr_ll	 ll;
	socklen_t		 len;
	sb_conn			*c;
	unsigned int		 lo = if_nametoindex("lo");
	int			 h;

	c = fixture_open();
	h = sb_socket(c, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = lo;
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&ll, sizeof ll) == 0,
	    "sb_bind: %s", strerror(errno));
	memset(&ll, 0, sizeof ll);
	len = sizeof ll;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&ll, &len),
	    0);
	ck_assert_int_eq(ll.sll_family, AF_PACKET);
	ck_assert_int_eq(ll.sll_ifindex, (int)lo);
	ck_assert_int_eq(ll.sll_protocol, htons(ETH_P_IP));
	ck_assert_int_eq(ll.sll_hatype, ARPHRD_LOOPBACK);
	sb_close_conn(c);
}
END_TEST

/* Whether this kernel lacks family (a local socket() says so). */
static int
msg_family_missing(int family, int type, int protocol)
{
	int	 fd;

	if ((fd = socket(family, type | SOCK_CLOEXEC, protocol)) != -1) {
		close(fd);
		return (0);
	}
	return (errno == EAFNOSUPPORT);
}

START_TEST(test_missing_families_are_eafnosupport_unlisted)
{
	static const int	 missing[][3] = {
		{ AF_CAN, SOCK_RAW, 1 },	/* CAN_RAW */
		{ AF_TIPC, SOCK_RDM, 0 },
		{ AF_ALG, SOCK_SEQPACKET, 0 },
	};
	static const int	 present[] = {
		AF_PACKET, AF_NETLINK, AF_VSOCK
	};
	const struct sb_info	*info;
	sb_conn			*c;
	size_t			 i, j;
	int			 found;

	c = fixture_open();
	info = sb_info(c);
	ck_assert_ptr_nonnull(info);
	for (i = 0; i < sizeof missing / sizeof missing[0]; i++) {
		if (!msg_family_missing(missing[i][0], missing[i][1],
		    missing[i][2])) {
			fprintf(stderr, "%s: this kernel has family %d, "
			    "skipped\n", __func__, missing[i][0]);
			continue;
		}
		ck_assert_int_eq(sb_socket(c, missing[i][0], missing[i][1],
		    missing[i][2]), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
		for (j = 0; j < info->nfamilies; j++)
			ck_assert_int_ne(info->families[j], missing[i][0]);
	}
	for (i = 0; i < sizeof present / sizeof present[0]; i++) {
		found = 0;
		for (j = 0; j < info->nfamilies; j++)
			found |= info->families[j] == present[i];
		ck_assert_msg(found, "family %d not in Hello", present[i]);
	}
	sb_close_conn(c);
}
END_TEST

/* The streaming test's receiver: recv as fast as it can until told. */
static void *
msg_stream_recv(void *arg)
{
	struct msg_stream	*st = arg;
	char			 buf[2048];

	while (!st->stop) {
		if (sb_recv(st->c, st->h, buf, sizeof buf, 0) > 0)
			st->received++;
		else if (errno != EAGAIN)
			break;
	}
	return (NULL);
}

/* The streaming test's local sender: floods the receiver until told. */
static void *
msg_stream_flood(void *arg)
{
	struct msg_stream	*st = arg;
	char			 buf[512];
	int			 fd;

	memset(buf, 'f', sizeof buf);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (NULL);
	while (!st->stop) {
		if (sendto(fd, buf, sizeof buf, MSG_DONTWAIT,
		    (struct sockaddr *)&st->to, st->tolen) == -1)
			usleep(100);
	}
	close(fd);
	return (NULL);
}

START_TEST(test_streaming_client_does_not_starve_others)
{
	struct msg_stream	 st;
	pthread_t		 rt, ft;
	sb_conn			*other;
	char			 name[256];
	double			 start, took, bound = fixture_slow() ? 30 : 2;
	int			 i;

	memset(&st, 0, sizeof st);
	st.c = fixture_open();
	st.h = msg_udp(st.c, &st.to, &st.tolen);
	ck_assert_int_eq(sb_settimeout(st.c, st.h, 0.2), 0);
	other = fixture_open();
	ck_assert_int_eq(pthread_create(&rt, NULL, msg_stream_recv, &st), 0);
	ck_assert_int_eq(pthread_create(&ft, NULL, msg_stream_flood, &st), 0);
	usleep(100000);

	start = fixture_now();
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(sb_gethostname(other, name, sizeof name), 0);
	took = fixture_now() - start;

	st.stop = 1;
	pthread_join(ft, NULL);
	pthread_join(rt, NULL);
	ck_assert_msg(took < bound, "200 round trips took %.2f s", took);
	ck_assert_msg(st.received > 0, "the streaming client got nothing");
	fprintf(stderr, "%s: 200 round trips in %.3f s while %ld datagrams "
	    "streamed\n", __func__, took, st.received);
	sb_close_conn(other);
	sb_close_conn(st.c);
}
END_TEST

/*
 * A NULL option value with a length (Python's setsockopt(level, name, None,
 * optlen)) passes only for an option that reads just the length
 * (ALG_SET_AEAD_AUTHSIZE); another option refuses it as the kernel would.
 */
START_TEST(test_setsockopt_null_value_is_efault_unless_the_option_takes_it)
{
	sb_conn	*c = fixture_open();
	int	 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_RCVBUF, NULL,
	    sizeof(int)), -1);
	ck_assert_int_eq(errno, EFAULT);
	ck_assert_msg(strstr(sb_lasterror()->message, "not NULL") != NULL,
	    "message: %s", sb_lasterror()->message);
	/* Through the daemon to a kernel that has no SOL_ALG on UDP. */
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_AEAD_AUTHSIZE,
	    NULL, 16), -1);
	ck_assert_int_eq(errno, ENOPROTOOPT);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	/* An AEAD tag is at most 64 bytes: the daemon stops a larger one. */
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_AEAD_AUTHSIZE,
	    NULL, 65), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(sb_lasterror()->message, "65 bytes") != NULL,
	    "message: %s", sb_lasterror()->message);
	sb_close_conn(c);
}
END_TEST

/*
 * ALG_SET_KEY is brokered up to 1024 bytes, whatever the family (the
 * kernel then says ENOPROTOOPT for a socket that is not AF_ALG); longer
 * keys are refused by the daemon with their size, never their bytes.
 */
START_TEST(test_setsockopt_alg_set_key_bounds)
{
	sb_conn	*c = fixture_open();
	uint8_t	 key[1025];
	int	 h;

	memset(key, 0x41, sizeof key);
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_KEY, key, 1024),
	    -1);
	ck_assert_int_eq(errno, ENOPROTOOPT);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_KEY, key,
	    sizeof key), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(sb_lasterror()->message, "1025 bytes") != NULL,
	    "message: %s", sb_lasterror()->message);
	ck_assert_ptr_null(strstr(sb_lasterror()->message, "AAAA"));
	/* There is nothing to read back: the daemon lists it as set-only. */
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_ALG, ALG_SET_KEY, key,
	    &(socklen_t){ 16 }), -1);
	ck_assert_int_eq(errno, ENOPROTOOPT);
	ck_assert_msg(strstr(sb_lasterror()->message, "not brokered") != NULL,
	    "message: %s", sb_lasterror()->message);
	sb_close_conn(c);
}
END_TEST

/* sendmsg/recvmsg/ioctl end to end. */
Suite *
e2e_msg_suite(void)
{
	Suite	*s = suite_create("e2e_msg");
	TCase	*tc;

	tc = fixture_tcase("recvmsg");
	tcase_add_test(tc, test_recvmsg_so_timestampns_gives_scm_timestampns);
	tcase_add_test(tc, test_recvmsg_so_timestamp_gives_scm_timestamp);
	tcase_add_test(tc, test_recvmsg_small_control_buffer_sets_msg_ctrunc);
	tcase_add_test(tc, test_recvmsg_large_control_buffer_works);
	tcase_add_test(tc, test_recvmsg_ip_pktinfo_and_ip_recvttl);
	tcase_add_test(tc, test_recv_msg_trunc_returns_the_real_length);
	tcase_add_test(tc, test_recv_msg_peek_leaves_the_data);
	tcase_add_test(tc, test_recv_msg_dontwait_is_eagain_at_once);
	tcase_add_test(tc, test_fd_passed_by_a_peer_is_dropped_with_msg_ctrunc);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("sendmsg");
	tcase_add_test(tc, test_sendmsg_two_buffers_and_an_address);
	tcase_add_test(tc, test_sendmsg_with_ip_pktinfo_ancillary);
	tcase_add_test(tc, test_sendmsg_with_ip_ttl_ancillary);
	tcase_add_test(tc, test_sendmsg_with_two_ancillary_items);
	tcase_add_test(tc, test_sendmsg_scm_rights_or_credentials_is_eperm);
	tcase_add_test(tc, test_sendmsg_bad_cmsg_length_is_einval);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("ioctl");
	tcase_add_test(tc, test_ioctl_fionread_siocoutq_and_siocgstamp);
	tcase_add_test(tc, test_ioctl_siocgif_requests_on_lo);
	tcase_add_test(tc, test_ioctl_unlisted_request_is_einval);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("families");
	tcase_add_test(tc, test_netlink_address_bind_and_getsockname);
	tcase_add_test(tc, test_vsock_address_bind_and_getsockname);
	tcase_add_test(tc, test_packet_address_bind_and_getsockname);
	tcase_add_test(tc, test_missing_families_are_eafnosupport_unlisted);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("streaming");
	tcase_add_test(tc, test_streaming_client_does_not_starve_others);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("sockopt-null-and-alg");
	tcase_add_test(tc,
	    test_setsockopt_null_value_is_efault_unless_the_option_takes_it);
	tcase_add_test(tc, test_setsockopt_alg_set_key_bounds);
	suite_add_tcase(s, tc);
	return (s);
}
