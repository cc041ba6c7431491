/* SPDX-License-Identifier: ISC */
/*
 * Channels that come with their handles (sb_setchannels, SOCKBROKER_CHANNELS):
 * with the flag, sb_socket and sb_accept bring the channel in their reply,
 * so that sb_fileno asks nothing (checked with the daemon stopped), and so
 * does sb_dup of a handle without a channel; the flag off again stops
 * that; the handle limit holds; the daemon's and the client's descriptors
 * come back to their baseline. And the timeout of a
 * datagram send through a channel whose real socket is full: timeout 0 and
 * MSG_DONTWAIT are EAGAIN at once, a timeout of 0.2 s is EAGAIN with kind
 * SB_ERR_TIMEOUT after about that long, as a send request's is.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define ATTACH_HANDLES	4		/* --max-handles of the limit case */

static const char *const attach_limit_args[] = {
	"--max-handles", "4", NULL,
};

/* What attach_fileno_cb runs in a thread. */
struct attach_call {
	sb_conn		*c;
	int		 h;
	int		 fd;
	volatile int	 done;
};

static void	*attach_fileno_cb(void *);
static int	 attach_fileno_stopped(sb_conn *, int, int *);
static int	 attach_unix_peer(struct sockaddr_un *, const char *);
static void	 attach_limit_setup(void);
static void	 attach_limit_teardown(void);

/* sb_fileno in a thread. */
static void *
attach_fileno_cb(void *arg)
{
	struct attach_call	*a = arg;

	a->fd = sb_fileno(a->c, a->h);
	a->done = 1;
	return (NULL);
}

/*
 * sb_fileno(c, h) with the daemon stopped: 1 if it returned within a
 * second (so it sent no request), 0 if it waited for the daemon. The
 * daemon runs again before this returns; *fd is what sb_fileno gave.
 */
static int
attach_fileno_stopped(sb_conn *c, int h, int *fd)
{
	struct attach_call	 a = { .c = c, .h = h, .fd = -1 };
	pthread_t		 t;
	double			 deadline;
	int			 quick;

	ck_assert_int_eq(kill(fixture_pid(), SIGSTOP), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, attach_fileno_cb, &a), 0);
	deadline = fixture_now() + 1;
	while (!a.done && fixture_now() < deadline)
		usleep(2000);
	quick = a.done;
	ck_assert_int_eq(kill(fixture_pid(), SIGCONT), 0);
	pthread_join(t, NULL);
	*fd = a.fd;
	return (quick);
}

/* An AF_UNIX datagram socket of the test's own at name in the fixture's dir. */
static int
attach_unix_peer(struct sockaddr_un *sun, const char *name)
{
	int	 fd;

	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof sun->sun_path, "%s/%s", fixture_dir(),
	    name);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)sun, sizeof *sun), 0);
	return (fd);
}

/*
 * With the flag, a new UDP handle has its channel: sb_fileno answers with
 * the daemon stopped, the same descriptor each time; it polls readable when
 * a datagram comes, receives it, and sends through it.
 */
START_TEST(test_flag_socket_brings_its_channel)
{
	struct sockaddr_storage	 ss, ds;
	socklen_t		 len, dlen;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 h, fd, d;

	ck_assert_int_eq(sb_getchannels(c), 0);
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	ck_assert_int_eq(sb_getchannels(c), 1);
	h = fixture_bound(c, AF_INET, SOCK_DGRAM, &ss, &len);
	ck_assert_msg(attach_fileno_stopped(c, h, &fd), "sb_fileno asked "
	    "the daemon");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sb_fileno(c, h), fd);
	ck_assert_int_ge(d = socket(AF_INET, SOCK_DGRAM, 0), 0);
	dlen = fixture_addr(&ds, AF_INET, "127.0.0.1", 0);
	ck_assert_int_eq(bind(d, (struct sockaddr *)&ds, dlen), 0);
	dlen = sizeof ds;
	ck_assert_int_eq(getsockname(d, (struct sockaddr *)&ds, &dlen), 0);
	ck_assert_int_eq(poll(&(struct pollfd){ .fd = fd, .events = POLLIN },
	    1, 0), 0);
	ck_assert_int_eq(sendto(d, "ping", 4, 0, (struct sockaddr *)&ss, len),
	    4);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, MSG_DONTWAIT), 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(sb_sendto(c, h, "pong", 4, 0, (struct sockaddr *)&ds,
	    dlen), 4);
	ck_assert_int_eq(recv(d, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "pong", 4);
	close(d);
	sb_close_conn(c);
}
END_TEST

/* With the flag, an accepted TCP handle comes with its channel. */
START_TEST(test_flag_accept_brings_its_channel)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	int			 l, h, fd, d;

	l = fixture_listener(c, AF_INET, &ss, &len);
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	ck_assert_int_ge(d = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(connect(d, (struct sockaddr *)&ss, len), 0);
	ck_assert_int_gt(h = sb_accept(c, l, NULL, NULL), 0);
	ck_assert_msg(attach_fileno_stopped(c, h, &fd), "sb_fileno asked "
	    "the daemon");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(send(d, "hello", 5, 0), 5);
	ck_assert_int_eq(fixture_poll(fd, POLLIN, 2000) & POLLIN, POLLIN);
	ck_assert_int_eq(sb_recv(c, h, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "hello", 5);
	ck_assert_int_eq(sb_send(c, h, "back", 4, 0), 4);
	ck_assert_int_eq(recv(d, buf, 4, MSG_WAITALL), 4);
	ck_assert_mem_eq(buf, "back", 4);
	close(d);
	sb_close_conn(c);
}
END_TEST

/*
 * The daemon holds one more descriptor per handle created with the flag
 * (its end of the channel), none after the flag is off again (sb_fileno
 * still asks for one); after the closes, the daemon's descriptors and
 * this process's are back where they were. (The daemon closes its copy of
 * the client's end just after the reply: counts wait for that.)
 */
START_TEST(test_flag_off_again_and_descriptors_back)
{
	sb_conn	*c = fixture_open();
	int	 base, own, a, b, fd;

	base = fixture_fd_baseline();
	own = fixture_own_fds();
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	ck_assert_int_gt(a = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(fixture_fd_wait(base + 2), base + 2);
	ck_assert_int_eq(fixture_own_fds(), own + 1);
	ck_assert_int_eq(sb_setchannels(c, 0), 0);
	ck_assert_int_gt(b = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(fixture_fd_wait(base + 3), base + 3);
	ck_assert_int_eq(fixture_own_fds(), own + 1);
	ck_assert_msg(!attach_fileno_stopped(c, b, &fd), "no channel came, "
	    "yet sb_fileno did not ask");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fixture_fd_wait(base + 4), base + 4);
	ck_assert_int_eq(sb_close(c, a), 0);
	ck_assert_int_eq(sb_close(c, b), 0);
	ck_assert_int_le(fixture_fd_wait(base), base);
	ck_assert_int_eq(fixture_own_fds(), own);
	sb_close_conn(c);
}
END_TEST

/*
 * With the flag, an sb_dup of a handle without a channel comes with one;
 * an sb_dup of a handle with one does not (two relays would split the
 * socket's datagrams): the daemon holds no third descriptor for it.
 */
START_TEST(test_flag_dup_only_of_a_handle_without_channel)
{
	sb_conn	*c = fixture_open();
	int	 base, a, b, d, fd;

	ck_assert_int_gt(a = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	base = fixture_fd_baseline();
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	ck_assert_int_gt(b = sb_dup(c, a), 0);
	ck_assert_int_eq(fixture_fd_wait(base + 2), base + 2);
	ck_assert_msg(attach_fileno_stopped(c, b, &fd), "sb_fileno asked "
	    "the daemon");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_gt(d = sb_dup(c, b), 0);
	ck_assert_int_eq(fixture_fd_wait(base + 3), base + 3);
	ck_assert_int_eq(sb_close(c, b), 0);
	ck_assert_int_eq(sb_close(c, d), 0);
	ck_assert_int_eq(sb_close(c, a), 0);
	sb_close_conn(c);
}
END_TEST

/* SOCKBROKER_CHANNELS=1 turns the flag on for the connections sb_open makes. */
START_TEST(test_environment_turns_the_flag_on)
{
	sb_conn	*c, *d;
	int	 h, fd;

	setenv("SOCKBROKER_CHANNELS", "1", 1);
	c = fixture_open();
	unsetenv("SOCKBROKER_CHANNELS");
	d = fixture_open();
	ck_assert_int_eq(sb_getchannels(c), 1);
	ck_assert_int_eq(sb_getchannels(d), 0);
	ck_assert_int_gt(h = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_msg(attach_fileno_stopped(c, h, &fd), "sb_fileno asked "
	    "the daemon");
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sb_setchannels(NULL, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	sb_close_conn(c);
	sb_close_conn(d);
}
END_TEST

/* The daemons of a TCase allow four handles a client. */
static void
attach_limit_setup(void)
{
	fixture_set_args(attach_limit_args);
}

static void
attach_limit_teardown(void)
{
	fixture_set_args(NULL);
}

/*
 * With the flag, the handle limit holds as without: four handles with
 * their channels, the fifth EMFILE (and no descriptor left behind); one
 * closed, a new one comes with its channel.
 */
START_TEST(test_flag_handle_limit_holds)
{
	sb_conn	*c = fixture_open();
	int	 base, own, h[ATTACH_HANDLES], i, fd;

	base = fixture_fd_baseline();
	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	for (i = 0; i < ATTACH_HANDLES; i++)
		ck_assert_int_gt(h[i] = sb_socket(c, AF_INET, SOCK_DGRAM, 0),
		    0);
	ck_assert_int_eq(fixture_fd_wait(base + 2 * ATTACH_HANDLES),
	    base + 2 * ATTACH_HANDLES);
	own = fixture_own_fds();
	ck_assert_int_eq(sb_socket(c, AF_INET, SOCK_DGRAM, 0), -1);
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_eq(fixture_fd_wait(base + 2 * ATTACH_HANDLES),
	    base + 2 * ATTACH_HANDLES);
	ck_assert_int_eq(fixture_own_fds(), own);
	ck_assert_int_eq(sb_close(c, h[0]), 0);
	ck_assert_int_eq(fixture_own_fds(), own - 1);
	ck_assert_int_gt(h[0] = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(fixture_own_fds(), own);
	ck_assert_msg(attach_fileno_stopped(c, h[0], &fd), "sb_fileno asked "
	    "the daemon");
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < ATTACH_HANDLES; i++)
		ck_assert_int_eq(sb_close(c, h[i]), 0);
	ck_assert_int_le(fixture_fd_wait(base), base);
	sb_close_conn(c);
}
END_TEST

/*
 * A channel datagram send to an AF_UNIX peer that never reads: with
 * timeout 0 (and with MSG_DONTWAIT) EAGAIN at once once the peer's queue is
 * full; with timeout 0.2 s EAGAIN with kind SB_ERR_TIMEOUT after about that
 * long, twice, as a send request without a channel; once the peer drains,
 * the next send goes.
 */
START_TEST(test_dgram_send_timeout_on_a_full_socket)
{
	struct sockaddr_un	 pa;
	sb_conn			*c = fixture_open();
	char			 buf[16];
	double			 t0, dt, slow = fixture_slow() ? 10 : 1;
	int			 p, h, r, i, n;

	p = attach_unix_peer(&pa, "full.sock");
	ck_assert_int_gt(h = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&pa, sizeof pa),
	    0);
	ck_assert_int_ge(sb_fileno(c, h), 0);
	ck_assert_int_eq(sb_settimeout(c, h, 0), 0);
	for (n = 0; n < 100000 && sb_send(c, h, "x", 1, 0) == 1; n++)
		;
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 100000);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);

	ck_assert_int_eq(sb_settimeout(c, h, 0.2), 0);
	for (i = 0; i < 2; i++) {
		t0 = fixture_now();
		r = sb_send(c, h, "y", 1, 0);
		dt = fixture_now() - t0;
		ck_assert_int_eq(r, -1);
		ck_assert_int_eq(errno, EAGAIN);
		ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_TIMEOUT);
		ck_assert_msg(dt >= 0.15 && dt < 0.2 + slow, "timed out "
		    "after %.3f s", dt);
		fprintf(stderr, "e2e_attach: a channel send with timeout "
		    "0.2 s on a full socket: EAGAIN (timeout) after %.3f s\n",
		    dt);
	}
	t0 = fixture_now();
	ck_assert_int_eq(sb_send(c, h, "z", 1, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	ck_assert(fixture_now() - t0 < 0.1 * slow);

	/* A handle without a channel, by request: the same answer. */
	ck_assert_int_gt(r = sb_socket(c, AF_UNIX, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_connect(c, r, (struct sockaddr *)&pa, sizeof pa),
	    0);
	ck_assert_int_eq(sb_settimeout(c, r, 0.2), 0);
	ck_assert_int_eq(sb_send(c, r, "w", 1, 0), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_TIMEOUT);

	for (i = 0; i < n; i++)
		ck_assert_int_eq(recv(p, buf, sizeof buf, MSG_DONTWAIT), 1);
	ck_assert_int_eq(recv(p, buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(sb_send(c, h, "after", 5, 0), 5);
	ck_assert_int_eq(recv(p, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "after", 5);
	close(p);
	unlink(pa.sun_path);
	sb_close_conn(c);
}
END_TEST

/*
 * sb_peekfileno says what sb_fileno would without a request: the channel
 * that came with the reply; ENOENT for a handle without one until
 * sb_fileno made it; EBADF for a handle that is not there.
 */
START_TEST(test_peekfileno_asks_nothing)
{
	sb_conn	*c = fixture_open();
	int	 a, b, fd;

	ck_assert_int_eq(sb_setchannels(c, 1), 0);
	ck_assert_int_gt(a = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(kill(fixture_pid(), SIGSTOP), 0);
	fd = sb_peekfileno(c, a);
	ck_assert_int_eq(kill(fixture_pid(), SIGCONT), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sb_fileno(c, a), fd);
	ck_assert_int_eq(sb_setchannels(c, 0), 0);
	ck_assert_int_gt(b = sb_socket(c, AF_INET, SOCK_DGRAM, 0), 0);
	ck_assert_int_eq(sb_peekfileno(c, b), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_ge(fd = sb_fileno(c, b), 0);
	ck_assert_int_eq(sb_peekfileno(c, b), fd);
	ck_assert_int_eq(sb_close(c, b), 0);
	ck_assert_int_eq(sb_peekfileno(c, b), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(sb_peekfileno(NULL, a), -1);
	ck_assert_int_eq(errno, EINVAL);
	sb_close_conn(c);
}
END_TEST

/* Builds the suite. */
Suite *
e2e_attach_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("e2e_attach");
	tc = fixture_tcase("flag");
	tcase_add_test(tc, test_flag_socket_brings_its_channel);
	tcase_add_test(tc, test_flag_accept_brings_its_channel);
	tcase_add_test(tc, test_flag_off_again_and_descriptors_back);
	tcase_add_test(tc, test_flag_dup_only_of_a_handle_without_channel);
	tcase_add_test(tc, test_environment_turns_the_flag_on);
	tcase_add_test(tc, test_peekfileno_asks_nothing);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("limit");
	tcase_add_unchecked_fixture(tc, attach_limit_setup,
	    attach_limit_teardown);
	tcase_add_test(tc, test_flag_handle_limit_holds);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("send_timeout");
	tcase_add_test(tc, test_dgram_send_timeout_on_a_full_socket);
	suite_add_tcase(s, tc);
	return (s);
}
