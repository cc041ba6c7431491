/* SPDX-License-Identifier: ISC */
/*
 * passfd: hands the client a duplicate of a handle's real descriptor, where
 * the policy grants fd-pass. The descriptor travels with the reply
 * (SCM_RIGHTS); the daemon keeps its handle. Descriptors are only ever
 * sent: the daemon accepts none from clients.
 *
 * channel: the client's end of the handle's data channel (channel.c),
 * sent the same way. It needs no grant: everything sent through it is
 * checked as a send request is. A new handle may get its channel with its
 * HandleReply instead (op_channel_attach), when the request asks for it.
 */

#include <errno.h>
#include <unistd.h>

#include "sockbrokerd.h"

static int	op_channel_type(const struct handle *);

/*
 * Whether a handle's socket can have a data channel: not AF_ALG's, whose
 * hash sockets have no poll (the relay would wait for them forever) and
 * compute on a read (one ahead of the client's would end a digest it still
 * feeds with MSG_MORE); requests carry them.
 */
static int
op_channel_type(const struct handle *h)
{
	if (h->family == AF_ALG)
		return (0);
	return (h->type == SOCK_STREAM || h->type == SOCK_DGRAM ||
	    h->type == SOCK_SEQPACKET || h->type == SOCK_RAW ||
	    h->type == SOCK_RDM);
}

/* passfd: the handle's descriptor, to a client the policy lets have it. */
enum op_result
op_passfd(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h;

	if ((h = op_handle(s, req, req->passfd->handle)) == NULL ||
	    mediate_fdpass(s, req, h) == -1)
		return (OP_DONE);
	reply_fd(s, req->id, h->fd);
	return (OP_DONE);
}

/* channel: a data channel for a handle that has none yet. */
enum op_result
op_channel(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h;
	int		 fd;

	if ((h = op_handle(s, req, req->channel->handle)) == NULL)
		return (OP_DONE);
	if (h->chan != NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EBUSY,
		    "channel: the handle has one already");
		return (OP_DONE);
	}
	if (!op_channel_type(h)) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
		    EOPNOTSUPP, "channel: no channel for this socket (family "
		    "%d, type %d)", h->family, h->type);
		return (OP_DONE);
	}
	/* Receiving starts now: a packet socket binds as on its first recv. */
	if (op_packet_autobind(s, req, h) == -1)
		return (OP_DONE);
	if (channel_open(h, &fd) == -1) {
		reply_errno(s, req->id, errno, "channel");
		return (OP_DONE);
	}
	reply_fd(s, req->id, fd);
	close(fd);
	return (OP_DONE);
}

/*
 * A channel for a new handle (socket, accept, dup with channel set), the
 * client's end in *clientfd: 0, or -1 if it gets none. An AF_PACKET socket
 * gets none: opening a channel binds it to every interface, as a first
 * receive does, and a new one is bound by the client first (sb_fileno).
 */
int
op_channel_attach(struct handle *h, int *clientfd)
{
	if (!op_channel_type(h) || h->family == AF_PACKET) {
		errno = EOPNOTSUPP;
		return (-1);
	}
	return (channel_open(h, clientfd));
}
