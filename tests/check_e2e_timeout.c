/* SPDX-License-Identifier: ISC */
/*
 * Timeouts with the meaning of Python's socket module, for recv, accept and
 * connect: none blocks until the operation completes, 0 fails at once with
 * EAGAIN (EINPROGRESS for connect), a positive value fails after that long
 * with errno EAGAIN and kind SB_ERR_TIMEOUT.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define TIMEOUT_SHORT	0.2	/* the positive timeout under test */
#define TIMEOUT_LATE	200000	/* usec before the other thread acts */

/* What the helper thread does after TIMEOUT_LATE, and how it went. */
struct timeout_peer {
	sb_conn			*conn;
	int			 h;		/* send on this handle ... */
	struct sockaddr_storage	 addr;		/* ... or connect here */
	socklen_t		 len;
	int			 error;
};

static void	*timeout_send_cb(void *);
static void	*timeout_connect_cb(void *);
static double	 timeout_upper(void);
static void	 timeout_assert_timed_out(double);
static int	 timeout_full_listener(struct sockaddr_storage *, socklen_t *,
		     int *);

/* Sends "late" on the handle after a pause. */
static void *
timeout_send_cb(void *arg)
{
	struct timeout_peer	*tp = arg;

	usleep(TIMEOUT_LATE);
	if (sb_send(tp->conn, tp->h, "late", 4, 0) != 4)
		tp->error = errno;
	return (NULL);
}

/* Connects a new socket to the address after a pause. */
static void *
timeout_connect_cb(void *arg)
{
	struct timeout_peer	*tp = arg;

	usleep(TIMEOUT_LATE);
	if ((tp->h = sb_socket(tp->conn, tp->addr.ss_family, SOCK_STREAM,
	    0)) <= 0)
		tp->error = errno;
	else if (sb_connect(tp->conn, tp->h, (struct sockaddr *)&tp->addr,
	    tp->len) != 0)
		tp->error = errno;
	return (NULL);
}

/* The longest a TIMEOUT_SHORT timeout may take to fire. */
static double
timeout_upper(void)
{
	return (fixture_slow() ? 10.0 : 2.0);
}

/* The last call failed as a TIMEOUT_SHORT timeout does, started at t0. */
static void
timeout_assert_timed_out(double t0)
{
	double	elapsed = fixture_now() - t0;

	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->errnum, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_TIMEOUT);
	ck_assert_msg(elapsed >= 0.15 && elapsed <= timeout_upper(),
	    "timed out after %.3f s", elapsed);
}

/*
 * A local (not brokered) listener with backlog 0 whose accept queue is
 * already full, so that the next connection attempt to it hangs: Linux
 * drops the SYN. Returns its fd; the filling client's fd in *filler.
 */
static int
timeout_full_listener(struct sockaddr_storage *ss, socklen_t *len,
    int *filler)
{
	int	l;

	l = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(l, 0);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)ss, *len), 0);
	ck_assert_int_eq(listen(l, 0), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)ss, len), 0);
	*filler = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(*filler, 0);
	ck_assert_int_eq(connect(*filler, (struct sockaddr *)ss, *len), 0);
	return (l);
}

START_TEST(test_new_handles_default_to_timeout_none)
{
	sb_conn	*c;
	int	 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert(sb_gettimeout(c, h) == SB_TIMEOUT_NONE);
	ck_assert(sb_getdefaulttimeout(c) == SB_TIMEOUT_NONE);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_setblocking_sets_timeout_zero_or_none)
{
	sb_conn	*c;
	int	 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_setblocking(c, h, 0), 0);
	ck_assert(sb_gettimeout(c, h) == 0.0);
	ck_assert_int_eq(sb_setblocking(c, h, 1), 0);
	ck_assert(sb_gettimeout(c, h) == SB_TIMEOUT_NONE);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_default_timeout_applies_to_new_and_accepted_handles)
{
	sb_conn	*c;
	int	 s, h;

	c = fixture_open();
	sb_setdefaulttimeout(c, 1.5);
	ck_assert(sb_getdefaulttimeout(c) == 1.5);
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert(sb_gettimeout(c, h) == 1.5);
	ck_assert(sb_gettimeout(c, s) == 1.5);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_timeout_none_completes_when_data_arrives)
{
	struct timeout_peer	 tp;
	sb_conn			*c, *c2;
	pthread_t		 t;
	char			 buf[8];
	double			 t0;
	int			 s;

	c = fixture_open();
	c2 = fixture_open();
	memset(&tp, 0, sizeof tp);
	tp.conn = c2;
	fixture_tcp_pair(c, c2, AF_INET, &s, &tp.h);
	ck_assert_int_eq(pthread_create(&t, NULL, timeout_send_cb, &tp), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), 4);
	ck_assert_double_ge(fixture_now() - t0, 0.1);
	ck_assert_mem_eq(buf, "late", 4);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(tp.error, 0);
	sb_close_conn(c2);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_timeout_zero_is_eagain)
{
	sb_conn	*c;
	char	 buf[8];
	double	 t0;
	int	 s, h;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert_int_eq(sb_settimeout(c, s, 0), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	ck_assert_double_lt(fixture_now() - t0, timeout_upper() / 2);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_timeout_fraction_is_eagain_with_timeout_kind)
{
	sb_conn	*c;
	char	 buf[8];
	double	 t0;
	int	 s, h;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert_int_eq(sb_settimeout(c, s, TIMEOUT_SHORT), 0);
	ck_assert(sb_gettimeout(c, s) == TIMEOUT_SHORT);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), -1);
	timeout_assert_timed_out(t0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_recv_after_a_timeout_gets_later_data)
{
	sb_conn	*c;
	char	 buf[8];
	int	 s, h;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert_int_eq(sb_settimeout(c, s, TIMEOUT_SHORT), 0);
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(sb_send(c, h, "again", 5, 0), 5);
	ck_assert_int_eq(sb_settimeout(c, s, SB_TIMEOUT_NONE), 0);
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "again", 5);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_accept_timeout_none_completes_when_peer_connects)
{
	struct timeout_peer	 tp;
	sb_conn			*c, *c2;
	pthread_t		 t;
	int			 l, s;

	c = fixture_open();
	c2 = fixture_open();
	memset(&tp, 0, sizeof tp);
	tp.conn = c2;
	l = fixture_listener(c, AF_INET, &tp.addr, &tp.len);
	ck_assert_int_eq(pthread_create(&t, NULL, timeout_connect_cb, &tp), 0);
	s = sb_accept(c, l, NULL, NULL);
	ck_assert_msg(s > 0, "sb_accept: %s", strerror(errno));
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(tp.error, 0);
	sb_close_conn(c2);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_accept_timeout_zero_is_eagain)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 l;

	c = fixture_open();
	l = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_eq(sb_settimeout(c, l, 0), 0);
	ck_assert_int_eq(sb_accept(c, l, NULL, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_accept_timeout_fraction_is_eagain_with_timeout_kind)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	double			 t0;
	int			 l;

	c = fixture_open();
	l = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_eq(sb_settimeout(c, l, TIMEOUT_SHORT), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_accept(c, l, NULL, NULL), -1);
	timeout_assert_timed_out(t0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_timeout_none_completes)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 l, h;

	c = fixture_open();
	l = fixture_listener(c, AF_INET, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert(sb_gettimeout(c, h) == SB_TIMEOUT_NONE);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_gt(sb_accept(c, l, NULL, NULL), 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_timeout_zero_is_einprogress)
{
	struct sockaddr_storage	 ss, peer;
	socklen_t		 len, plen = sizeof peer;
	sb_conn			*c;
	int			 l, h;

	c = fixture_open();
	l = fixture_listener(c, AF_INET, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, EINPROGRESS);
	/* The connection still completes in the background. */
	ck_assert_int_gt(sb_accept(c, l, NULL, NULL), 0);
	ck_assert_int_eq(sb_getpeername(c, h, (struct sockaddr *)&peer,
	    &plen), 0);
	ck_assert_int_eq(fixture_port(&peer), fixture_port(&ss));
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_ex_timeout_zero_returns_einprogress)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	fixture_listener(c, AF_INET, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_eq(sb_connect_ex(c, h, (struct sockaddr *)&ss, len),
	    EINPROGRESS);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_timeout_fraction_is_eagain_with_timeout_kind)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	double			 t0;
	int			 l, filler, h;

	l = timeout_full_listener(&ss, &len, &filler);
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_settimeout(c, h, TIMEOUT_SHORT), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), -1);
	timeout_assert_timed_out(t0);
	sb_close_conn(c);
	close(filler);
	close(l);
}
END_TEST

START_TEST(test_connect_ex_timeout_fraction_returns_eagain)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 l, filler, h;

	l = timeout_full_listener(&ss, &len, &filler);
	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_settimeout(c, h, TIMEOUT_SHORT), 0);
	ck_assert_int_eq(sb_connect_ex(c, h, (struct sockaddr *)&ss, len),
	    EAGAIN);
	sb_close_conn(c);
	close(filler);
	close(l);
}
END_TEST

/* The timeout suite. */
Suite *
e2e_timeout_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_timeout");

	tc = fixture_tcase("settings");
	tcase_add_test(tc, test_new_handles_default_to_timeout_none);
	tcase_add_test(tc, test_setblocking_sets_timeout_zero_or_none);
	tcase_add_test(tc,
	    test_default_timeout_applies_to_new_and_accepted_handles);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("recv");
	tcase_add_test(tc, test_recv_timeout_none_completes_when_data_arrives);
	tcase_add_test(tc, test_recv_timeout_zero_is_eagain);
	tcase_add_test(tc,
	    test_recv_timeout_fraction_is_eagain_with_timeout_kind);
	tcase_add_test(tc, test_recv_after_a_timeout_gets_later_data);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("accept");
	tcase_add_test(tc,
	    test_accept_timeout_none_completes_when_peer_connects);
	tcase_add_test(tc, test_accept_timeout_zero_is_eagain);
	tcase_add_test(tc,
	    test_accept_timeout_fraction_is_eagain_with_timeout_kind);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("connect");
	tcase_add_test(tc, test_connect_timeout_none_completes);
	tcase_add_test(tc, test_connect_timeout_zero_is_einprogress);
	tcase_add_test(tc, test_connect_ex_timeout_zero_returns_einprogress);
	tcase_add_test(tc,
	    test_connect_timeout_fraction_is_eagain_with_timeout_kind);
	tcase_add_test(tc, test_connect_ex_timeout_fraction_returns_eagain);
	suite_add_tcase(s, tc);
	return (s);
}
