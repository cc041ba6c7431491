/* SPDX-License-Identifier: ISC */
/*
 * sockbroker candump and cansend: can-utils' two tools (as in can-utils
 * 2020.11), on CAN_RAW sockets the daemon owns.
 *
 * cansend IFACE FRAME sends one frame written as cansend writes it:
 *   <id>#{data}          classic: 3 hex digits for an SFF id, 8 for EFF
 *   <id>#R{len}          a remote frame, len an optional digit 0-8
 *   <id>##<flags>{data}  CAN FD: flags one hex digit (BRS 1, ESI 2)
 * data is hex byte pairs, each optionally preceded by one '.'; at most 8
 * bytes (64 for CAN FD, in the lengths FD has). 8 digits with
 * CAN_ERR_FLAG (2xxxxxxx) make an error frame, as in cansend. Where
 * cansend silently drops extra bytes, pads FD lengths or masks ids, this
 * refuses the frame: a typo should not go on the bus as something else.
 *
 * candump [-n COUNT] [-T MSECS] IFACE[,FILTER...] ... prints frames in
 * candump's default format, byte for byte:
 *   "  vcan0  123   [3]  11 22 33"
 * one socket per IFACE ("any": every interface) with candump's filters:
 * ID:MASK, ID~MASK (inverted), #ERRMASK (error frames), j (join). An
 * 8-digit ID makes an EFF filter. -n stops after COUNT frames, -T after
 * MSECS without one; both, and SIGINT/SIGTERM, exit 0.
 *
 * The library has no select(): each socket gets a thread that waits in
 * sb_recvfrom at most CLI_CAN_TICK seconds at a time (so that it sees a
 * stop), all on the one connection, which the library allows. Printing,
 * counting and candump's state (the SFF indent) are under one lock.
 */

#include <sys/socket.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/can.h>
#include <linux/can/raw.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define CLI_CAN_MAXIFACES	16	/* as candump */
#define CLI_CAN_MAXFILTERS	64
#define CLI_CAN_NIFNAMES	32
#define CLI_CAN_TICK		0.2	/* a thread's longest wait, seconds */
#define CLI_CAN_WAKE_NS		50000000L /* main's, for -T and signals */
#define CLI_CAN_ANY		"any"
#define CLI_CAN_LINE		256	/* one formatted frame */

/* A socket of candump: one IFACE argument. */
struct cli_can_if {
	struct cli_candump	*d;
	char			 name[IF_NAMESIZE];
	unsigned int		 ifindex;	/* 0: any */
	struct can_filter	 filters[CLI_CAN_MAXFILTERS];
	size_t			 nfilters;
	can_err_mask_t		 errmask;
	int			 join;
	int			 h;
	pthread_t		 thread;
	int			 running;
};

/* An interface name the daemon told us, by index. */
struct cli_can_ifname {
	unsigned int	 ifindex;
	char		 name[IF_NAMESIZE];
};

/* One candump run. */
struct cli_candump {
	sb_conn			*c;
	long			 count;		/* -n; 0: no limit */
	long			 idle_ms;	/* -T; 0: no limit */
	struct cli_can_if	 ifs[CLI_CAN_MAXIFACES];
	size_t			 nifs;
	int			 width;		/* longest IFACE given */

	pthread_mutex_t		 lock;		/* everything below */
	pthread_cond_t		 cond;
	long			 dumped;
	int			 indent;	/* an EFF frame was seen */
	int			 stop;
	int			 failed;
	struct timespec		 last;		/* the last frame, or start */
	struct cli_can_ifname	 ifnames[CLI_CAN_NIFNAMES];
	size_t			 nifnames;
};


static int	 cli_can_nibble(char);
static int	 cli_can_hex(const char *, size_t, uint32_t *);
static int	 cli_can_id(const char *, size_t, canid_t *, const char **);
static int	 cli_can_data(const char *, struct canfd_frame *, size_t,
		     const char **);
static int	 cli_can_fdlen(size_t);
static int	 cli_can_parse_frame(const char *, struct canfd_frame *, int *,
		     const char **);
static int	 cli_can_ifname_arg(const char *, size_t, char *);
static int	 cli_can_open(sb_conn *, const char *, const char *, int,
		     unsigned int *);
static int	 cli_can_bind(sb_conn *, const char *, int, const char *,
		     unsigned int);
static int	 cli_can_setopt(sb_conn *, const char *, int, int,
		     const void *, socklen_t, const char *);
static void	 cli_can_fd_error(sb_conn *, int, const char *);
static int	 cli_can_filter(struct cli_can_if *, const char *,
		     const char **);
static int	 cli_can_iface(struct cli_candump *, const char *);
static int	 cli_can_options(struct cli_candump *, int, char **);
static int	 cli_can_setup(struct cli_candump *, struct cli_can_if *);
static void	 cli_can_format(char *, size_t, const struct canfd_frame *,
		     int, int);
static const char *cli_can_ifname(struct cli_candump *, unsigned int);
static void	 cli_can_print(struct cli_candump *,
		     const struct canfd_frame *, int, unsigned int);
static void	 cli_can_take(struct cli_candump *, struct cli_can_if *,
		     const struct canfd_frame *, ssize_t, unsigned int);
static void	*cli_can_recv_cb(void *);
static double	 cli_can_elapsed_ms(const struct timespec *);
static void	 cli_can_wait(struct cli_candump *);
static int	 cli_can_run(struct cli_candump *);

/* The value of one hex digit, or -1. */
static int
cli_can_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return (ch - '0');
	if (ch >= 'a' && ch <= 'f')
		return (ch - 'a' + 10);
	if (ch >= 'A' && ch <= 'F')
		return (ch - 'A' + 10);
	return (-1);
}

/* Parses exactly len (1-8) hex digits; -1 if any is not one. */
static int
cli_can_hex(const char *s, size_t len, uint32_t *v)
{
	size_t	 i;
	int	 n;

	if (len == 0 || len > 8)
		return (-1);
	*v = 0;
	for (i = 0; i < len; i++) {
		if ((n = cli_can_nibble(s[i])) == -1)
			return (-1);
		*v = *v << 4 | (uint32_t)n;
	}
	return (0);
}

/*
 * The id of a frame, len digits at s: 3 for SFF, 8 for EFF (or, with
 * CAN_ERR_FLAG, an error frame, as cansend does).
 */
static int
cli_can_id(const char *s, size_t len, canid_t *id, const char **cause)
{
	uint32_t	 v;

	if (len != 3 && len != 8) {
		*cause = "the id must be 3 hex digits (SFF) or 8 (EFF)";
		return (-1);
	}
	if (cli_can_hex(s, len, &v) == -1) {
		*cause = "the id is not hex";
		return (-1);
	}
	if (len == 3) {
		if (v > CAN_SFF_MASK) {
			*cause = "an SFF id is at most 7FF";
			return (-1);
		}
		*id = v;
		return (0);
	}
	if (v & (CAN_EFF_FLAG | CAN_RTR_FLAG)) {
		*cause = "an EFF id is at most 1FFFFFFF (or 2xxxxxxx for an "
		    "error frame)";
		return (-1);
	}
	*id = (v & CAN_ERR_FLAG) ? v : (v | CAN_EFF_FLAG);
	return (0);
}

/* Parses the data bytes at s into f, at most max of them. */
static int
cli_can_data(const char *s, struct canfd_frame *f, size_t max,
    const char **cause)
{
	size_t	 len = 0;
	int	 hi, lo;

	for (;;) {
		if (*s == '.')
			s++;
		if (*s == '\0')
			break;
		if ((hi = cli_can_nibble(s[0])) == -1 ||
		    (lo = cli_can_nibble(s[1])) == -1) {
			*cause = "the data must be pairs of hex digits, each "
			    "optionally after one '.'";
			return (-1);
		}
		if (len == max) {
			*cause = max == CAN_MAX_DLEN ? "more than 8 data bytes" :
			    "more than 64 data bytes";
			return (-1);
		}
		f->data[len++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	f->len = (uint8_t)len;
	return (0);
}

/* Whether len is a length a CAN FD frame can have. */
static int
cli_can_fdlen(size_t len)
{
	return (len <= 8 || len == 12 || len == 16 || len == 20 ||
	    len == 24 || len == 32 || len == 48 || len == 64);
}

/*
 * Parses a frame in cansend's syntax (see the top of the file); fd is set
 * for a CAN FD frame. -1 with a cause naming what is wrong.
 */
static int
cli_can_parse_frame(const char *s, struct canfd_frame *f, int *fd,
    const char **cause)
{
	const char	*p;
	int		 flags;

	memset(f, 0, sizeof *f);
	*fd = 0;
	if ((p = strchr(s, '#')) == NULL) {
		*cause = "no '#' after the id";
		return (-1);
	}
	if (cli_can_id(s, (size_t)(p - s), &f->can_id, cause) == -1)
		return (-1);
	p++;
	if (*p == 'R' || *p == 'r') {
		f->can_id |= CAN_RTR_FLAG;
		if (p[1] == '\0')
			return (0);
		if (p[1] < '0' || p[1] > '8' || p[2] != '\0') {
			*cause = "a remote frame's length is one digit 0-8";
			return (-1);
		}
		f->len = (uint8_t)(p[1] - '0');
		return (0);
	}
	if (*p != '#')
		return (cli_can_data(p, f, CAN_MAX_DLEN, cause));
	if ((flags = cli_can_nibble(p[1])) == -1) {
		*cause = "'##' must be followed by one hex digit of flags";
		return (-1);
	}
	f->flags = (uint8_t)flags;
	*fd = 1;
	if (cli_can_data(p + 2, f, CANFD_MAX_DLEN, cause) == -1)
		return (-1);
	if (!cli_can_fdlen(f->len)) {
		*cause = "a CAN FD frame has 0-8, 12, 16, 20, 24, 32, 48 or "
		    "64 data bytes";
		return (-1);
	}
	return (0);
}

/* Copies an interface name of len bytes; -1 if empty or too long. */
static int
cli_can_ifname_arg(const char *s, size_t len, char *name)
{
	if (len == 0 || len >= IF_NAMESIZE)
		return (-1);
	memcpy(name, s, len);
	name[len] = '\0';
	return (0);
}

/*
 * Looks the interface up (with any_ok, "any" is ifindex 0) and opens a
 * CAN_RAW socket: its handle, or -1 after a message. The name comes first
 * so that an unknown one is reported as such, whatever the kernel has.
 */
static int
cli_can_open(sb_conn *c, const char *cmd, const char *name, int any_ok,
    unsigned int *ifindex)
{
	int	 h;

	*ifindex = 0;
	if (!any_ok || strcmp(name, CLI_CAN_ANY) != 0) {
		if ((*ifindex = sb_if_nametoindex(c, name)) == 0) {
			cli_warn("%s: interface %s", cmd, name);
			return (-1);
		}
	}
	if ((h = sb_socket(c, AF_CAN, SOCK_RAW, CAN_RAW)) == -1) {
		cli_warn("%s: CAN_RAW socket", cmd);
		if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT)
			fprintf(stderr, "sockbroker %s: the daemon's kernel "
			    "has no CAN_RAW (modules can and can-raw)\n", cmd);
	}
	return (h);
}

/* Binds handle h to ifindex; -1 after a message. */
static int
cli_can_bind(sb_conn *c, const char *cmd, int h, const char *name,
    unsigned int ifindex)
{
	struct sockaddr_can	 addr;

	memset(&addr, 0, sizeof addr);
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)ifindex;
	if (sb_bind(c, h, (struct sockaddr *)&addr, sizeof addr) == 0)
		return (0);
	/* The kernel's answer for an interface of another kind. */
	if (errno == ENODEV)
		fprintf(stderr, "sockbroker %s: %s is not a CAN interface\n",
		    cmd, name);
	else
		cli_warn("%s: bind to %s", cmd, name);
	return (-1);
}

/* Sets a SOL_CAN_RAW option called what; -1 after a message. */
static int
cli_can_setopt(sb_conn *c, const char *cmd, int h, int opt, const void *v,
    socklen_t len, const char *what)
{
	if (sb_setsockopt(c, h, SOL_CAN_RAW, opt, v, len) == 0)
		return (0);
	cli_warn("%s: setsockopt %s", cmd, what);
	return (-1);
}

/*
 * Says why a CAN FD frame was refused: the kernel's EINVAL means the
 * interface is not FD capable, which its MTU shows.
 */
static void
cli_can_fd_error(sb_conn *c, int h, const char *name)
{
	struct ifreq	 ifr;
	int		 saved = errno;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (saved == EINVAL && sb_ioctl(c, h, SIOCGIFMTU, &ifr) == 0 &&
	    ifr.ifr_mtu != CANFD_MTU) {
		fprintf(stderr, "sockbroker cansend: %s is not CAN FD capable "
		    "(MTU %d, not %zu): %s\n", name, ifr.ifr_mtu,
		    (size_t)CANFD_MTU, strerror(saved));
		return;
	}
	errno = saved;
	cli_warn("cansend: send on %s", name);
}

/* cansend IFACE FRAME */
int
cli_cansend_exec(const char *path, int argc, char **argv)
{
	struct canfd_frame	 f;
	const char		*cause;
	char			 name[IF_NAMESIZE];
	sb_conn			*c;
	unsigned int		 ifindex;
	int			 h, fd, on = 1, r = CLI_EXIT_ERROR;
	size_t			 mtu;

	if (argc != 3)
		return (cli_usage(argv[0]));
	if (cli_can_ifname_arg(argv[1], strlen(argv[1]), name) == -1) {
		fprintf(stderr, "sockbroker cansend: bad interface name: "
		    "'%s'\n", argv[1]);
		return (cli_usage(argv[0]));
	}
	if (cli_can_parse_frame(argv[2], &f, &fd, &cause) == -1) {
		fprintf(stderr, "sockbroker cansend: bad frame '%s': %s\n",
		    argv[2], cause);
		return (cli_usage(argv[0]));
	}
	mtu = fd ? CANFD_MTU : CAN_MTU;
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	if ((h = cli_can_open(c, "cansend", name, 0, &ifindex)) == -1)
		goto out;
	if (fd && cli_can_setopt(c, "cansend", h, CAN_RAW_FD_FRAMES, &on,
	    sizeof on, "CAN_RAW_FD_FRAMES") == -1)
		goto out;
	if (cli_can_bind(c, "cansend", h, name, ifindex) == -1)
		goto out;
	if (sb_send(c, h, &f, mtu, 0) != (ssize_t)mtu) {
		if (fd)
			cli_can_fd_error(c, h, name);
		else
			cli_warn("cansend: send on %s", name);
		goto out;
	}
	r = CLI_EXIT_OK;
out:
	sb_close_conn(c);
	return (r);
}

/* Parses one FILTER of an IFACE argument into ifp, as candump does. */
static int
cli_can_filter(struct cli_can_if *ifp, const char *s, const char **cause)
{
	struct can_filter	*cf;
	const char		*sep;
	uint32_t		 id, mask;

	if ((s[0] == 'j' || s[0] == 'J') && s[1] == '\0') {
		ifp->join = 1;
		return (0);
	}
	if (s[0] == '#') {
		if (cli_can_hex(s + 1, strlen(s + 1), &ifp->errmask) == -1)
			goto bad;
		return (0);
	}
	if ((sep = strpbrk(s, ":~")) == NULL ||
	    cli_can_hex(s, (size_t)(sep - s), &id) == -1 ||
	    cli_can_hex(sep + 1, strlen(sep + 1), &mask) == -1)
		goto bad;
	if (ifp->nfilters == CLI_CAN_MAXFILTERS) {
		*cause = "too many filters";
		return (-1);
	}
	cf = &ifp->filters[ifp->nfilters++];
	cf->can_id = id;
	cf->can_mask = mask & ~CAN_ERR_FLAG;
	/* candump: an 8-digit id is an EFF one. */
	if (sep - s == 8)
		cf->can_id |= CAN_EFF_FLAG;
	if (*sep == '~')
		cf->can_id |= CAN_INV_FILTER;
	return (0);

bad:
	*cause = "a filter is ID:MASK, ID~MASK, #ERRMASK or j (hex, 1-8 "
	    "digits)";
	return (-1);
}

/* Parses one IFACE[,FILTER...] argument of candump; -1 after a message. */
static int
cli_can_iface(struct cli_candump *d, const char *arg)
{
	struct cli_can_if	*ifp;
	const char		*cause, *p, *end;
	char			 buf[64];
	size_t			 len;

	if (d->nifs == CLI_CAN_MAXIFACES) {
		fprintf(stderr, "sockbroker candump: at most %d interfaces\n",
		    CLI_CAN_MAXIFACES);
		return (-1);
	}
	ifp = &d->ifs[d->nifs++];
	ifp->d = d;
	ifp->h = -1;
	len = strcspn(arg, ",");
	if (cli_can_ifname_arg(arg, len, ifp->name) == -1) {
		fprintf(stderr, "sockbroker candump: bad interface name in "
		    "'%s'\n", arg);
		return (-1);
	}
	if ((int)len > d->width)
		d->width = (int)len;
	for (p = arg + len; *p == ','; p = end) {
		end = p + 1 + strcspn(p + 1, ",");
		len = (size_t)(end - p - 1);
		if (len >= sizeof buf) {
			cause = "a filter is too long";
			goto bad;
		}
		memcpy(buf, p + 1, len);
		buf[len] = '\0';
		if (cli_can_filter(ifp, buf, &cause) == -1)
			goto bad;
	}
	return (0);

bad:
	fprintf(stderr, "sockbroker candump: bad filter in '%s': %s\n", arg,
	    cause);
	return (-1);
}

/* Parses the options and IFACE arguments; -1 on a usage error. */
static int
cli_can_options(struct cli_candump *d, int argc, char **argv)
{
	char	*end;
	long	 v;
	int	 ch;

	optind = 0;
	while ((ch = getopt(argc, argv, "+n:T:")) != -1) {
		switch (ch) {
		case 'n':
		case 'T':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    v < 1) {
				fprintf(stderr, "sockbroker candump: bad value "
				    "for -%c: %s\n", ch, optarg);
				return (-1);
			}
			if (ch == 'n')
				d->count = v;
			else
				d->idle_ms = v;
			break;
		default:
			return (-1);
		}
	}
	if (optind == argc)
		return (-1);
	for (; optind < argc; optind++) {
		if (cli_can_iface(d, argv[optind]) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Opens the socket of one IFACE: FD frames on, the filters set before
 * bind (as candump does) so that no frame slips through unfiltered.
 */
static int
cli_can_setup(struct cli_candump *d, struct cli_can_if *ifp)
{
	const char	*cmd = "candump";
	int		 on = 1;

	if ((ifp->h = cli_can_open(d->c, cmd, ifp->name, 1,
	    &ifp->ifindex)) == -1)
		return (-1);
	if (cli_can_setopt(d->c, cmd, ifp->h, CAN_RAW_FD_FRAMES, &on,
	    sizeof on, "CAN_RAW_FD_FRAMES") == -1)
		return (-1);
	if (ifp->errmask != 0 && cli_can_setopt(d->c, cmd, ifp->h,
	    CAN_RAW_ERR_FILTER, &ifp->errmask, sizeof ifp->errmask,
	    "CAN_RAW_ERR_FILTER") == -1)
		return (-1);
	if (ifp->join && cli_can_setopt(d->c, cmd, ifp->h,
	    CAN_RAW_JOIN_FILTERS, &on, sizeof on,
	    "CAN_RAW_JOIN_FILTERS") == -1)
		return (-1);
	if (ifp->nfilters != 0 && cli_can_setopt(d->c, cmd, ifp->h,
	    CAN_RAW_FILTER, ifp->filters,
	    (socklen_t)(ifp->nfilters * sizeof ifp->filters[0]),
	    "CAN_RAW_FILTER") == -1)
		return (-1);
	if (cli_can_bind(d->c, cmd, ifp->h, ifp->name, ifp->ifindex) == -1)
		return (-1);
	if (sb_settimeout(d->c, ifp->h, CLI_CAN_TICK) == -1) {
		cli_warn("%s: settimeout", cmd);
		return (-1);
	}
	return (0);
}

/*
 * Formats a frame as can-utils' sprint_long_canframe does for candump's
 * default view: the id (error frames with their flag, EFF in 8 digits,
 * SFF in 3, indented to 8 once an EFF frame was seen), "[n]" for classic
 * frames and "[nn]" for FD ones, then the bytes; a remote frame says so,
 * an error frame ends in ERRORFRAME at a fixed column.
 */
static void
cli_can_format(char *buf, size_t size, const struct canfd_frame *f, int fd,
    int indent)
{
	size_t	 len, max = fd ? CANFD_MAX_DLEN : CAN_MAX_DLEN, i;
	char	 id[16];
	int	 n;

	len = f->len > max ? max : f->len;
	if (f->can_id & CAN_ERR_FLAG)
		snprintf(id, sizeof id, "%08X",
		    f->can_id & (CAN_ERR_MASK | CAN_ERR_FLAG));
	else if (f->can_id & CAN_EFF_FLAG)
		snprintf(id, sizeof id, "%08X", f->can_id & CAN_EFF_MASK);
	else
		snprintf(id, sizeof id, "%s%03X", indent ? "     " : "",
		    f->can_id & CAN_SFF_MASK);
	if (fd)
		n = snprintf(buf, size, "%-*s[%02zu] ", (int)strlen(id) + 2,
		    id, len);
	else if (f->can_id & CAN_RTR_FLAG) {
		snprintf(buf, size, "%-*s [%zu]  remote request",
		    (int)strlen(id) + 2, id, len);
		return;
	} else
		n = snprintf(buf, size, "%-*s [%zu] ", (int)strlen(id) + 2,
		    id, len);
	for (i = 0; i < len && n > 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n, " %02X", f->data[i]);
	/* candump's column: 3 per missing byte of 8, then 13 wide. */
	if ((f->can_id & CAN_ERR_FLAG) && len <= CAN_MAX_DLEN && n > 0 &&
	    (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "%*s",
		    (int)(3 * (CAN_MAX_DLEN - len) + 13), "ERRORFRAME");
}

/* The name of interface ifindex, asked of the daemon once (under lock). */
static const char *
cli_can_ifname(struct cli_candump *d, unsigned int ifindex)
{
	struct cli_can_ifname	*n;
	size_t			 i;

	for (i = 0; i < d->nifnames; i++) {
		if (d->ifnames[i].ifindex == ifindex)
			return (d->ifnames[i].name);
	}
	i = d->nifnames < CLI_CAN_NIFNAMES ? d->nifnames++ :
	    ifindex % CLI_CAN_NIFNAMES;
	n = &d->ifnames[i];
	n->ifindex = ifindex;
	if (sb_if_indextoname(d->c, ifindex, n->name) == NULL)
		snprintf(n->name, sizeof n->name, "%u", ifindex);
	return (n->name);
}

/*
 * Prints one frame, as candump: the interface right-aligned to the
 * longest IFACE given, two spaces, the frame. Called under the lock.
 */
static void
cli_can_print(struct cli_candump *d, const struct canfd_frame *f, int fd,
    unsigned int ifindex)
{
	char	 line[CLI_CAN_LINE];

	/* candump indents SFF ids from the first EFF frame on. */
	if (f->can_id & CAN_EFF_FLAG)
		d->indent = 1;
	cli_can_format(line, sizeof line, f, fd, d->indent);
	printf("  %*s  %s\n", d->width, cli_can_ifname(d, ifindex), line);
	fflush(stdout);
}

/*
 * Takes what one sb_recvfrom returned (n bytes into f, from ifindex):
 * prints a frame and counts it, or stops the run on an error. Called
 * under the lock, while the run goes on.
 */
static void
cli_can_take(struct cli_candump *d, struct cli_can_if *ifp,
    const struct canfd_frame *f, ssize_t n, unsigned int ifindex)
{
	if (n == -1 || (n != CAN_MTU && n != CANFD_MTU)) {
		if (n == -1)
			cli_warn("candump: receive on %s", ifp->name);
		else
			fprintf(stderr, "sockbroker candump: %s: incomplete "
			    "CAN frame (%zd bytes)\n", ifp->name, n);
		d->failed = 1;
		d->stop = 1;
		return;
	}
	cli_can_print(d, f, n == CANFD_MTU, ifindex);
	clock_gettime(CLOCK_MONOTONIC, &d->last);
	if (d->count != 0 && ++d->dumped >= d->count)
		d->stop = 1;
}

/* A socket's thread: receives and prints frames until the run stops. */
static void *
cli_can_recv_cb(void *arg)
{
	struct cli_can_if	*ifp = arg;
	struct cli_candump	*d = ifp->d;
	struct canfd_frame	 f;
	struct sockaddr_can	 from;
	socklen_t		 fromlen;
	ssize_t			 n;
	int			 stop;

	do {
		memset(&from, 0, sizeof from);
		fromlen = sizeof from;
		n = sb_recvfrom(d->c, ifp->h, &f, sizeof f, 0,
		    (struct sockaddr *)&from, &fromlen);
		/* A tick without a frame: only a look at whether to stop. */
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ETIMEDOUT))
			n = 0;
		pthread_mutex_lock(&d->lock);
		if (n != 0 && !d->stop)
			cli_can_take(d, ifp, &f, n,
			    (unsigned int)from.can_ifindex);
		stop = d->stop;
		pthread_cond_broadcast(&d->cond);
		pthread_mutex_unlock(&d->lock);
	} while (!stop);
	return (NULL);
}

/* Milliseconds since *since, on the monotonic clock. */
static double
cli_can_elapsed_ms(const struct timespec *since)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((now.tv_sec - since->tv_sec) * 1e3 +
	    (now.tv_nsec - since->tv_nsec) / 1e6);
}

/*
 * Waits, a tick at a time, until a thread stops the run (-n, an error),
 * -T MSECS pass without a frame, or a signal comes; then stops it.
 */
static void
cli_can_wait(struct cli_candump *d)
{
	struct timespec	 until;

	pthread_mutex_lock(&d->lock);
	while (!d->stop && !cli_stopped) {
		if (d->idle_ms != 0 &&
		    cli_can_elapsed_ms(&d->last) >= d->idle_ms)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += CLI_CAN_WAKE_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cond, &d->lock, &until);
	}
	d->stop = 1;
	pthread_mutex_unlock(&d->lock);
}

/* Starts a thread per socket, waits for the end and collects them. */
static int
cli_can_run(struct cli_candump *d)
{
	pthread_condattr_t	 attr;
	size_t			 i;
	int			 error;

	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cond, &attr);
	pthread_condattr_destroy(&attr);
	clock_gettime(CLOCK_MONOTONIC, &d->last);
	for (i = 0; i < d->nifs; i++) {
		error = pthread_create(&d->ifs[i].thread, NULL,
		    cli_can_recv_cb, &d->ifs[i]);
		if (error != 0) {
			fprintf(stderr, "sockbroker candump: thread: %s\n",
			    strerror(error));
			d->failed = 1;
			break;
		}
		d->ifs[i].running = 1;
	}
	if (!d->failed)
		cli_can_wait(d);
	pthread_mutex_lock(&d->lock);
	d->stop = 1;
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < d->nifs; i++) {
		if (d->ifs[i].running)
			pthread_join(d->ifs[i].thread, NULL);
	}
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	return (d->failed ? -1 : 0);
}

/* candump [-n COUNT] [-T MSECS] IFACE[,FILTER...] ... */
int
cli_candump_exec(const char *path, int argc, char **argv)
{
	struct cli_candump	*d;
	size_t			 i;
	int			 r = CLI_EXIT_ERROR;

	if ((d = calloc(1, sizeof *d)) == NULL) {
		fprintf(stderr, "sockbroker candump: out of memory\n");
		return (CLI_EXIT_ERROR);
	}
	if (cli_can_options(d, argc, argv) == -1) {
		free(d);
		return (cli_usage(argv[0]));
	}
	if ((d->c = cli_open(path)) == NULL)
		goto out;
	for (i = 0; i < d->nifs; i++) {
		if (cli_can_setup(d, &d->ifs[i]) == -1)
			goto out;
	}
	cli_stop_catch(1);
	if (cli_can_run(d) == 0)
		r = CLI_EXIT_OK;
	cli_stop_release();
out:
	sb_close_conn(d->c);
	free(d);
	return (r);
}
