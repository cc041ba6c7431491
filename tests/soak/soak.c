/* SPDX-License-Identifier: ISC */
/*
 * The soak test: many clients against one real daemon (tests/fixture.c),
 * with figures. make check runs the short round (SB_SOAK_CLIENTS, 1,000 by
 * default, 200 under a wrapper such as valgrind); make soak the long one
 * (10,000 clients at once).
 *
 * TCase "soak": every client connected at once, half of them holding a
 * handle; children killed while a request of theirs is parked; children
 * that come and go, each within a deadline; a client that stops reading
 * while its parked receives complete; then all gone. It prints the daemon's
 * RSS per idle client and per handle, and its memory after the mass
 * disconnect, and fails if a target is missed: more than SB_SOAK_IDLE_MAX
 * bytes (4096) per idle client or SB_SOAK_HANDLE_MAX (1024) per handle (not
 * checked under a wrapper or sanitizers, whose memory is their own), the
 * daemon's descriptors not back to their baseline, a child that hangs, or a
 * daemon that no longer serves a fresh client.
 *
 * TCases "maxclients" and "nofile": a client over --max-clients, or over
 * the daemon's RLIMIT_NOFILE (the daemon started under prlimit), is refused
 * by sb_open within a second, with EUSERS or EMFILE, and the daemon goes on.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sbproto.h"
#include "fixture.h"
#include "check_main.h"

#ifndef SOAK_SAN_FLAGS
#define SOAK_SAN_FLAGS		""
#endif
#define SOAK_SANITIZED		(SOAK_SAN_FLAGS[0] != '\0')
#define SOAK_KILLED		50	/* children killed mid-request */
#define SOAK_CHURN		100	/* children that come and go */
#define SOAK_CHILD_DEADLINE	20	/* seconds for every child to exit */
#define SOAK_SLOW_RECVS		512	/* parked receives of the slow reader */
#define SOAK_SLOW_DGRAM		(32 * 1024)
#define SOAK_SLOW_BOUND_KB	(96 * 1024)	/* daemon growth it may cause */
#define SOAK_NOFILE		64	/* the daemon's RLIMIT_NOFILE */

static char		 soak_clients_arg[16];
static const char	*soak_args[] = { "--max-clients", soak_clients_arg,
			    NULL };
static const char *const soak_maxclients_args[] = { "--max-clients", "8",
			    NULL };
static char		*soak_saved_wrapper;

static long	 soak_env(const char *, long);
static int	 soak_nclients(void);
static int	 soak_fd_total(void);
static int	 soak_fds(void);
static int	 soak_fds_wait(int, double);
static void	 soak_killed_children(void);
static void	 soak_churn_children(void);
static void	 soak_slow_reader(void);
static void	 soak_assert_serving(void);
static int	 soak_udp_bound(sb_conn *, struct sockaddr_in *);
static void	 soak_raw_bind(int, uint32_t, struct sockaddr_in *);
static void	 soak_maxclients_setup(void);
static void	 soak_setup(void);
static void	 soak_nofile_setup(void);
static void	 soak_nofile_teardown(void);
static Suite	*soak_suite(void);

/* The whole round; see the top of the file. */
START_TEST(test_soak)
{
	sb_conn		**c;
	long		 rss0, rss1, rss2, rss3, idle_max, handle_max;
	double		 per_idle, per_handle, t0;
	int		 n = soak_nclients(), i, base, h, nh = 0, fail = 0;

	idle_max = soak_env("SB_SOAK_IDLE_MAX", 4096);
	handle_max = soak_env("SB_SOAK_HANDLE_MAX", 1024);
	c = calloc(n, sizeof *c);
	ck_assert_ptr_nonnull(c);
	soak_assert_serving();		/* warm: the first client's memory */
	base = soak_fds_wait(-1, 5);
	usleep(1500000);		/* past the first trim */
	rss0 = fixture_rss_kb();

	t0 = fixture_now();
	for (i = 0; i < n; i++) {
		c[i] = sb_open(fixture_path());
		ck_assert_msg(c[i] != NULL, "client %d of %d: %s (%s)", i, n,
		    strerror(errno), sb_lasterror()->message);
	}
	ck_assert_int_ge(soak_fds_wait(base + n, 30), base + n);
	usleep(200000);
	rss1 = fixture_rss_kb();
	i = soak_fds();
	printf("soak: %d clients connected in %.1f s, daemon fds %d -> %d "
	    "(%.2f per client)\n", n, fixture_now() - t0, base, i,
	    (double)(i - base) / n);
	ck_assert_msg(i - base <= n + 8, "%d descriptors for %d clients: more "
	    "than one each", i - base, n);

	for (i = 0; i < n; i += 2) {
		h = sb_socket(c[i], AF_INET, SOCK_DGRAM, 0);
		ck_assert_msg(h > 0, "socket on client %d: %s", i,
		    strerror(errno));
		nh++;
	}
	ck_assert_int_ge(soak_fds_wait(base + n + nh, 30), base + n + nh);
	rss2 = fixture_rss_kb();
	per_idle = (double)(rss1 - rss0) * 1024 / n;
	per_handle = (double)(rss2 - rss1) * 1024 / nh;
	printf("soak: daemon RSS %ld KiB at start, %ld KiB with %d idle "
	    "clients (%.0f bytes each, target %ld), %ld KiB with %d handles "
	    "(%.0f bytes each, target %ld)\n", rss0, rss1, n, per_idle,
	    idle_max, rss2, nh, per_handle, handle_max);

	soak_killed_children();
	soak_churn_children();
	soak_slow_reader();
	soak_assert_serving();

	t0 = fixture_now();
	for (i = 0; i < n; i++)
		sb_close_conn(c[i]);
	free(c);
	i = soak_fds_wait(base, 30);
	usleep(2500000);		/* the trim comes a second after */
	rss3 = fixture_rss_kb();
	printf("soak: all gone in %.1f s: daemon fds %d (baseline %d), RSS "
	    "%ld KiB (%ld KiB at start, %ld KiB at the peak)\n",
	    fixture_now() - t0, i, base, rss3, rss0, rss2);
	fflush(stdout);
	if (i > base) {
		fixture_fd_dump();
		fail = 1;
	}
	ck_assert_msg(i <= base, "daemon descriptors not back to the baseline: "
	    "%d, was %d", i, base);
	soak_assert_serving();
	if (fixture_slow() || SOAK_SANITIZED) {
		printf("soak: memory targets not checked (a wrapper or "
		    "sanitizers)\n");
		return;
	}
	ck_assert_msg(per_idle <= idle_max, "%.0f bytes per idle client, over "
	    "%ld (SB_SOAK_IDLE_MAX)", per_idle, idle_max);
	ck_assert_msg(per_handle <= handle_max, "%.0f bytes per handle, over "
	    "%ld (SB_SOAK_HANDLE_MAX)", per_handle, handle_max);
	/* Near the start: within a quarter of the growth and 1 MiB. */
	ck_assert_msg(rss3 - rss0 <= (rss2 - rss0) / 4 + 1024, "RSS %ld KiB "
	    "after the clients left, %ld KiB at start, %ld KiB at the peak",
	    rss3, rss0, rss2);
	(void)fail;
}
END_TEST

/* maxclients: client 9 of --max-clients 8 is refused within a second. */
START_TEST(test_over_max_clients)
{
	sb_conn	*c[8];
	double	 t0, t, deadline;
	int	 i;

	/* The fixture's readiness probe counts until the daemon sees it go. */
	deadline = fixture_now() + (fixture_slow() ? 30 : 5);
	for (i = 0; i < 8; i++) {
		while ((c[i] = sb_open(fixture_path())) == NULL &&
		    errno == EUSERS && fixture_now() < deadline)
			usleep(50000);
		ck_assert_msg(c[i] != NULL, "client %d of 8: %s", i,
		    strerror(errno));
	}
	setenv("SOCKBROKER_TIMEOUT", "5", 1);
	t0 = fixture_now();
	errno = 0;
	ck_assert_ptr_null(sb_open(fixture_path()));
	t = fixture_now() - t0;
	ck_assert_msg(errno == EUSERS, "over --max-clients: %s",
	    strerror(errno));
	ck_assert_msg(t < 1.0, "refused after %.2f s", t);
	unsetenv("SOCKBROKER_TIMEOUT");
	for (i = 0; i < 8; i++)
		sb_close_conn(c[i]);
	/* Served again once the daemon has seen them go. */
	deadline = fixture_now() + (fixture_slow() ? 30 : 5);
	while ((c[0] = sb_open(fixture_path())) == NULL && errno == EUSERS &&
	    fixture_now() < deadline)
		usleep(50000);
	ck_assert_msg(c[0] != NULL, "not served after the others left: %s",
	    strerror(errno));
	sb_close_conn(c[0]);
}
END_TEST

/*
 * nofile: clients past the daemon's RLIMIT_NOFILE are refused within a
 * second each (not left in the backlog), and once they are gone the daemon
 * serves again.
 */
START_TEST(test_over_nofile)
{
	sb_conn	*c[2 * SOAK_NOFILE];
	double	 t0, t, deadline;
	int	 i, n, refused = 0, served = 0;

	setenv("SOCKBROKER_TIMEOUT", "5", 1);
	for (n = 0; n < 2 * SOAK_NOFILE; n++) {
		t0 = fixture_now();
		c[n] = sb_open(fixture_path());
		t = fixture_now() - t0;
		if (c[n] != NULL) {
			served++;
			continue;
		}
		ck_assert_msg(errno == EMFILE, "client %d refused with %s "
		    "(%s), not EMFILE", n, strerror(errno),
		    sb_lasterror()->message);
		ck_assert_msg(t < 1.0, "client %d refused after %.2f s", n, t);
		if (++refused == 8)
			break;
	}
	ck_assert_msg(refused > 0, "%d clients and none refused under "
	    "RLIMIT_NOFILE %d", n, SOAK_NOFILE);
	printf("nofile: %d clients served, %d refused, each within a "
	    "second\n", served, refused);
	for (i = 0; i < n; i++)
		sb_close_conn(c[i]);
	unsetenv("SOCKBROKER_TIMEOUT");
	deadline = fixture_now() + 5;
	while (fixture_fd_count() > 4 && fixture_now() < deadline)
		usleep(50000);
	soak_assert_serving();
}
END_TEST

/*
 * Children that each park a receive and are killed with SIGKILL while it
 * waits; all must be reaped within the deadline (their sessions go).
 */
static void
soak_killed_children(void)
{
	pid_t	 pids[SOAK_KILLED];
	int	 pfd[2], i, status;
	char	 b;
	double	 deadline;

	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	for (i = 0; i < SOAK_KILLED; i++) {
		fflush(NULL);
		if ((pids[i] = fork()) == 0) {
			struct sockaddr_in	 sin;
			sb_conn			*c;
			char			 buf[64];
			int			 h;

			close(pfd[0]);
			if ((c = sb_open(fixture_path())) == NULL)
				_exit(1);
			if ((h = soak_udp_bound(c, &sin)) <= 0)
				_exit(2);
			if (write(pfd[1], "x", 1) != 1)
				_exit(3);
			(void)sb_recv(c, h, buf, sizeof buf, 0);
			_exit(4);	/* nothing ever comes */
		}
		ck_assert_int_gt(pids[i], 0);
	}
	close(pfd[1]);
	for (i = 0; i < SOAK_KILLED; i++)
		ck_assert_int_eq(read(pfd[0], &b, 1), 1);
	close(pfd[0]);
	usleep(200000);		/* the receives reach the daemon and park */
	for (i = 0; i < SOAK_KILLED; i++)
		kill(pids[i], SIGKILL);
	deadline = fixture_now() + SOAK_CHILD_DEADLINE;
	for (i = 0; i < SOAK_KILLED; i++) {
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			ck_assert_msg(fixture_now() < deadline, "child %d not "
			    "reaped", i);
			usleep(10000);
		}
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "killed child %d: status %#x", i, status);
	}
	printf("soak: %d children killed with a receive parked\n",
	    SOAK_KILLED);
}

/*
 * Children that connect, open a socket, ask something, close and exit,
 * all at once; each must be done within the deadline (none hangs).
 */
static void
soak_churn_children(void)
{
	pid_t	 pids[SOAK_CHURN];
	int	 i, status, done = 0;
	double	 t0 = fixture_now(), deadline;

	for (i = 0; i < SOAK_CHURN; i++) {
		fflush(NULL);
		if ((pids[i] = fork()) == 0) {
			sb_conn	*c;
			char	 name[256];
			int	 h;

			alarm(SOAK_CHILD_DEADLINE);
			if ((c = sb_open(fixture_path())) == NULL)
				_exit(1);
			if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) <= 0)
				_exit(2);
			if (sb_gethostname(c, name, sizeof name) == -1)
				_exit(3);
			if (sb_close(c, h) == -1)
				_exit(4);
			sb_close_conn(c);
			_exit(0);
		}
		ck_assert_int_gt(pids[i], 0);
	}
	deadline = t0 + SOAK_CHILD_DEADLINE + 5;
	for (i = 0; i < SOAK_CHURN; i++) {
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (fixture_now() > deadline)
				kill(pids[i], SIGKILL);
			usleep(5000);
		}
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "churning child %d: status %#x (14: hung past %d s)", i,
		    status, SOAK_CHILD_DEADLINE);
		done++;
	}
	printf("soak: %d children came and went in %.1f s\n", done,
	    fixture_now() - t0);
}

/*
 * A client parks SOAK_SLOW_RECVS receives and never reads its replies;
 * datagrams complete them all. Its replies pile up in the daemon, which
 * must bound them (stop reading it, then drop it at --max-queued), not
 * grow with them; the others are served meanwhile.
 */
static void
soak_slow_reader(void)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvRequest	 rr = SOCKBROKER__RECV_REQUEST__INIT;
	struct sockaddr_in	 sin;
	static char		 dgram[SOAK_SLOW_DGRAM];
	sb_conn			*c;
	long			 rss0, rss1, r;
	uint32_t		 h;
	int			 fd, u, i, sent = 0, flags;

	rss0 = rss1 = fixture_rss_kb();
	fd = rawconn_start(NULL);
	h = rawconn_socket(fd, AF_INET, SOCK_DGRAM, 0);
	c = fixture_open();
	soak_raw_bind(fd, h, &sin);
	rr.handle = h;
	rr.bufsize = SOAK_SLOW_DGRAM;
	req.op_case = SOCKBROKER__REQUEST__OP_RECV;
	req.recv = &rr;
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	for (i = 0; i < SOAK_SLOW_RECVS; i++) {
		uint8_t	*frame;
		size_t	 len;
		ssize_t	 w;

		req.id = 1000 + i;
		ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME,
		    &frame, &len), 0);
		w = send(fd, frame, len, MSG_NOSIGNAL);
		free(frame);
		if (w != (ssize_t)len)
			break;		/* the daemon stopped reading us */
	}
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(u, 0);
	for (i = 0; i < 4 * SOAK_SLOW_RECVS; i++) {
		if (sendto(u, dgram, sizeof dgram, MSG_DONTWAIT,
		    (struct sockaddr *)&sin, sizeof sin) == sizeof dgram)
			sent++;
		if (i % 64 == 63) {
			soak_assert_serving();	/* the others go on */
			usleep(10000);
			if ((r = fixture_rss_kb()) > rss1)
				rss1 = r;
		}
	}
	close(u);
	usleep(500000);
	if ((r = fixture_rss_kb()) > rss1)
		rss1 = r;
	printf("soak: a client that stops reading: %d datagrams of %d bytes "
	    "for its parked receives; daemon RSS %ld KiB, at most %ld KiB\n", sent,
	    SOAK_SLOW_DGRAM, rss0, rss1);
	if (!fixture_slow() && !SOAK_SANITIZED)
		ck_assert_msg(rss1 - rss0 < SOAK_SLOW_BOUND_KB, "the daemon "
		    "grew %ld KiB for a client that does not read",
		    rss1 - rss0);
	close(fd);
	sb_close_conn(c);
}

/* Binds handle h of raw connection fd to a loopback port, told in *sin. */
static void
soak_raw_bind(int fd, uint32_t h, struct sockaddr_in *sin)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest	 br = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__SocknameRequest sn = SOCKBROKER__SOCKNAME_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sockaddr_storage	 ss;
	struct sbp_address	 a;
	socklen_t		 len;

	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(sbp_address_from_sockaddr(&a, (struct sockaddr *)sin,
	    sizeof *sin, 0, NULL), 0);
	br.handle = h;
	br.address = &a.addr;
	req.id = 100;
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &br;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	sockbroker__response__free_unpacked(resp, NULL);

	sn.handle = h;
	req.id = 101;
	req.op_case = SOCKBROKER__REQUEST__OP_SOCKNAME;
	req.sockname = &sn;
	resp = rawconn_call(fd, &req);
	ck_assert_ptr_null(resp->error);
	ck_assert_int_eq(resp->result_case,
	    SOCKBROKER__RESPONSE__RESULT_ADDRESS);
	ck_assert_int_eq(sbp_address_to_sockaddr(resp->address->address, &ss,
	    &len, NULL), 0);
	ck_assert_uint_eq(len, sizeof *sin);
	memcpy(sin, &ss, sizeof *sin);
	sockbroker__response__free_unpacked(resp, NULL);
}

/* A UDP handle bound to a loopback port on c; its address in *sin. */
static int
soak_udp_bound(sb_conn *c, struct sockaddr_in *sin)
{
	socklen_t	 len = sizeof *sin;
	int		 h;

	if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) <= 0)
		return (-1);
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sb_bind(c, h, (struct sockaddr *)sin, sizeof *sin) == -1 ||
	    sb_getsockname(c, h, (struct sockaddr *)sin, &len) == -1)
		return (-1);
	return (h);
}

/* A fresh client does Hello, socket and close. */
static void
soak_assert_serving(void)
{
	sb_conn	*c = fixture_open();
	int	 h;

	h = sb_socket(c, AF_INET, SOCK_DGRAM, 0);
	ck_assert_msg(h > 0, "no socket for a fresh client: %s",
	    strerror(errno));
	ck_assert_int_eq(sb_close(c, h), 0);
	sb_close_conn(c);
}

/* An environment number, or def if unset or not a number. */
static long
soak_env(const char *name, long def)
{
	const char	*s = getenv(name);
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0')
		return (def);
	v = strtol(s, &end, 10);
	return (*end == '\0' && v > 0 ? v : def);
}

/* How many clients this round connects. */
static int
soak_nclients(void)
{
	return ((int)soak_env("SB_SOAK_CLIENTS", fixture_slow() ? 200 : 1000));
}

/* Every descriptor of the daemon (/proc/PID/fd). */
static int
soak_fd_total(void)
{
	char		 path[64];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)fixture_pid());
	ck_assert_ptr_nonnull(d = opendir(path));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return (n);
}

/*
 * The daemon's descriptors: all of them, or only its sockets under a
 * wrapper (valgrind's own descriptors come and go).
 */
static int
soak_fds(void)
{
	return (fixture_slow() ? fixture_fd_count() : soak_fd_total());
}

/*
 * Waits up to secs for the daemon's descriptors to reach n (n > the current
 * count) or come down to n (n below it); n -1: until they stop changing for
 * 300 ms. Returns the count then.
 */
static int
soak_fds_wait(int n, double secs)
{
	double	 deadline = fixture_now() + (fixture_slow() ? 10 : 1) * secs;
	double	 still = fixture_now();
	int	 cur = soak_fds(), last = cur, up = n > cur;

	while (fixture_now() < deadline) {
		cur = soak_fds();
		if (n >= 0 && (up ? cur >= n : cur <= n))
			return (cur);
		if (n < 0) {
			if (cur != last)
				still = fixture_now();
			else if (fixture_now() - still > 0.3)
				return (cur);
		}
		last = cur;
		usleep(20000);
	}
	return (cur);
}

/* Unchecked fixture of "soak": room for every client, here and there. */
static void
soak_setup(void)
{
	snprintf(soak_clients_arg, sizeof soak_clients_arg, "%d",
	    soak_nclients() + SOAK_KILLED + SOAK_CHURN + 64);
	fixture_set_args(soak_args);
}

/* Unchecked fixture of "nofile": prlimit in front of the daemon. */
static void
soak_nofile_setup(void)
{
	const char	*w = getenv("SB_DAEMON_WRAPPER");
	char		 buf[1024];

	free(soak_saved_wrapper);
	soak_saved_wrapper = w != NULL ? strdup(w) : NULL;
	snprintf(buf, sizeof buf, "prlimit --nofile=%d:%d %s", SOAK_NOFILE,
	    SOAK_NOFILE, w != NULL ? w : "");
	setenv("SB_DAEMON_WRAPPER", buf, 1);
	fixture_set_args(NULL);
}

/* Unchecked teardown of "nofile": the wrapper as it was. */
static void
soak_nofile_teardown(void)
{
	if (soak_saved_wrapper != NULL)
		setenv("SB_DAEMON_WRAPPER", soak_saved_wrapper, 1);
	else
		unsetenv("SB_DAEMON_WRAPPER");
	free(soak_saved_wrapper);
	soak_saved_wrapper = NULL;
}

/* Unchecked fixture of "maxclients". */
static void
soak_maxclients_setup(void)
{
	fixture_set_args(soak_maxclients_args);
}

/*
 * The soak suite (CK_RUN_CASE picks one TCase), with the descriptor limit
 * raised to the hard limit for this process and the daemons it starts;
 * exits 99 if that cannot hold the clients asked for.
 */
static Suite *
soak_suite(void)
{
	struct rlimit	 rl;
	Suite		*s;
	TCase		*tc;
	int		 n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		exit(99);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("setrlimit RLIMIT_NOFILE");
		exit(99);
	}
	n = soak_nclients();
	/* The daemon's need: a descriptor per client and per handle. */
	if ((rlim_t)n * 3 / 2 + 256 > rl.rlim_cur) {
		fprintf(stderr, "soak: %d clients need %d descriptors in the "
		    "daemon; the hard limit is %lu\n", n, n * 3 / 2 + 256,
		    (unsigned long)rl.rlim_max);
		exit(99);
	}

	s = suite_create("soak");
	tc = fixture_tcase("soak");
	tcase_set_timeout(tc, (fixture_slow() ? 600 : 60) + n / 50);
	tcase_add_unchecked_fixture(tc, soak_setup, NULL);
	tcase_add_test(tc, test_soak);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("maxclients");
	tcase_add_unchecked_fixture(tc, soak_maxclients_setup, NULL);
	tcase_add_test(tc, test_over_max_clients);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("nofile");
	tcase_add_unchecked_fixture(tc, soak_nofile_setup,
	    soak_nofile_teardown);
	tcase_add_test(tc, test_over_nofile);
	suite_add_tcase(s, tc);
	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	1, {
		soak_suite,
		NULL,
	},
};
