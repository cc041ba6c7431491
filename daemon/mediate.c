/* SPDX-License-Identifier: ISC */
/*
 * Mediation: where an operation meets the policy. Each mediate_* function
 * describes what the operation is about to do (family, interface, address,
 * option, netlink message kind), asks the policy, writes the decision to the
 * audit log, and on a denial answers the request with kind POLICY, EACCES and
 * the policy's reason. They return 0 to go on, -1 once answered.
 *
 * What is audited: every denial, and every grant of an operation that opens
 * or aims a socket (socket, bind, connect, privileged options, ioctl,
 * netlink writes, fd passing, sends to a new address on an unconnected
 * socket). Plain data on an already permitted path is not logged line by
 * line.
 */

#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/can.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <net/if.h>

#include "sockbrokerd.h"

static int	mediate_is_can_raw(const struct handle *);
static int	mediate_can_send(struct session *, const Sockbroker__Request *,
		    const struct handle *, const uint8_t *, size_t);

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

	policy_check(sbd_policy, ctx, &v);
	if (audit || !v.permit)
		audit_log(s, sbp_op_name(req), ctx->family, ctx->type,
		    ctx->protocol, ctx->iface,
		    ctx->op == POLICY_BIND ? ctx->addr : NULL, ctx->addrlen,
		    ctx->op != POLICY_BIND ? ctx->addr : NULL, ctx->addrlen,
		    v.permit, v.line, v.reason);
	if (v.permit)
		return (0);
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__POLICY, EACCES,
	    "%s: %s", sbp_op_name(req), v.reason);
	return (-1);
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
	return (mediate_decide(s, req, &ctx, op != POLICY_SEND));
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
 * A send of len bytes (one buffer, or the first of a sendmsg: netlink
 * messages do not span buffers here) to sa, or to the connected peer when
 * sa is NULL. Netlink sockets are checked on every send.
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
	if (mediate_is_can_raw(h) &&
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

/* Whether h is a CAN_RAW socket, whose frames the policy's can-id sees. */
static int
mediate_is_can_raw(const struct handle *h)
{
	return (h->family == AF_CAN && h->protocol == CAN_RAW);
}

/*
 * A CAN frame about to be sent: its id must be in the can-id ranges of the
 * deciding rule. Denials are answered and audited; grants are not logged
 * (one line a frame would drown the log).
 */
static int
mediate_can_send(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, const uint8_t *frame, size_t len)
{
	struct policy_ctx	 ctx;
	uint32_t		 id;

	if (len < sizeof id)
		return (0);	/* the kernel refuses a short frame */
	memcpy(&id, frame, sizeof id);
	mediate_ctx(&ctx, s, POLICY_CAN_SEND, h->family, h->type, h->protocol);
	ctx.has_can_id = 1;
	ctx.can_id = id;
	return (mediate_decide(s, req, &ctx, 0));
}

/*
 * Whether a CAN frame just received may reach the client; 1 for anything
 * that is not a CAN_RAW frame. A frame outside the can-id ranges is
 * dropped without a word to the client (nor the audit log: a busy bus).
 */
int
mediate_can_recv(const struct session *s, const struct handle *h,
    const uint8_t *frame, size_t len)
{
	struct policy_ctx	 ctx;
	struct policy_verdict	 v;
	uint32_t		 id;

	if (!mediate_is_can_raw(h) || len < sizeof id)
		return (1);
	memcpy(&id, frame, sizeof id);
	mediate_ctx(&ctx, s, POLICY_CAN_RECV, h->family, h->type, h->protocol);
	ctx.has_can_id = 1;
	ctx.can_id = id;
	policy_check(sbd_policy, &ctx, &v);
	return (v.permit);
}

/* setsockopt(): SO_BINDTODEVICE also names the interface it reaches. */
int
mediate_setsockopt(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, int level, int optname, const void *val,
    size_t len)
{
	struct policy_ctx	 ctx;
	char			 ifname[IF_NAMESIZE];

	mediate_ctx(&ctx, s, POLICY_SETSOCKOPT, h->family, h->type,
	    h->protocol);
	ctx.level = level;
	ctx.optname = optname;
	if (level == SOL_SOCKET && optname == SO_BINDTODEVICE) {
		memset(ifname, 0, sizeof ifname);
		memcpy(ifname, val, len < IF_NAMESIZE - 1 ? len :
		    IF_NAMESIZE - 1);
		ctx.iface = ifname;
	}
	return (mediate_decide(s, req, &ctx, ctx.iface != NULL ||
	    policy_option_privileged(level, optname)));
}

/* ioctl(). */
int
mediate_ioctl(struct session *s, const Sockbroker__Request *req,
    const struct handle *h, unsigned long request)
{
	struct policy_ctx	 ctx;

	mediate_ctx(&ctx, s, POLICY_IOCTL, h->family, h->type, h->protocol);
	ctx.ioctl = request;
	return (mediate_decide(s, req, &ctx, 0));
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
