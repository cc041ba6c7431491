/* SPDX-License-Identifier: ISC */
/*
 * sockbroker policy check FILE: compiles a policy file and says how many
 * rules it has, or what is wrong and where.
 *
 * sockbroker policy explain [-f FILE] USER FAMILY [WORD VALUE]...: asks
 * the policy what it would say to USER doing one operation, and shows the
 * rule that decides. USER's groups come from the local user database.
 * Neither talks to the daemon.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kernel.h"
#include "policy.h"

#define CLI_POLICY_MAXGROUPS	256

/* The peer and operation being explained, and what they are made of. */
struct cli_policy {
	struct policy_ctx	 ctx;
	const char		*file;
	const char		*opname;	/* NULL: from the arguments */
	const char		*addr;
	int			 has_option;
	int			 has_port;
	int			 port;
	char			*user;
	gid_t			 gids[CLI_POLICY_MAXGROUPS];
	char			*groups[CLI_POLICY_MAXGROUPS];
	struct sockaddr_storage	 ss;
};

/* Prints the usage of the policy command; returns the usage status. */
static int
cli_policy_usage(void)
{
	return (cli_usage("policy"));
}

/* sockbroker policy check FILE. */
static int
cli_policy_check(int argc, char **argv)
{
	struct policy	*pol;
	char		*cause;
	size_t		 n;

	if (argc != 2)
		return (cli_policy_usage());
	if ((pol = policy_load(argv[1], &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause != NULL ? cause :
		    strerror(errno));
		free(cause);
		return (CLI_EXIT_ERROR);
	}
	n = policy_nrules(pol);
	printf("%s: %zu rule%s, OK\n", argv[1], n, n == 1 ? "" : "s");
	policy_free(pol);
	return (CLI_EXIT_OK);
}

/* Fills in the peer's uid and groups from the user database. */
static void
cli_policy_user(struct cli_policy *cp, const char *name)
{
	struct passwd	*pw;
	struct group	*gr;
	int		 i, n = CLI_POLICY_MAXGROUPS;
	char		*end;
	unsigned long	 uid;

	errno = 0;
	uid = strtoul(name, &end, 10);
	if ((pw = getpwnam(name)) == NULL && *name != '\0' && *end == '\0')
		pw = getpwuid((uid_t)uid);
	if (pw == NULL) {
		fprintf(stderr, "sockbroker policy: no user %s here; "
		    "explaining without groups\n", name);
		cp->user = strdup(name);
		cp->ctx.uid = (*name != '\0' && *end == '\0') ? (uid_t)uid :
		    (uid_t)-1;
		return;
	}
	cp->user = strdup(pw->pw_name);
	cp->ctx.uid = pw->pw_uid;
	if (cp->user == NULL ||
	    getgrouplist(cp->user, pw->pw_gid, cp->gids, &n) == -1)
		n = 0;	/* more than we keep, or no memory: no groups */
	for (i = 0; i < n; i++) {
		if ((gr = getgrgid(cp->gids[i])) != NULL)
			cp->groups[i] = strdup(gr->gr_name);
	}
	cp->ctx.ngroups = (size_t)n;
}

/* Sets an IP or AF_UNIX address (with the port, if any) in the context. */
static int
cli_policy_addr(struct cli_policy *cp)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&cp->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&cp->ss;
	struct sockaddr_un	*sun = (struct sockaddr_un *)&cp->ss;
	const char		*a = cp->addr;
	size_t			 len;

	if (a == NULL)
		a = cp->ctx.family == AF_INET6 ? "::" : "0.0.0.0";
	if (inet_pton(AF_INET, a, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)cp->port);
		cp->ctx.addrlen = sizeof *sin;
	} else if (inet_pton(AF_INET6, a, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)cp->port);
		cp->ctx.addrlen = sizeof *sin6;
	} else if ((*a == '/' || *a == '@') &&
	    (len = strlen(a)) < sizeof sun->sun_path) {
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, a, len);
		if (*a == '@')
			sun->sun_path[0] = '\0';
		cp->ctx.addrlen = (socklen_t)(offsetof(struct sockaddr_un,
		    sun_path) + len + (*a == '/'));
	} else {
		fprintf(stderr, "sockbroker policy: bad address: %s\n", a);
		return (-1);
	}
	cp->ctx.addr = (struct sockaddr *)&cp->ss;
	return (0);
}

/* Sets the protocol from a name (in the family) or a number. */
static int
cli_policy_proto(struct cli_policy *cp, const char *s)
{
	struct policy_proto	 p;
	char			*end;
	long			 n;

	errno = 0;
	n = strtol(s, &end, 0);
	if (*s != '\0' && *end == '\0' && errno == 0 && n >= 0 &&
	    n <= INT32_MAX)
		p.proto = (int)n;
	else if (policy_proto_resolve(s, &cp->ctx.family, 1, &p, 1) != 1) {
		fprintf(stderr, "sockbroker policy: unknown protocol %s for "
		    "this family\n", s);
		return (-1);
	}
	if (cp->ctx.family == AF_PACKET)
		p.proto = htons((uint16_t)p.proto);	/* as socket() has it */
	cp->ctx.protocol = p.proto;
	return (0);
}

/* Sets the socket type from its name. */
static int
cli_policy_type(struct cli_policy *cp, const char *s)
{
	if ((cp->ctx.type = kernel_type_by_name(s)) == -1) {
		fprintf(stderr, "sockbroker policy: unknown type %s\n", s);
		return (-1);
	}
	return (0);
}

/* Sets the socket option (and the operation) from its name. */
static int
cli_policy_option(struct cli_policy *cp, const char *s)
{
	const struct kernel_opt	*o;

	if ((o = kernel_opt_by_name(s)) == NULL) {
		fprintf(stderr, "sockbroker policy: unknown option %s\n", s);
		return (-1);
	}
	cp->ctx.level = o->level;
	cp->ctx.optname = o->optname;
	cp->has_option = 1;
	return (0);
}

/* Sets a CAN id (and the operation, CAN send). */
static int
cli_policy_canid(struct cli_policy *cp, const char *s)
{
	char		*end;
	unsigned long	 id;

	errno = 0;
	id = strtoul(s, &end, 0);
	if (*s == '\0' || *end != '\0' || errno != 0 || id > UINT32_MAX) {
		fprintf(stderr, "sockbroker policy: bad CAN id %s\n", s);
		return (-1);
	}
	cp->ctx.has_can_id = 1;
	cp->ctx.can_id = (uint32_t)id;
	return (0);
}

/* Sets the operation from its name. */
static int
cli_policy_op(struct cli_policy *cp, const char *s)
{
	static const enum policy_op	 ops[] = { POLICY_SOCKET, POLICY_BIND,
	    POLICY_CONNECT, POLICY_SEND, POLICY_SETSOCKOPT, POLICY_IOCTL,
	    POLICY_CAN_SEND, POLICY_CAN_RECV, POLICY_FDPASS };
	size_t				 i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (strcmp(policy_op_name(ops[i]), s) == 0) {
			cp->opname = s;
			cp->ctx.op = ops[i];
			return (0);
		}
	}
	fprintf(stderr, "sockbroker policy: unknown operation %s\n", s);
	return (-1);
}

/* Takes one WORD VALUE pair (or a flag); returns how many words it used. */
static int
cli_policy_word(struct cli_policy *cp, char **argv, int left)
{
	const char	*w = argv[0], *v = left > 1 ? argv[1] : NULL;

	if (strcmp(w, "netlink-write") == 0) {
		cp->ctx.netlink_write = 1;
		return (1);
	}
	if (v == NULL) {
		fprintf(stderr, "sockbroker policy: %s needs a value\n", w);
		return (-1);
	}
	if (strcmp(w, "type") == 0)
		return (cli_policy_type(cp, v) == 0 ? 2 : -1);
	if (strcmp(w, "proto") == 0)
		return (cli_policy_proto(cp, v) == 0 ? 2 : -1);
	if (strcmp(w, "option") == 0)
		return (cli_policy_option(cp, v) == 0 ? 2 : -1);
	if (strcmp(w, "can-id") == 0)
		return (cli_policy_canid(cp, v) == 0 ? 2 : -1);
	if (strcmp(w, "op") == 0)
		return (cli_policy_op(cp, v) == 0 ? 2 : -1);
	if (strcmp(w, "iface") == 0)
		cp->ctx.iface = v;
	else if (strcmp(w, "addr") == 0)
		cp->addr = v;
	else if (strcmp(w, "port") == 0) {
		if ((cp->port = cli_port("policy explain", v)) == -1)
			return (-1);
		cp->has_port = 1;
	} else {
		fprintf(stderr, "sockbroker policy: unknown word %s\n", w);
		return (-1);
	}
	return (2);
}

/* Without an explicit op, the operation the other words suggest. */
static enum policy_op
cli_policy_default_op(const struct cli_policy *cp)
{
	if (cp->has_option)
		return (POLICY_SETSOCKOPT);
	if (cp->ctx.has_can_id)
		return (POLICY_CAN_SEND);
	if (cp->ctx.netlink_write)
		return (POLICY_SEND);
	if (cp->addr != NULL)
		return (POLICY_CONNECT);
	if (cp->has_port)
		return (POLICY_BIND);
	return (POLICY_SOCKET);
}

/* Parses FAMILY and the WORD VALUE pairs into the context. */
static int
cli_policy_args(struct cli_policy *cp, int argc, char **argv)
{
	const struct kernel_family	*f;
	int				 i, n;

	if ((f = kernel_family_by_name(argv[1])) == NULL) {
		fprintf(stderr, "sockbroker policy: unknown family %s\n",
		    argv[1]);
		return (-1);
	}
	cp->ctx.family = f->af;
	for (i = 2; i < argc; i += n) {
		if ((n = cli_policy_word(cp, argv + i, argc - i)) == -1)
			return (-1);
	}
	if (cp->opname == NULL)
		cp->ctx.op = cli_policy_default_op(cp);
	if (cp->addr != NULL || cp->has_port)
		return (cli_policy_addr(cp));
	return (0);
}

/* Prints who does what, as the policy sees it. */
static void
cli_policy_what(const struct cli_policy *cp)
{
	const struct policy_ctx	*ctx = &cp->ctx;
	const char		*s;
	char			 opt[64];

	printf("%s (uid %ld): %s %s", cp->user != NULL ? cp->user : "?",
	    (long)(int)ctx->uid, policy_op_name(ctx->op),
	    kernel_family_name(ctx->family));
	if ((s = kernel_type_name(ctx->type)) != NULL)
		printf(" type %s", s);
	if (ctx->protocol != 0 &&
	    (s = kernel_proto_name(ctx->family, ctx->protocol)) != NULL)
		printf(" proto %s", s);
	else if (ctx->protocol != 0)
		printf(" proto %d", ctx->family == AF_PACKET ?
		    ntohs((uint16_t)ctx->protocol) : ctx->protocol);
	if (ctx->iface != NULL)
		printf(" iface %s", ctx->iface);
	if (cp->addr != NULL)
		printf(" addr %s", cp->addr);
	if (cp->has_port)
		printf(" port %d", cp->port);
	if (cp->has_option)
		printf(" option %s", kernel_opt_describe(ctx->level,
		    ctx->optname, opt, sizeof opt));
	if (ctx->has_can_id)
		printf(" can-id 0x%x", ctx->can_id);
	if (ctx->netlink_write)
		printf(" netlink-write");
	printf("\n");
}

/* Prints the verdict and the deciding rule; returns the exit status. */
static int
cli_policy_print(const struct policy *pol, const struct cli_policy *cp)
{
	struct policy_verdict	 v;
	const char		*text;

	cli_policy_what(cp);
	policy_check(pol, &cp->ctx, &v);
	printf("%s: %s\n", v.permit ? "permit" : "deny", v.reason);
	if (v.line != 0 && (text = policy_rule_text(pol, v.line)) != NULL)
		printf("rule at line %u: %s\n", v.line, text);
	return (v.permit ? CLI_EXIT_OK : CLI_EXIT_ERROR);
}

/* Frees what cli_policy_user() allocated. */
static void
cli_policy_clear(struct cli_policy *cp)
{
	size_t	i;

	for (i = 0; i < CLI_POLICY_MAXGROUPS; i++)
		free(cp->groups[i]);
	free(cp->user);
}

/* sockbroker policy explain [-f FILE] USER FAMILY [WORD VALUE]... */
static int
cli_policy_explain(int argc, char **argv)
{
	struct cli_policy	 cp;
	struct policy		*pol;
	char			*cause;
	int			 ch, rv = CLI_EXIT_USAGE;

	memset(&cp, 0, sizeof cp);
	cp.file = policy_default_path();
	optind = 0;
	while ((ch = getopt(argc, argv, "+f:")) != -1) {
		if (ch != 'f')
			return (cli_policy_usage());
		cp.file = optarg;
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		return (cli_policy_usage());
	if ((pol = policy_load(cp.file, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause != NULL ? cause :
		    strerror(errno));
		free(cause);
		return (CLI_EXIT_ERROR);
	}
	cli_policy_user(&cp, argv[0]);
	cp.ctx.user = cp.user;
	cp.ctx.groups = (const char *const *)cp.groups;
	cp.ctx.gids = cp.gids;
	if (cli_policy_args(&cp, argc, argv) == 0)
		rv = cli_policy_print(pol, &cp);
	else
		cli_policy_usage();
	cli_policy_clear(&cp);
	policy_free(pol);
	return (rv);
}

/* sockbroker policy check|explain ... */
int
cli_policy_exec(const char *path, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "check") == 0)
		return (cli_policy_check(argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return (cli_policy_explain(argc - 1, argv + 1));
	return (cli_policy_usage());
}
