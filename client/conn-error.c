/* SPDX-License-Identifier: ISC */
/*
 * The last error of each thread (sb_lasterror) and the ways a call fails:
 * an errno of the library's own, a broken connection, or the daemon's Error
 * turned into errno and a kind.
 */

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "client.h"

static int	conn_ingroup(gid_t);
static void	conn_groupname(gid_t, char *, size_t);

static __thread char		conn_lastmsg[SBP_MAX_MESSAGE];
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

/* Fails a call on a broken connection: errnum (0: ECONNRESET) and why. */
int
conn_broken(int errnum, const char *why)
{
	if (errnum == 0)
		errnum = ECONNRESET;
	conn_seterror(errnum, SB_ERR_PROTOCOL, why);
	errno = errnum;
	return (-1);
}

/*
 * Sets errno and the last error from the daemon's Error. An EAI_* or h_errno
 * value is no errno: those kinds leave EIO in errno and the code in
 * sb_lasterror().
 */
void
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

/* Whether this process has gid as its effective or a supplementary group. */
static int
conn_ingroup(gid_t gid)
{
	gid_t	 groups[256];
	int	 i, n;

	if (getegid() == gid)
		return (1);
	if ((n = getgroups(256, groups)) == -1)
		return (0);
	for (i = 0; i < n; i++) {
		if (groups[i] == gid)
			return (1);
	}
	return (0);
}

/* The name of group gid into buf, or its number if it has none. */
static void
conn_groupname(gid_t gid, char *buf, size_t len)
{
	struct group	 gr, *res = NULL;
	char		 tmp[1024];

	if (getgrgid_r(gid, &gr, tmp, sizeof tmp, &res) == 0 && res != NULL)
		snprintf(buf, len, "%s", gr.gr_name);
	else
		snprintf(buf, len, "%u", (unsigned int)gid);
}

/*
 * Where sb_open's socket path comes from, for its messages: "" when the
 * caller gave path, else the variable or the default.
 */
const char *
conn_connect_from(const char *path)
{
	const char	*env = getenv("SOCKBROKER_SOCKET");

	if (path != NULL && *path != '\0')
		return ("");
	if (env != NULL && *env != '\0')
		return (" (SOCKBROKER_SOCKET)");
	return (" (the default)");
}

/*
 * Fails sb_open's connect to path (from: where the path came from) with
 * errnum and a message for the person who meets it first: the path and the
 * next step. For EACCES it names the socket's group if it can stat it.
 */
int
conn_connect_error(const char *path, const char *from, int errnum)
{
	struct stat	 st;
	char		 msg[256], group[32];
	const char	*start = "start sockbrokerd (systemctl start "
			    "sockbroker.socket) or set SOCKBROKER_SOCKET to "
			    "its socket";

	if (errnum == ENOENT)
		snprintf(msg, sizeof msg, "no socket at %s%s: %s", path, from,
		    start);
	else if (errnum == ECONNREFUSED)
		snprintf(msg, sizeof msg, "nothing listens on %s%s: %s", path,
		    from, start);
	else if (errnum == EACCES && stat(path, &st) == -1)
		snprintf(msg, sizeof msg, "no permission to reach %s%s: a "
		    "directory on its path is closed to this user", path, from);
	else if (errnum == EACCES) {
		conn_groupname(st.st_gid, group, sizeof group);
		if (!conn_ingroup(st.st_gid) && (st.st_mode & S_IWGRP))
			snprintf(msg, sizeof msg, "no permission to connect "
			    "to %s%s (group %s, mode %04o): not in group %s "
			    "(usermod -aG %s USER, then log in again)", path,
			    from, group,
			    (unsigned int)(st.st_mode & 07777), group, group);
		else
			snprintf(msg, sizeof msg, "no permission to connect "
			    "to %s%s (group %s, mode %04o)", path, from, group,
			    (unsigned int)(st.st_mode & 07777));
	} else
		snprintf(msg, sizeof msg, "cannot connect to sockbrokerd at "
		    "%s%s", path, from);
	return (conn_oserror(errnum, msg));
}
