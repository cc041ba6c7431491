/* SPDX-License-Identifier: ISC */
/*
 * Building and sending responses. Every answer a client gets goes through
 * reply_send(), which is also where a client that stopped reading is cut off.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockbrokerd.h"

static void	reply_failed(struct session *, Sockbroker__Response *);

/* Sends a response to a live session; a session that cannot take it is lost. */
void
reply_send(struct session *s, Sockbroker__Response *resp)
{
	if (s->dead)
		return;
	if (peer_send(&s->peer, &resp->base) == 0)
		return;
	reply_failed(s, resp);
}

/* A response could not be queued (errno says why): answer or cut off. */
static void
reply_failed(struct session *s, Sockbroker__Response *resp)
{
	if (errno == EMFILE || errno == ENFILE) {
		reply_errno(s, resp->id, errno, "passfd");
		return;
	}
	if (errno == EMSGSIZE) {
		/* Our own bug: payloads are capped below the frame size. */
		log_warnx("client %u: reply %llu over the frame size", s->num,
		    (unsigned long long)resp->id);
		reply_error(s, resp->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EMSGSIZE, "reply too large for the client's frame size");
		return;
	}
	session_limit(s, LIMIT_QUEUED, "not reading its replies (%zu bytes "
	    "queued, limit %zu), cut off", peer_queued(&s->peer),
	    sbd_conf.max_queued);
	session_lost(s, "reply queue over the limit");
}

/* Answers request id with an error of a kind, an errno and a message. */
void
reply_error(struct session *s, uint64_t id, int kind, int errnum,
    const char *fmt, ...)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__Error	 err = SOCKBROKER__ERROR__INIT;
	char			 msg[SBP_MAX_MESSAGE];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_debug("client %u: request %llu: %s error %d: %s", s->num,
	    (unsigned long long)id, sbp_error_kind_name(kind), errnum, msg);

	err.errnum = errnum;
	err.kind = kind;
	err.message = msg;
	resp.id = id;
	resp.error = &err;
	reply_send(s, &resp);
}

/* Answers with an OS error: errnum and "what: strerror". */
void
reply_errno(struct session *s, uint64_t id, int errnum, const char *what)
{
	reply_error(s, id, SOCKBROKER__ERROR__KIND__OS, errnum, "%s: %s", what,
	    strerror(errnum));
}

/* Answers with success and nothing more. */
void
reply_empty(struct session *s, uint64_t id)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__EmptyReply	 empty = SOCKBROKER__EMPTY_REPLY__INIT;

	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_EMPTY;
	resp.empty = &empty;
	reply_send(s, &resp);
}

/*
 * Answers with success and hands the client a duplicate of fd with it
 * (SCM_RIGHTS); fd stays the caller's.
 */
void
reply_fd(struct session *s, uint64_t id, int fd)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__EmptyReply	 empty = SOCKBROKER__EMPTY_REPLY__INIT;

	if (s->dead)
		return;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_EMPTY;
	resp.empty = &empty;
	if (peer_send_fd(&s->peer, &resp.base, fd) == 0)
		return;
	reply_failed(s, &resp);
}

/*
 * Sends a response with a duplicate of fd (SCM_RIGHTS). Returns 0, or -1
 * with errno EMFILE, ENFILE or ENOBUFS and nothing sent when there is no
 * room for the descriptor (the caller answers otherwise); any other failure
 * is reply_send's.
 */
int
reply_send_fd(struct session *s, Sockbroker__Response *resp, int fd)
{
	if (s->dead)
		return (0);
	if (peer_send_fd(&s->peer, &resp->base, fd) == 0)
		return (0);
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS)
		return (-1);
	reply_failed(s, resp);
	return (0);
}

/* Answers with a byte count. */
void
reply_count(struct session *s, uint64_t id, uint64_t count)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__CountReply	 cr = SOCKBROKER__COUNT_REPLY__INIT;

	cr.count = count;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_COUNT;
	resp.count = &cr;
	reply_send(s, &resp);
}

/* Answers with an address (none for an unconnected or unnamed socket). */
void
reply_address(struct session *s, uint64_t id, const struct sockaddr *sa,
    socklen_t len, int protocol)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__AddressReply ar = SOCKBROKER__ADDRESS_REPLY__INIT;
	struct sbp_address	 a;
	const char		*cause;

	if (sbp_address_from_sockaddr(&a, sa, len, protocol, &cause) == -1) {
		reply_error(s, id, SOCKBROKER__ERROR__KIND__OS, errno, "%s",
		    cause);
		return;
	}
	ar.address = &a.addr;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_ADDRESS;
	resp.address = &ar;
	reply_send(s, &resp);
}

/* Answers with one name. */
void
reply_name(struct session *s, uint64_t id, const char *name)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__NameReply	 nr = SOCKBROKER__NAME_REPLY__INIT;

	nr.name = (char *)name;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_NAME;
	resp.name = &nr;
	reply_send(s, &resp);
}
