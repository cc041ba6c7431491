/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the daemon's frame decoder and request dispatch. The
 * input is what a client sends on one connection: it is written into one
 * end of a socketpair whose other end is a real session of the real daemon
 * (peer.c's framing, sbp_frame_check, sbp_request_unpack, session.c's
 * dispatch, the op_* functions, the resolver threads), all in this process.
 * The loop runs non-blocking a few times while the replies are drained,
 * then the client hangs up and the session is lost as in the daemon.
 *
 * The operations are real: inputs open, bind and connect real sockets. So
 * the target refuses to run outside a sandbox it can check, and tightens it:
 * - a network namespace of its own with nothing but lo (unshare -rn; make
 *   fuzz-run and tests/test_fuzz.sh do that), lo brought up for coverage;
 * - a mount namespace in which every file system is read-only except the
 *   directories libFuzzer writes (corpus, artifacts, the working directory),
 *   so that binding AF_UNIX paths cannot litter the host, and /dev/log
 *   hidden so that nothing reaches the host's syslog;
 * - a seccomp filter that lets socket() open only families the network
 *   namespace confines (vsock, Bluetooth... would reach past it: they are
 *   EAFNOSUPPORT) and, for netlink, only protocols scoped to it.
 *
 * SB_FUZZ_LOG=1 shows the daemon's log (debug level) on stderr.
 */

#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <net/if.h>

#include <err.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define FUZZ_TURNS		8	/* loop turns after the input is in */
#define FUZZ_MAX_TURNS		256	/* whatever the input's size */
#define FUZZ_MAX_WRITABLE	16

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_check_netns(void);
static void	fuzz_lo_up(void);
static void	fuzz_mounts(int, char **);
static int	fuzz_writable(char **, int, const char *);
static void	fuzz_seccomp(void);
static void	fuzz_drain(int);
static void	fuzz_shutdown(void);

/* Refuses to run unless the only network interface in sight is lo. */
static void
fuzz_check_netns(void)
{
	struct if_nameindex	*ifs, *i;

	if ((ifs = if_nameindex()) == NULL)
		err(1, "fuzz: if_nameindex");
	for (i = ifs; i->if_index != 0; i++) {
		if (strcmp(i->if_name, "lo") != 0)
			errx(1, "fuzz: interface %s is visible: run this "
			    "target in an empty network namespace, e.g. "
			    "unshare -rn (make fuzz-run does)", i->if_name);
	}
	if_freenameindex(ifs);
}

/* Brings lo up, so that loopback traffic is fuzzed too. */
static void
fuzz_lo_up(void)
{
	struct ifreq	ifr;
	int		fd;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "fuzz: socket");
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		err(1, "fuzz: SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		err(1, "fuzz: SIOCSIFFLAGS lo");
	close(fd);
}

/*
 * Adds the directory that will hold path (or path itself, when
 * it is one) to the list of those kept writable; returns the new count.
 */
static int
fuzz_writable(char **list, int n, const char *path)
{
	struct stat	 st;
	char		*p, *slash;

	if (n == FUZZ_MAX_WRITABLE)
		errx(1, "fuzz: too many directories to keep writable");
	if ((p = strdup(path)) == NULL)
		err(1, "fuzz: strdup");
	if (stat(p, &st) == -1 || !S_ISDIR(st.st_mode)) {
		if ((slash = strrchr(p, '/')) == NULL)
			strcpy(p, ".");
		else if (slash == p)
			p[1] = '\0';
		else
			*slash = '\0';
	}
	/* Absolute: "." would still name the mount the process was in. */
	if ((list[n] = realpath(p, NULL)) == NULL)
		err(1, "fuzz: %s", p);
	free(p);
	return (n + 1);
}

/*
 * A mount namespace in which everything is read-only but the working
 * directory and what libFuzzer's arguments name (corpus directories,
 * artifact prefix): AF_UNIX paths can only be bound there.
 */
static void
fuzz_mounts(int argc, char **argv)
{
	struct mount_attr	 ro = { .attr_set = MOUNT_ATTR_RDONLY };
	struct mount_attr	 rw = { .attr_clr = MOUNT_ATTR_RDONLY };
	struct stat		 st;
	char			*list[FUZZ_MAX_WRITABLE];
	const char		*eq;
	int			 i, n = 0;

	n = fuzz_writable(list, n, ".");
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			n = fuzz_writable(list, n, argv[i]);
		else if (strncmp(argv[i], "-artifact_prefix=", 17) == 0 ||
		    strncmp(argv[i], "-exact_artifact_path=", 21) == 0) {
			eq = strchr(argv[i], '=') + 1;
			n = fuzz_writable(list, n, *eq == '\0' ? "." : eq);
		}
	}
	if (unshare(CLONE_NEWNS) == -1)
		err(1, "fuzz: unshare(CLONE_NEWNS) (run as root or in "
		    "unshare -rn)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		err(1, "fuzz: making / private");
	for (i = 0; i < n; i++) {
		if (mount(list[i], list[i], NULL, MS_BIND | MS_REC,
		    NULL) == -1)
			err(1, "fuzz: bind mount %s", list[i]);
	}
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof ro) == -1)
		err(1, "fuzz: making / read-only");
	for (i = 0; i < n; i++) {
		if (mount_setattr(AT_FDCWD, list[i], 0, &rw, sizeof rw) == -1)
			err(1, "fuzz: making %s writable", list[i]);
	}
	/* Nothing reaches the host's syslog, whatever logs. */
	if (stat("/dev/log", &st) == 0 &&
	    mount("/dev/null", "/dev/log", NULL, MS_BIND, NULL) == -1)
		err(1, "fuzz: hiding /dev/log");
	/* Step onto the writable mount of the working directory. */
	if (chdir(list[0]) == -1)
		err(1, "fuzz: chdir %s", list[0]);
	for (i = 0; i < n; i++)
		free(list[i]);
}

/*
 * Lets socket() open only families that the network namespace confines,
 * and netlink only for protocols scoped to it; the rest is EAFNOSUPPORT.
 */
static void
fuzz_seccomp(void)
{
	static const int	 families[] = { AF_UNIX, AF_INET, AF_INET6,
				    AF_PACKET, AF_CAN, AF_TIPC, AF_ALG };
	static const int	 netlinks[] = { NETLINK_ROUTE,
				    NETLINK_SOCK_DIAG, NETLINK_XFRM,
				    NETLINK_NETFILTER, NETLINK_GENERIC };
	struct sock_filter	 f[64];
	struct sock_fprog	 prog;
	size_t			 i, n = 0, allow, deny;

	/* Laid out first, jumps filled in once the two exits are known. */
	allow = 4 + (sizeof families / sizeof families[0]) + 2 +
	    (sizeof netlinks / sizeof netlinks[0]) + 1;
	deny = allow - 1;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    __NR_socket, 0, 0);
	f[n].jf = allow - n - 1;
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, args[0]));
	for (i = 0; i < sizeof families / sizeof families[0]; i++, n++) {
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    families[i], 0, 0);
		f[n].jt = allow - n - 1;
	}
	f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    AF_NETLINK, 0, 0);
	f[n].jf = deny - n - 1;
	n++;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, args[2]));
	for (i = 0; i < sizeof netlinks / sizeof netlinks[0]; i++, n++) {
		f[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    netlinks[i], 0, 0);
		f[n].jt = allow - n - 1;
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
	if (n != deny)
		errx(1, "fuzz: seccomp program laid out wrong");
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ERRNO | EAFNOSUPPORT);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	prog.len = n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		err(1, "fuzz: seccomp");
}

/* libFuzzer's start: the sandbox, then the daemon's own initialisation. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*v = getenv("SB_FUZZ_LOG");
	int		 verbose = v != NULL && *v != '\0' && *v != '0';
	FILE		*null;
	char		*cause = NULL;

	fuzz_check_netns();
	fuzz_lo_up();
	fuzz_mounts(*argc, *argv);
	fuzz_seccomp();

	/*
	 * The daemon logs with fprintf(stderr): point that at /dev/null. The
	 * fuzzer and the sanitizers keep the real stderr (libFuzzer took the
	 * FILE before this, the sanitizers write to descriptor 2).
	 */
	if (!verbose) {
		if ((null = fopen("/dev/null", "w")) == NULL)
			err(1, "fuzz: /dev/null");
		stderr = null;
	}
	log_init(1, verbose);
	signal(SIGPIPE, SIG_IGN);
	sbd_conf.max_handles = 64;
	sbd_conf.max_pending = 64;
	if ((sbd_base = event_base_new()) == NULL)
		errx(1, "fuzz: event_base_new failed");
	family_probe();
	/* Permit what the e2e policy permits, so inputs get past the policy. */
	sbd_policy = policy_parse(
	    "permit * family inet,inet6 port 0-65535 option so_bindtodevice,"
	    "so_priority,ip_hdrincl,ipv6_hdrincl\n"
	    "permit * family unix path /tmp/*,@*\n"
	    "permit * family netlink netlink-write\n"
	    "permit * family packet,vsock,can,tipc,alg,bluetooth,qipcrtr,rds "
	    "option so_bindtodevice,so_priority,packet_add_membership\n",
	    "fuzz", &cause);
	if (sbd_policy == NULL)
		errx(1, "fuzz: policy: %s", cause);
	audit_init(NULL, sbd_conf.audit_rate, 1);	/* to stderr, not syslog */
	op_io_init(sbd_conf.max_frame);
	resolver_start(2);
	atexit(fuzz_shutdown);
	return (0);
}

/* Reads and discards whatever replies are waiting. */
static void
fuzz_drain(int fd)
{
	static uint8_t	buf[65536];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* One input: a connection's worth of bytes to a fresh session. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session	*s;
	size_t		 off = 0;
	ssize_t		 n;
	int		 sv[2], turn;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		err(1, "fuzz: socketpair");
	/* Its requests run once its names are in, from a resolver thread. */
	if ((s = session_create(sv[0])) != NULL) {
		while (!s->named && !s->dead)
			event_base_loop(sbd_base, EVLOOP_ONCE);
	}
	for (turn = 0; turn < FUZZ_MAX_TURNS; turn++) {
		if (off < size && (n = write(sv[1], data + off,
		    size - off)) > 0)
			off += n;
		event_base_loop(sbd_base, EVLOOP_NONBLOCK);
		fuzz_drain(sv[1]);
		if (session_count() == 0 || (off == size && turn >= FUZZ_TURNS))
			break;
	}
	close(sv[1]);
	event_base_loop(sbd_base, EVLOOP_NONBLOCK);
	session_free_all();
	share_free_all();
	event_base_loop(sbd_base, EVLOOP_NONBLOCK);
	return (0);
}

/* At exit: what the daemon's main does after its loop, so LSan sees all. */
static void
fuzz_shutdown(void)
{
	session_free_all();
	share_free_all();
	resolver_stop();
	op_io_free();
	audit_close();
	policy_free(sbd_policy);
	sbd_policy = NULL;
	event_base_free(sbd_base);
	sbd_base = NULL;
}
