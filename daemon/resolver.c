/* SPDX-License-Identifier: ISC */
/*
 * Lookups that may wait on DNS for seconds (getaddrinfo, getnameinfo, the
 * gethostby* family) must not stop the event loop. They run as jobs on a
 * small pool of threads: a job is a request, a run function called in a
 * worker and an answer function called back in the loop, both given the
 * job's own data. A finished job comes back to the loop through a pipe. A
 * job holds one reference on its session, so a client that leaves meanwhile
 * is freed only when its jobs are done; their answers are then dropped.
 *
 * Worker threads touch nothing but their job's data (and the queues, under
 * resolver_mtx): no session, no logging, no libevent.
 */

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define RESOLVER_MAX_THREADS	8

struct resolver_job {
	TAILQ_ENTRY(resolver_job)	 entry;
	struct session			*session;
	Sockbroker__Request		*req;
	const struct resolver_ops	*ops;
	void				*arg;
};
TAILQ_HEAD(resolver_queue, resolver_job);

/*
 * getaddrinfo's data. host and service point into the request, which the
 * job owns and nobody else touches until the job is freed.
 */
struct resolver_gai {
	const char		*host;
	const char		*service;
	struct addrinfo		 hints;
	int			 rc;	/* EAI_* or 0 */
	int			 err;	/* errno for EAI_SYSTEM */
	struct addrinfo		*res;
};

/* getnameinfo's data. */
struct resolver_gni {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	int			 flags;
	int			 rc;
	int			 err;
	char			 host[NI_MAXHOST];
	char			 serv[NI_MAXSERV];
};

static pthread_mutex_t		 resolver_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t		 resolver_cond = PTHREAD_COND_INITIALIZER;
static struct resolver_queue	 resolver_todo =
				    TAILQ_HEAD_INITIALIZER(resolver_todo);
static struct resolver_queue	 resolver_done =
				    TAILQ_HEAD_INITIALIZER(resolver_done);
static pthread_t		 resolver_threads[RESOLVER_MAX_THREADS];
static unsigned int		 resolver_nthreads;
static int			 resolver_stopping;
static int			 resolver_pipe[2] = { -1, -1 };
static struct event		*resolver_ev;

static void	*resolver_thread(void *);
static void	 resolver_done_cb(evutil_socket_t, short, void *);
static void	 resolver_free(struct resolver_job *);
static void	 resolver_queue(struct resolver_job *);
static void	 resolver_gai_error(struct session *, Sockbroker__Request *,
		     int, int);
static void	 resolver_gai_run(void *);
static void	 resolver_gai_answer(struct session *, Sockbroker__Request *,
		     void *);
static void	 resolver_gai_done(void *);
static void	 resolver_gni_run(void *);
static void	 resolver_gni_answer(struct session *, Sockbroker__Request *,
		     void *);

static const struct resolver_ops resolver_gai_ops = {
	resolver_gai_run, resolver_gai_answer, resolver_gai_done
};
static const struct resolver_ops resolver_gni_ops = {
	resolver_gni_run, resolver_gni_answer, free
};

/* Starts n worker threads, with every signal blocked in them. */
void
resolver_start(unsigned int n)
{
	sigset_t	 all, old;
	unsigned int	 i;

	if (n > RESOLVER_MAX_THREADS)
		n = RESOLVER_MAX_THREADS;
	/* Start-up only, before any client: no clean way on without them. */
	if (pipe2(resolver_pipe, O_NONBLOCK | O_CLOEXEC) == -1)
		fatal("pipe2");
	resolver_ev = event_new(sbd_base, resolver_pipe[0],
	    EV_READ | EV_PERSIST, resolver_done_cb, NULL);
	if (resolver_ev == NULL || event_add(resolver_ev, NULL) == -1)
		fatalx("resolver event");
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n; i++) {
		errno = pthread_create(&resolver_threads[i], NULL,
		    resolver_thread, NULL);
		if (errno != 0)
			fatal("pthread_create");
	}
	resolver_nthreads = n;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * Stops the workers (each finishes the lookup it is in) and frees every job
 * left, unanswered, releasing their sessions.
 */
void
resolver_stop(void)
{
	struct resolver_job	*j;
	unsigned int		 i;

	pthread_mutex_lock(&resolver_mtx);
	resolver_stopping = 1;
	pthread_cond_broadcast(&resolver_cond);
	pthread_mutex_unlock(&resolver_mtx);
	for (i = 0; i < resolver_nthreads; i++)
		pthread_join(resolver_threads[i], NULL);
	resolver_nthreads = 0;
	TAILQ_CONCAT(&resolver_done, &resolver_todo, entry);
	while ((j = TAILQ_FIRST(&resolver_done)) != NULL) {
		TAILQ_REMOVE(&resolver_done, j, entry);
		resolver_free(j);
	}
	if (resolver_ev != NULL)
		event_free(resolver_ev);
	resolver_ev = NULL;
	close(resolver_pipe[0]);
	close(resolver_pipe[1]);
}

/* A worker: runs jobs until told to stop. */
static void *
resolver_thread(void *arg)
{
	struct resolver_job	*j;
	char			 c = 0;

	pthread_mutex_lock(&resolver_mtx);
	for (;;) {
		while (!resolver_stopping && TAILQ_EMPTY(&resolver_todo))
			pthread_cond_wait(&resolver_cond, &resolver_mtx);
		if (resolver_stopping)
			break;
		j = TAILQ_FIRST(&resolver_todo);
		TAILQ_REMOVE(&resolver_todo, j, entry);
		pthread_mutex_unlock(&resolver_mtx);
		j->ops->run(j->arg);
		pthread_mutex_lock(&resolver_mtx);
		TAILQ_INSERT_TAIL(&resolver_done, j, entry);
		/* The pipe only wakes the loop; a full pipe is awake enough. */
		(void)write(resolver_pipe[1], &c, 1);
	}
	pthread_mutex_unlock(&resolver_mtx);
	return (NULL);
}

/* The loop's side: answers every finished job of a live session. */
static void
resolver_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resolver_queue	 done = TAILQ_HEAD_INITIALIZER(done);
	struct resolver_job	*j;
	char			 buf[64];

	while (read(fd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&resolver_mtx);
	TAILQ_CONCAT(&done, &resolver_done, entry);
	pthread_mutex_unlock(&resolver_mtx);
	while ((j = TAILQ_FIRST(&done)) != NULL) {
		TAILQ_REMOVE(&done, j, entry);
		if (!j->session->dead)
			j->ops->answer(j->session, j->req, j->arg);
		resolver_free(j);
	}
}

/*
 * Frees a job, its data and its request (a session's own job has none and
 * is not counted in pending), and drops its session.
 */
static void
resolver_free(struct resolver_job *j)
{
	j->ops->done(j->arg);
	if (j->req != NULL) {
		j->session->pending--;
		sockbroker__request__free_unpacked(j->req, NULL);
	}
	session_unref(j->session);
	free(j);
}

/* Hands a job to the workers; it holds a reference on its session. */
static void
resolver_queue(struct resolver_job *j)
{
	session_ref(j->session);
	pthread_mutex_lock(&resolver_mtx);
	TAILQ_INSERT_TAIL(&resolver_todo, j, entry);
	pthread_cond_signal(&resolver_cond);
	pthread_mutex_unlock(&resolver_mtx);
}

/*
 * Queues a job of session s itself rather than of a request (its peer's
 * names, identity.c): answer is called with a NULL request. Such a job is no
 * client's doing, so the limit of waiting requests does not apply.
 */
void
resolver_submit_session(struct session *s, const struct resolver_ops *ops,
    void *arg)
{
	struct resolver_job	*j = xcalloc(1, sizeof *j);

	j->session = s;
	j->ops = ops;
	j->arg = arg;
	resolver_queue(j);
}

/*
 * Queues a job: ops->run(arg) in a worker, then ops->answer(s, req, arg) in
 * the loop if s is still connected, then ops->done(arg) in any case. The job
 * owns req and arg from now on. A client over its limit of waiting requests
 * is answered ENOBUFS at once (arg is done with, req is left to the caller).
 */
enum op_result
resolver_submit(struct session *s, Sockbroker__Request *req,
    const struct resolver_ops *ops, void *arg)
{
	struct resolver_job	*j;

	if (wait_pending_check(s, req) == -1) {
		ops->done(arg);
		return (OP_DONE);
	}
	j = xcalloc(1, sizeof *j);
	j->session = s;
	j->req = req;
	j->ops = ops;
	j->arg = arg;
	s->pending++;
	resolver_queue(j);
	return (OP_PARKED);
}

/* Answers a failed getaddrinfo or getnameinfo. */
static void
resolver_gai_error(struct session *s, Sockbroker__Request *req, int rc,
    int err)
{
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__GAI, rc, "%s: %s",
	    sbp_op_name(req), rc == EAI_SYSTEM ? strerror(err) :
	    gai_strerror(rc));
}

/* getaddrinfo, in a worker. */
static void
resolver_gai_run(void *arg)
{
	struct resolver_gai	*g = arg;

	g->rc = getaddrinfo(g->host, g->service, &g->hints, &g->res);
	g->err = errno;
}

/* Sends getaddrinfo's entries or error. */
static void
resolver_gai_answer(struct session *s, Sockbroker__Request *req, void *arg)
{
	struct resolver_gai		*g = arg;
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__AddrinfoReply	 ai = SOCKBROKER__ADDRINFO_REPLY__INIT;
	Sockbroker__AddrinfoEntry	*entries, **ptrs;
	struct sbp_address		*addrs;
	struct addrinfo			*r;
	size_t				 n = 0;

	if (g->rc != 0) {
		resolver_gai_error(s, req, g->rc, g->err);
		return;
	}
	for (r = g->res; r != NULL; r = r->ai_next)
		n++;
	entries = xcalloc(n + 1, sizeof *entries);
	ptrs = xcalloc(n + 1, sizeof *ptrs);
	addrs = xcalloc(n + 1, sizeof *addrs);
	for (r = g->res, n = 0; r != NULL; r = r->ai_next) {
		if (sbp_address_from_sockaddr(&addrs[n], r->ai_addr,
		    r->ai_addrlen, 0, NULL) == -1)
			continue;	/* a family without a variant */
		sockbroker__addrinfo_entry__init(&entries[n]);
		entries[n].family = r->ai_family;
		entries[n].type = r->ai_socktype;
		entries[n].protocol = r->ai_protocol;
		entries[n].canonname = r->ai_canonname;
		entries[n].address = &addrs[n].addr;
		ptrs[n] = &entries[n];
		n++;
	}
	ai.entries = ptrs;
	ai.n_entries = n;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_ADDRINFO;
	resp.addrinfo = &ai;
	reply_send(s, &resp);
	free(entries);
	free(ptrs);
	free(addrs);
}

/* Frees getaddrinfo's data and result. */
static void
resolver_gai_done(void *arg)
{
	struct resolver_gai	*g = arg;

	if (g->res != NULL)
		freeaddrinfo(g->res);
	free(g);
}

/* getnameinfo, in a worker. */
static void
resolver_gni_run(void *arg)
{
	struct resolver_gni	*g = arg;

	g->rc = getnameinfo((struct sockaddr *)&g->ss, g->sslen, g->host,
	    sizeof g->host, g->serv, sizeof g->serv, g->flags);
	g->err = errno;
}

/* Sends getnameinfo's names or error. */
static void
resolver_gni_answer(struct session *s, Sockbroker__Request *req, void *arg)
{
	struct resolver_gni		*g = arg;
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__NameinfoReply	 ni = SOCKBROKER__NAMEINFO_REPLY__INIT;

	if (g->rc != 0) {
		resolver_gai_error(s, req, g->rc, g->err);
		return;
	}
	ni.host = g->host;
	ni.service = g->serv;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_NAMEINFO;
	resp.nameinfo = &ni;
	reply_send(s, &resp);
}

/* getaddrinfo of a request already checked by the caller. */
enum op_result
resolver_getaddrinfo(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetaddrinfoRequest	*op = req->getaddrinfo;
	struct resolver_gai		*g = xcalloc(1, sizeof *g);

	g->host = op->host;
	g->service = op->service;
	g->hints.ai_family = op->has_family ? op->family : AF_UNSPEC;
	g->hints.ai_socktype = op->has_type ? op->type : 0;
	g->hints.ai_protocol = op->has_protocol ? op->protocol : 0;
	g->hints.ai_flags = op->has_flags ? op->flags : 0;
	return (resolver_submit(s, req, &resolver_gai_ops, g));
}

/* getnameinfo of an address already checked by the caller. */
enum op_result
resolver_getnameinfo(struct session *s, Sockbroker__Request *req,
    const struct sockaddr_storage *ss, socklen_t len)
{
	struct resolver_gni	*g = xcalloc(1, sizeof *g);

	memcpy(&g->ss, ss, len);
	g->sslen = len;
	g->flags = req->getnameinfo->has_flags ? req->getnameinfo->flags : 0;
	return (resolver_submit(s, req, &resolver_gni_ops, g));
}
