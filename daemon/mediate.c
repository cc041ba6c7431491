/* SPDX-License-Identifier: ISC */
/*
 * Mediation: where an operation meets the policy. Each mediate_* function
 * describes what the operation is about to do (family, interface, address,
 * option, netlink message kind), asks the policy, writes the decision to the
 * audit log, and on a denial answers the request with kind POLICY, EACCES and
 * the policy's reason. They return 0 to go on, -1 once answered.
 *
 * What is audited: every denial, and every grant of an operation that opens
 * or aims a socket (socket, bind, connect, privileged options, ioctls about
 * interfaces, netlink writes, fd passing, sends to a new address on an
 * unconnected socket). Plain data on an already permitted path is not logged line by
 * line.
 */

#include <sys/uio.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <linux/can.h>
#include <linux/can/bcm.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>

#include "sockbrokerd.h"

static int	mediate_can_send(struct session *, const Sockbroker__Request *,
		    const struct handle *, const uint8_t *, size_t);
static int	mediate_can_isotp(struct session *, const Sockbroker__Request *,
		    const struct handle *, const struct sockaddr *, socklen_t);
static void	mediate_refuse(struct session *, const Sockbroker__Request *,
		    const struct policy_verdict *);

/* The part of a policy context that comes from the peer and the socket. */
static void
mediate_ctx(struct policy_ctx *ctx, const struct session *s,
    enum policy_op op, int family, int type, int protocol)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->user = s->id.user;
	ctx->uid = s->id.uid;
	ctx->groups = (const char *const *)s->id.groups;
	ctx->gids = s->id.gids;
	ctx->ngroups = s->id.ngids;
	ctx->op = op;
	ctx->family = family;
	ctx->type = type;
	ctx->protocol = protocol;
}

/*
 * The interface a packet or CAN address names, into buf: "" for ifindex 0
 * (every interface); NULL for other families.
 */
static const char *
mediate_iface(const struct sockaddr *sa, char buf[IF_NAMESIZE])
{
	unsigned int	 index;

	if (sa == NULL)
		return (NULL);
	if (sa->sa_family == AF_PACKET)
		index = ((const struct sockaddr_ll *)sa)->sll_ifindex;
	else if (sa->sa_family == AF_CAN)
		index = ((const struct sockaddr_can *)sa)->can_ifindex;
	else
		return (NULL);
	if (index == 0)
		return ("");	/* every interface: only `iface *` grants it */
	if (if_indextoname(index, buf) == NULL)
		snprintf(buf, IF_NAMESIZE, "#%u", index);
	return (buf);
}

/*
 * Asks the policy about ctx, audits the decision when audit is set or it is
 * a denial, and answers a denial. Returns 0 to go on, -1 once answered.
 */
static int
mediate_decide(struct session *s, const Sockbroker__Request *req,
    const struct policy_ctx *ctx, int audit)
{
	struct policy_verdict	 v;
	struct audit_record	 r;

	policy_check(sbd_policy, ctx, &v);
	if (audit || !v.permit) {
		memset(&r, 0, sizeof r);
		r.op = sbp_op_name(req);
		r.family = ctx->family;
		r.type = ctx->type;
		r.protocol = ctx->protocol;
		r.iface = ctx->iface;
		if (ctx->op == POLICY_BIND) {
			r.local = ctx->addr;
			r.locallen = ctx->addrlen;
		} else {
			r.remote = ctx->addr;
			r.remotelen = ctx->addrlen;
		}
		if (ctx->op == POLICY_SETSOCKOPT)
			r.option = kernel_opt_find(ctx->level, ctx->optname);
		if (ctx->op == POLICY_IOCTL)
			r.ioctl = kernel_ioctl_find(ctx->ioctl);
		r.permit = v.permit;
		r.rule = v.line;
		r.reason = v.reason;
		audit_log(s, &r);
	}
	if (v.permit)
		return (0);
	mediate_refuse(s, req, &v);
	return (-1);
}

/*
 * Answers a denial with the policy's reason and, for the person reading
 * it, the file and the deciding rule as written (or that none matched).
 */
static void
mediate_refuse(struct session *s, const Sockbroker__Request *req,
    const struct policy_verdict *v)
{
	const char	*text = policy_rule_text(sbd_policy, v->line);

	if (v->line == 0 || text == NULL)
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__POLICY, EACCES,
		    "%s: %s in %s (nothing is permitted unless a rule says so)",
		    sbp_op_name(req), v->reason, sbd_conf.policy_path);
	else
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__POLICY, EACCES,
		    "%s: %s (%s:%u: %s)", sbp_op_name(req), v->reason,
		    sbd_conf.policy_path, v->line, text);
}

/* socket(): may this peer open a socket of this family, type and protocol? */
int
mediate_socket(struct session *s, const Sockbroker__Request *req, int family,
    int type, int protocol)
{
	struct policy_ctx	 ctx;

	mediate_ctx(&ctx, s, POLICY_SOCKET, family, type, protocol);
	return (mediate_decide(s, req, &ctx, 1));
}

/* bind(), connect(), and sends with an address: may it go there? */
int
mediate_address(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, enum policy_op op, const struct sockaddr *sa,
    socklen_t len)
{
	struct policy_ctx	 ctx;
	char			 ifname[IF_NAMESIZE];

	mediate_ctx(&ctx, s, op, h->family, h->type, h->protocol);
	ctx.addr = sa;
	ctx.addrlen = len;
	ctx.iface = mediate_iface(sa, ifname);
	if (mediate_decide(s, req, &ctx, op != POLICY_SEND) == -1)
		return (-1);
	if (op == POLICY_BIND && h->family == AF_CAN &&
	    h->protocol == CAN_ISOTP)
		return (mediate_can_isotp(s, req, h, sa, len));
	return (0);
}

/*
 * Whether netlink messages in buf may change host state. Only requests that
 * read (the RTM_GET* family of NETLINK_ROUTE, sock_diag queries) do not;
 * anything else, or anything malformed, counts as a write.
 */
static int
mediate_netlink_write(int protocol, const uint8_t *buf, size_t len)
{
	struct nlmsghdr	 nh;
	size_t		 off = 0;

	if (protocol != NETLINK_ROUTE && protocol != NETLINK_SOCK_DIAG)
		return (1);
	while (off < len && len - off >= NLMSG_HDRLEN) {
		memcpy(&nh, buf + off, sizeof nh);	/* buf may be unaligned */
		if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > len - off)
			return (1);
		off += NLMSG_ALIGN(nh.nlmsg_len);
		if (nh.nlmsg_type < NLMSG_MIN_TYPE)
			continue;
		if (protocol == NETLINK_SOCK_DIAG &&
		    nh.nlmsg_type == SOCK_DIAG_BY_FAMILY)
			continue;
		if (protocol == NETLINK_ROUTE && nh.nlmsg_type >= RTM_BASE &&
		    nh.nlmsg_type < RTM_MAX && (nh.nlmsg_type - RTM_BASE) % 4 == 2)
			continue;			/* RTM_GET* */
		return (1);
	}
	return (off < len);	/* trailing bytes: not a clean read */
}

/*
 * A send of len bytes to sa, or to the connected peer when sa is NULL.
 * Netlink sockets are checked on every send, as are CAN frames. buf is
 * all the data sent (op_sendmsg gathers the buffers of netlink and CAN
 * sockets, whose contents the policy reads).
 */
int
mediate_send(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const struct sockaddr *sa, socklen_t salen,
    const uint8_t *buf, size_t len)
{
	struct policy_ctx	 ctx;
	char			 ifname[IF_NAMESIZE];

	if (h->family == AF_NETLINK) {
		mediate_ctx(&ctx, s, POLICY_SEND, h->family, h->type,
		    h->protocol);
		ctx.addr = sa;
		ctx.addrlen = salen;
		ctx.netlink_write = mediate_netlink_write(h->protocol, buf,
		    len);
		return (mediate_decide(s, req, &ctx, ctx.netlink_write));
	}
	if (h->family == AF_CAN &&
	    mediate_can_send(s, req, h, buf, len) == -1)
		return (-1);
	if (sa == NULL)
		return (0);	/* connected: checked at connect */
	mediate_ctx(&ctx, s, POLICY_SEND, h->family, h->type, h->protocol);
	ctx.addr = sa;
	ctx.addrlen = salen;
	ctx.iface = mediate_iface(sa, ifname);
	return (mediate_decide(s, req, &ctx, 0));
}

/*
 * Asks the policy whether CAN id may go out (POLICY_CAN_SEND) or come in
 * (POLICY_CAN_RECV) on h. Denials are answered and audited; grants are not
 * logged (one line a frame would drown the log).
 */
static int
mediate_can_id(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, enum policy_op op, uint32_t id)
{
	struct policy_ctx	 ctx;

	mediate_ctx(&ctx, s, op, h->family, h->type, h->protocol);
	ctx.has_can_id = 1;
	ctx.can_id = id;
	return (mediate_decide(s, req, &ctx, 0));
}

/* The CAN id at off in buf. */
static uint32_t
mediate_can_id_at(const uint8_t *buf, size_t off)
{
	uint32_t	 id;

	memcpy(&id, buf + off, sizeof id);	/* buf may be unaligned */
	return (id);
}

/*
 * How many of the frames behind a broadcast manager head the kernel may
 * put on the bus with their own id: TX_SETUP's and TX_SEND's (unless
 * TX_CP_CAN_ID gives them the head's), and the RTR reply of an RX_SETUP
 * with RX_RTR_FRAME. RX_SETUP's other frames are content masks that never
 * leave the host; the head's id is what they filter.
 */
static size_t
mediate_bcm_sent_frames(const struct bcm_msg_head *mh, size_t have)
{
	size_t	 n;

	switch (mh->opcode) {
	case TX_SETUP:
		n = (mh->flags & TX_CP_CAN_ID) ? 0 : mh->nframes;
		break;
	case TX_SEND:
		n = 1;
		break;
	case RX_SETUP:
		n = (mh->flags & RX_RTR_FRAME) &&
		    !(mh->flags & TX_CP_CAN_ID) ? 1 : 0;
		break;
	default:
		n = 0;
		break;
	}
	return (n < have ? n : have);
}

/*
 * A broadcast manager message about to be sent: the id of its head (the
 * frames it sends, subscribes to, reads or deletes) and of every frame it
 * may send must be in the ranges. A message too short for a head is the
 * kernel's to refuse; frames it does not carry are never read.
 */
static int
mediate_bcm_send(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const uint8_t *buf, size_t len)
{
	struct bcm_msg_head	 mh;
	size_t			 cfsiz, n, i;
	enum policy_op		 op;

	if (len < sizeof mh)
		return (0);
	memcpy(&mh, buf, sizeof mh);
	op = mh.opcode == RX_SETUP || mh.opcode == RX_DELETE ||
	    mh.opcode == RX_READ ? POLICY_CAN_RECV : POLICY_CAN_SEND;
	if (mediate_can_id(s, req, h, op, mh.can_id) == -1)
		return (-1);
	cfsiz = (mh.flags & CAN_FD_FRAME) ? CANFD_MTU : CAN_MTU;
	n = mediate_bcm_sent_frames(&mh, (len - sizeof mh) / cfsiz);
	for (i = 0; i < n; i++) {
		if (mediate_can_id(s, req, h, POLICY_CAN_SEND,
		    mediate_can_id_at(buf, sizeof mh + i * cfsiz)) == -1)
			return (-1);
	}
	return (0);
}

/*
 * A send on a CAN socket: the id of a CAN_RAW frame, or the ids of a
 * broadcast manager message, must be in the can-id ranges of the deciding
 * rule. ISO-TP sends on the ids checked at bind; J1939 sockets are refused
 * at socket() by any rule with can-id (policy.c).
 */
static int
mediate_can_send(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const uint8_t *buf, size_t len)
{
	if (h->protocol == CAN_RAW) {
		if (len < sizeof(uint32_t))
			return (0);	/* the kernel refuses a short frame */
		return (mediate_can_id(s, req, h, POLICY_CAN_SEND,
		    mediate_can_id_at(buf, 0)));
	}
	if (h->protocol == CAN_BCM)
		return (mediate_bcm_send(s, req, h, buf, len));
	return (0);
}

/*
 * An ISO-TP bind: the socket will send on tx_id (data and flow control)
 * and hear rx_id, so both must be in the ranges.
 */
static int
mediate_can_isotp(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_can	 scan;

	if (sa == NULL || len < sizeof scan || sa->sa_family != AF_CAN)
		return (0);	/* not an ISO-TP address: the kernel refuses */
	memcpy(&scan, sa, sizeof scan);
	if (mediate_can_id(s, req, h, POLICY_CAN_SEND,
	    scan.can_addr.tp.tx_id) == -1)
		return (-1);
	return (mediate_can_id(s, req, h, POLICY_CAN_RECV,
	    scan.can_addr.tp.rx_id));
}

/*
 * Whether the CAN id at off of a received buf of len bytes may reach the
 * client: 0 if so, -1 if not. An id the client would see only in part is
 * refused with the rest; one it does not see at all is no concern here.
 */
static int
mediate_can_recv_id(const struct policy_ctx *base, const uint8_t *buf,
    size_t len, size_t off)
{
	struct policy_ctx	 ctx = *base;
	struct policy_verdict	 v;

	if (off >= len)
		return (0);
	if (len - off < sizeof(uint32_t))
		return (-1);
	ctx.has_can_id = 1;
	ctx.can_id = mediate_can_id_at(buf, off);
	policy_check(sbd_policy, &ctx, &v);
	return (v.permit ? 0 : -1);
}

/*
 * Whether what a CAN socket just received (the len bytes the client will
 * see) may reach it: a CAN_RAW frame's id, and a broadcast manager
 * message's head id and the id of every frame in it, must be in the
 * ranges. Returns 0 if it may (always, for other sockets), -1 if not. A
 * refused one is dropped without a word to the client (nor the audit log:
 * a busy bus).
 */
int
mediate_can_recv(const struct session *s, const struct handle *h,
    const uint8_t *buf, size_t len)
{
	struct policy_ctx	 ctx;
	struct bcm_msg_head	 mh;
	size_t			 cfsiz, off;

	if (h->family != AF_CAN ||
	    (h->protocol != CAN_RAW && h->protocol != CAN_BCM))
		return (0);
	mediate_ctx(&ctx, s, POLICY_CAN_RECV, h->family, h->type, h->protocol);
	if (h->protocol == CAN_RAW)
		return (mediate_can_recv_id(&ctx, buf, len, 0));
	if (mediate_can_recv_id(&ctx, buf, len,
	    offsetof(struct bcm_msg_head, can_id)) == -1)
		return (-1);
	if (len < sizeof mh)
		return (0);
	memcpy(&mh, buf, sizeof mh);
	cfsiz = (mh.flags & CAN_FD_FRAME) ? CANFD_MTU : CAN_MTU;
	for (off = sizeof mh; off < len; off += cfsiz) {
		if (mediate_can_recv_id(&ctx, buf, len, off) == -1)
			return (-1);
	}
	return (0);
}

/*
 * setsockopt() of option o: SO_BINDTODEVICE also names the interface it
 * reaches. Privileged options and interfaces are audited.
 */
int
mediate_setsockopt(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const struct kernel_opt *o, const void *val,
    size_t len)
{
	struct policy_ctx	 ctx;
	char			 ifname[IF_NAMESIZE];

	mediate_ctx(&ctx, s, POLICY_SETSOCKOPT, h->family, h->type,
	    h->protocol);
	ctx.level = o->level;
	ctx.optname = o->optname;
	if (o->shape == KERNEL_OPT_IFNAME) {
		memset(ifname, 0, sizeof ifname);
		if (val != NULL)
			memcpy(ifname, val, len < IF_NAMESIZE - 1 ? len :
			    IF_NAMESIZE - 1);
		ctx.iface = ifname;
	}
	return (mediate_decide(s, req, &ctx, ctx.iface != NULL ||
	    o->privileged));
}

/*
 * ioctl() of a request of the registry: denials are audited, and grants of
 * the requests the registry marks (those about the host's interfaces).
 */
int
mediate_ioctl(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const struct kernel_ioctl *io)
{
	struct policy_ctx	 ctx;

	mediate_ctx(&ctx, s, POLICY_IOCTL, h->family, h->type, h->protocol);
	ctx.ioctl = io->request;
	return (mediate_decide(s, req, &ctx, io->audit));
}

/* Handing the real descriptor to the client: needs fd-pass; always audited. */
int
mediate_fdpass(struct session *s, const Sockbroker__Request *req,
    const struct handle *h)
{
	struct policy_ctx	 ctx;

	mediate_ctx(&ctx, s, POLICY_FDPASS, h->family, h->type, h->protocol);
	return (mediate_decide(s, req, &ctx, 1));
}
