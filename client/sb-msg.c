/* SPDX-License-Identifier: ISC */
/*
 * sendmsg and recvmsg: scatter/gather buffers, ancillary data (cmsgs) as
 * (level, type, data) items, and the peer's address. As with send and recv,
 * one request carries at most the daemon's max_data bytes of payload.
 */

#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* What sendmsg packs: the buffers and ancillary items of one request. */
struct sb_msg_out {
	ProtobufCBinaryData	*buffers;
	size_t			 nbuffers;
	Sockbroker__Ancillary	*items;
	Sockbroker__Ancillary	**ancillary;
	size_t			 nancillary;
};

static int	 sb_msg_check(const struct msghdr *);
static int	 sb_msg_buffers(struct sb_conn *, const struct msghdr *,
		     struct sb_msg_out *, size_t *);
static int	 sb_msg_cmsg_count(const struct msghdr *, size_t *);
static int	 sb_msg_cmsgs(const struct msghdr *, struct sb_msg_out *);
static void	 sb_msg_out_free(struct sb_msg_out *);
static size_t	 sb_msg_iov_total(const struct msghdr *, size_t);
static void	 sb_msg_scatter(const ProtobufCBinaryData *, struct msghdr *);
static int	 sb_msg_control(const Sockbroker__MsgReply *, struct msghdr *);
static ssize_t	 sb_msg_result(struct sb_conn *, Sockbroker__MsgReply *,
		     struct msghdr *);

/* Checks the shape of a caller's msghdr as the kernel would. */
static int
sb_msg_check(const struct msghdr *msg)
{
	size_t	 i;

	if (msg == NULL)
		return (conn_oserror(EFAULT, "no msghdr"));
	if (msg->msg_iovlen > IOV_MAX)
		return (conn_oserror(EMSGSIZE, "too many iovecs"));
	if (msg->msg_iovlen > 0 && msg->msg_iov == NULL)
		return (conn_oserror(EFAULT, "no iovec array"));
	for (i = 0; i < msg->msg_iovlen; i++) {
		if (msg->msg_iov[i].iov_base == NULL &&
		    msg->msg_iov[i].iov_len > 0)
			return (conn_oserror(EFAULT, "no iovec buffer"));
	}
	if (msg->msg_control == NULL && msg->msg_controllen > 0)
		return (conn_oserror(EFAULT, "no control buffer"));
	return (0);
}

/* The total length of msg's iovecs, capped at max. */
static size_t
sb_msg_iov_total(const struct msghdr *msg, size_t max)
{
	size_t	 i, total = 0, len;

	for (i = 0; i < msg->msg_iovlen && total < max; i++) {
		len = msg->msg_iov[i].iov_len;
		total += len > max - total ? max - total : len;
	}
	return (total);
}

/*
 * Points out->buffers at msg's iovecs, cut so that their total is at most
 * max_data bytes; that total in *len.
 */
static int
sb_msg_buffers(struct sb_conn *c, const struct msghdr *msg,
    struct sb_msg_out *out, size_t *len)
{
	size_t	 i, n, left = c->max_data;

	*len = 0;
	if (msg->msg_iovlen == 0)
		return (0);
	out->buffers = calloc(msg->msg_iovlen, sizeof *out->buffers);
	if (out->buffers == NULL)
		return (conn_oserror(ENOMEM, "out of memory"));
	for (i = 0; i < msg->msg_iovlen && left > 0; i++) {
		n = msg->msg_iov[i].iov_len;
		if (n > left)
			n = left;
		out->buffers[out->nbuffers].data = msg->msg_iov[i].iov_base;
		out->buffers[out->nbuffers].len = n;
		out->nbuffers++;
		left -= n;
		*len += n;
	}
	return (0);
}

/* Counts msg's cmsgs, checking that each lies inside msg_control. */
static int
sb_msg_cmsg_count(const struct msghdr *msg, size_t *n)
{
	struct cmsghdr	*cm;
	const char	*end;

	*n = 0;
	if (msg->msg_control == NULL)
		return (0);
	end = (const char *)msg->msg_control + msg->msg_controllen;
	for (cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm != NULL;
	    cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0) ||
		    cm->cmsg_len > (size_t)(end - (const char *)cm))
			return (conn_oserror(EINVAL, "bad cmsg length"));
		(*n)++;
	}
	return (0);
}

/* Turns msg's cmsgs into Ancillary items pointing into msg_control. */
static int
sb_msg_cmsgs(const struct msghdr *msg, struct sb_msg_out *out)
{
	Sockbroker__Ancillary	 init = SOCKBROKER__ANCILLARY__INIT;
	struct cmsghdr		*cm;
	size_t			 n, i = 0;

	if (sb_msg_cmsg_count(msg, &n) == -1)
		return (-1);
	if (n == 0)
		return (0);
	out->items = calloc(n, sizeof *out->items);
	out->ancillary = calloc(n, sizeof *out->ancillary);
	if (out->items == NULL || out->ancillary == NULL)
		return (conn_oserror(ENOMEM, "out of memory"));
	for (cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm != NULL && i < n;
	    cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		out->items[i] = init;
		out->items[i].level = cm->cmsg_level;
		out->items[i].type = cm->cmsg_type;
		out->items[i].data.data = CMSG_DATA(cm);
		out->items[i].data.len = cm->cmsg_len - CMSG_LEN(0);
		out->ancillary[i] = &out->items[i];
		i++;
	}
	out->nancillary = i;
	return (0);
}

/* Frees what sb_msg_buffers and sb_msg_cmsgs allocated. */
static void
sb_msg_out_free(struct sb_msg_out *out)
{
	free(out->buffers);
	free(out->items);
	free(out->ancillary);
}

/* Sends the iovecs (at most max_data bytes), cmsgs and address of msg. */
SB_EXPORT ssize_t
sb_sendmsg(sb_conn *c, int h, const struct msghdr *msg, int flags)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendmsgRequest op = SOCKBROKER__SENDMSG_REQUEST__INIT;
	Sockbroker__Response	*resp;
	struct sb_msg_out	 out;
	struct sbp_address	 a;
	uint64_t		 count;
	size_t			 len;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1 || sb_msg_check(msg) == -1)
		return (-1);
	if (conn_handle_chan(c, h, &ch) == 1)
		return (sb_channel_sendmsg(c, &ch, msg, flags));
	if (msg->msg_name != NULL && msg->msg_namelen > 0) {
		if (conn_address_from(&a, msg->msg_name, msg->msg_namelen,
		    conn_handle_protocol(c, h)) == -1)
			return (-1);
		op.address = &a.addr;
	}
	memset(&out, 0, sizeof out);
	if (sb_msg_buffers(c, msg, &out, &len) == -1 ||
	    sb_msg_cmsgs(msg, &out) == -1) {
		sb_msg_out_free(&out);
		return (-1);
	}
	op.handle = h;
	op.buffers = out.buffers;
	op.n_buffers = out.nbuffers;
	op.ancillary = out.ancillary;
	op.n_ancillary = out.nancillary;
	op.has_flags = 1;
	op.flags = flags;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	req.op_case = SOCKBROKER__REQUEST__OP_SENDMSG;
	req.sendmsg = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_COUNT,
	    &resp) == -1) {
		sb_msg_out_free(&out);
		return (-1);
	}
	sb_msg_out_free(&out);
	count = resp->count->count;
	sockbroker__response__free_unpacked(resp, NULL);
	if (count > len)
		return (conn_protoerror(c, "bad count in response"));
	return ((ssize_t)count);
}

/* Copies a reply's data over msg's iovecs, in order. */
static void
sb_msg_scatter(const ProtobufCBinaryData *data, struct msghdr *msg)
{
	size_t	 i, n, off = 0;

	for (i = 0; i < msg->msg_iovlen && off < data->len; i++) {
		n = msg->msg_iov[i].iov_len;
		if (n > data->len - off)
			n = data->len - off;
		if (n > 0)
			memcpy(msg->msg_iov[i].iov_base, data->data + off, n);
		off += n;
	}
	if (off < data->len)
		msg->msg_flags |= MSG_TRUNC;
}

/*
 * Rebuilds a reply's ancillary items as cmsgs in msg_control, as the
 * kernel's put_cmsg() would: an item that does not fit whole sets
 * MSG_CTRUNC and ends the list. msg_controllen becomes the bytes used.
 */
static int
sb_msg_control(const Sockbroker__MsgReply *r, struct msghdr *msg)
{
	struct cmsghdr	 hdr;
	uint8_t		*p = msg->msg_control;
	size_t		 i, len, space, off = 0, size = msg->msg_controllen;

	for (i = 0; i < r->n_ancillary; i++) {
		if (r->ancillary[i] == NULL)
			return (-1);
		len = r->ancillary[i]->data.len;
		if (len > size || p == NULL || size - off < CMSG_LEN(len)) {
			msg->msg_flags |= MSG_CTRUNC;
			break;
		}
		space = CMSG_SPACE(len);
		if (space > size - off)
			space = size - off;
		memset(p + off, 0, space);
		memset(&hdr, 0, sizeof hdr);
		hdr.cmsg_len = CMSG_LEN(len);
		hdr.cmsg_level = r->ancillary[i]->level;
		hdr.cmsg_type = r->ancillary[i]->type;
		memcpy(p + off, &hdr, sizeof hdr);
		if (len > 0)
			memcpy(p + off + CMSG_LEN(0),
			    r->ancillary[i]->data.data, len);
		off += space;
	}
	msg->msg_controllen = off;
	return (0);
}

/* Fills msg from a MsgReply; the return value of sb_recvmsg. */
static ssize_t
sb_msg_result(struct sb_conn *c, Sockbroker__MsgReply *r, struct msghdr *msg)
{
	size_t	 n = r->data.len;

	msg->msg_flags = r->msg_flags;
	sb_msg_scatter(&r->data, msg);
	if (sb_msg_control(r, msg) == -1)
		return (conn_protoerror(c, "bad ancillary item in response"));
	if (msg->msg_name != NULL) {
		if (conn_address_to(c, r->address, msg->msg_name,
		    &msg->msg_namelen) == -1)
			return (-1);
	} else
		msg->msg_namelen = 0;
	/* With MSG_TRUNC the daemon reports the datagram's real length. */
	if (r->has_length && r->length >= n && r->length <= SSIZE_MAX)
		n = r->length;
	if (n > SSIZE_MAX)
		return (conn_protoerror(c, "bad length in response"));
	return ((ssize_t)n);
}

/* Receives into msg's iovecs, with ancillary data and the sender. */
SB_EXPORT ssize_t
sb_recvmsg(sb_conn *c, int h, struct msghdr *msg, int flags)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__RecvmsgRequest op = SOCKBROKER__RECVMSG_REQUEST__INIT;
	Sockbroker__Response	*resp;
	ssize_t			 n;
	struct conn_chan	 ch;

	if (conn_valid(c) == -1 || sb_msg_check(msg) == -1)
		return (-1);
	if (conn_handle_chan(c, h, &ch) == 1)
		return (sb_channel_recvmsg(c, &ch, msg, flags));
	if (msg->msg_controllen > UINT32_MAX)
		return (conn_oserror(EINVAL, "control buffer too large"));
	op.handle = h;
	op.bufsize = sb_msg_iov_total(msg, c->max_data);
	op.has_ancbufsize = 1;
	op.ancbufsize = msg->msg_controllen;
	op.has_flags = 1;
	op.flags = flags;
	conn_handle_timeout(c, h, &op.has_timeout, &op.timeout);
	req.op_case = SOCKBROKER__REQUEST__OP_RECVMSG;
	req.recvmsg = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_MSG, &resp) == -1)
		return (-1);
	n = sb_msg_result(c, resp->msg, msg);
	sockbroker__response__free_unpacked(resp, NULL);
	return (n);
}
