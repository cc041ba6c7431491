/* SPDX-License-Identifier: ISC */
/*
 * Levelled logging in the manner of OpenBSD's log.c: to stderr in the
 * foreground, to syslog otherwise. fatal() is for broken invariants of our
 * own, never for what a client sent.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "sockbrokerd.h"

static int	 log_foreground = 1;
static int	 log_verbose;

static void	 log_line(int, const char *);
static void	 log_vmsg(int, int, const char *, va_list)
		    __attribute__((__format__(printf, 3, 0)));

/* Chooses where log lines go and how much is said. */
void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("sockbrokerd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* Changes how much is said. */
void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/* Writes one finished line at a syslog priority. */
static void
log_line(int pri, const char *msg)
{
	static const char	*names[] = {
		[LOG_CRIT] = "fatal", [LOG_ERR] = "error",
		[LOG_WARNING] = "warning", [LOG_INFO] = "info",
		[LOG_DEBUG] = "debug",
	};
	struct timespec		 ts;
	struct tm		 tm;
	char			 stamp[16];

	if (!log_foreground) {
		syslog(pri, "%s", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s: %s\n", stamp, ts.tv_nsec / 1000000,
	    names[pri] != NULL ? names[pri] : "log", msg);
}

/* Formats a line, with the strerror of errno appended when witherr is set. */
static void
log_vmsg(int pri, int witherr, const char *fmt, va_list ap)
{
	char	 buf[2048];
	size_t	 len;
	int	 saved = errno;

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (witherr) {
		len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, ": %s", strerror(saved));
	}
	log_line(pri, buf);
	errno = saved;
}

/* Logs a broken invariant with strerror and exits. */
void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Logs a broken invariant and exits. */
void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Logs a warning with strerror(errno). */
void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, 1, fmt, ap);
	va_end(ap);
}

/* Logs a warning. */
void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, 0, fmt, ap);
	va_end(ap);
}

/* Logs what an administrator wants to know happened. */
void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, 0, fmt, ap);
	va_end(ap);
}

/* Logs detail for debugging; only with --verbose. */
void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

/* calloc() that dies on exhaustion; for the daemon's own structures. */
void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		fatal("calloc");
	return (p);
}

/* strdup() that dies on exhaustion. */
char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return (p);
}
