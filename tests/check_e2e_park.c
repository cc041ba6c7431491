/* SPDX-License-Identifier: ISC */
/*
 * Parked sends whose interface changes under them. In a network namespace
 * of the suite's own, an AF_PACKET send names a veth by name; the veth's
 * qdisc (tbf at one byte a second) holds the frames, so the socket's tiny
 * send buffer fills and the daemon parks the send. Then the interface is
 * deleted, or renamed with another interface taking its name: the daemon
 * must live on, and the parked frame must leave on the interface the
 * policy checked or not at all.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"

#define PARK_ETHERTYPE	0x88b5		/* IEEE local experimental */
#define PARK_IF		"sbpark0"
#define PARK_PEER	"sbpeer0"
#define PARK_FRAME	100		/* bytes: below tbf's burst */
#define PARK_TRIES	64

static int	park_netns = -1;	/* the namespace to go back to */
static int	park_msg;		/* this test sends with sendmsg */

static void	 park_setup(void);
static void	 park_teardown(void);
static int	 park_sh(const char *);
static void	 park_clean(void);
static int	 park_veth(const char *, const char *, int);
static void	 park_frame(uint8_t *, uint64_t);
static void	 park_send_request(int, uint32_t, uint64_t);
static void	 park_sndbuf(int, uint32_t);
static uint64_t	 park_until_parked(int, uint32_t);
static Sockbroker__Response *park_answer(int, uint64_t);
static int	 park_capture(const char *);
static int	 park_captured(int, uint64_t, double);
static void	 park_check_alive(int);
static int	 park_start(uint64_t *);

/*
 * Moves the whole test program into a new network namespace for this
 * TCase (an unchecked fixture runs in the parent, before its daemons).
 */
static void
park_setup(void)
{
	park_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (park_netns == -1 || unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "park: cannot make a network namespace: %s\n",
		    strerror(errno));
		if (park_netns != -1)
			close(park_netns);
		park_netns = -1;
	}
}

/* Goes back to the namespace the program started in. */
static void
park_teardown(void)
{
	if (park_netns == -1)
		return;
	if (setns(park_netns, CLONE_NEWNET) == -1)
		fprintf(stderr, "park: setns: %s\n", strerror(errno));
	close(park_netns);
	park_netns = -1;
}

/* Runs a shell command quietly; returns its exit status. */
static int
park_sh(const char *cmd)
{
	char	buf[512];

	snprintf(buf, sizeof buf, "(%s) >/dev/null 2>&1", cmd);
	return (system(buf));
}

/* Removes what an earlier test of the namespace may have left. */
static void
park_clean(void)
{
	park_sh("ip link del " PARK_IF);
	park_sh("ip link del sbparkold");
}

/*
 * Makes veth name (its peer peer) up, with a qdisc that holds frames
 * (tbf at 8 bit/s) if hold is set. Returns -1 if this host cannot.
 */
static int
park_veth(const char *name, const char *peer, int hold)
{
	char	cmd[400];

	snprintf(cmd, sizeof cmd, "ip link add %s type veth peer name %s && "
	    "ip link set %s up && ip link set %s up", name, peer, name, peer);
	if (park_sh(cmd) != 0)
		return (-1);
	if (!hold)
		return (0);
	snprintf(cmd, sizeof cmd, "tc qdisc add dev %s root tbf rate 8bit "
	    "burst 1600 limit 100000", name);
	return (park_sh(cmd) == 0 ? 0 : -1);
}

/* An Ethernet broadcast frame of PARK_ETHERTYPE carrying the number id. */
static void
park_frame(uint8_t *buf, uint64_t id)
{
	memset(buf, 0, PARK_FRAME);
	memset(buf, 0xff, ETH_ALEN);
	buf[ETH_ALEN] = 0x02;		/* a locally administered source */
	buf[12] = PARK_ETHERTYPE >> 8;
	buf[13] = PARK_ETHERTYPE & 0xff;
	memcpy(buf + ETH_HLEN, &id, sizeof id);
}

/*
 * Sends (without waiting for the answer) a send, or a sendmsg if park_msg
 * is set, of frame id to PARK_IF.
 */
static void
park_send_request(int fd, uint32_t h, uint64_t id)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest	 op = SOCKBROKER__SEND_REQUEST__INIT;
	Sockbroker__SendmsgRequest msg = SOCKBROKER__SENDMSG_REQUEST__INIT;
	struct sockaddr_ll	 ll = { .sll_family = AF_PACKET,
				    .sll_protocol = htons(PARK_ETHERTYPE) };
	struct sbp_address	 a;
	uint8_t			 frame[PARK_FRAME];

	req.id = id;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &op;
	op.has_timeout = 1;
	op.timeout = 30;
	ck_assert_int_eq(sbp_address_from_sockaddr(&a, (struct sockaddr *)&ll,
	    sizeof ll, 0, NULL), 0);
	/* By name: the daemon resolves it, at the first attempt only. */
	a.u.packet.has_ifindex = 0;
	a.u.packet.ifname = PARK_IF;
	op.address = &a.addr;
	park_frame(frame, id);
	op.handle = h;
	op.data.data = frame;
	op.data.len = sizeof frame;
	if (park_msg) {
		msg.handle = op.handle;
		msg.buffers = &op.data;
		msg.n_buffers = 1;
		msg.address = op.address;
		msg.has_timeout = op.has_timeout;
		msg.timeout = op.timeout;
		req.op_case = SOCKBROKER__REQUEST__OP_SENDMSG;
		req.sendmsg = &msg;
	}
	rawconn_send_request(fd, &req);
}

/* Makes h's send buffer as small as the kernel allows. */
static void
park_sndbuf(int fd, uint32_t h)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SetsockoptRequest op = SOCKBROKER__SETSOCKOPT_REQUEST__INIT;
	Sockbroker__Response	*resp;

	op.handle = h;
	op.level = SOL_SOCKET;
	op.optname = SO_SNDBUF;
	op.value_case = SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE;
	op.int_value = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_SETSOCKOPT;
	req.setsockopt = &op;
	resp = rawconn_call(fd, &req);
	ck_assert_msg(resp->error == NULL, "SO_SNDBUF: %s",
	    resp->error != NULL ? resp->error->message : "?");
	sockbroker__response__free_unpacked(resp, NULL);
}

/*
 * Sends frames until one is not answered within half a second: that send
 * is parked. Returns its request id.
 */
static uint64_t
park_until_parked(int fd, uint32_t h)
{
	struct pollfd		 pfd = { .fd = fd, .events = POLLIN };
	Sockbroker__Response	*resp;
	uint64_t		 id;

	for (id = 100; id < 100 + PARK_TRIES; id++) {
		park_send_request(fd, h, id);
		if (poll(&pfd, 1, fixture_slow() ? 3000 : 500) == 0)
			return (id);
		resp = rawconn_recv(fd);
		ck_assert_uint_eq(resp->id, id);
		ck_assert_msg(resp->error == NULL, "send %llu: %s",
		    (unsigned long long)id, resp->error->message);
		sockbroker__response__free_unpacked(resp, NULL);
	}
	ck_abort_msg("no send parked in %d tries", PARK_TRIES);
	return (0);
}

/* Reads the answer to request id (the daemon must still be there). */
static Sockbroker__Response *
park_answer(int fd, uint64_t id)
{
	Sockbroker__Response	*resp;

	resp = rawconn_recv(fd);
	ck_assert_uint_eq(resp->id, id);
	return (resp);
}

/* A capture of PARK_ETHERTYPE frames on interface name, non-blocking. */
static int
park_capture(const char *name)
{
	struct sockaddr_ll	 ll;
	int			 fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    htons(PARK_ETHERTYPE));
	ck_assert_int_ge(fd, 0);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(PARK_ETHERTYPE);
	ll.sll_ifindex = if_nametoindex(name);
	ck_assert_int_ne(ll.sll_ifindex, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&ll, sizeof ll), 0);
	return (fd);
}

/* Whether frame id reaches capture fd within secs seconds. */
static int
park_captured(int fd, uint64_t id, double secs)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	uint8_t		 buf[2048];
	uint64_t	 got;
	double		 end = fixture_now() + secs;
	ssize_t		 n;

	while (fixture_now() < end) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		while ((n = recv(fd, buf, sizeof buf, 0)) >= ETH_HLEN +
		    (ssize_t)sizeof got) {
			memcpy(&got, buf + ETH_HLEN, sizeof got);
			if (got == id)
				return (1);
		}
	}
	return (0);
}

/* The daemon still runs and still answers a new client. */
static void
park_check_alive(int fd)
{
	Sockbroker__Request		 req;
	Sockbroker__GethostnameRequest	 gh;
	Sockbroker__Response		*resp;
	int				 fd2;

	ck_assert_msg(kill(fixture_pid(), 0) == 0, "the daemon died");
	rawconn_gethostname(&req, &gh, 7);
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	sockbroker__response__free_unpacked(resp, NULL);
	fd2 = rawconn_start(NULL);
	rawconn_gethostname(&req, &gh, 8);
	resp = rawconn_call(fd2, &req);
	ck_assert_ptr_null(resp->error);
	sockbroker__response__free_unpacked(resp, NULL);
	close(fd2);
}

/*
 * A raw connection with an AF_PACKET handle whose send to PARK_IF (a veth
 * that holds its frames) is parked; the parked request's id in *id.
 */
static int
park_start(uint64_t *id)
{
	uint32_t	 h;
	int		 fd;

	ck_assert_msg(park_netns != -1, "no network namespace of our own");
	park_clean();
	ck_assert_msg(park_veth(PARK_IF, PARK_PEER, 1) == 0,
	    "cannot make a veth with a tbf qdisc (ip, tc)");
	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_PACKET, SOCK_RAW, 0);
	park_sndbuf(fd, h);
	*id = park_until_parked(fd, h);
	return (fd);
}

START_TEST(test_park_send_interface_deleted_daemon_lives)
{
	Sockbroker__Response	*resp;
	uint64_t		 id;
	int			 fd;

	park_msg = _i;		/* 0: send, 1: sendmsg */
	fd = park_start(&id);

	/* Freeing the qdisc's frames wakes the parked send up. */
	ck_assert_int_eq(park_sh("ip link del " PARK_IF), 0);
	resp = park_answer(fd, id);
	if (resp->error != NULL)
		ck_assert_int_ne(resp->error->errnum, 0);
	else
		ck_assert_ptr_nonnull(resp->count);
	sockbroker__response__free_unpacked(resp, NULL);
	park_check_alive(fd);
	close(fd);
}
END_TEST

START_TEST(test_park_send_interface_renamed_keeps_its_interface)
{
	Sockbroker__Response	*resp;
	uint64_t		 id;
	int			 fd, old, new;

	fd = park_start(&id);

	/* Another interface takes the name while the send waits. */
	ck_assert_int_eq(park_sh("ip link set " PARK_IF " name sbparkold"), 0);
	ck_assert_int_eq(park_veth(PARK_IF, "sbpeer1", 0), 0);
	old = park_capture(PARK_PEER);
	new = park_capture("sbpeer1");
	/* Dropping the held frames wakes the parked send up. */
	ck_assert_int_eq(park_sh("tc qdisc del dev sbparkold root"), 0);
	resp = park_answer(fd, id);
	ck_assert_msg(resp->error == NULL, "parked send: %s",
	    resp->error != NULL ? resp->error->message : "?");
	ck_assert_ptr_nonnull(resp->count);
	sockbroker__response__free_unpacked(resp, NULL);
	ck_assert_msg(!park_captured(new, id, fixture_slow() ? 2 : 0.5),
	    "the parked frame left on the interface that took the name");
	ck_assert_msg(park_captured(old, id, fixture_slow() ? 5 : 1),
	    "the parked frame did not leave on the interface it named");
	close(old);
	close(new);
	park_check_alive(fd);
	close(fd);
}
END_TEST

/* The park suite. */
Suite *
e2e_park_suite(void)
{
	Suite	*s = suite_create("e2e_park");
	TCase	*tc = fixture_tcase("interface");

	tcase_add_unchecked_fixture(tc, park_setup, park_teardown);
	tcase_add_loop_test(tc, test_park_send_interface_deleted_daemon_lives,
	    0, 2);
	tcase_add_test(tc, test_park_send_interface_renamed_keeps_its_interface);
	suite_add_tcase(s, tc);
	return (s);
}
