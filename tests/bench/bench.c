/* SPDX-License-Identifier: ISC */
/*
 * The benchmarks' harness (see bench.h): timing, CPU placement, the traffic
 * children, the variants that receive and send, and the table.
 */

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define BENCH_DGRAM_MAX	2048		/* receive buffer per datagram */

static volatile uint64_t *bench_counter;	/* the child's count */
static int	 bench_cpu_work = -1, bench_cpu_traffic = -1;

static void	 bench_cpus(void);
static void	 bench_pin(pid_t, int);
static void	 bench_channel_open(struct bench_io *);
static void	 bench_child_run(enum bench_child, int, size_t, const void *);
static uint64_t	 bench_peer_count(void);
static uint64_t	 bench_units(const struct bench_io *, ssize_t);
static int	 bench_channel_mmsg(struct bench_io *, struct mmsghdr *, int);
static struct bench_rate bench_variant(sb_conn *, struct bench_case *, int,
		     enum bench_how, double);
static double	 bench_cpu(void);

/* Seconds per variant: SB_BENCH_SECONDS, 0.2 by default (a smoke run). */
double
bench_seconds(void)
{
	const char	*s = getenv("SB_BENCH_SECONDS");
	double		 t;

	if (s == NULL || (t = strtod(s, NULL)) <= 0)
		return (0.2);
	return (t);
}

/* Picks the work and traffic CPUs: the first two this process may use. */
static void
bench_cpus(void)
{
	const char	*pin = getenv("SB_BENCH_PIN");
	cpu_set_t	 set;
	int		 i;

	if (bench_cpu_work != -1 || (pin != NULL && strcmp(pin, "0") == 0))
		return;
	if (sched_getaffinity(0, sizeof set, &set) == -1)
		return;
	for (i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (bench_cpu_work == -1)
			bench_cpu_work = i;
		else if (bench_cpu_traffic == -1)
			bench_cpu_traffic = i;
	}
	if (bench_cpu_traffic == -1)
		bench_cpu_work = -1;	/* one CPU: nothing to place */
}

/* Pins pid (0: this process) to cpu, if there is one. */
static void
bench_pin(pid_t pid, int cpu)
{
	cpu_set_t	 set;

	if (cpu == -1)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(pid, sizeof set, &set);
}

/* Pins this process and every thread of the daemon to the work CPU. */
void
bench_pin_work(void)
{
	char		 dir[64];
	DIR		*d;
	struct dirent	*de;

	bench_cpus();
	bench_pin(0, bench_cpu_work);
	snprintf(dir, sizeof dir, "/proc/%ld/task", (long)fixture_pid());
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			bench_pin(atoi(de->d_name), bench_cpu_work);
	}
	closedir(d);
}

/* Whether this libsockbroker has channels (sb_fileno). */
int
bench_have_channels(void)
{
#ifdef SB_HAVE_CHANNELS
	return (1);
#else
	return (0);
#endif
}

/* A short name for a variant. */
const char *
bench_how_name(enum bench_how how, int send)
{
	switch (how) {
	case BENCH_DIRECT:
		return (send ? "direct send" : "direct recv");
	case BENCH_DIRECT_MMSG:
		return (send ? "direct sendmmsg" : "direct recvmmsg");
	case BENCH_REQUEST:
		return (send ? "broker sb_send (request)" :
		    "broker sb_recv (request)");
	case BENCH_CHANNEL:
		return (send ? "channel sb_send" : "channel sb_recv");
	case BENCH_CHANNEL_MMSG:
		return (send ? "channel sb_sendmmsg" : "channel sb_recvmmsg");
	}
	return ("?");
}

/* Starts a traffic child on the traffic CPU; returns its pid. */
pid_t
bench_child_start(enum bench_child what, int fd, size_t size,
    const void *payload)
{
	pid_t	pid;

	bench_cpus();
	if (bench_counter == NULL) {
		bench_counter = mmap(NULL, sizeof *bench_counter,
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ck_assert_msg(bench_counter != MAP_FAILED, "mmap: %s",
		    strerror(errno));
	}
	*bench_counter = 0;
	fflush(NULL);
	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		bench_pin(0, bench_cpu_traffic);
		bench_child_run(what, fd, size, payload);
		_exit(0);
	}
	return (pid);
}

/* Kills and reaps the traffic child. */
void
bench_child_stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The traffic child's loop (it never returns but on EOF or an error). */
static void
bench_child_run(enum bench_child what, int fd, size_t size,
    const void *payload)
{
	static char	 buf[BENCH_BATCH * BENCH_DGRAM_MAX];
	struct mmsghdr	 vec[BENCH_BATCH];
	struct iovec	 iov[BENCH_BATCH];
	socklen_t	 len = sizeof(int);
	ssize_t		 n;
	int		 type = 0;

	getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
	switch (what) {
	case BENCH_BLAST:
		bench_blast(fd, payload, size, (uint64_t *)bench_counter);
	case BENCH_DRAIN:
		bench_vec(vec, iov, buf, BENCH_DGRAM_MAX, 0);
		for (;;) {
			if (type == SOCK_STREAM)
				n = read(fd, buf, sizeof buf);
			else
				n = recvmmsg(fd, vec, BENCH_BATCH,
				    MSG_WAITFORONE, NULL);
			if (n <= 0)
				return;
			__atomic_add_fetch(bench_counter, n, __ATOMIC_RELAXED);
		}
	case BENCH_WRITE:
		for (;;) {
			if ((n = write(fd, buf, BENCH_STREAM)) <= 0)
				return;
			__atomic_add_fetch(bench_counter, n, __ATOMIC_RELAXED);
		}
	}
}

/* What the traffic child has counted so far. */
static uint64_t
bench_peer_count(void)
{
	if (bench_counter == NULL)
		return (0);
	return (__atomic_load_n(bench_counter, __ATOMIC_RELAXED));
}

/* Opens the channel of io's handle if its variant uses one. */
static void
bench_channel_open(struct bench_io *io)
{
	if (io->how != BENCH_CHANNEL && io->how != BENCH_CHANNEL_MMSG)
		return;
#ifdef SB_HAVE_CHANNELS
	ck_assert_msg(sb_fileno(io->c, io->h) >= 0, "sb_fileno: %s",
	    strerror(errno));
#else
	ck_abort_msg("no channels in this libsockbroker");
#endif
}

/* One batched receive or send through the broker's channel. */
static int
bench_channel_mmsg(struct bench_io *io, struct mmsghdr *vec, int send)
{
#ifdef SB_HAVE_CHANNELS
	if (send)
		return (sb_sendmmsg(io->c, io->h, vec, BENCH_BATCH, 0));
	/* The first message waits, the others are those already there. */
	return (sb_recvmmsg(io->c, io->h, vec, BENCH_BATCH, 0));
#else
	(void)io;
	(void)vec;
	(void)send;
	errno = EOPNOTSUPP;
	return (-1);
#endif
}

/*
 * What one call's result n counts: bytes on a stream, messages for the
 * batched calls, else one message.
 */
static uint64_t
bench_units(const struct bench_io *io, ssize_t n)
{
	if (io->stream || io->how == BENCH_DIRECT_MMSG ||
	    io->how == BENCH_CHANNEL_MMSG)
		return ((uint64_t)n);
	return (1);
}

/* Receives on io until the deadline: how many messages or bytes. */
uint64_t
bench_recv(struct bench_io *io, double end)
{
	static char	 buf[BENCH_BATCH * BENCH_DGRAM_MAX];
	struct mmsghdr	 vec[BENCH_BATCH];
	struct iovec	 iov[BENCH_BATCH];
	size_t		 size = io->stream ? BENCH_STREAM : BENCH_DGRAM_MAX;
	uint64_t	 total = 0;
	ssize_t		 n;
	unsigned	 i;

	bench_vec(vec, iov, buf, BENCH_DGRAM_MAX, 0);
	for (i = 0;; i++) {
		if ((i & 7) == 0 && fixture_now() >= end)
			break;
		switch (io->how) {
		case BENCH_DIRECT:
			n = recv(io->fd, buf, size, 0);
			break;
		case BENCH_DIRECT_MMSG:
			n = recvmmsg(io->fd, vec, BENCH_BATCH, MSG_WAITFORONE,
			    NULL);
			break;
		case BENCH_CHANNEL_MMSG:
			n = bench_channel_mmsg(io, vec, 0);
			break;
		default:
			n = sb_recv(io->c, io->h, buf, size, 0);
			break;
		}
		ck_assert_msg(n > 0, "%s: %s", bench_how_name(io->how, 0),
		    n == 0 ? "EOF" : strerror(errno));
		total += bench_units(io, n);
	}
	return (total);
}

/* Sends on io until the deadline: how many messages or bytes. */
uint64_t
bench_send(struct bench_io *io, const void *payload, double end)
{
	struct mmsghdr	 vec[BENCH_BATCH];
	struct iovec	 iov[BENCH_BATCH];
	uint64_t	 total = 0;
	ssize_t		 n;
	unsigned	 i;

	bench_vec(vec, iov, (char *)payload, io->size, 1);
	for (i = 0;; i++) {
		if ((i & 7) == 0 && fixture_now() >= end)
			break;
		switch (io->how) {
		case BENCH_DIRECT:
			n = send(io->fd, payload, io->size, 0);
			break;
		case BENCH_DIRECT_MMSG:
			n = sendmmsg(io->fd, vec, BENCH_BATCH, 0);
			break;
		case BENCH_CHANNEL_MMSG:
			n = bench_channel_mmsg(io, vec, 1);
			break;
		default:
			n = sb_send(io->c, io->h, payload, io->size, 0);
			break;
		}
		if (n == -1 && errno == ENOBUFS) {
			sched_yield();	/* a CAN queue full: not counted */
			continue;
		}
		ck_assert_msg(n > 0, "%s: %s", bench_how_name(io->how, 1),
		    n == 0 ? "nothing sent" : strerror(errno));
		total += bench_units(io, n);
	}
	return (total);
}

/* This process's CPU time and the daemon's, in seconds. */
static double
bench_cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9 + fixture_cpu_seconds());
}

/* Rounds per table: SB_BENCH_ROUNDS, else 3 (1 in a smoke run). */
int
bench_rounds(void)
{
	const char	*s = getenv("SB_BENCH_ROUNDS");
	int		 n;

	if (s != NULL && (n = atoi(s)) > 0)
		return (n);
	return (bench_seconds() >= 1 ? 3 : 1);
}

/* Opens io's channel if it has one, warms it up, then measures it. */
struct bench_rate
bench_measure(struct bench_io *io, int send, const void *payload, double t)
{
	struct bench_rate	r;
	double			t0, t1, c0;
	uint64_t		p0, p1;

	bench_channel_open(io);
	t0 = fixture_now();
	if (send)
		bench_send(io, payload, t0 + t / 10);
	else
		bench_recv(io, t0 + t / 10);
	p0 = bench_peer_count();
	c0 = bench_cpu();
	t0 = fixture_now();
	r.n = send ? bench_send(io, payload, t0 + t) : bench_recv(io, t0 + t);
	t1 = fixture_now();
	r.cpus = bench_cpu() - c0;
	p1 = bench_peer_count();
	ck_assert_msg(r.n > 0, "%s did nothing", bench_how_name(io->how,
	    send));
	r.secs = t1 - t0;
	r.rate = r.n / r.secs;
	r.peer = (p1 - p0) / r.secs;
	return (r);
}

/* Prints a table's heading and its columns. */
void
bench_head(const char *title, const char *unit)
{
	printf("\n%s\n  %-26s %11s %6s %12s %6s %12s\n", title, "", unit,
	    "ratio", "per CPU-s", "ratio", "other end/s");
	if (fixture_slow())
		printf("  (the daemon runs under SB_DAEMON_WRAPPER: its figures "
		    "say nothing)\n");
	fflush(stdout);
}

/* Prints a row: the rate and capacity, each with its ratio to the base. */
void
bench_row(const char *label, const struct bench_rate *r,
    const struct bench_rate *base, double scale, int send)
{
	double	cap = r->cpus > 0 ? r->n / r->cpus : 0, bcap;
	char	ratio[16], cratio[16], capf[16], mark = ' ';

	bcap = base->cpus > 0 ? base->n / base->cpus : 0;
	snprintf(ratio, sizeof ratio, "%.0f%%", 100 * r->rate / base->rate);
	if (cap > 0) {
		snprintf(capf, sizeof capf, "%.0f", cap * scale);
		snprintf(cratio, sizeof cratio, "%.0f%%", bcap > 0 ?
		    100 * cap / bcap : 0);
	} else {
		snprintf(capf, sizeof capf, "-");
		snprintf(cratio, sizeof cratio, "-");
	}
	/* A receiver that got nearly all that was sent: sender-bound. */
	if (!send && r->peer > 0 && r->peer < 1.05 * r->rate)
		mark = '*';
	printf("  %-26s %11.0f %6s %12s %6s %12.0f%c\n", label,
	    r->rate * scale, ratio, capf, cratio, r->peer * scale, mark);
	fflush(stdout);
}

/* Prints a row whose variant this build cannot run. */
void
bench_row_na(const char *label, const char *why)
{
	printf("  %-26s %11s %6s %12s %6s  %s\n", label, "n/a", "", "n/a", "",
	    why);
	fflush(stdout);
}

/* Prints a line of notes under a table. */
void
bench_note(const char *fmt, ...)
{
	va_list	ap;

	printf("  - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Connects handle h of c to a UDP or TCP address on the loopback. */
void
bench_sb_connect(sb_conn *c, int h, const struct sockaddr_storage *ss,
    socklen_t len)
{
	ck_assert_msg(sb_connect(c, h, (const struct sockaddr *)ss, len) == 0,
	    "sb_connect: %s", strerror(errno));
}

/* Runs one variant of bc for t seconds. */
static struct bench_rate
bench_variant(sb_conn *c, struct bench_case *bc, int send, enum bench_how how,
    double t)
{
	struct bench_io		io;
	struct bench_rate	r;
	pid_t			pid;
	int			peer;

	memset(&io, 0, sizeof io);
	io.how = how;
	io.size = bc->size;
	io.stream = bc->stream;
	io.c = c;
	io.fd = -1;
	if (how == BENCH_DIRECT || how == BENCH_DIRECT_MMSG)
		io.fd = bc->direct(bc->arg);
	else
		io.h = bc->handle(c, bc->arg);
	peer = bc->peer(bc->arg);
	pid = bench_child_start(bc->child, peer, bc->size, bc->payload);
	close(peer);
	r = bench_measure(&io, send, bc->payload, t);
	bench_child_stop(pid);
	if (io.fd != -1)
		close(io.fd);
	else
		ck_assert_int_eq(sb_close(c, io.h), 0);
	if (bc->cleanup != NULL)
		bc->cleanup(bc->arg);
	return (r);
}

/*
 * Runs bc for each variant in hows, in rounds (every variant once a
 * round, so that a change in the machine's load falls on all of them),
 * and prints the table: the best rate of the rounds, the CPU of all.
 */
void
bench_table(sb_conn *c, const char *title, const char *unit, double scale,
    struct bench_case *bc, int send, const enum bench_how *hows, int n,
    struct bench_rate *best)
{
	struct bench_rate	r;
	double			t;
	int			i, k, rounds = bench_rounds();

	t = bench_seconds() / rounds;
	memset(best, 0, sizeof *best * n);
	for (k = 0; k < rounds; k++) {
		for (i = 0; i < n; i++) {
			if ((hows[i] == BENCH_CHANNEL ||
			    hows[i] == BENCH_CHANNEL_MMSG) &&
			    !bench_have_channels())
				continue;
			r = bench_variant(c, bc, send, hows[i], t);
			if (r.rate > best[i].rate) {
				best[i].rate = r.rate;
				best[i].peer = r.peer;
			}
			best[i].n += r.n;
			best[i].cpus += r.cpus;
			best[i].secs += r.secs;
		}
	}
	bench_head(title, unit);
	for (i = 0; i < n; i++) {
		if (best[i].rate > 0)
			bench_row(bench_how_name(hows[i], send), &best[i],
			    &best[0], scale, send);
		else
			bench_row_na(bench_how_name(hows[i], send),
			    "no sb_fileno here (SB_HAVE_CHANNELS)");
	}
}

/* Prints whether r reaches min (a fraction) of base, by rate and by CPU. */
void
bench_target(const char *what, const struct bench_rate *r,
    const struct bench_rate *base, double min)
{
	double	cap, bcap;

	if (r->rate <= 0 || base->rate <= 0) {
		bench_note("target: %s >= %.0f%% of direct: not measured here",
		    what, 100 * min);
		return;
	}
	cap = r->cpus > 0 ? r->n / r->cpus : 0;
	bcap = base->cpus > 0 ? base->n / base->cpus : 0;
	bench_note("target: %s >= %.0f%% of direct: %.0f%% (%s); per "
	    "CPU-second %.0f%%", what, 100 * min, 100 * r->rate / base->rate,
	    r->rate >= min * base->rate ? "met" : "missed",
	    bcap > 0 ? 100 * cap / bcap : 0);
}
