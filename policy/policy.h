/* SPDX-License-Identifier: ISC */
/*
 * The policy: who may do what with which sockets. A self-contained module
 * (libc only) that sockbrokerd and the sockbroker CLI both link. The
 * language is described in README.md ("Policy") and in
 * systemd/policy.conf; this header is the contract with the daemon.
 *
 * A policy is a list of rules, one a line:
 *
 *	("permit" | "deny") WHO criterion*
 *
 * A rule matches an operation (struct policy_ctx) when WHO matches the
 * peer and every criterion it names is satisfied. A criterion about
 * something the operation does not carry (an interface at socket creation,
 * a port on setsockopt, ...) is UNKNOWN: it counts as satisfied for a
 * permit rule and as not satisfied for a deny rule, so a socket may be
 * created if some rule could permit its use and each later operation is
 * checked with what it carries. The last matching rule decides; none
 * matching is a denial.
 *
 * Some things are closed unless the deciding permit rule grants them by
 * name, whatever it says about the family: raw inet and inet6 sockets
 * (`type raw`; SOCK_PACKET counts as raw), binding a port below 1024
 * (`port`), AF_UNIX paths and abstract names (`path`), netlink messages
 * that change state (`netlink-write`), privileged socket options
 * (`option`), and passing the real descriptor (`fd-pass`). Without the
 * grant the verdict is a denial that names the rule and what it lacks.
 *
 * policy_check() allocates nothing and does no name service lookups: the
 * context carries the peer's names as well as its ids.
 */

#ifndef POLICY_H
#define POLICY_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* The operation being checked. */
enum policy_op {
	POLICY_SOCKET,		/* socket creation: family, type, protocol */
	POLICY_BIND,		/* addr is the local address */
	POLICY_CONNECT,		/* addr is the remote address */
	POLICY_SEND,		/* sendto/sendmsg: addr is the destination */
	POLICY_SETSOCKOPT,	/* level, optname; iface for SO_BINDTODEVICE */
	POLICY_IOCTL,		/* ioctl */
	POLICY_CAN_SEND,	/* a CAN frame going out: can_id */
	POLICY_CAN_RECV,	/* a CAN frame coming in: can_id */
	POLICY_FDPASS,		/* handing the real descriptor to the client */
};

/*
 * What the daemon knows about an operation. Fields an operation does not
 * carry are left NULL/0 (iface, addr, has_can_id); those criteria are then
 * UNKNOWN. An addr of family AF_UNSPEC (a connect that dissolves an
 * association) counts as none. An iface of "" means every interface (an
 * AF_PACKET or AF_CAN bind to ifindex 0, SO_BINDTODEVICE to ""): only an
 * iface pattern that matches the empty string (`*`) grants it. family, type and protocol are the socket's, as created (a
 * protocol of 0 means the family's default: TCP for inet stream sockets,
 * UDP for datagram ones).
 */
struct policy_ctx {
	const char		 *user;		/* the peer, from the kernel */
	uid_t			  uid;
	const char *const	 *groups;	/* primary first; or NULL */
	const gid_t		 *gids;		/* ids, in the same order */
	size_t			  ngroups;

	enum policy_op		  op;
	int			  family;
	int			  type;		/* SOCK_NONBLOCK etc. ignored */
	int			  protocol;

	const char		 *iface;	/* NULL: none here */
	const struct sockaddr	 *addr;		/* NULL: none */
	socklen_t		  addrlen;

	int			  level;	/* POLICY_SETSOCKOPT */
	int			  optname;
	unsigned long		  ioctl;	/* POLICY_IOCTL */
	int			  netlink_write; /* POLICY_SEND, netlink */
	int			  has_can_id;	/* POLICY_CAN_SEND/RECV */
	uint32_t		  can_id;	/* flag bits are ignored */
};

/*
 * The outcome: permit or not, the line of the deciding rule (0 when no
 * rule matched) and a sentence for logs and error messages, like
 * "permitted by rule at line 3", "denied by rule at line 5", "no rule
 * matched" or "rule at line 4 does not grant binding port 22 (needs a
 * port criterion)".
 */
struct policy_verdict {
	int			  permit;
	unsigned int		  line;
	char			  reason[256];
};

/* A compiled policy: callers use the functions below, never look inside. */
struct policy;

/* A protocol a name stands for in a family. */
struct policy_proto {
	int			  family;	/* AF_UNSPEC: a number, any */
	int			  proto;
};

#define POLICY_MAXFAMILIES	16	/* families a protocol name is in, at most */

/* policy.c */
const char	*policy_default_path(void);
const char	*policy_example_path(void);
struct policy	*policy_load(const char *, char **);
void		 policy_free(struct policy *);
size_t		 policy_nrules(const struct policy *);
const char	*policy_rule_text(const struct policy *, unsigned int);
void		 policy_check(const struct policy *, const struct policy_ctx *,
		     struct policy_verdict *);
const char	*policy_op_name(enum policy_op);
size_t		 policy_proto_resolve(const char *, const int *, size_t,
		     struct policy_proto *, size_t);

/* policy-parse.c */
struct policy	*policy_parse(const char *, const char *, char **);

#endif /* POLICY_H */
