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
