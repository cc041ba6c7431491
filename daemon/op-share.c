/* SPDX-License-Identifier: ISC */
/*
 * share and import: a handle's socket handed to another connection of the
 * same peer uid and gid, as a fork child or a program exec'ed needs for the
 * sockets it inherited (its parent's connection is not its own). share
 * makes a token of 16 random bytes that holds a duplicate of the socket,
 * so that the handle may close at once (a server that forks per connection
 * closes its copy); import spends it for a new handle in the importing
 * session. The policy sees nothing new: the importer is the same user and
 * group, and every later operation is checked as on any handle.
 *
 * Bounds: a token lives --share-ttl seconds at most (60); while its exporter is
 * connected it counts as one of that session's handles, and a user holds
 * at most --max-handles tokens at once across every connection (tokens
 * outlive the exporter: an exec closes its connection before the new
 * program imports). An unknown, spent, expired or another user's token is
 * the same ENOENT.
 *
 * A token of a handle with a data channel holds that channel too
 * (channel_hold), and an import with join makes the new handle one more
 * sharer of it (channel_join) instead of giving it a channel of its own:
 * a fork child or a program exec'ed keeps the channel descriptor it
 * inherited, so nothing the daemon had relayed into it is lost and poll()
 * sees it. Because the token holds the channel, a join works after the
 * exporter's connection closed (the exec case) and the channel stays until
 * its last sharer and token are gone. A join of a token whose channel
 * relays no more (or has none) is ENXIO and leaves the token unspent, for
 * a plain import.
 */

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define SHARE_TOKEN	16	/* bytes */

/* A token and the duplicate of the socket it holds. */
struct share {
	TAILQ_ENTRY(share)	 entry;
	uint8_t			 token[SHARE_TOKEN];
	uid_t			 uid;
	gid_t			 gid;
	struct session		*owner;		/* NULL once it is gone */
	unsigned int		 client;	/* owner's number, for logs */
	int			 fd;
	int			 family;
	int			 type;
	int			 protocol;
	int			 bound;
	struct channel		*chan;		/* held; NULL: none */
	struct event		*timer;
};

static TAILQ_HEAD(, share)	 share_list = TAILQ_HEAD_INITIALIZER(share_list);

static unsigned int	 share_count_uid(uid_t);
static struct share	*share_find(const uint8_t *);
static void		 share_drop(struct share *, int);
static void		 share_expire_cb(evutil_socket_t, short, void *);
static void		 share_reply(struct session *, uint64_t,
			     const struct share *);
static struct handle	*share_join(struct session *, uint64_t,
			     struct share *);

/* How many tokens of user uid wait. */
static unsigned int
share_count_uid(uid_t uid)
{
	struct share	*sh;
	unsigned int	 n = 0;

	TAILQ_FOREACH(sh, &share_list, entry) {
		if (sh->uid == uid)
			n++;
	}
	return (n);
}

/* The share of token tok (compared in constant time), or NULL. */
static struct share *
share_find(const uint8_t *tok)
{
	struct share	*sh, *found = NULL;
	unsigned int	 diff;
	size_t		 i;

	TAILQ_FOREACH(sh, &share_list, entry) {
		diff = 0;
		for (i = 0; i < SHARE_TOKEN; i++)
			diff |= sh->token[i] ^ tok[i];
		if (diff == 0)
			found = sh;
	}
	return (found);
}

/* Unlinks and frees a share, closing its socket if closefd is set. */
static void
share_drop(struct share *sh, int closefd)
{
	TAILQ_REMOVE(&share_list, sh, entry);
	if (sh->owner != NULL)
		sh->owner->handles.reserved--;
	event_free(sh->timer);
	if (sh->chan != NULL)
		channel_release(sh->chan);
	if (closefd)
		close(sh->fd);
	free(sh);
}

/* A token nobody imported in time: its socket closes. */
static void
share_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct share	*sh = arg;

	log_debug("client %u: share of a %d/%d socket expired", sh->client,
	    sh->family, sh->type);
	share_drop(sh, 1);
}

/* Answers a share request with the token. */
static void
share_reply(struct session *s, uint64_t id, const struct share *sh)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__TokenReply	 tr = SOCKBROKER__TOKEN_REPLY__INIT;

	tr.token.data = (uint8_t *)(uintptr_t)sh->token;
	tr.token.len = SHARE_TOKEN;
	tr.ttl = sbd_conf.share_ttl;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_TOKEN;
	resp.token = &tr;
	reply_send(s, &resp);
}

/* share: a token for the handle's socket, good for one import. */
enum op_result
op_share(struct session *s, Sockbroker__Request *req)
{
	struct timeval	 tv = { (time_t)sbd_conf.share_ttl, 0 };
	struct handle	*h;
	struct share	*sh;

	if ((h = op_handle(s, req, req->share->handle)) == NULL)
		return (OP_DONE);
	if (channel_closing(h)) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EBADF,
		    "share: the handle is closing");
		return (OP_DONE);
	}
	if (s->handles.count + s->handles.reserved >= sbd_conf.max_handles ||
	    share_count_uid(s->id.uid) >= sbd_conf.max_handles) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EMFILE,
		    "share: handle limit reached (%u, tokens included)",
		    sbd_conf.max_handles);
		return (OP_DONE);
	}
	sh = xcalloc(1, sizeof *sh);
	if (getrandom(sh->token, sizeof sh->token, 0) !=
	    (ssize_t)sizeof sh->token ||
	    (sh->fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		reply_errno(s, req->id, errno, "share");
		free(sh);
		return (OP_DONE);
	}
	/* Out of memory in libevent: not something a client chose. */
	if ((sh->timer = evtimer_new(sbd_base, share_expire_cb, sh)) == NULL)
		fatalx("evtimer_new failed");
	evtimer_add(sh->timer, &tv);
	sh->uid = s->id.uid;
	sh->gid = s->id.gid;
	sh->owner = s;
	sh->client = s->num;
	sh->family = h->family;
	sh->type = h->type;
	sh->protocol = h->protocol;
	sh->bound = h->bound;
	sh->chan = channel_hold(h);
	s->handles.reserved++;
	TAILQ_INSERT_TAIL(&share_list, sh, entry);
	log_debug("client %u: share handle %u", s->num, h->value);
	share_reply(s, req->id, sh);
	return (OP_DONE);
}

/* import: a handle for the socket a token of the same user holds. */
enum op_result
op_import(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__ImportRequest	*ir = req->import;
	struct share			*sh = NULL;
	struct handle			*h;

	if (ir->token.len == SHARE_TOKEN)
		sh = share_find(ir->token.data);
	if (sh != NULL && (sh->uid != s->id.uid || sh->gid != s->id.gid)) {
		log_info("client %u: import of client %u's token refused: "
		    "another user or group", s->num, sh->client);
		sh = NULL;
	}
	if (sh == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOENT,
		    "import: no such token (unknown, spent, expired or "
		    "another user's)");
		return (OP_DONE);
	}
	if (ir->has_join && ir->join) {
		if ((h = share_join(s, req->id, sh)) != NULL)
			op_reply_handle(s, req->id, h, NULL, 0, 0);
		return (OP_DONE);
	}
	if ((h = handle_new(s, sh->fd, sh->family, sh->type,
	    sh->protocol)) == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, errno,
		    "import: handle limit reached (%u)", sbd_conf.max_handles);
		return (OP_DONE);
	}
	h->bound = sh->bound;
	log_debug("client %u: import of client %u's share as handle %u",
	    s->num, sh->client, h->value);
	share_drop(sh, 0);
	op_reply_handle(s, req->id, h, NULL, 0, ir->has_channel &&
	    ir->channel);
	return (OP_DONE);
}

/*
 * import with join: a new handle of s sharing the channel sh holds, the
 * token spent; or NULL, answered, the token kept (ENXIO: no channel to
 * join; EMFILE: a limit).
 */
static struct handle *
share_join(struct session *s, uint64_t id, struct share *sh)
{
	struct handle	*h;
	int		 fd;

	if (sh->chan == NULL) {
		reply_error(s, id, SOCKBROKER__ERROR__KIND__OS, ENXIO,
		    "import: the shared handle has no data channel to join");
		return (NULL);
	}
	if ((fd = fcntl(sh->fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		reply_errno(s, id, errno, "import");
		return (NULL);
	}
	if ((h = handle_new(s, fd, sh->family, sh->type, sh->protocol)) ==
	    NULL) {
		close(fd);
		reply_error(s, id, SOCKBROKER__ERROR__KIND__OS, errno,
		    "import: handle limit reached (%u)", sbd_conf.max_handles);
		return (NULL);
	}
	if (channel_join(sh->chan, h) == -1) {
		reply_error(s, id, SOCKBROKER__ERROR__KIND__OS, errno,
		    "import: cannot join the channel (%s)", errno == ENXIO ?
		    "it relays no more" : "every sharer slot taken");
		handle_close(h);
		return (NULL);
	}
	h->bound = sh->bound;
	log_debug("client %u: import of client %u's share as handle %u, "
	    "sharer %u of its channel", s->num, sh->client, h->value, h->slot);
	sh->chan = NULL;	/* its hold is h's share now */
	share_drop(sh, 1);
	return (h);
}

/* A session is gone: its tokens live on, no longer counted as its own. */
void
share_session_gone(struct session *s)
{
	struct share	*sh;

	TAILQ_FOREACH(sh, &share_list, entry) {
		if (sh->owner == s)
			sh->owner = NULL;
	}
	s->handles.reserved = 0;
}

/* At shutdown: every token waiting goes, with its socket. */
void
share_free_all(void)
{
	struct share	*sh;

	while ((sh = TAILQ_FIRST(&share_list)) != NULL)
		share_drop(sh, 1);
}
