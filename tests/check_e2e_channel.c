/* SPDX-License-Identifier: ISC */
/*
 * Data channels end to end (sb_fileno): poll() on the channel of UDP,
 * AF_UNIX, netlink and TCP handles (data, a waiting connection, a finished
 * non-blocking connect, EOF), receives through it with the request path's
 * semantics (addresses, MSG_PEEK, MSG_TRUNC, timeouts), bulk data both
 * ways, batches (sb_recvmmsg, sb_sendmmsg), a reader that never drains its
 * channel beside one served as usual, malformed channel messages, a
 * policy-denied send (EACCES, nothing delivered, audited), and the
 * daemon's descriptors back to their baseline after a close and after a
 * client is killed. Last, once, the rate of 64-byte UDP receives by
 * channel against direct recv (printed).
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <sys/un.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

#define CHAN_BULK	(8 * 1024 * 1024)	/* bytes each way */
#define CHAN_LATE	(160 * 1024)		/* sent just before a close */
#define CHAN_DENY_LO	47100			/* ports the policy denies */
#define CHAN_DENY_HI	47199
#define CHAN_RATE_SECS	1.0			/* each side of the measure */
#define CHAN_MIXED	(2 * 1024 * 1024)	/* sent in mixed sends */

static char		 chan_policy_dir[64];
static char		 chan_policy[PATH_MAX];
static const char *const chan_policy_args[] = {
	"--audit-file", "{dir}/audit.log", "--policy", chan_policy, NULL,
};

static int	 chan_udp(sb_conn *, struct sockaddr_storage *, socklen_t *);
static int	 chan_direct_udp(struct sockaddr_storage *, socklen_t *);
static int	 chan_poll(int, short, int);
static void	 chan_send_direct(int, const struct sockaddr_storage *,
		     socklen_t, const char *, size_t);
static uint32_t	 chan_sum(const uint8_t *, size_t, uint32_t);
static int	 chan_direct_listener(struct sockaddr_storage *, socklen_t *,
		     int);
static int	 chan_tcp_to(sb_conn *, const struct sockaddr_storage *,
		     socklen_t);
static void	*chan_bulk_writer(void *);
static void	*chan_bulk_reader(void *);
static void	*chan_late_reader(void *);
static void	*chan_blaster(void *);
static void	*chan_slow_reader(void *);
static void	*chan_late_writer(void *);
static double	 chan_rate(sb_conn *, int, int);
static void	 chan_policy_setup(void);
static void	 chan_policy_teardown(void);

/* A UDP handle bound to 127.0.0.1; its address in ss. */
static int
chan_udp(sb_conn *c, struct sockaddr_storage *ss, socklen_t *len)
{
	return (fixture_bound(c, AF_INET, SOCK_DGRAM, ss, len));
}

/* A UDP socket of the test's own on 127.0.0.1; its address in ss. */
static int
chan_direct_udp(struct sockaddr_storage *ss, socklen_t *len)
{
	int	 fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)ss, *len), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return (fd);
}

/* poll() of one descriptor: its revents (0 after ms milliseconds). */
static int
chan_poll(int fd, short events, int ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 r;

	r = poll(&pfd, 1, fixture_slow() && ms > 0 ? ms * 10 : ms);
	ck_assert_int_ge(r, 0);
	return (r == 0 ? 0 : pfd.revents);
}

/* Sends a datagram from a socket of the test's own to ss. */
static void
chan_send_direct(int fd, const struct sockaddr_storage *ss, socklen_t len,
    const char *buf, size_t n)
{
	ck_assert_int_eq(sendto(fd, buf, n, 0, (const struct sockaddr *)ss,
	    len), (ssize_t)n);
}

/* A running checksum (Adler-like, order-sensitive) of buf. */
static uint32_t
chan_sum(const uint8_t *buf, size_t len, uint32_t sum)
{
	uint32_t	 a = sum & 0xffff, b = sum >> 16;
	size_t		 i;

	for (i = 0; i < len; i++) {
		a = (a + buf[i]) % 65521;
		b = (b + a) % 65521;
	}
	return (b << 16 | a);
}

/* What a bulk thread moves over a direct TCP socket, and its checksum. */
struct chan_bulk {
	int		 fd;
	size_t		 len;
	uint32_t	 sum;
	size_t		 done;
};

/* A direct TCP listener on 127.0.0.1 with backlog; its address in ss. */
static int
chan_direct_listener(struct sockaddr_storage *ss, socklen_t *len,
    int backlog)
{
	int	 fd, on = 1;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	*len = fixture_addr(ss, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)ss, *len), 0);
	ck_assert_int_eq(listen(fd, backlog), 0);
	*len = sizeof *ss;
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return (fd);
}

/* A brokered TCP handle with its channel, connected to ss. */
static int
chan_tcp_to(sb_conn *c, const struct sockaddr_storage *ss, socklen_t len)
{
	int	 h;

	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_msg(sb_connect(c, h, (const struct sockaddr *)ss, len) == 0,
	    "sb_connect: %s", strerror(errno));
	return (h);
}

/* Writes b->len pseudo-random bytes to b->fd, then shuts it for writing. */
static void *
chan_bulk_writer(void *arg)
{
	struct chan_bulk	*b = arg;
	uint8_t			 buf[65536];
	size_t			 i, n;
	ssize_t			 w;
	uint32_t		 x = 12345;

	b->sum = 1;
	while (b->done < b->len) {
		n = b->len - b->done < sizeof buf ? b->len - b->done :
		    sizeof buf;
		for (i = 0; i < n; i++) {
			x = x * 1103515245 + 12345;
			buf[i] = (uint8_t)(x >> 16);
		}
		b->sum = chan_sum(buf, n, b->sum);
		for (i = 0; i < n; i += (size_t)w) {
			if ((w = write(b->fd, buf + i, n - i)) <= 0)
				return (NULL);
		}
		b->done += n;
	}
	shutdown(b->fd, SHUT_WR);
	return (NULL);
}

/* Reads b->fd to its EOF, summing what came. */
static void *
chan_bulk_reader(void *arg)
{
	struct chan_bulk	*b = arg;
	uint8_t			 buf[65536];
	ssize_t			 n;

	b->sum = 1;
	while ((n = read(b->fd, buf, sizeof buf)) > 0) {
		b->sum = chan_sum(buf, (size_t)n, b->sum);
		b->done += (size_t)n;
	}
	return (NULL);
}

/* A listener's channel is readable while a connection waits on it. */
START_TEST(test_tcp_listener_readable_on_waiting_connection)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	int			 l, fd, d, a;

	l = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_ge(fd = sb_fileno(c, l), 0);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 100), 0);
	ck_assert_int_ge(d = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(d, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	ck_assert_int_gt(a = sb_accept(c, l, NULL, NULL), 0);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 200), 0);
	ck_assert_int_eq(sb_settimeout(c, l, 0), 0);
	ck_assert_int_eq(sb_accept(c, l, NULL, NULL), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(d);
	ck_assert_int_eq(sb_close(c, a), 0);
	sb_close_conn(c);
}
END_TEST

/*
 * A non-blocking connect's channel is not writable while the connect is
 * in progress (the listener's queue is full: the SYN goes unanswered),
 * and becomes writable once it is done.
 */
START_TEST(test_tcp_nonblocking_connect_writable_when_done)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	int			 l, d, h, fd, r, err = -1;
	socklen_t		 elen = sizeof err;

	l = chan_direct_listener(&ss, &len, 0);
	ck_assert_int_ge(d = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(d, (struct sockaddr *)&ss, len), 0);
	usleep(50000);		/* d fills the queue */
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	r = sb_connect(c, h, (struct sockaddr *)&ss, len);
	ck_assert_msg(r == -1 && errno == EINPROGRESS, "connect: %d %s", r,
	    strerror(errno));
	ck_assert_int_eq(chan_poll(fd, POLLOUT, 300) & POLLOUT, 0);
	close(accept(l, NULL, NULL));	/* room: the SYN is retried */
	ck_assert_int_eq(chan_poll(fd, POLLOUT, 5000) & POLLOUT, POLLOUT);
	ck_assert_int_eq(sb_getsockopt(c, h, SOL_SOCKET, SO_ERROR, &err,
	    &elen), 0);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(sb_send(c, h, "after", 5, 0), 5);
	close(d);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * 8 MiB each way through a TCP handle's channel, checksummed; EOF shows
 * as readable and recv 0; what was sent before sb_close all arrives.
 */
START_TEST(test_tcp_bulk_both_ways_and_eof)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct chan_bulk	 in = { .len = CHAN_BULK }, out = { 0 };
	pthread_t		 tin, tout;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	uint32_t		 x = 999, sum = 1;
	size_t			 got = 0, i;
	ssize_t			 n;
	int			 l, h, fd;

	l = chan_direct_listener(&ss, &len, 4);
	h = chan_tcp_to(c, &ss, len);
	fd = sb_fileno(c, h);
	ck_assert_int_ge(in.fd = accept(l, NULL, NULL), 0);
	out.fd = in.fd;
	ck_assert_int_eq(pthread_create(&tin, NULL, chan_bulk_writer, &in), 0);
	ck_assert_int_eq(pthread_create(&tout, NULL, chan_bulk_reader, &out),
	    0);
	ck_assert_ptr_nonnull(buf = malloc(CHAN_BULK));
	for (i = 0; i < CHAN_BULK; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	ck_assert_int_eq(sb_sendall(c, h, buf, CHAN_BULK, 0), 0);
	while ((n = sb_recv(c, h, buf, 100000, 0)) > 0) {
		sum = chan_sum(buf, (size_t)n, sum);
		got += (size_t)n;
	}
	ck_assert_int_eq(n, 0);
	pthread_join(tin, NULL);
	ck_assert_int_eq(got, CHAN_BULK);
	ck_assert_uint_eq(sum, in.sum);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 0) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, 10, 0), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	pthread_join(tout, NULL);
	ck_assert_int_eq(out.done, CHAN_BULK);
	for (i = 0, x = 999, sum = 1; i < CHAN_BULK; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	ck_assert_uint_eq(out.sum, chan_sum(buf, CHAN_BULK, 1));
	free(buf);
	close(in.fd);
	close(l);
	sb_close_conn(c);
}
END_TEST

/* What a delayed reader thread reads: fd, after delay seconds. */
struct chan_late {
	struct chan_bulk	 b;
	double			 delay;
};

/* Reads b.fd to its EOF once the delay is over. */
static void *
chan_late_reader(void *arg)
{
	struct chan_late	*l = arg;

	usleep((useconds_t)(l->delay * 1e6));
	return (chan_bulk_reader(&l->b));
}

/*
 * What was sent before sb_close, still in the channel then, all arrives:
 * the close waits for the daemon to pass it on.
 */
START_TEST(test_tcp_close_delivers_what_was_sent)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct chan_late	 r = { .delay = 0.3 };
	pthread_t		 t;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	size_t			 i;
	int			 l, h, rcvbuf = 16384;

	l = chan_direct_listener(&ss, &len, 4);
	/* Small buffers: much of what is sent is still in the channel. */
	ck_assert_int_eq(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof rcvbuf), 0);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_SNDBUF, &rcvbuf,
	    sizeof rcvbuf), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(r.b.fd = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, chan_late_reader, &r), 0);
	ck_assert_ptr_nonnull(buf = malloc(CHAN_LATE));
	for (i = 0; i < CHAN_LATE; i++)
		buf[i] = (uint8_t)(i * 7 + i / 65536);
	ck_assert_int_eq(sb_sendall(c, h, buf, CHAN_LATE, 0), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.b.done, CHAN_LATE);
	ck_assert_uint_eq(r.b.sum, chan_sum(buf, CHAN_LATE, 1));
	free(buf);
	close(r.b.fd);
	close(l);
	sb_close_conn(c);
}
END_TEST

/* Partial reads of a chunk, MSG_PEEK and FIONREAD on a TCP channel. */
START_TEST(test_tcp_partial_reads_and_peek)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[64];
	int			 l, h, d, n;

	l = chan_direct_listener(&ss, &len, 4);
	h = chan_tcp_to(c, &ss, len);
	ck_assert_int_ge(d = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(write(d, "abcdefghij", 10), 10);
	ck_assert_int_eq(chan_poll(sb_fileno(c, h), POLLIN, 2000) & POLLIN,
	    POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, 3, MSG_PEEK), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(sb_recv(c, h, buf, 4, 0), 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	ck_assert_int_eq(sb_recv(c, h, buf, 2, MSG_PEEK), 2);
	ck_assert_mem_eq(buf, "ef", 2);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 6);
	ck_assert_mem_eq(buf, "efghij", 6);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(d);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * The daemon's descriptors come back to their baseline when handles with
 * channels close, and when a client holding some is killed.
 */
START_TEST(test_descriptors_back_after_close_and_kill)
{
	struct sockaddr_storage	 ss, us;
	socklen_t		 len, ulen;
	sb_conn			*c;
	pid_t			 pid;
	int			 base, l, h, u, p[2], st;
	char			 x;

	base = fixture_fd_baseline();
	l = chan_direct_listener(&ss, &len, 16);
	c = fixture_open();
	h = chan_tcp_to(c, &ss, len);
	u = chan_udp(c, &us, &ulen);
	ck_assert_int_ge(sb_fileno(c, u), 0);
	ck_assert_int_ge(fixture_fd_count(), base + 4);
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(sb_close(c, u), 0);
	ck_assert_int_le(fixture_fd_wait(base + 1), base + 1);	/* c itself */
	sb_close_conn(c);
	ck_assert_int_le(fixture_fd_wait(base), base);

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		c = sb_open(fixture_path());
		if (c == NULL)
			_exit(1);
		h = sb_socket(c, AF_INET, SOCK_STREAM, 0);
		sb_fileno(c, h);
		sb_connect(c, h, (struct sockaddr *)&ss, len);
		u = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
		sb_fileno(c, u);
		sb_send(c, h, "unread", 6, 0);
		(void)write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &x, 1), 1);
	close(p[0]);
	ck_assert_int_ge(fixture_fd_count(), base + 5);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ck_assert_int_le(fixture_fd_wait(base), base);
	close(l);
}
END_TEST

/* poll() on a UDP handle's channel: readable exactly when data waits. */
START_TEST(test_udp_poll_readable_with_data)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, fd, d;

	h = chan_udp(c, &ss, &len);
	fd = sb_fileno(c, h);
	ck_assert_msg(fd >= 0, "sb_fileno: %s", strerror(errno));
	ck_assert_int_eq(sb_fileno(c, h), fd);
	ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 0), 0);
	ck_assert_int_eq(chan_poll(fd, POLLOUT, 0), POLLOUT);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "hello", 5);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(chan_poll(fd, POLLIN, 0), 0);
	close(d);
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}
END_TEST

/* recvfrom through the channel gives the address the request path gives. */
START_TEST(test_udp_recvfrom_address_as_request_path)
{
	struct sockaddr_storage	 ss, ds, a1, a2;
	socklen_t		 len, dlen, l1 = sizeof a1, l2 = sizeof a2;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, d;

	h = chan_udp(c, &ss, &len);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "one", 3);
	memset(&a1, 0, sizeof a1);
	ck_assert_int_eq(sb_recvfrom(c, h, buf, sizeof buf, 0,
	    (struct sockaddr *)&a1, &l1), 3);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	chan_send_direct(d, &ss, len, "two", 3);
	memset(&a2, 0xff, sizeof a2);
	ck_assert_int_eq(sb_recvfrom(c, h, buf, sizeof buf, 0,
	    (struct sockaddr *)&a2, &l2), 3);
	ck_assert_mem_eq(buf, "two", 3);
	ck_assert_int_eq(l1, l2);
	ck_assert_int_eq(l2, sizeof(struct sockaddr_in));
	ck_assert_mem_eq(&a1, &a2, l1);
	ck_assert_int_eq(fixture_port(&a2), fixture_port(&ds));
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * MSG_PEEK leaves the datagram, MSG_TRUNC gives its real length; a
 * timeout of 0 is EAGAIN at once, a timeout of 0.2 s EAGAIN (kind timeout)
 * after it; FIONREAD counts the next datagram.
 */
START_TEST(test_udp_peek_trunc_and_timeouts)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	char			 buf[64];
	double			 t0;
	int			 h, d, n;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "0123456789", 10);
	ck_assert_int_eq(sb_recv(c, h, buf, 4, MSG_PEEK), 4);
	ck_assert_mem_eq(buf, "0123", 4);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(sb_recv(c, h, buf, 4, MSG_TRUNC), 10);
	ck_assert_mem_eq(buf, "0123", 4);
	ck_assert_int_eq(sb_ioctl(c, h, FIONREAD, &n), 0);
	ck_assert_int_eq(n, 0);

	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_settimeout(c, h, 0.2), 0);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_TIMEOUT);
	ck_assert(fixture_now() - t0 >= 0.19);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* Sends through the channel reach the peer; its answer comes back. */
START_TEST(test_udp_sendto_through_channel)
{
	struct sockaddr_storage	 ss, ds, from;
	socklen_t		 len, dlen, flen = sizeof from;
	sb_conn			*c = fixture_open();
	char			 buf[64];
	int			 h, d;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	ck_assert_int_eq(sb_sendto(c, h, "ping", 4, 0, (struct sockaddr *)&ds,
	    dlen), 4);
	ck_assert_int_eq(recvfrom(d, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &flen), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(fixture_port(&from), fixture_port(&ss));
	chan_send_direct(d, &from, flen, "pong", 4);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "pong", 4);
	ck_assert_int_eq(sb_sendto(c, h, "x", 1, 0x40000000,
	    (struct sockaddr *)&ds, dlen), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* sb_recvmmsg takes what waits in one call; sb_sendmmsg sends a batch. */
START_TEST(test_udp_recvmmsg_sendmmsg_batches)
{
	struct sockaddr_storage	 ss, ds, from[8];
	socklen_t		 len, dlen;
	struct mmsghdr		 vec[8];
	struct iovec		 iov[8];
	sb_conn			*c = fixture_open();
	char			 bufs[8][32], buf[32];
	int			 h, d, i, n;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof buf, "dgram %d", i);
		chan_send_direct(d, &ss, len, buf, strlen(buf));
	}
	ck_assert_int_eq(chan_poll(sb_fileno(c, h), POLLIN, 2000) & POLLIN,
	    POLLIN);
	usleep(fixture_slow() ? 500000 : 50000);	/* all five in */
	memset(vec, 0, sizeof vec);
	for (i = 0; i < 8; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &from[i];
		vec[i].msg_hdr.msg_namelen = sizeof from[i];
	}
	ck_assert_int_eq(n = sb_recvmmsg(c, h, vec, 8, 0), 5);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "dgram %d", i);
		ck_assert_int_eq(vec[i].msg_len, strlen(buf));
		ck_assert_mem_eq(bufs[i], buf, strlen(buf));
		ck_assert_int_eq(fixture_port(&from[i]), fixture_port(&ds));
	}
	ck_assert_int_eq(sb_recvmmsg(c, h, vec, 8, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);

	memset(vec, 0, sizeof vec);
	for (i = 0; i < 6; i++) {
		snprintf(bufs[i], sizeof bufs[i], "batch %d", i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = strlen(bufs[i]);
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &ds;
		vec[i].msg_hdr.msg_namelen = dlen;
	}
	ck_assert_int_eq(sb_sendmmsg(c, h, vec, 6, 0), 6);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(vec[i].msg_len, strlen(bufs[i]));
		ck_assert_int_eq(n = recv(d, buf, sizeof buf, 0),
		    (ssize_t)strlen(bufs[i]));
		ck_assert_mem_eq(buf, bufs[i], (size_t)n);
	}
	close(d);
	sb_close_conn(c);
}
END_TEST

/* AF_UNIX datagrams through both ends' channels, with the sender's path. */
START_TEST(test_unix_dgram_through_channels)
{
	struct sockaddr_un	 aa, ba, from;
	socklen_t		 flen = sizeof from;
	sb_conn			*c = fixture_open();
	char			 buf[32];
	int			 a, b;

	memset(&aa, 0, sizeof aa);
	aa.sun_family = AF_UNIX;
	snprintf(aa.sun_path, sizeof aa.sun_path, "%s/ca.sock", fixture_dir());
	ba = aa;
	snprintf(ba.sun_path, sizeof ba.sun_path, "%s/cb.sock", fixture_dir());
	ck_assert_int_gt(a = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_gt(b = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_bind(c, a, (struct sockaddr *)&aa, sizeof aa), 0);
	ck_assert_int_eq(sb_bind(c, b, (struct sockaddr *)&ba, sizeof ba), 0);
	ck_assert_int_ge(sb_fileno(c, a), 0);
	ck_assert_int_ge(sb_fileno(c, b), 0);
	ck_assert_int_eq(sb_sendto(c, a, "over unix", 9, 0,
	    (struct sockaddr *)&ba, sizeof ba), 9);
	ck_assert_int_eq(chan_poll(sb_fileno(c, b), POLLIN, 2000) & POLLIN,
	    POLLIN);
	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_recvfrom(c, b, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &flen), 9);
	ck_assert_mem_eq(buf, "over unix", 9);
	ck_assert_str_eq(from.sun_path, aa.sun_path);
	unlink(aa.sun_path);
	unlink(ba.sun_path);
	sb_close_conn(c);
}
END_TEST

/* A netlink dump asked and read through the channel. */
START_TEST(test_netlink_dump_through_channel)
{
	struct {
		struct nlmsghdr		 nh;
		struct ifinfomsg	 ifm;
	} req = {
		.nh = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 7 },
		.ifm = { .ifi_family = AF_UNSPEC },
	};
	struct nlmsghdr		 nh;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	ssize_t			 n;
	int			 h;

	ck_assert_int_gt(h = sb_socket(c, AF_NETLINK, SOCK_RAW,
	    NETLINK_ROUTE), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_send(c, h, &req, sizeof req, 0),
	    (ssize_t)sizeof req);
	ck_assert_int_eq(chan_poll(sb_fileno(c, h), POLLIN, 2000) & POLLIN,
	    POLLIN);
	ck_assert_ptr_nonnull(buf = malloc(65536));
	ck_assert_int_gt(n = sb_recv(c, h, buf, 65536, 0),
	    (ssize_t)sizeof nh);
	memcpy(&nh, buf, sizeof nh);
	ck_assert(nh.nlmsg_type == RTM_NEWLINK || nh.nlmsg_type == NLMSG_DONE);
	ck_assert_int_eq(nh.nlmsg_seq, 7);
	free(buf);
	sb_close_conn(c);
}
END_TEST

/*
 * A client that never drains its channel while datagrams pour in: the
 * channel and then the socket fill (the kernel drops the rest), the daemon
 * holds no more than a batch, and another client is served as usual.
 */
START_TEST(test_slow_reader_does_not_stall_others)
{
	struct sockaddr_storage	 ss, ds, bs;
	socklen_t		 len, dlen, blen;
	sb_conn			*slow = fixture_open(), *other = fixture_open();
	char			 buf[1024], pad[1024];
	double			 t0;
	int			 h, b, d, i;

	memset(pad, 'p', sizeof pad);
	h = chan_udp(slow, &ss, &len);
	ck_assert_int_ge(sb_fileno(slow, h), 0);
	b = chan_udp(other, &bs, &blen);
	ck_assert_int_ge(sb_fileno(other, b), 0);
	ck_assert_int_eq(sb_settimeout(other, b, fixture_slow() ? 30 : 2), 0);
	d = chan_direct_udp(&ds, &dlen);
	for (i = 0; i < 20000; i++)
		(void)sendto(d, pad, sizeof pad, MSG_DONTWAIT,
		    (struct sockaddr *)&ss, len);
	t0 = fixture_now();
	for (i = 0; i < 50; i++) {
		chan_send_direct(d, &bs, blen, "quick", 5);
		ck_assert_int_eq(sb_recv(other, b, buf, sizeof buf, 0), 5);
	}
	ck_assert(fixture_now() - t0 < (fixture_slow() ? 30 : 2));
	/* The slow one still gets what its channel held, in order. */
	ck_assert_int_eq(sb_recv(slow, h, buf, sizeof buf, MSG_DONTWAIT),
	    (ssize_t)sizeof pad);
	close(d);
	sb_close_conn(slow);
	sb_close_conn(other);
}
END_TEST

/*
 * Garbage written straight into channels (datagram and stream) closes
 * those channels, not the session nor the daemon: the handles' requests
 * still work, and a new handle gets a working channel.
 */
START_TEST(test_malformed_channel_messages_close_the_channel)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	uint8_t			 junk[300];
	char			 buf[16];
	int			 h, t, l, fd, d, i;

	for (i = 0; i < (int)sizeof junk; i++)
		junk[i] = (uint8_t)(i * 37 + 5);
	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(send(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
	l = chan_direct_listener(&ds, &dlen, 4);
	t = chan_tcp_to(c, &ds, dlen);
	ck_assert_int_eq(send(sb_fileno(c, t), junk, sizeof junk, 0),
	    (ssize_t)sizeof junk);
	/* The daemon closes its ends: both read EOF. */
	ck_assert_int_eq(chan_poll(fd, POLLIN, 2000) & (POLLIN | POLLHUP),
	    POLLIN | POLLHUP);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 0);
	ck_assert_int_ne(chan_poll(sb_fileno(c, t), POLLIN, 2000) & POLLHUP,
	    0);
	len = sizeof ss;
	ck_assert_int_eq(sb_getsockname(c, h, (struct sockaddr *)&ss, &len), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(sb_close(c, t), 0);
	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	d = chan_direct_udp(&ds, &dlen);
	chan_send_direct(d, &ss, len, "alive", 5);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 5);
	close(d);
	close(l);
	sb_close_conn(c);
}
END_TEST

/* The daemons of a TCase run a policy that denies UDP to a port range. */
static void
chan_policy_setup(void)
{
	FILE	*f;

	snprintf(chan_policy_dir, sizeof chan_policy_dir,
	    "/tmp/sb-chan-policy.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(chan_policy_dir));
	snprintf(chan_policy, sizeof chan_policy, "%s/policy.conf",
	    chan_policy_dir);
	ck_assert_ptr_nonnull(f = fopen(chan_policy, "w"));
	fprintf(f, "permit * family inet type dgram,stream\n"
	    "deny * family inet type dgram port %d-%d\n", CHAN_DENY_LO,
	    CHAN_DENY_HI);
	ck_assert_int_eq(fclose(f), 0);
	fixture_set_args(chan_policy_args);
}

static void
chan_policy_teardown(void)
{
	fixture_set_args(NULL);
	unlink(chan_policy);
	rmdir(chan_policy_dir);
}

/*
 * A sendto the policy denies, through the channel: EACCES with kind
 * policy, nothing arrives, the audit log has it; the next one, allowed,
 * goes.
 */
START_TEST(test_udp_denied_sendto_through_channel)
{
	struct sockaddr_storage	 ss, ds, ok;
	socklen_t		 len, dlen, oklen;
	sb_conn			*c = fixture_open();
	char			 buf[16], want[64];
	int			 h, d = -1, k, port;
	double			 deadline;

	for (port = CHAN_DENY_LO; port <= CHAN_DENY_HI && d == -1; port++) {
		ck_assert_int_ge(d = socket(AF_INET, SOCK_DGRAM, 0), 0);
		dlen = fixture_addr(&ds, AF_INET, "127.0.0.1", port);
		if (bind(d, (struct sockaddr *)&ds, dlen) == -1) {
			close(d);
			d = -1;
		}
	}
	ck_assert_int_ge(d, 0);
	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_sendto(c, h, "secret", 6, 0,
	    (struct sockaddr *)&ds, dlen), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_POLICY);
	k = chan_direct_udp(&ok, &oklen);
	ck_assert_int_eq(sb_sendto(c, h, "fine", 4, 0, (struct sockaddr *)&ok,
	    oklen), 4);
	ck_assert_int_eq(recv(k, buf, sizeof buf, 0), 4);
	ck_assert_int_eq(recv(d, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	snprintf(want, sizeof want, "remote=127.0.0.1:%d ", fixture_port(&ds));
	deadline = fixture_now() + (fixture_slow() ? 20 : 3);
	while (fixture_file_count("audit.log", want, " op=send ") == 0 &&
	    fixture_now() < deadline)
		usleep(20000);
	ck_assert_int_ge(fixture_file_count("audit.log", want, " op=send "), 1);
	close(d);
	close(k);
	sb_close_conn(c);
}
END_TEST

/* What the blaster thread sends 64-byte datagrams to, until stop. */
struct chan_blast {
	int				 fd;
	struct sockaddr_storage		 to;
	socklen_t			 tolen;
	volatile int			 stop;
};

/* Sends 64-byte datagrams as fast as it can, in batches. */
static void *
chan_blaster(void *arg)
{
	struct chan_blast	*b = arg;
	struct mmsghdr		 vec[32];
	struct iovec		 iov;
	char			 buf[64];
	int			 i;

	memset(buf, 'x', sizeof buf);
	iov.iov_base = buf;
	iov.iov_len = sizeof buf;
	memset(vec, 0, sizeof vec);
	for (i = 0; i < 32; i++) {
		vec[i].msg_hdr.msg_iov = &iov;
		vec[i].msg_hdr.msg_iovlen = 1;
		vec[i].msg_hdr.msg_name = &b->to;
		vec[i].msg_hdr.msg_namelen = b->tolen;
	}
	while (!b->stop)
		(void)sendmmsg(b->fd, vec, 32, 0);
	return (NULL);
}

/*
 * Datagrams a second received for CHAN_RATE_SECS: through handle h of c
 * (sb_recv), or, with h 0, directly on fd.
 */
static double
chan_rate(sb_conn *c, int h, int fd)
{
	char	 buf[64];
	double	 t0, t;
	long	 n = 0;

	t0 = fixture_now();
	do {
		if (h != 0)
			n += sb_recv(c, h, buf, sizeof buf, 0) > 0;
		else
			n += recv(fd, buf, sizeof buf, 0) > 0;
		t = fixture_now();
	} while (t - t0 < CHAN_RATE_SECS);
	return ((double)n / (t - t0));
}

/*
 * Prints, once, 64-byte UDP receives a second by sb_recv on a channel
 * and by direct recv in this process, with a sender flooding each (a
 * measure, not a check: the benchmarks of tests/bench are the reference).
 */
START_TEST(test_measure_udp_receive_rate)
{
	struct chan_blast	 b;
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	struct timeval		 tv = { 1, 0 };
	pthread_t		 t;
	sb_conn			*c = fixture_open();
	double			 chan, direct;
	int			 h, d;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 1), 0);
	memset(&b, 0, sizeof b);
	ck_assert_int_ge(b.fd = socket(AF_INET, SOCK_DGRAM, 0), 0);
	memcpy(&b.to, &ss, len);
	b.tolen = len;
	ck_assert_int_eq(pthread_create(&t, NULL, chan_blaster, &b), 0);
	chan = chan_rate(c, h, -1);
	b.stop = 1;
	pthread_join(t, NULL);

	d = chan_direct_udp(&ds, &dlen);
	setsockopt(d, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	memcpy(&b.to, &ds, dlen);
	b.tolen = dlen;
	b.stop = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, chan_blaster, &b), 0);
	direct = chan_rate(NULL, 0, d);
	b.stop = 1;
	pthread_join(t, NULL);
	fprintf(stderr, "e2e_channel: 64-byte UDP receive: sb_recv on a "
	    "channel %.0f/s, direct recv %.0f/s (%.0f%%)\n", chan, direct,
	    direct > 0 ? 100 * chan / direct : 0.0);
	close(b.fd);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* Reads b->fd to its EOF in small reads, pausing now and then. */
static void *
chan_slow_reader(void *arg)
{
	struct chan_bulk	*b = arg;
	uint8_t			 buf[1500];
	ssize_t			 n;
	unsigned int		 i = 0;

	b->sum = 1;
	while ((n = read(b->fd, buf, sizeof buf)) > 0) {
		b->sum = chan_sum(buf, (size_t)n, b->sum);
		b->done += (size_t)n;
		if (++i % 64 == 0)
			usleep(500);
	}
	return (NULL);
}

/*
 * Large sends (the daemon splices them), small ones and ones with flags
 * (it copies those) reach a slow peer whole and in order through small
 * socket buffers (what a splice leaves the socket is copied after it).
 */
START_TEST(test_tcp_spliced_and_copied_sends_keep_order)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct chan_bulk	 r = { 0 };
	pthread_t		 t;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	size_t			 i, off = 0, want;
	const size_t		 sizes[] = { 65536, 3000, 20000, 100, 40000 };
	ssize_t			 n;
	int			 l, h, small = 16384, flags;

	l = chan_direct_listener(&ss, &len, 4);
	ck_assert_int_eq(setsockopt(l, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof small), 0);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof small), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(r.fd = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, chan_slow_reader, &r), 0);
	ck_assert_ptr_nonnull(buf = malloc(CHAN_MIXED));
	for (i = 0; i < CHAN_MIXED; i++)
		buf[i] = (uint8_t)(i * 7 + i / 251);
	for (i = 0; off < CHAN_MIXED; i++) {
		want = sizes[i % 5];
		if (want > CHAN_MIXED - off)
			want = CHAN_MIXED - off;
		/* MSG_MORE: a SEND with flags, which the daemon copies. */
		flags = i % 5 == 1 && off + want < CHAN_MIXED ? MSG_MORE : 0;
		n = sb_send(c, h, buf + off, want, flags);
		ck_assert_msg(n > 0, "sb_send: %s", strerror(errno));
		off += (size_t)n;
	}
	ck_assert_int_eq(sb_close(c, h), 0);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.done, CHAN_MIXED);
	ck_assert_uint_eq(r.sum, chan_sum(buf, CHAN_MIXED, 1));
	free(buf);
	close(r.fd);
	close(l);
	sb_close_conn(c);
}
END_TEST

/* Writes one byte to *fd after two seconds. */
static void *
chan_late_writer(void *arg)
{
	int	*fd = arg;

	sleep(2);
	if (write(*fd, "z", 1) != 1)
		return (NULL);
	return (NULL);
}

/*
 * A stream socket a client made blocking (on a duplicate from sb_passfd)
 * is copied, not spliced: a splice would take its mode and wait in the
 * daemon for data that is not there, stalling everyone.
 */
START_TEST(test_tcp_blocking_socket_does_not_stall_the_daemon)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	struct chan_bulk	 r = { 0 };
	pthread_t		 t;
	sb_conn			*c = fixture_open();
	uint8_t			*buf;
	char			 small[200];
	double			 t0;
	size_t			 i;
	int			 l, h, d, pfd, h2;

	l = chan_direct_listener(&ss, &len, 4);
	h = chan_tcp_to(c, &ss, len);
	ck_assert_int_ge(d = accept(l, NULL, NULL), 0);
	ck_assert_int_ge(pfd = sb_passfd(c, h), 0);
	ck_assert_int_eq(fcntl(pfd, F_SETFL, fcntl(pfd, F_GETFL) &
	    ~O_NONBLOCK), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, chan_late_writer, &d), 0);
	memset(small, 'y', sizeof small);
	ck_assert_int_eq(write(d, small, 100), 100);
	ck_assert_int_eq(sb_recv(c, h, small, sizeof small, 0), 100);
	t0 = fixture_now();
	ck_assert_int_gt(h2 = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_msg(fixture_now() - t0 < 1.5, "the daemon stalled %.1f s",
	    fixture_now() - t0);
	pthread_join(t, NULL);
	ck_assert_int_eq(sb_recv(c, h, small, sizeof small, 0), 1);
	ck_assert_int_eq(small[0], 'z');
	/* And sends, copied, arrive whole. */
	r.fd = d;
	ck_assert_int_eq(pthread_create(&t, NULL, chan_slow_reader, &r), 0);
	ck_assert_ptr_nonnull(buf = malloc(CHAN_LATE));
	for (i = 0; i < CHAN_LATE; i++)
		buf[i] = (uint8_t)(i * 13 + i / 509);
	ck_assert_int_eq(sb_sendall(c, h, buf, CHAN_LATE, 0), 0);
	ck_assert_int_eq(sb_close(c, h), 0);
	close(pfd);
	pthread_join(t, NULL);
	ck_assert_int_eq(r.done, CHAN_LATE);
	ck_assert_uint_eq(r.sum, chan_sum(buf, CHAN_LATE, 1));
	free(buf);
	sb_close(c, h2);
	close(d);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * sb_recvmmsg of datagrams with a socket error behind them in the channel
 * (an ICMP port unreachable on a connected UDP socket, IP_RECVERR off):
 * as Linux's recvmmsg, the call returns the datagrams, the channel polls
 * readable while the error waits, and the next call reports it; then
 * datagrams come again.
 */
START_TEST(test_udp_recvmmsg_error_after_data_is_the_next_calls)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	struct mmsghdr		 vec[8];
	struct iovec		 iov[8];
	sb_conn			*c = fixture_open();
	char			 bufs[8][32], buf[32];
	int			 h, d, i, n, fd;

	h = chan_udp(c, &ss, &len);
	ck_assert_int_ge(fd = sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 2), 0);
	d = chan_direct_udp(&ds, &dlen);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ds, dlen), 0);
	for (i = 0; i < 3; i++) {
		snprintf(buf, sizeof buf, "before %d", i);
		chan_send_direct(d, &ss, len, buf, strlen(buf));
	}
	ck_assert_int_eq(chan_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	usleep(fixture_slow() ? 500000 : 50000);	/* all three in */
	close(d);			/* its port is closed: unreachable */
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), 1);
	usleep(fixture_slow() ? 500000 : 50000);	/* the ICMP came */

	memset(vec, 0, sizeof vec);
	for (i = 0; i < 8; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
	}
	ck_assert_int_eq(n = sb_recvmmsg(c, h, vec, 8, 0), 3);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "before %d", i);
		ck_assert_int_eq(vec[i].msg_len, strlen(buf));
		ck_assert_mem_eq(bufs[i], buf, strlen(buf));
	}
	ck_assert_msg(chan_poll(fd, POLLIN, 1000) & POLLIN,
	    "the error is not readable");
	errno = 0;
	ck_assert_int_eq(sb_recvmmsg(c, h, vec, 8, 0), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	ck_assert_int_eq(sb_recvmmsg(c, h, vec, 8, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);

	/* The error went: the socket is read again. */
	d = chan_direct_udp(&ds, &dlen);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ds, dlen), 0);
	chan_send_direct(d, &ss, len, "after", 5);
	ck_assert_int_eq(sb_recvmmsg(c, h, vec, 8, 0), 1);
	ck_assert_int_eq(vec[0].msg_len, 5);
	ck_assert_mem_eq(bufs[0], "after", 5);
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * sb_shutdown(SHUT_WR) on a TCP channel: the peer gets what was sent, then
 * EOF, and the handle still receives (a half-close, as a local socket's).
 */
START_TEST(test_tcp_shutdown_is_a_half_close)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 l, h, p;

	l = chan_direct_listener(&ss, &len, 4);
	h = chan_tcp_to(c, &ss, len);
	ck_assert_int_ge(p = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 5), 0);
	ck_assert_int_eq(sb_send(c, h, "abc", 3, 0), 3);
	ck_assert_int_eq(sb_shutdown(c, h, SHUT_WR), 0);
	ck_assert_int_eq(chan_poll(p, POLLIN, 5000), POLLIN);
	ck_assert_int_eq(read(p, buf, sizeof buf), 3);
	ck_assert_int_eq(chan_poll(p, POLLIN, 5000), POLLIN);
	ck_assert_int_eq(read(p, buf, sizeof buf), 0);	/* EOF */
	ck_assert_int_eq(write(p, "xyz", 3), 3);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 3);
	ck_assert_mem_eq(buf, "xyz", 3);
	ck_assert_int_eq(sb_send(c, h, "no", 2, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 0);
	sb_close(c, h);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * Closing the handle with the channel of a socket another handle (sb_dup)
 * shares shuts nothing down: the peer sees no EOF, and the other handle
 * goes on sending; EOF comes with the last handle's close.
 */
START_TEST(test_tcp_close_of_a_dup_leaves_the_socket_open)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 l, h, d, p;

	l = chan_direct_listener(&ss, &len, 4);
	h = chan_tcp_to(c, &ss, len);
	ck_assert_int_ge(p = accept(l, NULL, NULL), 0);
	ck_assert_int_gt(d = sb_dup(c, h), 0);
	ck_assert_int_eq(sb_send(c, h, "one", 3, 0), 3);
	ck_assert_int_eq(sb_close(c, h), 0);
	ck_assert_int_eq(chan_poll(p, POLLIN, 5000), POLLIN);
	ck_assert_int_eq(read(p, buf, sizeof buf), 3);
	ck_assert_mem_eq(buf, "one", 3);
	ck_assert_msg(chan_poll(p, POLLIN, 300) == 0, "the peer saw EOF "
	    "after the close of one of two handles");
	ck_assert_int_eq(sb_send(c, d, "two", 3, 0), 3);
	ck_assert_int_eq(chan_poll(p, POLLIN, 5000), POLLIN);
	ck_assert_int_eq(read(p, buf, sizeof buf), 3);
	ck_assert_mem_eq(buf, "two", 3);
	ck_assert_int_eq(sb_close(c, d), 0);
	ck_assert_int_eq(chan_poll(p, POLLIN, 5000), POLLIN);
	ck_assert_int_eq(read(p, buf, sizeof buf), 0);
	close(p);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * A stream handle with a channel and no connection fails as a local
 * socket does: a send with EPIPE, a receive with ENOTCONN, at once (a
 * listener's too); connected, the same handle works.
 */
START_TEST(test_tcp_unconnected_channel_fails_as_local)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	double			 t0;
	int			 l, h, lh, p;

	l = chan_direct_listener(&ss, &len, 4);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 2), 0);
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	t0 = fixture_now();
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_double_lt(fixture_now() - t0, 1.5);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_ge(p = accept(l, NULL, NULL), 0);
	ck_assert_int_eq(sb_send(c, h, "x", 1, 0), 1);
	ck_assert_int_eq(read(p, buf, sizeof buf), 1);
	lh = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_ge(sb_fileno(c, lh), 0);
	ck_assert_int_eq(sb_recv(c, lh, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	sb_close(c, lh);
	sb_close(c, h);
	close(p);
	close(l);
	sb_close_conn(c);
}
END_TEST

/*
 * Timeout-0 connects to a listener that takes them at once, the channel
 * made first: the daemon may finish the connect (and read the channel)
 * before the library has written its FILL messages, and the connect call
 * must return all the same (it raced the daemon's discarding for ever).
 */
START_TEST(test_tcp_nonblocking_connects_return)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	double			 t0;
	int			 l, h, i, p;

	l = chan_direct_listener(&ss, &len, 64);
	for (i = 0; i < 30; i++) {
		ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_STREAM, 0), 0);
		ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
		ck_assert_int_ge(sb_fileno(c, h), 0);
		t0 = fixture_now();
		ck_assert_int_eq(sb_connect_ex(c, h, (struct sockaddr *)&ss,
		    len), EINPROGRESS);
		ck_assert_double_lt(fixture_now() - t0, 2);
		ck_assert_int_eq(chan_poll(sb_fileno(c, h), POLLOUT, 5000), POLLOUT);
		ck_assert_int_ge(p = accept(l, NULL, NULL), 0);
		close(p);
		sb_close(c, h);
	}
	close(l);
	sb_close_conn(c);
}
END_TEST

/* Builds the suite. */
Suite *
e2e_channel_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_channel");
	tc = fixture_tcase("udp");
	tcase_add_test(tc, test_udp_poll_readable_with_data);
	tcase_add_test(tc, test_udp_recvfrom_address_as_request_path);
	tcase_add_test(tc, test_udp_peek_trunc_and_timeouts);
	tcase_add_test(tc, test_udp_sendto_through_channel);
	tcase_add_test(tc, test_udp_recvmmsg_sendmmsg_batches);
	tcase_add_test(tc, test_malformed_channel_messages_close_the_channel);
	tcase_add_test(tc, test_unix_dgram_through_channels);
	tcase_add_test(tc, test_netlink_dump_through_channel);
	tcase_add_test(tc, test_slow_reader_does_not_stall_others);
	tcase_add_test(tc,
	    test_udp_recvmmsg_error_after_data_is_the_next_calls);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("tcp");
	tcase_add_test(tc, test_tcp_listener_readable_on_waiting_connection);
	tcase_add_test(tc, test_tcp_nonblocking_connect_writable_when_done);
	tcase_add_test(tc, test_tcp_bulk_both_ways_and_eof);
	tcase_add_test(tc, test_tcp_close_delivers_what_was_sent);
	tcase_add_test(tc, test_tcp_partial_reads_and_peek);
	tcase_add_test(tc, test_descriptors_back_after_close_and_kill);
	tcase_add_test(tc, test_tcp_spliced_and_copied_sends_keep_order);
	tcase_add_test(tc, test_tcp_blocking_socket_does_not_stall_the_daemon);
	tcase_add_test(tc, test_tcp_shutdown_is_a_half_close);
	tcase_add_test(tc, test_tcp_close_of_a_dup_leaves_the_socket_open);
	tcase_add_test(tc, test_tcp_unconnected_channel_fails_as_local);
	tcase_add_test(tc, test_tcp_nonblocking_connects_return);
	tcase_set_timeout(tc, fixture_slow() ? 600 : 60);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("policy");
	tcase_add_unchecked_fixture(tc, chan_policy_setup,
	    chan_policy_teardown);
	tcase_add_test(tc, test_udp_denied_sendto_through_channel);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("measure");
	tcase_add_test(tc, test_measure_udp_receive_rate);
	suite_add_tcase(s, tc);
	return (s);
}
