/* SPDX-License-Identifier: ISC */
/*
 * Least privilege: started as root, the daemon opens its listening socket
 * and then becomes its own user, keeping only the capabilities a socket
 * broker needs (CAP_NET_RAW, CAP_NET_ADMIN, CAP_NET_BIND_SERVICE) with
 * no_new_privs set. The whole change is one sequence in priv_drop() and is
 * checked afterwards; any failure is fatal, since a half-dropped daemon is
 * worse than none.
 */

#include <sys/prctl.h>
#include <sys/types.h>

#include <linux/capability.h>

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

/*
 * The capabilities the daemon keeps, permitted and effective: the one list
 * priv_drop() sets, priv_verify() checks and the log names. The option
 * registry (kernel/kernel-opt.c) says which privileged option needs which.
 */
static const unsigned int	 priv_keep[] = {
	CAP_NET_RAW,		/* raw IP, AF_PACKET, SO_BINDTODEVICE, HCI, ... */
	CAP_NET_ADMIN,		/* netlink writes, SO_MARK, IP_TRANSPARENT, ... */
	CAP_NET_BIND_SERVICE,	/* ports below 1024 */
};
#define PRIV_NKEEP	(sizeof priv_keep / sizeof priv_keep[0])

static void		 priv_keep_caps(void);
static void		 priv_keep_names(char *, size_t);
static const char	*priv_change_id_error(int);
static void		 priv_verify(uid_t, gid_t);

/* Says what a negative capng_change_id() result means. */
static const char *
priv_change_id_error(int rc)
{
	switch (rc) {
	case -1:
		return ("libcap-ng not initialised");
	case -2:
		return ("PR_SET_KEEPCAPS failed");
	case -3:
		return ("applying the intermediate capabilities failed "
		    "(is CAP_SETPCAP in the bounding set?)");
	case -4:
		return ("setresgid failed");
	case -5:
		return ("dropping the supplementary groups failed");
	case -6:
		return ("setresuid failed");
	case -7:
		return ("clearing PR_SET_KEEPCAPS failed");
	case -8:
		return ("clearing the bounding set failed");
	case -9:
		return ("dropping CAP_SETPCAP or the ambient set failed");
	default:
		return ("unknown error");
	}
}

/* Whether cap is one of those the daemon keeps. */
int
priv_keeps(unsigned int cap)
{
	size_t	 i;

	for (i = 0; i < PRIV_NKEEP; i++) {
		if (priv_keep[i] == cap)
			return (1);
	}
	return (0);
}

/* Reduces the capability sets to be set to those we keep. */
static void
priv_keep_caps(void)
{
	size_t	 i;

	capng_clear(CAPNG_SELECT_ALL);
	for (i = 0; i < PRIV_NKEEP; i++) {
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
		    priv_keep[i]) != 0)
			fatalx("capng_update %s failed",
			    capng_capability_to_name(priv_keep[i]));
	}
}

/* The names of the capabilities we keep, "CAP_NET_RAW, ..." into buf. */
static void
priv_keep_names(char *buf, size_t size)
{
	const char	*name;
	size_t		 i, off = 0;
	int		 n;

	buf[0] = '\0';
	for (i = 0; i < PRIV_NKEEP && off + 1 < size; i++) {
		if ((name = capng_capability_to_name(priv_keep[i])) == NULL)
			name = "?";
		n = snprintf(buf + off, size - off, "%sCAP_%s",
		    i > 0 ? ", " : "", name);
		if (n < 0)
			break;
		off = strlen(buf);
	}
	for (off = 0; buf[off] != '\0'; off++)
		buf[off] = (char)toupper((unsigned char)buf[off]);
}

/*
 * Checks, from the kernel's view, that the drop took: every id is the
 * target, no supplementary group is left, root cannot be regained, the
 * capability sets are exactly what we keep and no_new_privs is set.
 */
static void
priv_verify(uid_t uid, gid_t gid)
{
	uid_t		 ruid, euid, suid;
	gid_t		 rgid, egid, sgid;
	unsigned int	 cap;
	int		 want;

	if (getresuid(&ruid, &euid, &suid) == -1)
		fatal("getresuid");
	if (ruid != uid || euid != uid || suid != uid)
		fatalx("privilege drop: uids are %u/%u/%u, not %u", ruid,
		    euid, suid, uid);
	if (getresgid(&rgid, &egid, &sgid) == -1)
		fatal("getresgid");
	if (rgid != gid || egid != gid || sgid != gid)
		fatalx("privilege drop: gids are %u/%u/%u, not %u", rgid,
		    egid, sgid, gid);
	if (getgroups(0, NULL) != 0)
		fatalx("privilege drop: supplementary groups remain");
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("privilege drop: root could be regained");
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("privilege drop: no_new_privs is not set");

	if (capng_get_caps_process() != 0)
		fatalx("privilege drop: cannot read our capabilities");
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		want = priv_keeps(cap);
		if (capng_have_capability(CAPNG_EFFECTIVE, cap) != want ||
		    capng_have_capability(CAPNG_PERMITTED, cap) != want)
			fatalx("privilege drop: capability %s is %s",
			    capng_capability_to_name(cap),
			    want ? "missing" : "still held");
		if (capng_have_capability(CAPNG_INHERITABLE, cap) ||
		    capng_have_capability(CAPNG_AMBIENT, cap))
			fatalx("privilege drop: capability %s is inheritable "
			    "or ambient", capng_capability_to_name(cap));
	}
}

/*
 * Becomes user: no_new_privs, then the capability sets reduced to those we
 * keep, then (libcap-ng, in order: setresgid, setgroups(0), setresuid) the
 * new ids with the bounding set cleared; then verifies it all. Started as
 * another user than root, there is nothing to drop and it says so.
 */
void
priv_drop(const char *user)
{
	struct passwd	*pw;
	uid_t		 uid;
	gid_t		 gid;
	char		 names[256];
	int		 rc;

	if (geteuid() != 0) {
		log_info("not started as root (uid %u): no privilege drop",
		    (unsigned int)geteuid());
		return;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		fatalx("--user %s: no such user%s%s; create it (see "
		    "systemd/sockbroker.sysusers), name another with --user, "
		    "or, for tests only, keep root with --no-privdrop", user,
		    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0)
		fatalx("--user %s has uid 0: that is no privilege drop; name an "
		    "unprivileged user", user);

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	priv_keep_caps();
	rc = capng_change_id(uid, gid, CAPNG_DROP_SUPP_GRP |
	    CAPNG_CLEAR_BOUNDING);
	if (rc != 0)
		fatal("privilege drop to %s (uid %u gid %u): %s", user, uid,
		    gid, priv_change_id_error(rc));

	priv_verify(uid, gid);
	priv_keep_names(names, sizeof names);
	log_info("running as %s (uid %u gid %u) with %s only", user, uid, gid,
	    names);
}
