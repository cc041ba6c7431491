/* SPDX-License-Identifier: ISC */
/*
 * sendmsg and recvmsg, with ancillary data carried as (level, type, data)
 * items. Ancillary data is where descriptors and credentials travel, so it
 * is filtered both ways: a client may send only listed items (never
 * SCM_RIGHTS or SCM_CREDENTIALS: the daemon's descriptors and identity are
 * not the client's to use), and descriptors a peer passes to a brokered
 * socket are closed here and reported as MSG_CTRUNC, never handed on.
 */

#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/udp.h>
#include <linux/if_alg.h>

#include "sockbrokerd.h"

#define MSG_MAX_IOV	IOV_MAX		/* buffers in one sendmsg */
#define MSG_MAX_CONTROL	8192		/* ancillary bytes each way */
#define MSG_MAX_ITEMS	64		/* ancillary items in one reply */


#ifndef SOL_ALG
#define SOL_ALG		279
#endif

/* Ancillary items a client may send, with their largest size. */
static const struct {
	int		 level;
	int		 type;
	size_t		 max;
} msg_send_ok[] = {
	{ IPPROTO_IP, IP_PKTINFO, sizeof(struct in_pktinfo) },
	{ IPPROTO_IP, IP_TTL, sizeof(int) },
	{ IPPROTO_IP, IP_TOS, sizeof(int) },
	{ IPPROTO_IPV6, IPV6_PKTINFO, sizeof(struct in6_pktinfo) },
	{ IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int) },
	{ IPPROTO_IPV6, IPV6_TCLASS, sizeof(int) },
	{ IPPROTO_UDP, UDP_SEGMENT, sizeof(uint16_t) },
	{ SOL_ALG, ALG_SET_OP, sizeof(uint32_t) },
	{ SOL_ALG, ALG_SET_IV, 4 + 1024 },
	{ SOL_ALG, ALG_SET_AEAD_ASSOCLEN, sizeof(uint32_t) },
};

static enum op_result	op_sendmsg_try(struct session *, struct handle *,
			    struct waiter *);
static enum op_result	op_recvmsg_try(struct session *, struct handle *,
			    struct waiter *);

/*
 * Whether a client may send the ancillary item (level, type) of len bytes:
 * 0, or -1 with errno EPERM (descriptors, credentials) or EINVAL (not
 * brokered, or too large).
 */
int
op_msg_item_ok(int level, int type, size_t len)
{
	size_t		 j;
	const size_t	 n = sizeof msg_send_ok / sizeof msg_send_ok[0];

	if (level == SOL_SOCKET && (type == SCM_RIGHTS ||
	    type == SCM_CREDENTIALS)) {
		errno = EPERM;
		return (-1);
	}
	for (j = 0; j < n; j++) {
		if (msg_send_ok[j].level == level &&
		    msg_send_ok[j].type == type)
			break;
	}
	if (j == n || len > msg_send_ok[j].max) {
		errno = EINVAL;
		return (-1);
	}
	return (0);
}

/*
 * Checks the ancillary items of a sendmsg; answers and returns -1 if one is
 * not allowed or they do not fit.
 */
static int
op_msg_check_ancillary(struct session *s, const Sockbroker__Request *req)
{
	const Sockbroker__SendmsgRequest *sr = req->sendmsg;
	const Sockbroker__Ancillary	*a;
	size_t				 i, total = 0;

	for (i = 0; i < sr->n_ancillary; i++) {
		a = sr->ancillary[i];
		if (op_msg_item_ok(a->level, a->type, a->data.len) == -1 &&
		    errno == EPERM) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EPERM, "sendmsg: %s cannot be sent through the "
			    "broker", a->type == SCM_RIGHTS ? "SCM_RIGHTS" :
			    "SCM_CREDENTIALS");
			return (-1);
		}
		if (op_msg_item_ok(a->level, a->type, a->data.len) == -1) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EINVAL, "sendmsg: ancillary item (level %d, type "
			    "%d, %zu bytes) is not brokered", a->level, a->type,
			    a->data.len);
			return (-1);
		}
		total += CMSG_SPACE(a->data.len);
	}
	if (total > MSG_MAX_CONTROL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "sendmsg: ancillary data over %d bytes", MSG_MAX_CONTROL);
		return (-1);
	}
	return (0);
}

/*
 * The buffers of a sendmsg in one piece, for the policy to read: the
 * kernel reads a netlink or CAN message across them, so a check of the
 * first alone could be walked around by splitting a message. NULL (and
 * *len 0) when there is one buffer or none; the caller frees it.
 */
static uint8_t *
op_msg_gather(const Sockbroker__SendmsgRequest *sr, size_t *len)
{
	uint8_t	*buf;
	size_t	 i, total = 0, off = 0;

	*len = 0;
	if (sr->n_buffers < 2)
		return (NULL);
	for (i = 0; i < sr->n_buffers; i++)
		total += sr->buffers[i].len;	/* bounded by the frame */
	buf = xcalloc(1, total + 1);
	for (i = 0; i < sr->n_buffers; i++) {
		if (sr->buffers[i].len == 0)
			continue;
		memcpy(buf + off, sr->buffers[i].data, sr->buffers[i].len);
		off += sr->buffers[i].len;
	}
	*len = total;
	return (buf);
}

/* sendmsg: buffers, ancillary items, flags and an optional address. */
enum op_result
op_sendmsg(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SendmsgRequest *sr = req->sendmsg;
	struct io_start		 io = OP_IO_INIT(sr, OP_SEND_FLAGS, 1);
	struct handle		*h;
	uint8_t			*all = NULL;

	io.address = sr->address;
	if (sr->n_buffers > 0) {
		io.data = sr->buffers[0].data;
		io.len = sr->buffers[0].len;
	}
	h = handle_lookup(s, sr->handle);
	if (h != NULL && (h->family == AF_NETLINK || h->family == AF_CAN) &&
	    (all = op_msg_gather(sr, &io.len)) != NULL)
		io.data = all;
	h = op_io_start(s, req, &io);
	free(all);
	if (h == NULL)
		return (OP_DONE);
	if (sr->n_buffers > MSG_MAX_IOV) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EMSGSIZE,
		    "sendmsg: more than %d buffers", MSG_MAX_IOV);
		return (OP_DONE);
	}
	if (op_msg_check_ancillary(s, req) == -1)
		return (OP_DONE);
	return (wait_try_io(s, h, req, WAIT_WRITE, &io, op_sendmsg_try));
}

/* One sendmsg attempt, from the request as checked by op_sendmsg. */
static enum op_result
op_sendmsg_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__SendmsgRequest *sr = w->req->sendmsg;
	struct iovec		 iov[MSG_MAX_IOV];
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[MSG_MAX_CONTROL];
	} control;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	size_t			 i, used = 0;
	ssize_t			 n;

	memset(&msg, 0, sizeof msg);
	if (w->addrlen > 0) {
		/* Decoded and checked once, by op_io_start. */
		msg.msg_name = &w->addr;
		msg.msg_namelen = w->addrlen;
	}
	for (i = 0; i < sr->n_buffers; i++) {
		iov[i].iov_base = sr->buffers[i].data;
		iov[i].iov_len = sr->buffers[i].len;
	}
	msg.msg_iov = iov;
	msg.msg_iovlen = sr->n_buffers;
	if (sr->n_ancillary > 0) {
		memset(&control, 0, sizeof control);
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof control.buf;
		/* Laid out by hand: op_msg_check_ancillary checked the room. */
		for (i = 0; i < sr->n_ancillary; i++) {
			cm = (struct cmsghdr *)(control.buf + used);
			cm->cmsg_level = sr->ancillary[i]->level;
			cm->cmsg_type = sr->ancillary[i]->type;
			cm->cmsg_len = CMSG_LEN(sr->ancillary[i]->data.len);
			memcpy(CMSG_DATA(cm), sr->ancillary[i]->data.data,
			    sr->ancillary[i]->data.len);
			used += CMSG_SPACE(sr->ancillary[i]->data.len);
		}
		msg.msg_controllen = used;
	}
	do {
		n = sendmsg(h->fd, &msg, (sr->has_flags ? sr->flags : 0) |
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return (OP_PARKED);
		reply_errno(s, w->req->id, errno, "sendmsg");
		return (OP_DONE);
	}
	reply_count(s, w->req->id, (uint64_t)n);
	return (OP_DONE);
}

/* recvmsg: data, ancillary items, msg_flags and the sender's address. */
enum op_result
op_recvmsg(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__RecvmsgRequest *rr = req->recvmsg;
	struct io_start		 io = OP_IO_INIT(rr, OP_RECV_FLAGS | MSG_ERRQUEUE,
				    0);
	struct handle		*h;

	if ((h = op_io_start(s, req, &io)) == NULL ||
	    op_packet_autobind(s, req, h) == -1)
		return (OP_DONE);
	return (wait_try_io(s, h, req, WAIT_READ, &io, op_recvmsg_try));
}

/*
 * Turns received control messages into Ancillary items, closing every
 * descriptor that came with SCM_RIGHTS. Returns the number of items; sets
 * MSG_CTRUNC in *flags for what was dropped.
 */
static size_t
op_msg_ancillary(struct msghdr *msg, Sockbroker__Ancillary *items,
    Sockbroker__Ancillary **ptrs, int *flags)
{
	struct cmsghdr	*cm;
	size_t		 n = 0, len, i;
	int		*fds;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		len = cm->cmsg_len - CMSG_LEN(0);
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS) {
			fds = (int *)CMSG_DATA(cm);
			for (i = 0; i < len / sizeof(int); i++)
				close(fds[i]);
			*flags |= MSG_CTRUNC;
			continue;
		}
		if (n == MSG_MAX_ITEMS) {
			*flags |= MSG_CTRUNC;
			continue;
		}
		sockbroker__ancillary__init(&items[n]);
		items[n].level = cm->cmsg_level;
		items[n].type = cm->cmsg_type;
		items[n].data.data = CMSG_DATA(cm);
		items[n].data.len = len;
		ptrs[n] = &items[n];
		n++;
	}
	return (n);
}

/* One recvmsg attempt into the shared buffer, answered with a copy. */
static enum op_result
op_recvmsg_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__RecvmsgRequest *rr = w->req->recvmsg;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__MsgReply	 mr = SOCKBROKER__MSG_REPLY__INIT;
	Sockbroker__Ancillary	 items[MSG_MAX_ITEMS], *ptrs[MSG_MAX_ITEMS];
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[MSG_MAX_CONTROL];
	} control;
	struct sbp_address	 a;
	struct sockaddr_storage	 ss;
	struct msghdr		 msg;
	struct iovec		 iov;
	ssize_t			 n;
	int			 flags;
	int			 rflags = rr->has_flags ? rr->flags : 0;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = op_io_buffer(&iov.iov_len, s, rr->bufsize,
	    2 * MSG_MAX_CONTROL);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_name = &ss;
	msg.msg_namelen = sizeof ss;
	if (rr->has_ancbufsize && rr->ancbufsize > 0) {
		/* Capped like bufsize: more is cut, with MSG_CTRUNC. */
		msg.msg_control = control.buf;
		msg.msg_controllen = rr->ancbufsize < sizeof control.buf ?
		    rr->ancbufsize : sizeof control.buf;
	}
	/* Only AF_UNIX passes descriptors; AF_PACKET refuses the flag. */
	n = op_io_recvmsg(s, h, &msg, rflags |
	    (h->family == AF_UNIX ? MSG_CMSG_CLOEXEC : 0));
	if (n == -1) {
		if (errno == EAGAIN)
			return (OP_PARKED);
		reply_errno(s, w->req->id, errno, "recvmsg");
		return (OP_DONE);
	}
	flags = msg.msg_flags;
	mr.ancillary = ptrs;
	mr.n_ancillary = op_msg_ancillary(&msg, items, ptrs, &flags);
	mr.msg_flags = flags;
	mr.data.data = iov.iov_base;
	mr.data.len = (size_t)n < iov.iov_len ? (size_t)n : iov.iov_len;
	if ((size_t)n > mr.data.len) {
		mr.has_length = 1;
		mr.length = (uint64_t)n;
	}
	if (msg.msg_namelen > 0 && sbp_address_from_sockaddr(&a,
	    (struct sockaddr *)&ss, msg.msg_namelen, h->protocol, NULL) == 0)
		mr.address = &a.addr;
	resp.id = w->req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_MSG;
	resp.msg = &mr;
	reply_send(s, &resp);
	return (OP_DONE);
}
