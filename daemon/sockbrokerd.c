/* SPDX-License-Identifier: ISC */
/*
 * sockbrokerd: owns sockets on behalf of unprivileged clients and serves
 * socket operations on them over a UNIX socket.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

static void		 sbd_usage(int) __attribute__((__noreturn__));
static unsigned long	 sbd_number(const char *, const char *,
			    unsigned long, unsigned long);
static void		 sbd_signal_cb(evutil_socket_t, short, void *);
static void		 sbd_policy_load(void);
static void		 sbd_reload_cb(evutil_socket_t, short, void *);

/*
 * Prints how to call us and exits with status: to stdout when asked for
 * (-h, status 0), else to stderr.
 */
static void
sbd_usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
"usage: sockbrokerd [-fhVv] [-l path] [--socket-mode mode]\n"
"                   [--max-clients n] [--max-handles n] [--max-frame bytes]\n"
"                   [--max-pending n] [--max-queued bytes] [--share-ttl s]\n"
"                   [--audit-file path] [--audit-rate n]\n"
"                   [--user name] [--no-privdrop] [--policy path]\n"
"  -l, --listen PATH     socket to serve on (default %s)\n"
"  -f, --foreground      do not daemonize; log to stderr\n"
"  -v, --verbose         log every request (debug level)\n"
"      --socket-mode M   octal mode of the socket file (default 0600)\n"
"      --max-clients N   clients served at once (default %u); each takes\n"
"                        one descriptor and one per handle (RLIMIT_NOFILE)\n"
"      --max-handles N   sockets per client (default %u, max 65535)\n"
"      --max-frame B     largest frame accepted (default %u)\n"
"      --max-pending N   requests parked per client (default %u)\n"
"      --max-queued B    reply bytes queued to a client before it is cut\n"
"                        off (default %u, at least 4 x --max-frame)\n"
"      --share-ttl S     seconds a token of share is good for (default %u)\n"
"      --audit-file PATH also append the audit log to PATH\n"
"      --audit-rate N    audit lines per second, burst 2N (default %u)\n"
"      --user NAME       user to become when started as root (default %s)\n"
"      --no-privdrop     stay root (for tests only)\n"
"      --policy PATH     the policy (default %s); SIGHUP reloads it\n"
"  -V, --version         print the version and exit\n",
	    SB_DEFAULT_SOCKET, SBD_MAX_CLIENTS, SBD_MAX_HANDLES, SBP_MAX_FRAME,
	    SBD_MAX_PENDING, SBD_MAX_QUEUED, SBD_SHARE_TTL, SBD_AUDIT_RATE,
	    SBD_USER,
	    policy_default_path());
	exit(status);
}

/* Parses a number option within [min, max] (base 0), or exits with usage. */
static unsigned long
sbd_number(const char *name, const char *arg, unsigned long min,
    unsigned long max)
{
	unsigned long	 v;
	char		*end;

	errno = 0;
	v = strtoul(arg, &end, 0);
	if (errno != 0 || *arg == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "sockbrokerd: %s: %s is not a number from %lu "
		    "to %lu\n", name, arg, min, max);
		exit(2);
	}
	return (v);
}

/*
 * Loads the policy at start-up; a missing or broken one stops the daemon
 * (the file, line and column of a syntax error are in the message; for a
 * missing file, where the example is and --policy).
 */
static void
sbd_policy_load(void)
{
	const char	*example = policy_example_path();
	char		*cause = NULL;

	if ((sbd_policy = policy_load(sbd_conf.policy_path, &cause)) != NULL) {
		log_info("policy %s: %zu rules", sbd_conf.policy_path,
		    policy_nrules(sbd_policy));
		return;
	}
	if (errno != ENOENT)
		fatalx("policy: %s", cause);
	if (access(example, R_OK) == 0)
		fatalx("policy: %s; copy the example, %s, to it and edit it "
		    "(check it with sockbroker policy check), or name another "
		    "file with --policy PATH", cause, example);
	fatalx("policy: %s; write one (the example policy is systemd/"
	    "policy.conf in the sources; %s is not installed), or name "
	    "another file with --policy PATH", cause, example);
}

/*
 * SIGHUP: reloads the policy atomically. A file that does not load leaves
 * the old policy in force, and the log says why.
 */
static void
sbd_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	struct policy	*pol;
	char		*cause = NULL;

	if ((pol = policy_load(sbd_conf.policy_path, &cause)) == NULL) {
		log_warnx("policy reload failed, keeping the old policy: %s",
		    cause);
		free(cause);
		return;
	}
	policy_free(sbd_policy);
	sbd_policy = pol;
	log_info("policy %s reloaded: %zu rules", sbd_conf.policy_path,
	    policy_nrules(pol));
}

/* SIGTERM or SIGINT: leave the loop and shut down cleanly. */
static void
sbd_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d, shutting down", (int)sig);
	event_base_loopbreak(sbd_base);
}

/*
 * Parses the options, sets up and runs the loop. Every fatal() here is at
 * start-up (the admin's options, policy, socket) or in the loop machinery
 * itself, never on what a client sent.
 */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "socket-mode", required_argument, NULL, 'M' },
		{ "max-clients", required_argument, NULL, 'C' },
		{ "max-handles", required_argument, NULL, 'H' },
		{ "max-frame", required_argument, NULL, 'F' },
		{ "max-pending", required_argument, NULL, 'P' },
		{ "max-queued", required_argument, NULL, 'Q' },
		{ "share-ttl", required_argument, NULL, 'T' },
		{ "audit-file", required_argument, NULL, 'A' },
		{ "audit-rate", required_argument, NULL, 'R' },
		{ "user", required_argument, NULL, 'u' },
		{ "no-privdrop", no_argument, NULL, 'N' },
		{ "policy", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct event	*ev_term, *ev_int, *ev_hup;
	int		 ch, fd;

	while ((ch = getopt_long(argc, argv, "fhl:Vv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			sbd_conf.listen_path = optarg;
			break;
		case 'f':
			sbd_conf.foreground = 1;
			break;
		case 'v':
			sbd_conf.verbose++;
			break;
		case 'V':
			printf("sockbrokerd %s (protocol %d)\n", PACKAGE_VERSION,
			    SBP_VERSION);
			return (0);
		case 'M':
			sbd_conf.socket_mode = (mode_t)sbd_number("--socket-mode",
			    optarg, 0, 0777);
			break;
		case 'C':
			sbd_conf.max_clients = sbd_number("--max-clients",
			    optarg, 1, 65536);
			break;
		case 'H':
			sbd_conf.max_handles = sbd_number("--max-handles",
			    optarg, 1, SBD_HANDLE_SLOTS - 1);
			break;
		case 'F':
			sbd_conf.max_frame = sbd_number("--max-frame", optarg,
			    SBP_MIN_FRAME, 64 * 1024 * 1024);
			break;
		case 'P':
			sbd_conf.max_pending = sbd_number("--max-pending",
			    optarg, 1, 1000000);
			break;
		case 'Q':
			sbd_conf.max_queued = sbd_number("--max-queued", optarg,
			    4 * SBP_MIN_FRAME, 1024UL * 1024 * 1024);
			break;
		case 'T':
			sbd_conf.share_ttl = sbd_number("--share-ttl", optarg,
			    1, 3600);
			break;
		case 'A':
			sbd_conf.audit_file = optarg;
			break;
		case 'R':
			sbd_conf.audit_rate = sbd_number("--audit-rate", optarg,
			    1, 1000000);
			break;
		case 'u':
			sbd_conf.user = optarg;
			break;
		case 'N':
			sbd_conf.no_privdrop = 1;
			break;
		case 'p':
			sbd_conf.policy_path = optarg;
			break;
		case 'h':
			sbd_usage(0);
		default:
			sbd_usage(2);
		}
	}
	if (optind != argc)
		sbd_usage(2);
	log_init(sbd_conf.foreground, sbd_conf.verbose);
	if (sbd_conf.policy_path == NULL)
		sbd_conf.policy_path = policy_default_path();
	if (sbd_conf.max_queued < 4 * (size_t)sbd_conf.max_frame) {
		/* Room for a few of the largest replies. */
		sbd_conf.max_queued = 4 * (size_t)sbd_conf.max_frame;
		log_warnx("--max-queued raised to %zu (4 x --max-frame)",
		    sbd_conf.max_queued);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((sbd_base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	/* Handle SIGTERM from the moment a client could see us listening. */
	ev_term = evsignal_new(sbd_base, SIGTERM, sbd_signal_cb, NULL);
	ev_int = evsignal_new(sbd_base, SIGINT, sbd_signal_cb, NULL);
	ev_hup = evsignal_new(sbd_base, SIGHUP, sbd_reload_cb, NULL);
	if (ev_term == NULL || ev_int == NULL || ev_hup == NULL)
		fatalx("evsignal_new failed");
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	sbd_policy_load();
	family_probe();
	if ((fd = sdnotify_listen_fd()) != -1)
		listener_adopt(fd);
	else
		fd = listener_open(sbd_conf.listen_path, sbd_conf.socket_mode);
	audit_init(sbd_conf.audit_file, sbd_conf.audit_rate,
	    sbd_conf.foreground);
	if (!sbd_conf.foreground && daemon(0, 0) == -1)
		fatal("daemon");
	if (sbd_conf.no_privdrop)
		log_warnx("--no-privdrop: keeping every privilege we started "
		    "with; for tests only");
	else
		priv_drop(sbd_conf.user);	/* before any thread starts */

	op_io_init(sbd_conf.max_frame);
	resolver_start(2);
	listener_start(fd);
	log_info("sockbrokerd %s ready: max %u clients, %u handles, %u "
	    "pending requests and %zu queued reply bytes each, frames up to "
	    "%u bytes", PACKAGE_VERSION, sbd_conf.max_clients,
	    sbd_conf.max_handles, sbd_conf.max_pending, sbd_conf.max_queued,
	    sbd_conf.max_frame);
	sdnotify_ready();

	if (event_base_dispatch(sbd_base) == -1)
		fatalx("event loop failed");
	sdnotify_stopping();

	listener_close();
	session_free_all();
	share_free_all();
	resolver_stop();
	op_io_free();
	audit_close();
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	policy_free(sbd_policy);
	event_base_free(sbd_base);
	libevent_global_shutdown();
	log_info("stopped");
	return (0);
}
