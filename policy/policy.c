/* SPDX-License-Identifier: ISC */
/*
 * The policy: loading a file, deciding an operation (last matching rule
 * wins, then the grants some things need by name). Families, types,
 * protocols and socket options are the registry's (kernel/kernel.h).
 * policy_check() is on every bind, connect and send: a linear scan of
 * compiled rules that allocates nothing.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/vm_sockets.h>

#include "kernel.h"
#include "policy-int.h"

#ifndef POLICY_CONF
#define POLICY_CONF	"/etc/sockbroker/policy.conf"
#endif

#define POLICY_MAXSIZE	(1024 * 1024)	/* bytes in a policy file */

enum policy_tri {
	POLICY_NO,
	POLICY_YES,
	POLICY_UNKNOWN,
};

/* What policy_check() works out once from the context. */
struct policy_facts {
	const struct policy_ctx	*ctx;
	int			 type;		/* 0: unknown */
	int			 inet_raw;	/* inet, inet6 SOCK_RAW */
	int			 proto;		/* default filled in */
	int			 has_addr;	/* the operation has one */
	int			 ipfamily;	/* 0: not an IP address */
	uint8_t			 ip[16];
	int			 has_port;
	uint32_t		 port;
	int			 unix_named;	/* a path or abstract name */
	int			 unix_ok;	/* ... patterns may match */
	char			 unix_name[sizeof(struct sockaddr_un) + 2];
	int			 has_canid;
	uint32_t		 canid;
};

typedef enum policy_tri (*policy_crit_fn)(const struct policy_rule *,
    const struct policy_facts *);

/* Sets *cause (if cause is not NULL) to a new formatted string; -1. */
int
policy_error(char **cause, const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	if (cause != NULL) {
		va_start(ap, fmt);
		if (vasprintf(cause, fmt, ap) == -1)
			*cause = NULL;
		va_end(ap);
	}
	errno = saved;
	return (-1);
}

/* The policy file used when none is given. */
const char *
policy_default_path(void)
{
	return (POLICY_CONF);
}

/* Where make install puts the example policy (beside the default one). */
const char *
policy_example_path(void)
{
	return (POLICY_CONF ".example");
}

/* Reads all of an open file of at most POLICY_MAXSIZE bytes; NULL on error. */
static char *
policy_read(int fd, const char *path, char **cause)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(POLICY_MAXSIZE + 1)) == NULL) {
		policy_error(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	do {
		n = read(fd, buf + len, POLICY_MAXSIZE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			policy_error(cause, "%s: %s", path, strerror(errno));
			free(buf);
			return (NULL);
		}
		len += (size_t)n;
	} while (n != 0 && len <= POLICY_MAXSIZE);
	if (len > POLICY_MAXSIZE) {
		policy_error(cause, "%s: larger than %d bytes", path,
		    POLICY_MAXSIZE);
		free(buf);
		return (NULL);
	}
	buf[len] = '\0';
	return (buf);
}

/* Refuses text with a NUL byte, naming where it is; 0 if there is none. */
static int
policy_check_nul(const char *buf, size_t len, const char *path, char **cause)
{
	unsigned int	line = 1, col = 1;
	size_t		i;

	if (strlen(buf) == len)
		return (0);
	for (i = 0; buf[i] != '\0'; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	errno = EINVAL;
	return (policy_error(cause, "%s:%u:%u: NUL byte in the policy", path,
	    line, col));
}

/* Reads and compiles the policy file at path. */
struct policy *
policy_load(const char *path, char **cause)
{
	struct policy	*pol = NULL;
	struct stat	 st;
	char		*buf = NULL;
	int		 fd;

	if (cause != NULL)
		*cause = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		policy_error(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &st) == -1)
		policy_error(cause, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		policy_error(cause, "%s: not a regular file", path);
	else if (st.st_mode & S_IWOTH)
		policy_error(cause, "%s: writable by anyone", path);
	else if ((buf = policy_read(fd, path, cause)) != NULL &&
	    policy_check_nul(buf, st.st_size < 0 ? 0 : (size_t)st.st_size,
	    path, cause) == 0)
		pol = policy_parse(buf, path, cause);
	if (pol == NULL && errno == 0)
		errno = EINVAL;
	free(buf);
	close(fd);
	return (pol);
}

/* Frees what a rule owns, leaving it empty. */
void
policy_rule_clear(struct policy_rule *r)
{
	size_t	i;

	for (i = 0; i < r->niface; i++)
		free(r->iface[i]);
	for (i = 0; i < r->npath; i++)
		free(r->path[i]);
	free(r->text);
	free(r->who_name);
	free(r->family);
	free(r->type);
	free(r->proto);
	free(r->iface);
	free(r->port);
	free(r->local);
	free(r->remote);
	free(r->path);
	free(r->option);
	free(r->canid);
	memset(r, 0, sizeof *r);
}

/* Frees a policy; NULL is fine. */
void
policy_free(struct policy *pol)
{
	size_t	i;

	if (pol == NULL)
		return;
	for (i = 0; i < pol->nrules; i++)
		policy_rule_clear(&pol->rules[i]);
	free(pol->rules);
	free(pol->name);
	free(pol);
}

/* The number of rules in a policy. */
size_t
policy_nrules(const struct policy *pol)
{
	return (pol == NULL ? 0 : pol->nrules);
}

/* The text of the rule at a line, as written; NULL if there is none. */
const char *
policy_rule_text(const struct policy *pol, unsigned int line)
{
	size_t	i;

	for (i = 0; pol != NULL && i < pol->nrules; i++) {
		if (pol->rules[i].line == line)
			return (pol->rules[i].text);
	}
	return (NULL);
}

/* The name of an operation, for logs and explain. */
const char *
policy_op_name(enum policy_op op)
{
	switch (op) {
	case POLICY_SOCKET:
		return ("socket");
	case POLICY_BIND:
		return ("bind");
	case POLICY_CONNECT:
		return ("connect");
	case POLICY_SEND:
		return ("send");
	case POLICY_SETSOCKOPT:
		return ("setsockopt");
	case POLICY_IOCTL:
		return ("ioctl");
	case POLICY_CAN_SEND:
		return ("can-send");
	case POLICY_CAN_RECV:
		return ("can-recv");
	case POLICY_FDPASS:
		return ("fd-pass");
	}
	return ("unknown");
}

/* Whether af is one of the n families (all of them when n is 0). */
static int
policy_family_in(int af, const int *families, size_t n)
{
	size_t	i;

	if (n == 0)
		return (1);
	for (i = 0; i < n; i++) {
		if (families[i] == af)
			return (1);
	}
	return (0);
}

/*
 * Resolves a protocol name in each of the given families (all families if
 * none) that knows it; fills at most max entries and returns how many.
 */
size_t
policy_proto_resolve(const char *name, const int *families, size_t n,
    struct policy_proto *out, size_t max)
{
	const struct kernel_proto	*p;
	size_t				 i, found = 0;

	for (i = 0; found < max && (p = kernel_proto_at(i)) != NULL; i++) {
		if (!kernel_proto_named(p, name) ||
		    !policy_family_in(p->family, families, n))
			continue;
		out[found].family = p->family;
		out[found].proto = p->protocol;
		found++;
	}
	return (found);
}

/* The protocol a socket has: socket()'s 0 becomes the family's default. */
static int
policy_facts_proto(const struct policy_ctx *ctx, int type)
{
	if (ctx->family == AF_PACKET)
		return (ntohs((uint16_t)ctx->protocol));
	if (ctx->protocol != 0)
		return (ctx->protocol);
	if (ctx->family != AF_INET && ctx->family != AF_INET6)
		return (0);
	if (type == SOCK_STREAM)
		return (IPPROTO_TCP);
	if (type == SOCK_DGRAM)
		return (IPPROTO_UDP);
	return (0);
}

/* Fills in the IP address and port of an AF_INET or AF_INET6 address. */
static void
policy_facts_ip(struct policy_facts *f, const struct sockaddr *sa,
    socklen_t len)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET && len >= sizeof *sin) {
		f->ipfamily = AF_INET;
		memcpy(f->ip, &sin->sin_addr, 4);
		f->has_port = 1;
		f->port = ntohs(sin->sin_port);
	} else if (sa->sa_family == AF_INET6 &&
	    len >= offsetof(struct sockaddr_in6, sin6_scope_id)) {
		f->ipfamily = AF_INET6;
		memcpy(f->ip, &sin6->sin6_addr, 16);
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			/* ::ffff:a.b.c.d is a.b.c.d to the rules. */
			f->ipfamily = AF_INET;
			memmove(f->ip, f->ip + 12, 4);
		}
		f->has_port = 1;
		f->port = ntohs(sin6->sin6_port);
	}
}

/* Fills in the name of an AF_UNIX address: a path or @abstract. */
static void
policy_facts_unix(struct policy_facts *f, const struct sockaddr *sa,
    socklen_t len)
{
	const struct sockaddr_un	*sun = (const struct sockaddr_un *)sa;
	size_t				 n, i;

	if (len <= offsetof(struct sockaddr_un, sun_path))
		return;		/* unnamed: autobind */
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof sun->sun_path)
		n = sizeof sun->sun_path;
	f->unix_named = f->unix_ok = 1;
	if (sun->sun_path[0] != '\0') {
		n = strnlen(sun->sun_path, n);
		memcpy(f->unix_name, sun->sun_path, n);
		f->unix_name[n] = '\0';
		return;
	}
	f->unix_name[0] = '@';
	for (i = 1; i < n; i++) {
		f->unix_name[i] = sun->sun_path[i];
		if (f->unix_name[i] == '\0') {
			/* No pattern may match a name with a NUL in it. */
			f->unix_name[i] = '?';
			f->unix_ok = 0;
		}
	}
	f->unix_name[n] = '\0';
}

/* Works out once what the criteria look at. */
static void
policy_facts_init(struct policy_facts *f, const struct policy_ctx *ctx)
{
	const struct sockaddr	*sa = ctx->addr;
	uint32_t		 id = ctx->can_id;

	memset(f, 0, sizeof *f);
	f->ctx = ctx;
	f->type = ctx->type & 0xf;	/* without SOCK_NONBLOCK and such */
	if (f->type == SOCK_PACKET)
		f->type = SOCK_RAW;	/* the obsolete link-level socket */
	f->inet_raw = f->type == SOCK_RAW && (ctx->family == AF_INET ||
	    ctx->family == AF_INET6);
	f->proto = policy_facts_proto(ctx, f->type);
	if (ctx->has_can_id) {
		f->has_canid = 1;
		f->canid = (id & CAN_EFF_FLAG) ? (id & CAN_EFF_MASK) :
		    (id & CAN_SFF_MASK);
	}
	if (sa == NULL || ctx->addrlen < sizeof(sa_family_t) ||
	    sa->sa_family == AF_UNSPEC)
		return;		/* AF_UNSPEC: a connect that dissolves */
	f->has_addr = 1;
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6)
		policy_facts_ip(f, sa, ctx->addrlen);
	else if (sa->sa_family == AF_UNIX)
		policy_facts_unix(f, sa, ctx->addrlen);
	else if (sa->sa_family == AF_VSOCK &&
	    ctx->addrlen >= sizeof(struct sockaddr_vm)) {
		f->has_port = 1;
		f->port = ((const struct sockaddr_vm *)sa)->svm_port;
	}
}

/* Whether v is in one of n ranges. */
static int
policy_in_ranges(const struct policy_range *rg, size_t n, uint32_t v)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v >= rg[i].lo && v <= rg[i].hi)
			return (1);
	}
	return (0);
}

/* Whether the address of f is in one of n networks. */
static int
policy_in_nets(const struct policy_net *net, size_t n,
    const struct policy_facts *f)
{
	size_t		i, bytes;
	unsigned int	bits;
	uint8_t		mask;

	for (i = 0; i < n; i++) {
		if (net[i].family != f->ipfamily)
			continue;
		bytes = net[i].plen / 8;
		bits = net[i].plen % 8;
		if (memcmp(net[i].addr, f->ip, bytes) != 0)
			continue;
		mask = (uint8_t)(0xff << (8 - bits));
		if (bits == 0 || (f->ip[bytes] & mask) == net[i].addr[bytes])
			return (1);
	}
	return (0);
}

/* Criterion family: always known. */
static enum policy_tri
policy_crit_family(const struct policy_rule *r, const struct policy_facts *f)
{
	return (policy_family_in(f->ctx->family, r->family, r->nfamily) ?
	    POLICY_YES : POLICY_NO);
}

/* Criterion type. */
static enum policy_tri
policy_crit_type(const struct policy_rule *r, const struct policy_facts *f)
{
	size_t	i;

	if (f->type == 0)
		return (POLICY_UNKNOWN);
	for (i = 0; i < r->ntype; i++) {
		if (r->type[i] == f->type)
			return (POLICY_YES);
	}
	return (POLICY_NO);
}

/* Criterion proto: a name counts in its family, a number in any. */
static enum policy_tri
policy_crit_proto(const struct policy_rule *r, const struct policy_facts *f)
{
	size_t	i;

	for (i = 0; i < r->nproto; i++) {
		if (r->proto[i].proto == f->proto &&
		    (r->proto[i].family == AF_UNSPEC ||
		    r->proto[i].family == f->ctx->family))
			return (POLICY_YES);
	}
	return (POLICY_NO);
}

/* Criterion iface: the interface the operation reaches. */
static enum policy_tri
policy_crit_iface(const struct policy_rule *r, const struct policy_facts *f)
{
	size_t	i;

	if (f->ctx->iface == NULL)
		return (POLICY_UNKNOWN);
	for (i = 0; i < r->niface; i++) {
		if (fnmatch(r->iface[i], f->ctx->iface, 0) == 0)
			return (POLICY_YES);
	}
	return (POLICY_NO);
}

/* Criterion port: the port of the operation's address. */
static enum policy_tri
policy_crit_port(const struct policy_rule *r, const struct policy_facts *f)
{
	if (!f->has_addr)
		return (POLICY_UNKNOWN);
	if (!f->has_port)
		return (POLICY_NO);
	return (policy_in_ranges(r->port, r->nport, f->port) ? POLICY_YES :
	    POLICY_NO);
}

/* Criterion local: the address of a bind. */
static enum policy_tri
policy_crit_local(const struct policy_rule *r, const struct policy_facts *f)
{
	if (!f->has_addr || f->ctx->op != POLICY_BIND)
		return (POLICY_UNKNOWN);
	return (policy_in_nets(r->local, r->nlocal, f) ? POLICY_YES :
	    POLICY_NO);
}

/* Criterion remote: the address of a connect or send. */
static enum policy_tri
policy_crit_remote(const struct policy_rule *r, const struct policy_facts *f)
{
	if (!f->has_addr || (f->ctx->op != POLICY_CONNECT &&
	    f->ctx->op != POLICY_SEND))
		return (POLICY_UNKNOWN);
	return (policy_in_nets(r->remote, r->nremote, f) ? POLICY_YES :
	    POLICY_NO);
}

/* Criterion path: an AF_UNIX path or @abstract name. */
static enum policy_tri
policy_crit_path(const struct policy_rule *r, const struct policy_facts *f)
{
	size_t	i;

	if (!f->has_addr)
		return (POLICY_UNKNOWN);
	if (f->ctx->addr->sa_family != AF_UNIX)
		return (POLICY_NO);
	if (!f->unix_named)
		return (POLICY_UNKNOWN);
	for (i = 0; f->unix_ok && i < r->npath; i++) {
		if (fnmatch(r->path[i], f->unix_name, FNM_PATHNAME) == 0)
			return (POLICY_YES);
	}
	return (POLICY_NO);
}

/* Criterion option: the option of a setsockopt. */
static enum policy_tri
policy_crit_option(const struct policy_rule *r, const struct policy_facts *f)
{
	size_t	i;

	if (f->ctx->op != POLICY_SETSOCKOPT)
		return (POLICY_UNKNOWN);
	/* A permit rule's list grants privileged options; others pass. */
	if (r->permit &&
	    !kernel_opt_privileged(f->ctx->level, f->ctx->optname))
		return (POLICY_YES);
	for (i = 0; i < r->noption; i++) {
		if (r->option[i].level == f->ctx->level &&
		    r->option[i].optname == f->ctx->optname)
			return (POLICY_YES);
	}
	return (POLICY_NO);
}

/*
 * Criterion can-id: the id of a CAN frame sent or received. A J1939 socket
 * makes its CAN ids itself, from priorities, PGNs and addresses the kernel
 * may pick: no operation of it can be checked against the ranges, so the
 * criterion fails closed there, never holding for a permit rule and always
 * for a deny.
 */
static enum policy_tri
policy_crit_canid(const struct policy_rule *r, const struct policy_facts *f)
{
	if (f->ctx->family == AF_CAN && f->proto == CAN_J1939)
		return (r->permit ? POLICY_NO : POLICY_YES);
	if (!f->has_canid || (f->ctx->op != POLICY_CAN_SEND &&
	    f->ctx->op != POLICY_CAN_RECV))
		return (POLICY_UNKNOWN);
	return (policy_in_ranges(r->canid, r->ncanid, f->canid) ?
	    POLICY_YES : POLICY_NO);
}

/* Flag netlink-write: a grant in a permit rule, a condition in a deny. */
static enum policy_tri
policy_crit_nlwrite(const struct policy_rule *r, const struct policy_facts *f)
{
	if (r->permit)
		return (POLICY_YES);
	return (f->ctx->op == POLICY_SEND && f->ctx->netlink_write ?
	    POLICY_YES : POLICY_NO);
}

/* Flag fd-pass: a grant in a permit rule, a condition in a deny. */
static enum policy_tri
policy_crit_fdpass(const struct policy_rule *r, const struct policy_facts *f)
{
	if (r->permit)
		return (POLICY_YES);
	return (f->ctx->op == POLICY_FDPASS ? POLICY_YES : POLICY_NO);
}

static const struct {
	unsigned int	 bit;
	policy_crit_fn	 fn;
} policy_crits[] = {
	{ POLICY_C_FAMILY, policy_crit_family },
	{ POLICY_C_TYPE, policy_crit_type },
	{ POLICY_C_PROTO, policy_crit_proto },
	{ POLICY_C_IFACE, policy_crit_iface },
	{ POLICY_C_PORT, policy_crit_port },
	{ POLICY_C_LOCAL, policy_crit_local },
	{ POLICY_C_REMOTE, policy_crit_remote },
	{ POLICY_C_PATH, policy_crit_path },
	{ POLICY_C_OPTION, policy_crit_option },
	{ POLICY_C_CANID, policy_crit_canid },
	{ POLICY_C_NLWRITE, policy_crit_nlwrite },
	{ POLICY_C_FDPASS, policy_crit_fdpass },
};

/* Whether a rule's WHO names the peer. */
static int
policy_match_who(const struct policy_rule *r, const struct policy_ctx *ctx)
{
	size_t	i;

	switch (r->who) {
	case POLICY_WHO_ANY:
		return (1);
	case POLICY_WHO_USER:
		if (r->who_name == NULL)
			return (ctx->uid == (uid_t)r->who_id);
		return (ctx->user != NULL &&
		    strcmp(ctx->user, r->who_name) == 0);
	case POLICY_WHO_GROUP:
		for (i = 0; i < ctx->ngroups; i++) {
			if (r->who_name == NULL && ctx->gids != NULL &&
			    ctx->gids[i] == (gid_t)r->who_id)
				return (1);
			if (r->who_name != NULL && ctx->groups != NULL &&
			    ctx->groups[i] != NULL &&
			    strcmp(ctx->groups[i], r->who_name) == 0)
				return (1);
		}
		return (0);
	}
	return (0);
}

/* Whether a rule matches: its WHO and every criterion it names. */
static int
policy_match(const struct policy_rule *r, const struct policy_facts *f)
{
	enum policy_tri	t;
	size_t		i;

	if (!policy_match_who(r, f->ctx))
		return (0);
	for (i = 0; i < sizeof policy_crits / sizeof policy_crits[0]; i++) {
		if ((r->crit & policy_crits[i].bit) == 0)
			continue;
		t = policy_crits[i].fn(r, f);
		if (t == POLICY_NO || (t == POLICY_UNKNOWN && !r->permit))
			return (0);
	}
	return (1);
}

/* The verb of an address-carrying operation, for reasons. */
static const char *
policy_addr_verb(enum policy_op op)
{
	switch (op) {
	case POLICY_BIND:
		return ("binding");
	case POLICY_CONNECT:
		return ("connecting to");
	default:
		return ("sending to");
	}
}

/* Whether a rule names type t in a type criterion. */
static int
policy_names_type(const struct policy_rule *r, int t)
{
	size_t	i;

	for (i = 0; (r->crit & POLICY_C_TYPE) && i < r->ntype; i++) {
		if (r->type[i] == t)
			return (1);
	}
	return (0);
}

/* Checks the grants a permit rule must give by name; 0 if one lacks. */
static int
policy_grant(const struct policy_rule *r, const struct policy_facts *f,
    struct policy_verdict *v)
{
	const struct policy_ctx	*ctx = f->ctx;
	const char		*lacks = NULL;
	char			 what[160], opt[64];

	if (f->inet_raw && !policy_names_type(r, SOCK_RAW)) {
		snprintf(what, sizeof what, "a raw %s socket",
		    kernel_family_name(ctx->family));
		lacks = "type raw";
	} else if (ctx->op == POLICY_BIND && f->has_port && f->port > 0 &&
	    f->port < 1024 && (r->crit & POLICY_C_PORT) == 0) {
		snprintf(what, sizeof what, "binding port %u", f->port);
		lacks = "a port criterion";
	} else if ((ctx->op == POLICY_BIND || ctx->op == POLICY_CONNECT ||
	    ctx->op == POLICY_SEND) && f->unix_named &&
	    (r->crit & POLICY_C_PATH) == 0) {
		snprintf(what, sizeof what, "%s %.100s",
		    policy_addr_verb(ctx->op), f->unix_name);
		lacks = "a path criterion";
	} else if (ctx->op == POLICY_SEND && ctx->netlink_write &&
	    (r->crit & POLICY_C_NLWRITE) == 0) {
		snprintf(what, sizeof what, "netlink messages that change "
		    "state");
		lacks = "netlink-write";
	} else if (ctx->op == POLICY_SETSOCKOPT &&
	    kernel_opt_privileged(ctx->level, ctx->optname) &&
	    (r->crit & POLICY_C_OPTION) == 0) {
		snprintf(what, sizeof what, "option %s", kernel_opt_describe(
		    ctx->level, ctx->optname, opt, sizeof opt));
		lacks = "an option criterion";
	} else if (ctx->op == POLICY_FDPASS &&
	    (r->crit & POLICY_C_FDPASS) == 0) {
		snprintf(what, sizeof what, "passing the real descriptor");
		lacks = "fd-pass";
	}
	if (lacks == NULL)
		return (1);
	snprintf(v->reason, sizeof v->reason, "rule at line %u does not grant "
	    "%s (needs %s)", r->line, what, lacks);
	return (0);
}

/* Decides an operation: the last matching rule, then its grants. */
void
policy_check(const struct policy *pol, const struct policy_ctx *ctx,
    struct policy_verdict *v)
{
	struct policy_facts		 f;
	const struct policy_rule	*r = NULL;
	size_t				 i;

	memset(v, 0, sizeof *v);
	policy_facts_init(&f, ctx);
	for (i = policy_nrules(pol); i > 0; i--) {
		if (policy_match(&pol->rules[i - 1], &f)) {
			r = &pol->rules[i - 1];
			break;
		}
	}
	if (r == NULL) {
		snprintf(v->reason, sizeof v->reason, "no rule matched");
		return;
	}
	v->line = r->line;
	if (!r->permit) {
		snprintf(v->reason, sizeof v->reason,
		    "denied by rule at line %u", r->line);
		return;
	}
	if (!policy_grant(r, &f, v))
		return;
	v->permit = 1;
	snprintf(v->reason, sizeof v->reason, "permitted by rule at line %u",
	    r->line);
}
