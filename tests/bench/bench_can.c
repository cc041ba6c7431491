/* SPDX-License-Identifier: ISC */
/*
 * The VM's benchmark (tests/vm/run.sh with SB_VM_TESTS=bench, make
 * bench-vm): CAN RAW classic frames on vcan0, received from and sent to a
 * direct socket of a traffic process, directly and through the broker, side
 * by side; see bench.h for the method. A TCG guest is several times slower
 * than the host: the ratios matter, not the figures.
 */

#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vm/vm.h"

#define BENCH_CAN_IF	"vcan0"
#define BENCH_RCVBUF	(1024 * 1024)

static struct can_frame	bench_can_frame = { .can_id = 0x123, .len = 8,
    .data = { 1, 2, 3, 4, 5, 6, 7, 8 } };

static const enum bench_how bench_can_all[] = { BENCH_DIRECT,
	BENCH_DIRECT_MMSG, BENCH_REQUEST, BENCH_CHANNEL, BENCH_CHANNEL_MMSG };

static int	 bench_can_direct(void *);
static int	 bench_can_handle(sb_conn *, void *);
static int	 bench_can_peer(void *);

/* A CAN_RAW socket of our own on vcan0, with a big receive buffer. */
static int
bench_can_direct(void *arg)
{
	int	s, size = BENCH_RCVBUF;

	(void)arg;
	s = vm_direct_raw(BENCH_CAN_IF, 0);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return (s);
}

/* The same as a broker handle. */
static int
bench_can_handle(sb_conn *c, void *arg)
{
	int	h, size = BENCH_RCVBUF;

	(void)arg;
	h = vm_can_open(c, SOCK_RAW, CAN_RAW, BENCH_CAN_IF);
	ck_assert_int_eq(sb_settimeout(c, h, 30), 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_RCVBUF, &size,
	    sizeof size), 0);
	return (h);
}

/* The traffic process's socket: sends or drains frames on vcan0. */
static int
bench_can_peer(void *arg)
{
	return (bench_can_direct(arg));
}

/* can_recv: classic frames from a sender process on vcan0. */
START_TEST(test_can_recv)
{
	struct bench_case	 bc = { NULL, sizeof bench_can_frame, 0,
	    &bench_can_frame, BENCH_BLAST, bench_can_direct,
	    bench_can_handle, bench_can_peer, NULL };
	sb_conn			*c;
	struct bench_rate	 r[5];

	bench_pin_work();
	c = fixture_open();
	bench_table(c, "can raw receive, classic frames (vm)", "frames/s", 1,
	    &bc, 0, bench_can_all, 5, r);
	sb_close_conn(c);
}
END_TEST

/* can_send: classic frames to a draining process on vcan0. */
START_TEST(test_can_send)
{
	struct bench_case	 bc = { NULL, sizeof bench_can_frame, 0,
	    &bench_can_frame, BENCH_DRAIN, bench_can_direct,
	    bench_can_handle, bench_can_peer, NULL };
	sb_conn			*c;
	struct bench_rate	 r[5];

	bench_pin_work();
	c = fixture_open();
	bench_table(c, "can raw send, classic frames (vm)", "frames/s", 1, &bc,
	    1, bench_can_all, 5, r);
	sb_close_conn(c);
}
END_TEST

/* The suite of this program: one TCase per table. */
Suite *
vm_suite(void)
{
	Suite	*s = suite_create("bench_can");
	TCase	*tc;

	tc = fixture_tcase("can_recv");
	tcase_set_timeout(tc, 60 + 20 * bench_seconds());
	tcase_add_test(tc, test_can_recv);
	suite_add_tcase(s, tc);
	tc = fixture_tcase("can_send");
	tcase_set_timeout(tc, 60 + 20 * bench_seconds());
	tcase_add_test(tc, test_can_send);
	suite_add_tcase(s, tc);
	return (s);
}
