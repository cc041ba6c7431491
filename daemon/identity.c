/* SPDX-License-Identifier: ISC */
/*
 * Who a client is, from the kernel and never from what it sends: uid, gid
 * and pid from SO_PEERCRED, the supplementary groups from SO_PEERGROUPS, and
 * a pidfd from SO_PEERPIDFD where the kernel has it, so that a recycled pid
 * is never mistaken for the peer. User and group names are resolved once, at
 * connect, so that the policy matches names without asking NSS per request.
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

static int	 identity_groups(int, struct identity *);
static char	*identity_user(uid_t);
static char	*identity_group(gid_t);
static size_t	 identity_bufsize(int);
static void	 identity_exe(struct identity *);
static int	 identity_alive(int);

/*
 * Fills id with the peer of connected UNIX socket fd. Returns 0, or -1 with
 * errno if the kernel will not say who the peer is (id is then empty and
 * safe to free).
 */
int
identity_get(int fd, struct identity *id)
{
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
	size_t		 i;

	memset(id, 0, sizeof *id);
	id->pidfd = -1;
	id->uid = (uid_t)-1;
	id->gid = (gid_t)-1;
	id->pid = -1;
	snprintf(id->exe, sizeof id->exe, "?");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (-1);
	id->uid = cred.uid;
	id->gid = cred.gid;
	id->pid = cred.pid;
	len = sizeof id->pidfd;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &id->pidfd, &len) == -1)
		id->pidfd = -1;		/* ENOPROTOOPT: an older kernel */
	if (identity_groups(fd, id) == -1)
		return (-1);
	id->user = identity_user(id->uid);
	id->groups = xcalloc(id->ngids + 1, sizeof *id->groups);
	for (i = 0; i < id->ngids; i++)
		id->groups[i] = identity_group(id->gids[i]);
	identity_exe(id);
	return (0);
}

/* Frees what identity_get() allocated and closes the pidfd. */
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
	if (id->pidfd != -1)
		close(id->pidfd);
	id->groups = NULL;
	id->gids = NULL;
	id->user = NULL;
	id->ngids = 0;
	id->pidfd = -1;
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

/* The name of uid, or its number as text if it has none. */
static char *
identity_user(uid_t uid)
{
	struct passwd	 pw, *res = NULL;
	size_t		 size = identity_bufsize(_SC_GETPW_R_SIZE_MAX);
	char		*buf = NULL, *name, num[32];
	int		 r;

	for (;;) {
		free(buf);
		buf = xcalloc(1, size);
		r = getpwuid_r(uid, &pw, buf, size, &res);
		if (r != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (r == 0 && res != NULL && pw.pw_name != NULL && *pw.pw_name != '\0')
		name = xstrdup(pw.pw_name);
	else {
		snprintf(num, sizeof num, "%lu", (unsigned long)uid);
		name = xstrdup(num);
	}
	free(buf);
	return (name);
}

/* The name of gid, or its number as text if it has none. */
static char *
identity_group(gid_t gid)
{
	struct group	 gr, *res = NULL;
	size_t		 size = identity_bufsize(_SC_GETGR_R_SIZE_MAX);
	char		*buf = NULL, *name, num[32];
	int		 r;

	for (;;) {
		free(buf);
		buf = xcalloc(1, size);
		r = getgrgid_r(gid, &gr, buf, size, &res);
		if (r != ERANGE || size >= 1024 * 1024)
			break;
		size *= 2;
	}
	if (r == 0 && res != NULL && gr.gr_name != NULL && *gr.gr_name != '\0')
		name = xstrdup(gr.gr_name);
	else {
		snprintf(num, sizeof num, "%lu", (unsigned long)gid);
		name = xstrdup(num);
	}
	free(buf);
	return (name);
}

/*
 * The peer's executable, from /proc/PID/exe. After the privilege drop that
 * link is unreadable for other users' processes; then the command name
 * from /proc/PID/comm, in brackets ("[ping]"), which anyone may read. "?"
 * if neither can be read, or if the pidfd says the peer has exited (its pid
 * may name another process by now).
 */
static void
identity_exe(struct identity *id)
{
	char	 path[64], comm[32];
	ssize_t	 n;
	int	 fd;

	if (id->pid <= 0)
		return;
	snprintf(path, sizeof path, "/proc/%ld/exe", (long)id->pid);
	if ((n = readlink(path, id->exe, sizeof id->exe - 1)) > 0)
		id->exe[n] = '\0';
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
			snprintf(id->exe, sizeof id->exe, "[%s]", comm);
		}
	}
	if (n <= 0 || !identity_alive(id->pidfd))
		snprintf(id->exe, sizeof id->exe, "?");
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
	    (long)id->pid, id->exe, (unsigned long)id->uid,
	    id->user != NULL ? id->user : "?", (unsigned long)id->gid,
	    id->groups != NULL ? id->groups[0] : "?");
	if (n < 0 || (size_t)n >= len)
		return;
	off = n;
	for (i = 0; i < id->ngids && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%lu(%s)", i ? "," : " ",
		    (unsigned long)id->gids[i], id->groups[i]);
		if (n < 0)
			return;
		off += n;
	}
}
