/* SPDX-License-Identifier: ISC */
/*
 * Calls: a Request out, its Response back, on a connection threads share.
 *
 * A call registers itself (a struct conn_call on its own stack, with a fresh
 * id) in c->calls, packs its Request and writes the whole frame (conn-frame.c).
 * Then it waits for its Response, leader/follower style: under c->lock, a
 * waiting thread that finds nobody reading (c->reading == 0) becomes the
 * reader, drops the lock and reads one frame; back under the lock it hands
 * the Response to the call with that id (or frees it if nobody waits for
 * it), gives up the reader role and wakes every waiter with a broadcast on
 * c->cond. Each waiter then checks whether its own answer came; if not, one
 * of them takes the reader role for the next frame. Only the reader touches
 * c->rbuf, so the read buffer needs no lock.
 *
 * Any failure of the stream (EOF, a read or write error, an oversized or
 * malformed frame, a response of the wrong type) breaks the connection:
 * c->broken is set, the socket is shut down so that blocked readers and
 * writers return, all waiters are woken, and every call from then on fails
 * at once with ECONNRESET and kind SB_ERR_PROTOCOL (ETIMEDOUT if sb_open's
 * Hello was not answered in time). A Response with id 0 is about the
 * connection, not a request: if it carries an Error (the daemon turning us
 * away, "too many clients"), the connection breaks with that errno and
 * message instead.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static int	 conn_exchange(struct sb_conn *, Sockbroker__Request *, int,
		     Sockbroker__Response **, int *);
static void	 conn_deliver(struct sb_conn *, Sockbroker__Response *);
static int	 conn_hasfd(const Sockbroker__Response *, int);
static void	 conn_wait(struct sb_conn *, struct conn_call *);
static int	 conn_result(struct sb_conn *, Sockbroker__Response *, int,
		     Sockbroker__Response **);

/*
 * Sends req with a fresh id and waits for its Response. Returns 0 with the
 * Response (of type result; the caller frees it) in *out, or -1 with errno
 * and the last error set.
 */
int
conn_call(struct sb_conn *c, Sockbroker__Request *req, int result,
    Sockbroker__Response **out)
{
	return (conn_exchange(c, req, result, out, NULL));
}

/*
 * Sends req, whose answer is an EmptyReply with a descriptor. Returns the
 * descriptor, or -1 with errno and the last error set.
 */
int
conn_call_fd(struct sb_conn *c, Sockbroker__Request *req)
{
	Sockbroker__Response	*resp;
	int			 fd = -1;

	if (conn_exchange(c, req, SOCKBROKER__RESPONSE__RESULT_EMPTY, &resp,
	    &fd) == -1) {
		if (fd != -1)
			close(fd);
		return (-1);
	}
	sockbroker__response__free_unpacked(resp, NULL);
	if (fd == -1)
		return (conn_oserror(EMFILE, "no descriptor came with the "
		    "reply"));
	return (fd);
}

/*
 * Sends req, whose answer is a HandleReply that may bring the handle's
 * channel: 0 with the Response in *out and the descriptor in *fdp (-1 if
 * none came), or -1 with errno and the last error set.
 */
int
conn_call_handle(struct sb_conn *c, Sockbroker__Request *req,
    Sockbroker__Response **out, int *fdp)
{
	*fdp = -1;
	if (conn_exchange(c, req, SOCKBROKER__RESPONSE__RESULT_HANDLE, out,
	    fdp) == -1) {
		if (*fdp != -1)
			close(*fdp);
		*fdp = -1;
		return (-1);
	}
	return (0);
}

/*
 * conn_call's work; with fdp set, the call takes the descriptor of its
 * EmptyReply (or of a HandleReply with a channel) into *fdp (-1 if none
 * came); without, one that came anyway is closed.
 */
static int
conn_exchange(struct sb_conn *c, Sockbroker__Request *req, int result,
    Sockbroker__Response **out, int *fdp)
{
	struct conn_call	 call;
	uint8_t			*frame;
	size_t			 len;
	int			 r, error;

	memset(&call, 0, sizeof call);
	call.wantfd = fdp != NULL;
	if (conn_call_begin(c, &call) == -1)
		return (-1);
	req->id = call.id;
	if (sbp_frame_pack(&req->base, c->max_frame, &frame, &len) == -1) {
		error = errno;
		conn_call_abandon(c, &call);
		return (conn_oserror(error, error == EMSGSIZE ?
		    "request too large" : "cannot pack request"));
	}
	r = conn_write(c, frame, len);
	free(frame);
	if (r == -1) {
		pthread_mutex_lock(&c->lock);
		conn_salvage(c);
		conn_break(c, "write to sockbrokerd failed");
		pthread_mutex_unlock(&c->lock);
	}
	r = conn_call_end(c, &call, result, out);
	if (fdp != NULL)
		*fdp = call.fd;
	else if (call.fd != -1)
		close(call.fd);
	return (r);
}

/*
 * Registers call (zeroed, wantfd set as needed) with a fresh id, for a
 * request sent some other way than conn_call (a channel's SEND carries the
 * id). 0, or -1 with errno if the connection is broken.
 */
int
conn_call_begin(struct sb_conn *c, struct conn_call *call)
{
	const char	*why;
	int		 error;

	call->fd = -1;
	pthread_mutex_lock(&c->lock);
	if (c->broken) {
		why = c->why;
		error = c->brkerr;
		pthread_mutex_unlock(&c->lock);
		return (conn_broken(error, why));
	}
	call->id = ++c->next_id;
	TAILQ_INSERT_TAIL(&c->calls, call, entry);
	pthread_mutex_unlock(&c->lock);
	return (0);
}

/*
 * Waits for the answer of a call registered by conn_call_begin: 0 with
 * the Response (of type result) in *out, or -1 with errno.
 */
int
conn_call_end(struct sb_conn *c, struct conn_call *call, int result,
    Sockbroker__Response **out)
{
	const char	*why;
	int		 error;

	pthread_mutex_lock(&c->lock);
	conn_wait(c, call);
	TAILQ_REMOVE(&c->calls, call, entry);
	why = c->why;
	error = c->brkerr;
	pthread_mutex_unlock(&c->lock);
	if (!call->done)
		return (conn_broken(error, why));
	return (conn_result(c, call->resp, result, out));
}

/*
 * The count of a CountReply (freed here) that may be at most len, or -1
 * (a larger one breaks the connection).
 */
ssize_t
conn_count(struct sb_conn *c, Sockbroker__Response *resp, size_t len)
{
	uint64_t	 count = resp->count->count;

	sockbroker__response__free_unpacked(resp, NULL);
	if (count > len)
		return (conn_protoerror(c, "bad count in response"));
	return ((ssize_t)count);
}

/* Forgets a registered call whose request never went out. */
void
conn_call_abandon(struct sb_conn *c, struct conn_call *call)
{
	pthread_mutex_lock(&c->lock);
	TAILQ_REMOVE(&c->calls, call, entry);
	pthread_mutex_unlock(&c->lock);
	if (call->done)
		sockbroker__response__free_unpacked(call->resp, NULL);
	if (call->fd != -1)
		close(call->fd);
}

/* Waits until call is answered or the connection breaks; c->lock held. */
static void
conn_wait(struct sb_conn *c, struct conn_call *call)
{
	Sockbroker__Response	*resp;
	const char		*why = NULL;

	while (!call->done && !c->broken) {
		if (c->reading) {
			pthread_cond_wait(&c->cond, &c->lock);
			continue;
		}
		c->reading = 1;
		pthread_mutex_unlock(&c->lock);
		resp = conn_read(c, &why);
		/* Over ssh, ssh's own words say best why it ended. */
		if (resp == NULL && c->ssh != NULL && c->rerr != ETIMEDOUT)
			why = conn_ssh_lost(c->ssh, c->fd, why);
		pthread_mutex_lock(&c->lock);
		c->reading = 0;
		if (resp == NULL) {
			if (!c->broken && c->rerr != 0)
				c->brkerr = c->rerr;
			conn_break(c, why);
		}
		else
			conn_deliver(c, resp);
		pthread_cond_broadcast(&c->cond);
	}
}

/*
 * Whether a descriptor came with resp: a passfd or channel EmptyReply to
 * a call that wants one, or a HandleReply that says so.
 */
static int
conn_hasfd(const Sockbroker__Response *resp, int wantfd)
{
	if (resp->error != NULL)
		return (0);
	if (resp->result_case == SOCKBROKER__RESPONSE__RESULT_HANDLE)
		return (resp->handle->has_channel && resp->handle->channel);
	return (wantfd &&
	    resp->result_case == SOCKBROKER__RESPONSE__RESULT_EMPTY);
}

/*
 * Hands a Response to the call waiting for its id, with the descriptor
 * that came with it (one nobody waits for is closed, so that the next goes
 * to its own reply); c->lock is held.
 */
static void
conn_deliver(struct sb_conn *c, Sockbroker__Response *resp)
{
	struct conn_call	*call;
	int			 fd;

	if (resp->id == 0 && resp->error != NULL) {
		conn_refused(c, resp->error);
		sockbroker__response__free_unpacked(resp, NULL);
		return;
	}
	TAILQ_FOREACH(call, &c->calls, entry) {
		if (call->id == resp->id && !call->done) {
			if (conn_hasfd(resp, call->wantfd))
				call->fd = conn_fd_pop(c);
			call->resp = resp;
			call->done = 1;
			return;
		}
	}
	if (conn_hasfd(resp, 0) && (fd = conn_fd_pop(c)) != -1)
		close(fd);
	sockbroker__response__free_unpacked(resp, NULL);
}

/* Turns a Response into 0 and *out, or -1 for an error or a wrong type. */
static int
conn_result(struct sb_conn *c, Sockbroker__Response *resp, int result,
    Sockbroker__Response **out)
{
	if (resp->error != NULL) {
		conn_error(resp->error);
		sockbroker__response__free_unpacked(resp, NULL);
		return (-1);
	}
	if ((int)resp->result_case != result) {
		sockbroker__response__free_unpacked(resp, NULL);
		return (conn_protoerror(c, "unexpected response type"));
	}
	*out = resp;
	return (0);
}

/* Marks the connection broken and wakes everyone; c->lock is held. */
void
conn_break(struct sb_conn *c, const char *why)
{
	if (!c->broken) {
		c->broken = 1;
		c->why = why;
		if (c->fd != -1)
			shutdown(c->fd, SHUT_RDWR);
	}
	pthread_cond_broadcast(&c->cond);
}

/*
 * The daemon said, with a Response of id 0, why it drops the connection:
 * break it with that errno and message. c->lock is held.
 */
void
conn_refused(struct sb_conn *c, const Sockbroker__Error *e)
{
	if (c->broken)
		return;
	snprintf(c->brkmsg, sizeof c->brkmsg, "%s", e->message != NULL &&
	    *e->message != '\0' ? e->message : "refused by sockbrokerd");
	c->brkerr = e->errnum > 0 ? e->errnum : ECONNRESET;
	conn_break(c, c->brkmsg);
}
