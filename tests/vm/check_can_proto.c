/* SPDX-License-Identifier: ISC */
/*
 * The CAN protocols above CAN_RAW through the broker, on vcan0 of a real
 * kernel: the broadcast manager (CAN_BCM: a cyclic TX_SETUP seen on the
 * bus and stopped by TX_DELETE, an RX_SETUP content filter, RX_TIMEOUT),
 * ISO-TP (a segmented transfer between two broker sockets) and SAE J1939
 * (address claim and PGN transfers, with and without the transport
 * protocol), each with addresses converted both ways; and the policy's
 * can-id ranges applied to all three (tests/vm/can-proto.conf).
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <linux/can.h>
#include <linux/can/bcm.h>
#include <linux/can/isotp.h>
#include <linux/can/j1939.h>
#include <linux/sockios.h>

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

/* A broadcast manager message with room for one classic frame. */
struct bcm_one {
	struct bcm_msg_head	 head;
	struct can_frame	 frame;
};

#define BCM_HEAD	((ssize_t)sizeof(struct bcm_msg_head))
#define BCM_ONE		((ssize_t)sizeof(struct bcm_one))

/* The NAMEs of the two J1939 ECUs (arbitrary, distinct). */
#define J1939_NAME_A	0x00a0000000001111ULL
#define J1939_NAME_B	0x00b0000000002222ULL

static void	j1939_recv_if(sb_conn *, int, void *, size_t, uint64_t,
		    uint32_t, uint8_t, int);

/* A BCM message: opcode, flags, can_id; one frame when len >= 0. */
static ssize_t
bcm_msg(struct bcm_one *m, uint32_t opcode, uint32_t flags, canid_t id,
    const void *data, int len)
{
	memset(m, 0, sizeof *m);
	m->head.opcode = opcode;
	m->head.flags = flags;
	m->head.can_id = id;
	if (len < 0)
		return (BCM_HEAD);
	m->head.nframes = 1;
	m->frame.can_id = id;
	m->frame.len = (uint8_t)len;
	memcpy(m->frame.data, data, (size_t)len);
	return (BCM_ONE);
}

/* A broker BCM socket connected to vcan0. */
static int
bcm_open(sb_conn *c)
{
	struct sockaddr_can	 a;
	socklen_t		 len = vm_can_addr(&a, "vcan0");
	int			 h;

	h = sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_BCM);
	ck_assert_msg(h >= 0, "sb_socket(CAN_BCM): %s", strerror(errno));
	ck_assert_msg(sb_connect(c, h, (struct sockaddr *)&a, len) == 0,
	    "sb_connect(vcan0): %s", strerror(errno));
	return (h);
}

/* Sends BCM message m of len bytes on h; the kernel takes all of it. */
static void
bcm_send(sb_conn *c, int h, const struct bcm_one *m, ssize_t len)
{
	ck_assert_msg(sb_send(c, h, m, (size_t)len, 0) == len,
	    "sb_send(BCM opcode %u, %#x): %s", m->head.opcode,
	    m->head.can_id, strerror(errno));
}

/* Receives a BCM message on h within 5 s; its length. */
static ssize_t
bcm_recv(sb_conn *c, int h, struct bcm_one *m)
{
	ssize_t	 n;

	memset(m, 0, sizeof *m);
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	n = sb_recv(c, h, m, sizeof *m, 0);
	ck_assert_msg(n >= BCM_HEAD, "sb_recv(BCM): %zd (%s)", n,
	    strerror(errno));
	return (n);
}

/* Monotonic milliseconds. */
static double
now_ms(void)
{
	return (fixture_now() * 1000.0);
}

/*
 * When the kernel took in the frame last read from fd, in milliseconds
 * (SIOCGSTAMP): unlike the time it was read, it does not bunch up when the
 * reader is scheduled late on a loaded emulated CPU.
 */
static double
stamp_ms(int fd)
{
	struct timeval	 tv;

	ck_assert_msg(ioctl(fd, SIOCGSTAMP, &tv) == 0, "SIOCGSTAMP: %s",
	    strerror(errno));
	return (tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0);
}

/*
 * The Python documentation's cyclic send: TX_SETUP with SETTIMER and
 * STARTTIMER, count 0, ival2 50 ms, one frame. The bus carries that frame
 * again and again at about the interval until TX_DELETE stops it.
 */
START_TEST(test_bcm_tx_cyclic)
{
	sb_conn			*c = fixture_open();
	struct bcm_one		 m;
	struct canfd_frame	 f;
	double			 t[6], per, end;
	int			 h, d, i, after;

	d = vm_direct_raw("vcan0", 0);
	h = bcm_open(c);
	bcm_msg(&m, TX_SETUP, SETTIMER | STARTTIMER, 0x123, "\x12\x34\x56", 3);
	m.head.ival2.tv_usec = 50000;
	bcm_send(c, h, &m, BCM_ONE);
	for (i = 0; i < 6; i++) {
		ck_assert_msg(vm_direct_recv(d, &f, 2000) == CAN_MTU,
		    "cyclic frame %d did not come", i);
		t[i] = stamp_ms(d);
		ck_assert_uint_eq(f.can_id, 0x123);
		ck_assert_int_eq(f.len, 3);
		ck_assert_mem_eq(f.data, "\x12\x34\x56", 3);
	}
	/* Five periods after the first (announced) frame; TCG is slow. */
	per = (t[5] - t[1]) / 4;
	ck_assert_msg(per >= 25 && per <= 400, "period %.1f ms, want ~50",
	    per);

	bcm_msg(&m, TX_DELETE, 0, 0x123, NULL, -1);
	bcm_send(c, h, &m, BCM_HEAD);
	/* At most one frame was already on its way; then 500 ms silence. */
	end = now_ms() + 500;
	for (after = 0; now_ms() < end && after < 100; after++) {
		if (vm_direct_recv(d, &f, (int)(end - now_ms()) + 1) == 0)
			break;
		ck_assert_uint_eq(f.can_id, 0x123);
	}
	ck_assert_msg(after <= 1, "%d frames after TX_DELETE", after);
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * RX_SETUP with a content filter (a mask frame: the first byte only): the
 * first frame is announced, the same masked content again is not, a change
 * is. RX_CHANGED carries the frame as received.
 */
START_TEST(test_bcm_rx_content_filter)
{
	sb_conn			*c = fixture_open();
	struct bcm_one		 m;
	int			 h, d;

	d = vm_direct_raw("vcan0", 0);
	h = bcm_open(c);
	bcm_msg(&m, RX_SETUP, 0, 0x321, "\xff\x00", 2);
	bcm_send(c, h, &m, BCM_ONE);

	vm_direct_send(d, 0x321, "\x01\xaa", 2);
	ck_assert_int_eq(bcm_recv(c, h, &m), BCM_ONE);
	ck_assert_uint_eq(m.head.opcode, RX_CHANGED);
	ck_assert_uint_eq(m.head.can_id, 0x321);
	ck_assert_uint_eq(m.head.nframes, 1);
	ck_assert_uint_eq(m.frame.can_id, 0x321);
	ck_assert_mem_eq(m.frame.data, "\x01\xaa", 2);

	vm_direct_send(d, 0x321, "\x01\xbb", 2);	/* masked: the same */
	vm_direct_send(d, 0x322, "\x05\x05", 2);	/* another id */
	vm_direct_send(d, 0x321, "\x02\xbb", 2);	/* changed */
	ck_assert_int_eq(bcm_recv(c, h, &m), BCM_ONE);
	ck_assert_uint_eq(m.head.opcode, RX_CHANGED);
	ck_assert_uint_eq(m.frame.can_id, 0x321);
	ck_assert_mem_eq(m.frame.data, "\x02\xbb", 2);
	ck_assert(vm_quiet(c, h, 400));
	close(d);
	sb_close_conn(c);
}
END_TEST

/* RX_SETUP with a timer: no frame within ival1 is RX_TIMEOUT. */
START_TEST(test_bcm_rx_timeout)
{
	sb_conn		*c = fixture_open();
	struct bcm_one	 m;
	double		 start;
	int		 h;

	h = bcm_open(c);
	bcm_msg(&m, RX_SETUP, RX_FILTER_ID | SETTIMER | STARTTIMER, 0x456,
	    NULL, -1);
	m.head.ival1.tv_usec = 200000;
	start = now_ms();
	bcm_send(c, h, &m, BCM_HEAD);
	ck_assert_int_eq(bcm_recv(c, h, &m), BCM_HEAD);
	ck_assert_uint_eq(m.head.opcode, RX_TIMEOUT);
	ck_assert_uint_eq(m.head.can_id, 0x456);
	ck_assert_msg(now_ms() - start >= 150, "RX_TIMEOUT after %.0f ms",
	    now_ms() - start);
	sb_close_conn(c);
}
END_TEST

/* An ISO-TP address on vcan0 with the given ids. */
static socklen_t
isotp_addr(struct sockaddr_can *a, canid_t tx, canid_t rx)
{
	socklen_t	 len = vm_can_addr(a, "vcan0");

	a->can_addr.tp.tx_id = tx;
	a->can_addr.tp.rx_id = rx;
	return (len);
}

/* A broker ISO-TP socket bound on vcan0 with tx and rx. */
static int
isotp_open(sb_conn *c, canid_t tx, canid_t rx)
{
	struct sockaddr_can	 a, got;
	socklen_t		 len = isotp_addr(&a, tx, rx), glen = sizeof got;
	int			 h;

	h = sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_ISOTP);
	ck_assert_msg(h >= 0, "sb_socket(CAN_ISOTP): %s", strerror(errno));
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&a, len) == 0,
	    "sb_bind(isotp %#x/%#x): %s", tx, rx, strerror(errno));
	/* The ids went to the kernel and come back from it. */
	memset(&got, 0, sizeof got);
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&got, &glen),
	    0);
	ck_assert_int_eq(got.can_family, AF_CAN);
	ck_assert_int_eq(got.can_ifindex, vm_ifindex("vcan0"));
	ck_assert_uint_eq(got.can_addr.tp.tx_id, tx);
	ck_assert_uint_eq(got.can_addr.tp.rx_id, rx);
	return (h);
}

/*
 * 300 bytes from one broker ISO-TP socket to another with swapped ids:
 * more than a frame holds, so the kernel segments (first frame, flow
 * control from the receiver, consecutive frames), seen on the bus by a
 * raw socket of the test's own.
 */
START_TEST(test_isotp_segmented)
{
	sb_conn			*c = fixture_open();
	uint8_t			 out[300], in[4096];
	struct canfd_frame	 f;
	int			 a, b, d, i, ff = 0, fc = 0, cf = 0;

	for (i = 0; i < (int)sizeof out; i++)
		out[i] = (uint8_t)(i * 7 + 1);
	d = vm_direct_raw("vcan0", 0);
	a = isotp_open(c, 0x7e0, 0x7e8);
	b = isotp_open(c, 0x7e8, 0x7e0);
	ck_assert_int_eq(sb_send(c, a, out, sizeof out, 0), sizeof out);
	ck_assert_int_eq(sb_settimeout(c, b, 10), 0);
	ck_assert_int_eq(sb_recv(c, b, in, sizeof in, 0), sizeof out);
	ck_assert_mem_eq(in, out, sizeof out);

	while (vm_direct_recv(d, &f, 300) != 0) {
		if (f.can_id == 0x7e0 && (f.data[0] & 0xf0) == 0x10)
			ff++;
		else if (f.can_id == 0x7e8 && (f.data[0] & 0xf0) == 0x30)
			fc++;
		else if (f.can_id == 0x7e0 && (f.data[0] & 0xf0) == 0x20)
			cf++;
	}
	ck_assert_int_eq(ff, 1);
	ck_assert_int_ge(fc, 1);
	/* 6 bytes in the first frame, 7 in each consecutive one. */
	ck_assert_int_eq(cf, (300 - 6 + 6) / 7);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* A J1939 address on vcan0 (ifname "" for none). */
static socklen_t
j1939_addr(struct sockaddr_can *a, const char *ifname, uint64_t name,
    uint32_t pgn, uint8_t addr)
{
	socklen_t	 len = vm_can_addr(a, ifname);

	a->can_addr.j1939.name = name;
	a->can_addr.j1939.pgn = pgn;
	a->can_addr.j1939.addr = addr;
	return (len);
}

/* A broker J1939 socket bound to name and addr on vcan0, broadcasts on. */
static int
j1939_open(sb_conn *c, uint64_t name, uint8_t addr)
{
	struct sockaddr_can	 a, got;
	socklen_t		 len, glen = sizeof got;
	int			 h, on = 1;

	len = j1939_addr(&a, "vcan0", name, J1939_NO_PGN, addr);
	h = sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_J1939);
	ck_assert_msg(h >= 0, "sb_socket(CAN_J1939): %s", strerror(errno));
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&a, len) == 0,
	    "sb_bind(j1939 %#x): %s", addr, strerror(errno));
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_BROADCAST, &on,
	    sizeof on), 0);
	memset(&got, 0, sizeof got);
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&got, &glen),
	    0);
	ck_assert_int_eq(got.can_ifindex, vm_ifindex("vcan0"));
	ck_assert_uint_eq(got.can_addr.j1939.name, name);
	ck_assert_uint_eq(got.can_addr.j1939.addr, addr);
	ck_assert_uint_eq(got.can_addr.j1939.pgn, J1939_NO_PGN);
	return (h);
}

/* Sends the address claim of name (PGN 0x0ee00 to everyone) from h. */
static void
j1939_claim(sb_conn *c, int h, uint64_t name)
{
	struct sockaddr_can	 a;
	socklen_t		 len;
	uint64_t		 data = htole64(name);

	len = j1939_addr(&a, "", J1939_NO_NAME, J1939_PGN_ADDRESS_CLAIMED,
	    J1939_NO_ADDR);
	ck_assert_msg(sb_sendto(c, h, &data, sizeof data, 0,
	    (struct sockaddr *)&a, len) == sizeof data, "claim: %s",
	    strerror(errno));
}

/*
 * A J1939 socket of the test's own (root in the guest, not through the
 * broker) bound to addr on vcan0 with no NAME: a second receiver beside a
 * broker socket, to see what the kernel itself reports.
 */
static int
j1939_direct(uint8_t addr)
{
	struct sockaddr_can	 a;
	socklen_t		 len;
	int			 s;

	len = j1939_addr(&a, "vcan0", J1939_NO_NAME, J1939_NO_PGN, addr);
	s = socket(AF_CAN, SOCK_DGRAM, CAN_J1939);
	ck_assert_msg(s >= 0, "socket(CAN_J1939): %s", strerror(errno));
	ck_assert_msg(bind(s, (struct sockaddr *)&a, len) == 0,
	    "bind(j1939 %#x): %s", addr, strerror(errno));
	return (s);
}

/*
 * Receives len bytes on direct socket s within 10 s; the sender's
 * interface index as the kernel reports it.
 */
static int
j1939_direct_recv(int s, void *buf, size_t len)
{
	struct sockaddr_can	 from;
	socklen_t		 flen = sizeof from;
	struct pollfd		 p = { .fd = s, .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(recvfrom(s, buf, len, 0, (struct sockaddr *)&from,
	    &flen), len);
	return (from.can_ifindex);
}

/*
 * Receives len bytes on h within 10 s: the sender's address must be addr
 * with name, and the PGN pgn, on vcan0 (or ifindex 0 when nonzero is 0).
 */
static void
j1939_recv(sb_conn *c, int h, void *buf, size_t len, uint64_t name,
    uint32_t pgn, uint8_t addr)
{
	j1939_recv_if(c, h, buf, len, name, pgn, addr, vm_ifindex("vcan0"));
}

static void
j1939_recv_if(sb_conn *c, int h, void *buf, size_t len, uint64_t name,
    uint32_t pgn, uint8_t addr, int ifindex)
{
	struct sockaddr_can	 from;
	socklen_t		 flen = sizeof from;
	uint8_t			 tmp[2048];

	ck_assert_uint_le(len, sizeof tmp);
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_settimeout(c, h, 10), 0);
	ck_assert_int_eq(sb_recvfrom(c, h, tmp, sizeof tmp, 0,
	    (struct sockaddr *)&from, &flen), len);
	memcpy(buf, tmp, len);
	ck_assert_int_eq(from.can_family, AF_CAN);
	ck_assert_int_eq(from.can_ifindex, ifindex);
	ck_assert_uint_eq(from.can_addr.j1939.pgn, pgn);
	ck_assert_uint_eq(from.can_addr.j1939.addr, addr);
	ck_assert_uint_eq(from.can_addr.j1939.name, name);
}

/*
 * Two ECUs claim 0x20 and 0x30 by NAME: each claim is a broadcast of PGN
 * 0x0ee00 with the NAME in little-endian, on the bus as 0x18eeff<SA> and
 * at the other ECU with its source address.
 */
static void
j1939_claim_both(sb_conn *c, int a, int b, int d)
{
	struct canfd_frame	 f;
	uint64_t		 data;

	j1939_claim(c, a, J1939_NAME_A);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, CAN_EFF_FLAG | 0x18eeff20);
	ck_assert_int_eq(f.len, 8);
	data = htole64(J1939_NAME_A);
	ck_assert_mem_eq(f.data, &data, 8);
	j1939_claim(c, b, J1939_NAME_B);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, CAN_EFF_FLAG | 0x18eeff30);

	j1939_recv(c, b, &data, sizeof data, J1939_NAME_A,
	    J1939_PGN_ADDRESS_CLAIMED, 0x20);
	ck_assert_uint_eq(le64toh(data), J1939_NAME_A);
	j1939_recv(c, a, &data, sizeof data, J1939_NAME_B,
	    J1939_PGN_ADDRESS_CLAIMED, 0x30);
	ck_assert_uint_eq(le64toh(data), J1939_NAME_B);
	/* A claim no one contests holds after 250 ms. */
	usleep(400 * 1000);
}

/*
 * Address claim, then PGN 0x12300 from A to B by address: 8 bytes in one
 * frame, and 100 bytes by the transport protocol (RTS/CTS, data transfer
 * frames on PGN 0xeb00). B's recvfrom names A by address, NAME and PGN.
 */
START_TEST(test_j1939_claim_and_transfer)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_can	 to;
	struct canfd_frame	 f;
	socklen_t		 tlen;
	uint8_t			 out[100], in[100];
	int			 a, b, d, dj, i, ifindex, dt = 0;

	for (i = 0; i < (int)sizeof out; i++)
		out[i] = (uint8_t)(0xa5 ^ i);
	d = vm_direct_raw("vcan0", 0);
	a = j1939_open(c, J1939_NAME_A, 0x20);
	b = j1939_open(c, J1939_NAME_B, 0x30);
	j1939_claim_both(c, a, b, d);

	tlen = j1939_addr(&to, "", J1939_NO_NAME, 0x12300, 0x30);
	ck_assert_int_eq(sb_sendto(c, a, out, 8, 0, (struct sockaddr *)&to,
	    tlen), 8);
	j1939_recv(c, b, in, 8, J1939_NAME_A, 0x12300, 0x20);
	ck_assert_mem_eq(in, out, 8);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	/* Priority 6, PGN 0x12300 (data page 1, PDU1), to 0x30 from 0x20. */
	ck_assert_uint_eq(f.can_id, CAN_EFF_FLAG | 0x19233020);

	/*
	 * A message put together by the transport protocol: the kernel
	 * (6.1) reports it with interface index 0, as a socket of the
	 * test's own at the same address shows; the broker passes on what
	 * the kernel says.
	 */
	dj = j1939_direct(0x30);
	ck_assert_int_eq(sb_sendto(c, a, out, sizeof out, 0,
	    (struct sockaddr *)&to, tlen), sizeof out);
	ifindex = j1939_direct_recv(dj, in, sizeof in);
	j1939_recv_if(c, b, in, sizeof out, J1939_NAME_A, 0x12300, 0x20,
	    ifindex);
	ck_assert_mem_eq(in, out, sizeof out);
	close(dj);
	while (vm_direct_recv(d, &f, 300) != 0) {
		if ((f.can_id & 0x3ffff00) == 0x0eb3000)	/* TP.DT to 0x30 */
			dt++;
	}
	ck_assert_int_eq(dt, (100 + 6) / 7);
	close(d);
	sb_close_conn(c);
}
END_TEST

static void
can_proto_policy(void)
{
	vm_use_policy("can-proto.conf");
}

/* A client permitted ids 0x700-0x7ff: BCM heads and frames are checked. */
START_TEST(test_canid_bcm)
{
	sb_conn			*c = fixture_open();
	struct bcm_one		 m;
	struct canfd_frame	 f;
	int			 h, d;

	d = vm_direct_raw("vcan0", 0);
	h = bcm_open(c);
	bcm_msg(&m, TX_SETUP, SETTIMER | STARTTIMER, 0x123, "no", 2);
	m.head.ival2.tv_usec = 50000;
	ck_assert_int_eq(sb_send(c, h, &m, BCM_ONE, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	/* A permitted head does not carry a frame with another id. */
	m.head.can_id = 0x7a0;
	ck_assert_int_eq(sb_send(c, h, &m, BCM_ONE, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	bcm_msg(&m, TX_SEND, 0, 0x123, "no", 2);
	ck_assert_int_eq(sb_send(c, h, &m, BCM_ONE, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	bcm_msg(&m, RX_SETUP, RX_FILTER_ID, 0x123, NULL, -1);
	ck_assert_int_eq(sb_send(c, h, &m, BCM_HEAD, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);

	bcm_msg(&m, TX_SEND, 0, 0x7a1, "ok", 2);
	bcm_send(c, h, &m, BCM_ONE);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7a1);
	bcm_msg(&m, TX_SETUP, SETTIMER | STARTTIMER, 0x7a2, "yes", 3);
	m.head.ival2.tv_usec = 50000;
	bcm_send(c, h, &m, BCM_ONE);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7a2);
	ck_assert_mem_eq(f.data, "yes", 3);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* The id of a CAN_RAW frame split over sendmsg buffers is checked too. */
START_TEST(test_canid_raw_sendmsg_split)
{
	sb_conn			*c = fixture_open();
	struct can_frame	 fr;
	struct canfd_frame	 f;
	struct iovec		 iov[2];
	struct msghdr		 msg = { .msg_iov = iov, .msg_iovlen = 2 };
	int			 h, d;

	d = vm_direct_raw("vcan0", 0);
	h = vm_can_open(c, SOCK_RAW, CAN_RAW, "vcan0");
	memset(&fr, 0, sizeof fr);
	fr.can_id = 0x123;
	fr.len = 1;
	iov[0].iov_base = &fr;
	iov[0].iov_len = 2;
	iov[1].iov_base = (char *)&fr + 2;
	iov[1].iov_len = sizeof fr - 2;
	ck_assert_int_eq(sb_sendmsg(c, h, &msg, 0), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(vm_direct_recv(d, &f, 300), 0);
	fr.can_id = 0x7ee;
	ck_assert_int_eq(sb_sendmsg(c, h, &msg, 0), sizeof fr);
	ck_assert_int_eq(vm_direct_recv(d, &f, 2000), CAN_MTU);
	ck_assert_uint_eq(f.can_id, 0x7ee);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* ISO-TP: both ids of the bind address must be in the ranges. */
START_TEST(test_canid_isotp)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_can	 a;
	socklen_t		 len;
	int			 h;

	h = sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_ISOTP);
	ck_assert_int_ge(h, 0);
	len = isotp_addr(&a, 0x123, 0x7e8);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&a, len), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	len = isotp_addr(&a, 0x7e0, 0x123);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&a, len), -1);
	ck_assert_int_eq(errno, EACCES);
	sb_close(c, h);
	isotp_open(c, 0x7e0, 0x7e8);
	sb_close_conn(c);
}
END_TEST

/* J1939 picks its CAN ids itself: a can-id rule cannot permit it. */
START_TEST(test_canid_j1939)
{
	sb_conn	*c = fixture_open();

	ck_assert_int_eq(sb_socket(c, AF_CAN, SOCK_DGRAM, CAN_J1939), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	sb_close_conn(c);
}
END_TEST

Suite *
vm_suite(void)
{
	Suite	*s = suite_create("can_proto");
	TCase	*tc;

	tc = fixture_tcase("bcm");
	tcase_add_test(tc, test_bcm_tx_cyclic);
	tcase_add_test(tc, test_bcm_rx_content_filter);
	tcase_add_test(tc, test_bcm_rx_timeout);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("isotp");
	tcase_add_test(tc, test_isotp_segmented);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("j1939");
	tcase_add_test(tc, test_j1939_claim_and_transfer);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("can_id_policy");
	tcase_add_unchecked_fixture(tc, can_proto_policy, NULL);
	tcase_add_test(tc, test_canid_bcm);
	tcase_add_test(tc, test_canid_raw_sendmsg_split);
	tcase_add_test(tc, test_canid_isotp);
	tcase_add_test(tc, test_canid_j1939);
	suite_add_tcase(s, tc);
	return (s);
}
