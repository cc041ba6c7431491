/* SPDX-License-Identifier: ISC */
/*
 * Requests that would block. The daemon never blocks: a recv, accept, send
 * or connect that cannot complete now is parked on its handle, in a queue
 * per direction, until the socket is ready or the request's timeout fires.
 * Queues keep the order of a stream: a second send waits behind the first.
 *
 * Timeouts mean what they mean in Python's socket module: absent blocks
 * forever, 0 never blocks (EAGAIN at once), more waits that many seconds and
 * then fails with kind TIMEOUT, errno EAGAIN.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sockbrokerd.h"

static void	wait_timeout_cb(evutil_socket_t, short, void *);
static void	wait_free(struct waiter *);
static enum op_result	wait_first(struct waiter *, int, double);
static enum op_result	wait_enqueue(const struct waiter *, int, double);

/*
 * Checks a request's timeout field. Returns 0, or -1 after answering EINVAL
 * for a negative, NaN or absurdly large value.
 */
int
wait_timeout_check(struct session *s, const Sockbroker__Request *req,
    int has, double timeout)
{
	if (!has)
		return (0);
	if (isnan(timeout) || timeout < 0 || timeout > SBD_MAX_TIMEOUT) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "timeout out of range (0 to %g seconds, or none)",
		    SBD_MAX_TIMEOUT);
		return (-1);
	}
	return (0);
}

/*
 * Refuses a request that would wait (parked or on a resolver thread) when
 * the client has too many waiting already: returns -1 after answering
 * ENOBUFS, else 0.
 */
int
wait_pending_check(struct session *s, const Sockbroker__Request *req)
{
	if (s->pending < sbd_conf.max_pending)
		return (0);
	session_limit(s, LIMIT_PENDING, "pending request limit reached (%u)",
	    sbd_conf.max_pending);
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOBUFS,
	    "too many requests waiting (limit %u)", sbd_conf.max_pending);
	return (-1);
}

/*
 * Runs fn now if nothing waits before it in that direction; parks the
 * request if it would block (or must queue) and its timeout allows waiting.
 */
enum op_result
wait_try(struct session *s, struct handle *h, Sockbroker__Request *req,
    enum wait_dir dir, int has, double timeout, wait_fn fn)
{
	struct waiter	 first = { .session = s, .handle = h, .req = req,
			    .dir = dir, .fn = fn };

	return (wait_first(&first, has, timeout));
}

/*
 * wait_try for a data operation checked by op_io_start: its timeout, and
 * the address it decoded, which every attempt uses as it was checked.
 */
enum op_result
wait_try_io(struct session *s, struct handle *h, Sockbroker__Request *req,
    enum wait_dir dir, const struct io_start *io, wait_fn fn)
{
	struct waiter	 first = { .session = s, .handle = h, .req = req,
			    .dir = dir, .fn = fn };

	if (io->sslen > 0) {
		memcpy(&first.addr, &io->ss, io->sslen);
		first.addrlen = io->sslen;
	}
	return (wait_first(&first, io->has_timeout, io->timeout));
}

/* The first attempt of the request in *first, and its parking if it blocks. */
static enum op_result
wait_first(struct waiter *first, int has, double timeout)
{
	struct handle	*h = first->handle;

	if (TAILQ_EMPTY(&h->waiting[first->dir]) &&
	    first->fn(first->session, h, first) == OP_DONE)
		return (OP_DONE);
	if (has && timeout == 0) {
		reply_errno(first->session, first->req->id, EAGAIN,
		    sbp_op_name(first->req));
		return (OP_DONE);
	}
	return (wait_enqueue(first, has, timeout));
}

/*
 * Parks req on h until fn can complete it. Answers and returns OP_DONE
 * instead when the client has too many requests parked already.
 */
enum op_result
wait_park(struct session *s, struct handle *h, Sockbroker__Request *req,
    enum wait_dir dir, int has, double timeout, wait_fn fn, size_t progress)
{
	struct waiter	 first = { .session = s, .handle = h, .req = req,
			    .dir = dir, .fn = fn, .progress = progress };

	return (wait_enqueue(&first, has, timeout));
}

/* Parks a copy of the waiter in *tmpl, with a timer if has is set. */
static enum op_result
wait_enqueue(const struct waiter *tmpl, int has, double timeout)
{
	struct session	*s = tmpl->session;
	struct handle	*h = tmpl->handle;
	struct waiter	*w;
	struct timeval	 tv;

	if (wait_pending_check(s, tmpl->req) == -1)
		return (OP_DONE);
	w = xcalloc(1, sizeof *w);
	*w = *tmpl;
	w->timer = NULL;
	if (has) {
		/* Out of memory in libevent: not something a client chose. */
		if ((w->timer = evtimer_new(sbd_base, wait_timeout_cb, w)) == NULL)
			fatalx("evtimer_new failed");
		tv.tv_sec = (time_t)timeout;
		tv.tv_usec = (suseconds_t)((timeout - (double)tv.tv_sec) * 1e6);
		evtimer_add(w->timer, &tv);
	}
	if (TAILQ_EMPTY(&h->waiting[w->dir]))
		event_add(h->ev[w->dir], NULL);
	TAILQ_INSERT_TAIL(&h->waiting[w->dir], w, entry);
	s->pending++;
	return (OP_PARKED);
}

/*
 * h is ready in direction dir: run the parked requests in order until one
 * would block again. Replying may lose the session, which frees h and its
 * waiters: then stop at once.
 */
void
wait_ready(struct handle *h, enum wait_dir dir)
{
	struct session	*s = h->session;
	struct waiter	*w;

	session_ref(s);
	while ((w = TAILQ_FIRST(&h->waiting[dir])) != NULL) {
		if (w->fn(s, h, w) == OP_PARKED)
			break;
		if (s->dead)
			break;
		wait_free(w);
	}
	if (!s->dead && TAILQ_EMPTY(&h->waiting[dir]))
		event_del(h->ev[dir]);
	session_unref(s);
}

/* Answers every request parked on h with errnum (EBADF: closed) and frees them. */
void
wait_cancel_all(struct handle *h, int errnum)
{
	struct waiter	*w;
	int		 dir;

	for (dir = WAIT_READ; dir <= WAIT_WRITE; dir++) {
		while ((w = TAILQ_FIRST(&h->waiting[dir])) != NULL) {
			op_fail(w->session, w->req, SOCKBROKER__ERROR__KIND__OS,
			    errnum, "socket closed while waiting");
			wait_free(w);
		}
		event_del(h->ev[dir]);
	}
}

/* A parked request's timeout fired: it fails with kind TIMEOUT. */
static void
wait_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waiter	*w = arg;
	struct session	*s = w->session;
	struct handle	*h = w->handle;
	enum wait_dir	 dir = w->dir;

	session_ref(s);
	op_fail(s, w->req, SOCKBROKER__ERROR__KIND__TIMEOUT, EAGAIN,
	    "timed out");
	if (!s->dead) {
		wait_free(w);
		if (TAILQ_EMPTY(&h->waiting[dir]))
			event_del(h->ev[dir]);
	}
	session_unref(s);
}

/* Unlinks a waiter from its queue and frees it with its request. */
static void
wait_free(struct waiter *w)
{
	TAILQ_REMOVE(&w->handle->waiting[w->dir], w, entry);
	w->session->pending--;
	if (w->timer != NULL)
		event_free(w->timer);
	sockbroker__request__free_unpacked(w->req, NULL);
	free(w);
}
