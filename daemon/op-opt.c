/* SPDX-License-Identifier: ISC */
/*
 * setsockopt and getsockopt. Only options on a list pass: each carries a
 * plain value (an int, a struct of integers and addresses, a name) whose
 * size is checked here. Options whose value holds a pointer or a file
 * descriptor (SO_ATTACH_FILTER, SO_ATTACH_BPF, ...) would let a client reach
 * into the daemon's memory or descriptors, so they are never on it.
 *
 * A few options take a NULL value and read only its length
 * (ALG_SET_AEAD_AUTHSIZE); the request says so with null_length, and only
 * those options accept it.
 */

#include <errno.h>
#include <string.h>

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>

#include <linux/can.h>
#include <linux/can/isotp.h>
#include <linux/can/j1939.h>
#include <linux/can/raw.h>
#include <linux/icmp.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

#include "sockbrokerd.h"

#ifndef CAN_RAW_FILTER_MAX
#define CAN_RAW_FILTER_MAX	512	/* as net/can/raw.c */
#endif

#ifndef SOL_ALG
#define SOL_ALG		279
#endif

#define OPT_RAW_MAX	4096	/* largest option value we pass */
#define OPT_ALG_KEY_MAX	1024	/* longest AF_ALG key (hmac keys, AES-XTS) */
#define OPT_ALG_TAG_MAX	64	/* longest AEAD tag (HASH_MAX_DIGESTSIZE) */

enum {
	OPT_GET = 1,
	OPT_SET = 2,
	OPT_RW = OPT_GET | OPT_SET,
	OPT_NULL = 4,		/* set with a NULL value: only the length */
};

struct opt {
	int		 level;
	int		 name;
	int		 access;
	unsigned int	 min;	/* size bounds of a set value */
	unsigned int	 max;
};

#define I(lvl, nm)	{ lvl, nm, OPT_RW, 1, sizeof(int) }
#define RO(lvl, nm, n)	{ lvl, nm, OPT_GET, 0, n }
#define B(lvl, nm, a, b) { lvl, nm, OPT_RW, a, b }
#define W(lvl, nm, a, b) { lvl, nm, OPT_SET, a, b }
#define WN(lvl, nm, a, b) { lvl, nm, OPT_SET | OPT_NULL, a, b }

static const struct opt opt_list[] = {
	I(SOL_SOCKET, SO_REUSEADDR), I(SOL_SOCKET, SO_REUSEPORT),
	I(SOL_SOCKET, SO_KEEPALIVE), I(SOL_SOCKET, SO_BROADCAST),
	I(SOL_SOCKET, SO_DONTROUTE), I(SOL_SOCKET, SO_OOBINLINE),
	I(SOL_SOCKET, SO_SNDBUF), I(SOL_SOCKET, SO_RCVBUF),
	I(SOL_SOCKET, SO_RCVLOWAT), I(SOL_SOCKET, SO_PRIORITY),
	I(SOL_SOCKET, SO_TIMESTAMP), I(SOL_SOCKET, SO_TIMESTAMPNS),
	I(SOL_SOCKET, SO_RXQ_OVFL), I(SOL_SOCKET, SO_PASSCRED),
	I(SOL_SOCKET, SO_INCOMING_CPU),
	B(SOL_SOCKET, SO_LINGER, sizeof(struct linger), sizeof(struct linger)),
	B(SOL_SOCKET, SO_RCVTIMEO, sizeof(struct timeval), sizeof(struct timeval)),
	B(SOL_SOCKET, SO_SNDTIMEO, sizeof(struct timeval), sizeof(struct timeval)),
	B(SOL_SOCKET, SO_BINDTODEVICE, 0, IFNAMSIZ),
	RO(SOL_SOCKET, SO_TYPE, sizeof(int)), RO(SOL_SOCKET, SO_ERROR, sizeof(int)),
	RO(SOL_SOCKET, SO_DOMAIN, sizeof(int)),
	RO(SOL_SOCKET, SO_PROTOCOL, sizeof(int)),
	RO(SOL_SOCKET, SO_ACCEPTCONN, sizeof(int)),
	RO(SOL_SOCKET, SO_PEERCRED, sizeof(struct ucred)),

	I(IPPROTO_IP, IP_TOS), I(IPPROTO_IP, IP_TTL),
	I(IPPROTO_IP, IP_MULTICAST_TTL), I(IPPROTO_IP, IP_MULTICAST_LOOP),
	I(IPPROTO_IP, IP_RECVTTL), I(IPPROTO_IP, IP_RECVTOS),
	I(IPPROTO_IP, IP_PKTINFO), I(IPPROTO_IP, IP_MTU_DISCOVER),
	I(IPPROTO_IP, IP_FREEBIND), I(IPPROTO_IP, IP_RECVERR),
	I(IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT),
	RO(IPPROTO_IP, IP_MTU, sizeof(int)),
	B(IPPROTO_IP, IP_MULTICAST_IF, sizeof(struct in_addr),
	    sizeof(struct ip_mreqn)),
	B(IPPROTO_IP, IP_ADD_MEMBERSHIP, sizeof(struct ip_mreq),
	    sizeof(struct ip_mreqn)),
	B(IPPROTO_IP, IP_DROP_MEMBERSHIP, sizeof(struct ip_mreq),
	    sizeof(struct ip_mreqn)),
	B(IPPROTO_IP, IP_OPTIONS, 0, 40),

	I(IPPROTO_IPV6, IPV6_V6ONLY), I(IPPROTO_IPV6, IPV6_UNICAST_HOPS),
	I(IPPROTO_IPV6, IPV6_MULTICAST_HOPS),
	I(IPPROTO_IPV6, IPV6_MULTICAST_LOOP), I(IPPROTO_IPV6, IPV6_MULTICAST_IF),
	I(IPPROTO_IPV6, IPV6_RECVPKTINFO), I(IPPROTO_IPV6, IPV6_RECVHOPLIMIT),
	I(IPPROTO_IPV6, IPV6_TCLASS), I(IPPROTO_IPV6, IPV6_RECVTCLASS),
	I(IPPROTO_IPV6, IPV6_MTU_DISCOVER), I(IPPROTO_IPV6, IPV6_RECVERR),
	RO(IPPROTO_IPV6, IPV6_MTU, sizeof(int)),
	B(IPPROTO_IPV6, IPV6_JOIN_GROUP, sizeof(struct ipv6_mreq),
	    sizeof(struct ipv6_mreq)),
	B(IPPROTO_IPV6, IPV6_LEAVE_GROUP, sizeof(struct ipv6_mreq),
	    sizeof(struct ipv6_mreq)),

	I(IPPROTO_TCP, TCP_NODELAY), I(IPPROTO_TCP, TCP_MAXSEG),
	I(IPPROTO_TCP, TCP_CORK), I(IPPROTO_TCP, TCP_KEEPIDLE),
	I(IPPROTO_TCP, TCP_KEEPINTVL), I(IPPROTO_TCP, TCP_KEEPCNT),
	I(IPPROTO_TCP, TCP_SYNCNT), I(IPPROTO_TCP, TCP_LINGER2),
	I(IPPROTO_TCP, TCP_DEFER_ACCEPT), I(IPPROTO_TCP, TCP_WINDOW_CLAMP),
	I(IPPROTO_TCP, TCP_QUICKACK), I(IPPROTO_TCP, TCP_USER_TIMEOUT),
	I(IPPROTO_TCP, TCP_NOTSENT_LOWAT), I(IPPROTO_TCP, TCP_FASTOPEN),
	B(IPPROTO_TCP, TCP_CONGESTION, 1, 16),
	RO(IPPROTO_TCP, TCP_INFO, sizeof(struct tcp_info)),

	I(IPPROTO_UDP, UDP_CORK),

	/* Raw IP and ICMP. */
	I(IPPROTO_IP, IP_HDRINCL), I(IPPROTO_IP, IP_RECVORIGDSTADDR),
	I(IPPROTO_IPV6, IPV6_CHECKSUM), I(IPPROTO_IPV6, IPV6_HDRINCL),
	B(SOL_RAW, ICMP_FILTER, sizeof(struct icmp_filter),
	    sizeof(struct icmp_filter)),
	B(IPPROTO_ICMPV6, ICMP6_FILTER, sizeof(struct icmp6_filter),
	    sizeof(struct icmp6_filter)),
	B(SOL_SOCKET, SO_TIMESTAMPING, sizeof(int), 2 * sizeof(int)),

	/* AF_PACKET. */
	B(SOL_PACKET, PACKET_ADD_MEMBERSHIP, sizeof(struct packet_mreq),
	    sizeof(struct packet_mreq)),
	B(SOL_PACKET, PACKET_DROP_MEMBERSHIP, sizeof(struct packet_mreq),
	    sizeof(struct packet_mreq)),
	I(SOL_PACKET, PACKET_AUXDATA), I(SOL_PACKET, PACKET_ORIGDEV),
	I(SOL_PACKET, PACKET_IGNORE_OUTGOING),
	RO(SOL_PACKET, PACKET_STATISTICS, sizeof(struct tpacket_stats)),

	/* AF_NETLINK. */
	I(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP),
	I(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP),
	I(SOL_NETLINK, NETLINK_PKTINFO), I(SOL_NETLINK, NETLINK_NO_ENOBUFS),
	I(SOL_NETLINK, NETLINK_BROADCAST_ERROR), I(SOL_NETLINK, NETLINK_CAP_ACK),
	I(SOL_NETLINK, NETLINK_EXT_ACK), I(SOL_NETLINK, NETLINK_GET_STRICT_CHK),

	/* AF_CAN. */
	B(SOL_CAN_RAW, CAN_RAW_FILTER, 0,
	    CAN_RAW_FILTER_MAX * sizeof(struct can_filter)),
	B(SOL_CAN_RAW, CAN_RAW_ERR_FILTER, sizeof(can_err_mask_t),
	    sizeof(can_err_mask_t)),
	I(SOL_CAN_RAW, CAN_RAW_LOOPBACK), I(SOL_CAN_RAW, CAN_RAW_RECV_OWN_MSGS),
	I(SOL_CAN_RAW, CAN_RAW_FD_FRAMES), I(SOL_CAN_RAW, CAN_RAW_JOIN_FILTERS),
	B(SOL_CAN_ISOTP, CAN_ISOTP_OPTS, sizeof(struct can_isotp_options),
	    sizeof(struct can_isotp_options)),
	B(SOL_CAN_ISOTP, CAN_ISOTP_RECV_FC, sizeof(struct can_isotp_fc_options),
	    sizeof(struct can_isotp_fc_options)),
	B(SOL_CAN_ISOTP, CAN_ISOTP_TX_STMIN, sizeof(uint32_t), sizeof(uint32_t)),
	B(SOL_CAN_ISOTP, CAN_ISOTP_RX_STMIN, sizeof(uint32_t), sizeof(uint32_t)),
	B(SOL_CAN_ISOTP, CAN_ISOTP_LL_OPTS, sizeof(struct can_isotp_ll_options),
	    sizeof(struct can_isotp_ll_options)),
	B(SOL_CAN_J1939, SO_J1939_FILTER, 0,
	    J1939_FILTER_MAX * sizeof(struct j1939_filter)),
	I(SOL_CAN_J1939, SO_J1939_PROMISC), I(SOL_CAN_J1939, SO_J1939_SEND_PRIO),
	I(SOL_CAN_J1939, SO_J1939_ERRQUEUE),

	/* AF_TIPC. */
	I(SOL_TIPC, TIPC_IMPORTANCE), I(SOL_TIPC, TIPC_SRC_DROPPABLE),
	I(SOL_TIPC, TIPC_DEST_DROPPABLE), I(SOL_TIPC, TIPC_CONN_TIMEOUT),
	B(SOL_TIPC, TIPC_GROUP_JOIN, sizeof(struct tipc_group_req),
	    sizeof(struct tipc_group_req)),
	I(SOL_TIPC, TIPC_GROUP_LEAVE),

	/*
	 * AF_ALG, on the socket bound to an algorithm. The key is a secret:
	 * nothing here logs an option's value, only its size.
	 */
	W(SOL_ALG, ALG_SET_KEY, 0, OPT_ALG_KEY_MAX),
	WN(SOL_ALG, ALG_SET_AEAD_AUTHSIZE, 0, OPT_ALG_TAG_MAX),

	/* AF_VSOCK. */
	B(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, sizeof(uint64_t),
	    sizeof(uint64_t)),
	B(AF_VSOCK, SO_VM_SOCKETS_BUFFER_MIN_SIZE, sizeof(uint64_t),
	    sizeof(uint64_t)),
	B(AF_VSOCK, SO_VM_SOCKETS_BUFFER_MAX_SIZE, sizeof(uint64_t),
	    sizeof(uint64_t)),
};

static const struct opt	*opt_find(int, int);
static int		 opt_value(struct session *, const Sockbroker__Request *,
			     const struct opt *, int *, const void **, size_t *);

/* The list entry of an option, or NULL. */
static const struct opt *
opt_find(int level, int name)
{
	size_t	 i;

	for (i = 0; i < sizeof opt_list / sizeof opt_list[0]; i++) {
		if (opt_list[i].level == level && opt_list[i].name == name)
			return (&opt_list[i]);
	}
	return (NULL);
}

/* Answers ENOPROTOOPT for an option not on the list (or not settable). */
static void
opt_refuse(struct session *s, const Sockbroker__Request *req, int level,
    int name)
{
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOPROTOOPT,
	    "%s: option (level %d, name %d) is not brokered",
	    sbp_op_name(req), level, name);
}

/*
 * The value of a setsockopt request for option o, checked against its
 * bounds: an int (into *ival), raw bytes, or NULL with a length where o
 * takes that. Answers and returns -1 if it is not one o takes.
 */
static int
opt_value(struct session *s, const Sockbroker__Request *req,
    const struct opt *o, int *ival, const void **val, size_t *len)
{
	const Sockbroker__SetsockoptRequest *sr = req->setsockopt;

	switch (sr->value_case) {
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_INT_VALUE:
		*ival = sr->int_value;
		*val = ival;
		*len = sizeof *ival;
		break;
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_RAW_VALUE:
		*val = sr->raw_value.data;
		*len = sr->raw_value.len;
		break;
	case SOCKBROKER__SETSOCKOPT_REQUEST__VALUE_NULL_LENGTH:
		/* The kernel would read a NULL value of another option. */
		if (!(o->access & OPT_NULL)) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EFAULT, "setsockopt: option (level %d, name %d) "
			    "takes a value, not NULL", sr->level, sr->optname);
			return (-1);
		}
		*val = NULL;
		*len = sr->null_length;
		break;
	default:
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "setsockopt: no value");
		return (-1);
	}
	if (*len < o->min || *len > o->max) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "setsockopt: value of %zu bytes, option takes %u to %u",
		    *len, o->min, o->max);
		return (-1);
	}
	return (0);
}

/* setsockopt with an int, a raw value of the option's size, or NULL. */
enum op_result
op_setsockopt(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SetsockoptRequest *sr = req->setsockopt;
	const struct opt	*o = opt_find(sr->level, sr->optname);
	struct handle		*h;
	const void		*val;
	size_t			 len;
	int			 ival;

	if ((h = op_handle(s, req, sr->handle)) == NULL)
		return (OP_DONE);
	if (o == NULL || !(o->access & OPT_SET)) {
		opt_refuse(s, req, sr->level, sr->optname);
		return (OP_DONE);
	}
	if (opt_value(s, req, o, &ival, &val, &len) == -1)
		return (OP_DONE);
	if (mediate_setsockopt(s, req, h, sr->level, sr->optname, val,
	    len) == -1)
		return (OP_DONE);
	if (setsockopt(h->fd, sr->level, sr->optname, val, len) == -1)
		reply_errno(s, req->id, errno, "setsockopt");
	else
		reply_empty(s, req->id);
	return (OP_DONE);
}

/* getsockopt: an int when buflen is 0 or absent, else up to buflen bytes. */
enum op_result
op_getsockopt(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetsockoptRequest *gr = req->getsockopt;
	const struct opt	*o = opt_find(gr->level, gr->optname);
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__SockoptReply sr = SOCKBROKER__SOCKOPT_REPLY__INIT;
	struct handle		*h;
	uint8_t			 buf[OPT_RAW_MAX];
	socklen_t		 len = sizeof(int);
	int			 ival = 0, raw = gr->has_buflen && gr->buflen > 0;

	if ((h = op_handle(s, req, gr->handle)) == NULL)
		return (OP_DONE);
	if (o == NULL || !(o->access & OPT_GET)) {
		opt_refuse(s, req, gr->level, gr->optname);
		return (OP_DONE);
	}
	if (raw) {
		if (gr->buflen > OPT_RAW_MAX) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EINVAL, "getsockopt: buflen over %d", OPT_RAW_MAX);
			return (OP_DONE);
		}
		len = gr->buflen;
		memset(buf, 0, len);
	}
	if (getsockopt(h->fd, gr->level, gr->optname, raw ? (void *)buf :
	    (void *)&ival, &len) == -1) {
		reply_errno(s, req->id, errno, "getsockopt");
		return (OP_DONE);
	}
	if (raw) {
		sr.value_case = SOCKBROKER__SOCKOPT_REPLY__VALUE_RAW_VALUE;
		sr.raw_value.data = buf;
		sr.raw_value.len = len;
	} else {
		sr.value_case = SOCKBROKER__SOCKOPT_REPLY__VALUE_INT_VALUE;
		sr.int_value = ival;
	}
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_SOCKOPT;
	resp.sockopt = &sr;
	reply_send(s, &resp);
	return (OP_DONE);
}
