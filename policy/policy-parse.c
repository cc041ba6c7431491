/* SPDX-License-Identifier: ISC */
/*
 * The policy language: a lexer that cuts the text into logical lines of
 * words ("#" comments, "quoted words", backslash-newline continuations)
 * and a parser that compiles each line into a struct policy_rule. Every
 * error names the file, line and column of what is wrong.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/can.h>

#include "kernel.h"
#include "policy-int.h"

#define POLICY_PARSE_MAXLINE	8192	/* bytes of words in one rule */
#define POLICY_PARSE_MAXWORDS	64	/* words in one rule */
#define POLICY_PARSE_MAXPATH	1024	/* bytes in one path pattern */

/* A word of a rule, or an item of a list, and where it starts. */
struct policy_parse_word {
	char			*s;
	unsigned int		 line;
	unsigned int		 col;
};

/* The parser's state: the text left and the words of the current rule. */
struct policy_parse {
	const char		*name;
	char			**cause;
	const char		*p;		/* the next character */
	unsigned int		 line;		/* where *p is */
	unsigned int		 col;
	unsigned int		 eol_line;	/* where the rule ended */
	unsigned int		 eol_col;

	char			 buf[POLICY_PARSE_MAXLINE];
	size_t			 len;
	struct policy_parse_word words[POLICY_PARSE_MAXWORDS];
	size_t			 nwords;
	const struct policy_parse_word *proto;	/* parsed after family */
};

typedef int (*policy_parse_fn)(struct policy_parse *, struct policy_rule *,
    const struct policy_parse_word *);

/* A criterion keyword and how its value is parsed. */
struct policy_parse_crit {
	const char		*name;
	unsigned int		 bit;
	int			 value;	/* 0: a flag without a value */
	policy_parse_fn		 item;	/* each item of the list */
	size_t			 size;	/* of an item, compiled */
};

static int	policy_parse_error(struct policy_parse *, unsigned int,
		    unsigned int, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
static int	policy_parse_family(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_type(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_proto(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_iface(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_port(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_local(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_remote(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_path(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_option(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);
static int	policy_parse_canid(struct policy_parse *,
		    struct policy_rule *, const struct policy_parse_word *);

static const struct policy_parse_crit policy_parse_crits[] = {
	{ "family", POLICY_C_FAMILY, 1, policy_parse_family, sizeof(int) },
	{ "type", POLICY_C_TYPE, 1, policy_parse_type, sizeof(int) },
	{ "proto", POLICY_C_PROTO, 1, NULL, 0 },	/* after family */
	{ "iface", POLICY_C_IFACE, 1, policy_parse_iface, sizeof(char *) },
	{ "port", POLICY_C_PORT, 1, policy_parse_port,
	    sizeof(struct policy_range) },
	{ "local", POLICY_C_LOCAL, 1, policy_parse_local,
	    sizeof(struct policy_net) },
	{ "remote", POLICY_C_REMOTE, 1, policy_parse_remote,
	    sizeof(struct policy_net) },
	{ "path", POLICY_C_PATH, 1, policy_parse_path, sizeof(char *) },
	{ "option", POLICY_C_OPTION, 1, policy_parse_option,
	    sizeof(struct policy_opt) },
	{ "can-id", POLICY_C_CANID, 1, policy_parse_canid,
	    sizeof(struct policy_range) },
	{ "netlink-write", POLICY_C_NLWRITE, 0, NULL, 0 },
	{ "fd-pass", POLICY_C_FDPASS, 0, NULL, 0 },
};
#define POLICY_PARSE_NCRITS \
	(sizeof policy_parse_crits / sizeof policy_parse_crits[0])

/* Sets *cause to "NAME:LINE:COL: message"; returns -1. */
static int
policy_parse_error(struct policy_parse *pp, unsigned int line,
    unsigned int col, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	policy_error(pp->cause, "%s:%u:%u: %s", pp->name, line, col, msg);
	errno = EINVAL;
	return (-1);
}

/* Says the parser ran out of memory; returns -1. */
static int
policy_parse_nomem(struct policy_parse *pp)
{
	policy_error(pp->cause, "%s: %s", pp->name, strerror(ENOMEM));
	errno = ENOMEM;
	return (-1);
}

/* Moves past the current character, keeping line and column. */
static void
policy_parse_next(struct policy_parse *pp)
{
	if (*pp->p == '\n') {
		pp->line++;
		pp->col = 1;
	} else
		pp->col++;
	pp->p++;
}

/* Appends a character to the current word; -1 if the rule is too long. */
static int
policy_parse_putc(struct policy_parse *pp, char c)
{
	if (pp->len >= sizeof pp->buf - 1)
		return (policy_parse_error(pp, pp->line, pp->col,
		    "rule too long (over %zu bytes)", sizeof pp->buf - 1));
	pp->buf[pp->len++] = c;
	return (0);
}

/* Starts a new word at the current position. */
static int
policy_parse_start(struct policy_parse *pp, unsigned int col)
{
	struct policy_parse_word	*w;

	if (pp->nwords == POLICY_PARSE_MAXWORDS)
		return (policy_parse_error(pp, pp->line, pp->col,
		    "too many words in one rule (over %d)",
		    POLICY_PARSE_MAXWORDS));
	w = &pp->words[pp->nwords++];
	w->s = pp->buf + pp->len;
	w->line = pp->line;
	w->col = col;
	return (0);
}

/* Refuses control characters other than tab and carriage return. */
static int
policy_parse_ctrl(struct policy_parse *pp)
{
	unsigned char	c = (unsigned char)*pp->p;

	if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
		return (policy_parse_error(pp, pp->line, pp->col,
		    "unexpected control character 0x%02x", c));
	return (0);
}

/* Reads a "quoted word": anything but a newline up to the closing quote. */
static int
policy_parse_quoted(struct policy_parse *pp)
{
	unsigned int	line = pp->line, col = pp->col;

	policy_parse_next(pp);
	if (policy_parse_start(pp, pp->col) != 0)
		return (-1);
	while (*pp->p != '"') {
		if (*pp->p == '\0' || *pp->p == '\n')
			return (policy_parse_error(pp, line, col,
			    "unterminated quoted string"));
		if (policy_parse_ctrl(pp) != 0 ||
		    policy_parse_putc(pp, *pp->p) != 0)
			return (-1);
		policy_parse_next(pp);
	}
	policy_parse_next(pp);
	return (policy_parse_putc(pp, '\0'));
}

/* Reads a bare word, up to a blank, a newline, a comment or a quote. */
static int
policy_parse_bare(struct policy_parse *pp)
{
	if (policy_parse_start(pp, pp->col) != 0)
		return (-1);
	while (strchr(" \t\r\n#\"\\", *pp->p) == NULL) {
		if (policy_parse_ctrl(pp) != 0 ||
		    policy_parse_putc(pp, *pp->p) != 0)
			return (-1);
		policy_parse_next(pp);
	}
	return (policy_parse_putc(pp, '\0'));
}

/* Handles a backslash: only a line continuation is allowed. */
static int
policy_parse_backslash(struct policy_parse *pp)
{
	if (pp->p[1] == '\n') {
		policy_parse_next(pp);
		policy_parse_next(pp);
		return (0);
	}
	if (pp->p[1] == '\0')
		return (policy_parse_error(pp, pp->line, pp->col,
		    "unterminated line: backslash at the end of the file"));
	return (policy_parse_error(pp, pp->line, pp->col,
	    "unexpected '\\' (only a line continuation may use it)"));
}

/* Reads the words of the next rule: 1 if there is one, 0 at the end, -1. */
static int
policy_parse_line(struct policy_parse *pp)
{
	pp->len = 0;
	pp->nwords = 0;
	for (;;) {
		pp->eol_line = pp->line;
		pp->eol_col = pp->col;
		switch (*pp->p) {
		case '\0':
			return (pp->nwords != 0);
		case '\n':
			policy_parse_next(pp);
			if (pp->nwords != 0)
				return (1);
			break;
		case ' ': case '\t': case '\r':
			policy_parse_next(pp);
			break;
		case '#':
			while (*pp->p != '\0' && *pp->p != '\n')
				policy_parse_next(pp);
			break;
		case '\\':
			if (policy_parse_backslash(pp) != 0)
				return (-1);
			break;
		case '"':
			if (policy_parse_quoted(pp) != 0)
				return (-1);
			break;
		default:
			if (policy_parse_bare(pp) != 0)
				return (-1);
			break;
		}
	}
}

/* The criterion called name, or NULL. */
static const struct policy_parse_crit *
policy_parse_crit_find(const char *name)
{
	size_t	i;

	for (i = 0; i < POLICY_PARSE_NCRITS; i++) {
		if (strcmp(policy_parse_crits[i].name, name) == 0)
			return (&policy_parse_crits[i]);
	}
	return (NULL);
}

/* Whether a word is a keyword of the language. */
static int
policy_parse_is_keyword(const char *s)
{
	return (strcmp(s, "permit") == 0 || strcmp(s, "deny") == 0 ||
	    policy_parse_crit_find(s) != NULL);
}

/* Parses a decimal (or, if hex, 0x-prefixed) number up to max; -1 if bad. */
static int
policy_parse_number(const char *s, char **end, int hex, uint32_t max,
    uint32_t *v)
{
	unsigned long	n;
	int		base = 10;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return (-1);
	} else if (!isdigit((unsigned char)s[0]))
		return (-1);
	errno = 0;
	n = strtoul(s, end, base);
	if (errno != 0 || n > max)
		return (-1);
	*v = (uint32_t)n;
	return (0);
}

/* Parses "N" or "N-M" into a range. */
static int
policy_parse_range(struct policy_parse *pp, const struct policy_parse_word *w,
    const char *what, int hex, uint32_t max, struct policy_range *rg)
{
	char	*end;

	if (policy_parse_number(w->s, &end, hex, max, &rg->lo) != 0)
		goto bad;
	rg->hi = rg->lo;
	if (*end == '-') {
		if (policy_parse_number(end + 1, &end, hex, max, &rg->hi) != 0)
			goto bad;
		if (*end == '\0' && rg->lo > rg->hi)
			return (policy_parse_error(pp, w->line, w->col,
			    "bad range '%s': start above end", w->s));
	}
	if (*end == '\0')
		return (0);
bad:
	return (policy_parse_error(pp, w->line, w->col, "bad %s '%s'", what,
	    w->s));
}

/* Whether s is a user or group name we accept (as useradd does). */
static int
policy_parse_valid_name(const char *s)
{
	size_t	i;

	if (*s == '\0' || *s == '-' || strlen(s) > 64)
		return (0);
	for (i = 0; s[i] != '\0'; i++) {
		if (isalnum((unsigned char)s[i]) || strchr("._-", s[i]) != NULL)
			continue;
		if (s[i] == '$' && s[i + 1] == '\0')
			continue;
		return (0);
	}
	return (1);
}

/* Parses WHO: "*", a user name or uid, or ":" and a group name or gid. */
static int
policy_parse_who(struct policy_parse *pp, struct policy_rule *r)
{
	const struct policy_parse_word	*w = &pp->words[1];
	const char			*s, *what = "user";
	char				*end;

	if (pp->nwords < 2)
		return (policy_parse_error(pp, pp->eol_line, pp->eol_col,
		    "missing WHO (*, a user or :group) after '%s'",
		    pp->words[0].s));
	if (policy_parse_is_keyword(w->s))
		return (policy_parse_error(pp, w->line, w->col,
		    "missing WHO (*, a user or :group) before '%s'", w->s));
	s = w->s;
	if (strcmp(s, "*") == 0) {
		r->who = POLICY_WHO_ANY;
		return (0);
	}
	r->who = POLICY_WHO_USER;
	if (*s == ':') {
		r->who = POLICY_WHO_GROUP;
		what = "group";
		s++;
	}
	if (isdigit((unsigned char)*s)) {
		if (policy_parse_number(s, &end, 0, UINT32_MAX - 1,
		    &r->who_id) != 0 || *end != '\0')
			return (policy_parse_error(pp, w->line, w->col,
			    "bad %s id '%s'", what, s));
		return (0);
	}
	if (!policy_parse_valid_name(s))
		return (policy_parse_error(pp, w->line, w->col,
		    "bad %s name '%s'", what, s));
	if ((r->who_name = strdup(s)) == NULL)
		return (policy_parse_nomem(pp));
	return (0);
}

/* One item of family: a family name. */
static int
policy_parse_family(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	const struct kernel_family	*f;

	if ((f = kernel_family_by_name(w->s)) == NULL)
		return (policy_parse_error(pp, w->line, w->col,
		    "unknown family '%s'", w->s));
	r->family[r->nfamily++] = f->af;
	return (0);
}

/* One item of type: a socket type name. */
static int
policy_parse_type(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	int	type;

	if ((type = kernel_type_by_name(w->s)) == -1)
		return (policy_parse_error(pp, w->line, w->col,
		    "unknown type '%s'", w->s));
	if (type == SOCK_PACKET)	/* policy.c counts it as raw */
		return (policy_parse_error(pp, w->line, w->col,
		    "type '%s': SOCK_PACKET sockets are raw ones, say 'raw'",
		    w->s));
	r->type[r->ntype++] = type;
	return (0);
}

/* One item of proto: a number, or a name known in the rule's families. */
static int
policy_parse_proto(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	struct policy_proto	*p = &r->proto[r->nproto];
	uint32_t		 n;
	char			*end;
	size_t			 found;

	if (isdigit((unsigned char)w->s[0])) {
		if (policy_parse_number(w->s, &end, 1, INT32_MAX, &n) != 0 ||
		    *end != '\0')
			return (policy_parse_error(pp, w->line, w->col,
			    "bad protocol number '%s'", w->s));
		p->family = AF_UNSPEC;
		p->proto = (int)n;
		r->nproto++;
		return (0);
	}
	found = policy_proto_resolve(w->s, r->family, r->nfamily, p,
	    POLICY_MAXFAMILIES);
	if (found == 0)
		return (policy_parse_error(pp, w->line, w->col,
		    "unknown protocol '%s'%s", w->s, r->nfamily != 0 ?
		    " for the rule's families" : ""));
	r->nproto += found;
	return (0);
}

/* One item of iface: an interface name (fnmatch patterns allowed). */
static int
policy_parse_iface(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	size_t	i;

	if (strlen(w->s) >= IFNAMSIZ)
		return (policy_parse_error(pp, w->line, w->col,
		    "interface name too long '%s'", w->s));
	for (i = 0; w->s[i] != '\0'; i++) {
		if (w->s[i] == '/' || w->s[i] == ' ' || w->s[i] == ':')
			return (policy_parse_error(pp, w->line, w->col,
			    "bad interface name '%s'", w->s));
	}
	if ((r->iface[r->niface] = strdup(w->s)) == NULL)
		return (policy_parse_nomem(pp));
	r->niface++;
	return (0);
}

/* One item of port: a port or a range of ports. */
static int
policy_parse_port(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	if (policy_parse_range(pp, w, "port", 0, 65535,
	    &r->port[r->nport]) != 0)
		return (-1);
	r->nport++;
	return (0);
}

/* Parses an address with an optional prefix length into net. */
static int
policy_parse_net(struct policy_parse *pp, const struct policy_parse_word *w,
    struct policy_net *net)
{
	char		 host[INET6_ADDRSTRLEN], *slash, *end;
	uint32_t	 plen;
	size_t		 i;

	if ((slash = strchr(w->s, '/')) != NULL)
		*slash = '\0';
	net->family = strchr(w->s, ':') != NULL ? AF_INET6 : AF_INET;
	if (strlen(w->s) >= sizeof host)
		goto bad;
	strncpy(host, w->s, sizeof host);
	if (slash != NULL)
		*slash = '/';
	if (inet_pton(net->family, host, net->addr) != 1)
		goto bad;
	net->plen = net->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		if (policy_parse_number(slash + 1, &end, 0, net->plen,
		    &plen) != 0 || *end != '\0')
			return (policy_parse_error(pp, w->line, w->col,
			    "bad prefix length in '%s'", w->s));
		net->plen = plen;
	}
	for (i = 0; i < sizeof net->addr; i++) {
		if (i * 8 >= net->plen)
			net->addr[i] = 0;
		else if (i * 8 + 8 > net->plen)
			net->addr[i] &= (uint8_t)(0xff << (8 - net->plen % 8));
	}
	return (0);
bad:
	return (policy_parse_error(pp, w->line, w->col, "bad address '%s'",
	    w->s));
}

/* One item of local: an address or network. */
static int
policy_parse_local(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	if (policy_parse_net(pp, w, &r->local[r->nlocal]) != 0)
		return (-1);
	r->nlocal++;
	return (0);
}

/* One item of remote: an address or network. */
static int
policy_parse_remote(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	if (policy_parse_net(pp, w, &r->remote[r->nremote]) != 0)
		return (-1);
	r->nremote++;
	return (0);
}

/* One item of path: a filesystem path pattern or an @abstract name. */
static int
policy_parse_path(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	if (w->s[0] != '/' && w->s[0] != '@')
		return (policy_parse_error(pp, w->line, w->col,
		    "bad path '%s' (a path starts with / or @)", w->s));
	if (strlen(w->s) > POLICY_PARSE_MAXPATH)
		return (policy_parse_error(pp, w->line, w->col,
		    "path too long"));
	if ((r->path[r->npath] = strdup(w->s)) == NULL)
		return (policy_parse_nomem(pp));
	r->npath++;
	return (0);
}

/* One item of option: a socket option name. */
static int
policy_parse_option(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	const struct kernel_opt	*o;

	if ((o = kernel_opt_by_name(w->s)) == NULL)
		return (policy_parse_error(pp, w->line, w->col,
		    "unknown option '%s'", w->s));
	r->option[r->noption].level = o->level;
	r->option[r->noption].optname = o->optname;
	r->noption++;
	return (0);
}

/* One item of can-id: a CAN id or a range of them (hex or decimal). */
static int
policy_parse_canid(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w)
{
	if (policy_parse_range(pp, w, "CAN id", 1, CAN_EFF_MASK,
	    &r->canid[r->ncanid]) != 0)
		return (-1);
	r->ncanid++;
	return (0);
}

/* Allocates room for the n items of a list of the given criterion. */
static int
policy_parse_alloc(struct policy_rule *r, unsigned int bit, size_t size,
    size_t n)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		return (-1);
	switch (bit) {
	case POLICY_C_FAMILY:
		r->family = p;
		break;
	case POLICY_C_TYPE:
		r->type = p;
		break;
	case POLICY_C_PROTO:
		r->proto = p;
		break;
	case POLICY_C_IFACE:
		r->iface = p;
		break;
	case POLICY_C_PORT:
		r->port = p;
		break;
	case POLICY_C_LOCAL:
		r->local = p;
		break;
	case POLICY_C_REMOTE:
		r->remote = p;
		break;
	case POLICY_C_PATH:
		r->path = p;
		break;
	case POLICY_C_OPTION:
		r->option = p;
		break;
	case POLICY_C_CANID:
		r->canid = p;
		break;
	default:
		free(p);
		return (-1);
	}
	return (0);
}

/* Calls fn on each comma-separated item of w; an empty item is an error. */
static int
policy_parse_items(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_word *w, policy_parse_fn fn)
{
	struct policy_parse_word	 it = *w;
	char				*comma;

	for (;;) {
		if ((comma = strchr(it.s, ',')) != NULL)
			*comma = '\0';
		if (*it.s == '\0')
			return (policy_parse_error(pp, it.line, it.col,
			    "empty item in list"));
		if (fn(pp, r, &it) != 0)
			return (-1);
		if (comma == NULL)
			return (0);
		*comma = ',';
		it.col += (unsigned int)(comma - it.s) + 1;
		it.s = comma + 1;
	}
}

/* The number of comma-separated items in s. */
static size_t
policy_parse_count(const char *s)
{
	size_t	n = 1;

	for (; *s != '\0'; s++) {
		if (*s == ',')
			n++;
	}
	return (n);
}

/* Parses the value w of the list criterion c. */
static int
policy_parse_list(struct policy_parse *pp, struct policy_rule *r,
    const struct policy_parse_crit *c, const struct policy_parse_word *w)
{
	if (policy_parse_alloc(r, c->bit, c->size,
	    policy_parse_count(w->s)) != 0)
		return (policy_parse_nomem(pp));
	return (policy_parse_items(pp, r, w, c->item));
}

/* Parses the deferred proto list, now that the families are known. */
static int
policy_parse_protos(struct policy_parse *pp, struct policy_rule *r)
{
	size_t	n;

	n = policy_parse_count(pp->proto->s) * POLICY_MAXFAMILIES;
	if (policy_parse_alloc(r, POLICY_C_PROTO, sizeof *r->proto, n) != 0)
		return (policy_parse_nomem(pp));
	return (policy_parse_items(pp, r, pp->proto, policy_parse_proto));
}

/* Parses the criteria after WHO. */
static int
policy_parse_criteria(struct policy_parse *pp, struct policy_rule *r)
{
	const struct policy_parse_crit	*c;
	const struct policy_parse_word	*w, *v;
	size_t				 i = 2;

	while (i < pp->nwords) {
		w = &pp->words[i++];
		if ((c = policy_parse_crit_find(w->s)) == NULL)
			return (policy_parse_error(pp, w->line, w->col,
			    "unknown keyword '%s'", w->s));
		if (r->crit & c->bit)
			return (policy_parse_error(pp, w->line, w->col,
			    "'%s' given twice", w->s));
		r->crit |= c->bit;
		if (!c->value)
			continue;
		if (i == pp->nwords)
			return (policy_parse_error(pp, pp->eol_line,
			    pp->eol_col, "unterminated rule: '%s' needs a "
			    "value", w->s));
		v = &pp->words[i++];
		if (policy_parse_is_keyword(v->s))
			return (policy_parse_error(pp, v->line, v->col,
			    "'%s' needs a value before '%s'", w->s, v->s));
		if (c->item == NULL)
			pp->proto = v;
		else if (policy_parse_list(pp, r, c, v) != 0)
			return (-1);
	}
	return (0);
}

/* Keeps the rule as written, words joined by a space, for explain. */
static int
policy_parse_text(struct policy_parse *pp, struct policy_rule *r)
{
	size_t	i, size = 1;
	char	*s;
	int	 quote;

	for (i = 0; i < pp->nwords; i++)
		size += strlen(pp->words[i].s) + 3;
	if ((r->text = s = malloc(size)) == NULL)
		return (policy_parse_nomem(pp));
	for (i = 0; i < pp->nwords; i++) {
		quote = pp->words[i].s[0] == '\0' ||
		    strpbrk(pp->words[i].s, " \t#") != NULL;
		s += snprintf(s, size - (size_t)(s - r->text), "%s%s%s%s",
		    i == 0 ? "" : " ", quote ? "\"" : "", pp->words[i].s,
		    quote ? "\"" : "");
	}
	return (0);
}

/* Compiles the words of one rule into r. */
static int
policy_parse_rule(struct policy_parse *pp, struct policy_rule *r)
{
	const struct policy_parse_word	*w = &pp->words[0];

	r->line = w->line;
	pp->proto = NULL;
	if (policy_parse_text(pp, r) != 0)
		return (-1);
	if (strcmp(w->s, "permit") == 0)
		r->permit = 1;
	else if (strcmp(w->s, "deny") != 0)
		return (policy_parse_error(pp, w->line, w->col,
		    "unknown keyword '%s' (a rule starts with permit or deny)",
		    w->s));
	if (policy_parse_who(pp, r) != 0)
		return (-1);
	if (policy_parse_criteria(pp, r) != 0)
		return (-1);
	if (pp->proto != NULL && policy_parse_protos(pp, r) != 0)
		return (-1);
	return (0);
}

/* Compiles the current rule and appends it to pol. */
static int
policy_parse_add(struct policy_parse *pp, struct policy *pol)
{
	struct policy_rule	 r, *rules;
	size_t			 n;

	memset(&r, 0, sizeof r);
	if (policy_parse_rule(pp, &r) != 0) {
		policy_rule_clear(&r);
		return (-1);
	}
	if (pol->nrules == pol->size) {
		n = pol->size == 0 ? 16 : pol->size * 2;
		if ((rules = reallocarray(pol->rules, n, sizeof *rules)) ==
		    NULL) {
			policy_rule_clear(&r);
			return (policy_parse_nomem(pp));
		}
		pol->rules = rules;
		pol->size = n;
	}
	pol->rules[pol->nrules++] = r;
	return (0);
}

/* Compiles the text of a policy; name is used in error messages. */
struct policy *
policy_parse(const char *text, const char *name, char **cause)
{
	struct policy_parse	*pp;
	struct policy		*pol;
	int			 rv;

	if (cause != NULL)
		*cause = NULL;
	pp = calloc(1, sizeof *pp);
	pol = calloc(1, sizeof *pol);
	if (pp == NULL || pol == NULL || (pol->name = strdup(name)) == NULL) {
		free(pp);
		policy_free(pol);
		policy_error(cause, "%s: %s", name, strerror(ENOMEM));
		errno = ENOMEM;
		return (NULL);
	}
	pp->name = name;
	pp->cause = cause;
	pp->p = text;
	pp->line = pp->col = 1;
	while ((rv = policy_parse_line(pp)) == 1) {
		if ((rv = policy_parse_add(pp, pol)) != 0)
			break;
	}
	free(pp);
	if (rv != 0) {
		policy_free(pol);
		return (NULL);
	}
	return (pol);
}
