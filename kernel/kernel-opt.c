/* SPDX-License-Identifier: ISC */
/*
 * The socket options the daemon passes, with everything every part needs
 * to know about each: its level and name, the shape and size bounds of its
 * value, whether it may be read, set or set with a NULL value, and whether
 * it is privileged. daemon/op-opt.c passes what is here and nothing else,
 * the policy names them (lowercase) and grants the privileged ones by name,
 * the audit log and the CLI print their names.
 *
 * Options whose value holds a pointer or a file descriptor (SO_ATTACH_FILTER,
 * SO_ATTACH_BPF, ...) would let a client reach into the daemon's memory or
 * descriptors, so they are never here.
 *
 * A privileged option is one that binds to or reaches past interfaces,
 * forges headers, marks, prioritises or intercepts traffic, or lets one
 * socket take more of the host than a user may: each needs a capability the
 * daemon keeps (daemon/priv.c), so brokering it is the same as granting
 * that capability for one socket. That is safe only because the policy
 * closes each one unless the deciding rule names it; why each is here is
 * said beside it.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include <linux/capability.h>
#include <linux/can.h>
#include <linux/can/isotp.h>
#include <linux/can/j1939.h>
#include <linux/can/raw.h>
#include <linux/icmp.h>
#include <linux/if_alg.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

#include "kernel.h"

#ifndef CAN_RAW_FILTER_MAX
#define CAN_RAW_FILTER_MAX	512	/* as net/can/raw.c */
#endif
#ifndef SOL_CAN_RAW
#define SOL_CAN_RAW		(SOL_CAN_BASE + CAN_RAW)
#endif
#ifndef SOL_CAN_ISOTP
#define SOL_CAN_ISOTP		(SOL_CAN_BASE + CAN_ISOTP)
#endif
#ifndef SOL_ALG
#define SOL_ALG			279
#endif

#define KERNEL_OPT_ALG_KEY_MAX	1024	/* longest AF_ALG key (hmac, XTS) */
#define KERNEL_OPT_ALG_TAG_MAX	64	/* longest AEAD tag */

/*
 * Each macro names the option itself (#nm) before passing it on: a macro
 * argument passed further is expanded first (SO_MARK would become "36").
 */
#define K(sl, sn, lvl, nm, acc, shape, lo, hi, priv, cap, ...) \
	{ sn, sl, lvl, nm, acc, shape, lo, hi, priv, cap, __VA_ARGS__ }
#define OPT(lvl, nm, acc, shape, lo, hi) \
	K(#lvl, #nm, lvl, nm, acc, shape, lo, hi, 0, KERNEL_CAP_NONE, \
	    AF_UNSPEC, 0, 0)
/* An int, read and set; at SOL_SOCKET, IP, IPv6, TCP and netlink levels. */
#define KI(sl, sn, lvl, nm) K(sl, sn, lvl, nm, KERNEL_OPT_RW, KERNEL_OPT_INT, \
			    1, sizeof(int), 0, KERNEL_CAP_NONE, AF_UNSPEC, 0, 0)
#define I(lvl, nm)	KI(#lvl, #nm, lvl, nm)
#define SI(nm)		KI("SOL_SOCKET", #nm, SOL_SOCKET, nm)
#define IPI(nm)		KI("IPPROTO_IP", #nm, IPPROTO_IP, nm)
#define I6(nm)		KI("IPPROTO_IPV6", #nm, IPPROTO_IPV6, nm)
#define TI(nm)		KI("IPPROTO_TCP", #nm, IPPROTO_TCP, nm)
#define NI(nm)		KI("SOL_NETLINK", #nm, SOL_NETLINK, nm)
/* An int, read only. */
#define RI(lvl, nm)	K(#lvl, #nm, lvl, nm, KERNEL_OPT_GET, KERNEL_OPT_INT, \
			    0, sizeof(int), 0, KERNEL_CAP_NONE, AF_UNSPEC, 0, 0)
/* A struct of at most n bytes, read only. */
#define RS(lvl, nm, n)	K(#lvl, #nm, lvl, nm, KERNEL_OPT_GET, \
			    KERNEL_OPT_STRUCT, 0, n, 0, KERNEL_CAP_NONE, \
			    AF_UNSPEC, 0, 0)
/* A struct of a to b bytes, read and set. */
#define S(lvl, nm, a, b) K(#lvl, #nm, lvl, nm, KERNEL_OPT_RW, \
			    KERNEL_OPT_STRUCT, a, b, 0, KERNEL_CAP_NONE, \
			    AF_UNSPEC, 0, 0)
/* A struct of type t, read and set. */
#define ST(lvl, nm, t)	K(#lvl, #nm, lvl, nm, KERNEL_OPT_RW, \
			    KERNEL_OPT_STRUCT, sizeof(t), sizeof(t), 0, \
			    KERNEL_CAP_NONE, AF_UNSPEC, 0, 0)
/* Bytes (a list, a name), read and set. */
#define B(lvl, nm, a, b) K(#lvl, #nm, lvl, nm, KERNEL_OPT_RW, \
			    KERNEL_OPT_BYTES, a, b, 0, KERNEL_CAP_NONE, \
			    AF_UNSPEC, 0, 0)
/* A privileged option needing cap, then a socket that takes it. */
#define P(lvl, nm, acc, shape, lo, hi, cap, ...) \
	K(#lvl, #nm, lvl, nm, acc, shape, lo, hi, 1, cap, __VA_ARGS__)
/* A privileged int. */
#define PI(lvl, nm, acc, cap, ...) \
	K(#lvl, #nm, lvl, nm, acc, KERNEL_OPT_INT, 1, sizeof(int), 1, cap, \
	    __VA_ARGS__)
#define ANY		AF_UNSPEC, 0, 0

static const struct kernel_opt kernel_opts[] = {
	SI(SO_REUSEADDR), SI(SO_REUSEPORT), SI(SO_KEEPALIVE), SI(SO_BROADCAST),
	SI(SO_DONTROUTE), SI(SO_OOBINLINE), SI(SO_SNDBUF), SI(SO_RCVBUF),
	SI(SO_RCVLOWAT), SI(SO_TIMESTAMP), SI(SO_TIMESTAMPNS), SI(SO_RXQ_OVFL),
	SI(SO_PASSCRED), SI(SO_INCOMING_CPU),
	S(SOL_SOCKET, SO_TIMESTAMPING, sizeof(int), 2 * sizeof(int)),
	ST(SOL_SOCKET, SO_LINGER, struct linger),
	ST(SOL_SOCKET, SO_RCVTIMEO, struct timeval),
	ST(SOL_SOCKET, SO_SNDTIMEO, struct timeval),
	RI(SOL_SOCKET, SO_TYPE), RI(SOL_SOCKET, SO_ERROR),
	RI(SOL_SOCKET, SO_DOMAIN), RI(SOL_SOCKET, SO_PROTOCOL),
	RI(SOL_SOCKET, SO_ACCEPTCONN),
	RS(SOL_SOCKET, SO_PEERCRED, sizeof(struct ucred)),

	/*
	 * Privileged, on any socket. The daemon keeps CAP_NET_RAW and
	 * CAP_NET_ADMIN, so these all work once granted: binding to an
	 * interface (past the routing the host chose); a priority above 6 or
	 * a firewall mark (steering traffic past the host's rules); kernel
	 * debugging of the socket; buffers past rmem_max/wmem_max and busy
	 * polling (one socket taking the host's memory or a CPU).
	 */
	P(SOL_SOCKET, SO_BINDTODEVICE, KERNEL_OPT_RW, KERNEL_OPT_IFNAME, 0,
	    IFNAMSIZ, CAP_NET_RAW, ANY),
	PI(SOL_SOCKET, SO_BINDTOIFINDEX, KERNEL_OPT_SET, CAP_NET_RAW, ANY),
	PI(SOL_SOCKET, SO_PRIORITY, KERNEL_OPT_RW, CAP_NET_ADMIN, ANY),
	PI(SOL_SOCKET, SO_MARK, KERNEL_OPT_RW, CAP_NET_ADMIN, ANY),
	PI(SOL_SOCKET, SO_DEBUG, KERNEL_OPT_RW, CAP_NET_ADMIN, ANY),
	PI(SOL_SOCKET, SO_SNDBUFFORCE, KERNEL_OPT_SET, CAP_NET_ADMIN, ANY),
	PI(SOL_SOCKET, SO_RCVBUFFORCE, KERNEL_OPT_SET, CAP_NET_ADMIN, ANY),
	PI(SOL_SOCKET, SO_BUSY_POLL, KERNEL_OPT_RW, CAP_NET_ADMIN, ANY),

	IPI(IP_TOS), IPI(IP_TTL), IPI(IP_MULTICAST_TTL),
	IPI(IP_MULTICAST_LOOP), IPI(IP_RECVTTL), IPI(IP_RECVTOS),
	IPI(IP_PKTINFO), IPI(IP_MTU_DISCOVER), IPI(IP_FREEBIND),
	IPI(IP_RECVERR), IPI(IP_BIND_ADDRESS_NO_PORT), IPI(IP_RECVORIGDSTADDR),
	RI(IPPROTO_IP, IP_MTU),
	S(IPPROTO_IP, IP_MULTICAST_IF, sizeof(struct in_addr),
	    sizeof(struct ip_mreqn)),
	S(IPPROTO_IP, IP_ADD_MEMBERSHIP, sizeof(struct ip_mreq),
	    sizeof(struct ip_mreqn)),
	S(IPPROTO_IP, IP_DROP_MEMBERSHIP, sizeof(struct ip_mreq),
	    sizeof(struct ip_mreqn)),
	B(IPPROTO_IP, IP_OPTIONS, 0, 40),

	/*
	 * Privileged IPv4 and IPv6: writing the IP header of a raw socket's
	 * packets (forged sources); transparent proxying (binding addresses
	 * the host does not have, taking connections meant for others); the
	 * router alert packets of every flow (RSVP, MLD) on a raw socket. The
	 * raw ones need the raw socket, CAP_NET_RAW; transparency needs
	 * CAP_NET_ADMIN.
	 */
	PI(IPPROTO_IP, IP_HDRINCL, KERNEL_OPT_RW, CAP_NET_RAW, AF_INET,
	    SOCK_RAW, IPPROTO_UDP),
	PI(IPPROTO_IP, IP_TRANSPARENT, KERNEL_OPT_RW, CAP_NET_ADMIN, AF_INET,
	    0, 0),
	PI(IPPROTO_IP, IP_ROUTER_ALERT, KERNEL_OPT_RW, CAP_NET_RAW, AF_INET,
	    SOCK_RAW, IPPROTO_UDP),
	PI(IPPROTO_IPV6, IPV6_HDRINCL, KERNEL_OPT_RW, CAP_NET_RAW, AF_INET6,
	    SOCK_RAW, IPPROTO_RAW),
	PI(IPPROTO_IPV6, IPV6_TRANSPARENT, KERNEL_OPT_RW, CAP_NET_ADMIN,
	    AF_INET6, 0, 0),
	PI(IPPROTO_IPV6, IPV6_ROUTER_ALERT, KERNEL_OPT_SET, CAP_NET_RAW,
	    AF_INET6, SOCK_RAW, IPPROTO_RAW),

	I6(IPV6_V6ONLY), I6(IPV6_UNICAST_HOPS), I6(IPV6_MULTICAST_HOPS),
	I6(IPV6_MULTICAST_LOOP), I6(IPV6_MULTICAST_IF), I6(IPV6_RECVPKTINFO),
	I6(IPV6_RECVHOPLIMIT), I6(IPV6_TCLASS), I6(IPV6_RECVTCLASS),
	I6(IPV6_MTU_DISCOVER), I6(IPV6_RECVERR), I6(IPV6_CHECKSUM),
	RI(IPPROTO_IPV6, IPV6_MTU),
	ST(IPPROTO_IPV6, IPV6_JOIN_GROUP, struct ipv6_mreq),
	ST(IPPROTO_IPV6, IPV6_LEAVE_GROUP, struct ipv6_mreq),

	TI(TCP_NODELAY), TI(TCP_MAXSEG), TI(TCP_CORK), TI(TCP_KEEPIDLE),
	TI(TCP_KEEPINTVL), TI(TCP_KEEPCNT), TI(TCP_SYNCNT), TI(TCP_LINGER2),
	TI(TCP_DEFER_ACCEPT), TI(TCP_WINDOW_CLAMP), TI(TCP_QUICKACK),
	TI(TCP_USER_TIMEOUT), TI(TCP_NOTSENT_LOWAT), TI(TCP_FASTOPEN),
	B(IPPROTO_TCP, TCP_CONGESTION, 1, 16),
	RS(IPPROTO_TCP, TCP_INFO, sizeof(struct tcp_info)),

	I(IPPROTO_UDP, UDP_CORK),

	/* ICMP filters of raw sockets. */
	ST(SOL_RAW, ICMP_FILTER, struct icmp_filter),
	ST(IPPROTO_ICMPV6, ICMP6_FILTER, struct icmp6_filter),

	/*
	 * AF_PACKET. Joining a membership can put an interface in
	 * promiscuous mode (every frame on the wire, for every socket of the
	 * host): privileged. It needs the packet socket, CAP_NET_RAW.
	 */
	P(SOL_PACKET, PACKET_ADD_MEMBERSHIP, KERNEL_OPT_SET, KERNEL_OPT_STRUCT,
	    sizeof(struct packet_mreq), sizeof(struct packet_mreq),
	    CAP_NET_RAW, AF_PACKET, SOCK_RAW, 0),
	OPT(SOL_PACKET, PACKET_DROP_MEMBERSHIP, KERNEL_OPT_SET,
	    KERNEL_OPT_STRUCT, sizeof(struct packet_mreq),
	    sizeof(struct packet_mreq)),
	I(SOL_PACKET, PACKET_AUXDATA), I(SOL_PACKET, PACKET_ORIGDEV),
	I(SOL_PACKET, PACKET_IGNORE_OUTGOING),
	RS(SOL_PACKET, PACKET_STATISTICS, sizeof(struct tpacket_stats)),

	/* AF_NETLINK. */
	NI(NETLINK_ADD_MEMBERSHIP), NI(NETLINK_DROP_MEMBERSHIP),
	NI(NETLINK_PKTINFO), NI(NETLINK_NO_ENOBUFS),
	NI(NETLINK_BROADCAST_ERROR), NI(NETLINK_CAP_ACK), NI(NETLINK_EXT_ACK),
	NI(NETLINK_GET_STRICT_CHK),

	/*
	 * AF_CAN. None is privileged: what a CAN socket sends and hears is
	 * mediated by the policy's can-id ranges, whatever its filters say.
	 */
	B(SOL_CAN_RAW, CAN_RAW_FILTER, 0,
	    CAN_RAW_FILTER_MAX * sizeof(struct can_filter)),
	ST(SOL_CAN_RAW, CAN_RAW_ERR_FILTER, can_err_mask_t),
	I(SOL_CAN_RAW, CAN_RAW_LOOPBACK), I(SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS),
	I(SOL_CAN_RAW, CAN_RAW_FD_FRAMES), I(SOL_CAN_RAW, CAN_RAW_JOIN_FILTERS),
	ST(SOL_CAN_ISOTP, CAN_ISOTP_OPTS, struct can_isotp_options),
	ST(SOL_CAN_ISOTP, CAN_ISOTP_RECV_FC, struct can_isotp_fc_options),
	ST(SOL_CAN_ISOTP, CAN_ISOTP_TX_STMIN, uint32_t),
	ST(SOL_CAN_ISOTP, CAN_ISOTP_RX_STMIN, uint32_t),
	ST(SOL_CAN_ISOTP, CAN_ISOTP_LL_OPTS, struct can_isotp_ll_options),
	B(SOL_CAN_J1939, SO_J1939_FILTER, 0,
	    J1939_FILTER_MAX * sizeof(struct j1939_filter)),
	I(SOL_CAN_J1939, SO_J1939_PROMISC),
	I(SOL_CAN_J1939, SO_J1939_SEND_PRIO),
	I(SOL_CAN_J1939, SO_J1939_ERRQUEUE),

	/* AF_TIPC. */
	I(SOL_TIPC, TIPC_IMPORTANCE), I(SOL_TIPC, TIPC_SRC_DROPPABLE),
	I(SOL_TIPC, TIPC_DEST_DROPPABLE), I(SOL_TIPC, TIPC_CONN_TIMEOUT),
	ST(SOL_TIPC, TIPC_GROUP_JOIN, struct tipc_group_req),
	I(SOL_TIPC, TIPC_GROUP_LEAVE),

	/*
	 * AF_ALG, on the socket bound to an algorithm: set only. The key is
	 * a secret: nothing logs an option's value, only its size. The AEAD
	 * tag size is given as the length of a NULL value.
	 */
	OPT(SOL_ALG, ALG_SET_KEY, KERNEL_OPT_SET, KERNEL_OPT_BYTES, 0,
	    KERNEL_OPT_ALG_KEY_MAX),
	OPT(SOL_ALG, ALG_SET_AEAD_AUTHSIZE, KERNEL_OPT_SET | KERNEL_OPT_NULL,
	    KERNEL_OPT_BYTES, 0, KERNEL_OPT_ALG_TAG_MAX),

	/* AF_VSOCK. */
	ST(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, uint64_t),
	ST(AF_VSOCK, SO_VM_SOCKETS_BUFFER_MIN_SIZE, uint64_t),
	ST(AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, uint64_t),
};
#define KERNEL_NOPTS	(sizeof kernel_opts / sizeof kernel_opts[0])

/* The i-th option of the registry, or NULL past its end. */
const struct kernel_opt *
kernel_opt_at(size_t i)
{
	return (i < KERNEL_NOPTS ? &kernel_opts[i] : NULL);
}

/* The option at level and name, or NULL if it is not passed. */
const struct kernel_opt *
kernel_opt_find(int level, int optname)
{
	size_t	i;

	for (i = 0; i < KERNEL_NOPTS; i++) {
		if (kernel_opts[i].level == level &&
		    kernel_opts[i].optname == optname)
			return (&kernel_opts[i]);
	}
	return (NULL);
}

/* Whether name is the lowercase form of the C name upper. */
static int
kernel_opt_eq(const char *name, const char *upper)
{
	for (; *name != '\0' && *upper != '\0'; name++, upper++) {
		if (*name != tolower((unsigned char)*upper))
			return (0);
	}
	return (*name == '\0' && *upper == '\0');
}

/* The option of a lowercase name ("so_mark"), or NULL. */
const struct kernel_opt *
kernel_opt_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < KERNEL_NOPTS; i++) {
		if (kernel_opt_eq(name, kernel_opts[i].name))
			return (&kernel_opts[i]);
	}
	return (NULL);
}

/* Writes the lowercase name of o, as the policy and the audit log say it. */
const char *
kernel_opt_lower(const struct kernel_opt *o, char *buf, size_t size)
{
	size_t	i;

	if (size == 0)
		return (buf);
	for (i = 0; i + 1 < size && o->name[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)o->name[i]);
	buf[i] = '\0';
	return (buf);
}

/* Writes an option's lowercase name, or its numbers if it is not passed. */
const char *
kernel_opt_describe(int level, int optname, char *buf, size_t size)
{
	const struct kernel_opt	*o;

	if ((o = kernel_opt_find(level, optname)) != NULL)
		return (kernel_opt_lower(o, buf, size));
	snprintf(buf, size, "(level %d, name %d)", level, optname);
	return (buf);
}

/* Whether an option is closed unless a policy rule names it. */
int
kernel_opt_privileged(int level, int optname)
{
	const struct kernel_opt	*o = kernel_opt_find(level, optname);

	return (o != NULL && o->privileged);
}
