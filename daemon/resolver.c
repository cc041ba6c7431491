/* SPDX-License-Identifier: ISC */
/*
 * getaddrinfo and getnameinfo may wait on DNS for seconds, and the event
 * loop must not. They run on a small pool of threads; a finished job comes
 * back to the loop through a pipe and is answered there. A job holds a
 * reference on its session, so a client that leaves meanwhile is freed only
 * when its jobs are done; their answers are then dropped.
 *
 * Worker threads touch nothing but their job: no logging, no libevent.
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
	struct sockaddr_storage		 ss;	/* getnameinfo's address */
	socklen_t			 sslen;
	int				 rc;	/* EAI_* or 0 */
	int				 err;	/* errno for EAI_SYSTEM */
	struct addrinfo			*res;
	char				 host[NI_MAXHOST];
	char				 serv[NI_MAXSERV];
};
TAILQ_HEAD(resolver_queue, resolver_job);

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
static void	 resolver_run(struct resolver_job *);
static void	 resolver_done_cb(evutil_socket_t, short, void *);
static void	 resolver_answer(struct resolver_job *);
static void	 resolver_free(struct resolver_job *);
static enum op_result	resolver_submit(struct session *,
			    Sockbroker__Request *, struct resolver_job *);

/* Starts n worker threads, with every signal blocked in them. */
void
resolver_start(unsigned int n)
{
	sigset_t	 all, old;
	unsigned int	 i;

	if (n > RESOLVER_MAX_THREADS)
		n = RESOLVER_MAX_THREADS;
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
 * left, releasing their sessions.
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

/* A worker: takes jobs until told to stop. */
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
		resolver_run(j);
		pthread_mutex_lock(&resolver_mtx);
		TAILQ_INSERT_TAIL(&resolver_done, j, entry);
		/* The pipe only wakes the loop; a full pipe is awake enough. */
		(void)write(resolver_pipe[1], &c, 1);
	}
	pthread_mutex_unlock(&resolver_mtx);
	return (NULL);
}

/* Does the lookup of one job, in a worker thread. */
static void
resolver_run(struct resolver_job *j)
{
	Sockbroker__GetaddrinfoRequest	*g;
	struct addrinfo			 hints;

	if (j->req->op_case == SOCKBROKER__REQUEST__OP_GETNAMEINFO) {
		j->rc = getnameinfo((struct sockaddr *)&j->ss, j->sslen,
		    j->host, sizeof j->host, j->serv, sizeof j->serv,
		    j->req->getnameinfo->has_flags ?
		    j->req->getnameinfo->flags : 0);
		j->err = errno;
		return;
	}
	g = j->req->getaddrinfo;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = g->has_family ? g->family : AF_UNSPEC;
	hints.ai_socktype = g->has_type ? g->type : 0;
	hints.ai_protocol = g->has_protocol ? g->protocol : 0;
	hints.ai_flags = g->has_flags ? g->flags : 0;
	j->rc = getaddrinfo(g->host, g->service, &hints, &j->res);
	j->err = errno;
}

/* The loop's side: answers every finished job. */
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
			resolver_answer(j);
		resolver_free(j);
	}
}

/* Sends a finished job's result or error to its client. */
static void
resolver_answer(struct resolver_job *j)
{
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__NameinfoReply	 ni = SOCKBROKER__NAMEINFO_REPLY__INIT;
	Sockbroker__AddrinfoReply	 ai = SOCKBROKER__ADDRINFO_REPLY__INIT;
	Sockbroker__AddrinfoEntry	*entries = NULL, **ptrs = NULL;
	struct sbp_address		*addrs = NULL;
	struct addrinfo			*r;
	size_t				 n = 0;

	if (j->rc != 0) {
		reply_error(j->session, j->req->id,
		    SOCKBROKER__ERROR__KIND__GAI, j->rc, "%s: %s",
		    sbp_op_name(j->req), j->rc == EAI_SYSTEM ?
		    strerror(j->err) : gai_strerror(j->rc));
		return;
	}
	resp.id = j->req->id;
	if (j->req->op_case == SOCKBROKER__REQUEST__OP_GETNAMEINFO) {
		ni.host = j->host;
		ni.service = j->serv;
		resp.result_case = SOCKBROKER__RESPONSE__RESULT_NAMEINFO;
		resp.nameinfo = &ni;
		reply_send(j->session, &resp);
		return;
	}
	for (r = j->res; r != NULL; r = r->ai_next)
		n++;
	entries = xcalloc(n + 1, sizeof *entries);
	ptrs = xcalloc(n + 1, sizeof *ptrs);
	addrs = xcalloc(n + 1, sizeof *addrs);
	for (r = j->res, n = 0; r != NULL; r = r->ai_next) {
		if (sbp_address_from_sockaddr(&addrs[n], r->ai_addr,
		    r->ai_addrlen, NULL) == -1)
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
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_ADDRINFO;
	resp.addrinfo = &ai;
	reply_send(j->session, &resp);
	free(entries);
	free(ptrs);
	free(addrs);
}

/* Frees a job, its request and its result, and drops its session. */
static void
resolver_free(struct resolver_job *j)
{
	j->session->pending--;
	if (j->res != NULL)
		freeaddrinfo(j->res);
	sockbroker__request__free_unpacked(j->req, NULL);
	session_unref(j->session);
	free(j);
}

/* Queues a job for the workers; the job now owns req. */
static enum op_result
resolver_submit(struct session *s, Sockbroker__Request *req,
    struct resolver_job *j)
{
	if (s->pending >= sbd_conf.max_pending) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOBUFS,
		    "too many requests waiting (limit %u)",
		    sbd_conf.max_pending);
		free(j);
		return (OP_DONE);
	}
	j->session = s;
	j->req = req;
	session_ref(s);
	s->pending++;
	pthread_mutex_lock(&resolver_mtx);
	TAILQ_INSERT_TAIL(&resolver_todo, j, entry);
	pthread_cond_signal(&resolver_cond);
	pthread_mutex_unlock(&resolver_mtx);
	return (OP_PARKED);
}

/* getaddrinfo, answered when a worker is done with it. */
enum op_result
resolver_getaddrinfo(struct session *s, Sockbroker__Request *req)
{
	return (resolver_submit(s, req, xcalloc(1, sizeof(struct resolver_job))));
}

/* getnameinfo of an address already checked by the caller. */
enum op_result
resolver_getnameinfo(struct session *s, Sockbroker__Request *req,
    const struct sockaddr_storage *ss, socklen_t len)
{
	struct resolver_job	*j = xcalloc(1, sizeof *j);

	memcpy(&j->ss, ss, len);
	j->sslen = len;
	return (resolver_submit(s, req, j));
}
