/* SPDX-License-Identifier: ISC */
/*
 * A test shim preloaded into the daemon (LD_PRELOAD) to stand for a slow
 * directory (NSS over LDAP or sssd): getpwuid_r sleeps SB_SLOWNSS_SECONDS
 * (2 by default) before the real lookup when the file SB_SLOWNSS_FLAG
 * exists, and removes it, so that exactly one lookup per creation of the
 * file is slow.
 */

#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

typedef int	(*slownss_fn)(uid_t, struct passwd *, char *, size_t,
		    struct passwd **);

int	getpwuid_r(uid_t, struct passwd *, char *, size_t, struct passwd **);

/* getpwuid_r, slow once for each creation of the flag file. */
int
getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
    struct passwd **res)
{
	slownss_fn	 real;
	const char	*flag = getenv("SB_SLOWNSS_FLAG");
	const char	*secs = getenv("SB_SLOWNSS_SECONDS");
	struct timespec	 ts = { 2, 0 };

	if ((real = (slownss_fn)dlsym(RTLD_NEXT, "getpwuid_r")) == NULL) {
		*res = NULL;
		return (ENOENT);
	}
	if (flag != NULL && unlink(flag) == 0) {
		if (secs != NULL && atoi(secs) > 0)
			ts.tv_sec = atoi(secs);
		while (nanosleep(&ts, &ts) == -1)
			;
	}
	return (real(uid, pw, buf, len, res));
}
