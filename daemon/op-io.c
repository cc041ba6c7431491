/* SPDX-License-Identifier: ISC */
/*
 * Moving data: send, sendto, sendall, recv, recvfrom. Each attempt is one
 * non-blocking syscall; what would block is parked (wait.c).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sockbrokerd.h"

#define OP_SEND_FLAGS	(MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | MSG_EOR | \
			    MSG_MORE | MSG_NOSIGNAL | MSG_CONFIRM)
#define OP_RECV_FLAGS	(MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT)

static uint8_t	*op_io_buf;	/* one recv at a time: the loop is single */
static size_t	 op_io_buflen;

static enum op_result	op_send_try(struct session *, struct handle *,
			    struct waiter *);
static enum op_result	op_recv_try(struct session *, struct handle *,
			    struct waiter *);

/* send, sendto (with an address) and sendall (with all set). */
enum op_result
op_send(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__SendRequest	*sr = req->send;
	struct handle		*h;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 flags = sr->has_flags ? sr->flags : 0;
	int			 has = sr->has_timeout;
	double			 timeout = sr->timeout;

	if ((h = op_handle(s, req, sr->handle)) == NULL ||
	    wait_timeout_check(s, req, has, timeout) == -1)
		return (OP_DONE);
	if (sr->address != NULL &&
	    op_sockaddr(s, req, h, sr->address, &ss, &len) == -1)
		return (OP_DONE);
	if (flags & ~OP_SEND_FLAGS) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "send: unsupported flags 0x%x", flags & ~OP_SEND_FLAGS);
		return (OP_DONE);
	}
	if (flags & MSG_DONTWAIT) {
		has = 1;
		timeout = 0;
	}
	return (wait_try(s, h, req, WAIT_WRITE, has, timeout, op_send_try));
}

/*
 * Sends what is left of the request's data. send answers after one
 * successful syscall; sendall keeps going and parks when the socket is full.
 */
static enum op_result
op_send_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__SendRequest	*sr = w->req->send;
	struct sockaddr_storage	 ss;
	socklen_t		 len = 0;
	int			 all = sr->has_all && sr->all;
	int			 flags = (sr->has_flags ? sr->flags : 0) |
				    MSG_DONTWAIT | MSG_NOSIGNAL;
	ssize_t			 n;

	/* Checked by op_send already: it cannot fail now. */
	if (sr->address != NULL &&
	    sbp_address_to_sockaddr(sr->address, &ss, &len, NULL) == -1)
		fatalx("address changed under a parked send");
	do {
		n = sendto(h->fd, sr->data.data + w->progress,
		    sr->data.len - w->progress, flags,
		    len ? (struct sockaddr *)&ss : NULL, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return (OP_PARKED);
			reply_errno(s, w->req->id, errno, all ? "sendall" :
			    "send");
			return (OP_DONE);
		}
		w->progress += (size_t)n;
	} while (all && w->progress < sr->data.len);
	reply_count(s, w->req->id, w->progress);
	return (OP_DONE);
}

/* recv, and recvfrom with from set. */
enum op_result
op_recv(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__RecvRequest	*rr = req->recv;
	struct handle		*h;
	int			 flags = rr->has_flags ? rr->flags : 0;
	int			 has = rr->has_timeout;
	double			 timeout = rr->timeout;

	if ((h = op_handle(s, req, rr->handle)) == NULL ||
	    wait_timeout_check(s, req, has, timeout) == -1)
		return (OP_DONE);
	if (flags & ~OP_RECV_FLAGS) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "recv: unsupported flags 0x%x", flags & ~OP_RECV_FLAGS);
		return (OP_DONE);
	}
	if (flags & MSG_DONTWAIT) {
		has = 1;
		timeout = 0;
	}
	return (wait_try(s, h, req, WAIT_READ, has, timeout, op_recv_try));
}

/* One recvfrom attempt, into the shared buffer, answered with a copy. */
static enum op_result
op_recv_try(struct session *s, struct handle *h, struct waiter *w)
{
	Sockbroker__RecvRequest	*rr = w->req->recv;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__DataReply	 dr = SOCKBROKER__DATA_REPLY__INIT;
	struct sbp_address	 a;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	size_t			 want = rr->bufsize;
	ssize_t			 n;

	if (want > s->peer.max_out - SBP_FRAME_OVERHEAD)
		want = s->peer.max_out - SBP_FRAME_OVERHEAD;
	if (want > op_io_buflen)
		want = op_io_buflen;
	do {
		n = recvfrom(h->fd, op_io_buf, want, (rr->has_flags ?
		    rr->flags : 0) | MSG_DONTWAIT, (struct sockaddr *)&ss,
		    &sslen);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return (OP_PARKED);
		reply_errno(s, w->req->id, errno, "recv");
		return (OP_DONE);
	}
	dr.data.data = op_io_buf;
	dr.data.len = (size_t)n < want ? (size_t)n : want;	/* MSG_TRUNC */
	if (rr->has_from && rr->from && sslen > 0 &&
	    sbp_address_from_sockaddr(&a, (struct sockaddr *)&ss, sslen,
	    NULL) == 0)
		dr.address = &a.addr;
	resp.id = w->req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_DATA;
	resp.data = &dr;
	reply_send(s, &resp);
	return (OP_DONE);
}

/* Allocates the receive buffer once: no payload is larger than a frame. */
void
op_io_init(size_t max_frame)
{
	op_io_buflen = max_frame;
	op_io_buf = xcalloc(1, op_io_buflen);
}

/* Frees the receive buffer at exit. */
void
op_io_free(void)
{
	free(op_io_buf);
	op_io_buf = NULL;
}
