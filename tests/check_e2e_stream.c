/* SPDX-License-Identifier: ISC */
/*
 * Stream sockets end to end: an echo server and an echo client, both
 * brokered, over IPv4, IPv6 and AF_UNIX (path and abstract); addresses of
 * both ends; shutdown; refused connections; bulk transfer.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define STREAM_HELLO	"Hello, world"
#define STREAM_BULK	(256 * 1024)

/* What the client thread of an echo test did. */
struct stream_client {
	sb_conn			*conn;		/* NULL: open its own */
	struct sockaddr_storage	 addr;
	socklen_t		 len;
	char			 reply[64];
	ssize_t			 n;
	int			 step;		/* where it failed, 0 if not */
	int			 error;
};

/* The sender of the bulk test and what became of it. */
struct stream_bulk {
	sb_conn	*conn;
	int	 h;
	int	 error;
};

static void	*stream_client_cb(void *);
static void	*stream_bulk_cb(void *);
static void	 stream_echo(int, const struct sockaddr *, socklen_t,
		     sb_conn *);
static socklen_t stream_unix_addr(struct sockaddr_storage *, int);
static int	 stream_closed_port(sb_conn *, struct sockaddr_storage *,
		     socklen_t *);

/* The echo client: connect, send the greeting, read the echo. */
static void *
stream_client_cb(void *arg)
{
	struct stream_client	*sc = arg;
	sb_conn			*c = sc->conn;
	ssize_t			 n;
	int			 h = -1;

	sc->n = -1;
	if (c == NULL && (c = sb_open(fixture_path())) == NULL) {
		sc->step = 1;
		sc->error = errno;
		return (NULL);
	}
	if ((h = sb_socket(c, sc->addr.ss_family, SOCK_STREAM, 0)) <= 0)
		sc->step = 2;
	else if (sb_connect(c, h, (struct sockaddr *)&sc->addr, sc->len) != 0)
		sc->step = 3;
	else if (sb_sendall(c, h, STREAM_HELLO, strlen(STREAM_HELLO), 0) != 0)
		sc->step = 4;
	else {
		/* Read until the whole greeting is back, or EOF. */
		sc->n = 0;
		while (sc->n < (ssize_t)strlen(STREAM_HELLO)) {
			n = sb_recv(c, h, sc->reply + sc->n,
			    sizeof sc->reply - 1 - sc->n, 0);
			if (n <= 0) {
				sc->step = 5;
				break;
			}
			sc->n += n;
		}
	}
	sc->error = errno;
	if (h > 0 && sb_close(c, h) != 0 && sc->step == 0)
		sc->step = 6;
	if (sc->conn == NULL)
		sb_close_conn(c);
	return (NULL);
}

/*
 * Serves one echo over family at addr, with the client in another thread on
 * its own connection (or on cc if not NULL).
 */
static void
stream_echo(int family, const struct sockaddr *addr, socklen_t len,
    sb_conn *cc)
{
	struct stream_client	 sc;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen = sizeof peer;
	pthread_t		 t;
	sb_conn			*c;
	char			 buf[64];
	int			 l, s;

	memset(&sc, 0, sizeof sc);
	c = cc != NULL ? cc : fixture_open();
	l = sb_socket(c, family, SOCK_STREAM, 0);
	ck_assert_msg(l > 0, "sb_socket: %s", strerror(errno));
	ck_assert_msg(sb_bind(c, l, addr, len) == 0, "sb_bind: %s",
	    strerror(errno));
	ck_assert_int_eq(sb_listen(c, l, 1), 0);
	sc.len = sizeof sc.addr;
	ck_assert_int_eq(sb_getsockname(c, l, (struct sockaddr *)&sc.addr,
	    &sc.len), 0);
	ck_assert_int_eq(sc.addr.ss_family, family);
	sc.conn = cc;
	ck_assert_int_eq(pthread_create(&t, NULL, stream_client_cb, &sc), 0);

	s = sb_accept(c, l, (struct sockaddr *)&peer, &peerlen);
	ck_assert_msg(s > 0, "sb_accept: %s", strerror(errno));
	ck_assert_int_eq(peer.ss_family, family);
	fixture_recv_all(c, s, buf, strlen(STREAM_HELLO));
	ck_assert_int_eq(sb_sendall(c, s, buf, strlen(STREAM_HELLO), 0), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);

	ck_assert_msg(sc.step == 0, "client failed at step %d: %s", sc.step,
	    strerror(sc.error));
	ck_assert_int_eq(sc.n, strlen(STREAM_HELLO));
	ck_assert_str_eq(sc.reply, STREAM_HELLO);
	ck_assert_int_eq(sb_close(c, s), 0);
	ck_assert_int_eq(sb_close(c, l), 0);
	if (cc == NULL)
		sb_close_conn(c);
}

/* An AF_UNIX address in the fixture's directory or in the abstract space. */
static socklen_t
stream_unix_addr(struct sockaddr_storage *ss, int abstract)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	char			 name[64];

	memset(ss, 0, sizeof *ss);
	sun->sun_family = AF_UNIX;
	if (!abstract) {
		snprintf(sun->sun_path, sizeof sun->sun_path, "%s/echo.sock",
		    fixture_dir());
		return (sizeof *sun);
	}
	snprintf(name, sizeof name, "sockbroker-test-%ld", (long)getpid());
	memcpy(sun->sun_path + 1, name, strlen(name));
	return (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
}

/* A loopback port nobody listens on (bound, then closed). */
static int
stream_closed_port(sb_conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	int	h;

	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)ss, *len), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)ss, len), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	return (fixture_port(ss));
}

START_TEST(test_tcp_echo_over_ipv4_loopback)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	stream_echo(AF_INET, (struct sockaddr *)&ss, len, NULL);
}
END_TEST

START_TEST(test_tcp_echo_over_ipv6_loopback)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	if (!fixture_have_ipv6()) {
		fprintf(stderr, "%s: no IPv6 loopback here, skipped\n",
		    __func__);
		return;
	}
	len = fixture_addr(&ss, AF_INET6, "::1", 0);
	stream_echo(AF_INET6, (struct sockaddr *)&ss, len, NULL);
}
END_TEST

START_TEST(test_unix_stream_echo_over_path)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	len = stream_unix_addr(&ss, 0);
	stream_echo(AF_UNIX, (struct sockaddr *)&ss, len, NULL);
}
END_TEST

START_TEST(test_unix_stream_echo_over_abstract_name)
{
	struct sockaddr_storage	ss;
	socklen_t		len;

	len = stream_unix_addr(&ss, 1);
	stream_echo(AF_UNIX, (struct sockaddr *)&ss, len, NULL);
}
END_TEST

START_TEST(test_one_connection_serves_two_blocked_threads)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;

	/* The server blocks in accept while the client thread connects. */
	c = fixture_open();
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	stream_echo(AF_INET, (struct sockaddr *)&ss, len, c);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getsockname_and_getpeername_describe_both_ends)
{
	struct sockaddr_storage	 a, b;
	socklen_t		 alen, blen;
	sb_conn			*c;
	int			 s, h;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);

	alen = sizeof a;
	blen = sizeof b;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&a, &alen), 0);
	ck_assert_int_eq(sb_getpeername(c, s, (struct sockaddr *)&b, &blen), 0);
	ck_assert_int_eq(alen, sizeof(struct sockaddr_in));
	ck_assert_int_eq(blen, alen);
	ck_assert_mem_eq(&a, &b, alen);

	alen = sizeof a;
	blen = sizeof b;
	ck_assert_int_eq(sb_getpeername(c, h, (struct sockaddr *)&a, &alen), 0);
	ck_assert_int_eq(sb_getsockname(c, s, (struct sockaddr *)&b, &blen), 0);
	ck_assert_int_eq(blen, alen);
	ck_assert_mem_eq(&a, &b, alen);
	ck_assert_int_eq(((struct sockaddr_in *)&a)->sin_addr.s_addr,
	    htonl(INADDR_LOOPBACK));
	sb_close_conn(c);
}
END_TEST

START_TEST(test_getpeername_of_unconnected_socket_is_enotconn)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_getpeername(c, h, (struct sockaddr *)&ss, &len),
	    -1);
	ck_assert_int_eq(errno, ENOTCONN);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_shutdown_write_gives_peer_eof)
{
	sb_conn	*c;
	char	 buf[8];
	int	 s, h;

	c = fixture_open();
	fixture_tcp_pair(c, c, AF_INET, &s, &h);
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), 1);
	ck_assert_int_eq(sb_shutdown(c, h, SHUT_WR), 0);
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), 1);
	ck_assert_int_eq(sb_recv(c, s, buf, sizeof buf, 0), 0);
	/* The other direction still works. */
	ck_assert_int_eq(sb_send(c, s, "y", 1, 0), 1);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 1);
	ck_assert_int_eq(buf[0], 'y');
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_to_closed_port_is_econnrefused)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	stream_closed_port(c, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(sb_lasterror()->errnum, ECONNREFUSED);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_ex_to_closed_port_returns_econnrefused)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 h;

	c = fixture_open();
	stream_closed_port(c, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_connect_ex(c, h, (struct sockaddr *)&ss, len),
	    ECONNREFUSED);
	sb_close_conn(c);
}
END_TEST

START_TEST(test_connect_ex_to_listener_returns_zero)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c;
	int			 l, h;

	c = fixture_open();
	l = fixture_listener(c, AF_INET, &ss, &len);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_int_gt(h, 0);
	ck_assert_int_eq(sb_connect_ex(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_gt(sb_accept(c, l, NULL, NULL), 0);
	sb_close_conn(c);
}
END_TEST

/* Sends STREAM_BULK bytes of a known pattern with one sb_sendall(). */
static void *
stream_bulk_cb(void *arg)
{
	struct stream_bulk	*sb = arg;
	unsigned char		*buf;
	size_t			 i;

	if ((buf = malloc(STREAM_BULK)) == NULL) {
		sb->error = ENOMEM;
		return (NULL);
	}
	for (i = 0; i < STREAM_BULK; i++)
		buf[i] = i * 7 + (i >> 8);
	if (sb_sendall(sb->conn, sb->h, buf, STREAM_BULK, 0) != 0)
		sb->error = errno;
	free(buf);
	return (NULL);
}

START_TEST(test_sendall_moves_256k_while_peer_reads)
{
	struct stream_bulk	 sb;
	unsigned char		*buf;
	sb_conn			*c, *c2;
	pthread_t		 t;
	size_t			 i;
	int			 s;

	c = fixture_open();
	c2 = fixture_open();
	memset(&sb, 0, sizeof sb);
	sb.conn = c2;
	fixture_tcp_pair(c, c2, AF_INET, &s, &sb.h);
	ck_assert_int_eq(pthread_create(&t, NULL, stream_bulk_cb, &sb), 0);
	buf = malloc(STREAM_BULK);
	ck_assert_ptr_nonnull(buf);
	fixture_recv_all(c, s, buf, STREAM_BULK);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(sb.error == 0, "sb_sendall: %s", strerror(sb.error));
	for (i = 0; i < STREAM_BULK; i++) {
		if (buf[i] != (unsigned char)(i * 7 + (i >> 8)))
			ck_abort_msg("byte %zu differs", i);
	}
	free(buf);
	sb_close_conn(c2);
	sb_close_conn(c);
}
END_TEST

/* The stream suite. */
Suite *
e2e_stream_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_stream");

	tc = fixture_tcase("echo");
	tcase_add_test(tc, test_tcp_echo_over_ipv4_loopback);
	tcase_add_test(tc, test_tcp_echo_over_ipv6_loopback);
	tcase_add_test(tc, test_unix_stream_echo_over_path);
	tcase_add_test(tc, test_unix_stream_echo_over_abstract_name);
	tcase_add_test(tc, test_one_connection_serves_two_blocked_threads);
	tcase_add_test(tc, test_sendall_moves_256k_while_peer_reads);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("connection");
	tcase_add_test(tc, test_getsockname_and_getpeername_describe_both_ends);
	tcase_add_test(tc, test_getpeername_of_unconnected_socket_is_enotconn);
	tcase_add_test(tc, test_shutdown_write_gives_peer_eof);
	tcase_add_test(tc, test_connect_to_closed_port_is_econnrefused);
	tcase_add_test(tc, test_connect_ex_to_closed_port_returns_econnrefused);
	tcase_add_test(tc, test_connect_ex_to_listener_returns_zero);
	suite_add_tcase(s, tc);
	return (s);
}
