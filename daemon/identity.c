/* SPDX-License-Identifier: ISC */
/*
 * Who a client is, from the kernel and never from what it sends: uid, gid
 * and pid from SO_PEERCRED, the supplementary groups from SO_PEERGROUPS, and
 * a pidfd from SO_PEERPIDFD where the kernel has it, so that a recycled pid
 * is never mistaken for the peer. The pidfd serves only at accept, to tell
 * whether the executable read from /proc is the peer's; it is closed then
 * (the audit log names the pid and that executable), so a client costs one
 * descriptor, its connection.
 *
 * User and group names are resolved once per connection, so that the policy
 * matches names without asking NSS per request, but not on the event loop:
 * with NSS over LDAP or sssd a slow directory would stall every client. They
 * are looked up by a job on the resolver threads (identity_resolve); the
 * session holds its requests until the names are in (session_named).
 */

#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

#define IDENTITY_MAX_GROUPS	65536	/* NGROUPS_MAX of Linux */

/*
 * A name lookup job: the numbers copied in at submit, the names filled in by
 * the worker; nothing of the session is touched off the loop.
 */
struct identity_job {
	uid_t		 uid;
	gid_t		*gids;
	size_t		 ngids;
	char		*user;
	char		**groups;
};

static int	 identity_groups(int, struct identity *);
static char	*identity_name(int, unsigned long);
static size_t	 identity_bufsize(int);
static void	 identity_exe(struct identity *, int);
static int	 identity_alive(int);
static void	 identity_job_run(void *);
static void	 identity_job_answer(struct session *, Sockbroker__Request *,
		     void *);
static void	 identity_job_done(void *);

static const struct resolver_ops identity_job_ops = {
	identity_job_run, identity_job_answer, identity_job_done
};

/*
 * Fills id with what the kernel says of the peer of connected UNIX socket
 * fd: numbers, groups and executable, no names yet (identity_resolve).
 * Returns 0, or -1 with errno if the kernel will not say who the peer is
 * (id is then safe to free).
 */
int
identity_get(int fd, struct identity *id)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	int		 pidfd = -1;

	memset(id, 0, sizeof *id);
	id->uid = (uid_t)-1;
	id->gid = (gid_t)-1;
	id->pid = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (-1);
	id->uid = cred.uid;
	id->gid = cred.gid;
	id->pid = cred.pid;
	len = sizeof pidfd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == -1)
		pidfd = -1;		/* ENOPROTOOPT: an older kernel */
	if (identity_groups(fd, id) == -1) {
		if (pidfd != -1)
			close(pidfd);
		return (-1);
	}
	identity_exe(id, pidfd);
	if (pidfd != -1)
		close(pidfd);
	return (0);
}

/*
 * Starts the lookup of the names of s's peer on the resolver threads; the
 * answer fills them in and calls session_named(s).
 */
void
identity_resolve(struct session *s)
{
	struct identity_job	*j = xcalloc(1, sizeof *j);

	j->uid = s->id.uid;
	j->ngids = s->id.ngids;
	j->gids = xcalloc(j->ngids + 1, sizeof *j->gids);
	memcpy(j->gids, s->id.gids, j->ngids * sizeof *j->gids);
	resolver_submit_session(s, &identity_job_ops, j);
}

/*
 * The names, in a worker: only the job is touched, and a failed allocation
 * leaves a name NULL (the answer then uses the number) rather than calling
 * fatal() off the loop.
 */
static void
identity_job_run(void *arg)
{
	struct identity_job	*j = arg;
	size_t			 i;

	j->user = identity_name(0, j->uid);
	if ((j->groups = calloc(j->ngids + 1, sizeof *j->groups)) == NULL)
		return;
	for (i = 0; i < j->ngids; i++)
		j->groups[i] = identity_name(1, j->gids[i]);
}

/* The names, in the loop: into the session, whose requests then run. */
static void
identity_job_answer(struct session *s, Sockbroker__Request *req, void *arg)
{
	struct identity_job	*j = arg;
	struct identity		*id = &s->id;
	char			 num[32];
	size_t			 i;

	id->user = j->user;
	j->user = NULL;
	if (id->user == NULL) {
		snprintf(num, sizeof num, "%lu", (unsigned long)id->uid);
		id->user = xstrdup(num);
	}
	id->groups = xcalloc(id->ngids + 1, sizeof *id->groups);
	for (i = 0; i < id->ngids; i++) {
		if (j->groups != NULL && i < j->ngids && j->groups[i] != NULL) {
			id->groups[i] = j->groups[i];
			j->groups[i] = NULL;
		} else {
			snprintf(num, sizeof num, "%lu",
			    (unsigned long)id->gids[i]);
			id->groups[i] = xstrdup(num);
		}
	}
	session_named(s);
}

/* Frees a name lookup job and whatever names it still holds. */
static void
identity_job_done(void *arg)
{
	struct identity_job	*j = arg;
	size_t			 i;

	if (j->groups != NULL) {
		for (i = 0; i < j->ngids; i++)
			free(j->groups[i]);
	}
	free(j->groups);
	free(j->gids);
	free(j->user);
	free(j);
}

/* Frees what identity_get() and the name lookup put in id. */
void
identity_free(struct identity *id)
{
	size_t	 i;

	if (id->groups != NULL) {
		for (i = 0; i < id->ngids; i++)
			free(id->groups[i]);
	}
	free(id->groups);
	free(id->gids);
	free(id->user);
	free(id->exe);
	id->groups = NULL;
	id->gids = NULL;
	id->user = NULL;
	id->exe = NULL;
	id->ngids = 0;
}

/*
 * The peer's groups into id->gids: the primary group first, then the
 * supplementary groups SO_PEERGROUPS reports, without repeating it.
 */
static int
identity_groups(int fd, struct identity *id)
{
	gid_t		*sup = NULL, *p;
	socklen_t	 len = 32 * sizeof *sup;
	size_t		 n, i;

	for (;;) {
		/* Out of memory: the kernel bounds len (NGROUPS_MAX). */
		if ((p = realloc(sup, len)) == NULL)
			fatal("realloc");
		sup = p;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, sup, &len) == 0)
			break;
		if (errno == ENOPROTOOPT) {
			len = 0;	/* no SO_PEERGROUPS: primary group only */
			break;
		}
		if (errno != ERANGE ||
		    len > IDENTITY_MAX_GROUPS * sizeof *sup) {
			free(sup);
			return (-1);
		}
	}
	n = len / sizeof *sup;
	id->gids = xcalloc(n + 1, sizeof *id->gids);
	id->gids[id->ngids++] = id->gid;
	for (i = 0; i < n; i++) {
		if (sup[i] != id->gid)
			id->gids[id->ngids++] = sup[i];
	}
	free(sup);
	return (0);
}

/* A getpw/getgr *_r buffer size to start with. */
static size_t
identity_bufsize(int name)
{
	long	 n = sysconf(name);

	return (n > 0 && n < 1024 * 1024 ? (size_t)n : 16384);
}

/*
 * The name of a user (group 0) or a group id, or its number as text if it
 * has none; NULL if memory is short. Runs in a worker.
 */
static char *
identity_name(int group, unsigned long id)
{
	struct passwd	 pw, *pwres = NULL;
	struct group	 gr, *grres = NULL;
	size_t		 size = identity_bufsize(group ?
			     _SC_GETGR_R_SIZE_MAX : _SC_GETPW_R_SIZE_MAX);
	const char	*found = NULL;
	char		*buf = NULL, *name, num[32];
	int		 r;

	for (;;) {
		free(buf);
		if ((buf = calloc(1, size)) == NULL)
			return (NULL);
		if (group) {
			r = getgrgid_r((gid_t)id, &gr, buf, size, &grres);
			if (r == 0 && grres != NULL)
				found = gr.gr_name;
		} else {
			r = getpwuid_r((uid_t)id, &pw, buf, size, &pwres);
			if (r == 0 && pwres != NULL)
				found = pw.pw_name;
		}
		if (r != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (found != NULL && *found != '\0')
		name = strdup(found);
	else {
		snprintf(num, sizeof num, "%lu", id);
		name = strdup(num);
	}
	free(buf);
	return (name);
}

/*
 * The peer's executable into id->exe, from /proc/PID/exe. After the
 * privilege drop that link is unreadable for other users' processes; then
 * the command name from /proc/PID/comm, in brackets ("[ping]"), which anyone
 * may read. "?" if neither can be read, or if pidfd (-1: none) says the peer
 * has exited (its pid may name another process by now).
 */
static void
identity_exe(struct identity *id, int pidfd)
{
	char	 path[64], comm[32], exe[PATH_MAX];
	ssize_t	 n = -1;
	int	 fd;

	snprintf(exe, sizeof exe, "?");
	if (id->pid <= 0)
		goto out;
	snprintf(path, sizeof path, "/proc/%ld/exe", (long)id->pid);
	if ((n = readlink(path, exe, sizeof exe - 1)) > 0)
		exe[n] = '\0';
	else {
		snprintf(path, sizeof path, "/proc/%ld/comm", (long)id->pid);
		n = -1;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
			n = read(fd, comm, sizeof comm - 1);
			close(fd);
		}
		if (n > 0 && comm[n - 1] == '\n')
			n--;
		if (n > 0) {
			comm[n] = '\0';
			snprintf(exe, sizeof exe, "[%s]", comm);
		}
	}
	if (n <= 0 || !identity_alive(pidfd))
		snprintf(exe, sizeof exe, "?");
out:
	id->exe = xstrdup(exe);
}

/* Whether the process of pidfd still runs (1 if there is no pidfd). */
static int
identity_alive(int pidfd)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd == -1)
		return (1);
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == -1 &&
	    errno == ESRCH)
		return (0);
#endif
	return (1);
}

/* One line about who the peer is, for the log at connect, into buf. */
void
identity_describe(const struct identity *id, char *buf, size_t len)
{
	size_t	 i, off;
	int	 n;

	n = snprintf(buf, len, "pid %ld (%s) uid %lu (%s) gid %lu (%s) groups",
	    (long)id->pid, id->exe != NULL ? id->exe : "?",
	    (unsigned long)id->uid,
	    id->user != NULL ? id->user : "?", (unsigned long)id->gid,
	    id->groups != NULL ? id->groups[0] : "?");
	if (n < 0 || (size_t)n >= len)
		return;
	off = n;
	for (i = 0; i < id->ngids && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%lu(%s)", i ? "," : " ",
		    (unsigned long)id->gids[i], id->groups != NULL ?
		    id->groups[i] : "?");
		if (n < 0)
			return;
		off += n;
	}
}
