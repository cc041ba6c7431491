/* SPDX-License-Identifier: ISC */
/*
 * The framing layer of a client connection: reads length-prefixed frames
 * from a bufferevent and hands each to the session, writes replies, and
 * applies backpressure. It knows nothing of what the frames mean.
 */

#include <errno.h>
#include <string.h>

#include <event2/buffer.h>

#include "sockbrokerd.h"

static void	peer_read_cb(struct bufferevent *, void *);
static void	peer_write_cb(struct bufferevent *, void *);
static void	peer_event_cb(struct bufferevent *, short, void *);

/*
 * Sets up the framing for a connected socket fd; frames over max_in are a
 * protocol violation. The caller fills in the callbacks before the loop runs.
 */
void
peer_init(struct peer *p, int fd, size_t max_in)
{
	p->bev = bufferevent_socket_new(sbd_base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (p->bev == NULL)
		fatalx("bufferevent_socket_new failed");
	p->max_in = max_in;
	p->max_out = SBP_MAX_FRAME;
	p->high = sbd_conf.max_queued / 4;
	bufferevent_setcb(p->bev, peer_read_cb, peer_write_cb, peer_event_cb,
	    p);
	bufferevent_setwatermark(p->bev, EV_WRITE, p->high / 2, 0);
	bufferevent_enable(p->bev, EV_READ | EV_WRITE);
}

/* Closes the connection and drops whatever was still queued. */
void
peer_free(struct peer *p)
{
	if (p->bev != NULL)
		bufferevent_free(p->bev);
	p->bev = NULL;
}

/* How many reply bytes wait to be written to the peer. */
size_t
peer_queued(struct peer *p)
{
	return (evbuffer_get_length(bufferevent_get_output(p->bev)));
}

/*
 * Hands every whole frame in the input to the session, unless the peer's
 * replies pile up: then reading stops until peer_write_cb sees them drain.
 */
static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	uint8_t		*buf;
	size_t		 avail, len;
	int		 r;

	for (;;) {
		if (peer_queued(p) > p->high) {
			bufferevent_disable(bev, EV_READ);
			return;
		}
		avail = evbuffer_get_length(in);
		if (avail < SBP_FRAME_HEADER)
			return;
		/* sbp_frame_check reads only the header; avail is the total. */
		buf = evbuffer_pullup(in, SBP_FRAME_HEADER);
		r = sbp_frame_check(buf, avail, p->max_in, &len);
		if (r == 0)
			return;
		if (r == -1) {
			p->lost_cb(p, "frame over the maximum size", p->arg);
			return;
		}
		buf = evbuffer_pullup(in, SBP_FRAME_HEADER + len);
		if (buf == NULL) {
			p->lost_cb(p, "out of memory", p->arg);
			return;
		}
		if (p->frame_cb(p, buf + SBP_FRAME_HEADER, len, p->arg) == -1)
			return;	/* the peer is gone; touch nothing */
		evbuffer_drain(in, SBP_FRAME_HEADER + len);
	}
}

/* Resumes reading once queued replies have drained below the low mark. */
static void
peer_write_cb(struct bufferevent *bev, void *arg)
{
	struct peer	*p = arg;

	if (bufferevent_get_enabled(bev) & EV_READ)
		return;
	if (peer_queued(p) > p->high / 2)
		return;
	bufferevent_enable(bev, EV_READ);
	peer_read_cb(bev, p);
}

/* End of file or an error on the connection: the peer is lost. */
static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct peer	*p = arg;

	if (what & BEV_EVENT_EOF)
		p->lost_cb(p, "connection closed", p->arg);
	else if (what & BEV_EVENT_ERROR)
		p->lost_cb(p, strerror(EVUTIL_SOCKET_ERROR()), p->arg);
}

/*
 * Queues one message as a frame. Returns -1 with errno EMSGSIZE if it is
 * larger than the peer accepts, ENOBUFS if the peer has stopped reading and
 * its queue is over the limit (the caller must drop it).
 */
int
peer_send(struct peer *p, const ProtobufCMessage *msg)
{
	struct evbuffer		*out = bufferevent_get_output(p->bev);
	struct evbuffer_iovec	 vec;
	size_t			 len;

	len = protobuf_c_message_get_packed_size(msg);
	if (len > p->max_out) {
		errno = EMSGSIZE;
		return (-1);
	}
	if (evbuffer_get_length(out) + len > sbd_conf.max_queued) {
		errno = ENOBUFS;
		return (-1);
	}
	if (evbuffer_reserve_space(out, SBP_FRAME_HEADER + len, &vec, 1) != 1)
		fatalx("evbuffer_reserve_space failed");
	sbp_frame_header(vec.iov_base, len);
	protobuf_c_message_pack(msg, (uint8_t *)vec.iov_base + SBP_FRAME_HEADER);
	vec.iov_len = SBP_FRAME_HEADER + len;
	if (evbuffer_commit_space(out, &vec, 1) != 0)
		fatalx("evbuffer_commit_space failed");
	return (0);
}
