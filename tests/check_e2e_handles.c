/* SPDX-License-Identifier: ISC */
/*
 * Handles end to end: unknown, closed, stale and foreign handles are EBADF;
 * dup; socket options; a closed connection releases its sockets.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "fixture.h"

static void	handles_assert_ebadf(void);

/* The last call failed with EBADF, an OS error. */
static void
handles_assert_ebadf(void)
{
	ck_assert_msg(errno == EBADF, "errno %d (%s), not EBADF", errno,
	    strerror(errno));
	ck_assert_int_eq(sb_lasterror()->errnum, EBADF);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
}

START_TEST(test_handles_are_positive_and_distinct)
{
	sb_conn	*c;
	int	 a, b, d;

	c = fixture_open();
	a = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	b = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	d = sb_socket(c, AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_int_gt(d, 0);
	ck_assert_int_ne(a, b);
	ck_assert_int_ne(b, d);
	ck_assert_int_ne(a, d);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_unknown_handle_is_ebadf)
{
	sb_conn	*c;
	char	 buf[4];

	c = fixture_open();
	ck_assert_int_eq(sb_send(c, 12345, "x", 1, 0), -1);
	handles_assert_ebadf();
	ck_assert_int_eq(sb_recv(c, 12345, buf, sizeof buf, 0), -1);
	handles_assert_ebadf();
	ck_assert_int_eq(sb_listen(c, 12345, 1), -1);
	handles_assert_ebadf();
	ck_assert_int_eq(sb_close(c, 12345), -1);
	handles_assert_ebadf();
	sb_close_conn(c);
}
END_TEST

START_TEST(test_closed_handle_is_ebadf)
{
	sb_conn	*c;
	int	 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(sb_shutdown(c, h, SHUT_RDWR), -1);
	handles_assert_ebadf();
	ck_assert_int_eq(sb_close(c, h), -1);
	handles_assert_ebadf();
	sb_close_conn(c);
}
END_TEST

START_TEST(test_stale_handle_stays_ebadf_after_a_new_socket)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	sb_conn			*c;
	int			 old, h;

	c = fixture_open();
	old = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_gt(old, 0);
	ck_assert_int_eq(sb_close(c, old), 0);
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_ne(h, old);
	ck_assert_int_eq(sb_getsockname(c, old, (struct sockaddr *)&ss,
	    &len), -1);
	handles_assert_ebadf();
	len = sizeof ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&ss, &len),
	    0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_other_connections_handle_is_ebadf)
{
	sb_conn	*a, *b;
	int	 h;

	a = fixture_open();
	b = fixture_open();
	h = sb_socket(a, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_send(b, h, "x", 1, 0), -1);
	handles_assert_ebadf();
	ck_assert_int_eq(sb_close(b, h), -1);
	handles_assert_ebadf();
	/* And the owner's handle is untouched. */
	ck_assert_int_eq(sb_close(a, h), 0);
	sb_close_conn(b);
	sb_close_conn(a);
}
END_TEST

START_TEST(test_dup_gives_a_second_handle_to_the_same_socket)
{
	sb_conn	*c;
	char	 buf[8];
	int	 s, h, d;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	d = sb_dup(c, h);
	ck_assert_int_gt(d, 0);
	ck_assert_int_ne(d, h);
	ck_assert_int_eq(sb_send(c, h, "a", 1, 0), 1);
	ck_assert_int_eq(sb_send(c, d, "b", 1, 0), 1);
	fixture_recv_all(c, s, buf, 2);
	ck_assert_mem_eq(buf, "ab", 2);

	/* Closing one handle keeps the socket open for the other. */
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(sb_send(c, d, "c", 1, 0), 1);
	fixture_recv_all(c, s, buf, 1);
	ck_assert_int_eq(buf[0], 'c');
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), -1);
	handles_assert_ebadf();

	/* Closing the last one closes the socket: the peer sees EOF. */
	ck_assert_int_eq(sb_close(c, d), 0);
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_dup_keeps_the_timeout)
{
	sb_conn	*c;
	int	 h, d;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_settimeout(c, h, 2.5), 0);
	d = sb_dup(c, h);
	ck_assert_int_gt(d, 0);
	ck_assert(sb_gettimeout(c, d) == 2.5);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_setsockopt_reuseaddr_int_roundtrip)
{
	sb_conn		*c;
	socklen_t	 len;
	int		 h, v;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	v = -1;
	len = sizeof v;
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_REUSEADDR, &v,
	    &len), 0);
	ck_assert_int_eq(len, sizeof v);
	ck_assert_int_eq(v, 0);
	v = 1;
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_REUSEADDR, &v,
	    sizeof v), 0);
	v = 0;
	len = sizeof v;
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_REUSEADDR, &v,
	    &len), 0);
	ck_assert_int_ne(v, 0);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_setsockopt_linger_raw_roundtrip)
{
	struct linger	 lg;
	sb_conn		*c;
	socklen_t	 len;
	int		 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	lg.l_onoff = 1;
	lg.l_linger = 7;
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_LINGER, &lg,
	    sizeof lg), 0);
	memset(&lg, 0, sizeof lg);
	len = sizeof lg;
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_LINGER, &lg,
	    &len), 0);
	ck_assert_int_eq(len, sizeof lg);
	ck_assert_int_eq(lg.l_onoff, 1);
	ck_assert_int_eq(lg.l_linger, 7);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getsockopt_so_type_tells_the_socket_type)
{
	sb_conn		*c;
	socklen_t	 len = sizeof(int);
	int		 h, v = 0;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_TYPE, &v, &len),
	    0);
	ck_assert_int_eq(v, SOCK_DGRAM);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_setsockopt_unknown_option_is_enoprotoopt)
{
	sb_conn	*c;
	int	 h, v = 1;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, 9999, &v, sizeof v),
	    -1);
	ck_assert_int_eq(errno, ENOPROTOOPT);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_socket_with_bad_family_is_eafnosupport)
{
	sb_conn	*c;

	c = fixture_open();
	ck_assert_int_eq(sb_socket(c, 12345, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_closing_a_connection_releases_its_sockets)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 base, i, s, h;

	base = fixture_fd_baseline();
	ck_assert_int_gt(base, 0);
	c = fixture_open();
	for (i = 0; i < 4; i++)
		ck_assert_int_gt(sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	fixture_listener(c, AF_INET, &ss, &len);
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert_int_ge(fixture_fd_count(), base + 7);
	sb_close_conn(c);
	i = fixture_fd_wait(base);
	ck_assert_msg(i <= base, "daemon has %d fds, %d before", i, base);
}
END_TEST

/* The handles suite. */
Suite *
e2e_handles_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_handles");

	tc = fixture_tcase("handles");
	tcase_add_test(tc, test_handles_are_positive_and_distinct);
	tcase_add_test(tc, test_unknown_handle_is_ebadf);
	tcase_add_test(tc, test_closed_handle_is_ebadf);
	tcase_add_test(tc, test_stale_handle_stays_ebadf_after_a_new_socket);
	tcase_add_test(tc, test_other_connections_handle_is_ebadf);
	tcase_add_test(tc, test_socket_with_bad_family_is_eafnosupport);
	tcase_add_test(tc, test_closing_a_connection_releases_its_sockets);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("dup");
	tcase_add_test(tc, test_dup_gives_a_second_handle_to_the_same_socket);
	tcase_add_test(tc, test_dup_keeps_the_timeout);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("sockopt");
	tcase_add_test(tc, test_setsockopt_reuseaddr_int_roundtrip);
	tcase_add_test(tc, test_setsockopt_linger_raw_roundtrip);
	tcase_add_test(tc, test_getsockopt_so_type_tells_the_socket_type);
	tcase_add_test(tc, test_setsockopt_unknown_option_is_enoprotoopt);
	suite_add_tcase(s, tc);
	return (s);
}
