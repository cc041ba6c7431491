/* SPDX-License-Identifier: ISC */
/*
 * Confused-deputy and abuse probes against a real daemon. Every probe must
 * be refused, and afterwards the daemon must still serve its other clients
 * and new ones, with no growth of its sockets (fixture_fd_count) or of its
 * memory (VmRSS, after a warm-up round, within a tolerance).
 *
 * TCases: "frames" (the protocol and the handles, default limits), "limits"
 * (--max-handles and --max-clients reached), "nofile" (the daemon under a
 * low RLIMIT_NOFILE, started through prlimit), and "policy" (probes of
 * the default-deny policy).
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/filter.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"
#include "check_main.h"

#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF		50
#endif

#define SEC_PIPELINED		10000	/* requests sent without reading */
#define SEC_RSS_SLACK_KB	(8 * 1024)	/* growth tolerated per check */
#define SEC_FLOOD_BOUND_KB	(64 * 1024)	/* daemon growth while flooded */
#define SEC_LIMIT_HANDLES	8
#define SEC_LIMIT_CLIENTS	4
#define SEC_NOFILE		32	/* the daemon's RLIMIT_NOFILE */

static const char *const sec_limit_args[] = {
	"--max-handles", "8", "--max-clients", "4", NULL
};
static char		 sec_policy_file[] = "/tmp/sbpolicy.XXXXXX";
static const char	*sec_policy_args[] = { "--policy", sec_policy_file,
			    NULL };
static int		 sec_have_policy;
static char		*sec_saved_wrapper;

static void	 sec_expect_errno(Sockbroker__Response *, int, const char *);
static void	 sec_assert_serving(sb_conn *);
static int	 sec_flood(void);
static void	 sec_limits_setup(void);
static void	 sec_nofile_setup(void);
static void	 sec_nofile_teardown(void);
static void	 sec_policy_setup(void);
static void	 sec_policy_teardown(void);
static void	 sec_default_args(void);
static void	 sec_policy_ready(void);

/* Asserts resp is an error with errnum, and frees it. */
static void
sec_expect_errno(Sockbroker__Response *resp, int errnum, const char *what)
{
	ck_assert_msg(resp->error != NULL, "%s: accepted, expected %s", what,
	    strerror(errnum));
	ck_assert_msg(resp->error->errnum == errnum, "%s: error %d (%s), "
	    "expected %d (%s)", what, resp->error->errnum,
	    resp->error->message != NULL ? resp->error->message : "",
	    errnum, strerror(errnum));
	sockbroker__response__free_unpacked(resp, NULL);
}

/* The daemon still answers c (when not NULL) and a brand new connection. */
static void
sec_assert_serving(sb_conn *c)
{
	sb_conn	*c2;
	char	 name[256];

	if (c != NULL)
		ck_assert_msg(sb_gethostname(c, name, sizeof name) == 0,
		    "an existing client is no longer served: %s",
		    strerror(errno));
	c2 = fixture_open();
	ck_assert_msg(sb_gethostname(c2, name, sizeof name) == 0,
	    "a new client is not served: %s", strerror(errno));
	sb_close_conn(c2);
}

/* frames: a frame of exactly max_frame is served, one over it cut off. */
START_TEST(test_frame_at_max_served_over_max_cut)
{
	static const uint8_t	 head[] = { 0x08, 0x07, 0x82, 0x01, 0x00 };
	sb_conn			*c = fixture_open();
	Sockbroker__Response	*resp;
	uint8_t			*frame, hdr[SBP_FRAME_HEADER];
	uint32_t		 max;
	size_t			 pad, off;
	int			 fd, base;

	base = fixture_fd_baseline();
	fd = rawconn_start(&max);
	/*
	 * id 7, gethostname {}, then an unknown length-delimited field 1000
	 * (tag 0xc2 0x3e) whose 3-byte length fills the payload to max.
	 */
	ck_assert_uint_ge(max, 1 << 14);
	ck_assert_uint_lt(max, 1 << 21);
	pad = max - sizeof head - 2 - 3;
	frame = calloc(1, SBP_FRAME_HEADER + max);
	ck_assert_ptr_nonnull(frame);
	sbp_frame_header(frame, max);
	off = SBP_FRAME_HEADER;
	memcpy(frame + off, head, sizeof head);
	off += sizeof head;
	frame[off++] = 0xc2;
	frame[off++] = 0x3e;
	frame[off++] = 0x80 | (pad & 0x7f);
	frame[off++] = 0x80 | ((pad >> 7) & 0x7f);
	frame[off++] = (pad >> 14) & 0x7f;
	ck_assert_uint_eq(off + pad, SBP_FRAME_HEADER + max);
	rawconn_send(fd, frame, SBP_FRAME_HEADER + max);
	free(frame);
	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, 7);
	ck_assert_msg(resp->error == NULL, "a frame of exactly max_frame "
	    "(%u) was refused: %s", max, resp->error->message);
	sockbroker__response__free_unpacked(resp, NULL);

	/* One byte over: the daemon drops the connection before reading it. */
	sbp_frame_header(hdr, (size_t)max + 1);
	rawconn_send(fd, hdr, sizeof hdr);
	ck_assert_msg(rawconn_is_closed(fd), "a frame over max_frame was not "
	    "refused");
	close(fd);
	sec_assert_serving(c);
	sb_close_conn(c);
	ck_assert_int_le(fixture_fd_wait(base), base);
}
END_TEST

/* frames: truncated or garbage protobuf drops that client only, no growth. */
START_TEST(test_bad_protobuf_drops_client_no_growth)
{
	/* id 2, then a hello said to be 16 bytes long that has 1. */
	static const uint8_t	 trunc[] = { 0, 0, 0, 5, 0x08, 0x02, 0x12,
				    0x10, 0x08 };
	static const uint8_t	 garbage[] = { 0, 0, 0, 8, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	 badwire[] = { 0, 0, 0, 3, 0x0f, 0x01, 0x02 };
	static const struct {
		const uint8_t	*buf;
		size_t		 len;
	} bad[] = {
		{ trunc, sizeof trunc }, { garbage, sizeof garbage },
		{ badwire, sizeof badwire },
	};
	sb_conn	*c = fixture_open();
	long	 rss0 = 0;
	size_t	 i;
	int	 fd, base, round;

	base = fixture_fd_baseline();
	for (round = 0; round < 40; round++) {
		if (round == 10)
			rss0 = fixture_rss_kb();	/* after a warm-up */
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			fd = rawconn_start(NULL);
			rawconn_send(fd, bad[i].buf, bad[i].len);
			ck_assert_msg(rawconn_is_closed(fd), "bad request %zu "
			    "did not drop the client", i);
			close(fd);
		}
	}
	sec_assert_serving(c);
	ck_assert_int_le(fixture_fd_wait(base), base);
	ck_assert_msg(fixture_rss_kb() - rss0 < SEC_RSS_SLACK_KB, "the daemon "
	    "grew by %ld kB over 30 rounds of bad requests",
	    fixture_rss_kb() - rss0);
	sb_close_conn(c);
}
END_TEST

/*
 * Sends SEC_PIPELINED gethostname requests on a new connection without
 * reading a reply, until done or the daemon stops reading (backpressure)
 * or cuts the client off; checks that others are served meanwhile and that
 * the daemon's memory stays bounded; returns the requests sent.
 */
static int
sec_flood(void)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	struct pollfd			 pfd;
	uint8_t				*out;
	size_t				 outlen, off;
	long				 rss0, rss;
	ssize_t				 n;
	int				 fd, i, cut = 0;

	rss0 = fixture_rss_kb();
	fd = rawconn_start(NULL);
	ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	for (i = 0; i < SEC_PIPELINED && !cut; i++) {
		rawconn_gethostname(&req, &gh, 2 + i);
		ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME,
		    &out, &outlen), 0);
		for (off = 0; off < outlen && !cut;) {
			n = send(fd, out + off, outlen - off, MSG_NOSIGNAL);
			if (n > 0) {
				off += n;
				continue;
			}
			if (n == -1 && (errno == EPIPE || errno == ECONNRESET))
				cut = 1;	/* cut off: allowed */
			else if (n == -1 && errno == EAGAIN) {
				pfd.fd = fd;
				pfd.events = POLLOUT;
				if (poll(&pfd, 1, 500) == 0)
					cut = 1; /* stopped reading: fine */
			} else
				ck_abort_msg("send: %s", strerror(errno));
		}
		free(out);
	}
	usleep(200000);
	sec_assert_serving(NULL);
	rss = fixture_rss_kb();
	ck_assert_msg(rss - rss0 < SEC_FLOOD_BOUND_KB, "the daemon grew by "
	    "%ld kB with %d requests pipelined and unread", rss - rss0, i);
	close(fd);
	return (i);
}

/* frames: 10,000 requests pipelined without reading replies stay bounded. */
START_TEST(test_pipelined_unread_bounded)
{
	sb_conn	*c = fixture_open();
	long	 rss1;
	int	 base, sent;

	base = fixture_fd_baseline();
	sent = sec_flood();
	ck_assert_int_le(fixture_fd_wait(base), base);
	rss1 = fixture_rss_kb();
	sent += sec_flood();
	ck_assert_int_le(fixture_fd_wait(base), base);
	ck_assert_msg(fixture_rss_kb() - rss1 < SEC_RSS_SLACK_KB, "the daemon "
	    "kept %ld kB after a second flood", fixture_rss_kb() - rss1);
	fprintf(stderr, "pipelined: %d requests sent in two floods\n", sent);
	sec_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* frames: another client's handle is EBADF and leaves the socket alone. */
START_TEST(test_other_clients_handle_is_ebadf)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__CloseRequest	 cr = SOCKBROKER__CLOSE_REQUEST__INIT;
	Sockbroker__SocknameRequest	 sn = SOCKBROKER__SOCKNAME_REQUEST__INIT;
	Sockbroker__Response		*resp;
	uint32_t			 h;
	int				 a, b;

	a = rawconn_start(NULL);
	b = rawconn_start(NULL);			/* b has no handle at all */
	h = rawconn_socket(a, AF_INET, SOCK_DGRAM, 0);

	req.id = 10;
	sn.handle = h;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &sn;
	sec_expect_errno(rawconn_call(b, &req), EBADF, "b: getsockname(a's)");
	cr.handle = h;
	req.id = 11;
	req.op_case = SOCKBROKER__REQUEST__OP_CLOSE;
	req.close = &cr;
	sec_expect_errno(rawconn_call(b, &req), EBADF, "b: close(a's)");

	/* a's socket is untouched. */
	sn.handle = h;
	req.id = 12;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &sn;
	resp = rawconn_call(a, &req);
	ck_assert_msg(resp->error == NULL, "a's handle was harmed by b");
	sockbroker__response__free_unpacked(resp, NULL);
	close(a);
	close(b);
}
END_TEST

/* frames: a closed handle is EBADF; a stale value never reaches a new one. */
START_TEST(test_closed_handle_is_ebadf)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__CloseRequest	 cr = SOCKBROKER__CLOSE_REQUEST__INIT;
	Sockbroker__SendRequest		 sr = SOCKBROKER__SEND_REQUEST__INIT;
	Sockbroker__Response		*resp;
	uint32_t			 h, h2;
	int				 fd;

	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	cr.handle = h;
	req.id = 20;
	req.op_case = SOCKBROKER__REQUEST__OP_CLOSE;
	req.close = &cr;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	sockbroker__response__free_unpacked(resp, NULL);
	h2 = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);	/* reuses the slot */
	ck_assert_uint_ne(h, h2);

	sr.handle = h;
	sr.data.data = (uint8_t *)"x";
	sr.data.len = 1;
	req.id = 21;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &sr;
	sec_expect_errno(rawconn_call(fd, &req), EBADF, "send on a closed handle");
	req.id = 22;
	req.op_case = SOCKBROKER__REQUEST__OP_CLOSE;
	req.close = &cr;
	sec_expect_errno(rawconn_call(fd, &req), EBADF, "close twice");
	close(fd);
}
END_TEST

/* frames: SCM_RIGHTS in a sendmsg is EPERM. */
START_TEST(test_sendmsg_scm_rights_is_eperm)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendmsgRequest	 sm = SOCKBROKER__SENDMSG_REQUEST__INIT;
	Sockbroker__Ancillary		 anc = SOCKBROKER__ANCILLARY__INIT;
	Sockbroker__Ancillary		*ancs[1] = { &anc };
	ProtobufCBinaryData		 buf = { 1, (uint8_t *)"x" };
	int				 fds[2] = { 0, 1 }, fd;

	fd = rawconn_start(NULL);
	sm.handle = rawconn_socket(fd, AF_UNIX, SOCK_DGRAM, 0);
	anc.level = SOL_SOCKET;
	anc.type = SCM_RIGHTS;
	anc.data.data = (uint8_t *)fds;
	anc.data.len = sizeof fds;
	sm.buffers = &buf;
	sm.n_buffers = 1;
	sm.ancillary = ancs;
	sm.n_ancillary = 1;
	req.id = 30;
	req.op_case = SOCKBROKER__REQUEST__OP_SENDMSG;
	req.sendmsg = &sm;
	sec_expect_errno(rawconn_call(fd, &req), EPERM, "sendmsg SCM_RIGHTS");
	anc.type = SCM_CREDENTIALS;
	req.id = 31;
	sec_expect_errno(rawconn_call(fd, &req), EPERM, "sendmsg SCM_CREDENTIALS");
	close(fd);
	sec_assert_serving(NULL);
}
END_TEST

/* frames: options that carry pointers are ENOPROTOOPT. */
START_TEST(test_pointer_options_are_enoprotoopt)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest	 so =
	    SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	struct sock_filter		 insn = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog		 prog = { 1, &insn };
	int				 fd;

	fd = rawconn_start(NULL);
	so.handle = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	so.level = SOL_SOCKET;
	so.optname = SO_ATTACH_FILTER;
	so.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE;
	so.raw_value.data = (uint8_t *)&prog;	/* a pointer into our memory */
	so.raw_value.len = sizeof prog;
	req.id = 40;
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &so;
	sec_expect_errno(rawconn_call(fd, &req), ENOPROTOOPT, "SO_ATTACH_FILTER");
	so.optname = SO_ATTACH_BPF;
	so.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE;
	so.int_value = 3;			/* "a BPF program's fd" */
	req.id = 41;
	sec_expect_errno(rawconn_call(fd, &req), ENOPROTOOPT, "SO_ATTACH_BPF");
	close(fd);
}
END_TEST

/* limits: sockets up to --max-handles, then EMFILE, then served again. */
START_TEST(test_max_handles_emfile_then_serving)
{
	sb_conn	*c = fixture_open();
	int	 h[SEC_LIMIT_HANDLES], extra, i, base;

	base = fixture_fd_baseline();
	for (i = 0; i < SEC_LIMIT_HANDLES; i++) {
		h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
		ck_assert_msg(h[i] > 0, "socket %d of %d: %s", i + 1,
		    SEC_LIMIT_HANDLES, strerror(errno));
	}
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(sb_socket(c, AF_INET, SOCK_DGRAM, 0), -1);
		ck_assert_int_eq(errno, EMFILE);
	}
	ck_assert_int_eq(sb_dup(c, h[0]), -1);
	ck_assert_int_eq(errno, EMFILE);
	sec_assert_serving(c);
	ck_assert_int_eq(sb_close(c, h[0]), 0);
	extra = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(extra > 0, "no socket after closing one: %s",
	    strerror(errno));
	sb_close_conn(c);
	ck_assert_int_le(fixture_fd_wait(base), base);
}
END_TEST

/* limits: at --max-clients a new client is refused, the others go on. */
START_TEST(test_max_clients_refused_others_fine)
{
	sb_conn	*c[SEC_LIMIT_CLIENTS];
	char	 name[256];
	int	 i, fd;

	for (i = 0; i < SEC_LIMIT_CLIENTS; i++)
		c[i] = fixture_open();
	/* The kernel completes the connect; the daemon closes it at once. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	{
		struct sockaddr_un	sun;
		struct timeval		tv = { fixture_slow() ? 60 : 5, 0 };

		memset(&sun, 0, sizeof sun);
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof sun.sun_path, "%s",
		    fixture_path());
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof tv), 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
			ck_assert_msg(rawconn_is_closed(fd), "client %d over "
			    "--max-clients was not refused",
			    SEC_LIMIT_CLIENTS + 1);
	}
	close(fd);
	ck_assert_ptr_null(sb_open(fixture_path()));
	for (i = 0; i < SEC_LIMIT_CLIENTS; i++)
		ck_assert_msg(sb_gethostname(c[i], name, sizeof name) == 0,
		    "client %d no longer served: %s", i, strerror(errno));
	sb_close_conn(c[0]);
	usleep(100000);
	c[0] = fixture_open();
	for (i = 0; i < SEC_LIMIT_CLIENTS; i++)
		sb_close_conn(c[i]);
}
END_TEST

/* nofile: clients past RLIMIT_NOFILE neither kill nor spin the daemon. */
START_TEST(test_low_nofile_no_spin_no_death)
{
	enum { NCLIENTS = 2 * SEC_NOFILE };
	struct sockaddr_un	 sun;
	sb_conn			*c;
	double			 t0, t1;
	char			 name[256];
	int			 fds[NCLIENTS], i, n = 0;
	double			 deadline;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fixture_path());
	for (i = 0; i < NCLIENTS; i++) {
		fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fds[i], 0);
		if (connect(fds[i], (struct sockaddr *)&sun, sizeof sun) == 0)
			n++;
	}
	ck_assert_int_gt(n, SEC_NOFILE / 2);
	usleep(300000);
	t0 = fixture_cpu_seconds();
	sleep(2);
	t1 = fixture_cpu_seconds();
	ck_assert_msg(t1 - t0 < 0.5 * (fixture_slow() ? 4 : 1),
	    "the daemon spun: %.2f s of CPU in 2 s out of descriptors",
	    t1 - t0);
	for (i = 0; i < NCLIENTS; i++)
		close(fds[i]);
	/* Accepting resumes within a second or so. */
	deadline = fixture_now() + (fixture_slow() ? 60 : 10);
	while ((c = sb_open(fixture_path())) == NULL &&
	    fixture_now() < deadline)
		usleep(100000);
	ck_assert_msg(c != NULL, "no client served after the EMFILE storm");
	ck_assert_int_eq(sb_gethostname(c, name, sizeof name), 0);
	sb_close_conn(c);
	(void)fixture_cpu_seconds();	/* still alive */
}
END_TEST

/*
 * Asks the daemon something first, so that it is in its loop, SIGTERM
 * handler and all, before the teardown stops it; fails if the daemon has no
 * --policy (it always has one now: a probe that cannot run is a failure).
 */
static void
sec_policy_ready(void)
{
	sec_assert_serving(NULL);
	ck_assert_msg(sec_have_policy, "the daemon has no --policy");
}

/* A denial of a raw request: EACCES or EPERM of kind policy. */
#define SEC_DENIED(resp, what) do {					\
	Sockbroker__Response *r_ = (resp);				\
	ck_assert_msg(r_->error != NULL, "%s: not denied", (what));	\
	ck_assert_msg(r_->error->errnum == EACCES ||			\
	    r_->error->errnum == EPERM, "%s: errno %d (%s), expected "	\
	    "EACCES or EPERM", (what), r_->error->errnum,		\
	    r_->error->message != NULL ? r_->error->message : "");	\
	ck_assert_msg(r_->error->kind == SOCKBROKER__ERROR__KIND__POLICY,	\
	    "%s: error kind %d, expected policy", (what),		\
	    r_->error->kind);						\
	sockbroker__response__free_unpacked(r_, NULL);			\
} while (0)

/* policy: no UNIX socket to reach another daemon's socket (ours). */
START_TEST(test_policy_unix_connect_denied)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SocketRequest	 sr = SOCKBROKER__SOCKET_REQUEST__INIT;
	int				 fd;

	sec_policy_ready();
	fd = rawconn_start(NULL);
	sr.family = AF_UNIX;
	sr.type = SOCK_STREAM;
	req.id = 50;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKET;
	req.socket = &sr;
	SEC_DENIED(rawconn_call(fd, &req), "socket(AF_UNIX) to reach "
	    "another daemon's socket");
	close(fd);
	sec_assert_serving(NULL);
}
END_TEST

/* policy: binding port 22 is denied. */
START_TEST(test_policy_bind_port_22_denied)
{
	sb_conn			*c;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 h;

	sec_policy_ready();
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_msg(h > 0, "socket(inet, stream) under the test policy: %s",
	    strerror(errno));
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 22);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&ss, len), -1);
	ck_assert_msg(errno == EACCES || errno == EPERM, "bind port 22: %s",
	    strerror(errno));
	sec_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* policy: a netlink route change (RTM_NEWADDR) is denied; a dump is not. */
START_TEST(test_policy_netlink_route_change_denied)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest	 sr = SOCKBROKER__SEND_REQUEST__INIT;
	struct {
		struct nlmsghdr		nh;
		struct ifaddrmsg	ifa;
		struct rtattr		rta;
		struct in_addr		addr;
	} msg;
	int			 fd;

	sec_policy_ready();
	fd = rawconn_start(NULL);
	memset(&msg, 0, sizeof msg);
	msg.nh.nlmsg_len = sizeof msg;
	msg.nh.nlmsg_type = RTM_NEWADDR;
	msg.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	msg.ifa.ifa_family = AF_INET;
	msg.ifa.ifa_prefixlen = 32;
	msg.ifa.ifa_index = 1;			/* lo */
	msg.rta.rta_len = RTA_LENGTH(sizeof msg.addr);
	msg.rta.rta_type = IFA_LOCAL;
	msg.addr.s_addr = htonl(0x7f0000fe);	/* 127.0.0.254 */
	sr.handle = rawconn_socket(fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	sr.data.data = (uint8_t *)&msg;
	sr.data.len = sizeof msg;
	req.id = 60;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &sr;
	SEC_DENIED(rawconn_call(fd, &req), "netlink RTM_NEWADDR");
	close(fd);
	sec_assert_serving(NULL);
}
END_TEST

/*
 * policy: a route change split over two sendmsg buffers, behind a harmless
 * dump request (RTM_GETLINK, then RTM_DELADDR of an address lo does not
 * have), is denied: the kernel reads one message across the buffers, so
 * the daemon must check them as one.
 */
START_TEST(test_policy_netlink_split_sendmsg_denied)
{
	struct {
		struct nlmsghdr		nh;
		struct ifinfomsg	ifi;
	} dump;
	struct {
		struct nlmsghdr		nh;
		struct ifaddrmsg	ifa;
		struct rtattr		rta;
		struct in_addr		addr;
	} del;
	struct iovec		 iov[2] = { { &dump, sizeof dump },
				    { &del, sizeof del } };
	struct msghdr		 m = { .msg_iov = iov, .msg_iovlen = 2 };
	sb_conn			*c;
	int			 h;

	sec_policy_ready();
	c = fixture_open();
	memset(&dump, 0, sizeof dump);
	dump.nh.nlmsg_len = sizeof dump;
	dump.nh.nlmsg_type = RTM_GETLINK;
	dump.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	memset(&del, 0, sizeof del);
	del.nh.nlmsg_len = sizeof del;
	del.nh.nlmsg_type = RTM_DELADDR;
	del.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	del.ifa.ifa_family = AF_INET;
	del.ifa.ifa_prefixlen = 32;
	del.ifa.ifa_index = 1;			/* lo */
	del.rta.rta_len = RTA_LENGTH(sizeof del.addr);
	del.rta.rta_type = IFA_LOCAL;
	del.addr.s_addr = htonl(0x7f0000fe);	/* 127.0.0.254 */
	h = sb_socket(c, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	ck_assert_msg(h > 0, "socket(netlink): %s", strerror(errno));
	ck_assert_int_eq(sb_sendmsg(c, h, &m, 0), -1);
	ck_assert_msg(errno == EACCES, "split RTM_DELADDR: %s", strerror(errno));
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	/* Each buffer on its own: the dump passes, the change does not. */
	ck_assert_int_eq(sb_send(c, h, &dump, sizeof dump, 0), sizeof dump);
	ck_assert_int_eq(sb_send(c, h, &del, sizeof del, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	sec_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* policy: SO_BINDTODEVICE to an interface the rules do not name. */
START_TEST(test_policy_bindtodevice_escape_denied)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest	 so =
	    SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	static char			 ifname[] = "sbescape0";
	int				 fd;

	sec_policy_ready();
	fd = rawconn_start(NULL);
	so.handle = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	so.level = SOL_SOCKET;
	so.optname = SO_BINDTODEVICE;
	so.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE;
	so.raw_value.data = (uint8_t *)ifname;
	so.raw_value.len = sizeof ifname;
	req.id = 70;
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &so;
	SEC_DENIED(rawconn_call(fd, &req), "SO_BINDTODEVICE sbescape0");
	close(fd);
}
END_TEST

/* policy: sendto a forbidden address on a permitted socket. */
START_TEST(test_policy_sendto_forbidden_denied)
{
	sb_conn			*c;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 h;

	sec_policy_ready();
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "socket(inet, dgram) under the test policy: %s",
	    strerror(errno));
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 40000);
	ck_assert_msg(sb_sendto(c, h, "ok", 2, 0, (struct sockaddr *)&ss,
	    len) == 2, "sendto a permitted port: %s", strerror(errno));
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 53);
	ck_assert_int_eq(sb_sendto(c, h, "no", 2, 0, (struct sockaddr *)&ss,
	    len), -1);
	ck_assert_msg(errno == EACCES || errno == EPERM, "sendto port 53: %s",
	    strerror(errno));
	sec_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* Unchecked fixture of "limits": the low limits for its daemons. */
static void
sec_limits_setup(void)
{
	fixture_set_args(sec_limit_args);
}

/* Unchecked fixture: the default daemon, without extra arguments. */
static void
sec_default_args(void)
{
	fixture_set_args(NULL);
}

/* Unchecked fixture of "nofile": prlimit in front of the daemon. */
static void
sec_nofile_setup(void)
{
	const char	*w = getenv("SB_DAEMON_WRAPPER");
	char		 buf[1024];

	free(sec_saved_wrapper);
	sec_saved_wrapper = w != NULL ? strdup(w) : NULL;
	snprintf(buf, sizeof buf, "prlimit --nofile=%d:%d %s", SEC_NOFILE,
	    SEC_NOFILE, w != NULL ? w : "");
	setenv("SB_DAEMON_WRAPPER", buf, 1);
}

/* Unchecked teardown of "nofile": the wrapper as it was. */
static void
sec_nofile_teardown(void)
{
	if (sec_saved_wrapper != NULL)
		setenv("SB_DAEMON_WRAPPER", sec_saved_wrapper, 1);
	else
		unsetenv("SB_DAEMON_WRAPPER");
	free(sec_saved_wrapper);
	sec_saved_wrapper = NULL;
}

/*
 * Unchecked fixture of "policy": when the daemon has --policy, writes the
 * default-deny test policy (inet and inet6 datagram and stream sockets,
 * no port below 1024, netlink without netlink-write, nothing else).
 */
static void
sec_policy_setup(void)
{
	static const char	 policy[] =
	    "# check_security: default deny, and only these\n"
	    "permit * family inet type stream\n"
	    "permit * family inet type dgram\n"
	    "permit * family inet6 type stream\n"
	    "permit * family inet6 type dgram\n"
	    "permit * family netlink\n"
	    "deny * family inet port 1-1023\n"
	    "deny * family inet6 port 1-1023\n";
	const char		*daemon = getenv("SB_DAEMON");
	char			 cmd[4096], line[512];
	FILE			*f;
	int			 fd;

	sec_have_policy = 0;
	if (daemon == NULL)
		return;
	snprintf(cmd, sizeof cmd, "'%s' --help 2>&1", daemon);
	if ((f = popen(cmd, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strstr(line, "--policy") != NULL)
			sec_have_policy = 1;
	}
	pclose(f);
	if (!sec_have_policy)
		return;
	if ((fd = mkstemp(sec_policy_file)) == -1 ||
	    write(fd, policy, sizeof policy - 1) != sizeof policy - 1) {
		sec_have_policy = 0;
		return;
	}
	close(fd);
	fixture_set_args(sec_policy_args);
}

/* Unchecked teardown of "policy". */
static void
sec_policy_teardown(void)
{
	if (sec_have_policy)
		unlink(sec_policy_file);
	fixture_set_args(NULL);
}

/* The security suite. */
static Suite *
sec_suite(void)
{
	Suite	*s = suite_create("security");
	TCase	*tc;

	tc = fixture_tcase("frames");
	tcase_add_unchecked_fixture(tc, sec_default_args, NULL);
	tcase_add_test(tc, test_frame_at_max_served_over_max_cut);
	tcase_add_test(tc, test_bad_protobuf_drops_client_no_growth);
	tcase_add_test(tc, test_pipelined_unread_bounded);
	tcase_add_test(tc, test_other_clients_handle_is_ebadf);
	tcase_add_test(tc, test_closed_handle_is_ebadf);
	tcase_add_test(tc, test_sendmsg_scm_rights_is_eperm);
	tcase_add_test(tc, test_pointer_options_are_enoprotoopt);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("limits");
	tcase_add_unchecked_fixture(tc, sec_limits_setup,
	    sec_default_args);
	tcase_add_test(tc, test_max_handles_emfile_then_serving);
	tcase_add_test(tc, test_max_clients_refused_others_fine);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("nofile");
	tcase_add_unchecked_fixture(tc, sec_nofile_setup, sec_nofile_teardown);
	tcase_add_test(tc, test_low_nofile_no_spin_no_death);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("policy");
	tcase_add_unchecked_fixture(tc, sec_policy_setup, sec_policy_teardown);
	tcase_add_test(tc, test_policy_unix_connect_denied);
	tcase_add_test(tc, test_policy_bind_port_22_denied);
	tcase_add_test(tc, test_policy_netlink_route_change_denied);
	tcase_add_test(tc, test_policy_netlink_split_sendmsg_denied);
	tcase_add_test(tc, test_policy_bindtodevice_escape_denied);
	tcase_add_test(tc, test_policy_sendto_forbidden_denied);
	suite_add_tcase(s, tc);
	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	1, {
		sec_suite,
		NULL,
	},
};
