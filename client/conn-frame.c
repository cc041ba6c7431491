/* SPDX-License-Identifier: ISC */
/*
 * Framing on the connection: one whole Request frame written at a time
 * (under c->wlock, so that frames of different threads never interleave),
 * Response frames read into c->rbuf (only by the thread that is the reader,
 * see conn-call.c), with any descriptors that come along taken onto the
 * descriptor queue (conn-fd.c).
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static int	 conn_read_more(struct sb_conn *, const char **);
static ssize_t	 conn_recv(struct sb_conn *, uint8_t *, size_t);

/* Writes one whole frame, under the write lock. */
int
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
Sockbroker__Response *
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
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		/* SO_RCVTIMEO, set only while sb_open waits for Hello. */
		c->rerr = ETIMEDOUT;
		*why = "sockbrokerd did not answer in time";
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

/*
 * A write failed: the daemon may have closed the connection after saying
 * why (a refusal sent before it read anything). Reads what already came,
 * without waiting, and takes such a Response of id 0 from the front.
 * c->lock is held; nothing is read while another thread is the reader.
 */
void
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
