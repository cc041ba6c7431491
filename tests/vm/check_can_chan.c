/* SPDX-License-Identifier: ISC */
/*
 * CAN through data channels (sb_fileno), on vcan0 and vcan1 of a real
 * kernel: a one-thread gateway forwarding vcan0 to vcan1 with poll() over
 * two CAN_RAW channels (ids, data and order intact), the broadcast manager
 * through a channel (RX_SETUP and TX_SEND sent on it, RX_CHANGED polled
 * readable), and the policy's can-id ranges (tests/vm/can-proto.conf) on
 * channel sends (EACCES, nothing on the bus) and receives (a frame outside
 * the ranges never reaches the channel). And a TCP stream through a
 * channel on the guest's loopback, so that the spliced stream path runs
 * on this (Debian 12's) kernel too: 4 MiB each way, checksummed, with
 * sb_shutdown's half-close and EOF.
 */

#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/bcm.h>
#include <linux/can/raw.h>

#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define CC_FRAMES	120	/* through the gateway */
#define CC_BURST	12	/* injected at a time */
#define CC_STREAM	(4 * 1024 * 1024)	/* bytes each way on TCP */

/* A broadcast manager message with one classic frame. */
struct cc_bcm {
	struct bcm_msg_head	 head;
	struct can_frame	 frame;
};

static int	 cc_chan(sb_conn *, int);
static canid_t	 cc_id(int);
static int	 cc_forward(sb_conn *, int, int, int);
static int	 cc_bcm_open(sb_conn *);
static uint32_t	 cc_sum(const uint8_t *, size_t, uint32_t);
static void	*cc_tcp_peer(void *);

/* The direct end of the TCP test: what it read, and its checksum. */
struct cc_tcp {
	int		 fd;
	size_t		 got;
	uint32_t	 sum;
};

/* Handle h's channel, with the handle's timeout set to 0. */
static int
cc_chan(sb_conn *c, int h)
{
	int	 fd;

	fd = sb_fileno(c, h);
	ck_assert_msg(fd >= 0, "sb_fileno: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	return (fd);
}

/* The id of the gateway's frame i: standard and extended in turn. */
static canid_t
cc_id(int i)
{
	return (i % 2 ? (canid_t)(0x1234500 + i) | CAN_EFF_FLAG :
	    (canid_t)(0x100 + i));
}

/*
 * The gateway: forwards what handle in (vcan0) receives to handle out
 * (vcan1), one thread, poll() over both channels, until want frames went
 * (or 10 s passed); out must never be readable. Returns how many went.
 */
static int
cc_forward(sb_conn *c, int in, int out, int want)
{
	struct pollfd		 p[2];
	struct can_frame	 f;
	double			 end = fixture_now() + 10;
	ssize_t			 n;
	int			 done = 0;

	p[0].fd = sb_fileno(c, in);
	p[0].events = POLLIN;
	p[1].fd = sb_fileno(c, out);
	p[1].events = POLLIN;
	while (done < want && fixture_now() < end) {
		ck_assert_int_ge(poll(p, 2, 1000), 0);
		ck_assert_msg(p[1].revents == 0, "vcan1's channel: %#x",
		    p[1].revents);
		if (!(p[0].revents & POLLIN))
			continue;
		while ((n = sb_recv(c, in, &f, sizeof f, 0)) == CAN_MTU) {
			ck_assert_msg(sb_send(c, out, &f, sizeof f, 0) ==
			    CAN_MTU, "sb_send: %s", strerror(errno));
			done++;
		}
		ck_assert_msg(n == -1 && errno == EAGAIN, "sb_recv: %zd %s", n,
		    strerror(errno));
	}
	return (done);
}

/*
 * Frames injected on vcan0 by a socket of the test's own come out on
 * vcan1, read by another, through a one-thread poll() gateway of two
 * channel handles: every id and every byte as sent, in order.
 */
START_TEST(test_gateway_vcan0_to_vcan1)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	char			 data[8];
	int			 in, out, d0, d1, i, j, done = 0;

	in = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	out = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan1");
	cc_chan(c, in);
	cc_chan(c, out);
	d0 = vm_direct_raw("vcan0", 0);
	d1 = vm_direct_raw("vcan1", 0);
	for (i = 0; i < CC_FRAMES; i += CC_BURST) {
		for (j = i; j < i + CC_BURST; j++) {
			snprintf(data, sizeof data, "f%06d", j);
			vm_direct_send(d0, cc_id(j), data, 1 + j % 8);
		}
		done += cc_forward(c, in, out, i + CC_BURST - done);
		ck_assert_int_eq(done, i + CC_BURST);
		for (j = i; j < i + CC_BURST; j++) {
			ck_assert_msg(vm_direct_recv(d1, &f, 2000) == CAN_MTU,
			    "frame %d not on vcan1", j);
			snprintf(data, sizeof data, "f%06d", j);
			ck_assert_uint_eq(f.can_id, cc_id(j));
			ck_assert_int_eq(f.len, 1 + j % 8);
			ck_assert_mem_eq(f.data, data, f.len);
		}
	}
	ck_assert_int_eq(vm_direct_recv(d1, &f, 300), 0);
	close(d0);
	close(d1);
	sb_close_conn(c);
}
END_TEST

/* A broker BCM socket connected to vcan0, with its channel. */
static int
cc_bcm_open(sb_conn *c)
{
	struct sockaddr_can	 a;
	socklen_t		 len = vm_can_addr(&a, "vcan0");
	int			 h;

	ck_assert_int_gt(h = sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_BCM), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&a, len), 0);
	cc_chan(c, h);
	return (h);
}

/*
 * The broadcast manager through a channel: RX_SETUP sent on it, the
 * frame's RX_CHANGED polls readable; a TX_SEND sent on it is on the bus.
 */
START_TEST(test_bcm_through_channel)
{
	sb_conn			*c = fixture_open();
	struct cc_bcm		 rx = { .head = { .opcode = RX_SETUP,
	    .flags = RX_FILTER_ID, .can_id = 0x321 } };
	struct cc_bcm		 tx = { .head = { .opcode = TX_SEND,
	    .can_id = 0x654, .nframes = 1 }, .frame = { .can_id = 0x654,
	    .len = 3, .data = "bcm" } };
	struct cc_bcm		 m;
	struct canfd_frame	 f;
	int			 h, fd, d;

	d = vm_direct_raw("vcan0", 0);
	h = cc_bcm_open(c);
	fd = sb_fileno(c, h);
	ck_assert_int_eq(sb_send(c, h, &rx, sizeof rx.head, 0),
	    (ssize_t)sizeof rx.head);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 300), 0);
	vm_direct_send(d, 0x321, "\x01\x02", 2);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 5000), POLLIN);
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(sb_recv(c, h, &m, sizeof m, 0), (ssize_t)sizeof m);
	ck_assert_uint_eq(m.head.opcode, RX_CHANGED);
	ck_assert_uint_eq(m.frame.can_id, 0x321);
	ck_assert_mem_eq(m.frame.data, "\x01\x02", 2);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 0), 0);

	ck_assert_int_eq(sb_send(c, h, &tx, sizeof tx, 0), (ssize_t)sizeof tx);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x654);
	ck_assert_mem_eq(f.data, "bcm", 3);
	close(d);
	sb_close_conn(c);
}
END_TEST

static void
cc_policy(void)
{
	vm_use_policy("can-proto.conf");
}

/* Adler-32 of len bytes, from sum (1 to start). */
static uint32_t
cc_sum(const uint8_t *p, size_t len, uint32_t sum)
{
	uint32_t	 a = sum & 0xffff, b = sum >> 16;

	while (len-- > 0) {
		a = (a + *p++) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16 | a);
}

/*
 * The direct end: writes CC_STREAM pattern bytes and shuts its side,
 * then reads to EOF (what the broker's handle sent).
 */
static void *
cc_tcp_peer(void *arg)
{
	struct cc_tcp	*t = arg;
	static uint8_t	 buf[65536];
	size_t		 i, off;
	ssize_t		 n;

	for (off = 0; off < CC_STREAM; off += sizeof buf) {
		for (i = 0; i < sizeof buf; i++)
			buf[i] = (uint8_t)((off + i) * 13 + (off + i) / 4099);
		for (i = 0; i < sizeof buf; i += (size_t)n)
			if ((n = write(t->fd, buf + i, sizeof buf - i)) <= 0)
				return (NULL);
	}
	shutdown(t->fd, SHUT_WR);
	t->sum = 1;
	while ((n = read(t->fd, buf, sizeof buf)) > 0) {
		t->sum = cc_sum(buf, (size_t)n, t->sum);
		t->got += (size_t)n;
	}
	return (NULL);
}

/* TCP through a channel on the guest's loopback, both ways. */
START_TEST(test_tcp_stream_through_channel)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct cc_tcp		 t = { 0 };
	socklen_t		 len = sizeof sin;
	pthread_t		 th;
	sb_conn			*c = fixture_open();
	uint8_t			*buf, *want;
	size_t			 i, got = 0;
	ssize_t			 n;
	int			 l, h;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(l = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&sin, len), 0);
	ck_assert_int_eq(listen(l, 1), 0);
	ck_assert_int_eq(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 60), 0);
	ck_assert_msg(sb_connect(c, h, (struct sockaddr *)&sin, len) == 0,
	    "sb_connect: %s", strerror(errno));
	ck_assert_int_ge(t.fd = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, cc_tcp_peer, &t), 0);
	ck_assert_ptr_nonnull(buf = malloc(CC_STREAM + 65536));
	ck_assert_ptr_nonnull(want = malloc(CC_STREAM));
	for (i = 0; i < CC_STREAM; i++)
		want[i] = (uint8_t)(i * 13 + i / 4099);
	while (got <= CC_STREAM &&
	    (n = sb_recv(c, h, buf + got, 65536, 0)) > 0)
		got += (size_t)n;
	ck_assert_msg(n == 0, "sb_recv: %s", strerror(errno));
	ck_assert_uint_eq(got, CC_STREAM);
	ck_assert_int_eq(memcmp(buf, want, CC_STREAM), 0);
	ck_assert_int_eq(sb_sendall(c, h, want, CC_STREAM, 0), 0);
	ck_assert_int_eq(sb_shutdown(c, h, SHUT_WR), 0);
	pthread_join(th, NULL);
	ck_assert_uint_eq(t.got, CC_STREAM);
	ck_assert_uint_eq(t.sum, cc_sum(want, CC_STREAM, 1));
	free(buf);
	free(want);
	sb_close(c, h);
	close(t.fd);
	close(l);
	sb_close_conn(c);
}
END_TEST


/*
 * A client permitted 0x700-0x7ff, on channels: a CAN_RAW or BCM send of
 * 0x123 is EACCES (kind policy) with nothing on the bus, 0x7ab goes; of
 * the frames on the bus only those in the range reach the RAW channel,
 * which is not readable for the others.
 */
START_TEST(test_canid_policy_on_channels)
{
	sb_conn			*c = fixture_open();
	struct can_frame	 no = { .can_id = 0x123, .len = 2,
	    .data = "no" };
	struct can_frame	 ok = { .can_id = 0x7ab, .len = 2,
	    .data = "ok" };
	struct cc_bcm		 bno = { .head = { .opcode = TX_SEND,
	    .can_id = 0x123, .nframes = 1 }, .frame = no };
	struct canfd_frame	 f;
	int			 h, b, fd, d;

	d = vm_direct_raw("vcan0", 0);
	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	fd = cc_chan(c, h);
	b = cc_bcm_open(c);
	ck_assert_int_eq(sb_send(c, h, &no, sizeof no, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	ck_assert_int_eq(sb_send(c, b, &bno, sizeof bno, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);
	ck_assert_int_eq(sb_send(c, h, &ok, sizeof ok, 0), CAN_MTU);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7ab);
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);

	vm_direct_send(d, 0x123, "no", 2);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 500), 0);
	vm_direct_send(d, 0x7cd, "yes", 3);
	vm_direct_send(d, 0x123 | CAN_EFF_FLAG, "no", 2);
	vm_direct_send(d, 0x700, "yes", 3);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 2000), POLLIN);
	ck_assert_int_eq(sb_recv(c, h, &f, sizeof f, 0), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7cd);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 2000), POLLIN);
	ck_assert_int_eq(sb_recv(c, h, &f, sizeof f, 0), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x700);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 500), 0);
	close(d);
	sb_close_conn(c);
}
END_TEST

Suite *
vm_suite(void)
{
	Suite	*s = suite_create("can_chan");
	TCase	*tc;

	tc = fixture_tcase("channels");
	tcase_add_test(tc, test_gateway_vcan0_to_vcan1);
	tcase_add_test(tc, test_bcm_through_channel);
	tcase_add_test(tc, test_tcp_stream_through_channel);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("can_id_policy");
	tcase_add_unchecked_fixture(tc, cc_policy, NULL);
	tcase_add_test(tc, test_canid_policy_on_channels);
	suite_add_tcase(s, tc);
	return (s);
}
