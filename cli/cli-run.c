/* SPDX-License-Identifier: ISC */
/*
 * sockbroker run [-s SOCKET] [--all | --family LIST] -- PROGRAM [ARGS]:
 * runs PROGRAM with libsockbroker-preload.so preloaded, so that the
 * sockets it may not have itself come from the daemon. The shim is the
 * build tree's when this command runs from there, the installed one
 * otherwise.
 */

#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kernel.h"

#define CLI_RUN_SHIM	"libsockbroker-preload.so"

static int	 cli_run_shim(char *, size_t);
static int	 cli_run_families(const char *);
static int	 cli_run_env(const char *, const char *, const char *);
static int	 cli_run_socket(const char *, char *, size_t);
static int	 cli_run_remote(const char *);

/*
 * The shim's path into buf: beside this program in the build tree
 * (preload/.libs/ under the directory of the binary, or of the .libs/
 * directory libtool runs it from), else the installed one.
 */
static int
cli_run_shim(char *buf, size_t len)
{
	char	 exe[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			if ((slash = strrchr(exe, '/')) != NULL &&
			    strcmp(slash, "/.libs") == 0)
				*slash = '\0';
			if ((size_t)snprintf(buf, len, "%s/preload/.libs/%s",
			    exe, CLI_RUN_SHIM) < len && access(buf, R_OK) == 0)
				return (0);
		}
	}
	if ((size_t)snprintf(buf, len, "%s", SB_PRELOAD_PATH) >= len)
		return (-1);
	return (0);
}

/* Checks a list of family names ("can,packet"): 0, or -1 after a message. */
static int
cli_run_families(const char *list)
{
	char	*dup, *word, *last;
	int	 r = 0;

	if ((dup = strdup(list)) == NULL)
		return (-1);
	for (word = strtok_r(dup, ",", &last); word != NULL;
	    word = strtok_r(NULL, ",", &last)) {
		if (kernel_family_by_name(word) == NULL) {
			fprintf(stderr, "sockbroker run: unknown family: %s\n",
			    word);
			r = -1;
		}
	}
	free(dup);
	if (*list == '\0')
		r = -1;
	return (r);
}

/* The daemon's socket path, absolute (the program may change directory). */
static int
cli_run_socket(const char *path, char *buf, size_t len)
{
	char	 cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return ((size_t)snprintf(buf, len, "%s", path) < len ? 0 : -1);
	return ((size_t)snprintf(buf, len, "%s/%s", cwd, path) < len ? 0 : -1);
}

/*
 * Whether LD_PRELOAD list pre starts with a sanitizer's runtime, which must
 * stay the first library loaded (ASan refuses to run otherwise).
 */
static int
cli_run_sanitizer_first(const char *pre)
{
	size_t	 n = strcspn(pre, ": ");
	char	 first[PATH_MAX];

	if (n >= sizeof first)
		return (0);
	memcpy(first, pre, n);
	first[n] = '\0';
	return (strstr(first, "libasan") != NULL ||
	    strstr(first, "clang_rt.asan") != NULL);
}

/*
 * Sets the environment the shim reads. The shim goes first in LD_PRELOAD,
 * so that its socket calls win over any other preload's, but after a
 * sanitizer's runtime that must come first (a sanitizer build's tests).
 */
static int
cli_run_env(const char *shim, const char *path, const char *families)
{
	const char	*old = getenv("LD_PRELOAD");
	char		*pre, sock[PATH_MAX];
	size_t		 n;

	if (old != NULL && *old != '\0' && cli_run_sanitizer_first(old)) {
		n = strcspn(old, ": ");
		if (asprintf(&pre, "%.*s:%s%s", (int)n, old, shim,
		    old + n) == -1)
			return (-1);
	} else if (old != NULL && *old != '\0') {
		if (asprintf(&pre, "%s:%s", shim, old) == -1)
			return (-1);
	} else if ((pre = strdup(shim)) == NULL)
		return (-1);
	if (setenv("LD_PRELOAD", pre, 1) == -1) {
		free(pre);
		return (-1);
	}
	free(pre);
	if (path != NULL && (cli_run_socket(path, sock, sizeof sock) == -1 ||
	    setenv("SOCKBROKER_SOCKET", sock, 1) == -1))
		return (-1);
	if (families != NULL)
		return (setenv("SOCKBROKER_RUN_FAMILIES", families, 1));
	return (unsetenv("SOCKBROKER_RUN_FAMILIES"));
}

/*
 * Refuses an ssh:// daemon (path, else $SOCKBROKER_SOCKET): the shim gives
 * programs descriptors, and none cross ssh. -1 after saying so.
 */
static int
cli_run_remote(const char *path)
{
	if (path == NULL || *path == '\0')
		path = getenv("SOCKBROKER_SOCKET");
	if (path == NULL || strncmp(path, "ssh://", 6) != 0)
		return (0);
	fprintf(stderr, "sockbroker run: %s: no descriptors cross an ssh:// "
	    "connection, and the program needs them; run it on the daemon's "
	    "host\n", path);
	return (-1);
}

/* sockbroker run: PROGRAM with the shim; its exit status is the program's. */
int
cli_run_exec(const char *path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "family", required_argument, NULL, 'f' },
		{ "socket", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*families = NULL;
	char		 shim[PATH_MAX];
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			families = "all";
			break;
		case 'f':
			if (cli_run_families(optarg) == -1)
				return (cli_usage("run"));
			families = optarg;
			break;
		case 's':
			path = optarg;
			break;
		default:
			return (cli_usage("run"));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return (cli_usage("run"));
	if (cli_run_remote(path) == -1)
		return (CLI_EXIT_ERROR);
	if (cli_run_shim(shim, sizeof shim) == -1 ||
	    cli_run_env(shim, path, families) == -1) {
		fprintf(stderr, "sockbroker run: %s\n", strerror(errno));
		return (CLI_EXIT_ERROR);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "sockbroker run: %s: %s\n", argv[0], strerror(errno));
	return (errno == ENOENT ? 127 : 126);
}
