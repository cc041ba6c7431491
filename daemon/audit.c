/* SPDX-License-Identifier: ISC */
/*
 * The audit log: one structured line (logfmt: key=value, values quoted and
 * escaped where needed) per decision to grant or deny a privileged
 * operation, saying when, who (uid, user, gid, pid, executable), what
 * (operation, family, type, protocol, interface, addresses) and the verdict
 * with the rule that decided it. Lines go to syslog (LOG_AUTHPRIV), or to
 * stderr in the foreground, and to the --audit-file if there is one.
 *
 * A token bucket bounds how many lines are written, so that a client
 * flooding the daemon with denied requests cannot fill the disk; what it
 * drops is counted and told in one summary line when writing resumes.
 * Formatting and the bucket are pure functions of their arguments (the
 * clock is passed in) so that they can be tested on their own.
 */

#include <sys/uio.h>
#include <sys/un.h>

#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define AUDIT_LINE_MAX	16384
#define AUDIT_ADDR_MAX	512

/* Where formatted text goes: like snprintf, off counts what did not fit. */
struct audit_buf {
	char	*p;
	size_t	 size;
	size_t	 off;
};

static struct audit_bucket	 audit_bucket;
static int			 audit_fd = -1;
static int			 audit_foreground = 1;
static int			 audit_file_failed;

static void	 audit_add(struct audit_buf *, const char *, size_t);
static void	 audit_printf(struct audit_buf *, const char *, ...)
		    __attribute__((__format__(printf, 2, 3)));
static void	 audit_kv(struct audit_buf *, const char *, const char *,
		    size_t);
static void	 audit_kvs(struct audit_buf *, const char *, const char *);
static int	 audit_needs_quotes(const char *, size_t);
static void	 audit_time(struct audit_buf *, const struct timespec *);
static void	 audit_proto(char *, size_t, int, int);
static size_t	 audit_addr(char *, size_t, const struct sockaddr *,
		    socklen_t, int);
static int	 audit_addr_can(char *, size_t, const struct sockaddr_can *,
		    socklen_t, int);
static int	 audit_addr_tipc(char *, size_t, const struct sockaddr_tipc *);
static size_t	 audit_addr_unix(char *, size_t, const struct sockaddr *,
		    socklen_t);
static void	 audit_write(const char *);
static double	 audit_now(void);

/*
 * Sets up the audit log: rate lines per second with a burst of twice that,
 * to syslog or stderr (foreground), and appended to path if it is not NULL.
 * Called before privileges are dropped, so the file may be root's.
 */
void
audit_init(const char *path, unsigned int rate, int foreground)
{
	audit_foreground = foreground;
	audit_bucket_init(&audit_bucket, rate, 2.0 * rate, audit_now());
	if (path == NULL)
		return;
	audit_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	/* Start-up only, before any client: the admin's --audit-file. */
	if (audit_fd == -1)
		fatal("audit file %s", path);
}

/* Writes the summary of lines still dropped and closes the audit file. */
void
audit_close(void)
{
	char	 line[256];

	if (audit_bucket.dropped > 0) {
		audit_format_dropped(line, sizeof line, NULL,
		    audit_bucket.dropped);
		audit_write(line);
		audit_bucket.dropped = 0;
	}
	if (audit_fd != -1)
		close(audit_fd);
	audit_fd = -1;
}

/*
 * Logs one decision about a privileged operation by the client of session
 * s: r says what and the verdict; the time and the peer are filled in here.
 */
void
audit_log(const struct session *s, struct audit_record *r)
{
	char	 line[AUDIT_LINE_MAX];

	if (!audit_ratelimit(&audit_bucket, audit_now()))
		return;
	if (audit_bucket.dropped > 0) {
		audit_format_dropped(line, sizeof line, NULL,
		    audit_bucket.dropped);
		audit_write(line);
		audit_bucket.dropped = 0;
	}
	clock_gettime(CLOCK_REALTIME, &r->ts);
	r->client = s->num;
	r->id = &s->id;
	audit_format(line, sizeof line, r);
	audit_write(line);
}

/* Sends a finished line to syslog or stderr, and to the audit file. */
static void
audit_write(const char *line)
{
	struct iovec	 iov[2];
	ssize_t		 n;

	if (audit_foreground)
		fprintf(stderr, "audit: %s\n", line);
	else
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line);
	if (audit_fd == -1)
		return;
	iov[0].iov_base = (void *)line;
	iov[0].iov_len = strlen(line);
	iov[1].iov_base = "\n";
	iov[1].iov_len = 1;
	n = writev(audit_fd, iov, 2);
	if (n == (ssize_t)(iov[0].iov_len + 1)) {
		audit_file_failed = 0;
		return;
	}
	if (!audit_file_failed)
		log_warn("audit file: write failed");
	audit_file_failed = 1;
}

/* The monotonic clock, in seconds. */
static double
audit_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

/* A full bucket of burst tokens, refilled at rate per second from now. */
void
audit_bucket_init(struct audit_bucket *b, double rate, double burst,
    double now)
{
	memset(b, 0, sizeof *b);
	b->rate = rate;
	b->burst = burst < 1 ? 1 : burst;
	b->tokens = b->burst;
	b->last = now;
}

/*
 * Whether a line may be written at time now (seconds, monotonic): takes a
 * token and returns 1, or counts the line as dropped and returns 0.
 */
int
audit_ratelimit(struct audit_bucket *b, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * b->rate;
		if (b->tokens > b->burst)
			b->tokens = b->burst;
		b->last = now;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return (1);
	}
	b->dropped++;
	return (0);
}

/*
 * Formats the line telling that n lines were dropped, stamped ts (now if
 * NULL). Returns the length it needed, as snprintf does.
 */
size_t
audit_format_dropped(char *buf, size_t size, const struct timespec *ts,
    unsigned long n)
{
	struct audit_buf	 b = { buf, size, 0 };
	struct timespec		 now;
	char			 msg[128];

	if (ts == NULL) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	if (size > 0)
		buf[0] = '\0';
	audit_time(&b, ts);
	snprintf(msg, sizeof msg, "audit: %lu lines dropped (rate limit)", n);
	audit_kvs(&b, "msg", msg);
	audit_printf(&b, " dropped=%lu", n);
	return (b.off);
}

/*
 * Formats record r as one logfmt line without a newline. Returns the length
 * it needed, as snprintf does; the buffer is always NUL-terminated.
 */
size_t
audit_format(char *buf, size_t size, const struct audit_record *r)
{
	struct audit_buf	 b = { buf, size, 0 };
	const struct identity	*id = r->id;
	const char		*name;
	char			 tmp[AUDIT_ADDR_MAX];
	size_t			 n;

	if (size > 0)
		buf[0] = '\0';
	audit_time(&b, &r->ts);
	audit_printf(&b, " client=%u uid=%lu", r->client,
	    (unsigned long)id->uid);
	audit_kvs(&b, "user", id->user);
	audit_printf(&b, " gid=%lu", (unsigned long)id->gid);
	audit_kvs(&b, "group", id->groups != NULL ? id->groups[0] : NULL);
	audit_printf(&b, " pid=%ld", (long)id->pid);
	audit_kvs(&b, "exe", id->exe);
	audit_kvs(&b, "op", r->op);
	if ((name = kernel_family_name(r->family)) != NULL)
		audit_kvs(&b, "family", name);
	else
		audit_printf(&b, " family=%d", r->family);
	if ((name = kernel_type_name(r->type)) != NULL)
		audit_kvs(&b, "type", name);
	else
		audit_printf(&b, " type=%d", r->type);
	audit_proto(tmp, sizeof tmp, r->family, r->protocol);
	audit_kvs(&b, "proto", tmp);
	audit_kvs(&b, "iface", r->iface);
	n = audit_addr(tmp, sizeof tmp, r->local, r->locallen, r->protocol);
	audit_kv(&b, "local", n > 0 ? tmp : NULL, n);
	n = audit_addr(tmp, sizeof tmp, r->remote, r->remotelen,
	    r->protocol);
	audit_kv(&b, "remote", n > 0 ? tmp : NULL, n);
	if (r->option != NULL)
		audit_kvs(&b, "option", kernel_opt_lower(r->option, tmp,
		    sizeof tmp));
	if (r->ioctl != NULL)
		audit_kvs(&b, "ioctl", r->ioctl->name);
	audit_kvs(&b, "verdict", r->permit ? "permit" : "deny");
	if (r->rule > 0)
		audit_printf(&b, " rule=%u", r->rule);
	else
		audit_kvs(&b, "rule", "none");
	audit_kvs(&b, "reason", r->reason);
	return (b.off);
}

/* Appends len bytes, as many as fit; counts them all. */
static void
audit_add(struct audit_buf *b, const char *s, size_t len)
{
	size_t	 room;

	if (b->off + 1 < b->size) {
		room = b->size - 1 - b->off;
		memcpy(b->p + b->off, s, len < room ? len : room);
		b->p[b->off + (len < room ? len : room)] = '\0';
	}
	b->off += len;
}

/* Appends formatted text. */
static void
audit_printf(struct audit_buf *b, const char *fmt, ...)
{
	char	 tmp[256];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	audit_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Whether a value must be quoted: empty, or a byte logfmt cannot take bare. */
static int
audit_needs_quotes(const char *v, size_t len)
{
	size_t		 i;
	unsigned char	 c;

	if (len == 0)
		return (1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)v[i];
		if (c <= ' ' || c >= 0x7f || c == '=' || c == '"' || c == '\\')
			return (1);
	}
	return (0);
}

/*
 * Appends " key=value" for len bytes of v (which may hold any byte), "-"
 * if v is NULL. A value that needs it is quoted, with \" \\ \n \r \t and
 * \xHH for every other control or non-ASCII byte, so that nothing a client
 * chose (a path, a name) can break the line or forge a field.
 */
static void
audit_kv(struct audit_buf *b, const char *key, const char *v, size_t len)
{
	char		 esc[8];
	size_t		 i;
	unsigned char	 c;

	audit_printf(b, " %s=", key);
	if (v == NULL) {
		audit_add(b, "-", 1);
		return;
	}
	if (!audit_needs_quotes(v, len)) {
		audit_add(b, v, len);
		return;
	}
	audit_add(b, "\"", 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)v[i];
		if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c == '\n')
			snprintf(esc, sizeof esc, "\\n");
		else if (c == '\r')
			snprintf(esc, sizeof esc, "\\r");
		else if (c == '\t')
			snprintf(esc, sizeof esc, "\\t");
		else if (c < ' ' || c >= 0x7f)
			snprintf(esc, sizeof esc, "\\x%02x", c);
		else {
			audit_add(b, (const char *)&v[i], 1);
			continue;
		}
		audit_add(b, esc, strlen(esc));
	}
	audit_add(b, "\"", 1);
}

/* Appends " key=value" for a NUL-terminated value, "-" if NULL. */
static void
audit_kvs(struct audit_buf *b, const char *key, const char *v)
{
	audit_kv(b, key, v, v != NULL ? strlen(v) : 0);
}

/* Appends ts= in RFC 3339, UTC, with milliseconds. */
static void
audit_time(struct audit_buf *b, const struct timespec *ts)
{
	struct tm	 tm;
	char		 stamp[64];

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof stamp, "1970-01-01T00:00:00");
	audit_printf(b, "ts=%s.%03ldZ", stamp, ts->tv_nsec / 1000000);
}

/*
 * The protocol's name in its family (the registry's) into buf; else an
 * ethertype in hex, "default" for 0, or the number.
 */
static void
audit_proto(char *buf, size_t len, int family, int protocol)
{
	const char	*name;

	if ((name = kernel_proto_name(family, protocol)) != NULL)
		snprintf(buf, len, "%s", name);
	else if (family == AF_PACKET)
		snprintf(buf, len, "0x%04x", ntohs((uint16_t)protocol));
	else if (protocol == 0)
		snprintf(buf, len, "default");
	else
		snprintf(buf, len, "%d", protocol);
}

/*
 * A numeric text form of an address into buf (not NUL-terminated when it is
 * an abstract UNIX name, which may hold any byte). Returns its length, 0 if
 * there is no address.
 */
static size_t
audit_addr(char *buf, size_t size, const struct sockaddr *sa, socklen_t len,
    int protocol)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_ll	*sll = (const struct sockaddr_ll *)sa;
	const struct sockaddr_can	*scan = (const struct sockaddr_can *)sa;
	const struct sockaddr_nl	*snl = (const struct sockaddr_nl *)sa;
	const struct sockaddr_vm	*svm = (const struct sockaddr_vm *)sa;
	const struct sockaddr_alg	*salg = (const struct sockaddr_alg *)sa;
	char				 host[INET6_ADDRSTRLEN];
	int				 n = -1;

	if (sa == NULL || len < sizeof sa->sa_family)
		return (0);
	if (sa->sa_family == AF_UNIX)
		return (audit_addr_unix(buf, size, sa, len));
	if (sa->sa_family == AF_INET && len >= sizeof *sin &&
	    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host) != NULL)
		n = snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	else if (sa->sa_family == AF_INET6 && len >= sizeof *sin6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host) != NULL) {
		if (sin6->sin6_scope_id != 0)
			n = snprintf(buf, size, "[%s%%%u]:%u", host,
			    sin6->sin6_scope_id, ntohs(sin6->sin6_port));
		else
			n = snprintf(buf, size, "[%s]:%u", host,
			    ntohs(sin6->sin6_port));
	} else if (sa->sa_family == AF_PACKET && len >= offsetof(struct
	    sockaddr_ll, sll_addr))
		n = snprintf(buf, size, "ifindex:%d/0x%04x", sll->sll_ifindex,
		    ntohs(sll->sll_protocol));
	else if (sa->sa_family == AF_CAN && len >= offsetof(struct
	    sockaddr_can, can_addr))
		n = audit_addr_can(buf, size, scan, len, protocol);
	else if (sa->sa_family == AF_TIPC && len >= sizeof(struct sockaddr_tipc))
		n = audit_addr_tipc(buf, size, (const struct sockaddr_tipc *)sa);
	else if (sa->sa_family == AF_ALG && len >= sizeof *salg)
		n = snprintf(buf, size, "%.*s:%.*s",
		    (int)strnlen((const char *)salg->salg_type,
		    sizeof salg->salg_type), (const char *)salg->salg_type,
		    (int)strnlen((const char *)salg->salg_name,
		    sizeof salg->salg_name), (const char *)salg->salg_name);
	else if (sa->sa_family == AF_NETLINK && len >= sizeof *snl)
		n = snprintf(buf, size, "%u/0x%x", snl->nl_pid,
		    snl->nl_groups);
	else if (sa->sa_family == AF_VSOCK && len >= sizeof *svm)
		n = snprintf(buf, size, "%u:%u", svm->svm_cid, svm->svm_port);
	else
		n = snprintf(buf, size, "family:%d", sa->sa_family);
	if (n < 0)
		return (0);
	return ((size_t)n < size ? (size_t)n : size - 1);
}

/*
 * A CAN address: the interface, and for ISO-TP its transmit and receive
 * ids, for J1939 its NAME, PGN and address.
 */
static int
audit_addr_can(char *buf, size_t size, const struct sockaddr_can *scan,
    socklen_t len, int protocol)
{
	if (protocol == CAN_ISOTP && len >= offsetof(struct sockaddr_can,
	    can_addr) + sizeof scan->can_addr.tp)
		return (snprintf(buf, size, "ifindex:%d/tx:0x%x/rx:0x%x",
		    scan->can_ifindex, scan->can_addr.tp.tx_id,
		    scan->can_addr.tp.rx_id));
	if (protocol == CAN_J1939 && len >= offsetof(struct sockaddr_can,
	    can_addr) + sizeof scan->can_addr.j1939)
		return (snprintf(buf, size,
		    "ifindex:%d/name:0x%016llx/pgn:0x%05x/addr:0x%02x",
		    scan->can_ifindex,
		    (unsigned long long)scan->can_addr.j1939.name,
		    scan->can_addr.j1939.pgn, scan->can_addr.j1939.addr));
	return (snprintf(buf, size, "ifindex:%d", scan->can_ifindex));
}

/*
 * A TIPC address: a service range (service:TYPE:LOWER-UPPER), a service
 * (service:TYPE:INSTANCE) or a socket (socket:NODE:REF).
 */
static int
audit_addr_tipc(char *buf, size_t size, const struct sockaddr_tipc *st)
{
	switch (st->addrtype) {
	case TIPC_SERVICE_RANGE:
		return (snprintf(buf, size, "service:%u:%u-%u",
		    st->addr.nameseq.type, st->addr.nameseq.lower,
		    st->addr.nameseq.upper));
	case TIPC_SERVICE_ADDR:
		return (snprintf(buf, size, "service:%u:%u",
		    st->addr.name.name.type, st->addr.name.name.instance));
	case TIPC_SOCKET_ADDR:
		return (snprintf(buf, size, "socket:%u:%u", st->addr.id.node,
		    st->addr.id.ref));
	}
	return (snprintf(buf, size, "tipc:addrtype:%u", st->addrtype));
}

/*
 * A UNIX address: its path, @ and the bytes of an abstract name, or
 * "(unnamed)".
 */
static size_t
audit_addr_unix(char *buf, size_t size, const struct sockaddr *sa,
    socklen_t len)
{
	const struct sockaddr_un	*sun = (const struct sockaddr_un *)sa;
	size_t				 off = offsetof(struct sockaddr_un,
					    sun_path), n;

	if (len > sizeof *sun)
		len = sizeof *sun;
	if (len <= off)
		return ((size_t)snprintf(buf, size, "(unnamed)"));
	n = len - off;
	if (sun->sun_path[0] != '\0')
		n = strnlen(sun->sun_path, n);
	if (n + 1 > size)
		n = size - 1;
	memcpy(buf, sun->sun_path, n);
	if (sun->sun_path[0] == '\0')
		buf[0] = '@';
	buf[n] = '\0';
	return (n);
}
