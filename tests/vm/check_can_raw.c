/* SPDX-License-Identifier: ISC */
/*
 * CAN_RAW through the broker, on vcan0 and vcan1 of a real kernel: classic
 * and CAN FD frames both ways between a broker-owned socket and one of the
 * test's own, filters (CAN_RAW_FILTER, CAN_RAW_JOIN_FILTERS), error frames,
 * the loopback and recv_own_msgs options, kernel timestamps through
 * recvmsg, and the policy's can-id ranges on the bus.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

/* Receives one frame on broker handle h: its size (CAN_MTU, CANFD_MTU). */
static ssize_t
can_recv(sb_conn *c, int h, struct canfd_frame *f)
{
	ssize_t	 n;

	memset(f, 0, sizeof *f);
	n = sb_recv(c, h, f, sizeof *f, 0);
	ck_assert_msg(n == CAN_MTU || n == CANFD_MTU, "sb_recv: %zd (%s)", n,
	    strerror(errno));
	return (n);
}

static void
can_send(sb_conn *c, int h, canid_t id, const void *data, int len)
{
	struct can_frame	 f;

	memset(&f, 0, sizeof f);
	f.can_id = id;
	f.len = (uint8_t)len;
	memcpy(f.data, data, (size_t)len);
	ck_assert_msg(sb_send(c, h, &f, sizeof f, 0) == sizeof f,
	    "sb_send(%#x): %s", id, strerror(errno));
}

static void
can_setopt(sb_conn *c, int h, int name, const void *v, socklen_t len)
{
	ck_assert_msg(sb_setsockopt(c, h, SOL_CAN_RAW, name, v, len) == 0,
	    "sb_setsockopt(SOL_CAN_RAW, %d): %s", name, strerror(errno));
}

/* Classic frames both ways; the sender's address names the interface. */
START_TEST(test_classic)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	struct sockaddr_can	 from;
	socklen_t		 flen = sizeof from;
	int			 h, d;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	can_send(c, h, 0x123, "\x11\x22\x33", 3);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x123);
	ck_assert_int_eq(f.len, 3);
	ck_assert_mem_eq(f.data, "\x11\x22\x33", 3);

	vm_direct_send(d, 0x1abcdef0 | CAN_EFF_FLAG, "\xde\xad\xbe\xef", 4);
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(sb_recvfrom(c, h, &f, sizeof f, 0,
	    (struct sockaddr *)&from, &flen), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x1abcdef0 | CAN_EFF_FLAG);
	ck_assert_mem_eq(f.data, "\xde\xad\xbe\xef", 4);
	ck_assert_int_eq(from.can_family, AF_CAN);
	ck_assert_int_eq(from.can_ifindex, vm_ifindex("vcan0"));
	close(d);
	sb_close_conn(c);
}
END_TEST

/* Bound to every interface (ifindex 0): frames from both, told apart. */
START_TEST(test_any_interface)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	struct sockaddr_can	 from;
	socklen_t		 flen;
	int			 h, d0, d1, i;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "");
	d0 = vm_direct_raw("vcan0", 0);
	d1 = vm_direct_raw("vcan1", 0);
	vm_direct_send(d0, 0x100, "0", 1);
	vm_direct_send(d1, 0x101, "1", 1);
	for (i = 0; i < 2; i++) {
		flen = sizeof from;
		ck_assert_int_eq(sb_recvfrom(c, h, &f, sizeof f, 0,
		    (struct sockaddr *)&from, &flen), CAN_MTU);
		ck_assert_int_eq(from.can_ifindex, vm_ifindex(f.can_id == 0x100 ?
		    "vcan0" : "vcan1"));
	}
	close(d0);
	close(d1);
	sb_close_conn(c);
}
END_TEST

/* CAN FD: 64 bytes each way once CAN_RAW_FD_FRAMES is on; refused before. */
START_TEST(test_fd)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f, g;
	int			 h, d, on = 1, i;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 1);
	memset(&f, 0, sizeof f);
	f.can_id = 0x321;
	f.len = CANFD_MAX_DLEN;
	f.flags = CANFD_BRS;
	for (i = 0; i < CANFD_MAX_DLEN; i++)
		f.data[i] = (uint8_t)i;
	ck_assert_int_eq(sb_send(c, h, &f, sizeof f, 0), -1);
	ck_assert_int_eq(errno, EINVAL);

	can_setopt(c, h, CAN_RAW_FD_FRAMES, &on, sizeof on);
	ck_assert_int_eq(sb_send(c, h, &f, sizeof f, 0), CANFD_MTU);
	ck_assert_int_eq(vm_direct_recv(d, &g, 2000), CANFD_MTU);
	ck_assert_uint_eq(g.can_id, 0x321);
	ck_assert_int_eq(g.len, CANFD_MAX_DLEN);
	ck_assert(g.flags & CANFD_BRS);
	ck_assert_mem_eq(g.data, f.data, CANFD_MAX_DLEN);

	f.can_id = 0x322;
	f.data[63] = 0xee;
	ck_assert_int_eq(write(d, &f, sizeof f), CANFD_MTU);
	ck_assert_int_eq(can_recv(c, h, &g), CANFD_MTU);
	ck_assert_uint_eq(g.can_id, 0x322);
	ck_assert_mem_eq(g.data, f.data, CANFD_MAX_DLEN);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* CAN_RAW_FILTER: only matching ids; CAN_RAW_JOIN_FILTERS: all must match. */
START_TEST(test_filters)
{
	sb_conn			*c = fixture_open();
	struct can_filter	 one[] = { { 0x100, 0x7f0 } };
	struct can_filter	 two[] = { { 0x100, 0x700 }, { 0x020, 0x0f0 } };
	struct canfd_frame	 f;
	int			 h, d, on = 1;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	can_setopt(c, h, CAN_RAW_FILTER, one, sizeof one);
	vm_direct_send(d, 0x200, "a", 1);
	vm_direct_send(d, 0x105, "b", 1);
	vm_direct_send(d, 0x10a, "c", 1);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x105);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x10a);
	ck_assert(vm_quiet(c, h, 300));

	/* Without JOIN either filter passes a frame (0x105 and 0x123). */
	can_setopt(c, h, CAN_RAW_FILTER, two, sizeof two);
	vm_direct_send(d, 0x105, "d", 1);
	vm_direct_send(d, 0x123, "e", 1);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x105);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x123);
	can_setopt(c, h, CAN_RAW_JOIN_FILTERS, &on, sizeof on);
	vm_direct_send(d, 0x105, "f", 1);
	vm_direct_send(d, 0x223, "g", 1);
	vm_direct_send(d, 0x123, "h", 1);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x123);
	ck_assert_int_eq(f.data[0], 'h');
	ck_assert(vm_quiet(c, h, 300));
	close(d);
	sb_close_conn(c);
}
END_TEST

/* Error frames reach a socket with CAN_RAW_ERR_FILTER, and only it. */
START_TEST(test_error_frames)
{
	sb_conn			*c = fixture_open();
	can_err_mask_t		 mask = CAN_ERR_MASK;
	struct canfd_frame	 f;
	int			 h, plain, d;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	plain = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	can_setopt(c, h, CAN_RAW_ERR_FILTER, &mask, sizeof mask);
	vm_direct_send(d, CAN_ERR_FLAG | CAN_ERR_BUSOFF, "", 0);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, CAN_ERR_FLAG | CAN_ERR_BUSOFF);
	ck_assert(vm_quiet(c, plain, 300));
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * recv_own_msgs: the sender hears its own frame, marked MSG_CONFIRM;
 * loopback off: other sockets on this host do not.
 */
START_TEST(test_loopback_own)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	struct iovec		 iov = { &f, sizeof f };
	struct msghdr		 m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int			 h, d, on = 1, off = 0;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	can_setopt(c, h, CAN_RAW_RECV_OWN_MSGS, &on, sizeof on);
	can_send(c, h, 0x42, "own", 3);
	ck_assert_int_eq(sb_recvmsg(c, h, &m, 0), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x42);
	ck_assert_msg(m.msg_flags & MSG_CONFIRM, "msg_flags %#x",
	    m.msg_flags);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x42);

	can_setopt(c, h, CAN_RAW_LOOPBACK, &off, sizeof off);
	can_send(c, h, 0x43, "not", 3);
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);
	ck_assert(vm_quiet(c, h, 300));
	close(d);
	sb_close_conn(c);
}
END_TEST

/* SO_TIMESTAMP: the kernel's receive time in a SCM_TIMESTAMP message. */
START_TEST(test_timestamp)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	struct iovec		 iov = { &f, sizeof f };
	union {
		char		 buf[CMSG_SPACE(sizeof(struct timeval))];
		struct cmsghdr	 align;
	}			 cbuf;
	struct msghdr		 m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf.buf, .msg_controllen = sizeof cbuf.buf };
	struct cmsghdr		*cm;
	struct timeval		 before, after, tv;
	int			 h, d, on = 1;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_TIMESTAMP, &on,
	    sizeof on), 0);
	gettimeofday(&before, NULL);
	vm_direct_send(d, 0x7ff, "t", 1);
	ck_assert_int_eq(sb_recvmsg(c, h, &m, 0), CAN_MTU);
	gettimeofday(&after, NULL);
	cm = CMSG_FIRSTHDR(&m);
	ck_assert_ptr_nonnull(cm);
	ck_assert_int_eq(cm->cmsg_level, SOL_SOCKET);
	ck_assert_int_eq(cm->cmsg_type, SCM_TIMESTAMP);
	memcpy(&tv, CMSG_DATA(cm), sizeof tv);
	ck_assert(!timercmp(&tv, &before, <));
	ck_assert(!timercmp(&tv, &after, >));
	close(d);
	sb_close_conn(c);
}
END_TEST

static void
can_id_policy(void)
{
	vm_use_policy("can-id.conf");
}

/*
 * A client permitted 0x700-0x7ff: it cannot send 0x123 (EACCES, nothing on
 * the bus) and never receives it, by recv or recvmsg, while the frames in
 * its range pass both ways.
 */
START_TEST(test_canid_policy)
{
	sb_conn			*c = fixture_open();
	struct canfd_frame	 f;
	struct iovec		 iov = { &f, sizeof f };
	struct msghdr		 m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int			 h, d;

	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	d = vm_direct_raw("vcan0", 0);
	f.can_id = 0x123;
	f.len = 1;
	ck_assert_int_eq(sb_send(c, h, &f, CAN_MTU, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	can_send(c, h, 0x7ab, "ok", 2);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7ab);	/* and 0x123 never came */
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);

	vm_direct_send(d, 0x123, "no", 2);
	vm_direct_send(d, 0x7cd, "yes", 3);
	vm_direct_send(d, 0x123 | CAN_EFF_FLAG, "no", 2);
	vm_direct_send(d, 0x123, "no", 2);
	vm_direct_send(d, 0x700, "yes", 3);
	can_recv(c, h, &f);
	ck_assert_uint_eq(f.can_id, 0x7cd);
	ck_assert_int_eq(sb_recvmsg(c, h, &m, 0), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x700);
	ck_assert(vm_quiet(c, h, 300));
	close(d);
	sb_close_conn(c);
}
END_TEST

Suite *
vm_suite(void)
{
	Suite	*s = suite_create("can_raw");
	TCase	*tc;

	tc = fixture_tcase("frames");
	tcase_add_test(tc, test_classic);
	tcase_add_test(tc, test_any_interface);
	tcase_add_test(tc, test_fd);
	tcase_add_test(tc, test_filters);
	tcase_add_test(tc, test_error_frames);
	tcase_add_test(tc, test_loopback_own);
	tcase_add_test(tc, test_timestamp);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("can_id_policy");
	tcase_add_unchecked_fixture(tc, can_id_policy, NULL);
	tcase_add_test(tc, test_canid_policy);
	suite_add_tcase(s, tc);
	return (s);
}
