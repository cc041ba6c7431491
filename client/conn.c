/* SPDX-License-Identifier: ISC */
/*
 * The connection to sockbrokerd: connecting and Hello, framing I/O, the
 * request/response machinery, the per-handle table and the last error.
 *
 * Threads share a connection. A call registers itself (a struct conn_call on
 * its own stack, with a fresh id) in c->calls, packs its Request and writes
 * the whole frame under c->wlock, so frames of different threads never
 * interleave. Then it waits for its Response, leader/follower style: under
 * c->lock, a waiting thread that finds nobody reading (c->reading == 0)
 * becomes the reader, drops the lock and reads one frame; back under the lock
 * it hands the Response to the call with that id (or frees it if nobody
 * waits for it), gives up the reader role and wakes every waiter with a
 * broadcast on c->cond. Each waiter then checks whether its own answer came;
 * if not, one of them takes the reader role for the next frame. Only the
 * reader touches c->rbuf, so the read buffer needs no lock.
 *
 * A passfd reply brings a descriptor (SCM_RIGHTS) with or before its
 * frame's bytes. The reader reads with recvmsg() and pushes every descriptor
 * it receives onto c->fds; when it hands an EmptyReply to a call that waits
 * for a descriptor, it pops the oldest one for it. The daemon sends replies
 * in order, so that one is the reply's own.
 *
 * Any failure of the stream (EOF, a read or write error, an oversized or
 * malformed frame, a response of the wrong type) breaks the connection:
 * c->broken is set, the socket is shut down so that blocked readers and
 * writers return, all waiters are woken, and every call from then on fails
 * at once with ECONNRESET and kind SB_ERR_PROTOCOL. A Response with id 0
 * is about the connection, not a request: if it carries an Error (the
 * daemon turning us away, "too many clients"), the connection breaks with
 * that errno and message instead.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static int	 conn_connect(struct sb_conn *, const char *);
static int	 conn_hello(struct sb_conn *);
static int	 conn_hello_copy(struct sb_conn *, const Sockbroker__HelloReply *);
static void	 conn_break(struct sb_conn *, const char *);
static int	 conn_write(struct sb_conn *, const uint8_t *, size_t);
static Sockbroker__Response *conn_read(struct sb_conn *, const char **);
static int	 conn_read_more(struct sb_conn *, const char **);
static ssize_t	 conn_recv(struct sb_conn *, uint8_t *, size_t);
static void	 conn_fd_push(struct sb_conn *, int);
static int	 conn_fd_pop(struct sb_conn *);
static int	 conn_exchange(struct sb_conn *, Sockbroker__Request *, int,
		     Sockbroker__Response **, int *);
static void	 conn_deliver(struct sb_conn *, Sockbroker__Response *);
static void	 conn_wait(struct sb_conn *, struct conn_call *);
static int	 conn_result(struct sb_conn *, Sockbroker__Response *, int,
		     Sockbroker__Response **);
static void	 conn_error(const Sockbroker__Error *);
static void	 conn_refused(struct sb_conn *, const Sockbroker__Error *);
static void	 conn_salvage(struct sb_conn *);
static int	 conn_broken(int, const char *);
static struct conn_handle *conn_handle_find(struct sb_conn *, int);

static __thread char		conn_lastmsg[256];
static __thread struct sb_error	conn_lasterr = { 0, SB_ERR_OS, "" };

/* The last error of a call made by this thread. */
SB_EXPORT const struct sb_error *
sb_lasterror(void)
{
	return (&conn_lasterr);
}

/* Records the last error of this thread; msg may be NULL. */
void
conn_seterror(int errnum, enum sb_error_kind kind, const char *msg)
{
	snprintf(conn_lastmsg, sizeof conn_lastmsg, "%s",
	    msg != NULL ? msg : "");
	conn_lasterr.errnum = errnum;
	conn_lasterr.kind = kind;
	conn_lasterr.message = conn_lastmsg;
}

/* Fails a call with an errno of our own: returns -1 with errno set. */
int
conn_oserror(int errnum, const char *msg)
{
	conn_seterror(errnum, SB_ERR_OS, msg);
	errno = errnum;
	return (-1);
}

/* Breaks the connection for a malformed reply and fails the call. */
int
conn_protoerror(struct sb_conn *c, const char *why)
{
	pthread_mutex_lock(&c->lock);
	conn_break(c, why);
	pthread_mutex_unlock(&c->lock);
	conn_seterror(ECONNRESET, SB_ERR_PROTOCOL, why);
	errno = ECONNRESET;
	return (-1);
}

/* Checks the connection argument of a public call. */
int
conn_valid(struct sb_conn *c)
{
	if (c == NULL)
		return (conn_oserror(EINVAL, "no connection"));
	return (0);
}

/* Connects to the daemon at path (or the default) and exchanges Hello. */
SB_EXPORT sb_conn *
sb_open(const char *path)
{
	struct sb_conn	*c;
	int		 saved;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		conn_oserror(ENOMEM, "out of memory");
		return (NULL);
	}
	c->fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->wlock, NULL);
	pthread_cond_init(&c->cond, NULL);
	TAILQ_INIT(&c->calls);
	c->max_frame = SBP_MIN_FRAME;
	c->deftimeout = SB_TIMEOUT_NONE;
	c->rsize = CONN_RBUF_SIZE;
	c->rbuf = malloc(c->rsize);
	c->handles = calloc(CONN_HANDLE_SLOTS, sizeof *c->handles);
	if (c->rbuf == NULL || c->handles == NULL) {
		conn_oserror(ENOMEM, "out of memory");
		goto fail;
	}
	if (conn_connect(c, path) == -1 || conn_hello(c) == -1)
		goto fail;
	return (c);

fail:
	saved = errno;
	sb_close_conn(c);
	errno = saved;
	return (NULL);
}

/* Closes the connection and frees it; the daemon closes its handles. */
SB_EXPORT void
sb_close_conn(sb_conn *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	if (c->fd != -1)
		close(c->fd);
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	free(c->fds);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->lock);
	free(c->families);
	free(c->handles);
	free(c->rbuf);
	free(c);
}

/* What the daemon said in Hello. */
SB_EXPORT const struct sb_info *
sb_info(sb_conn *c)
{
	if (conn_valid(c) == -1)
		return (NULL);
	return (&c->info);
}

/* Opens the UNIX stream socket to the daemon. */
static int
conn_connect(struct sb_conn *c, const char *path)
{
	struct sockaddr_un	 sun;

	if (path == NULL || *path == '\0')
		path = getenv("SOCKBROKER_SOCKET");
	if (path == NULL || *path == '\0')
		path = SB_DEFAULT_SOCKET;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (conn_oserror(ENAMETOOLONG, "socket path too long"));
	memcpy(sun.sun_path, path, strlen(path));

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return (conn_oserror(errno, "cannot create socket"));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		return (conn_oserror(errno, "cannot connect to sockbrokerd"));
	return (0);
}

/* Sends Hello and keeps what the daemon answers. */
static int
conn_hello(struct sb_conn *c)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__HelloRequest hello = SOCKBROKER__HELLO_REQUEST__INIT;
	Sockbroker__Response	*resp;
	int			 r;

	hello.version = SBP_VERSION;
	hello.has_max_frame = 1;
	hello.max_frame = SBP_MAX_FRAME;
	req.op_case = SOCKBROKER__REQUEST__OP_HELLO;
	req.hello = &hello;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_HELLO, &resp) == -1)
		return (-1);
	r = conn_hello_copy(c, resp->hello);
	sockbroker__response__free_unpacked(resp, NULL);
	return (r);
}

/* Checks a HelloReply and copies it into the connection. */
static int
conn_hello_copy(struct sb_conn *c, const Sockbroker__HelloReply *h)
{
	size_t	 i, max_data;

	if (h->version != SBP_VERSION)
		return (conn_oserror(EPROTO, "protocol version mismatch"));
	if (h->max_frame < SBP_MIN_FRAME || h->max_data == 0)
		return (conn_oserror(EPROTO, "bad limits in hello"));

	if (h->n_families > 0) {
		c->families = calloc(h->n_families, sizeof *c->families);
		if (c->families == NULL)
			return (conn_oserror(ENOMEM, "out of memory"));
		for (i = 0; i < h->n_families; i++)
			c->families[i] = h->families[i];
	}
	c->info.version = h->version;
	c->info.max_frame = h->max_frame;
	c->info.max_handles = h->max_handles;
	c->info.max_data = h->max_data;
	c->info.fd_passing = h->fd_passing ? 1 : 0;
	c->info.nfamilies = h->n_families;
	c->info.families = c->families;

	/* A payload must fit both the daemon's frames and ours. */
	c->max_frame = h->max_frame;
	max_data = h->max_data;
	if (max_data > h->max_frame - SBP_FRAME_OVERHEAD)
		max_data = h->max_frame - SBP_FRAME_OVERHEAD;
	if (max_data > SBP_MAX_FRAME - SBP_FRAME_OVERHEAD)
		max_data = SBP_MAX_FRAME - SBP_FRAME_OVERHEAD;
	c->max_data = max_data;
	return (0);
}

/* Marks the connection broken and wakes everyone; c->lock is held. */
static void
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

/* Writes one whole frame, under the write lock. */
static int
conn_write(struct sb_conn *c, const uint8_t *buf, size_t len)
{
	ssize_t	 n;
	int	 r = 0;

	pthread_mutex_lock(&c->wlock);
	while (len > 0) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = -1;
			break;
		}
		buf += n;
		len -= n;
	}
	pthread_mutex_unlock(&c->wlock);
	return (r);
}

/* Reads the next Response; NULL with a static reason in *why. */
static Sockbroker__Response *
conn_read(struct sb_conn *c, const char **why)
{
	Sockbroker__Response	*resp;
	size_t			 len, used;
	int			 r;

	for (;;) {
		r = sbp_frame_check(c->rbuf, c->rlen, SBP_MAX_FRAME, &len);
		if (r == -1) {
			*why = "response frame too large";
			return (NULL);
		}
		if (r == 1)
			break;
		if (conn_read_more(c, why) == -1)
			return (NULL);
	}
	resp = sbp_response_unpack(c->rbuf + SBP_FRAME_HEADER, len);
	used = SBP_FRAME_HEADER + len;
	memmove(c->rbuf, c->rbuf + used, c->rlen - used);
	c->rlen -= used;
	if (resp == NULL)
		*why = "malformed response";
	return (resp);
}

/* Reads more bytes into the read buffer, growing it up to one frame. */
static int
conn_read_more(struct sb_conn *c, const char **why)
{
	uint8_t	*p;
	size_t	 size, max = SBP_FRAME_HEADER + SBP_MAX_FRAME;
	ssize_t	 n;

	if (c->rlen == c->rsize) {
		if (c->rsize >= max) {
			*why = "response frame too large";
			return (-1);
		}
		size = c->rsize * 2 > max ? max : c->rsize * 2;
		if ((p = realloc(c->rbuf, size)) == NULL) {
			*why = "out of memory";
			return (-1);
		}
		c->rbuf = p;
		c->rsize = size;
	}
	do
		n = conn_recv(c, c->rbuf + c->rlen, c->rsize - c->rlen);
	while (n == -1 && errno == EINTR);
	if (n == 0) {
		*why = "connection closed by sockbrokerd";
		return (-1);
	}
	if (n == -1) {
		*why = "read from sockbrokerd failed";
		return (-1);
	}
	c->rlen += n;
	return (0);
}

/*
 * Reads bytes into buf like read(), taking any descriptors that come with
 * them onto c->fds (close-on-exec).
 */
static ssize_t
conn_recv(struct sb_conn *c, uint8_t *buf, size_t len)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(8 * sizeof(int))];
	} cbuf;
	ssize_t		 n;
	size_t		 i, nfd;
	int		 fd;

	memset(&msg, 0, sizeof msg);
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	if ((n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC)) == -1)
		return (-1);
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof fd);
			conn_fd_push(c, fd);
		}
	}
	return (n);
}

/* Keeps a received descriptor until a call claims it (closed if no room). */
static void
conn_fd_push(struct sb_conn *c, int fd)
{
	int	*p;
	size_t	 size;

	if (c->nfds == c->fdsize) {
		size = c->fdsize == 0 ? 8 : c->fdsize * 2;
		if ((p = reallocarray(c->fds, size, sizeof *p)) == NULL) {
			close(fd);
			return;
		}
		c->fds = p;
		c->fdsize = size;
	}
	c->fds[c->nfds++] = fd;
}

/* The oldest received descriptor, or -1 if none came. */
static int
conn_fd_pop(struct sb_conn *c)
{
	int	 fd;

	if (c->nfds == 0)
		return (-1);
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, (c->nfds - 1) * sizeof *c->fds);
	c->nfds--;
	return (fd);
}

/* Hands a Response to the call waiting for its id; c->lock is held. */
static void
conn_deliver(struct sb_conn *c, Sockbroker__Response *resp)
{
	struct conn_call	*call;

	if (resp->id == 0 && resp->error != NULL) {
		conn_refused(c, resp->error);
		sockbroker__response__free_unpacked(resp, NULL);
		return;
	}
	TAILQ_FOREACH(call, &c->calls, entry) {
		if (call->id == resp->id && !call->done) {
			if (call->wantfd && resp->error == NULL &&
			    resp->result_case ==
			    SOCKBROKER__RESPONSE__RESULT_EMPTY)
				call->fd = conn_fd_pop(c);
			call->resp = resp;
			call->done = 1;
			return;
		}
	}
	sockbroker__response__free_unpacked(resp, NULL);
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
		pthread_mutex_lock(&c->lock);
		c->reading = 0;
		if (resp == NULL)
			conn_break(c, why);
		else
			conn_deliver(c, resp);
		pthread_cond_broadcast(&c->cond);
	}
}

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
 * conn_call's work; with fdp set, the call takes the descriptor of its
 * EmptyReply into *fdp (-1 if none came).
 */
static int
conn_exchange(struct sb_conn *c, Sockbroker__Request *req, int result,
    Sockbroker__Response **out, int *fdp)
{
	struct conn_call	 call;
	const char		*why;
	uint8_t			*frame;
	size_t			 len;
	int			 r, error;

	memset(&call, 0, sizeof call);
	call.wantfd = fdp != NULL;
	call.fd = -1;
	pthread_mutex_lock(&c->lock);
	if (c->broken) {
		why = c->why;
		error = c->brkerr;
		pthread_mutex_unlock(&c->lock);
		return (conn_broken(error, why));
	}
	req->id = call.id = ++c->next_id;
	TAILQ_INSERT_TAIL(&c->calls, &call, entry);
	pthread_mutex_unlock(&c->lock);

	if (sbp_frame_pack(&req->base, c->max_frame, &frame, &len) == -1) {
		error = errno;
		pthread_mutex_lock(&c->lock);
		TAILQ_REMOVE(&c->calls, &call, entry);
		pthread_mutex_unlock(&c->lock);
		return (conn_oserror(error, error == EMSGSIZE ?
		    "request too large" : "cannot pack request"));
	}
	r = conn_write(c, frame, len);
	free(frame);

	pthread_mutex_lock(&c->lock);
	if (r == -1) {
		conn_salvage(c);
		conn_break(c, "write to sockbrokerd failed");
	}
	conn_wait(c, &call);
	TAILQ_REMOVE(&c->calls, &call, entry);
	why = c->why;
	error = c->brkerr;
	pthread_mutex_unlock(&c->lock);

	if (fdp != NULL)
		*fdp = call.fd;
	if (!call.done)
		return (conn_broken(error, why));
	return (conn_result(c, call.resp, result, out));
}

/* Fails a call on a broken connection: errnum (0: ECONNRESET) and why. */
static int
conn_broken(int errnum, const char *why)
{
	if (errnum == 0)
		errnum = ECONNRESET;
	conn_seterror(errnum, SB_ERR_PROTOCOL, why);
	errno = errnum;
	return (-1);
}

/*
 * The daemon said, with a Response of id 0, why it drops the connection:
 * break it with that errno and message. c->lock is held.
 */
static void
conn_refused(struct sb_conn *c, const Sockbroker__Error *e)
{
	if (c->broken)
		return;
	snprintf(c->brkmsg, sizeof c->brkmsg, "%s", e->message != NULL &&
	    *e->message != '\0' ? e->message : "refused by sockbrokerd");
	c->brkerr = e->errnum > 0 ? e->errnum : ECONNRESET;
	conn_break(c, c->brkmsg);
}

/*
 * A write failed: the daemon may have closed the connection after saying
 * why (a refusal sent before it read anything). Reads what already came,
 * without waiting, and takes such a Response of id 0 from the front.
 * c->lock is held; nothing is read while another thread is the reader.
 */
static void
conn_salvage(struct sb_conn *c)
{
	Sockbroker__Response	*resp;
	size_t			 len;
	ssize_t			 n;

	if (c->reading || c->broken)
		return;
	while (c->rlen < c->rsize) {
		n = recv(c->fd, c->rbuf + c->rlen, c->rsize - c->rlen,
		    MSG_DONTWAIT);
		if (n <= 0)
			break;
		c->rlen += n;
	}
	if (sbp_frame_check(c->rbuf, c->rlen, SBP_MAX_FRAME, &len) != 1)
		return;
	resp = sbp_response_unpack(c->rbuf + SBP_FRAME_HEADER, len);
	if (resp == NULL)
		return;
	if (resp->id == 0 && resp->error != NULL)
		conn_refused(c, resp->error);
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

/*
 * Sets errno and the last error from the daemon's Error. An EAI_* or h_errno
 * value is no errno: those kinds leave EIO in errno and the code in
 * sb_lasterror().
 */
static void
conn_error(const Sockbroker__Error *e)
{
	enum sb_error_kind	kind;
	int			errnum = e->errnum;

	switch (e->kind) {
	case SOCKBROKER__ERROR__KIND__GAI:
		kind = SB_ERR_GAI;
		break;
	case SOCKBROKER__ERROR__KIND__HERROR:
		kind = SB_ERR_HERROR;
		break;
	case SOCKBROKER__ERROR__KIND__TIMEOUT:
		kind = SB_ERR_TIMEOUT;
		break;
	case SOCKBROKER__ERROR__KIND__PROTOCOL:
		kind = SB_ERR_PROTOCOL;
		break;
	case SOCKBROKER__ERROR__KIND__POLICY:
		kind = SB_ERR_POLICY;
		break;
	default:
		kind = SB_ERR_OS;
		break;
	}
	if (kind != SB_ERR_GAI && kind != SB_ERR_HERROR && errnum <= 0)
		errnum = EIO;
	conn_seterror(errnum, kind, e->message);
	if (kind == SB_ERR_GAI || kind == SB_ERR_HERROR)
		errno = EIO;
	else
		errno = errnum;
}

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

/*
 * Converts a caller's sockaddr to an Address; protocol is that of the socket
 * it is for (0 when there is none), which tells CAN and Bluetooth forms apart.
 */
int
conn_address_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, int protocol)
{
	const char	*cause = NULL;

	if (sa == NULL)
		return (conn_oserror(EFAULT, "no address"));
	if (sbp_address_from_sockaddr(out, sa, len, protocol, &cause) == -1)
		return (conn_oserror(errno, cause));
	return (0);
}

/*
 * Converts a reply's Address into the caller's buffer, truncated to *addrlen
 * bytes; *addrlen becomes the true length (0 when there is no address).
 */
int
conn_address_to(struct sb_conn *c, const Sockbroker__Address *a,
    struct sockaddr *addr, socklen_t *addrlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*cause = NULL;

	if (addr == NULL || addrlen == NULL)
		return (0);
	if (a == NULL) {
		*addrlen = 0;
		return (0);
	}
	memset(&ss, 0, sizeof ss);
	if (sbp_address_to_sockaddr(a, &ss, &len, &cause) == -1)
		return (conn_protoerror(c, "bad address in response"));
	memcpy(addr, &ss, len < *addrlen ? len : *addrlen);
	*addrlen = len;
	return (0);
}
