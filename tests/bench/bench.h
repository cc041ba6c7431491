/* SPDX-License-Identifier: ISC */
/*
 * The benchmarks (tests/bench): the same work done directly and through the
 * broker, measured in the same run and printed side by side, each broker
 * figure with its ratio against the direct one. bench.c is the harness
 * (timing, CPU placement, traffic children, the table, the variants that
 * move data); bench_host.c has the host's cases, bench_can.c the VM's.
 *
 * Method: the process that does the work being measured and the daemon run
 * on CPU 0, the traffic children (the other end of every transfer) on CPU 1,
 * so every variant gets the same CPU budget, one CPU, whatever the number
 * of processes it needs, and the other end never competes with it
 * (SB_BENCH_PIN=0: no pinning). Each variant runs SB_BENCH_SECONDS (default
 * 0.2: the smoke run of make check; make bench sets 2) after a warm-up of a
 * tenth of that.
 */

#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>

#include "fixture.h"

#define BENCH_BATCH	32		/* messages per *mmsg call */
#define BENCH_STREAM	(64 * 1024)	/* bytes per stream call */

/* How a variant moves data. */
enum bench_how {
	BENCH_DIRECT,		/* recv/send on a socket of our own */
	BENCH_DIRECT_MMSG,	/* recvmmsg/sendmmsg on it */
	BENCH_REQUEST,		/* sb_recv/sb_send, a request each */
	BENCH_CHANNEL,		/* sb_fileno, then sb_recv/sb_send */
	BENCH_CHANNEL_MMSG,	/* sb_fileno, then sb_recvmmsg/sb_sendmmsg */
};

/* The socket a variant uses: fd (direct) or c and h (broker). */
struct bench_io {
	enum bench_how	 how;
	int		 fd;
	sb_conn		*c;
	int		 h;
	size_t		 size;		/* bytes per message or call */
	int		 stream;	/* counts bytes, not messages */
};

/* What a traffic child does with its descriptor until it is killed. */
enum bench_child {
	BENCH_BLAST,		/* sendmmsg of size-byte datagrams */
	BENCH_DRAIN,		/* recvmmsg (datagrams) or read (streams) */
	BENCH_WRITE,		/* write BENCH_STREAM bytes at a time */
};

/* One measurement: units per second, the other end's, the CPU it took. */
struct bench_rate {
	double	 rate;
	double	 peer;		/* the child's rate, 0 if it counts nothing */
	uint64_t n;		/* messages or bytes */
	double	 secs;
	double	 cpus;		/* this process's and the daemon's CPU time */
};

/*
 * A table's work: the socket measured (made directly, or as a broker
 * handle) and the traffic child's socket, the other end, made after it.
 */
struct bench_case {
	void		*arg;
	size_t		 size;		/* bytes per message or call */
	int		 stream;
	const void	*payload;	/* what the sender sends */
	enum bench_child child;		/* what the other end does */
	int		(*direct)(void *);
	int		(*handle)(sb_conn *, void *);
	int		(*peer)(void *);
	void		(*cleanup)(void *);	/* after each variant, or NULL */
};

/* blast.c */
/*
 * Fills vec with BENCH_BATCH messages of size bytes each at buf (same: all
 * of them the same size bytes at buf).
 */
void		 bench_vec(struct mmsghdr *vec, struct iovec *iov, char *buf,
		     size_t size, int same);
/* sendmmsg of size-byte datagrams on fd until killed, counted in *counter. */
void		 bench_blast(int fd, const void *payload, size_t size,
		     uint64_t *counter) __attribute__((noreturn));

/* bench.c */
/* Seconds per variant (SB_BENCH_SECONDS). */
double		 bench_seconds(void);
/* Rounds per table (SB_BENCH_ROUNDS; 3, or 1 in a smoke run). */
int		 bench_rounds(void);
/* Pins this process and every thread of the daemon to the work CPU. */
void		 bench_pin_work(void);
/* Whether this libsockbroker has channels (sb_fileno). */
int		 bench_have_channels(void);
/* A short name for how ("direct recv", "broker sb_recv (request)"). */
const char	*bench_how_name(enum bench_how, int send);
/*
 * Starts a traffic child on the traffic CPU that does what with fd (size
 * bytes per datagram, payload for BENCH_BLAST) and counts its messages or
 * bytes; returns its pid.
 */
pid_t		 bench_child_start(enum bench_child what, int fd, size_t size,
		     const void *payload);
/* Kills and reaps the traffic child. */
void		 bench_child_stop(pid_t);
/* Receives on io until the deadline: how many messages or bytes. */
uint64_t	 bench_recv(struct bench_io *io, double end);
/* Sends on io until the deadline: how many messages or bytes. */
uint64_t	 bench_send(struct bench_io *io, const void *payload,
		     double end);
/*
 * Opens io's channel if its variant has one, runs it for a tenth of t
 * (a warm-up), then measures it for t seconds (payload: what a send sends).
 */
struct bench_rate bench_measure(struct bench_io *io, int send,
		     const void *payload, double t);
/*
 * Runs bc for each of the n variants in hows (receiving, or sending if
 * send) in bench_rounds() rounds, the first variant the base, and prints
 * the table (figures times scale, in unit); each variant's figures in
 * best (rate 0 for one this build cannot run).
 */
void		 bench_table(sb_conn *c, const char *title, const char *unit,
		     double scale, struct bench_case *bc, int send,
		     const enum bench_how *hows, int n, struct bench_rate *best);
/* Prints a table's heading: its title and the unit of its figures. */
void		 bench_head(const char *title, const char *unit);
/*
 * Prints a row: r's rate and capacity (units per CPU-second of this
 * process and the daemon), each with its ratio against base's.
 */
void		 bench_row(const char *label, const struct bench_rate *r,
		     const struct bench_rate *base, double scale, int send);
/* Prints a row whose variant this build cannot run, and why. */
void		 bench_row_na(const char *label, const char *why);
/* Prints whether r reaches min (a fraction) of base, by rate and by CPU. */
void		 bench_target(const char *what, const struct bench_rate *r,
		     const struct bench_rate *base, double min);
/* Prints a line of notes under a table. */
void		 bench_note(const char *fmt, ...)
		     __attribute__((format(printf, 1, 2)));
/* Connects handle h of c to a UDP or TCP address on the loopback. */
void		 bench_sb_connect(sb_conn *c, int h,
		     const struct sockaddr_storage *ss, socklen_t len);

#endif /* BENCH_H */
