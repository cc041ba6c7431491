/* SPDX-License-Identifier: ISC */
/*
 * The connection to sockbrokerd: connecting, the Hello exchange and closing.
 * sb_open gives up after a timeout (SOCKBROKER_TIMEOUT seconds, 10 by
 * default) if the daemon does not answer: one that is stopped or stalled
 * leaves the connection in its backlog, unanswered. An ssh:// path runs
 * ssh instead (conn-ssh.c), and the timeout covers its whole start.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static int	 conn_connect(struct sb_conn *, const char *, double);
static int	 conn_hello(struct sb_conn *);
static int	 conn_hello_copy(struct sb_conn *, const Sockbroker__HelloReply *);
static double	 conn_open_timeout(void);
static int	 conn_open_channels(void);
static int	 conn_settimeo(int, int, double);
static void	 conn_free(struct sb_conn *);
static void	 conn_forget_calls(struct sb_conn *);

/* Checks the connection argument of a public call. */
int
conn_valid(struct sb_conn *c)
{
	if (c == NULL)
		return (conn_oserror(EINVAL, "no connection"));
	return (0);
}

/*
 * Connects to the daemon at path (or the default) and exchanges Hello, giving
 * up with ETIMEDOUT if that takes longer than conn_open_timeout().
 */
SB_EXPORT sb_conn *
sb_open(const char *path)
{
	struct sb_conn	*c;
	double		 deadline;
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
	deadline = conn_now() + conn_open_timeout();
	if (conn_connect(c, path, deadline) == -1)
		goto fail;
	if (conn_settimeo(c->fd, SO_RCVTIMEO, deadline) == -1 ||
	    conn_settimeo(c->fd, SO_SNDTIMEO, deadline) == -1) {
		conn_oserror(errno, "cannot set the socket's timeout");
		goto fail;
	}
	if (conn_hello(c) == -1)
		goto fail;
	conn_ssh_opened(c);
	c->channels = conn_open_channels();
	/* From now on calls wait as long as their handles' timeouts say. */
	if (conn_settimeo(c->fd, SO_RCVTIMEO, 0) == -1 ||
	    conn_settimeo(c->fd, SO_SNDTIMEO, 0) == -1) {
		conn_oserror(errno, "cannot clear the socket's timeout");
		goto fail;
	}
	return (c);

fail:
	conn_ssh_failed(c, errno);
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
	/* Streams' channels drain first, as sb_close lets them. */
	for (i = 0; i < CONN_HANDLE_SLOTS; i++) {
		if (c->handles != NULL && c->handles[i].handle != 0 &&
		    c->handles[i].chanfd != -1 &&
		    c->handles[i].type == SOCK_STREAM)
			sb_close(c, c->handles[i].handle);
	}
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->lock);
	conn_free(c);
}

/*
 * Forgets the connection in a child after fork(): closes its descriptors
 * and frees it, sending nothing and taking none of its locks that another
 * thread of the parent may have held.
 */
SB_EXPORT void
sb_forget_conn(sb_conn *c)
{
	if (c == NULL)
		return;
	conn_forget_calls(c);
	conn_free(c);
}

/*
 * The descriptors and answers that calls of other threads (which the child
 * does not have) took and never returned, released. Their list is walked
 * only if no thread held the lock at the fork: else it may be half
 * changed, and what those calls hold stays (the child's memory, no talk).
 */
static void
conn_forget_calls(struct sb_conn *c)
{
	struct conn_call	*call;

	if (pthread_mutex_trylock(&c->lock) != 0)
		return;
	TAILQ_FOREACH(call, &c->calls, entry) {
		if (call->fd != -1)
			close(call->fd);
		if (call->done && call->resp != NULL)
			sockbroker__response__free_unpacked(call->resp, NULL);
	}
	pthread_mutex_unlock(&c->lock);
}

/*
 * Closes the connection's descriptors (its socket, its handles' channels,
 * those received and not yet claimed) and frees its memory; its locks are
 * left as they are.
 */
static void
conn_free(struct sb_conn *c)
{
	size_t	 i;

	for (i = 0; c->handles != NULL && i < CONN_HANDLE_SLOTS; i++)
		if (c->handles[i].handle != 0 && c->handles[i].chanfd != -1)
			close(c->handles[i].chanfd);
	if (c->fd != -1)
		close(c->fd);
	conn_ssh_close(c);
	conn_ssh_free(c);
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	free(c->fds);
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

/*
 * Opens the UNIX stream socket to the daemon. A connect to a full backlog
 * waits until deadline (SO_SNDTIMEO bounds it), then fails with ETIMEDOUT.
 */
static int
conn_connect(struct sb_conn *c, const char *path, double deadline)
{
	struct sockaddr_un	 sun;
	const char		*from = conn_connect_from(path);

	if (path == NULL || *path == '\0')
		path = getenv("SOCKBROKER_SOCKET");
	if (path == NULL || *path == '\0')
		path = SB_DEFAULT_SOCKET;
	if (conn_ssh_is(path))
		return (conn_ssh_open(c, path));

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (conn_oserror(ENAMETOOLONG, "socket path too long"));
	memcpy(sun.sun_path, path, strlen(path));

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1)
		return (conn_oserror(errno, "cannot create socket"));
	if (conn_settimeo(c->fd, SO_SNDTIMEO, deadline) == -1)
		return (conn_oserror(errno, "cannot set the socket's timeout"));
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return (conn_oserror(ETIMEDOUT, "sockbrokerd did not "
			    "accept the connection in time"));
		return (conn_connect_error(path, from, errno));
	}
	return (0);
}

/*
 * Sets the SO_RCVTIMEO or SO_SNDTIMEO (which) of fd to the time left until
 * deadline (at least a millisecond), or clears it for deadline 0.
 */
static int
conn_settimeo(int fd, int which, double deadline)
{
	struct timeval	 tv = { 0, 0 };
	double		 left;

	if (deadline > 0) {
		left = deadline - conn_now();
		if (left < 0.001)
			left = 0.001;
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
	}
	return (setsockopt(fd, SOL_SOCKET, which, &tv, sizeof tv));
}

/*
 * sb_open's timeout: SOCKBROKER_TIMEOUT seconds if that is a positive
 * number, CONN_OPEN_TIMEOUT otherwise (unset, 0 or not a number).
 */
static double
conn_open_timeout(void)
{
	const char	*s = getenv("SOCKBROKER_TIMEOUT");
	char		*end;
	double		 t;

	if (s == NULL || *s == '\0')
		return (CONN_OPEN_TIMEOUT);
	t = strtod(s, &end);
	if (*end != '\0' || !isfinite(t) || t <= 0 || t > 1e6)
		return (CONN_OPEN_TIMEOUT);
	return (t);
}

/* Whether SOCKBROKER_CHANNELS asks for channels on every handle ("1"). */
static int
conn_open_channels(void)
{
	const char	*s = getenv("SOCKBROKER_CHANNELS");

	return (s != NULL && strcmp(s, "1") == 0);
}

/* Why this connection can have no descriptors: no channel, no fd-pass. */
const char *
conn_nofds(struct sb_conn *c)
{
	if (c->ssh != NULL)
		return ("no descriptors cross an ssh:// connection (no data "
		    "channel, no fd-pass): use the calls without one");
	return ("the daemon passes no descriptors: no data channel");
}

/* Monotonic time in seconds. */
double
conn_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
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
