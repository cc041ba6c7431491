/* SPDX-License-Identifier: ISC */
/*
 * What the library keeps about each handle of a connection (its timeout,
 * family, type and protocol), in a table indexed by the slot bits of the
 * handle value, as the daemon's is, and whether a timeout is valid.
 */

#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "client.h"

static struct conn_handle *conn_handle_find(struct sb_conn *, int);

/* Whether seconds is a timeout: SB_TIMEOUT_NONE or finite and >= 0. */
int
conn_timeout_valid(double seconds)
{
	if (seconds == SB_TIMEOUT_NONE)
		return (0);
	if (!isfinite(seconds) || seconds < 0)
		return (conn_oserror(EINVAL, "invalid timeout"));
	return (0);
}

/* The table entry of handle h, or NULL; c->lock is held. */
static struct conn_handle *
conn_handle_find(struct sb_conn *c, int h)
{
	struct conn_handle	*e;

	if (h <= 0)
		return (NULL);
	e = &c->handles[(unsigned int)h & CONN_HANDLE_MASK];
	if (e->handle != h)
		return (NULL);
	return (e);
}

/* Registers a new handle with its timeout and what its HandleReply says. */
void
conn_handle_add(struct sb_conn *c, int h, double timeout,
    const Sockbroker__HandleReply *hr)
{
	struct conn_handle	*e;

	if (h <= 0)
		return;
	pthread_mutex_lock(&c->lock);
	e = &c->handles[(unsigned int)h & CONN_HANDLE_MASK];
	e->handle = h;
	e->timeout = timeout;
	e->family = hr != NULL ? hr->family : AF_UNSPEC;
	e->type = hr != NULL ? hr->type : 0;
	e->protocol = hr != NULL ? hr->protocol : 0;
	e->chanfd = -1;
	e->slot = hr != NULL && hr->has_slot ? hr->slot : 0;
	e->shared = hr != NULL && hr->has_slot;
	e->rest = 0;
	e->peer = 0;
	pthread_mutex_unlock(&c->lock);
}

/* Forgets a handle. */
void
conn_handle_del(struct sb_conn *c, int h)
{
	struct conn_handle	*e;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		e->handle = 0;
	pthread_mutex_unlock(&c->lock);
}

/* The timeout of h in *t: 0, or -1 (and the default in *t) if unknown. */
int
conn_handle_gettimeout(struct sb_conn *c, int h, double *t)
{
	struct conn_handle	*e;
	int			 r = 0;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		*t = e->timeout;
	else {
		*t = c->deftimeout;
		r = -1;
	}
	pthread_mutex_unlock(&c->lock);
	return (r);
}

/* Sets the timeout of h: 0, or -1 with errno EBADF if unknown. */
int
conn_handle_settimeout(struct sb_conn *c, int h, double t)
{
	struct conn_handle	*e;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		e->timeout = t;
	pthread_mutex_unlock(&c->lock);
	if (e == NULL)
		return (conn_oserror(EBADF, "unknown handle"));
	return (0);
}

/* The protocol of h's socket; 0 for an unknown handle. */
int
conn_handle_protocol(struct sb_conn *c, int h)
{
	struct conn_handle	*e;
	int			 protocol = 0;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		protocol = e->protocol;
	pthread_mutex_unlock(&c->lock);
	return (protocol);
}

/* Fills a request's optional timeout field from h's timeout. */
void
conn_handle_timeout(struct sb_conn *c, int h, protobuf_c_boolean *has,
    double *timeout)
{
	double	 t;

	conn_handle_gettimeout(c, h, &t);
	*has = t >= 0;
	*timeout = t >= 0 ? t : 0;
}

/*
 * Copies what a channel call needs of h into *ch: 1 if h has a channel, 0
 * if not, -1 if h is unknown (no error set: the daemon says EBADF).
 */
int
conn_handle_chan(struct sb_conn *c, int h, struct conn_chan *ch)
{
	struct conn_handle	*e;
	int			 r = 0;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) == NULL)
		r = -1;
	else if (e->chanfd != -1) {
		ch->h = h;
		ch->fd = e->chanfd;
		ch->stream = e->type == SOCK_STREAM;
		ch->slot = e->slot;
		ch->timeout = e->timeout;
		ch->rest = e->rest;
		ch->peer = e->peer;
		r = 1;
	}
	pthread_mutex_unlock(&c->lock);
	return (r);
}

/*
 * Gives h the channel descriptor fd: 0, or -1 with errno EBADF (h is
 * gone) or EBUSY (it has one); fd is the caller's to close then.
 */
int
conn_handle_setchan(struct sb_conn *c, int h, int fd)
{
	struct conn_handle	*e;
	int			 error = 0;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) == NULL)
		error = EBADF;
	else if (e->chanfd != -1)
		error = EBUSY;
	else {
		e->chanfd = fd;
		e->rest = 0;
	}
	pthread_mutex_unlock(&c->lock);
	if (error != 0)
		return (conn_oserror(error, "cannot keep the channel"));
	return (0);
}

/*
 * Takes h's channel descriptor out of the table (the caller closes it):
 * the descriptor, or -1 if h has none; *stream says whether it is a
 * stream pair, *shared whether another handle may share it.
 */
int
conn_handle_takechan(struct sb_conn *c, int h, int *stream, int *shared)
{
	struct conn_handle	*e;
	int			 fd = -1;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL) {
		fd = e->chanfd;
		*stream = e->type == SOCK_STREAM;
		*shared = e->shared;
		e->chanfd = -1;
	}
	pthread_mutex_unlock(&c->lock);
	return (fd);
}

/* Notes that h's channel may have other sharers (sb_share made a token). */
void
conn_handle_setshared(struct sb_conn *c, int h)
{
	struct conn_handle	*e;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		e->shared = 1;
	pthread_mutex_unlock(&c->lock);
}

/* Records how much of a stream channel's current chunk is left unread. */
void
conn_handle_setrest(struct sb_conn *c, int h, size_t rest)
{
	struct conn_handle	*e;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		e->rest = rest;
	pthread_mutex_unlock(&c->lock);
}

/*
 * Records that stream handle h is connected, or connecting (a connect
 * went out or it was accepted): its channel's calls need not ask.
 */
void
conn_handle_setpeer(struct sb_conn *c, int h)
{
	struct conn_handle	*e;

	pthread_mutex_lock(&c->lock);
	if ((e = conn_handle_find(c, h)) != NULL)
		e->peer = 1;
	pthread_mutex_unlock(&c->lock);
}
