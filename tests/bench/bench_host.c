/* SPDX-License-Identifier: ISC */
/*
 * The host's benchmarks (make bench; make check runs them short as a smoke
 * test): the control round trip against a bare UNIX ping-pong, 64-byte UDP
 * receive and send, TCP bulk both ways in 64 KiB calls, and AF_PACKET
 * capture on a veth pair whose other end is in a network namespace of the
 * benchmark's own, and what a handle's channel costs (handles created a
 * second without, lazily and with sb_setchannels; an idle one's daemon
 * descriptors and memory). One TCase per table (CK_RUN_CASE picks), each against
 * its own daemon; see bench.h for the method.
 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "check_main.h"

#define BENCH_DGRAM	64		/* bytes per datagram or frame */
#define BENCH_RCVBUF	(1024 * 1024)
#define BENCH_ETHERTYPE	0x88b5		/* IEEE local experimental */
#define BENCH_IDLE	1000		/* idle handles measured */

/* The sockets of one variant and the address between them. */
struct bench_net {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 listener;	/* TCP: direct listener or -1 */
	int			 peer;		/* the other end, made early */
	int			 lh;		/* TCP: broker listener or 0 */
	sb_conn			*c;
};

/* The network namespace and veth pair of the AF_PACKET case. */
struct bench_veth {
	char	 ns[32];
	char	 outer[IFNAMSIZ];	/* here: captured on */
	char	 inner[IFNAMSIZ];	/* in ns: the sender's */
	int	 ok;
	char	 why[128];
};

static struct bench_veth	bench_veth;
static char			bench_payload[BENCH_STREAM];

static const enum bench_how bench_all[] = { BENCH_DIRECT, BENCH_DIRECT_MMSG,
	BENCH_REQUEST, BENCH_CHANNEL, BENCH_CHANNEL_MMSG };
static const enum bench_how bench_stream[] = { BENCH_DIRECT, BENCH_REQUEST,
	BENCH_CHANNEL };

static sb_conn	*bench_open(void);
static int	 bench_udp_direct(void *);
static int	 bench_udp_handle(sb_conn *, void *);
static int	 bench_udp_source(void *);
static int	 bench_udp_sink(struct bench_net *);
static int	 bench_udp_send_direct(void *);
static int	 bench_udp_send_handle(sb_conn *, void *);
static int	 bench_early_peer(void *);
static int	 bench_tcp_listener(struct bench_net *);
static int	 bench_tcp_connect(const struct bench_net *);
static int	 bench_tcp_direct(void *);
static int	 bench_tcp_handle(sb_conn *, void *);
static int	 bench_tcp_out_direct(void *);
static int	 bench_tcp_out_handle(sb_conn *, void *);
static void	 bench_tcp_cleanup(void *);
static void	 bench_floor_child(int);
static double	 bench_floor(int, double);
static double	 bench_getsockopt(sb_conn *, int, double);
static int	 bench_ip(const char *);
static void	 bench_veth_setup(void);
static void	 bench_veth_teardown(void);
static int	 bench_packet_direct(void *);
static int	 bench_packet_handle(sb_conn *, void *);
static int	 bench_packet_source(void *);
static Suite	*bench_suite(void);
static double	 bench_handle_rate(sb_conn *, int, double);
static long	 bench_slab_size(const char *);

/* A connection to the daemon, with this process and the daemon pinned. */
static sb_conn *
bench_open(void)
{
	bench_pin_work();
	return (fixture_open());
}

/* A UDP socket of our own bound to 127.0.0.1:0; its address in n. */
static int
bench_udp_direct(void *arg)
{
	struct bench_net	*n = arg;
	int			 fd, size = BENCH_RCVBUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	n->len = fixture_addr(&n->ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&n->ss, n->len), 0);
	n->len = sizeof n->ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&n->ss, &n->len),
	    0);
	return (fd);
}

/* The same as a broker handle. */
static int
bench_udp_handle(sb_conn *c, void *arg)
{
	struct bench_net	*n = arg;
	int			 h, size = BENCH_RCVBUF;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_RCVBUF, &size,
	    sizeof size), 0);
	n->len = fixture_addr(&n->ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&n->ss, n->len), 0);
	n->len = sizeof n->ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&n->ss,
	    &n->len), 0);
	return (h);
}

/* The sender's socket, connected to the receiver's address. */
static int
bench_udp_source(void *arg)
{
	struct bench_net	*n = arg;
	int			 fd, size = BENCH_RCVBUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&n->ss, n->len), 0);
	return (fd);
}

/* The sink the sending variants send to: n->peer, its address in n. */
static int
bench_udp_sink(struct bench_net *n)
{
	n->peer = bench_udp_direct(n);
	return (n->peer);
}

/* A UDP socket of our own connected to a fresh sink. */
static int
bench_udp_send_direct(void *arg)
{
	struct bench_net	*n = arg;

	bench_udp_sink(n);
	return (bench_udp_source(n));
}

/* The same as a broker handle. */
static int
bench_udp_send_handle(sb_conn *c, void *arg)
{
	struct bench_net	*n = arg;
	int			 h;

	bench_udp_sink(n);
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	bench_sb_connect(c, h, &n->ss, n->len);
	return (h);
}

/* The other end made with the measured socket (a sink, a TCP peer). */
static int
bench_early_peer(void *arg)
{
	struct bench_net	*n = arg;
	int			 fd = n->peer;

	n->peer = -1;
	return (fd);
}

/* A TCP listener of our own on 127.0.0.1:0; its address in n. */
static int
bench_tcp_listener(struct bench_net *n)
{
	int	fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	n->len = fixture_addr(&n->ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&n->ss, n->len), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	n->len = sizeof n->ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&n->ss, &n->len),
	    0);
	n->listener = fd;
	return (fd);
}

/* A TCP socket of our own connected to n's address. */
static int
bench_tcp_connect(const struct bench_net *n)
{
	int	fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(connect(fd, (const struct sockaddr *)&n->ss, n->len) ==
	    0, "connect: %s", strerror(errno));
	return (fd);
}

/* Receiving TCP, direct: the accepted end of a connection from n->peer. */
static int
bench_tcp_direct(void *arg)
{
	struct bench_net	*n = arg;
	int			 fd;

	bench_tcp_listener(n);
	n->peer = bench_tcp_connect(n);
	fd = accept4(n->listener, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	return (fd);
}

/* Receiving TCP, broker: the accepted handle of a connection from n->peer. */
static int
bench_tcp_handle(sb_conn *c, void *arg)
{
	struct bench_net	*n = arg;
	int			 h;

	n->c = c;
	n->lh = fixture_listener(c, AF_INET, &n->ss, &n->len);
	n->peer = bench_tcp_connect(n);
	h = sb_accept(c, n->lh, NULL, NULL);
	ck_assert_msg(h > 0, "sb_accept: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	return (h);
}

/* Sending TCP, direct: connected to a listener whose accepted end is peer. */
static int
bench_tcp_out_direct(void *arg)
{
	struct bench_net	*n = arg;
	int			 fd;

	bench_tcp_listener(n);
	fd = bench_tcp_connect(n);
	n->peer = accept4(n->listener, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(n->peer, 0);
	return (fd);
}

/* Sending TCP, broker: the same with a handle connecting. */
static int
bench_tcp_out_handle(sb_conn *c, void *arg)
{
	struct bench_net	*n = arg;
	int			 h;

	bench_tcp_listener(n);
	h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	bench_sb_connect(c, h, &n->ss, n->len);
	n->peer = accept4(n->listener, NULL, NULL, SOCK_CLOEXEC);
	ck_assert_int_ge(n->peer, 0);
	return (h);
}

/* Closes the listeners of a TCP variant. */
static void
bench_tcp_cleanup(void *arg)
{
	struct bench_net	*n = arg;

	if (n->listener != -1)
		close(n->listener);
	if (n->lh > 0)
		sb_close(n->c, n->lh);
	n->listener = -1;
	n->lh = 0;
}

/* The floor's other process: echoes each byte (on the daemon's CPU). */
static void
bench_floor_child(int fd)
{
	char	b;

	bench_pin_work();
	while (read(fd, &b, 1) == 1 && write(fd, &b, 1) == 1)
		;
	_exit(0);
}

/* Round trips of the bare ping-pong on fd for t seconds: us each. */
static double
bench_floor(int fd, double t)
{
	double		 t0, end;
	uint64_t	 n;
	char		 b = 'x';

	for (n = 0, t0 = fixture_now(), end = t0 + t; fixture_now() < end;
	    n++) {
		ck_assert_int_eq(write(fd, &b, 1), 1);
		ck_assert_int_eq(read(fd, &b, 1), 1);
	}
	return ((fixture_now() - t0) * 1e6 / n);
}

/* sb_getsockopt on h for t seconds: us each. */
static double
bench_getsockopt(sb_conn *c, int h, double t)
{
	double		 t0, end;
	uint64_t	 n;
	socklen_t	 len;
	int		 v;

	for (n = 0, t0 = fixture_now(), end = t0 + t; fixture_now() < end;
	    n++) {
		len = sizeof v;
		ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_TYPE, &v,
		    &len), 0);
	}
	return ((fixture_now() - t0) * 1e6 / n);
}

/*
 * control: sb_getsockopt against a bare UNIX ping-pong, per round trip,
 * in rounds (the best of each).
 */
START_TEST(test_control)
{
	sb_conn		*c = bench_open();
	double		 t, floor = 0, broker = 0, f, b;
	pid_t		 pid;
	int		 sv[2], h, k, rounds = bench_rounds();

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		bench_floor_child(sv[1]);
	}
	close(sv[1]);
	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
	t = bench_seconds() / rounds;
	for (k = 0; k < rounds; k++) {
		f = bench_floor(sv[0], t);
		b = bench_getsockopt(c, h, t);
		floor = floor == 0 || f < floor ? f : floor;
		broker = broker == 0 || b < broker ? b : broker;
	}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	printf("\ncontrol round trip\n  %-26s %11s %6s\n", "", "us", "ratio");
	if (fixture_slow())
		printf("  (the daemon runs under SB_DAEMON_WRAPPER: its figures "
		    "say nothing)\n");
	printf("  %-26s %11.1f %6s\n", "unix ping-pong (floor)", floor,
	    "1.00x");
	printf("  %-26s %11.1f %5.2fx\n", "broker sb_getsockopt", broker,
	    broker / floor);
	bench_note("target: sb_getsockopt <= 1.5x the floor: %.2fx (%s)",
	    broker / floor, broker / floor <= 1.5 ? "met" : "missed");
	ck_assert(floor > 0 && broker > 0);
	sb_close_conn(c);
}
END_TEST

/* udp_recv: 64-byte datagrams from a sender process on the loopback. */
START_TEST(test_udp_recv)
{
	struct bench_net	 n = { .listener = -1, .peer = -1 };
	struct bench_case	 bc = { &n, BENCH_DGRAM, 0, bench_payload,
	    BENCH_BLAST, bench_udp_direct, bench_udp_handle,
	    bench_udp_source, NULL };
	sb_conn			*c = bench_open();
	struct bench_rate	 r[5];

	bench_table(c, "udp receive, 64-byte datagrams", "packets/s", 1, &bc,
	    0, bench_all, 5, r);
	bench_target("channel sb_recv", &r[3], &r[0], 0.5);
	bench_target("channel sb_recvmmsg", &r[4], &r[0], 0.8);
	sb_close_conn(c);
}
END_TEST

/* udp_send: 64-byte datagrams to a sink process on the loopback. */
START_TEST(test_udp_send)
{
	struct bench_net	 n = { .listener = -1, .peer = -1 };
	struct bench_case	 bc = { &n, BENCH_DGRAM, 0, bench_payload,
	    BENCH_DRAIN, bench_udp_send_direct, bench_udp_send_handle,
	    bench_early_peer, NULL };
	sb_conn			*c = bench_open();
	struct bench_rate	 r[5];

	bench_table(c, "udp send, 64-byte datagrams", "packets/s", 1, &bc, 1,
	    bench_all, 5, r);
	sb_close_conn(c);
}
END_TEST

/* tcp: bulk both ways over the loopback, 64 KiB a call. */
START_TEST(test_tcp)
{
	struct bench_net	 n = { .listener = -1, .peer = -1 };
	struct bench_case	 in = { &n, BENCH_STREAM, 1, bench_payload,
	    BENCH_WRITE, bench_tcp_direct, bench_tcp_handle,
	    bench_early_peer, bench_tcp_cleanup };
	struct bench_case	 out = { &n, BENCH_STREAM, 1, bench_payload,
	    BENCH_DRAIN, bench_tcp_out_direct, bench_tcp_out_handle,
	    bench_early_peer, bench_tcp_cleanup };
	sb_conn			*c = bench_open();
	struct bench_rate	 r[3], s[3];

	bench_table(c, "tcp receive, 64 KiB calls", "MB/s", 1e-6, &in, 0,
	    bench_stream, 3, r);
	bench_target("receive by request", &r[1], &r[0], 0.7);
	bench_target("receive by channel", &r[2], &r[0], 0.7);
	bench_table(c, "tcp send, 64 KiB calls", "MB/s", 1e-6, &out, 1,
	    bench_stream, 3, s);
	bench_target("send by request", &s[1], &s[0], 0.7);
	bench_target("send by channel", &s[2], &s[0], 0.7);
	sb_close_conn(c);
}
END_TEST

/* Runs an ip(8) command; 0 if it succeeded. */
static int
bench_ip(const char *args)
{
	char	cmd[512];

	snprintf(cmd, sizeof cmd, "ip %s >/dev/null 2>&1", args);
	return (system(cmd) == 0 ? 0 : -1);
}

/*
 * Unchecked setup (in Check's parent, so that the teardown runs whatever
 * the test does): a namespace and a veth pair, one end in it.
 */
static void
bench_veth_setup(void)
{
	struct bench_veth	*v = &bench_veth;
	char			 cmd[256];

	memset(v, 0, sizeof *v);
	snprintf(v->ns, sizeof v->ns, "sbbench%ld", (long)getpid());
	snprintf(v->outer, sizeof v->outer, "sbbo%ld", (long)getpid());
	snprintf(v->inner, sizeof v->inner, "sbbi%ld", (long)getpid());
	snprintf(cmd, sizeof cmd, "netns add %s", v->ns);
	if (getuid() != 0 || bench_ip(cmd) == -1) {
		snprintf(v->why, sizeof v->why, "cannot create a network "
		    "namespace (root and ip(8) needed)");
		return;
	}
	snprintf(cmd, sizeof cmd, "link add %.31s type veth peer name %.31s netns "
	    "%.31s", v->outer, v->inner, v->ns);
	if (bench_ip(cmd) == -1) {
		snprintf(v->why, sizeof v->why, "cannot create a veth pair");
		return;
	}
	snprintf(cmd, sizeof cmd, "link set %.31s up", v->outer);
	v->ok = bench_ip(cmd) == 0;
	snprintf(cmd, sizeof cmd, "-n %.31s link set %.31s up", v->ns, v->inner);
	v->ok = v->ok && bench_ip(cmd) == 0;
	if (!v->ok)
		snprintf(v->why, sizeof v->why, "cannot bring the veth up");
}

/* Unchecked teardown: the namespace goes, and the veth pair with it. */
static void
bench_veth_teardown(void)
{
	char	cmd[64];

	if (bench_veth.ns[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "link del %s", bench_veth.outer);
	bench_ip(cmd);
	snprintf(cmd, sizeof cmd, "netns del %s", bench_veth.ns);
	bench_ip(cmd);
}

/* A capture socket of our own on the outer veth, for our ethertype. */
static int
bench_packet_direct(void *arg)
{
	struct sockaddr_ll	 ll;
	int			 fd, size = BENCH_RCVBUF;

	(void)arg;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(BENCH_ETHERTYPE));
	ck_assert_msg(fd >= 0, "socket(AF_PACKET): %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(BENCH_ETHERTYPE);
	ll.sll_ifindex = if_nametoindex(bench_veth.outer);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ll, sizeof ll), 0);
	return (fd);
}

/* The same as a broker handle. */
static int
bench_packet_handle(sb_conn *c, void *arg)
{
	struct sockaddr_ll	 ll;
	int			 h, size = BENCH_RCVBUF;

	(void)arg;
	h = sb_socket(c, AF_PACKET, SOCK_RAW, htons(BENCH_ETHERTYPE));
	ck_assert_msg(h > 0, "sb_socket(AF_PACKET): %s", strerror(errno));
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_RCVBUF, &size,
	    sizeof size), 0);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(BENCH_ETHERTYPE);
	ll.sll_ifindex = if_nametoindex(bench_veth.outer);
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&ll, sizeof ll) == 0,
	    "sb_bind: %s", strerror(errno));
	return (h);
}

/* The sender's packet socket on the inner veth, made in the namespace. */
static int
bench_packet_source(void *arg)
{
	struct sockaddr_ll	 ll;
	char			 path[64];
	int			 here, ns, fd;

	(void)arg;
	snprintf(path, sizeof path, "/run/netns/%s", bench_veth.ns);
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(here >= 0 && ns >= 0, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(setns(ns, CLONE_NEWNET), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = if_nametoindex(bench_veth.inner);
	if (fd >= 0)
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&ll, sizeof ll),
		    0);
	ck_assert_int_eq(setns(here, CLONE_NEWNET), 0);
	close(here);
	close(ns);
	ck_assert_msg(fd >= 0, "socket(AF_PACKET): %s", strerror(errno));
	return (fd);
}

/* packet: 64-byte frames captured on a veth, sent from its namespace. */
START_TEST(test_packet)
{
	struct bench_case	 bc = { NULL, BENCH_DGRAM, 0, NULL,
	    BENCH_BLAST, bench_packet_direct, bench_packet_handle,
	    bench_packet_source, NULL };
	static uint8_t		 frame[BENCH_DGRAM];
	sb_conn			*c;
	struct bench_rate	 r[5];

	if (!bench_veth.ok) {
		bench_head("af_packet capture, 64-byte frames", "packets/s");
		bench_note("skipped: %s", bench_veth.why);
		return;
	}
	/* Broadcast, from a locally administered address, our ethertype. */
	memset(frame, 0xff, ETH_ALEN);
	memcpy(frame + ETH_ALEN, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	frame[12] = BENCH_ETHERTYPE >> 8;
	frame[13] = BENCH_ETHERTYPE & 0xff;
	bc.payload = frame;
	c = bench_open();
	bench_table(c, "af_packet capture, 64-byte frames", "packets/s", 1,
	    &bc, 0, bench_all, 5, r);
	sb_close_conn(c);
}
END_TEST

/*
 * sb_socket (UDP) and sb_close for t seconds, with chan set through
 * sb_fileno too (a request of its own unless the flag is on): handles a
 * second.
 */
static double
bench_handle_rate(sb_conn *c, int chan, double t)
{
	double		 t0, end;
	uint64_t	 n;
	int		 h;

	for (n = 0, t0 = fixture_now(), end = t0 + t; fixture_now() < end;
	    n++) {
		h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
		ck_assert_msg(h > 0, "sb_socket: %s", strerror(errno));
		if (chan)
			ck_assert_int_ge(sb_fileno(c, h), 0);
		ck_assert_int_eq(sb_close(c, h), 0);
	}
	return (n / (fixture_now() - t0));
}

/* The object size of a kernel slab cache (/proc/slabinfo), or -1. */
static long
bench_slab_size(const char *cache)
{
	char	 line[512], name[64];
	long	 active, total, size = -1;
	FILE	*f;

	if ((f = fopen("/proc/slabinfo", "re")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%63s %ld %ld %ld", name, &active, &total,
		    &size) == 4 && strcmp(name, cache) == 0)
			break;
		else
			size = -1;
	fclose(f);
	return (size);
}

/*
 * handles: what a channel costs, for choosing when a handle gets one.
 * Creation: sb_socket and sb_close a second with no channel, with one by
 * sb_fileno (lazily: a second request), and with sb_setchannels (the
 * channel in the socket's own reply), in rounds (the best of each). Idle:
 * the daemon's descriptors and RSS per handle for BENCH_IDLE UDP handles,
 * then per channel added to each of them.
 */
START_TEST(test_handles)
{
	sb_conn		*c = bench_open();
	const char	*names[] = { "no channel", "channel by sb_fileno (lazy)",
	    "channel with reply (flag)" };
	double		 t, best[3] = { 0, 0, 0 }, r;
	long		 fd0, fd1, fd2, kb0, kb1, kb2;
	int		 i, k, rounds = bench_rounds(), *h;

	t = bench_seconds() / rounds;
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(sb_setchannels(c, i == 2), 0);
			r = bench_handle_rate(c, i > 0, t);
			best[i] = r > best[i] ? r : best[i];
		}
	}
	ck_assert_int_eq(sb_setchannels(c, 0), 0);
	printf("\nhandle creation, udp: sb_socket + sb_close\n"
	    "  %-30s %11s %6s %9s\n", "", "handles/s", "ratio", "us each");
	if (fixture_slow())
		printf("  (the daemon runs under SB_DAEMON_WRAPPER: its figures "
		    "say nothing)\n");
	for (i = 0; i < 3; i++)
		printf("  %-30s %11.0f %5.2fx %9.1f\n", names[i], best[i],
		    best[i] / best[0], 1e6 / best[i]);

	ck_assert_ptr_nonnull(h = calloc(BENCH_IDLE, sizeof *h));
	fd0 = fixture_fd_baseline();
	kb0 = fixture_rss_kb();
	for (i = 0; i < BENCH_IDLE; i++)
		ck_assert_int_gt(h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0),
		    0);
	fd1 = fixture_fd_baseline();
	kb1 = fixture_rss_kb();
	for (i = 0; i < BENCH_IDLE; i++)
		ck_assert_int_ge(sb_fileno(c, h[i]), 0);
	fd2 = fixture_fd_baseline();
	kb2 = fixture_rss_kb();
	for (i = 0; i < BENCH_IDLE; i++)
		ck_assert_int_eq(sb_close(c, h[i]), 0);
	free(h);
	printf("\nidle handles, udp: the daemon's cost per handle (%d)\n"
	    "  %-30s %11s %11s\n", BENCH_IDLE, "", "descriptors", "RSS kB");
	printf("  %-30s %11.2f %11.2f\n", "handle without a channel",
	    (double)(fd1 - fd0) / BENCH_IDLE, (double)(kb1 - kb0) / BENCH_IDLE);
	printf("  %-30s %11.2f %11.2f\n", "its channel, in addition",
	    (double)(fd2 - fd1) / BENCH_IDLE, (double)(kb2 - kb1) / BENCH_IDLE);
	bench_note("kernel: a handle is a UDP sock (slab %ld B) and an inode "
	    "(%ld B); its channel two AF_UNIX socks (each about 1 KiB, a "
	    "merged slab) with their inodes, and the client's descriptor",
	    bench_slab_size("UDP"), bench_slab_size("sock_inode_cache"));
	ck_assert(best[0] > 0 && best[1] > 0 && best[2] > 0);
	sb_close_conn(c);
}
END_TEST

/* The benchmarks, one TCase per table. */
static Suite *
bench_suite(void)
{
	Suite		*s = suite_create("bench");
	TCase		*tc;
	const char	*names[] = { "control", "udp_recv", "udp_send", "tcp",
	    "packet", "handles" };
	const TTest	*tests[] = { test_control, test_udp_recv,
	    test_udp_send, test_tcp, test_packet, test_handles };
	size_t		 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		tc = fixture_tcase(names[i]);
		tcase_set_timeout(tc, 60 + 20 * bench_seconds());
		if (tests[i] == test_packet)
			tcase_add_unchecked_fixture(tc, bench_veth_setup,
			    bench_veth_teardown);
		tcase_add_test(tc, tests[i]);
		suite_add_tcase(s, tc);
	}
	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	1, {
		bench_suite,
		NULL,
	},
};
