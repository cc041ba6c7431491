/* SPDX-License-Identifier: ISC */
/*
 * The kernel facts every part of sockbroker reads from one place: the
 * socket options the daemon passes (kernel-opt.c), the address families
 * and socket types it serves (kernel-family.c) and the ioctls it passes
 * (kernel-ioctl.c), and the protocols of those families by name
 * (kernel-proto.c). The daemon, the policy language, the audit log, the
 * CLI and the tests all use these tables and keep none of their own.
 * libc only (and the kernel's headers).
 */

#ifndef KERNEL_H
#define KERNEL_H

#include <stddef.h>

/* The access a socket option allows. */
#define KERNEL_OPT_GET		0x1	/* getsockopt */
#define KERNEL_OPT_SET		0x2	/* setsockopt */
#define KERNEL_OPT_RW		(KERNEL_OPT_GET | KERNEL_OPT_SET)
#define KERNEL_OPT_NULL		0x4	/* set with a NULL value: its length */

#define KERNEL_CAP_NONE		(-1)	/* needs no capability */

/* What an option's value is. */
enum kernel_opt_shape {
	KERNEL_OPT_INT,		/* an int */
	KERNEL_OPT_IFNAME,	/* an interface name */
	KERNEL_OPT_STRUCT,	/* a struct of integers and addresses */
	KERNEL_OPT_BYTES,	/* bytes of a bounded length: a list, a key */
};

/*
 * A socket option the daemon passes. Its value never holds a pointer or a
 * descriptor (those options are on no list). A privileged one is closed
 * unless the deciding policy rule names it; it needs capability cap, which
 * the daemon keeps, and family, type and protocol describe a socket that
 * takes it (family AF_UNSPEC: any socket; type 0: any type).
 */
struct kernel_opt {
	const char		*name;		/* "SO_MARK"; lowercase in the
						   policy and the audit log */
	const char		*level_name;	/* "SOL_SOCKET" */
	int			 level;
	int			 optname;
	unsigned int		 access;	/* KERNEL_OPT_* */
	enum kernel_opt_shape	 shape;
	unsigned int		 min;		/* size bounds of a set value */
	unsigned int		 max;
	int			 privileged;
	int			 cap;		/* CAP_*, or KERNEL_CAP_NONE */
	int			 family;
	int			 type;
	int			 protocol;
};

/* An address family the daemon serves. */
struct kernel_family {
	int			 af;
	const char		*name;		/* "inet": policy, audit */
	const char		*cname;		/* "AF_INET": the CLI */
	int			 probe_type;	/* a socket any kernel having */
	int			 probe_protocol; /* the family accepts */
	int			 hatype;	/* ARPHRD_* of the only interfaces
						   its sockets reach; -1: any */
};

/* A socket type. */
struct kernel_type {
	int			 type;
	const char		*name;		/* "stream": policy, audit */
};

/*
 * A protocol of a family, by the name the policy and the audit log use.
 * An AF_PACKET protocol is an ethertype, held here in host order.
 */
struct kernel_proto {
	int			 family;
	int			 protocol;
	const char		*name;		/* "tcp": policy, audit */
	const char		*alias;		/* another policy name, or NULL */
};

/* What an ioctl's argument is. */
enum kernel_ioctl_arg {
	KERNEL_IOCTL_INT,	/* the kernel writes an int */
	KERNEL_IOCTL_TIMEVAL,	/* ... a struct timeval */
	KERNEL_IOCTL_TIMESPEC,	/* ... a struct timespec */
	KERNEL_IOCTL_IFREQ,	/* reads and writes a struct ifreq */
};

/*
 * An ioctl the daemon passes: each one only reads. Denials are audited,
 * and so are grants of one that tells of the host rather than the socket.
 */
struct kernel_ioctl {
	unsigned long		 request;
	const char		*name;		/* "SIOCGIFINDEX": the audit log */
	enum kernel_ioctl_arg	 arg;
	size_t			 size;		/* of the argument */
	int			 audit;		/* grants are audited */
};

/* kernel-opt.c */
const struct kernel_opt	*kernel_opt_at(size_t);
const struct kernel_opt	*kernel_opt_find(int, int);
const struct kernel_opt	*kernel_opt_by_name(const char *);
const char		*kernel_opt_lower(const struct kernel_opt *, char *,
			     size_t);
const char		*kernel_opt_describe(int, int, char *, size_t);
int			 kernel_opt_privileged(int, int);

/* kernel-family.c */
const struct kernel_family *kernel_family_at(size_t);
const struct kernel_family *kernel_family_find(int);
const struct kernel_family *kernel_family_by_name(const char *);
const char		*kernel_family_name(int);
const char		*kernel_family_cname(int);
int			 kernel_type_by_name(const char *);
const char		*kernel_type_name(int);

/* kernel-proto.c */
const struct kernel_proto *kernel_proto_at(size_t);
const struct kernel_proto *kernel_proto_find(int, int);
const char		*kernel_proto_name(int, int);
int			 kernel_proto_recv_flags(int, int);
int			 kernel_proto_named(const struct kernel_proto *,
			     const char *);

/* kernel-ioctl.c */
const struct kernel_ioctl *kernel_ioctl_find(unsigned long);

#endif /* KERNEL_H */
