/* SPDX-License-Identifier: ISC */
/*
 * systemd glue: the listening socket passed by socket activation
 * (sd_listen_fds) and the service state told with sd_notify: READY=1 once
 * serving, STATUS= when the number of clients changes (at most once a
 * second), STOPPING=1 at shutdown. Outside systemd all of it is a no-op.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "sockbrokerd.h"

static struct event	*sdnotify_ev;
static unsigned int	 sdnotify_clients;

static void	sdnotify_status(unsigned int);
static void	sdnotify_status_cb(evutil_socket_t, short, void *);

/*
 * The listening socket systemd passed us, or -1 if it passed none. More
 * than one socket, or one that is not a listening AF_UNIX stream socket, is
 * fatal: the .socket unit is wrong.
 */
int
sdnotify_listen_fd(void)
{
	int	 n, fd = SD_LISTEN_FDS_START, r;

	if ((n = sd_listen_fds(1)) < 0) {
		errno = -n;
		fatal("sd_listen_fds");
	}
	if (n == 0)
		return (-1);
	if (n != 1)
		fatalx("systemd passed %d sockets; the .socket unit must have "
		    "exactly one ListenStream=", n);
	if ((r = sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0)) < 0) {
		errno = -r;
		fatal("sd_is_socket_unix");
	}
	if (r == 0)
		fatalx("the socket systemd passed is not a listening AF_UNIX "
		    "stream socket");
	log_info("socket activation: using the socket systemd passed");
	return (fd);
}

/* Sends STATUS= with the number of clients. */
static void
sdnotify_status(unsigned int n)
{
	char	 msg[64];

	snprintf(msg, sizeof msg, "STATUS=serving %u client%s", n,
	    n == 1 ? "" : "s");
	sd_notify(0, msg);
	sdnotify_clients = n;
}

/* Once a second: a new STATUS= if the number of clients changed. */
static void
sdnotify_status_cb(evutil_socket_t fd, short what, void *arg)
{
	unsigned int	 n;

	if ((n = session_count()) != sdnotify_clients)
		sdnotify_status(n);
}

/*
 * Tells systemd we are serving (READY=1), then keeps STATUS= up to date;
 * does nothing unless systemd asked for notifications.
 */
void
sdnotify_ready(void)
{
	struct timeval	 second = { 1, 0 };
	const char	*sock;

	if ((sock = getenv("NOTIFY_SOCKET")) == NULL || *sock == '\0')
		return;
	if (sd_notify(0, "READY=1") <= 0)
		log_warnx("sd_notify READY=1 to %s failed", sock);
	sdnotify_status(session_count());
	/* Start-up, before any client: out of memory in libevent. */
	sdnotify_ev = event_new(sbd_base, -1, EV_PERSIST, sdnotify_status_cb,
	    NULL);
	if (sdnotify_ev == NULL)
		fatalx("event_new failed");
	event_add(sdnotify_ev, &second);
	log_debug("told systemd we are ready");
}

/* Tells systemd we are shutting down and stops the STATUS= updates. */
void
sdnotify_stopping(void)
{
	if (sdnotify_ev == NULL)
		return;
	event_free(sdnotify_ev);
	sdnotify_ev = NULL;
	sd_notify(0, "STOPPING=1\nSTATUS=shutting down");
}
