/* SPDX-License-Identifier: ISC */
/*
 * posix_spawn and posix_spawnp. glibc's run the new program through its
 * internal execve, in a child that shares the parent's memory until the
 * exec, so the shim's execve never sees them: here each is libc's, given
 * the environment the shim's execve would have made (the variables
 * `sockbroker run` set, and SOCKBROKER_RUN_FDS). Which brokered sockets
 * the new program has, and on which numbers, is what its file actions
 * make of this process's descriptors: the shim keeps a copy of each
 * action the program adds (posix_spawn_file_actions_adddup2, addclose,
 * addopen, addclosefrom_np), by the address of its file actions, and
 * plays them on a map of the brokered descriptors (a dup2 onto 0 of a
 * brokered socket makes 0 that socket, without close-on-exec; a close or
 * an open of a number clears it). The actions themselves are libc's to
 * run, in the child, on the real descriptors; the channels they dup are
 * the ones the new program's shim joins.
 */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>

#include "preload.h"

enum preload_act {
	PRELOAD_ACT_CLOSE,
	PRELOAD_ACT_DUP2,
	PRELOAD_ACT_OPEN,
	PRELOAD_ACT_CLOSEFROM,
};

/* One action of a posix_spawn_file_actions_t, as the shim saw it added. */
struct preload_action {
	enum preload_act	 op;
	int			 fd;
	int			 newfd;		/* dup2's */
};

/* The actions of one posix_spawn_file_actions_t, by its address. */
struct preload_actions {
	const void		*key;
	struct preload_action	*v;
	size_t			 n;
	struct preload_actions	*next;
};

/* The libc functions of this file (dlsym RTLD_NEXT). */
static struct {
	int	(*spawn)(pid_t *, const char *,
		    const posix_spawn_file_actions_t *,
		    const posix_spawnattr_t *, char *const[], char *const[]);
	int	(*spawnp)(pid_t *, const char *,
		    const posix_spawn_file_actions_t *,
		    const posix_spawnattr_t *, char *const[], char *const[]);
	int	(*init)(posix_spawn_file_actions_t *);
	int	(*destroy)(posix_spawn_file_actions_t *);
	int	(*addclose)(posix_spawn_file_actions_t *, int);
	int	(*adddup2)(posix_spawn_file_actions_t *, int, int);
	int	(*addopen)(posix_spawn_file_actions_t *, int, const char *,
		    int, mode_t);
	int	(*addclosefrom)(posix_spawn_file_actions_t *, int);
} preload_spawn_libc;

static struct preload_actions	*preload_spawn_list;
static pthread_mutex_t		 preload_spawn_lock =
				     PTHREAD_MUTEX_INITIALIZER;

static void	 preload_spawn_resolve(void);
static void	 preload_spawn_forget(const void *);
static void	 preload_spawn_add(const void *, enum preload_act, int, int);
static void	 preload_spawn_play(struct preload_sock **, int *, int,
		     const struct preload_action *);
static char	**preload_spawn_env(const void *, char *const[],
		     struct preload_sock ***, int *);
static void	 preload_spawn_done(struct preload_sock **, int, int);

/* Finds the libc functions of this file. */
static void
preload_spawn_resolve(void)
{
	if (preload_spawn_libc.spawn != NULL)
		return;
	preload_spawn_libc.spawnp = dlsym(RTLD_NEXT, "posix_spawnp");
	preload_spawn_libc.init = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_init");
	preload_spawn_libc.destroy = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_destroy");
	preload_spawn_libc.addclose = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_addclose");
	preload_spawn_libc.adddup2 = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_adddup2");
	preload_spawn_libc.addopen = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_addopen");
	preload_spawn_libc.addclosefrom = dlsym(RTLD_NEXT,
	    "posix_spawn_file_actions_addclosefrom_np");
	preload_spawn_libc.spawn = dlsym(RTLD_NEXT, "posix_spawn");
}

/* Forgets the actions kept for key (its file actions are new or gone). */
static void
preload_spawn_forget(const void *key)
{
	struct preload_actions	**pp, *a;

	pthread_mutex_lock(&preload_spawn_lock);
	for (pp = &preload_spawn_list; (a = *pp) != NULL; pp = &a->next) {
		if (a->key == key) {
			*pp = a->next;
			free(a->v);
			free(a);
			break;
		}
	}
	pthread_mutex_unlock(&preload_spawn_lock);
}

/*
 * Keeps one more action of key. Out of memory it is not kept: the new
 * program may then miss a brokered socket, never get a wrong one, as
 * only a dup2 adds one.
 */
static void
preload_spawn_add(const void *key, enum preload_act op, int fd, int newfd)
{
	struct preload_actions	*a;
	struct preload_action	*v;

	pthread_mutex_lock(&preload_spawn_lock);
	for (a = preload_spawn_list; a != NULL && a->key != key; a = a->next)
		;
	if (a == NULL && (a = calloc(1, sizeof *a)) != NULL) {
		a->key = key;
		a->next = preload_spawn_list;
		preload_spawn_list = a;
	}
	if (a != NULL &&
	    (v = reallocarray(a->v, a->n + 1, sizeof *v)) != NULL) {
		a->v = v;
		v[a->n].op = op;
		v[a->n].fd = fd;
		v[a->n].newfd = newfd;
		a->n++;
	}
	pthread_mutex_unlock(&preload_spawn_lock);
}

/*
 * Plays action x on map and cloexec (top entries: the brokered socket on
 * each number of the child, and whether it closes at the exec), as the
 * child runs it before the exec.
 */
static void
preload_spawn_play(struct preload_sock **map, int *cloexec, int top,
    const struct preload_action *x)
{
	int	 fd;

	switch (x->op) {
	case PRELOAD_ACT_DUP2:
		if (x->newfd < 0 || x->newfd >= top)
			break;
		/* dup2 onto itself clears close-on-exec (glibc >= 2.29). */
		map[x->newfd] = x->fd >= 0 && x->fd < top ? map[x->fd] : NULL;
		cloexec[x->newfd] = 0;
		break;
	case PRELOAD_ACT_CLOSE:
	case PRELOAD_ACT_OPEN:
		if (x->fd >= 0 && x->fd < top)
			map[x->fd] = NULL;
		break;
	case PRELOAD_ACT_CLOSEFROM:
		for (fd = x->fd < 0 ? 0 : x->fd; fd < top; fd++)
			map[fd] = NULL;
		break;
	}
}

/*
 * The environment of a program posix_spawn runs with file actions fa
 * (NULL: none): env with the shim's variables put back and the brokered
 * descriptors it will have, those without close-on-exec once fa's actions
 * ran, in SOCKBROKER_RUN_FDS; that map (top entries; NULL if out of
 * memory) in *mapp for preload_spawn_done.
 */
static char **
preload_spawn_env(const void *fa, char *const env[],
    struct preload_sock ***mapp, int *topp)
{
	struct preload_actions	*a;
	struct preload_sock	**map;
	int			*cloexec, fd, fdfl, top = preload_fd_max();
	size_t			 i;
	char			*fds = NULL;
	int			 saved = errno;

	pthread_mutex_lock(&preload_spawn_lock);
	for (a = preload_spawn_list; a != NULL && a->key != fa; a = a->next)
		;
	for (i = 0; a != NULL && i < a->n; i++) {
		/* Below RLIMIT_NOFILE: libc's adddup2 checked it. */
		if (a->v[i].op == PRELOAD_ACT_DUP2 && a->v[i].newfd >= top)
			top = a->v[i].newfd + 1;
	}
	map = calloc((size_t)top + 1, sizeof *map);
	cloexec = calloc((size_t)top + 1, sizeof *cloexec);
	if (map != NULL && cloexec != NULL) {
		for (fd = 0; fd < top && fd < preload_fd_max(); fd++) {
			map[fd] = preload_fd_sock(fd);
			fdfl = preload_libc.fcntl(fd, F_GETFD);
			cloexec[fd] = fdfl == -1 || (fdfl & FD_CLOEXEC);
		}
		for (i = 0; a != NULL && i < a->n; i++)
			preload_spawn_play(map, cloexec, top, &a->v[i]);
		for (fd = 0; fd < top; fd++) {
			if (cloexec[fd])
				map[fd] = NULL;
		}
	}
	pthread_mutex_unlock(&preload_spawn_lock);
	if (map != NULL && cloexec != NULL)
		fds = preload_inherit_env_map(map, top);
	free(cloexec);
	*mapp = map;
	*topp = top;
	errno = saved;
	return (preload_exec_env_fds(env, fds));
}

/*
 * After a spawn that worked: the tokens of the sockets it passed (map's)
 * are the new program's to spend, not this process's at their close.
 */
static void
preload_spawn_done(struct preload_sock **map, int top, int r)
{
	int	 fd;

	for (fd = 0; r == 0 && map != NULL && fd < top; fd++) {
		if (map[fd] != NULL)
			map[fd]->shared = 0;
	}
	free(map);
}

/* posix_spawn(3). */
PRELOAD_EXPORT int
posix_spawn(pid_t *pid, const char *path,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const argv[], char *const env[])
{
	struct preload_sock	**map;
	char			**penv;
	int			 top, r;

	preload_spawn_resolve();
	penv = preload_spawn_env(fa, env, &map, &top);
	r = preload_spawn_libc.spawn(pid, path, fa, attr, argv, penv);
	preload_spawn_done(map, top, r);
	return (r);
}

/* posix_spawnp(3). */
PRELOAD_EXPORT int
posix_spawnp(pid_t *pid, const char *file,
    const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
    char *const argv[], char *const env[])
{
	struct preload_sock	**map;
	char			**penv;
	int			 top, r;

	preload_spawn_resolve();
	penv = preload_spawn_env(fa, env, &map, &top);
	r = preload_spawn_libc.spawnp(pid, file, fa, attr, argv, penv);
	preload_spawn_done(map, top, r);
	return (r);
}

/* posix_spawn_file_actions_init(3): a new set, nothing kept for it. */
PRELOAD_EXPORT int
posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	preload_spawn_resolve();
	preload_spawn_forget(fa);
	return (preload_spawn_libc.init(fa));
}

/* posix_spawn_file_actions_destroy(3). */
PRELOAD_EXPORT int
posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	preload_spawn_resolve();
	preload_spawn_forget(fa);
	return (preload_spawn_libc.destroy(fa));
}

/* posix_spawn_file_actions_addclose(3). */
PRELOAD_EXPORT int
posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	int	 r;

	preload_spawn_resolve();
	if ((r = preload_spawn_libc.addclose(fa, fd)) == 0)
		preload_spawn_add(fa, PRELOAD_ACT_CLOSE, fd, -1);
	return (r);
}

/* posix_spawn_file_actions_adddup2(3). */
PRELOAD_EXPORT int
posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd,
    int newfd)
{
	int	 r;

	preload_spawn_resolve();
	if ((r = preload_spawn_libc.adddup2(fa, fd, newfd)) == 0)
		preload_spawn_add(fa, PRELOAD_ACT_DUP2, fd, newfd);
	return (r);
}

/* posix_spawn_file_actions_addopen(3). */
PRELOAD_EXPORT int
posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *fa, int fd,
    const char *path, int oflag, mode_t mode)
{
	int	 r;

	preload_spawn_resolve();
	if ((r = preload_spawn_libc.addopen(fa, fd, path, oflag, mode)) == 0)
		preload_spawn_add(fa, PRELOAD_ACT_OPEN, fd, -1);
	return (r);
}

/* posix_spawn_file_actions_addclosefrom_np(3), glibc >= 2.34. */
PRELOAD_EXPORT int
posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *fa,
    int from)
{
	int	 r;

	preload_spawn_resolve();
	if (preload_spawn_libc.addclosefrom == NULL)
		return (ENOSYS);
	if ((r = preload_spawn_libc.addclosefrom(fa, from)) == 0)
		preload_spawn_add(fa, PRELOAD_ACT_CLOSEFROM, from, -1);
	return (r);
}
