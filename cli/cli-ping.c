/* SPDX-License-Identifier: ISC */
/*
 * sockbroker ping [-4|-6] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-q]
 * HOST: ICMP echo through a socket the daemon owns, with the output and the
 * exit status of iputils ping (0: some reply, 1: none, 2: other errors).
 *
 * The socket is a raw ICMP socket, the one the broker exists for; when the
 * daemon may not open one (EPERM, EACCES) it is an ICMP datagram ("ping")
 * socket instead. The TTL of a reply comes from its IP header on a raw IPv4
 * socket, else from the IP_TTL / IPV6_HOPLIMIT ancillary item. Each echo
 * carries the monotonic time it was sent, so its reply gives the round trip
 * (SIZE under 16 bytes: no times, as iputils). Waits use the handle's
 * timeout, at most CLI_PING_TICK seconds each, so that SIGINT, which ends
 * the run with its summary, is seen soon. After the last echo of -c COUNT,
 * ping waits for the missing replies at most -W TIMEOUT seconds (10).
 */

#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define CLI_PING_EXIT_NOREPLY	1
#define CLI_PING_EXIT_ERROR	2

#define CLI_PING_TICK		0.25	/* longest single wait, seconds */
#define CLI_PING_HDR		8	/* ICMP echo header */
#define CLI_PING_STAMP		16	/* the send time in the payload */
#define CLI_PING_MAXSIZE	65507	/* 65535 - IPv4 header - ICMP header */
#define CLI_PING_SLACK		576	/* IP headers, quoted packets of errors */

#define CLI_PING_ECHOREPLY	0
#define CLI_PING_UNREACH	3
#define CLI_PING_ECHO		8
#define CLI_PING_TIMXCEED	11

#ifndef ICMP_FILTER
#define ICMP_FILTER		1	/* linux/icmp.h, which clashes with glibc */
#endif

/* One ping run. */
struct cli_ping {
	sb_conn			*c;
	int			 h;
	int			 family;	/* AF_INET, AF_INET6 or AF_UNSPEC */
	int			 raw;		/* SOCK_RAW, else a ping socket */
	long			 count;		/* 0: until SIGINT */
	double			 interval;
	double			 linger;	/* -W */
	size_t			 size;
	int			 quiet;
	const char		*host;

	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 addrstr[INET6_ADDRSTRLEN];
	uint16_t		 ident;

	uint8_t			*out;
	uint8_t			*in;
	size_t			 inlen;

	long			 ntransmitted;
	long			 nreceived;
	long			 nrepeats;
	long			 nerrors;
	long			 ntimed;
	double			 tmin, tmax, tsum, tsum2;	/* ms */
	double			 start;
	uint8_t			 seen[65536 / 8];
};


static void	 cli_ping_put16(uint8_t *, uint16_t);
static uint16_t	 cli_ping_cksum(const uint8_t *, size_t);
static double	 cli_ping_sqrt(double);
static int	 cli_ping_number(const char *, double, double, double *);
static int	 cli_ping_options(struct cli_ping *, int, char **);
static int	 cli_ping_resolve(struct cli_ping *);
static int	 cli_ping_socket(struct cli_ping *);
static void	 cli_ping_sockopts(struct cli_ping *);
static int	 cli_ping_send(struct cli_ping *, uint16_t);
static int	 cli_ping_recv(struct cli_ping *, double);
static int	 cli_ping_cmsg_ttl(struct msghdr *);
static void	 cli_ping_input(struct cli_ping *, uint8_t *, size_t, int,
		     const struct sockaddr *, socklen_t);
static void	 cli_ping_reply(struct cli_ping *, const uint8_t *, size_t,
		     int, const char *);
static void	 cli_ping_error(struct cli_ping *, const uint8_t *, size_t,
		     const char *);
static void	 cli_ping_rtt(struct cli_ping *, double, char *, size_t);
static int	 cli_ping_run(struct cli_ping *);
static void	 cli_ping_summary(struct cli_ping *);

/* Stores a 16-bit value big-endian. */
static void
cli_ping_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The Internet checksum of len bytes, in network order in the result. */
static uint16_t
cli_ping_cksum(const uint8_t *p, size_t len)
{
	uint32_t	 sum = 0;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += cli_get16(p + i);
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/* The square root of x >= 0, by Newton's method (no libm needed). */
static double
cli_ping_sqrt(double x)
{
	double	 r = x > 1 ? x : 1;
	int	 i;

	if (x <= 0)
		return (0);
	for (i = 0; i < 64; i++)
		r = (r + x / r) / 2;
	return (r);
}

/* Parses a number between min and max; -1 when it is not one. */
static int
cli_ping_number(const char *s, double min, double max, double *v)
{
	char	*end;

	errno = 0;
	*v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(*v >= min) ||
	    !(*v <= max))
		return (-1);
	return (0);
}

/* Parses the options and HOST; -1 on a usage error (already reported). */
static int
cli_ping_options(struct cli_ping *p, int argc, char **argv)
{
	double	 v;
	int	 ch;

	optind = 0;
	while ((ch = getopt(argc, argv, "+46c:i:W:s:q")) != -1) {
		switch (ch) {
		case '4':
			p->family = AF_INET;
			break;
		case '6':
			p->family = AF_INET6;
			break;
		case 'c':
			if (cli_ping_number(optarg, 1, 1e9, &v) == -1)
				goto bad;
			p->count = (long)v;
			break;
		case 'i':
			if (cli_ping_number(optarg, 0.001, 86400, &v) == -1)
				goto bad;
			p->interval = v;
			break;
		case 'W':
			if (cli_ping_number(optarg, 0, 86400, &v) == -1)
				goto bad;
			p->linger = v;
			break;
		case 's':
			if (cli_ping_number(optarg, 0, CLI_PING_MAXSIZE,
			    &v) == -1)
				goto bad;
			p->size = (size_t)v;
			break;
		case 'q':
			p->quiet = 1;
			break;
		default:
			return (-1);
		}
	}
	if (argc - optind != 1)
		return (-1);
	p->host = argv[optind];
	return (0);

bad:
	fprintf(stderr, "sockbroker ping: bad value for -%c: %s\n", ch, optarg);
	return (-1);
}

/* Resolves HOST in the daemon: the first address of the family asked for. */
static int
cli_ping_resolve(struct cli_ping *p)
{
	struct addrinfo	 hints, *res;
	int		 error;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = p->family;
	hints.ai_socktype = SOCK_DGRAM;
	error = sb_getaddrinfo(p->c, p->host, NULL, &hints, &res);
	if (error == EAI_SYSTEM) {
		cli_warn("ping: %s", p->host);
		return (-1);
	}
	if (error != 0) {
		fprintf(stderr, "sockbroker ping: %s: %s\n", p->host,
		    gai_strerror(error));
		return (-1);
	}
	if (res->ai_addrlen > sizeof p->addr ||
	    (res->ai_family != AF_INET && res->ai_family != AF_INET6)) {
		fprintf(stderr, "sockbroker ping: %s: no IP address\n",
		    p->host);
		sb_freeaddrinfo(res);
		return (-1);
	}
	memcpy(&p->addr, res->ai_addr, res->ai_addrlen);
	p->addrlen = res->ai_addrlen;
	p->family = res->ai_family;
	sb_freeaddrinfo(res);
	if (p->family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&p->addr)->sin_addr,
		    p->addrstr, sizeof p->addrstr);
	else
		inet_ntop(AF_INET6,
		    &((struct sockaddr_in6 *)&p->addr)->sin6_addr,
		    p->addrstr, sizeof p->addrstr);
	return (0);
}

/* Opens the raw ICMP socket, else a ping socket; -1 after a message. */
static int
cli_ping_socket(struct cli_ping *p)
{
	int	 proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	p->raw = 1;
	p->h = sb_socket(p->c, p->family, SOCK_RAW, proto);
	if (p->h == -1 && (errno == EPERM || errno == EACCES)) {
		p->raw = 0;
		p->h = sb_socket(p->c, p->family, SOCK_DGRAM, proto);
	}
	if (p->h == -1) {
		cli_warn("ping: socket");
		return (-1);
	}
	cli_ping_sockopts(p);
	return (0);
}

/*
 * Asks for the TTL / hop limit of replies and, on raw sockets, lets only
 * the ICMP types ping reads through. A failure only costs the TTL in the
 * output or some filtering here, so it is not an error.
 */
static void
cli_ping_sockopts(struct cli_ping *p)
{
	struct icmp6_filter	 f6;
	uint32_t		 f4;
	int			 on = 1;

	if (p->family == AF_INET) {
		if (!p->raw) {
			sb_setsockopt(p->c, p->h, IPPROTO_IP, IP_RECVTTL, &on,
			    sizeof on);
			return;
		}
		f4 = ~((1U << CLI_PING_ECHOREPLY) | (1U << CLI_PING_UNREACH) |
		    (1U << CLI_PING_TIMXCEED));
		sb_setsockopt(p->c, p->h, IPPROTO_RAW, ICMP_FILTER, &f4,
		    sizeof f4);
		return;
	}
	sb_setsockopt(p->c, p->h, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
	    sizeof on);
	if (p->raw) {
		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f6);
		sb_setsockopt(p->c, p->h, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
		    sizeof f6);
	}
}

/*
 * Sends echo request seq. The IPv4 checksum is ours; for ICMPv6 the kernel
 * always computes it, and on a ping socket it rewrites the identifier.
 */
static int
cli_ping_send(struct cli_ping *p, uint16_t seq)
{
	struct timespec	 ts;
	size_t		 len = CLI_PING_HDR + p->size, i;
	ssize_t		 n;

	memset(p->out, 0, CLI_PING_HDR);
	p->out[0] = p->family == AF_INET ? CLI_PING_ECHO : ICMP6_ECHO_REQUEST;
	cli_ping_put16(p->out + 4, p->ident);
	cli_ping_put16(p->out + 6, seq);
	for (i = 0; i < p->size; i++)
		p->out[CLI_PING_HDR + i] = (uint8_t)i;
	if (p->size >= CLI_PING_STAMP) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		memset(p->out + CLI_PING_HDR, 0, CLI_PING_STAMP);
		memcpy(p->out + CLI_PING_HDR, &ts, sizeof ts);
	}
	if (p->family == AF_INET)
		cli_ping_put16(p->out + 2, cli_ping_cksum(p->out, len));
	p->seen[seq / 8] &= ~(1 << (seq % 8));
	p->ntransmitted++;
	n = sb_sendto(p->c, p->h, p->out, len, 0, (struct sockaddr *)&p->addr,
	    p->addrlen);
	if (n == -1) {
		if (errno != EHOSTUNREACH && errno != ENETUNREACH &&
		    errno != EAGAIN && errno != ENOBUFS) {
			cli_warn("ping: sendto %s", p->addrstr);
			return (-1);
		}
		p->nerrors++;
		if (!p->quiet)
			printf("From %s icmp_seq=%u %s\n", p->addrstr, seq,
			    strerror(errno));
	}
	return (0);
}

/* The TTL or hop limit from the ancillary data, or -1. */
static int
cli_ping_cmsg_ttl(struct msghdr *msg)
{
	struct cmsghdr	*cm;
	int		 ttl;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(sizeof ttl))
			continue;
		if ((cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL) ||
		    (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&ttl, CMSG_DATA(cm), sizeof ttl);
			return (ttl);
		}
	}
	return (-1);
}

/*
 * Waits at most wait seconds for one packet and handles it. 0 when
 * something came or the wait ended, -1 on an error (already reported).
 */
static int
cli_ping_recv(struct cli_ping *p, double wait)
{
	struct sockaddr_storage	 from;
	struct msghdr		 msg;
	struct iovec		 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[256];
	}			 cbuf;
	ssize_t			 n;

	if (sb_settimeout(p->c, p->h, wait > 0 ? wait : 0) == -1) {
		cli_warn("ping: settimeout");
		return (-1);
	}
	memset(&msg, 0, sizeof msg);
	iov.iov_base = p->in;
	iov.iov_len = p->inlen;
	msg.msg_name = &from;
	msg.msg_namelen = sizeof from;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	if ((n = sb_recvmsg(p->c, p->h, &msg, 0)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		cli_warn("ping: recvmsg");
		return (-1);
	}
	cli_ping_input(p, p->in, (size_t)n, cli_ping_cmsg_ttl(&msg),
	    (struct sockaddr *)&from, msg.msg_namelen);
	return (0);
}

/* Takes a received packet apart: an echo reply of ours, an error, or else. */
static void
cli_ping_input(struct cli_ping *p, uint8_t *buf, size_t len, int ttl,
    const struct sockaddr *from, socklen_t fromlen)
{
	char	 fromstr[INET6_ADDRSTRLEN] = "?";
	size_t	 hl;
	int	 reply, error;

	if (from->sa_family == AF_INET &&
	    fromlen >= sizeof(struct sockaddr_in))
		inet_ntop(AF_INET, &((const struct sockaddr_in *)from)->sin_addr,
		    fromstr, sizeof fromstr);
	else if (from->sa_family == AF_INET6 &&
	    fromlen >= sizeof(struct sockaddr_in6))
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)from)->sin6_addr, fromstr,
		    sizeof fromstr);

	if (p->family == AF_INET && p->raw) {
		if (len < 20 || (buf[0] >> 4) != 4)
			return;
		hl = (buf[0] & 0x0f) * 4;
		if (hl < 20 || len < hl)
			return;
		ttl = buf[8];
		buf += hl;
		len -= hl;
	}
	if (len < CLI_PING_HDR)
		return;
	if (p->family == AF_INET) {
		reply = buf[0] == CLI_PING_ECHOREPLY;
		error = buf[0] == CLI_PING_UNREACH ||
		    buf[0] == CLI_PING_TIMXCEED;
	} else {
		reply = buf[0] == ICMP6_ECHO_REPLY;
		error = buf[0] == ICMP6_DST_UNREACH ||
		    buf[0] == ICMP6_TIME_EXCEEDED;
	}
	if (reply)
		cli_ping_reply(p, buf, len, ttl, fromstr);
	else if (error && p->raw)
		cli_ping_error(p, buf, len, fromstr);
}

/* Formats a round trip time in ms as iputils does. */
static void
cli_ping_rtt(struct cli_ping *p, double ms, char *buf, size_t size)
{
	if (ms < 0)
		ms = 0;
	p->ntimed++;
	p->tsum += ms;
	p->tsum2 += ms * ms;
	if (p->ntimed == 1 || ms < p->tmin)
		p->tmin = ms;
	if (ms > p->tmax)
		p->tmax = ms;
	if (ms >= 100)
		snprintf(buf, size, " time=%.0f ms", ms);
	else if (ms >= 10)
		snprintf(buf, size, " time=%.1f ms", ms);
	else if (ms >= 1)
		snprintf(buf, size, " time=%.2f ms", ms);
	else
		snprintf(buf, size, " time=%.3f ms", ms);
}

/* An echo reply: ours (identifier and a sequence sent), counted, printed. */
static void
cli_ping_reply(struct cli_ping *p, const uint8_t *icmp, size_t len, int ttl,
    const char *fromstr)
{
	struct timespec	 ts;
	char		 ttlstr[16] = "", timestr[32] = "";
	uint16_t	 seq = cli_get16(icmp + 6);
	int		 dup;

	/* A ping socket's identifier is the kernel's, which filters for us. */
	if (p->raw && cli_get16(icmp + 4) != p->ident)
		return;
	/* seq must be one of the last 65535 sent (it wraps after that). */
	if ((long)(uint16_t)((uint16_t)p->ntransmitted - seq) >=
	    p->ntransmitted)
		return;
	dup = (p->seen[seq / 8] >> (seq % 8)) & 1;
	p->seen[seq / 8] |= 1 << (seq % 8);
	if (dup)
		p->nrepeats++;
	else
		p->nreceived++;
	if (ttl >= 0)
		snprintf(ttlstr, sizeof ttlstr, " ttl=%d", ttl);
	if (p->size >= CLI_PING_STAMP && len >= CLI_PING_HDR + sizeof ts) {
		memcpy(&ts, icmp + CLI_PING_HDR, sizeof ts);
		cli_ping_rtt(p, (cli_now() - (ts.tv_sec +
		    ts.tv_nsec / 1e9)) * 1000, timestr, sizeof timestr);
	}
	if (p->quiet)
		return;
	printf("%zu bytes from %s: icmp_seq=%u%s%s%s\n", len, fromstr, seq,
	    ttlstr, timestr, dup ? " (DUP!)" : "");
	fflush(stdout);
}

/* An ICMP error about an echo request of ours: printed and counted. */
static void
cli_ping_error(struct cli_ping *p, const uint8_t *icmp, size_t len,
    const char *fromstr)
{
	const uint8_t	*in = icmp + CLI_PING_HDR;
	const char	*what;
	size_t		 hl;
	uint8_t		 type = icmp[0];

	len -= CLI_PING_HDR;
	if (p->family == AF_INET) {
		if (len < 20 || (hl = (in[0] & 0x0f) * 4) < 20 ||
		    len < hl + CLI_PING_HDR || in[9] != IPPROTO_ICMP ||
		    in[hl] != CLI_PING_ECHO)
			return;
		what = type == CLI_PING_UNREACH ? "Destination Unreachable" :
		    "Time to live exceeded";
	} else {
		hl = 40;
		if (len < hl + CLI_PING_HDR || in[6] != IPPROTO_ICMPV6 ||
		    in[hl] != ICMP6_ECHO_REQUEST)
			return;
		what = type == ICMP6_DST_UNREACH ? "Destination unreachable" :
		    "Time exceeded";
	}
	if (cli_get16(in + hl + 4) != p->ident)
		return;
	p->nerrors++;
	if (!p->quiet) {
		printf("From %s icmp_seq=%u %s\n", fromstr,
		    cli_get16(in + hl + 6), what);
		fflush(stdout);
	}
}

/*
 * Sends an echo every interval and reads replies in between; with a count,
 * stops when every reply is in or linger seconds after the last echo.
 */
static int
cli_ping_run(struct cli_ping *p)
{
	double	 now, next, last = 0, wait;

	next = p->start = cli_now();
	while (!cli_stopped) {
		now = cli_now();
		if ((p->count == 0 || p->ntransmitted < p->count) &&
		    now >= next) {
			if (cli_ping_send(p,
			    (uint16_t)(p->ntransmitted + 1)) == -1)
				return (-1);
			last = now;
			next = now + p->interval;
			continue;
		}
		if (p->count != 0 && p->ntransmitted >= p->count) {
			if (p->nreceived + p->nerrors >= p->count ||
			    now >= last + p->linger)
				break;
			wait = last + p->linger - now;
		} else
			wait = next - now;
		if (wait > CLI_PING_TICK)
			wait = CLI_PING_TICK;
		if (cli_ping_recv(p, wait) == -1)
			return (-1);
	}
	return (0);
}

/* Prints the statistics, as iputils ping does at its end. */
static void
cli_ping_summary(struct cli_ping *p)
{
	double	 avg, mdev, loss = 0;

	printf("\n--- %s ping statistics ---\n", p->host);
	printf("%ld packets transmitted, %ld received", p->ntransmitted,
	    p->nreceived);
	if (p->nrepeats != 0)
		printf(", +%ld duplicates", p->nrepeats);
	if (p->nerrors != 0)
		printf(", +%ld errors", p->nerrors);
	if (p->ntransmitted != 0)
		loss = (p->ntransmitted - p->nreceived) * 100.0 /
		    p->ntransmitted;
	printf(", %g%% packet loss, time %.0fms\n", loss,
	    (cli_now() - p->start) * 1000);
	if (p->ntimed != 0) {
		avg = p->tsum / p->ntimed;
		mdev = cli_ping_sqrt(p->tsum2 / p->ntimed - avg * avg);
		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n",
		    p->tmin, avg, p->tmax, mdev);
	}
	fflush(stdout);
}

/* ping [-4|-6] [-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-s SIZE] [-q] HOST */
int
cli_ping_exec(const char *path, int argc, char **argv)
{
	struct cli_ping		 p;
	int			 r = -1;

	memset(&p, 0, sizeof p);
	p.h = -1;
	p.family = AF_UNSPEC;
	p.interval = 1;
	p.linger = 10;
	p.size = 56;
	if (cli_ping_options(&p, argc, argv) == -1)
		return (cli_usage(argv[0]));
	p.ident = (uint16_t)getpid();
	p.inlen = CLI_PING_HDR + p.size + CLI_PING_SLACK;
	if ((p.out = malloc(CLI_PING_HDR + p.size)) == NULL ||
	    (p.in = malloc(p.inlen)) == NULL) {
		fprintf(stderr, "sockbroker ping: out of memory\n");
		free(p.out);
		return (CLI_PING_EXIT_ERROR);
	}
	if ((p.c = cli_open(path)) == NULL)
		goto out;
	if (CLI_PING_HDR + p.size > sb_info(p.c)->max_data) {
		fprintf(stderr, "sockbroker ping: -s %zu: over the daemon's "
		    "limit of %u bytes\n", p.size, sb_info(p.c)->max_data);
		goto out;
	}
	if (cli_ping_resolve(&p) == -1 || cli_ping_socket(&p) == -1)
		goto out;

	cli_stop_catch(0);
	if (p.family == AF_INET)
		printf("PING %s (%s) %zu(%zu) bytes of data.\n", p.host,
		    p.addrstr, p.size, p.size + CLI_PING_HDR + 20);
	else
		printf("PING %s (%s) %zu data bytes\n", p.host, p.addrstr,
		    p.size);
	fflush(stdout);
	r = cli_ping_run(&p);
	cli_ping_summary(&p);
	cli_stop_release();
out:
	if (p.c != NULL && p.h != -1)
		sb_close(p.c, p.h);
	sb_close_conn(p.c);
	free(p.out);
	free(p.in);
	if (r == -1)
		return (CLI_PING_EXIT_ERROR);
	return (p.nreceived > 0 ? CLI_EXIT_OK : CLI_PING_EXIT_NOREPLY);
}
