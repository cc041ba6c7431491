/* SPDX-License-Identifier: ISC */
/*
 * The policy's compiled form, private to policy/: policy-parse.c builds it,
 * policy.c reads it. The daemon and the CLI see only policy.h.
 */

#ifndef POLICY_INT_H
#define POLICY_INT_H

#include "policy.h"

enum policy_who {
	POLICY_WHO_ANY,			/* * */
	POLICY_WHO_USER,		/* name or uid */
	POLICY_WHO_GROUP,		/* :name or :gid */
};

#define POLICY_C_FAMILY		0x0001
#define POLICY_C_TYPE		0x0002
#define POLICY_C_PROTO		0x0004
#define POLICY_C_IFACE		0x0008
#define POLICY_C_PORT		0x0010
#define POLICY_C_LOCAL		0x0020
#define POLICY_C_REMOTE		0x0040
#define POLICY_C_PATH		0x0080
#define POLICY_C_OPTION		0x0100
#define POLICY_C_CANID		0x0200
#define POLICY_C_NLWRITE	0x0400
#define POLICY_C_FDPASS		0x0800

struct policy_range {
	uint32_t		  lo;
	uint32_t		  hi;
};

struct policy_net {
	int			  family;	/* AF_INET or AF_INET6 */
	unsigned int		  plen;
	uint8_t			  addr[16];
};

struct policy_opt {
	int			  level;
	int			  optname;
};

struct policy_rule {
	unsigned int		  line;
	int			  permit;
	char			 *text;		/* as written, for explain */

	enum policy_who		  who;
	char			 *who_name;	/* NULL: numeric who_id */
	uint32_t		  who_id;

	unsigned int		  crit;		/* POLICY_C_* named */
	int			 *family;
	size_t			  nfamily;
	int			 *type;
	size_t			  ntype;
	struct policy_proto	 *proto;
	size_t			  nproto;
	char			**iface;
	size_t			  niface;
	struct policy_range	 *port;
	size_t			  nport;
	struct policy_net	 *local;
	size_t			  nlocal;
	struct policy_net	 *remote;
	size_t			  nremote;
	char			**path;
	size_t			  npath;
	struct policy_opt	 *option;
	size_t			  noption;
	struct policy_range	 *canid;
	size_t			  ncanid;
};

struct policy {
	char			 *name;
	struct policy_rule	 *rules;
	size_t			  nrules;
	size_t			  size;		/* allocated */
};

/* policy.c */
int		 policy_error(char **, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 policy_rule_clear(struct policy_rule *);

#endif /* POLICY_INT_H */
