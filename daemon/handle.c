/* SPDX-License-Identifier: ISC */
/*
 * Per-client handle tables. A handle value is a slot index in the low 16
 * bits and the slot's generation above it; closing a handle bumps the
 * generation, so a stale value, or one another client was given, finds
 * nothing and is EBADF, never somebody else's socket. Values are positive
 * and never 0. A table starts small and doubles when full, up to
 * --max-handles slots, so that an idle client costs a few bytes, not the
 * limit; lookup stays one index.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define HANDLE_GEN_MAX	0x7fff	/* keeps values positive as an int */

static void	handle_ready_cb(evutil_socket_t, short, void *);
static int	handle_table_grow(struct handle_table *);

/* Prepares an empty table; its slots come with the first handle. */
void
handle_table_init(struct handle_table *t)
{
	t->nslots = 0;
	t->count = 0;
	t->reserved = 0;
	t->slots = NULL;
	t->gens = NULL;
}

/*
 * Doubles the table (SBD_HANDLE_INITIAL slots at first), up to
 * --max-handles. Returns -1 with errno ENOMEM if memory is short: the client
 * is then refused a handle, the daemon goes on.
 */
static int
handle_table_grow(struct handle_table *t)
{
	struct handle	**slots;
	uint16_t	 *gens;
	unsigned int	  n;

	n = t->nslots == 0 ? SBD_HANDLE_INITIAL : t->nslots * 2;
	if (n > sbd_conf.max_handles)
		n = sbd_conf.max_handles;
	if ((slots = reallocarray(t->slots, n, sizeof *slots)) == NULL)
		return (-1);
	t->slots = slots;
	if ((gens = reallocarray(t->gens, n, sizeof *gens)) == NULL)
		return (-1);
	t->gens = gens;
	memset(t->slots + t->nslots, 0, (n - t->nslots) * sizeof *slots);
	memset(t->gens + t->nslots, 0, (n - t->nslots) * sizeof *gens);
	t->nslots = n;
	return (0);
}

/* Closes every handle in the table and frees it. */
void
handle_table_free(struct handle_table *t)
{
	unsigned int	 i;

	for (i = 0; i < t->nslots && t->count > 0; i++) {
		if (t->slots[i] != NULL)
			handle_close(t->slots[i]);
	}
	free(t->slots);
	free(t->gens);
	t->slots = NULL;
	t->gens = NULL;
	t->nslots = 0;
	t->count = 0;
}

/*
 * Gives socket fd a handle in session s. Returns NULL with errno EMFILE when
 * the table is full; the caller still owns fd then.
 */
struct handle *
handle_new(struct session *s, int fd, int family, int type, int protocol)
{
	struct handle_table	*t = &s->handles;
	struct handle		*h;
	unsigned int		 i;

	if (t->count + t->reserved >= sbd_conf.max_handles) {
		session_limit(s, LIMIT_HANDLES, "handle limit reached (%u)",
		    sbd_conf.max_handles);
		errno = EMFILE;
		return (NULL);
	}
	if (t->count >= t->nslots && handle_table_grow(t) == -1) {
		errno = ENOMEM;
		return (NULL);
	}
	for (i = 0; t->slots[i] != NULL; i++)
		;
	if (++t->gens[i] > HANDLE_GEN_MAX)
		t->gens[i] = 1;
	h = xcalloc(1, sizeof *h);
	h->session = s;
	h->value = (uint32_t)t->gens[i] << 16 | i;
	h->fd = fd;
	h->family = family;
	h->type = type;
	h->protocol = protocol;
	TAILQ_INIT(&h->waiting[WAIT_READ]);
	TAILQ_INIT(&h->waiting[WAIT_WRITE]);
	h->ev[WAIT_READ] = event_new(sbd_base, fd, EV_READ | EV_PERSIST,
	    handle_ready_cb, h);
	h->ev[WAIT_WRITE] = event_new(sbd_base, fd, EV_WRITE | EV_PERSIST,
	    handle_ready_cb, h);
	/* Out of memory in libevent: not something a client chose. */
	if (h->ev[WAIT_READ] == NULL || h->ev[WAIT_WRITE] == NULL)
		fatalx("event_new failed");
	t->slots[i] = h;
	t->count++;
	return (h);
}

/* Finds the live handle with this exact value, or NULL. */
struct handle *
handle_lookup(struct session *s, uint32_t value)
{
	struct handle_table	*t = &s->handles;
	uint32_t		 slot = value & 0xffff;
	struct handle		*h;

	if (slot >= t->nslots || (h = t->slots[slot]) == NULL)
		return (NULL);
	if (h->value != value)
		return (NULL);
	return (h);
}

/*
 * Closes a handle: every request parked on it is answered EBADF (if the
 * session still listens), its events go, its socket is closed. The handle
 * leaves the table first: an answer that loses the session must not find it
 * there and close it twice.
 */
void
handle_close(struct handle *h)
{
	struct handle_table	*t = &h->session->handles;

	t->slots[h->value & 0xffff] = NULL;
	t->count--;
	wait_cancel_all(h, EBADF);
	channel_close(h);
	event_free(h->ev[WAIT_READ]);
	event_free(h->ev[WAIT_WRITE]);
	close(h->fd);
	free(h);
}

/* The socket is ready: let the parked requests of that direction run. */
static void
handle_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	struct handle	*h = arg;

	wait_ready(h, (what & EV_READ) ? WAIT_READ : WAIT_WRITE);
}
