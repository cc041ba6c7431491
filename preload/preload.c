/* SPDX-License-Identifier: ISC */
/*
 * The shim's state: the libc functions it calls through to, the guard that
 * lets libsockbroker's own calls pass straight to libc, the one connection
 * to the daemon (opened on first need, again in a fork child), which
 * families are brokered from the start (SOCKBROKER_RUN_FAMILIES) and the
 * lines it writes on stderr.
 */

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "preload.h"

#define PRELOAD_MAX_AF	64

struct preload_libc	 preload_libc;
unsigned int		 preload_gen;

static __thread int	 preload_depth __attribute__((tls_model("initial-exec")));
static pthread_mutex_t	 preload_lock = PTHREAD_MUTEX_INITIALIZER;
static sb_conn		*preload_c;
static sb_conn		*preload_orphan;	/* a parent's, in a child */
static int		 preload_state;		/* 0 not tried, 1 open, -1 none */
static int		 preload_all;
static char		 preload_af[PRELOAD_MAX_AF];
static int		 preload_verbose;

static void	 preload_init(void) __attribute__((constructor));
static void	 preload_families(const char *);
static void	 preload_child_cb(void);
static void	*preload_sym(const char *);

/* The next definition of name after the shim's (libc's). */
static void *
preload_sym(const char *name)
{
	void	*p;

	if ((p = dlsym(RTLD_NEXT, name)) == NULL)
		p = dlsym(RTLD_DEFAULT, name);
	return (p);
}

/* Finds every libc function the shim calls through to. */
void
preload_resolve(void)
{
	struct preload_libc	 l;

#define PRELOAD_SYM(f, n)	*(void **)&l.f = preload_sym(n)
	PRELOAD_SYM(socket, "socket");
	PRELOAD_SYM(bind, "bind");
	PRELOAD_SYM(connect, "connect");
	PRELOAD_SYM(listen, "listen");
	PRELOAD_SYM(accept, "accept");
	PRELOAD_SYM(accept4, "accept4");
	PRELOAD_SYM(getsockopt, "getsockopt");
	PRELOAD_SYM(setsockopt, "setsockopt");
	PRELOAD_SYM(getsockname, "getsockname");
	PRELOAD_SYM(getpeername, "getpeername");
	PRELOAD_SYM(ioctl, "ioctl");
	PRELOAD_SYM(shutdown, "shutdown");
	PRELOAD_SYM(send, "send");
	PRELOAD_SYM(sendto, "sendto");
	PRELOAD_SYM(sendmsg, "sendmsg");
	PRELOAD_SYM(sendmmsg, "sendmmsg");
	PRELOAD_SYM(recv, "recv");
	PRELOAD_SYM(recvfrom, "recvfrom");
	PRELOAD_SYM(recvmsg, "recvmsg");
	PRELOAD_SYM(recvmmsg, "recvmmsg");
	PRELOAD_SYM(read, "read");
	PRELOAD_SYM(write, "write");
	PRELOAD_SYM(readv, "readv");
	PRELOAD_SYM(writev, "writev");
	PRELOAD_SYM(read_chk, "__read_chk");
	PRELOAD_SYM(recv_chk, "__recv_chk");
	PRELOAD_SYM(recvfrom_chk, "__recvfrom_chk");
	PRELOAD_SYM(close, "close");
	PRELOAD_SYM(close_range, "close_range");
	PRELOAD_SYM(closefrom, "closefrom");
	PRELOAD_SYM(dup, "dup");
	PRELOAD_SYM(dup2, "dup2");
	PRELOAD_SYM(dup3, "dup3");
	PRELOAD_SYM(fcntl, "fcntl");
	PRELOAD_SYM(execve, "execve");
	PRELOAD_SYM(execvpe, "execvpe");
	PRELOAD_SYM(if_nametoindex, "if_nametoindex");
	PRELOAD_SYM(if_indextoname, "if_indextoname");
	PRELOAD_SYM(if_nameindex, "if_nameindex");
	PRELOAD_SYM(if_freenameindex, "if_freenameindex");
#undef PRELOAD_SYM
	preload_libc = l;
}

/* Sets the shim up when the loader maps it, before the program runs. */
static void
preload_init(void)
{
	const char	*s;

	if (preload_libc.close == NULL)
		preload_resolve();
	s = getenv("SOCKBROKER_DEBUG");
	preload_verbose = s != NULL && *s != '\0' && strcmp(s, "0") != 0;
	if ((s = getenv("SOCKBROKER_RUN_FAMILIES")) != NULL)
		preload_families(s);
	preload_fd_init();
	pthread_atfork(preload_inherit_prepare, preload_inherit_parent,
	    preload_child_cb);
	preload_inherit_exec();
}

/* Reads a list of family names ("can,packet") or "all". */
static void
preload_families(const char *list)
{
	const struct kernel_family	*f;
	char				*dup, *word, *last;

	if ((dup = strdup(list)) == NULL)
		return;
	for (word = strtok_r(dup, ", ", &last); word != NULL;
	    word = strtok_r(NULL, ", ", &last)) {
		if (strcmp(word, "all") == 0)
			preload_all = 1;
		else if ((f = kernel_family_by_name(word)) != NULL &&
		    f->af >= 0 && f->af < PRELOAD_MAX_AF)
			preload_af[f->af] = 1;
		else
			preload_debug("unknown family '%s' in "
			    "SOCKBROKER_RUN_FAMILIES", word);
	}
	free(dup);
}

/* Whether sockets of family af go to the daemon without a local try. */
int
preload_forced(int af)
{
	if (af == AF_UNIX)
		return (0);	/* the program's own IPC, never brokered */
	if (preload_all)
		return (1);
	return (af >= 0 && af < PRELOAD_MAX_AF && preload_af[af]);
}

/*
 * In a fork child: the parent's connection is not ours to use (its
 * requests and answers would mix with the parent's), so the child forgets
 * it and its descriptors, and imports on its own the sockets the parent
 * shared for it.
 */
static void
preload_child_cb(void)
{
	pthread_mutex_init(&preload_lock, NULL);
	preload_gen++;
	if (preload_c != NULL)
		preload_orphan = preload_c;
	preload_c = NULL;
	if (preload_state == 1)
		preload_state = 0;
	preload_fd_forget_own();
	preload_inherit_child();
}

/* Whether this thread is inside libsockbroker (its calls go to libc). */
int
preload_inside(void)
{
	return (preload_depth > 0);
}

/* Marks this thread as inside libsockbroker. */
void
preload_enter(void)
{
	preload_depth++;
}

/* Marks this thread as back in the program. */
void
preload_leave(void)
{
	preload_depth--;
}

/*
 * The connection to the daemon, opened on first use; NULL (once said on
 * stderr) when it cannot be reached: the program's calls stay local.
 */
sb_conn *
preload_conn(void)
{
	const char	*path;
	sb_conn		*c;
	int		 saved = errno;

	pthread_mutex_lock(&preload_lock);
	if (preload_state == 0) {
		preload_enter();
		if ((preload_c = sb_open(NULL)) != NULL) {
			sb_setchannels(preload_c, 1);
			preload_state = 1;
		} else {
			path = getenv("SOCKBROKER_SOCKET");
			fprintf(stderr, "sockbroker run: cannot reach "
			    "sockbrokerd at %s: %s (%s); sockets stay local\n",
			    path != NULL && *path != '\0' ? path :
			    SB_DEFAULT_SOCKET, strerror(errno),
			    sb_lasterror()->message);
			preload_state = -1;
		}
		preload_leave();
	}
	c = preload_c;
	pthread_mutex_unlock(&preload_lock);
	errno = saved;
	return (c);
}

/* A line on stderr when SOCKBROKER_DEBUG is set. */
void
preload_debug(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	if (!preload_verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "sockbroker run: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	errno = saved;
}

/*
 * After a failed sb_* call for what (the call's name): a policy refusal
 * is the errno the kernel gave the local call (kerr, if it was EPERM or
 * EACCES) and, with SOCKBROKER_DEBUG, a line naming the rule; any other
 * error is the daemon's errno. Returns -1.
 */
int
preload_refused(const char *what, int kerr)
{
	const struct sb_error	*e = sb_lasterror();
	const char		*msg = e->message;
	size_t			 len = strlen(what);
	int			 err = errno;

	/* The daemon's message may name the call already. */
	if (strncmp(msg, what, len) == 0 && msg[len] == ':')
		what = "";
	if (e->kind == SB_ERR_POLICY) {
		preload_debug("%s%s%s", what, *what != '\0' ? ": " : "",
		    *msg != '\0' ? msg : "refused by the policy");
		if (kerr == EPERM || kerr == EACCES)
			err = kerr;
	} else
		preload_debug("%s%s%s%s%s", what, *what != '\0' ? ": " : "",
		    strerror(err), *msg != '\0' ? ": " : "", msg);
	errno = err;
	return (-1);
}
