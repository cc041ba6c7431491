/* SPDX-License-Identifier: ISC */
/*
 * The protocols of the families the daemon serves, by the names the
 * policy language and the audit log use: IP protocols (for inet and
 * inet6 alike), CAN, netlink and Bluetooth protocols, and for AF_PACKET
 * the ethernet types, which this table holds in host order (socket() and
 * struct handle hold them in network order; the functions below take
 * them so).
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/can.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>

#include "kernel.h"

#define IP(p, n, a)	{ AF_INET, p, n, a }, { AF_INET6, p, n, a }

/*
 * Where one number has two names, the first is the audit log's and the
 * second (alias) is accepted by the policy too. IP protocol 0 lets the
 * kernel choose by type (TCP for stream sockets, UDP for datagram ones).
 */
static const struct kernel_proto kernel_protos[] = {
	IP(0, "default", "ip"),
	IP(IPPROTO_ICMP, "icmp", NULL),
	IP(IPPROTO_IGMP, "igmp", NULL),
	IP(IPPROTO_TCP, "tcp", NULL),
	IP(IPPROTO_UDP, "udp", NULL),
	IP(IPPROTO_ICMPV6, "icmpv6", NULL),
	IP(IPPROTO_SCTP, "sctp", NULL),
	IP(IPPROTO_UDPLITE, "udplite", NULL),
	IP(IPPROTO_RAW, "raw", NULL),
	IP(262, "mptcp", NULL),				/* IPPROTO_MPTCP */

	{ AF_CAN, CAN_RAW, "raw", NULL },
	{ AF_CAN, CAN_BCM, "bcm", NULL },
	{ AF_CAN, CAN_ISOTP, "isotp", NULL },
	{ AF_CAN, CAN_J1939, "j1939", NULL },

	{ AF_NETLINK, NETLINK_ROUTE, "route", NULL },
	{ AF_NETLINK, NETLINK_USERSOCK, "usersock", NULL },
	{ AF_NETLINK, NETLINK_FIREWALL, "firewall", NULL },
	{ AF_NETLINK, NETLINK_SOCK_DIAG, "sock_diag", "inet_diag" },
	{ AF_NETLINK, NETLINK_NFLOG, "nflog", NULL },
	{ AF_NETLINK, NETLINK_XFRM, "xfrm", NULL },
	{ AF_NETLINK, NETLINK_SELINUX, "selinux", NULL },
	{ AF_NETLINK, NETLINK_ISCSI, "iscsi", NULL },
	{ AF_NETLINK, NETLINK_AUDIT, "audit", NULL },
	{ AF_NETLINK, NETLINK_FIB_LOOKUP, "fib_lookup", NULL },
	{ AF_NETLINK, NETLINK_CONNECTOR, "connector", NULL },
	{ AF_NETLINK, NETLINK_NETFILTER, "netfilter", NULL },
	{ AF_NETLINK, NETLINK_IP6_FW, "ip6_fw", NULL },
	{ AF_NETLINK, NETLINK_DNRTMSG, "dnrtmsg", NULL },
	{ AF_NETLINK, NETLINK_KOBJECT_UEVENT, "kobject_uevent", NULL },
	{ AF_NETLINK, NETLINK_GENERIC, "generic", NULL },
	{ AF_NETLINK, NETLINK_SCSITRANSPORT, "scsitransport", NULL },
	{ AF_NETLINK, NETLINK_ECRYPTFS, "ecryptfs", NULL },
	{ AF_NETLINK, NETLINK_RDMA, "rdma", NULL },
	{ AF_NETLINK, NETLINK_CRYPTO, "crypto", NULL },

	/* Ethertype 0: the socket hears nothing until bound with one. */
	{ AF_PACKET, 0, "none", NULL },
	{ AF_PACKET, ETH_P_ALL, "all", NULL },
	{ AF_PACKET, ETH_P_IP, "ip", NULL },
	{ AF_PACKET, ETH_P_IPV6, "ipv6", NULL },
	{ AF_PACKET, ETH_P_ARP, "arp", NULL },

	{ AF_BLUETOOTH, 0, "l2cap", NULL },		/* BTPROTO_L2CAP */
	{ AF_BLUETOOTH, 1, "hci", NULL },
	{ AF_BLUETOOTH, 2, "sco", NULL },
	{ AF_BLUETOOTH, 3, "rfcomm", NULL },
};
#undef IP
#define KERNEL_NPROTOS	(sizeof kernel_protos / sizeof kernel_protos[0])

/*
 * The protocol of a family and a number as socket() takes it (an
 * AF_PACKET ethertype in network order), or NULL if it has no name.
 */
const struct kernel_proto *
kernel_proto_find(int family, int protocol)
{
	const struct kernel_proto	*p;
	size_t				 i;

	if (family == AF_PACKET)
		protocol = ntohs((uint16_t)protocol);
	for (i = 0; (p = kernel_proto_at(i)) != NULL; i++) {
		if (p->family == family && p->protocol == protocol)
			return (p);
	}
	return (NULL);
}

/* The name of a protocol as socket() takes it ("tcp"), or NULL. */
const char *
kernel_proto_name(int family, int protocol)
{
	const struct kernel_proto	*p = kernel_proto_find(family, protocol);

	return (p != NULL ? p->name : NULL);
}

/*
 * The flags a relay adds to MSG_DONTWAIT when it reads a datagram socket
 * of this family and protocol: MSG_TRUNC (a datagram's real length), but
 * J1939's recvmsg takes MSG_DONTWAIT and MSG_ERRQUEUE only (EINVAL).
 */
int
kernel_proto_recv_flags(int family, int protocol)
{
	if (family == AF_CAN && protocol == CAN_J1939)
		return (0);
	return (MSG_TRUNC);
}

/* Whether name is one the policy knows p by (its name or its alias). */
int
kernel_proto_named(const struct kernel_proto *p, const char *name)
{
	return (strcmp(p->name, name) == 0 ||
	    (p->alias != NULL && strcmp(p->alias, name) == 0));
}

/* The i-th protocol of the table, or NULL past the end. */
const struct kernel_proto *
kernel_proto_at(size_t i)
{
	return (i < KERNEL_NPROTOS ? &kernel_protos[i] : NULL);
}
