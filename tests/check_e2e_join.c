/* SPDX-License-Identifier: ISC */
/*
 * sb_import_channel: an import that joins the data channel the shared
 * handle had, as a fork child shares its parent's open file description.
 * What the daemon had relayed into the channel before the join is read by
 * the importer; datagram sends of two connections on one channel are each
 * answered on the connection that wrote them (the sharer slot in a SEND's
 * pad) and each datagram received is read once; the exporter may close
 * first, its whole connection too (the exec case), or the importer; a
 * SEND with a slot no sharer holds is dropped and logged once; a token
 * joins once, and a token of a handle without a channel is ENXIO and
 * stays good for sb_import. A stream channel's last sharer whose process
 * goes away without closing it (its connection gone) still has what it
 * wrote sent.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "channel.h"
#include "fixture.h"

#define JOIN_DGRAMS	20		/* datagrams two sharers read */
#define JOIN_TIMEOUT	10.0		/* seconds any call may take */
#define JOIN_LAST	(3 * SBC_MAX_DATA)	/* bytes written, then gone */

static int	 join_udp(struct sockaddr_storage *, socklen_t *);
static int	 join_shared(sb_conn *, int, sb_conn *);
static void	 join_readable(int);

/* A plain UDP socket of the test on the loopback; its address in ss. */
static int
join_udp(struct sockaddr_storage *ss, socklen_t *len)
{
	int	 fd;

	ck_assert_int_ne(fd = socket(AF_INET, SOCK_DGRAM, 0), -1);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)ss, *len), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return (fd);
}

/*
 * Shares handle h of a (which has a channel) and joins it on b with a
 * duplicate of a's channel descriptor: b's handle, with a timeout.
 */
static int
join_shared(sb_conn *a, int h, sb_conn *b)
{
	unsigned char	 tok[SB_TOKEN_LEN];
	int		 fd, nh;

	ck_assert_int_ne(fd = sb_fileno(a, h), -1);
	ck_assert_int_eq(sb_share(a, h, tok), 0);
	ck_assert_int_ne(fd = dup(fd), -1);
	ck_assert_msg((nh = sb_import_channel(b, tok, fd)) > 0,
	    "sb_import_channel: %s", strerror(errno));
	ck_assert_int_eq(sb_fileno(b, nh), fd);
	ck_assert_int_eq(sb_settimeout(b, nh, JOIN_TIMEOUT), 0);
	return (nh);
}

/* Waits until fd is readable (the daemon relayed something into it). */
static void
join_readable(int fd)
{
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 10000), 1);
}

/*
 * What the daemon relayed into a stream channel before the join is the
 * importer's to read once the exporter closed; both ways work after.
 */
START_TEST(test_join_keeps_what_the_channel_holds)
{
	sb_conn		*a = fixture_open(), *b = fixture_open();
	char		 buf[16];
	int		 srv, cli, h;

	fixture_tcp_pair(a, a, AF_INET, &srv, &cli);
	ck_assert_int_ne(sb_fileno(a, srv), -1);
	ck_assert_int_eq(sb_sendall(a, cli, "early", 5, 0), 0);
	join_readable(sb_fileno(a, srv));
	h = join_shared(a, srv, b);
	ck_assert_int_eq(sb_close(a, srv), 0);
	fixture_recv_all(b, h, buf, 5);
	ck_assert_mem_eq(buf, "early", 5);
	ck_assert_int_eq(sb_sendall(b, h, "back", 4, 0), 0);
	fixture_recv_all(a, cli, buf, 4);
	ck_assert_mem_eq(buf, "back", 4);
	ck_assert_int_eq(sb_close(b, h), 0);
	ck_assert_int_eq(sb_recv(a, cli, buf, sizeof buf, 0), 0);
	sb_close_conn(a);
	sb_close_conn(b);
}
END_TEST

/*
 * The exec case: the exporting connection is gone before the import; the
 * token kept the channel, and what came before and after is read.
 */
START_TEST(test_join_after_the_exporting_connection_closed)
{
	sb_conn		*a = fixture_open(), *p = fixture_open(), *b;
	unsigned char	 tok[SB_TOKEN_LEN];
	char		 buf[16];
	int		 srv, cli, h, fd;

	fixture_tcp_pair(a, p, AF_INET, &srv, &cli);
	ck_assert_int_ne(fd = sb_fileno(a, srv), -1);
	ck_assert_int_eq(sb_sendall(p, cli, "before", 6, 0), 0);
	join_readable(fd);
	ck_assert_int_eq(sb_share(a, srv, tok), 0);
	ck_assert_int_ne(fd = dup(fd), -1);
	sb_close_conn(a);
	ck_assert_int_eq(sb_sendall(p, cli, "after", 5, 0), 0);
	usleep(100000);
	b = fixture_open();
	ck_assert_msg((h = sb_import_channel(b, tok, fd)) > 0,
	    "sb_import_channel: %s", strerror(errno));
	fixture_recv_all(b, h, buf, 11);
	ck_assert_mem_eq(buf, "beforeafter", 11);
	ck_assert_int_eq(sb_sendall(b, h, "reply", 5, 0), 0);
	fixture_recv_all(p, cli, buf, 5);
	ck_assert_mem_eq(buf, "reply", 5);
	sb_close_conn(b);
	ck_assert_int_eq(sb_recv(p, cli, buf, sizeof buf, 0), 0);
	sb_close_conn(p);
}
END_TEST

/*
 * Two connections on one datagram channel: each send is answered on the
 * connection that wrote it (interleaved, so a misrouted answer would
 * stall one and confuse the other), and each datagram the socket gets is
 * read by exactly one of them.
 */
START_TEST(test_join_routes_datagram_answers_by_slot)
{
	sb_conn			*a = fixture_open(), *b = fixture_open();
	struct sockaddr_storage	 ss, us;
	socklen_t		 len, ulen;
	char			 buf[16], seen[JOIN_DGRAMS];
	int			 ha, hb, u, i, n, got = 0;

	ha = fixture_bound(a, AF_INET, SOCK_DGRAM, &ss, &len);
	ck_assert_int_eq(sb_settimeout(a, ha, JOIN_TIMEOUT), 0);
	hb = join_shared(a, ha, b);
	u = join_udp(&us, &ulen);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(sb_sendto(a, ha, "from-a", 6, 0,
		    (struct sockaddr *)&us, ulen), 6);
		ck_assert_int_eq(sb_sendto(b, hb, "from-bb", 7, 0,
		    (struct sockaddr *)&us, ulen), 7);
		ck_assert_int_eq(recv(u, buf, sizeof buf, 0), 6);
		ck_assert_mem_eq(buf, "from-a", 6);
		ck_assert_int_eq(recv(u, buf, sizeof buf, 0), 7);
		ck_assert_mem_eq(buf, "from-bb", 7);
	}
	memset(seen, 0, sizeof seen);
	for (i = 0; i < JOIN_DGRAMS; i++) {
		snprintf(buf, sizeof buf, "d%02d", i);
		ck_assert_int_eq(sendto(u, buf, 3, 0, (struct sockaddr *)&ss,
		    len), 3);
	}
	for (i = 0; i < JOIN_DGRAMS; i++) {
		n = (int)sb_recv(i % 2 ? b : a, i % 2 ? hb : ha, buf,
		    sizeof buf, 0);
		ck_assert_int_eq(n, 3);
		n = atoi(buf + 1);
		ck_assert_int_lt(n, JOIN_DGRAMS);
		ck_assert_int_eq(seen[n], 0);
		seen[n] = 1;
		got++;
	}
	ck_assert_int_eq(got, JOIN_DGRAMS);
	ck_assert_int_eq(sb_recv(a, ha, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(u);
	sb_close_conn(a);
	sb_close_conn(b);
}
END_TEST

/*
 * The importer closes first: the exporter's stream goes on both ways (the
 * importer's close did not shut the channel for it).
 */
START_TEST(test_join_importer_closes_first)
{
	sb_conn		*a = fixture_open(), *b = fixture_open();
	char		 buf[16];
	int		 srv, cli, h;

	fixture_tcp_pair(a, a, AF_INET, &srv, &cli);
	h = join_shared(a, srv, b);
	ck_assert_int_eq(sb_close(b, h), 0);
	sb_close_conn(b);
	ck_assert_int_eq(sb_sendall(a, srv, "still", 5, 0), 0);
	fixture_recv_all(a, cli, buf, 5);
	ck_assert_mem_eq(buf, "still", 5);
	ck_assert_int_eq(sb_sendall(a, cli, "there", 5, 0), 0);
	fixture_recv_all(a, srv, buf, 5);
	ck_assert_mem_eq(buf, "there", 5);
	sb_close_conn(a);
}
END_TEST

/*
 * A SEND whose pad names a slot no sharer holds is dropped, not sent and
 * not answered, logged once however many come; the channel goes on.
 */
START_TEST(test_join_bogus_slot_is_dropped_and_logged_once)
{
	sb_conn			*a = fixture_open();
	struct sockaddr_storage	 ss, us;
	socklen_t		 len, ulen;
	struct sbc_hdr		 hdr;
	struct sockaddr_in	 sin;
	uint8_t			 msg[SBC_HDR_LEN + sizeof sin + 3];
	char			 buf[16];
	int			 ha, u, fd, i;

	ha = fixture_bound(a, AF_INET, SOCK_DGRAM, &ss, &len);
	ck_assert_int_eq(sb_settimeout(a, ha, JOIN_TIMEOUT), 0);
	ck_assert_int_ne(fd = sb_fileno(a, ha), -1);
	u = join_udp(&us, &ulen);
	memcpy(&sin, &us, sizeof sin);
	for (i = 0; i < 3; i++) {
		sbc_encode(&hdr, SBC_SEND, 0x7ffffff0U + (uint32_t)i, 0, 0,
		    sizeof sin, 0, 3);
		hdr.pad = (uint8_t)(9 + i * 100);
		memcpy(msg, &hdr, sizeof hdr);
		memcpy(msg + sizeof hdr, &sin, sizeof sin);
		memcpy(msg + sizeof hdr + sizeof sin, "bad", 3);
		ck_assert_int_eq(send(fd, msg, sizeof msg, 0),
		    (ssize_t)sizeof msg);
	}
	ck_assert_int_eq(sb_sendto(a, ha, "ok", 2, 0, (struct sockaddr *)&us,
	    ulen), 2);
	ck_assert_int_eq(recv(u, buf, sizeof buf, 0), 2);
	ck_assert_mem_eq(buf, "ok", 2);
	ck_assert_int_eq(recv(u, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(fixture_file_count("daemon.log",
	    "which no handle holds, dropped", NULL), 1);
	close(u);
	sb_close_conn(a);
}
END_TEST

/*
 * A token joins once (then ENOENT); a token of a handle without a channel
 * is ENXIO for a join and is not spent: sb_import takes it.
 */
START_TEST(test_join_twice_and_without_a_channel)
{
	sb_conn		*a = fixture_open(), *b = fixture_open();
	unsigned char	 tok[SB_TOKEN_LEN];
	int		 h, fd;

	ck_assert_int_gt(h = sb_socket(a, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_ne(fd = sb_fileno(a, h), -1);
	ck_assert_int_eq(sb_share(a, h, tok), 0);
	ck_assert_int_ne(fd = dup(fd), -1);
	ck_assert_int_gt(sb_import_channel(b, tok, fd), 0);
	ck_assert_int_ne(fd = dup(fd), -1);
	ck_assert_int_eq(sb_import_channel(b, tok, fd), -1);
	ck_assert_int_eq(errno, ENOENT);

	ck_assert_int_gt(h = sb_socket(a, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_share(a, h, tok), 0);
	ck_assert_int_eq(sb_import_channel(b, tok, fd), -1);
	ck_assert_int_eq(errno, ENXIO);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);	/* still the caller's */
	close(fd);
	ck_assert_int_gt(sb_import(b, tok), 0);
	ck_assert_int_eq(sb_import_channel(b, tok, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	sb_close_conn(a);
	sb_close_conn(b);
}
END_TEST

/*
 * The last sharer of a stream channel goes away without a close, as a
 * process that exits, and the daemon sees its connection end before it
 * read what it wrote into the channel (the daemon stopped meanwhile: the
 * connection closed first, then the data written, on a duplicate of the
 * channel): all it wrote reaches the peer, then EOF.
 */
START_TEST(test_join_last_sharer_gone_without_close_sends_what_it_wrote)
{
	sb_conn		*a = fixture_open(), *p = fixture_open();
	struct sbc_hdr	 hdr;
	char		*buf;
	size_t		 got = 0, chunk = SBC_MAX_DATA, off;
	ssize_t		 n;
	int		 srv, cli, i, fd;

	ck_assert_ptr_nonnull(buf = malloc(JOIN_LAST));
	fixture_tcp_pair(a, p, AF_INET, &srv, &cli);
	ck_assert_int_ne(fd = sb_fileno(a, srv), -1);
	ck_assert_int_ne(fd = dup(fd), -1);
	for (i = 0; i < JOIN_LAST; i++)
		buf[i] = (char)('a' + i % 26);
	ck_assert_int_eq(kill(fixture_pid(), SIGSTOP), 0);
	sb_forget_conn(a);
	for (off = 0; off < JOIN_LAST; off += chunk) {
		sbc_encode(&hdr, SBC_SEND, 0, 0, 0, 0, 0, chunk);
		ck_assert_int_eq(write(fd, &hdr, sizeof hdr),
		    (ssize_t)sizeof hdr);
		ck_assert_int_eq(write(fd, buf + off, chunk), (ssize_t)chunk);
	}
	close(fd);
	usleep(100000);
	ck_assert_int_eq(kill(fixture_pid(), SIGCONT), 0);
	ck_assert_int_eq(sb_settimeout(p, cli, JOIN_TIMEOUT), 0);
	memset(buf, 0, JOIN_LAST);
	while ((n = sb_recv(p, cli, buf + got, JOIN_LAST - got, 0)) > 0)
		got += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(got, JOIN_LAST);
	for (i = 0; i < JOIN_LAST; i++)
		ck_assert_int_eq(buf[i], 'a' + i % 26);
	free(buf);
	sb_close_conn(p);
}
END_TEST

/* The suite of this file. */
Suite *
e2e_join_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_join");
	tc = fixture_tcase("join");
	tcase_add_test(tc, test_join_keeps_what_the_channel_holds);
	tcase_add_test(tc, test_join_after_the_exporting_connection_closed);
	tcase_add_test(tc, test_join_routes_datagram_answers_by_slot);
	tcase_add_test(tc, test_join_importer_closes_first);
	tcase_add_test(tc, test_join_bogus_slot_is_dropped_and_logged_once);
	tcase_add_test(tc, test_join_twice_and_without_a_channel);
	tcase_add_test(tc,
	    test_join_last_sharer_gone_without_close_sends_what_it_wrote);
	suite_add_tcase(s, tc);
	return (s);
}
