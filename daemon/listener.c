/* SPDX-License-Identifier: ISC */
/*
 * The listening UNIX socket: created with a deliberate mode, refusing to
 * start over another live instance, and an accept loop that never spins.
 *
 * A client over a limit is told so and closed at once, never left in the
 * backlog: over --max-clients, and also when the daemon is out of
 * descriptors (EMFILE, ENFILE). For that one descriptor is kept in reserve
 * (/dev/null, opened at start): it is closed to accept the client, whom the
 * refusal frame goes to, and opened again after (as tmux and libevent's
 * evconnlistener users do). A client is refused so too when its descriptor
 * leaves fewer than LISTENER_SPARE below RLIMIT_NOFILE: the resolver threads
 * (NSS opens /etc/passwd), the pidfd at accept and the reserve need those,
 * and a thread that took the reserve's number would leave the next client
 * in the backlog.
 */

#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/resource.h>

#include "sockbrokerd.h"

#define LISTENER_SPARE	8	/* descriptors kept free below the limit */

static int		 listener_fd = -1;
static char		*listener_path;
static struct event	*listener_ev;
static struct event	*listener_pause_ev;
static int		 listener_reserve = -1;

static void	listener_accept_cb(evutil_socket_t, short, void *);
static int	listener_accept_reserve(int);
static int	listener_crowded(int);
static void	listener_refuse_nofile(int, int);
static void	listener_refuse(int, int, const char *);
static void	listener_resume_cb(evutil_socket_t, short, void *);
static void	listener_reserve_open(void);
static void	listener_prewarm(void);
static void	listener_noop_cb(evutil_socket_t, short, void *);

/*
 * Fills a sockaddr_un for path; fatal if it does not fit. Like everything
 * up to listener_start(), it runs at start-up only, on the admin's
 * configuration, before any client can connect: a failure stops the
 * daemon.
 */
static void
listener_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path)
		fatalx("socket path too long (max %zu bytes): %s",
		    sizeof sun->sun_path - 1, path);
	strcpy(sun->sun_path, path);
}

/*
 * Makes the directory of the socket if it is missing (mode 0755), and
 * removes a stale socket file; refuses a live one or a file that is not a
 * socket.
 */
static void
listener_prepare(const struct sockaddr_un *sun)
{
	char		 dir[sizeof sun->sun_path];
	struct stat	 st;
	int		 fd;

	strcpy(dir, sun->sun_path);
	if (mkdir(dirname(dir), 0755) == -1 && errno != EEXIST)
		fatal("mkdir %s", dir);
	if (lstat(sun->sun_path, &st) == -1) {
		if (errno != ENOENT)
			fatal("%s", sun->sun_path);
		return;
	}
	if (!S_ISSOCK(st.st_mode))
		fatalx("%s exists and is not a socket", sun->sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0)
		fatalx("another sockbrokerd is listening on %s", sun->sun_path);
	if (errno != ECONNREFUSED)
		fatal("connect %s", sun->sun_path);
	close(fd);
	if (unlink(sun->sun_path) == -1)
		fatal("unlink stale %s", sun->sun_path);
	log_info("removed stale socket %s", sun->sun_path);
}

/* Opens, binds (with the given mode) and listens on the socket at path. */
int
listener_open(const char *path, mode_t mode)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd;

	listener_sockaddr(&sun, path);
	listener_prepare(&sun);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("socket");
	old = umask(~mode & 0777);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		fatal("bind %s", path);
	umask(old);
	if (chmod(path, mode) == -1)
		fatal("chmod %s", path);
	if (listen(fd, SOMAXCONN) == -1)
		fatal("listen %s", path);
	listener_path = xstrdup(path);
	return (fd);
}

/*
 * Takes fd, a listening socket systemd made (sdnotify_listen_fd), as ours:
 * made non-blocking for the accept loop; its file is systemd's, so it is
 * never removed.
 */
void
listener_adopt(int fd)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof sun;
	int			 flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl O_NONBLOCK on the socket from systemd");
	memset(&sun, 0, sizeof sun);
	if (getsockname(fd, (struct sockaddr *)&sun, &len) == 0 &&
	    len > offsetof(struct sockaddr_un, sun_path) &&
	    sun.sun_path[0] != '\0')
		log_info("socket from systemd: %.*s",
		    (int)(len - offsetof(struct sockaddr_un, sun_path)),
		    sun.sun_path);
}

/* Starts accepting clients on fd. */
void
listener_start(int fd)
{
	listener_fd = fd;
	listener_ev = event_new(sbd_base, fd, EV_READ | EV_PERSIST,
	    listener_accept_cb, NULL);
	listener_pause_ev = evtimer_new(sbd_base, listener_resume_cb, NULL);
	/* Start-up: out of memory or descriptors before any client came. */
	if (listener_ev == NULL || listener_pause_ev == NULL)
		fatalx("event_new failed");
	listener_reserve_open();
	if (listener_reserve == -1)
		fatal("open /dev/null (the reserved descriptor)");
	listener_prewarm();
	event_add(listener_ev, NULL);
	log_info("listening on %s", listener_path != NULL ? listener_path :
	    "the socket from systemd");
}

/*
 * Stops accepting and removes the socket file if we made it. After the
 * privilege drop that may be refused (the directory is root's, or
 * systemd's RuntimeDirectory which systemd cleans up): only a debug line.
 */
void
listener_close(void)
{
	if (listener_ev != NULL)
		event_free(listener_ev);
	if (listener_pause_ev != NULL)
		event_free(listener_pause_ev);
	listener_ev = listener_pause_ev = NULL;
	if (listener_fd != -1)
		close(listener_fd);
	listener_fd = -1;
	if (listener_reserve != -1)
		close(listener_reserve);
	listener_reserve = -1;
	if (listener_path != NULL && unlink(listener_path) == -1) {
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			log_debug("cannot remove %s after the privilege drop: "
			    "%s", listener_path, strerror(errno));
		else if (errno != ENOENT)
			log_warn("unlink %s", listener_path);
	}
	free(listener_path);
	listener_path = NULL;
}

/*
 * libevent keeps a small record for every descriptor number it has ever
 * watched, made the first time, for the life of the base. Made while
 * clients connect, those records land between the clients' own memory and
 * pin it after they leave: the heap cannot be trimmed around them. So they
 * are made here, together, for every number the clients and their handles
 * may get (up to RLIMIT_NOFILE, at most twice --max-clients and a margin),
 * with an event added and removed on a duplicate of an eventfd under each
 * number (not of a socket: while this runs, the daemon's sockets are only
 * its own). A number that cannot be had (already in use) is skipped.
 */
static void
listener_prewarm(void)
{
	struct rlimit	 rl;
	struct event	*ev;
	rlim_t		 n, fd;
	int		 dup, efd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	n = (rlim_t)sbd_conf.max_clients * 2 + 64;
	if (rl.rlim_cur != RLIM_INFINITY && n > rl.rlim_cur)
		n = rl.rlim_cur;
	if ((efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		return;
	if ((ev = event_new(sbd_base, -1, EV_READ, listener_noop_cb,
	    NULL)) == NULL) {
		close(efd);
		return;
	}
	for (fd = n; fd-- > 0;) {
		if (fcntl((int)fd, F_GETFD) != -1)
			continue;		/* in use: its record comes anyway */
		if ((dup = fcntl(efd, F_DUPFD_CLOEXEC, (int)fd)) == -1)
			break;
		if (dup == (int)fd && event_assign(ev, sbd_base, dup, EV_READ,
		    listener_noop_cb, NULL) == 0 && event_add(ev, NULL) == 0)
			event_del(ev);
		close(dup);
	}
	event_free(ev);
	close(efd);
}

/* Never called: the events of listener_prewarm are removed at once. */
static void
listener_noop_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* Opens the reserved descriptor if it is not open; -1 stays if it cannot. */
static void
listener_reserve_open(void)
{
	if (listener_reserve == -1)
		listener_reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/*
 * Accepts every waiting client. Out of descriptors, it refuses each with the
 * reserved descriptor; if even that is gone (another thread took it), it
 * stops accepting for a second rather than spin on a listener that stays
 * readable.
 */
static void
listener_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval	 pause = { 1, 0 };
	char		 msg[64];
	int		 fd, r;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN)
				return;
			if (errno == EMFILE || errno == ENFILE) {
				/* accept4 fails so even with nobody waiting. */
				if ((r = listener_accept_reserve(lfd)) == 0)
					continue;
				if (r == 1)
					return;
			}
			log_warn("accept");
			if (errno == EMFILE || errno == ENFILE) {
				event_del(listener_ev);
				evtimer_add(listener_pause_ev, &pause);
			}
			return;
		}
		if (listener_crowded(fd)) {
			listener_refuse_nofile(fd, EMFILE);
			continue;
		}
		if (session_count() >= sbd_conf.max_clients) {
			snprintf(msg, sizeof msg, "too many clients (limit %u)",
			    sbd_conf.max_clients);
			listener_refuse(fd, EUSERS, msg);
			continue;
		}
		session_create(fd);
	}
}

/*
 * Out of descriptors: closes the reserve, accepts one client with it,
 * refuses it (EMFILE) and opens the reserve again. Returns 0 if a client was
 * refused, 1 if none was waiting after all, -1 (errno of the failure) if the
 * reserve could not be used.
 */
static int
listener_accept_reserve(int lfd)
{
	int		 fd, err, saved = errno;

	if (listener_reserve == -1) {
		listener_reserve_open();
		errno = saved;
		return (-1);
	}
	close(listener_reserve);
	listener_reserve = -1;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	err = errno;
	if (fd != -1)
		listener_refuse_nofile(fd, saved);
	listener_reserve_open();
	if (fd != -1)
		return (0);
	if (err == EAGAIN)
		return (1);
	errno = err;
	return (-1);
}

/*
 * Whether fd, just accepted, is too close to RLIMIT_NOFILE to keep: fewer
 * than LISTENER_SPARE numbers left above it (descriptors are given lowest
 * first, so that many are free at most).
 */
static int
listener_crowded(int fd)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return (0);
	return ((rlim_t)fd + LISTENER_SPARE >= rl.rlim_cur);
}

/*
 * Refuses fd for lack of descriptors (err: EMFILE or ENFILE); the error is
 * logged once in ten seconds, the refusals are counted by listener_refuse.
 */
static void
listener_refuse_nofile(int fd, int err)
{
	static time_t	 said;
	time_t		 now = time(NULL);

	if (said == 0 || now - said >= 10) {
		log_warnx("accept: %s: refusing clients until descriptors are "
		    "free", strerror(err));
		said = now;
	}
	listener_refuse(fd, EMFILE, "sockbrokerd is out of descriptors");
}

/*
 * Turns a client away for a limit: a Response with id 0 (no request's) and
 * an Error with errnum and msg, then closes. Refusals are logged at most
 * every ten seconds, with how many there were, so that a flood of
 * connections cannot flood the log.
 */
static void
listener_refuse(int fd, int errnum, const char *msg)
{
	static time_t		 said;
	static unsigned long	 refused;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__Error	 err = SOCKBROKER__ERROR__INIT;
	uint8_t			*frame;
	size_t			 len;
	time_t			 now = time(NULL);

	refused++;
	if (said == 0 || now - said >= 10) {
		log_warnx("client refused: %s, %u clients (%lu refusals "
		    "since the last such line)", msg, session_count(),
		    refused);
		said = now;
		refused = 0;
	}
	err.errnum = errnum;
	err.kind = SOCKBROKER__ERROR__KIND__PROTOCOL;
	err.message = (char *)msg;
	resp.id = 0;
	resp.error = &err;
	if (sbp_frame_pack(&resp.base, SBP_MIN_FRAME, &frame, &len) == 0) {
		/* A fresh socket has room; if not, the client gets EOF. */
		(void)send(fd, frame, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		free(frame);
	}
	close(fd);
}

/* Accepts again after a pause for lack of descriptors. */
static void
listener_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	event_add(listener_ev, NULL);
}
