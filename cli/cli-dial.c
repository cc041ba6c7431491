/* SPDX-License-Identifier: ISC */
/*
 * sockbroker dial-stdio [-s SOCKET]: connects to the local daemon and relays
 * standard input to it and what it sends to standard output, for a client at
 * the other end of an ssh connection (libsockbroker's ssh://, run by sshd as
 * the logged-in user, so the daemon sees that user through SO_PEERCRED).
 *
 * Only bytes cross: the relay holds no state of the protocol and passes no
 * descriptors (any the daemon sends are closed here). The end of standard
 * input becomes shutdown(SHUT_WR) on the daemon's socket; the daemon's end
 * of stream closes standard output and ends the relay.
 *
 * Exit status (DIAL_EXIT_*): 0 the daemon closed after standard input
 * ended (a clean end); 1 no connection to the daemon (said on stderr,
 * "sockbroker: cannot talk to sockbrokerd: ..."); 3 the daemon closed while
 * standard input was still open; 4 standard input or output failed (the
 * client side went away); 5 the connection to the daemon failed; 64 usage.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DIAL_EXIT_DONE		0
#define DIAL_EXIT_NODAEMON	CLI_EXIT_ERROR
#define DIAL_EXIT_DAEMON	3
#define DIAL_EXIT_CLIENT	4
#define DIAL_EXIT_SOCKET	5

#define DIAL_BUF		(64 * 1024)

/* One direction of the relay: bytes read from one side, not yet written. */
struct dial_dir {
	int	 from;
	int	 to;
	int	 eof;		/* from is done */
	size_t	 off;
	size_t	 len;
	uint8_t	 buf[DIAL_BUF];
};

static int	 cli_dial_connect(const char *);
static int	 cli_dial_relay(int);
static int	 cli_dial_step(struct dial_dir *, struct dial_dir *,
		     struct pollfd *);
static ssize_t	 cli_dial_read(int, void *, size_t, int);
static int	 cli_dial_write(struct dial_dir *);
static int	 cli_dial_nonblock(int, int *);

/* Relays standard input and output to the daemon; see the top. */
int
cli_dial_exec(const char *path, int argc, char **argv)
{
	int	 ch, fd, r, fl0 = -1, fl1 = -1;

	optind = 1;
	while ((ch = getopt(argc, argv, "s:")) != -1) {
		if (ch != 's')
			return (cli_usage(argv[0]));
		path = optarg;
	}
	if (optind != argc)
		return (cli_usage(argv[0]));
	if ((fd = cli_dial_connect(path)) == -1)
		return (DIAL_EXIT_NODAEMON);
	signal(SIGPIPE, SIG_IGN);
	if (cli_dial_nonblock(STDIN_FILENO, &fl0) == -1 ||
	    cli_dial_nonblock(STDOUT_FILENO, &fl1) == -1 ||
	    cli_dial_nonblock(fd, NULL) == -1) {
		fprintf(stderr, "sockbroker dial-stdio: %s\n", strerror(errno));
		r = DIAL_EXIT_CLIENT;
	} else
		r = cli_dial_relay(fd);
	/* Standard input and output may be shared with others: as they were. */
	if (fl0 != -1)
		(void)fcntl(STDIN_FILENO, F_SETFL, fl0);
	if (fl1 != -1)
		(void)fcntl(STDOUT_FILENO, F_SETFL, fl1);
	close(fd);
	return (r);
}

/*
 * Connects to the daemon's socket at path (NULL: $SOCKBROKER_SOCKET, then
 * the default); -1 after saying why on stderr.
 */
static int
cli_dial_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	if (path == NULL || *path == '\0')
		path = getenv("SOCKBROKER_SOCKET");
	if (path == NULL || *path == '\0')
		path = SB_DEFAULT_SOCKET;
	if (strncmp(path, "ssh://", 6) == 0) {
		fprintf(stderr, "sockbroker: cannot talk to sockbrokerd: "
		    "dial-stdio takes a local socket, not %s\n", path);
		return (-1);
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "sockbroker: cannot talk to sockbrokerd: "
		    "socket path too long: %s\n", path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "sockbroker: cannot talk to sockbrokerd: "
		    "%s: %s\n", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	return (fd);
}

/* Sets O_NONBLOCK on fd, keeping its flags before in *old if asked. */
static int
cli_dial_nonblock(int fd, int *old)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	if (old != NULL)
		*old = fl;
	return (fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

/* Relays between standard input and output and the daemon's socket fd. */
static int
cli_dial_relay(int fd)
{
	static struct dial_dir	 up, down;
	struct pollfd		 pfd[4];
	int			 r;

	up.from = STDIN_FILENO;
	up.to = fd;
	down.from = fd;
	down.to = STDOUT_FILENO;
	for (;;) {
		/* Read a side only while its bytes have somewhere to go. */
		pfd[0].fd = up.len == 0 && !up.eof ? up.from : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = up.len > 0 ? up.to : -1;
		pfd[1].events = POLLOUT;
		pfd[2].fd = down.len == 0 ? down.from : -1;
		pfd[2].events = POLLIN;
		/* Watched even with nothing to write: a reader gone (POLLERR). */
		pfd[3].fd = down.to;
		pfd[3].events = down.len > 0 ? POLLOUT : 0;
		if (poll(pfd, 4, -1) == -1) {
			if (errno == EINTR)
				continue;
			return (DIAL_EXIT_CLIENT);
		}
		if ((r = cli_dial_step(&up, &down, pfd)) != -1)
			return (r);
	}
}

/*
 * Does what poll said can be done: -1 to go on, or the exit status once
 * the relay is over.
 */
static int
cli_dial_step(struct dial_dir *up, struct dial_dir *down, struct pollfd *pfd)
{
	ssize_t	 n;

	if (pfd[0].revents != 0) {
		if ((n = cli_dial_read(up->from, up->buf, DIAL_BUF, 0)) == -1)
			return (DIAL_EXIT_CLIENT);
		if (n == 0) {
			up->eof = 1;
			shutdown(up->to, SHUT_WR);
		}
		up->len = (size_t)(n > 0 ? n : 0);
		up->off = 0;
	}
	if (pfd[1].revents != 0 && cli_dial_write(up) == -1)
		return (DIAL_EXIT_SOCKET);
	if (pfd[2].revents != 0) {
		if ((n = cli_dial_read(down->from, down->buf, DIAL_BUF, 1)) == -1)
			return (DIAL_EXIT_SOCKET);
		if (n == 0) {
			close(down->to);
			return (up->eof ? DIAL_EXIT_DONE : DIAL_EXIT_DAEMON);
		}
		down->len = (size_t)(n > 0 ? n : 0);
		down->off = 0;
	}
	if ((pfd[3].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 ||
	    (pfd[3].revents != 0 && cli_dial_write(down) == -1))
		return (DIAL_EXIT_CLIENT);
	return (-1);
}

/*
 * Reads what fd has: the byte count, 0 at its end, -1 on error, -2 if
 * nothing is there after all. On the daemon's socket (sock set),
 * descriptors that come along are closed: none can go on.
 */
static ssize_t
cli_dial_read(int fd, void *buf, size_t len, int sock)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(16 * sizeof(int))];
	} cbuf;
	struct iovec	 iov = { .iov_base = buf, .iov_len = len };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr	*cm;
	ssize_t		 n;
	size_t		 i;
	int		 dfd;

	if (!sock) {
		while ((n = read(fd, buf, len)) == -1 && errno == EINTR)
			;
		return (n == -1 && errno == EAGAIN ? -2 : n);
	}
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	while ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		;
	for (cm = CMSG_FIRSTHDR(&msg); n != -1 && cm != NULL;
	    cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof dfd;
		    i++) {
			memcpy(&dfd, CMSG_DATA(cm) + i * sizeof dfd,
			    sizeof dfd);
			close(dfd);
		}
	}
	return (n == -1 && errno == EAGAIN ? -2 : n);
}

/* Writes what d holds to d->to, as much as goes; -1 on error. */
static int
cli_dial_write(struct dial_dir *d)
{
	ssize_t	 n;

	if (d->len == 0)
		return (0);
	n = write(d->to, d->buf + d->off, d->len);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR ? 0 : -1);
	d->off += (size_t)n;
	d->len -= (size_t)n;
	return (0);
}
