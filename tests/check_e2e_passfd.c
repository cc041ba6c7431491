/* SPDX-License-Identifier: ISC */
/*
 * fd passing end to end: a bound UDP socket's real descriptor handed to the
 * client and read directly; refusals without the fd-pass grant and for bad
 * handles; replies kept in order while passfd and other calls interleave
 * from two threads, and when a raw client pipelines many of them (so that
 * they wait behind queued replies); no descriptor leaked on either side.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define PASSFD_ROUNDS	100	/* per thread */
#define PASSFD_PIPELINE	60	/* passfd requests in one write */
#define PASSFD_BASEID	1000

/* What each thread of the ordering test does and how it went. */
struct passfd_thread {
	sb_conn	*c;
	int	 h;
	int	 port;
	int	 failed;
	char	 why[128];
};

static char	 passfd_policy[PATH_MAX];
static const char *passfd_args[] = { "--policy", passfd_policy, NULL };

static void	 passfd_deny_setup(void);
static void	 passfd_teardown(void);
static int	 passfd_bound(sb_conn *, struct sockaddr_storage *);
static void	*passfd_thread_run(void *);
static void	 passfd_raw_add(uint8_t **, size_t *, uint64_t, uint32_t, int);
static ssize_t	 passfd_raw_recv(int, uint8_t *, size_t, int *, int *);

/* Unchecked fixture: the daemons of a TCase run without the fd-pass grant. */
static void
passfd_deny_setup(void)
{
	char	 buf[PATH_MAX];
	char	*conf = getenv("SB_POLICY");

	snprintf(buf, sizeof buf, "%s", conf != NULL ? conf : "tests/x");
	snprintf(passfd_policy, sizeof passfd_policy, "%s/e2e-nofdpass.conf",
	    dirname(buf));
	fixture_set_args(passfd_args);
}

/* Unchecked fixture: back to the default daemon arguments. */
static void
passfd_teardown(void)
{
	fixture_set_args(NULL);
}

/* A UDP handle bound to 127.0.0.1 by the broker; its address in ss. */
static int
passfd_bound(sb_conn *c, struct sockaddr_storage *ss)
{
	socklen_t	 len;
	int		 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)ss, len) == 0,
	    "sb_bind: %s", strerror(errno));
	len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, &len), 0);
	return (h);
}

/* The passed UDP socket receives what a plain local socket sends it. */
START_TEST(test_passfd_udp_recv)
{
	struct sockaddr_storage	 ss;
	struct pollfd		 pfd;
	sb_conn			*c;
	char			 buf[64];
	int			 h, fd, s;

	c = fixture_open();
	ck_assert_int_eq(sb_info(c)->fd_passing, 1);
	h = passfd_bound(c, &ss);
	fd = sb_passfd(c, h);
	ck_assert_msg(fd >= 0, "sb_passfd: %s", strerror(errno));
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

	s = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(sendto(s, "hello", 5, 0, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), 5);
	pfd.fd = fd;
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(recv(fd, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "hello", 5);

	/* The daemon keeps its handle. */
	ck_assert_int_eq(sendto(s, "again", 5, 0, (struct sockaddr *)&ss,
	    sizeof(struct sockaddr_in)), 5);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "again", 5);
	close(s);
	close(fd);
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

/* A handle that does not exist is EBADF. */
START_TEST(test_passfd_bad_handle)
{
	sb_conn	*c;

	c = fixture_open();
	errno = 0;
	ck_assert_int_eq(sb_passfd(c, 12345), -1);
	ck_assert_int_eq(errno, EBADF);
	sb_close_conn(c);
}
END_TEST

/* Without the fd-pass grant, passfd is refused by the policy. */
START_TEST(test_passfd_needs_grant)
{
	struct sockaddr_storage	 ss;
	sb_conn			*c;
	int			 h, before;

	c = fixture_open();
	h = passfd_bound(c, &ss);
	before = fixture_own_fds();
	errno = 0;
	ck_assert_int_eq(sb_passfd(c, h), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	ck_assert_int_eq(fixture_own_fds(), before);
	/* The connection goes on. */
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

/* One thread of the ordering test: passfd, check, close, gethostname. */
static void *
passfd_thread_run(void *arg)
{
	struct passfd_thread	*t = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 name[256];
	int			 i, fd;

	for (i = 0; i < PASSFD_ROUNDS && !t->failed; i++) {
		if ((fd = sb_passfd(t->c, t->h)) == -1) {
			snprintf(t->why, sizeof t->why, "sb_passfd: %s",
			    strerror(errno));
			t->failed = 1;
			break;
		}
		len = sizeof ss;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1 ||
		    fixture_port(&ss) != t->port) {
			snprintf(t->why, sizeof t->why, "round %d: the fd is "
			    "another socket", i);
			t->failed = 1;
		}
		close(fd);
		if (sb_gethostname(t->c, name, sizeof name) == -1) {
			snprintf(t->why, sizeof t->why, "sb_gethostname: %s",
			    strerror(errno));
			t->failed = 1;
		}
	}
	return (NULL);
}

/*
 * Two threads interleave passfd with gethostname on one connection, each
 * on its own socket: each gets its own socket back every time, and neither
 * side keeps a descriptor afterwards.
 */
START_TEST(test_passfd_interleaved_no_leak)
{
	struct passfd_thread	 t[2];
	struct sockaddr_storage	 ss;
	pthread_t		 tid[2];
	sb_conn			*c;
	int			 base, before, i, n;

	base = fixture_fd_baseline();
	ck_assert_int_gt(base, 0);
	c = fixture_open();
	before = fixture_own_fds();
	for (i = 0; i < 2; i++) {
		memset(&t[i], 0, sizeof t[i]);
		t[i].c = c;
		t[i].h = passfd_bound(c, &ss);
		t[i].port = fixture_port(&ss);
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&tid[i], NULL,
		    passfd_thread_run, &t[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < 2; i++) {
		ck_assert_msg(!t[i].failed, "thread %d: %s", i, t[i].why);
		ck_assert_int_eq(sb_close(c, t[i].h), 0);
	}
	ck_assert_int_eq(fixture_own_fds(), before);
	sb_close_conn(c);
	n = fixture_fd_wait(base);
	if (n > base)
		fixture_fd_dump();
	ck_assert_msg(n <= base, "daemon has %d fds, %d before", n, base);
}
END_TEST

/* Appends a gethostname (h 0) or passfd (of handle h) request to buf. */
static void
passfd_raw_add(uint8_t **buf, size_t *len, uint64_t id, uint32_t h,
    int passfd)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__PassfdRequest	 pf = SOCKBROKER__PASSFD_REQUEST__INIT;
	Sockbroker__GethostnameRequest	 gh =
	    SOCKBROKER__GETHOSTNAME_REQUEST__INIT;
	uint8_t				*frame;
	size_t				 flen;

	req.id = id;
	if (passfd) {
		pf.handle = h;
		req.op_case = SOCKBROKER__REQUEST__OP_PASSFD;
		req.passfd = &pf;
	} else {
		req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTNAME;
		req.gethostname = &gh;
	}
	ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME, &frame,
	    &flen), 0);
	*buf = realloc(*buf, *len + flen);
	ck_assert_ptr_nonnull(*buf);
	memcpy(*buf + *len, frame, flen);
	*len += flen;
	free(frame);
}

/* recv() on a raw connection, descriptors appended to fds[*nfds]. */
static ssize_t
passfd_raw_recv(int fd, uint8_t *buf, size_t len, int *fds, int *nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(8 * sizeof(int))];
	} cbuf;
	ssize_t		 n;
	size_t		 i;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	ck_assert_msg(n > 0, "recvmsg: %s", n == 0 ? "EOF" : strerror(errno));
	ck_assert_int_eq(msg.msg_flags & MSG_CTRUNC, 0);
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
		for (i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		    i++) {
			ck_assert_int_lt(*nfds, PASSFD_PIPELINE);
			memcpy(&fds[(*nfds)++], CMSG_DATA(cm) +
			    i * sizeof(int), sizeof(int));
		}
	}
	return (n);
}

/*
 * A raw client writes many gethostname, passfd, gethostname triples at
 * once and reads only later: the replies come in order, each passfd reply
 * with one descriptor (at the latest with its own bytes), the right socket.
 */
START_TEST(test_passfd_pipelined_in_order)
{
	Sockbroker__Response	*resp;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	uint8_t			*out = NULL, *in;
	size_t			 outlen = 0, have = 0, flen, total;
	uint64_t		 next = PASSFD_BASEID;
	uint32_t		 h;
	int			 fd, i, fds[PASSFD_PIPELINE], nfds = 0, used = 0;
	int			 base, before;

	base = fixture_fd_baseline();
	before = fixture_own_fds();
	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	for (i = 0; i < PASSFD_PIPELINE; i++) {
		passfd_raw_add(&out, &outlen, next++, 0, 0);
		passfd_raw_add(&out, &outlen, next++, h, 1);
		passfd_raw_add(&out, &outlen, next++, 0, 0);
	}
	ck_assert_int_eq(send(fd, out, outlen, MSG_NOSIGNAL), outlen);
	free(out);
	usleep(200 * 1000);	/* let the replies pile up */

	total = 1 << 20;
	in = malloc(total);
	ck_assert_ptr_nonnull(in);
	for (next = PASSFD_BASEID; next < PASSFD_BASEID + 3 * PASSFD_PIPELINE;
	    next++) {
		while (have < SBP_FRAME_HEADER || have < SBP_FRAME_HEADER +
		    (flen = (size_t)in[0] << 24 | in[1] << 16 | in[2] << 8 |
		    in[3]))
			have += passfd_raw_recv(fd, in + have, total - have,
			    fds, &nfds);
		resp = sbp_response_unpack(in + SBP_FRAME_HEADER, flen);
		ck_assert_ptr_nonnull(resp);
		ck_assert_uint_eq(resp->id, next);
		ck_assert_ptr_null(resp->error);
		if ((next - PASSFD_BASEID) % 3 == 1) {
			ck_assert_int_eq(resp->result_case,
			    SOCKBROKER__RESPONSE__RESULT_EMPTY);
			ck_assert_int_gt(nfds, used);
			len = sizeof ss;
			ck_assert_int_eq(getsockname(fds[used], (struct sockaddr *)
			    &ss, &len), 0);
			ck_assert_int_eq(ss.ss_family, AF_INET);
			used++;
		} else
			ck_assert_int_le(nfds, used + 1);	/* the next one's */
		sockbroker__response__free_unpacked(resp, NULL);
		memmove(in, in + SBP_FRAME_HEADER + flen,
		    have - SBP_FRAME_HEADER - flen);
		have -= SBP_FRAME_HEADER + flen;
	}
	free(in);
	ck_assert_int_eq(nfds, PASSFD_PIPELINE);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	close(fd);
	ck_assert_int_eq(fixture_own_fds(), before);
	i = fixture_fd_wait(base);
	ck_assert_msg(i <= base, "daemon has %d fds, %d before", i, base);
}
END_TEST

/* The passfd suite. */
Suite *
e2e_passfd_suite(void)
{
	Suite	*s = suite_create("e2e_passfd");
	TCase	*tc;

	tc = fixture_tcase("passfd");
	tcase_add_test(tc, test_passfd_udp_recv);
	tcase_add_test(tc, test_passfd_bad_handle);
	tcase_add_test(tc, test_passfd_interleaved_no_leak);
	tcase_add_test(tc, test_passfd_pipelined_in_order);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("passfd_denied");
	tcase_add_unchecked_fixture(tc, passfd_deny_setup, passfd_teardown);
	tcase_add_test(tc, test_passfd_needs_grant);
	suite_add_tcase(s, tc);
	return (s);
}
