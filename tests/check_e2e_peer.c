/* SPDX-License-Identifier: ISC */
/*
 * The daemon's framing layer against a client whose frames arrive in
 * pieces: split at every byte of the header and of the body, one byte at a
 * time, and a frame larger than one read. Each request is answered once,
 * in order, and a frame that announces more than the maximum is refused
 * before the rest arrives. A client that half-closes (shutdown SHUT_WR, as
 * dial-stdio passes on the end of its input) gets every answer to what it
 * sent, those of requests still waiting too, then EOF; one that closes
 * altogether with a request waiting is dropped at once.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define PEER_PAUSE_US	2000	/* between pieces: the daemon reads each */
#define PEER_BURST	200	/* requests sent before a half-close */
#define PEER_WAIT	0.3	/* seconds a parked receive waits */

static uint8_t	*peer_gethostname_frame(uint64_t, size_t *);
static void	 peer_expect_name(int, uint64_t);
static uint32_t	 peer_udp(int);
static void	 peer_send_recv(int, uint32_t, uint64_t, double);

/* A whole gethostname frame with id, its length in *len; the caller frees. */
static uint8_t *
peer_gethostname_frame(uint64_t id, size_t *len)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	uint8_t				*out;

	rawconn_gethostname(&req, &gh, id);
	ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME, &out, len),
	    0);
	return (out);
}

/* Reads one response and checks that it answers id with a name. */
static void
peer_expect_name(int fd, uint64_t id)
{
	Sockbroker__Response	*resp;

	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, id);
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case, SOCKBROKER__RESPONSE__RESULT_NAME);
	sockbroker__response__free_unpacked(resp, NULL);
}

START_TEST(test_two_frames_split_at_every_byte_are_answered)
{
	uint8_t	*a, *b, *both;
	size_t	 alen, blen, cut;
	int	 fd;

	fd = rawconn_start(NULL);
	a = peer_gethostname_frame(10, &alen);
	b = peer_gethostname_frame(11, &blen);
	both = malloc(alen + blen);
	ck_assert_ptr_nonnull(both);
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	for (cut = 1; cut < alen + blen; cut++) {
		rawconn_send(fd, both, cut);
		usleep(PEER_PAUSE_US);
		rawconn_send(fd, both + cut, alen + blen - cut);
		peer_expect_name(fd, 10);
		peer_expect_name(fd, 11);
	}
	free(both);
	free(a);
	free(b);
	close(fd);
}
END_TEST

START_TEST(test_frame_sent_byte_by_byte_is_answered)
{
	uint8_t	*f;
	size_t	 len, i;
	int	 fd;

	fd = rawconn_start(NULL);
	f = peer_gethostname_frame(20, &len);
	for (i = 0; i < len; i++) {
		rawconn_send(fd, f + i, 1);
		usleep(PEER_PAUSE_US);
	}
	peer_expect_name(fd, 20);
	free(f);
	close(fd);
}
END_TEST

/*
 * A gethostname request padded with an unknown field to more than one of
 * the daemon's reads (64 KiB), written in pieces, then a small one.
 */
START_TEST(test_frame_larger_than_a_read_is_answered)
{
	uint8_t	*f, *big, *p;
	size_t	 len, pad = 300 * 1024, off, n, biglen, v;
	int	 fd;

	fd = rawconn_start(NULL);
	f = peer_gethostname_frame(30, &len);
	big = calloc(1, len + 2 + 5 + pad);
	ck_assert_ptr_nonnull(big);
	memcpy(big, f, len);
	/* Field 1000 of wire type 2 (bytes): unknown fields are kept, unused. */
	p = big + len;
	*p++ = 0xc2;
	*p++ = 0x3e;
	for (v = pad; v >= 0x80; v >>= 7)
		*p++ = 0x80 | (v & 0x7f);
	*p++ = (uint8_t)v;
	biglen = (size_t)(p - big) + pad;
	sbp_frame_header(big, biglen - SBP_FRAME_HEADER);
	for (off = 0; off < biglen; off += n) {
		n = biglen - off < 40000 ? biglen - off : 40000;
		rawconn_send(fd, big + off, n);
		usleep(PEER_PAUSE_US);
	}
	peer_expect_name(fd, 30);
	free(f);
	f = peer_gethostname_frame(31, &len);
	rawconn_send(fd, f, len);
	peer_expect_name(fd, 31);
	free(f);
	free(big);
	close(fd);
}
END_TEST

START_TEST(test_frame_header_over_the_maximum_closes_before_the_body)
{
	uint8_t	 hdr[SBP_FRAME_HEADER];
	int	 fd;

	fd = rawconn_start(NULL);
	sbp_frame_header(hdr, SBP_MAX_FRAME + 1);
	rawconn_send(fd, hdr, 2);
	usleep(PEER_PAUSE_US);
	rawconn_send(fd, hdr + 2, 2);
	ck_assert(rawconn_is_closed(fd));
	close(fd);
}
END_TEST

/* A UDP socket (unbound: nothing arrives) on connection fd: its handle. */
static uint32_t
peer_udp(int fd)
{
	return (rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0));
}

/* Sends a receive on handle h that parks for timeout seconds. */
static void
peer_send_recv(int fd, uint32_t h, uint64_t id, double timeout)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvRequest	 op = SOCKBROKER__RECV_REQUEST__INIT;

	op.handle = h;
	op.bufsize = 64;
	op.has_timeout = 1;
	op.timeout = timeout;
	req.id = id;
	req.op_case = SOCKBROKER__REQUEST__OP_RECV;
	req.recv = &op;
	rawconn_send_request(fd, &req);
}

START_TEST(test_half_close_gets_every_answer_then_eof)
{
	Sockbroker__Response	*resp;
	uint8_t			*all, *f;
	size_t			 len, flen;
	uint32_t		 h;
	double			 t0;
	int			 fd, i;

	fd = rawconn_start(NULL);
	h = peer_udp(fd);
	/* A receive that parks, then a burst of lookups in one write. */
	peer_send_recv(fd, h, 5, PEER_WAIT);
	all = NULL;
	len = 0;
	for (i = 0; i < PEER_BURST; i++) {
		f = peer_gethostname_frame(100 + i, &flen);
		all = realloc(all, len + flen);
		ck_assert_ptr_nonnull(all);
		memcpy(all + len, f, flen);
		len += flen;
		free(f);
	}
	rawconn_send(fd, all, len);
	free(all);
	t0 = fixture_now();
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	for (i = 0; i < PEER_BURST; i++)
		peer_expect_name(fd, 100 + i);
	/* The parked receive's answer comes when it times out, then EOF. */
	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, 5);
	ck_assert_ptr_nonnull(resp->error);
	ck_assert_int_eq(resp->error->errnum, EAGAIN);
	sockbroker__response__free_unpacked(resp, NULL);
	ck_assert(fixture_now() - t0 >= PEER_WAIT - 0.05);
	ck_assert(rawconn_is_closed(fd));
	close(fd);
}
END_TEST

START_TEST(test_close_with_a_request_parked_drops_the_client)
{
	int	 fd, base;

	base = fixture_fd_baseline();
	fd = rawconn_start(NULL);
	peer_send_recv(fd, peer_udp(fd), 5, 3600);
	ck_assert_int_ge(fixture_fd_count(), base + 2);	/* client, UDP */
	close(fd);
	/* Lost at once, not at the next look (PEER_HUP_MS) or never. */
	ck_assert_msg(fixture_fd_wait(base) <= base,
	    "the daemon kept a closed client with a receive parked");
}
END_TEST

/* The peer suite. */
Suite *
e2e_peer_suite(void)
{
	TCase	*tc = fixture_tcase("pieces");
	Suite	*s;

	tcase_add_test(tc, test_two_frames_split_at_every_byte_are_answered);
	tcase_add_test(tc, test_frame_sent_byte_by_byte_is_answered);
	tcase_add_test(tc, test_frame_larger_than_a_read_is_answered);
	tcase_add_test(tc,
	    test_frame_header_over_the_maximum_closes_before_the_body);
	tcase_add_test(tc, test_half_close_gets_every_answer_then_eof);
	tcase_add_test(tc, test_close_with_a_request_parked_drops_the_client);
	s = suite_create("e2e_peer");
	suite_add_tcase(s, tc);
	return (s);
}
