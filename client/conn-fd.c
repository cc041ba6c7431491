/* SPDX-License-Identifier: ISC */
/*
 * The descriptors that come with replies. A passfd reply brings one
 * (SCM_RIGHTS) with or before its frame's bytes: the reader pushes every
 * descriptor it receives here, and when it hands an EmptyReply to a call that
 * waits for a descriptor, it pops the oldest one for it. The daemon sends
 * replies in order, so that one is the reply's own.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/* Keeps a received descriptor until a call claims it (closed if no room). */
void
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
int
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
