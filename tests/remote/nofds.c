/* SPDX-License-Identifier: ISC */
/*
 * nofds URL: what cannot cross an ssh:// connection, from C
 * (tests/test_remote.sh runs it): Hello says fd passing is off, sb_passfd
 * and sb_fileno fail with EOPNOTSUPP and say why, sb_setchannels gives
 * new handles none and they still work by request. Exit status 0, or 1
 * after saying what went wrong.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockbroker.h"

static int	 nofds_refused(const char *, int);

/* Checks that a call (what) failed with EOPNOTSUPP, saying why. */
static int
nofds_refused(const char *what, int r)
{
	const struct sb_error	*e = sb_lasterror();

	if (r != -1 || errno != EOPNOTSUPP ||
	    strstr(e->message, "ssh://") == NULL) {
		fprintf(stderr, "nofds: %s: %d, errno %d (%s)\n", what, r,
		    errno, e->message);
		return (-1);
	}
	printf("%s: %s (%s)\n", what, strerror(errno), e->message);
	return (0);
}

/* Runs the checks on the connection to argv[1]. */
int
main(int argc, char **argv)
{
	sb_conn	*c;
	int	 h, h2, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: nofds URL\n");
		return (64);
	}
	if ((c = sb_open(argv[1])) == NULL) {
		fprintf(stderr, "nofds: sb_open: %s (%s)\n", strerror(errno),
		    sb_lasterror()->message);
		return (1);
	}
	if (sb_info(c)->fd_passing != 0) {
		fprintf(stderr, "nofds: Hello says fd passing is on\n");
		bad = 1;
	}
	if ((h = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    sb_setchannels(c, 1) == -1 ||
	    (h2 = sb_socket(c, AF_INET, SOCK_DGRAM, 0)) == -1) {
		fprintf(stderr, "nofds: sb_socket: %s\n", strerror(errno));
		return (1);
	}
	if (nofds_refused("sb_passfd", sb_passfd(c, h)) == -1 ||
	    nofds_refused("sb_fileno", sb_fileno(c, h)) == -1 ||
	    nofds_refused("sb_fileno (channels on)", sb_fileno(c, h2)) == -1)
		bad = 1;
	/* The handles still work, by request. */
	if (sb_send(c, h2, "x", 1, 0) != -1 || errno != EDESTADDRREQ) {
		fprintf(stderr, "nofds: sb_send by request: %s\n",
		    strerror(errno));
		bad = 1;
	}
	sb_close_conn(c);
	return (bad);
}
