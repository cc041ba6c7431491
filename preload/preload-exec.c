/* SPDX-License-Identifier: ISC */
/*
 * execve, execvpe, execv, execvp, execl, execle and execlp (glibc's reach
 * its internal execve, not the shim's, so each is the shim's own here):
 * a program that runs another with an
 * environment of its own making still runs it with the shim, on the same
 * daemon, with the same families brokered: the variables `sockbroker run`
 * set are put back where the new environment lacks them. The brokered
 * descriptors without close-on-exec go along (preload-inherit.c:
 * SOCKBROKER_RUN_FDS, made here for each exec, never taken from env).
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "preload.h"

/* The variables a child keeps, as `sockbroker run` set them. */
static const char *const preload_exec_vars[] = {
	"LD_PRELOAD", "SOCKBROKER_SOCKET", "SOCKBROKER_RUN_FAMILIES",
	"SOCKBROKER_DEBUG", "SOCKBROKER_TIMEOUT",
};
#define PRELOAD_NVARS	(sizeof preload_exec_vars / sizeof preload_exec_vars[0])

static char	*preload_exec_saved[PRELOAD_NVARS];

extern char	**environ;

static void	 preload_exec_init(void) __attribute__((constructor));
static int	 preload_exec_has(char *const[], const char *);
static char	**preload_exec_argv(const char *, va_list, char *const **);

/* Keeps "NAME=value" of each variable as the program started with it. */
static void
preload_exec_init(void)
{
	const char	*v;
	size_t		 i, len;

	for (i = 0; i < PRELOAD_NVARS; i++) {
		if ((v = getenv(preload_exec_vars[i])) == NULL)
			continue;
		len = strlen(preload_exec_vars[i]) + strlen(v) + 2;
		if ((preload_exec_saved[i] = malloc(len)) == NULL)
			continue;
		strcpy(preload_exec_saved[i], preload_exec_vars[i]);
		strcat(preload_exec_saved[i], "=");
		strcat(preload_exec_saved[i], v);
	}
}

/* Whether env sets name. */
static int
preload_exec_has(char *const env[], const char *name)
{
	size_t	 len = strlen(name);

	for (; env != NULL && *env != NULL; env++) {
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return (1);
	}
	return (0);
}

/*
 * env with the saved variables it lacks added and the brokered
 * descriptors the program exec'ed keeps (their SOCKBROKER_RUN_FDS).
 */
char **
preload_exec_env(char *const env[])
{
	int	 saved = errno;
	char	*fds = preload_inherit_env();

	errno = saved;
	return (preload_exec_env_fds(env, fds));
}

/*
 * env with the saved variables it lacks added and fds (NULL: none), its
 * own SOCKBROKER_RUN_FDS dropped: env itself when there is nothing to
 * change, else a new array (never freed: the process is replaced, or the
 * exec failed and that is a few bytes).
 */
char **
preload_exec_env_fds(char *const env[], char *fds)
{
	char	**out;
	size_t	  i, n = 0, k = 0, add = 0;

	for (i = 0; i < PRELOAD_NVARS; i++) {
		if (preload_exec_saved[i] != NULL &&
		    !preload_exec_has(env, preload_exec_vars[i]))
			add++;
	}
	if (add == 0 && fds == NULL && !preload_exec_has(env, PRELOAD_FDS_VAR))
		return ((char **)(uintptr_t)env);
	while (env != NULL && env[n] != NULL)
		n++;
	if ((out = calloc(n + add + 2, sizeof *out)) == NULL)
		return ((char **)(uintptr_t)env);
	for (i = 0; i < n; i++) {
		if (strncmp(env[i], PRELOAD_FDS_VAR "=",
		    sizeof PRELOAD_FDS_VAR) != 0)
			out[k++] = env[i];
	}
	for (i = 0; i < PRELOAD_NVARS; i++) {
		if (preload_exec_saved[i] != NULL &&
		    !preload_exec_has(env, preload_exec_vars[i]))
			out[k++] = preload_exec_saved[i];
	}
	if (fds != NULL)
		out[k++] = fds;
	return (out);
}

/* execve(2). */
PRELOAD_EXPORT int
execve(const char *path, char *const argv[], char *const env[])
{
	if (preload_libc.execve == NULL)
		preload_resolve();
	return (preload_libc.execve(path, argv, preload_exec_env(env)));
}

/* execvpe(3). */
PRELOAD_EXPORT int
execvpe(const char *file, char *const argv[], char *const env[])
{
	if (preload_libc.execvpe == NULL)
		preload_resolve();
	return (preload_libc.execvpe(file, argv, preload_exec_env(env)));
}

/* execv(3): glibc's reaches its own execve, not the shim's. */
PRELOAD_EXPORT int
execv(const char *path, char *const argv[])
{
	return (execve(path, argv, environ));
}

/* execvp(3). */
PRELOAD_EXPORT int
execvp(const char *file, char *const argv[])
{
	return (execvpe(file, argv, environ));
}

/*
 * The arguments of an execl call: arg0 and those in ap up to the NULL, as
 * an array (NULL and ENOMEM if out of memory); with envp set, the
 * environment that follows the NULL (execle) in *envp.
 */
static char **
preload_exec_argv(const char *arg0, va_list ap, char *const **envp)
{
	va_list	 cp;
	char	**argv;
	size_t	 n = 1, i;

	va_copy(cp, ap);
	while (va_arg(cp, char *) != NULL)
		n++;
	va_end(cp);
	if ((argv = calloc(n + 1, sizeof *argv)) == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	argv[0] = (char *)(uintptr_t)arg0;
	for (i = 1; i < n; i++)
		argv[i] = va_arg(ap, char *);
	(void)va_arg(ap, char *);		/* the NULL */
	if (envp != NULL)
		*envp = va_arg(ap, char *const *);
	return (argv);
}

/* execl(3). */
PRELOAD_EXPORT int
execl(const char *path, const char *arg, ...)
{
	va_list	 ap;
	char	**argv;
	int	 r, saved;

	va_start(ap, arg);
	argv = preload_exec_argv(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL)
		return (-1);
	r = execve(path, argv, environ);
	saved = errno;
	free(argv);
	errno = saved;
	return (r);
}

/* execle(3): the environment after the NULL. */
PRELOAD_EXPORT int
execle(const char *path, const char *arg, ...)
{
	va_list		 ap;
	char		**argv;
	char *const	*env;
	int		 r, saved;

	va_start(ap, arg);
	argv = preload_exec_argv(arg, ap, &env);
	va_end(ap);
	if (argv == NULL)
		return (-1);
	r = execve(path, argv, env);
	saved = errno;
	free(argv);
	errno = saved;
	return (r);
}

/* execlp(3). */
PRELOAD_EXPORT int
execlp(const char *file, const char *arg, ...)
{
	va_list	 ap;
	char	**argv;
	int	 r, saved;

	va_start(ap, arg);
	argv = preload_exec_argv(arg, ap, NULL);
	va_end(ap);
	if (argv == NULL)
		return (-1);
	r = execvpe(file, argv, environ);
	saved = errno;
	free(argv);
	errno = saved;
	return (r);
}
