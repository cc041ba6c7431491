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

static void	 robust_assert_serving(sb_conn *);
static pid_t	 robust_parked_child(int);

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

	fd = rawconn_open();
	ck_assert_uint_ge(rawconn_hello(fd), SBP_MIN_FRAME);
	close(fd);
}
END_TEST

START_TEST(test_request_before_hello_is_eproto)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	Sockbroker__Response		*resp;
	int				 fd;

	fd = rawconn_open();
	rawconn_gethostname(&req, &gh, 7);
	rawconn_send_request(fd, &req);
	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, 7);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->kind, SOCKBROKER__ERROR__KIND__PROTOCOL);
	ck_assert_int_eq(resp->error->errnum, EPROTO);
	sockbroker__response__free_unpacked(resp, NULL);
	/* The connection is kept: Hello still works. */
	rawconn_hello(fd);
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

	fd = rawconn_open();
	rawconn_hello(fd);
	rawconn_send(fd, unknown, sizeof unknown);
	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, 9);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->kind, SOCKBROKER__ERROR__KIND__PROTOCOL);
	ck_assert_int_eq(resp->error->errnum, EOPNOTSUPP);
	sockbroker__response__free_unpacked(resp, NULL);

	/* The connection is kept. */
	rawconn_gethostname(&req, &gh, 10);
	rawconn_send_request(fd, &req);
	resp = rawconn_recv(fd);
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

	fd = rawconn_open();
	rawconn_hello(fd);
	for (i = 0; i < 3; i++) {
		rawconn_gethostname(&req, &gh, 100 + i);
		ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME, &out,
		    &outlen), 0);
		ck_assert_uint_le(used + outlen, sizeof all);
		memcpy(all + used, out, outlen);
		used += outlen;
		free(out);
	}
	rawconn_send(fd, all, used);	/* all three in one write */
	for (i = 0; i < 3; i++) {
		resp = rawconn_recv(fd);
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
	fd = rawconn_open();
	sbp_frame_header(hdr, (size_t)rawconn_hello(fd) + 1);
	rawconn_send(fd, hdr, sizeof hdr);
	ck_assert_msg(rawconn_is_closed(fd), "the connection was not closed");
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
	fd = rawconn_open();
	rawconn_send(fd, huge, sizeof huge);
	ck_assert_msg(rawconn_is_closed(fd), "the connection was not closed");
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
	fd = rawconn_open();
	rawconn_hello(fd);
	sbp_frame_header(buf, 100);
	memset(buf + SBP_FRAME_HEADER, 0x08, 10);
	rawconn_send(fd, buf, sizeof buf);
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
	fd = rawconn_open();
	rawconn_hello(fd);
	sbp_frame_header(buf, 8);
	memset(buf + SBP_FRAME_HEADER, 0xff, 8);
	rawconn_send(fd, buf, sizeof buf);
	ck_assert_msg(rawconn_is_closed(fd), "the connection was not closed");
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
	fd = rawconn_open();
	rawconn_hello(fd);
	sbp_frame_header(buf, 0);
	rawconn_send(fd, buf, sizeof buf);
	ck_assert_msg(rawconn_is_closed(fd), "the connection was not closed");
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
