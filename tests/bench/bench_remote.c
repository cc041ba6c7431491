/* SPDX-License-Identifier: ISC */
/*
 * bench_remote LOCAL URL: the control round trip (sb_getsockopt SO_TYPE on
 * a UDP handle, one request and its answer) on a connection to the daemon's
 * socket LOCAL and on one over ssh:// URL to the same daemon, in the same
 * run, for SB_BENCH_SECONDS (0.2 by default) each after a warm-up of a
 * tenth of that: the mean and the median in microseconds, each with the
 * ratio of ssh to local. tests/test_remote.sh runs it against its own sshd on
 * the loopback (make bench-remote: 2 s each). No CPU pinning: over ssh the
 * round trip crosses ssh, sshd and dial-stdio as well as the daemon.
 */

#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockbroker.h"

#define BENCH_REMOTE_MAXN	(4 * 1024 * 1024)

/* One connection's figures. */
struct bench_rtt {
	double	 mean;		/* us */
	double	 median;	/* us */
	size_t	 n;
};

static double	 bench_remote_now(void);
static int	 bench_remote_cmp(const void *, const void *);
static int	 bench_remote_run(const char *, double, struct bench_rtt *);

/* Monotonic time in seconds. */
static double
bench_remote_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* qsort's order of doubles. */
static int
bench_remote_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* Measures round trips on a connection to path for t seconds into r. */
static int
bench_remote_run(const char *path, double t, struct bench_rtt *r)
{
	static double	 samples[BENCH_REMOTE_MAXN];
	double		 start, end, t0, t1, sum = 0;
	socklen_t	 len;
	sb_conn		*c;
	int		 h, v, warm;

	if ((c = sb_open(path)) == NULL ||
	    (h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) == -1) {
		fprintf(stderr, "bench_remote: %s: %s (%s)\n", path,
		    strerror(errno), sb_lasterror()->message);
		sb_close_conn(c);
		return (-1);
	}
	r->n = 0;
	for (warm = 1; warm >= 0; warm--) {
		start = bench_remote_now();
		end = start + (warm ? t / 10 : t);
		for (t0 = start; t0 < end && r->n < BENCH_REMOTE_MAXN;
		    t0 = t1) {
			len = sizeof v;
			if (sb_getsockopt(c, h, SOL_SOCKET, SO_TYPE, &v,
			    &len) == -1 || v != SOCK_DGRAM) {
				fprintf(stderr, "bench_remote: getsockopt: "
				    "%s\n", strerror(errno));
				sb_close_conn(c);
				return (-1);
			}
			t1 = bench_remote_now();
			if (!warm) {
				samples[r->n++] = (t1 - t0) * 1e6;
				sum += (t1 - t0) * 1e6;
			}
		}
	}
	sb_close_conn(c);
	if (r->n == 0)
		return (-1);
	qsort(samples, r->n, sizeof samples[0], bench_remote_cmp);
	r->mean = sum / (double)r->n;
	r->median = samples[r->n / 2];
	return (0);
}

/* Prints the local and the ssh round trip side by side. */
int
main(int argc, char **argv)
{
	struct bench_rtt	 local, ssh;
	const char		*s = getenv("SB_BENCH_SECONDS");
	double			 t = s != NULL ? atof(s) : 0.2;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_remote LOCAL URL\n");
		return (64);
	}
	if (!isfinite(t) || t <= 0)
		t = 0.2;
	if (bench_remote_run(argv[1], t, &local) == -1 ||
	    bench_remote_run(argv[2], t, &ssh) == -1)
		return (1);
	printf("control round trip, sb_getsockopt(SO_TYPE), %.1f s each\n",
	    t);
	printf("  %-24s %9s %7s %9s %7s %8s\n", "", "mean us", "ratio",
	    "median us", "ratio", "calls");
	printf("  %-24s %9.1f %7s %9.1f %7s %8zu\n", "local UNIX socket",
	    local.mean, "1.00", local.median, "1.00", local.n);
	printf("  %-24s %9.1f %7.2f %9.1f %7.2f %8zu\n",
	    "ssh:// on the loopback", ssh.mean, ssh.mean / local.mean,
	    ssh.median, ssh.median / local.median, ssh.n);
	return (0);
}
