/* SPDX-License-Identifier: ISC */
/*
 * The daemon against hostile or unlucky clients: raw frames that break the
 * protocol (over the size limit, truncated, garbage, unknown op, a request
 * before Hello), pipelining, and clients that block forever or are killed
 * while blocked. Whatever one client does, the daemon goes on serving the
 * others.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

static int	 robust_raw_open(void);
static void	 robust_send(int, const void *, size_t);
static void	 robust_send_request(int, Sockbroker__Request *);
static Sockbroker__Response *robust_recv(int);
static int	 robust_is_closed(int);
static uint32_t	 robust_hello(int);
static void	 robust_gethostname(Sockbroker__Request *,
		     Sockbroker__GethostnameRequest *, uint64_t);
static void	 robust_assert_serving(sb_conn *);
static pid_t	 robust_parked_child(int);

/* A raw connection to the daemon, with a receive timeout. */
static int
robust_raw_open(void)
{
	struct sockaddr_un	sun;
	struct timeval		tv;
	int			fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", fixture_path());
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	tv.tv_sec = fixture_slow() ? 60 : 5;
	tv.tv_usec = 0;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	return (fd);
}

/* Writes all of buf. */
static void
robust_send(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		ck_assert_msg(n > 0, "send: %s", strerror(errno));
		p += n;
		len -= n;
	}
}

/* Frames and sends a Request. */
static void
robust_send_request(int fd, Sockbroker__Request *req)
{
	uint8_t	*out;
	size_t	 outlen;

	ck_assert_int_eq(sbp_frame_pack(&req->base, SBP_MAX_FRAME, &out,
	    &outlen), 0);
	robust_send(fd, out, outlen);
	free(out);
}

/* Reads one Response; fails the test on EOF, timeout or garbage. */
static Sockbroker__Response *
robust_recv(int fd)
{
	Sockbroker__Response	*resp;
	uint8_t			 hdr[SBP_FRAME_HEADER], *buf;
	size_t			 len;

	ck_assert_int_eq(recv(fd, hdr, sizeof hdr, MSG_WAITALL), sizeof hdr);
	len = (size_t)hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3];
	ck_assert_uint_le(len, SBP_MAX_FRAME);
	buf = malloc(len + 1);
	ck_assert_ptr_nonnull(buf);
	if (len > 0)
		ck_assert_int_eq(recv(fd, buf, len, MSG_WAITALL), len);
	resp = sbp_response_unpack(buf, len);
	free(buf);
	ck_assert_msg(resp != NULL, "the daemon sent a malformed Response");
	return (resp);
}

/*
 * Whether the daemon closed the connection (EOF or reset within the receive
 * timeout). Anything it sends before closing is skipped.
 */
static int
robust_is_closed(int fd)
{
	char	buf[512];
	ssize_t	n;

	for (;;) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n == 0 || (n == -1 && errno == ECONNRESET))
			return (1);
		if (n == -1)
			return (0);
	}
}

/* Says Hello with id 1; returns the daemon's max_frame. */
static uint32_t
robust_hello(int fd)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	uint32_t		 max;

	hello.version = SBP_VERSION;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	robust_send_request(fd, &req);
	resp = robust_recv(fd);
	ck_assert_uint_eq(resp->id, 1);
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case, SOCKBROKER__RESPONSE__RESULT_HELLO);
	ck_assert_uint_eq(resp->hello->version, SBP_VERSION);
	ck_assert_uint_ge(resp->hello->max_frame, SBP_MIN_FRAME);
	max = resp->hello->max_frame;
	sockbroker__response__free_unpacked(resp, NULL);
	return (max);
}

/* Fills req as a gethostname request with id. */
static void
robust_gethostname(Sockbroker__Request *req,
    Sockbroker__GethostnameRequest *gh, uint64_t id)
{
	sockbroker__request__init(req);
	sockbroker__gethostname_request__init(gh);
	req->id = id;
	req->op_case = SOCKBROKER__REQUEST__OP_GETHOSTNAME;
	req->gethostname = gh;
}

/* The daemon still answers c and a brand new connection. */
static void
robust_assert_serving(sb_conn *c)
{
	sb_conn	*c2;
	char	 name[256];

	ck_assert_msg(sb_gethostname(c, name, sizeof name) == 0,
	    "an existing client is no longer served: %s", strerror(errno));
	c2 = fixture_open();
	ck_assert_int_eq(sb_gethostname(c2, name, sizeof name), 0);
	sb_close_conn(c2);
}

/*
 * Forks a client that opens nsockets datagram sockets and then blocks in
 * recv forever on the last one; returns once it has blocked.
 */
static pid_t
robust_parked_child(int nsockets)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	pid_t			 pid;
	char			 buf[16];
	int			 p[2], h = -1, i;

	ck_assert_int_eq(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if ((c = sb_open(fixture_path())) == NULL)
			_exit(2);
		for (i = 0; i < nsockets; i++) {
			if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) <= 0)
				_exit(3);
		}
		len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
		if (sb_bind(c, h, (struct sockaddr *)&ss, len) != 0)
			_exit(4);
		if (write(p[1], "r", 1) != 1)
			_exit(5);
		sb_recv(c, h, buf, sizeof buf, 0);
		_exit(6);
	}
	close(p[1]);
	ck_assert_msg(read(p[0], buf, 1) == 1, "the parked child failed");
	close(p[0]);
	/* Give its recv request time to reach the daemon and park. */
	usleep(fixture_slow() ? 500000 : 100000);
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), 0);
	return (pid);
}

START_TEST(test_hello_reply_tells_version_and_limits)
{
	int	fd;

	fd = robust_raw_open();
	ck_assert_uint_ge(robust_hello(fd), SBP_MIN_FRAME);
	close(fd);
}
END_TEST

START_TEST(test_request_before_hello_is_eproto)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	Sockbroker__Response		*resp;
	int				 fd;

	fd = robust_raw_open();
	robust_gethostname(&req, &gh, 7);
	robust_send_request(fd, &req);
	resp = robust_recv(fd);
	ck_assert_uint_eq(resp->id, 7);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->kind, SOCKBROKER__ERROR__KIND__PROTOCOL);
	ck_assert_int_eq(resp->error->errnum, EPROTO);
	sockbroker__response__free_unpacked(resp, NULL);
	/* The connection is kept: Hello still works. */
	robust_hello(fd);
	close(fd);
}
END_TEST

START_TEST(test_unknown_op_is_eopnotsupp)
{
	/* id 9, then field 99 (not in the protocol) as an empty message. */
	static const uint8_t		 unknown[] = {
		0, 0, 0, 5, 0x08, 0x09, 0x9a, 0x06, 0x00
	};
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	Sockbroker__Response		*resp;
	int				 fd;

	fd = robust_raw_open();
	robust_hello(fd);
	robust_send(fd, unknown, sizeof unknown);
	resp = robust_recv(fd);
	ck_assert_uint_eq(resp->id, 9);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->kind, SOCKBROKER__ERROR__KIND__PROTOCOL);
	ck_assert_int_eq(resp->error->errnum, EOPNOTSUPP);
	sockbroker__response__free_unpacked(resp, NULL);

	/* The connection is kept. */
	robust_gethostname(&req, &gh, 10);
	robust_send_request(fd, &req);
	resp = robust_recv(fd);
	ck_assert_uint_eq(resp->id, 10);
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case, SOCKBROKER__RESPONSE__RESULT_NAME);
	sockbroker__response__free_unpacked(resp, NULL);
	close(fd);
}
END_TEST

START_TEST(test_pipelined_requests_are_answered_by_id)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	Sockbroker__Response		*resp;
	uint8_t				*out, all[1024];
	size_t				 outlen, used = 0;
	int				 fd, i, seen = 0;

	fd = robust_raw_open();
	robust_hello(fd);
	for (i = 0; i < 3; i++) {
		robust_gethostname(&req, &gh, 100 + i);
		ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME, &out,
		    &outlen), 0);
		ck_assert_uint_le(used + outlen, sizeof all);
		memcpy(all + used, out, outlen);
		used += outlen;
		free(out);
	}
	robust_send(fd, all, used);	/* all three in one write */
	for (i = 0; i < 3; i++) {
		resp = robust_recv(fd);
		ck_assert_uint_ge(resp->id, 100);
		ck_assert_uint_le(resp->id, 102);
		seen |= 1 << (resp->id - 100);
		ck_assert_ptr_null(resp->error);
		ck_assert_int_eq(resp->result_case,
		    SOCKBROKER__RESPONSE__RESULT_NAME);
		sockbroker__response__free_unpacked(resp, NULL);
	}
	ck_assert_int_eq(seen, 7);
	close(fd);
}
END_TEST

START_TEST(test_frame_over_max_frame_closes_the_connection)
{
	uint8_t	 hdr[SBP_FRAME_HEADER];
	sb_conn	*other;
	int	 fd;

	other = fixture_open();
	fd = robust_raw_open();
	sbp_frame_header(hdr, (size_t)robust_hello(fd) + 1);
	robust_send(fd, hdr, sizeof hdr);
	ck_assert_msg(robust_is_closed(fd), "the connection was not closed");
	close(fd);
	robust_assert_serving(other);
	sb_close_conn(other);
}
END_TEST

START_TEST(test_huge_frame_before_hello_closes_the_connection)
{
	static const uint8_t	 huge[] = { 0xff, 0xff, 0xff, 0xff };
	sb_conn			*other;
	int			 fd;

	other = fixture_open();
	fd = robust_raw_open();
	robust_send(fd, huge, sizeof huge);
	ck_assert_msg(robust_is_closed(fd), "the connection was not closed");
	close(fd);
	robust_assert_serving(other);
	sb_close_conn(other);
}
END_TEST

START_TEST(test_truncated_frame_then_close_leaves_daemon_serving)
{
	uint8_t	 buf[SBP_FRAME_HEADER + 10];
	sb_conn	*other;
	int	 fd, base, now;

	other = fixture_open();
	base = fixture_fd_baseline();
	fd = robust_raw_open();
	robust_hello(fd);
	sbp_frame_header(buf, 100);
	memset(buf + SBP_FRAME_HEADER, 0x08, 10);
	robust_send(fd, buf, sizeof buf);
	close(fd);
	robust_assert_serving(other);
	now = fixture_fd_wait(base);
	ck_assert_msg(now <= base, "daemon has %d fds, %d before", now, base);
	sb_close_conn(other);
}
END_TEST

START_TEST(test_garbage_payload_closes_the_connection)
{
	uint8_t	 buf[SBP_FRAME_HEADER + 8];
	sb_conn	*other;
	int	 fd;

	other = fixture_open();
	fd = robust_raw_open();
	robust_hello(fd);
	sbp_frame_header(buf, 8);
	memset(buf + SBP_FRAME_HEADER, 0xff, 8);
	robust_send(fd, buf, sizeof buf);
	ck_assert_msg(robust_is_closed(fd), "the connection was not closed");
	close(fd);
	robust_assert_serving(other);
	sb_close_conn(other);
}
END_TEST

START_TEST(test_request_without_id_closes_the_connection)
{
	/* An empty payload lacks the required id. */
	uint8_t	 buf[SBP_FRAME_HEADER];
	sb_conn	*other;
	int	 fd;

	other = fixture_open();
	fd = robust_raw_open();
	robust_hello(fd);
	sbp_frame_header(buf, 0);
	robust_send(fd, buf, sizeof buf);
	ck_assert_msg(robust_is_closed(fd), "the connection was not closed");
	close(fd);
	robust_assert_serving(other);
	sb_close_conn(other);
}
END_TEST

START_TEST(test_parked_recv_does_not_delay_other_clients)
{
	sb_conn	*c;
	char	 name[256];
	double	 t0, elapsed, limit;
	pid_t	 child;
	int	 i;

	child = robust_parked_child(1);
	c = fixture_open();
	t0 = fixture_now();
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(sb_gethostname(c, name, sizeof name), 0);
	elapsed = fixture_now() - t0;
	limit = fixture_slow() ? 10.0 : 1.0;
	ck_assert_msg(elapsed < limit, "100 round trips took %.3f s", elapsed);
	ck_assert_int_eq(waitpid(child, NULL, WNOHANG), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_killed_client_parked_in_recv_releases_its_sockets)
{
	sb_conn	*c;
	pid_t	 child;
	int	 base, now;

	base = fixture_fd_baseline();
	ck_assert_int_gt(base, 0);
	child = robust_parked_child(3);
	now = fixture_fd_count();
	ck_assert_msg(now >= base + 4, "daemon has %d fds, %d before", now,
	    base);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	now = fixture_fd_wait(base);
	ck_assert_msg(now <= base, "daemon has %d fds, %d before the client",
	    now, base);
	c = fixture_open();
	robust_assert_serving(c);
	sb_close_conn(c);
}
END_TEST

/* The robustness suite. */
Suite *
e2e_robust_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_robust");

	tc = fixture_tcase("frames");
	tcase_add_test(tc, test_hello_reply_tells_version_and_limits);
	tcase_add_test(tc, test_request_before_hello_is_eproto);
	tcase_add_test(tc, test_unknown_op_is_eopnotsupp);
	tcase_add_test(tc, test_pipelined_requests_are_answered_by_id);
	tcase_add_test(tc, test_frame_over_max_frame_closes_the_connection);
	tcase_add_test(tc, test_huge_frame_before_hello_closes_the_connection);
	tcase_add_test(tc,
	    test_truncated_frame_then_close_leaves_daemon_serving);
	tcase_add_test(tc, test_garbage_payload_closes_the_connection);
	tcase_add_test(tc, test_request_without_id_closes_the_connection);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("isolation");
	tcase_add_test(tc, test_parked_recv_does_not_delay_other_clients);
	tcase_add_test(tc,
	    test_killed_client_parked_in_recv_releases_its_sockets);
	suite_add_tcase(s, tc);
	return (s);
}
