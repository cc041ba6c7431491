/* SPDX-License-Identifier: ISC */
/*
 * poll() on data channels (sb_fileno) beyond UDP and TCP: AF_UNIX
 * datagram and stream handles, a raw ICMP echo to 127.0.0.1, AF_PACKET
 * capture on lo, a whole RTM_GETLINK dump; a one-thread poll() echo
 * server for 200 concurrent clients; socket errors (ECONNREFUSED,
 * ECONNRESET) seen as readable; a reader that never drains its channel
 * while another client is served (the daemon's memory stays bounded);
 * and the daemon's descriptors back to baseline after a client holding
 * many channels is killed.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <sys/un.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define CP_CLIENTS	200		/* of the echo server */
#define CP_MSG		96		/* bytes each echo client sends */
#define CP_KILL_PAIRS	40		/* UDP and TCP channels of the killed */
#define CP_RSS_SLACK	(24 * 1024)	/* kB the daemon may grow by */
#define CP_FLOOD_SECS	2.0		/* the slow reader's flood */

static int	 cp_wait(void);
static socklen_t cp_unix_addr(struct sockaddr_un *, const char *);
static int	 cp_direct(int, int, const struct sockaddr_storage *,
		     socklen_t, int);
static int	 cp_local(int, struct sockaddr_storage *, socklen_t *, int);
static void	 cp_echo_clients(const struct sockaddr_storage *, socklen_t,
		     int);
static void	 cp_echo_exit(int, int);
static void	*cp_flood(void *);
static void	 cp_many_channels(sb_conn *, void *);

/* How long a test waits for something that should come: ms. */
static int
cp_wait(void)
{
	return (fixture_slow() ? 30000 : 3000);
}

/* An AF_UNIX address for name in the fixture's directory. */
static socklen_t
cp_unix_addr(struct sockaddr_un *sun, const char *name)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s/%s", fixture_dir(),
	    name);
	unlink(sun->sun_path);
	return (sizeof *sun);
}

/*
 * A socket of the test's own of family and type: bound to ss if bindit,
 * else connected to it (ss may be NULL: neither); its descriptor.
 */
static int
cp_direct(int family, int type, const struct sockaddr_storage *ss,
    socklen_t len, int bindit)
{
	int	 fd;

	ck_assert_int_ge(fd = socket(family, type | SOCK_CLOEXEC, 0), 0);
	if (ss == NULL)
		return (fd);
	if (bindit)
		ck_assert_int_eq(bind(fd, (const struct sockaddr *)ss, len), 0);
	else
		ck_assert_msg(connect(fd, (const struct sockaddr *)ss, len) ==
		    0, "connect: %s", strerror(errno));
	return (fd);
}

/*
 * A socket of the test's own of type on 127.0.0.1 (an ephemeral port),
 * listening with backlog if it is not 0; its address in ss.
 */
static int
cp_local(int type, struct sockaddr_storage *ss, socklen_t *len, int backlog)
{
	int	 fd;

	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	fd = cp_direct(AF_INET, type, ss, *len, 1);
	if (backlog != 0)
		ck_assert_int_eq(listen(fd, backlog), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return (fd);
}

/*
 * AF_UNIX datagram and stream handles: their channels are readable exactly
 * when something waits (data, then the stream's EOF), writable with room.
 */
START_TEST(test_unix_dgram_and_stream_poll)
{
	struct sockaddr_un	 ua, la;
	socklen_t		 ulen, llen;
	sb_conn			*c = fixture_open();
	char			 buf[32];
	int			 h, fd, d, l, s;

	ulen = cp_unix_addr(&ua, "cp-dgram.sock");
	ck_assert_int_gt(h = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&ua, ulen), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN | POLLOUT, 0), POLLOUT);
	d = cp_direct(AF_UNIX, SOCK_DGRAM, NULL, 0, 0);
	ck_assert_int_eq(sendto(d, "unix dgram", 10, 0, (struct sockaddr *)&ua,
	    ulen), 10);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, cp_wait()), POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 10);
	ck_assert_mem_eq(buf, "unix dgram", 10);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 100), 0);
	close(d);

	llen = cp_unix_addr(&la, "cp-stream.sock");
	l = cp_direct(AF_UNIX, SOCK_STREAM, (struct sockaddr_storage *)&la,
	    llen, 1);
	ck_assert_int_eq(listen(l, 4), 0);
	ck_assert_int_gt(h = sb_socket(c, AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&la, llen), 0);
	ck_assert_int_ge(s = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 100), 0);
	ck_assert_int_eq(write(s, "stream", 6), 6);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, cp_wait()), POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 6);
	ck_assert_mem_eq(buf, "stream", 6);
	ck_assert_int_eq(fixture_poll(fd, POLLIN | POLLOUT, 100), POLLOUT);
	ck_assert_int_eq(sb_send(c, h, "back", 4, 0), 4);
	ck_assert_int_eq(read(s, buf, sizeof buf), 4);
	ck_assert_mem_eq(buf, "back", 4);
	close(s);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, cp_wait()) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 0);
	close(l);
	unlink(ua.sun_path);
	unlink(la.sun_path);
	sb_close_conn(c);
}
END_TEST

/* A ping of 127.0.0.1 through a raw ICMP socket: the reply polls readable. */
START_TEST(test_raw_icmp_echo_poll)
{
	struct sockaddr_storage	 ss;
	struct icmphdr		 ic;
	struct iphdr		 ip;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	uint8_t			 pkt[sizeof ic + 8], buf[1024];
	uint32_t		 sum = 0;
	uint16_t		 id = (uint16_t)getpid();
	size_t			 i;
	ssize_t			 n;
	int			 h, fd;

	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_RAW, IPPROTO_ICMP), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	memset(&ic, 0, sizeof ic);
	ic.type = ICMP_ECHO;
	ic.un.echo.id = htons(id);
	ic.un.echo.sequence = htons(3);
	memcpy(pkt, &ic, sizeof ic);
	memcpy(pkt + sizeof ic, "chanpoll", 8);
	for (i = 0; i < sizeof pkt; i += 2)	/* the Internet checksum */
		sum += (uint32_t)pkt[i] << 8 | pkt[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	ic.checksum = htons((uint16_t)~((sum & 0xffff) + (sum >> 16)));
	memcpy(pkt, &ic, sizeof ic);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(sb_sendto(c, h, pkt, sizeof pkt, 0,
	    (struct sockaddr *)&ss, len), (ssize_t)sizeof pkt);
	/* The raw socket sees every ICMP message of the host: skip others. */
	for (;;) {
		ck_assert_msg(fixture_poll(fd, POLLIN, cp_wait()) == POLLIN,
		    "no echo reply readable");
		while ((n = sb_recv(c, h, buf, sizeof buf, 0)) > 0) {
			memcpy(&ip, buf, sizeof ip);
			if (n < ip.ihl * 4 + (ssize_t)sizeof pkt)
				continue;
			memcpy(&ic, buf + ip.ihl * 4, sizeof ic);
			if (ic.type != ICMP_ECHOREPLY ||
			    ntohs(ic.un.echo.id) != id)
				continue;
			ck_assert_int_eq(ntohs(ic.un.echo.sequence), 3);
			ck_assert_mem_eq(buf + ip.ihl * 4 + sizeof ic,
			    "chanpoll", 8);
			sb_close_conn(c);
			return;
		}
		ck_assert_int_eq(errno, EAGAIN);
	}
}
END_TEST

/* AF_PACKET on lo: a UDP datagram's frame polls readable and is read. */
START_TEST(test_packet_capture_poll)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_ll	 ll;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	const char		*mark = "sockbroker chanpoll packet";
	uint8_t			 buf[2048];
	ssize_t			 n;
	int			 h, fd, d;

	ck_assert_int_gt(h = sb_socket(c, AF_PACKET, SOCK_DGRAM,
	    htons(ETH_P_IP)), 0);
	memset(&ll, 0, sizeof ll);
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = (int)if_nametoindex("lo");
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&ll, sizeof ll), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	len = fixture_addr(&ss, AF_INET, "127.0.0.1", 9);
	d = cp_direct(AF_INET, SOCK_DGRAM, NULL, 0, 0);
	ck_assert_int_eq(sendto(d, mark, strlen(mark), 0,
	    (struct sockaddr *)&ss, len), (ssize_t)strlen(mark));
	close(d);
	for (;;) {	/* lo carries other traffic too */
		ck_assert_msg(fixture_poll(fd, POLLIN, cp_wait()) == POLLIN,
		    "the frame was not readable");
		len = sizeof ll;
		while ((n = sb_recvfrom(c, h, buf, sizeof buf, 0,
		    (struct sockaddr *)&ll, &len)) > 0) {
			ck_assert_int_eq(ll.sll_ifindex,
			    (int)if_nametoindex("lo"));
			if (memmem(buf, (size_t)n, mark, strlen(mark)) == NULL)
				continue;
			ck_assert_int_eq(buf[0] >> 4, 4);
			sb_close_conn(c);
			return;
			len = sizeof ll;
		}
		ck_assert_int_eq(errno, EAGAIN);
	}
}
END_TEST

/* A whole RTM_GETLINK dump read as the channel polls readable, to DONE. */
START_TEST(test_netlink_dump_poll_to_done)
{
	struct {
		struct nlmsghdr		 nh;
		struct ifinfomsg	 ifm;
	} req = { .nh = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
	    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 42 },
	    .ifm = { .ifi_family = AF_UNSPEC } };
	struct nlmsghdr		*nh;
	struct ifinfomsg	 ifm;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	ssize_t			 n;
	int			 h, fd, lo = 0, done = 0, links = 0;
	int			 lo_index = (int)if_nametoindex("lo");

	ck_assert_int_gt(h = sb_socket(c, AF_NETLINK, SOCK_RAW,
	    NETLINK_ROUTE), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 0), 0);
	ck_assert_int_eq(sb_send(c, h, &req, sizeof req, 0),
	    (ssize_t)sizeof req);
	ck_assert_ptr_nonnull(buf = malloc(65536));
	while (!done) {
		ck_assert_msg(fixture_poll(fd, POLLIN, cp_wait()) == POLLIN,
		    "the dump stopped after %d links", links);
		while (!done && (n = sb_recv(c, h, buf, 65536, 0)) > 0) {
			nh = (struct nlmsghdr *)buf;
			for (; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
				ck_assert_int_eq(nh->nlmsg_seq, 42);
				if (nh->nlmsg_type == NLMSG_DONE) {
					done = 1;
					break;
				}
				ck_assert_int_eq(nh->nlmsg_type, RTM_NEWLINK);
				memcpy(&ifm, NLMSG_DATA(nh), sizeof ifm);
				links++;
				lo |= ifm.ifi_index == lo_index;
			}
		}
	}
	ck_assert_int_ne(lo, 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 100), 0);
	free(buf);
	sb_close_conn(c);
}
END_TEST

/*
 * Ends the echo clients' process, its status written to fd first: under
 * valgrind (CK_FORK=no) the exit status of a forked child is valgrind's
 * verdict on the heap it inherited, not ours.
 */
static void
cp_echo_exit(int fd, int status)
{
	unsigned char	 b = (unsigned char)status;

	if (write(fd, &b, 1) != 1)
		_exit(1);
	_exit(status);
}

/*
 * The echo server's clients (a child process of the test's own sockets):
 * CP_CLIENTS connections, each sends its own CP_MSG bytes, then reads
 * them back; status 0 (on fd) when every one came back intact.
 */
static void
cp_echo_clients(const struct sockaddr_storage *ss, socklen_t len, int out)
{
	struct timeval	 tv = { fixture_slow() ? 120 : 20, 0 };
	char		 want[CP_MSG], got[CP_MSG];
	ssize_t		 n;
	size_t		 have;
	int		 fd[CP_CLIENTS], i;

	for (i = 0; i < CP_CLIENTS; i++) {
		if ((fd[i] = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    connect(fd[i], (const struct sockaddr *)ss, len) == -1)
			cp_echo_exit(out, 2);
		setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	for (i = 0; i < CP_CLIENTS; i++) {
		memset(want, 'a' + i % 26, sizeof want);
		snprintf(want, sizeof want, "client %d:", i);
		if (write(fd[i], want, sizeof want) != (ssize_t)sizeof want)
			cp_echo_exit(out, 3);
	}
	for (i = 0; i < CP_CLIENTS; i++) {
		memset(want, 'a' + i % 26, sizeof want);
		snprintf(want, sizeof want, "client %d:", i);
		for (have = 0; have < sizeof got; have += (size_t)n) {
			if ((n = read(fd[i], got + have, sizeof got - have)) <=
			    0)
				cp_echo_exit(out, 4);
		}
		if (memcmp(got, want, sizeof want) != 0)
			cp_echo_exit(out, 5);
		close(fd[i]);
	}
	cp_echo_exit(out, 0);
}

/*
 * A one-thread poll() echo server on timeout-0 handles: a listener and
 * CP_CLIENTS accepted connections, all driven by plain poll() over their
 * channels; every client gets its bytes back and every EOF is seen.
 */
START_TEST(test_poll_echo_server_200_clients)
{
	struct sockaddr_storage	 ss;
	struct pollfd		 pfd[CP_CLIENTS + 1];
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[4096];
	double			 deadline;
	ssize_t			 n;
	pid_t			 pid;
	int			 hs[CP_CLIENTS + 1], np = 1, i, h, st;
	int			 res[2];
	unsigned char		 status = 0xff;
	int			 accepted = 0, closed = 0, echoed = 0;

	sb_setdefaulttimeout(c, 0);
	hs[0] = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_eq(sb_listen(c, hs[0], CP_CLIENTS), 0);
	pfd[0].fd = sb_fileno(c, hs[0]);
	pfd[0].events = POLLIN;
	ck_assert_int_ge(pfd[0].fd, 0);
	ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
	if ((pid = fork()) == 0) {
		close(res[0]);
		cp_echo_clients(&ss, len, res[1]);
	}
	ck_assert_int_gt(pid, 0);
	close(res[1]);
	deadline = fixture_now() + (fixture_slow() ? 300 : 30);
	while (closed < CP_CLIENTS && fixture_now() < deadline) {
		ck_assert_int_ge(poll(pfd, (nfds_t)np, 1000), 0);
		if (pfd[0].revents & POLLIN) {
			while ((h = sb_accept(c, hs[0], NULL, NULL)) > 0) {
				ck_assert_int_lt(np, CP_CLIENTS + 1);
				hs[np] = h;
				pfd[np].fd = sb_fileno(c, h);
				ck_assert_int_ge(pfd[np].fd, 0);
				pfd[np].revents = 0;
				pfd[np++].events = POLLIN;
				accepted++;
			}
			ck_assert_int_eq(errno, EAGAIN);
		}
		for (i = 1; i < np; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			n = sb_recv(c, hs[i], buf, sizeof buf, 0);
			if (n == -1 && errno == EAGAIN)
				continue;
			ck_assert_msg(n >= 0, "sb_recv: %s", strerror(errno));
			if (n == 0) {
				ck_assert_int_eq(sb_close(c, hs[i]), 0);
				pfd[i].fd = -1;
				closed++;
				continue;
			}
			ck_assert_int_eq(sb_send(c, hs[i], buf, (size_t)n, 0),
			    n);
			echoed += (int)n;
		}
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (read(res[0], &status, 1) != 1)
		status = 0xff;
	close(res[0]);
	ck_assert_msg(status == 0, "the clients failed: status %u, wait "
	    "status %#x (accepted %d, closed %d)", status, st, accepted,
	    closed);
	ck_assert_int_eq(accepted, CP_CLIENTS);
	ck_assert_int_eq(closed, CP_CLIENTS);
	ck_assert_int_eq(echoed, CP_CLIENTS * CP_MSG);
	sb_close_conn(c);
}
END_TEST

/*
 * Errors through poll: a UDP handle connected to a closed port reads
 * ECONNREFUSED once its channel polls readable; a TCP handle whose peer
 * resets reads ECONNRESET the same way.
 */
START_TEST(test_errors_seen_through_poll)
{
	struct sockaddr_storage	 ss;
	struct linger		 lg = { 1, 0 };
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, fd, l, s;

	close(cp_local(SOCK_DGRAM, &ss, &len, 0));	/* nobody there now */
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 0), 0);
	ck_assert_int_eq(sb_send(c, h, "anyone?", 7, 0), 7);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, cp_wait()) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 100), 0);

	l = cp_local(SOCK_STREAM, &ss, &len, 4);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(s = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 100), 0);
	ck_assert_int_eq(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg),
	    0);
	close(s);		/* a reset */
	ck_assert_int_eq(fixture_poll(fd, POLLIN, cp_wait()) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, ECONNRESET);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * A TCP channel whose peer does not read: timeout-0 sends until EAGAIN
 * (as an edge-triggered event loop writes) never block, the channel is
 * then not writable, and writable again once the peer has read all of it,
 * every byte; twenty rounds of that. (A send the channel took only part
 * of used to be finished blocking: the round hung.)
 */
START_TEST(test_stream_timeout0_send_never_blocks)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[65536];
	size_t			 sent = 0, got = 0;
	ssize_t			 n;
	int			 l, h, fd, s, round;

	memset(buf, 'w', sizeof buf);
	l = cp_local(SOCK_STREAM, &ss, &len, 4);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_ge(s = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(fcntl(s, F_SETFL, O_NONBLOCK), 0);
	for (round = 0; round < 20; round++) {
		/*
		 * Until the real socket is full too, the daemon keeps taking
		 * from the channel: write until EAGAIN, and again while it
		 * comes back writable within a tenth of a second.
		 */
		do {
			while ((n = sb_send(c, h, buf, sizeof buf, 0)) > 0)
				sent += (size_t)n;
			ck_assert_msg(n == -1 && errno == EAGAIN,
			    "sb_send: %zd %s", n, strerror(errno));
		} while (fixture_poll(fd, POLLOUT, 100) != 0);
		while (got < sent && fixture_poll(s, POLLIN, cp_wait())) {
			while ((n = read(s, buf, sizeof buf)) > 0)
				got += (size_t)n;
		}
		ck_assert_int_eq(got, sent);
		ck_assert_int_eq(fixture_poll(fd, POLLOUT, cp_wait()), POLLOUT);
	}
	close(s);
	close(l);
	sb_close_conn(c);
}
END_TEST

/* What the flooding thread writes to, and how much went. */
struct cp_flood {
	int		 tcp;		/* nonblocking, to the slow reader */
	int		 udp;		/* connected to the slow reader's */
	size_t		 tcp_bytes;
	long		 udp_sent;
	volatile int	 stop;
};

/* Writes to both of the slow reader's sockets as fast as they take it. */
static void *
cp_flood(void *arg)
{
	struct cp_flood	*f = arg;
	char		 buf[65536];
	ssize_t		 n;

	memset(buf, 'f', sizeof buf);
	while (!f->stop) {
		if ((n = write(f->tcp, buf, sizeof buf)) > 0)
			f->tcp_bytes += (size_t)n;
		if (send(f->udp, buf, 1024, MSG_DONTWAIT) > 0)
			f->udp_sent++;
		if (n <= 0)
			usleep(1000);
	}
	return (NULL);
}

/*
 * A client that never reads its TCP and UDP channels while they are
 * flooded: the daemon stops reading those sockets (what the writer got in
 * is bounded by the kernel's buffers and its send queue stays full, the
 * daemon's memory stays within CP_RSS_SLACK), while another client's round trips through its own
 * channel keep flowing; then everything sent on TCP is read, in full.
 */
START_TEST(test_slow_reader_bounded_others_served)
{
	struct sockaddr_storage	 ss, us, ps;
	struct cp_flood		 f;
	pthread_t		 t;
	socklen_t		 len, ulen, plen;
	sb_conn			*slow = fixture_open(), *fast = fixture_open();
	char			 buf[65536];
	double			 t0, t1, worst = 0;
	size_t			 got;
	ssize_t			 n;
	long			 rss0, rss1;
	int			 l, th, uh, fh, p, outq, trips = 0;

	memset(&f, 0, sizeof f);
	l = cp_local(SOCK_STREAM, &ss, &len, 4);
	ck_assert_int_gt(th = sb_socket(slow, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(sb_fileno(slow, th), 0);
	ck_assert_int_eq(sb_connect(slow, th, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(f.tcp = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(fcntl(f.tcp, F_SETFL, O_NONBLOCK), 0);
	uh = fixture_bound(slow, AF_INET, SOCK_DGRAM, &us, &ulen);
	ck_assert_int_ge(sb_fileno(slow, uh), 0);
	f.udp = cp_direct(AF_INET, SOCK_DGRAM, &us, ulen, 0);

	fh = fixture_bound(fast, AF_INET, SOCK_DGRAM, &us, &ulen);
	ck_assert_int_ge(sb_fileno(fast, fh), 0);
	ck_assert_int_eq(sb_settimeout(fast, fh, fixture_slow() ? 30 : 5), 0);
	p = cp_local(SOCK_DGRAM, &ps, &plen, 0);

	rss0 = fixture_rss_kb();
	ck_assert_int_eq(pthread_create(&t, NULL, cp_flood, &f), 0);
	t0 = fixture_now();
	while (fixture_now() - t0 < CP_FLOOD_SECS * (fixture_slow() ? 5 : 1)) {
		t1 = fixture_now();
		ck_assert_int_eq(sb_sendto(fast, fh, "rt", 2, 0,
		    (struct sockaddr *)&ps, plen), 2);
		ck_assert_int_eq(recv(p, buf, sizeof buf, 0), 2);
		ck_assert_int_eq(sendto(p, "tr", 2, 0, (struct sockaddr *)&us,
		    ulen), 2);
		ck_assert_msg(sb_recv(fast, fh, buf, sizeof buf, 0) == 2,
		    "round trip %d: %s", trips, strerror(errno));
		if (fixture_now() - t1 > worst)
			worst = fixture_now() - t1;
		trips++;
	}
	rss1 = fixture_rss_kb();
	f.stop = 1;
	pthread_join(t, NULL);
	fprintf(stderr, "e2e_chanpoll: slow reader flooded with %zu TCP bytes "
	    "and %ld datagrams; daemon RSS %ld -> %ld kB; %d round trips of "
	    "the other client, the slowest %.1f ms\n", f.tcp_bytes, f.udp_sent,
	    rss0, rss1, trips, worst * 1000);
	ck_assert_int_lt(f.tcp_bytes, 64 * 1024 * 1024);
	ck_assert_int_lt(rss1 - rss0, CP_RSS_SLACK);
	ck_assert_int_ge(trips, fixture_slow() ? 20 : 200);
	ck_assert(worst < (fixture_slow() ? 10.0 : 2.0));
	/* The daemon stopped reading: what is left waits in the writer. */
	ck_assert_int_eq(ioctl(f.tcp, SIOCOUTQ, &outq), 0);
	ck_assert_int_gt(outq, 0);

	close(f.tcp);
	for (got = 0; (n = sb_recv(slow, th, buf, sizeof buf, 0)) > 0;)
		got += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(got, f.tcp_bytes);
	close(f.udp);
	close(p);
	close(l);
	sb_close_conn(fast);
	sb_close_conn(slow);
}
END_TEST

/* Opens CP_KILL_PAIRS UDP and TCP handles with channels, data pending. */
static void
cp_many_channels(sb_conn *c, void *arg)
{
	struct sockaddr_storage	*ss = arg;
	int			 i, h;

	for (i = 0; i < CP_KILL_PAIRS; i++) {
		h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
		if (sb_fileno(c, h) == -1)
			_exit(2);
		h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
		if (sb_fileno(c, h) == -1 || sb_connect(c, h,
		    (struct sockaddr *)ss, sizeof(struct sockaddr_in)) == -1)
			_exit(3);
		sb_send(c, h, "pending", 7, 0);
	}
}

/*
 * A client holding CP_KILL_PAIRS UDP and as many TCP channels, some with
 * data the daemon is passing on, is SIGKILLed: the daemon's descriptors
 * come back to their baseline.
 */
START_TEST(test_descriptors_back_after_kill_many_channels)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	pid_t			 pid;
	int			 base, l, st;

	l = cp_local(SOCK_STREAM, &ss, &len, CP_KILL_PAIRS + 8);
	base = fixture_fd_baseline();
	pid = fixture_hold(cp_many_channels, &ss);
	/* The session, and a socket and a channel end per handle. */
	ck_assert_int_ge(fixture_fd_count(), base + 1 + 4 * CP_KILL_PAIRS);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	if (fixture_fd_wait(base) > base)
		fixture_fd_dump();
	ck_assert_int_le(fixture_fd_wait(base), base);
	close(l);
}
END_TEST

/* Builds the suite. */
Suite *
e2e_chanpoll_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_chanpoll");
	tc = fixture_tcase("families");
	tcase_add_test(tc, test_unix_dgram_and_stream_poll);
	tcase_add_test(tc, test_raw_icmp_echo_poll);
	tcase_add_test(tc, test_packet_capture_poll);
	tcase_add_test(tc, test_netlink_dump_poll_to_done);
	tcase_add_test(tc, test_errors_seen_through_poll);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("load");
	tcase_add_test(tc, test_poll_echo_server_200_clients);
	tcase_add_test(tc, test_slow_reader_bounded_others_served);
	tcase_add_test(tc, test_descriptors_back_after_kill_many_channels);
	tcase_set_timeout(tc, fixture_slow() ? 600 : 60);
	suite_add_tcase(s, tc);

	/* Apart: it shows a bug in the channel core (a hang; see above). */
	tc = fixture_tcase("stream_timeout0");
	tcase_add_test(tc, test_stream_timeout0_send_never_blocks);
	tcase_set_timeout(tc, fixture_slow() ? 300 : 20);
	suite_add_tcase(s, tc);
	return (s);
}
