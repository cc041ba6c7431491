/* SPDX-License-Identifier: ISC */
/*
 * The address families the daemon serves and the socket types it knows:
 * their values, the names the policy and the audit log use, the names the
 * CLI prints, for each family a socket that any kernel having it
 * accepts (the daemon's start-up probe, whose result Hello lists), and
 * for a family whose sockets reach only interfaces of its own kind, their
 * hardware type (sockbroker run brokers it where the program's network
 * namespace has none).
 */

#include <sys/socket.h>

#include <net/if_arp.h>

#include <stddef.h>
#include <string.h>

#include "kernel.h"

/* In the order Hello lists them. */
static const struct kernel_family kernel_families[] = {
	{ AF_UNIX, "unix", "AF_UNIX", SOCK_DGRAM, 0, -1 },
	{ AF_INET, "inet", "AF_INET", SOCK_DGRAM, 0, -1 },
	{ AF_INET6, "inet6", "AF_INET6", SOCK_DGRAM, 0, -1 },
	{ AF_PACKET, "packet", "AF_PACKET", SOCK_DGRAM, 0, -1 },
	{ AF_NETLINK, "netlink", "AF_NETLINK", SOCK_RAW, 0, -1 },
	{ AF_VSOCK, "vsock", "AF_VSOCK", SOCK_STREAM, 0, -1 },
	{ AF_CAN, "can", "AF_CAN", SOCK_RAW, 1, ARPHRD_CAN },	/* CAN_RAW */
	{ AF_TIPC, "tipc", "AF_TIPC", SOCK_RDM, 0, -1 },
	{ AF_ALG, "alg", "AF_ALG", SOCK_SEQPACKET, 0, -1 },
	{ AF_BLUETOOTH, "bluetooth", "AF_BLUETOOTH", SOCK_RAW, 1, -1 }, /* HCI */
	{ AF_QIPCRTR, "qipcrtr", "AF_QIPCRTR", SOCK_DGRAM, 0, -1 },
	{ AF_RDS, "rds", "AF_RDS", SOCK_SEQPACKET, 0, -1 },
};
#define KERNEL_NFAMILIES (sizeof kernel_families / sizeof kernel_families[0])

/* SOCK_PACKET is obsolete (AF_INET's old packet socket) but still opens. */
static const struct kernel_type kernel_types[] = {
	{ SOCK_STREAM, "stream" }, { SOCK_DGRAM, "dgram" },
	{ SOCK_RAW, "raw" }, { SOCK_SEQPACKET, "seqpacket" },
	{ SOCK_RDM, "rdm" }, { SOCK_PACKET, "packet" },
};
#define KERNEL_NTYPES	(sizeof kernel_types / sizeof kernel_types[0])

/* The i-th family served, or NULL past the end. */
const struct kernel_family *
kernel_family_at(size_t i)
{
	return (i < KERNEL_NFAMILIES ? &kernel_families[i] : NULL);
}

/* The family of value af, or of name when it is not NULL; or NULL. */
static const struct kernel_family *
kernel_family_lookup(int af, const char *name)
{
	const struct kernel_family	*f = kernel_families;

	for (; f < kernel_families + KERNEL_NFAMILIES; f++) {
		if (name != NULL ? strcmp(f->name, name) == 0 : f->af == af)
			return (f);
	}
	return (NULL);
}

/* The family of an AF_* value, or NULL if it is not served. */
const struct kernel_family *
kernel_family_find(int af)
{
	return (kernel_family_lookup(af, NULL));
}

/* The family of a policy name ("inet"), or NULL. */
const struct kernel_family *
kernel_family_by_name(const char *name)
{
	return (kernel_family_lookup(AF_UNSPEC, name));
}

/* The policy name of a family ("inet"), or NULL. */
const char *
kernel_family_name(int af)
{
	const struct kernel_family	*f = kernel_family_find(af);

	return (f != NULL ? f->name : NULL);
}

/* The C name of a family ("AF_INET"), or NULL. */
const char *
kernel_family_cname(int af)
{
	const struct kernel_family	*f = kernel_family_find(af);

	return (f != NULL ? f->cname : NULL);
}

/* The SOCK_* value of a type name, or -1. */
int
kernel_type_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < KERNEL_NTYPES; i++) {
		if (strcmp(kernel_types[i].name, name) == 0)
			return (kernel_types[i].type);
	}
	return (-1);
}

/* The name of a socket type ("stream"), or NULL. */
const char *
kernel_type_name(int type)
{
	size_t	i;

	for (i = 0; i < KERNEL_NTYPES; i++) {
		if (kernel_types[i].type == type)
			return (kernel_types[i].name);
	}
	return (NULL);
}
