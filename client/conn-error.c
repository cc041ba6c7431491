/* SPDX-License-Identifier: ISC */
/*
 * The last error of each thread (sb_lasterror) and the ways a call fails:
 * an errno of the library's own, a broken connection, or the daemon's Error
 * turned into errno and a kind.
 */

#include <errno.h>
#include <stdio.h>

#include "client.h"

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
