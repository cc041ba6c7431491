/* SPDX-License-Identifier: ISC */
/*
 * The option registry walk of optwalk.h: the policies it runs the daemon
 * with, a sample value of each option's shape, and the proof of each
 * privileged option's refusal or success.
 */

#include <sys/socket.h>

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include "kernel.h"
#include "optwalk.h"

static char		 optwalk_path[64];
static const char	*optwalk_args[] = { "--policy", optwalk_path, NULL };

/* The loopback: index 1 in every network namespace. */
#define OPTWALK_LO	"lo"
#define OPTWALK_LO_INDEX 1

static void	optwalk_use_policy(int);
static void	optwalk_refused_setup(void);
static void	optwalk_granted_setup(void);
static void	optwalk_teardown(void);
static size_t	optwalk_value(const struct kernel_opt *, void *, size_t);
static int	optwalk_try(sb_conn *, const struct kernel_opt *, int, int,
		    int, int);

/* Writes the walk's policy into a new temporary file and names it. */
static void
optwalk_use_policy(int grant)
{
	const struct kernel_family	*f;
	const struct kernel_opt		*o;
	char				 name[64];
	FILE				*fp;
	size_t				 i;
	int				 fd, first = 1;

	snprintf(optwalk_path, sizeof optwalk_path, "/tmp/sboptwalk.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(optwalk_path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fprintf(fp, "# the option walk, %s\npermit * family ", grant ?
	    "every privileged option granted" : "no option granted");
	for (i = 0; (f = kernel_family_at(i)) != NULL; i++)
		fprintf(fp, "%s%s", i > 0 ? "," : "", f->name);
	fprintf(fp, " type stream,dgram,raw,seqpacket,rdm");
	for (i = 0; grant && (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		fprintf(fp, "%s%s", first ? " option " : ",",
		    kernel_opt_lower(o, name, sizeof name));
		first = 0;
	}
	fprintf(fp, "\n");
	ck_assert_int_eq(fclose(fp), 0);
	fixture_set_args(optwalk_args);
}

/* Unchecked fixture: the walk's policy naming no option. */
static void
optwalk_refused_setup(void)
{
	optwalk_use_policy(0);
}

/* Unchecked fixture: the walk's policy naming every privileged option. */
static void
optwalk_granted_setup(void)
{
	optwalk_use_policy(1);
}

/* Removes the walk's policy; the default daemon arguments again. */
static void
optwalk_teardown(void)
{
	unlink(optwalk_path);
	fixture_set_args(NULL);
}

/* The walk's two TCases, each with its policy, running the given tests. */
void
optwalk_tcases(Suite *s, const TTest *refused, const TTest *granted)
{
	TCase	*tc;

	tc = fixture_tcase("options-refused");
	tcase_add_unchecked_fixture(tc, optwalk_refused_setup,
	    optwalk_teardown);
	tcase_add_test(tc, refused);
	suite_add_tcase(s, tc);
	tc = fixture_tcase("options-granted");
	tcase_add_unchecked_fixture(tc, optwalk_granted_setup,
	    optwalk_teardown);
	tcase_add_test(tc, granted);
	suite_add_tcase(s, tc);
}

/*
 * A value of o's shape that any kernel takes (the loopback where it names
 * an interface) into buf; its length. A struct has a sample per option:
 * one missing fails the test, so that a new privileged option gets one.
 */
static size_t
optwalk_value(const struct kernel_opt *o, void *buf, size_t size)
{
	struct packet_mreq	 mr;
	int			 one = 1;

	memset(buf, 0, size);
	switch (o->shape) {
	case KERNEL_OPT_INT:
		if (o->level == SOL_SOCKET && o->optname == SO_BINDTOIFINDEX)
			one = OPTWALK_LO_INDEX;
		memcpy(buf, &one, sizeof one);
		return (sizeof one);
	case KERNEL_OPT_IFNAME:
		snprintf(buf, size, "%s", OPTWALK_LO);
		return (strlen(OPTWALK_LO) + 1);
	case KERNEL_OPT_STRUCT:
	case KERNEL_OPT_BYTES:
		break;
	}
	if (o->level == SOL_PACKET && o->optname == PACKET_ADD_MEMBERSHIP) {
		memset(&mr, 0, sizeof mr);
		mr.mr_ifindex = OPTWALK_LO_INDEX;
		mr.mr_type = PACKET_MR_ALLMULTI;
		memcpy(buf, &mr, sizeof mr);
		return (sizeof mr);
	}
	ck_abort_msg("optwalk: no sample value for %s; add one", o->name);
	return (0);
}

/*
 * Proves o on a new broker socket of family, type and protocol: refused
 * by the policy (EACCES, kind policy) unless grant, else set and, if it
 * can be read, read back. Returns 0, or -1 if this kernel lacks the
 * family.
 */
static int
optwalk_try(sb_conn *c, const struct kernel_opt *o, int family, int type,
    int protocol, int grant)
{
	const struct sb_error	*e;
	unsigned char		 val[64], got[64];
	socklen_t		 gotlen = sizeof got;
	size_t			 len;
	int			 h, rv;

	if ((h = sb_socket(c, family, type, protocol)) == -1 &&
	    errno == EAFNOSUPPORT)
		return (-1);
	ck_assert_msg(h != -1, "%s: socket(%d, %d, %d): %s", o->name,
	    family, type, protocol, sb_lasterror()->message);
	len = optwalk_value(o, val, sizeof val);
	rv = sb_setsockopt(c, h, o->level, o->optname, val, (socklen_t)len);
	e = sb_lasterror();
	if (!grant) {
		ck_assert_msg(rv == -1 && errno == EACCES &&
		    e->kind == SB_ERR_POLICY, "%s on family %d type %d: %d "
		    "(%s), not refused by the policy", o->name, family, type,
		    rv, e->message);
		ck_assert_msg(strstr(e->message, "needs an option criterion") !=
		    NULL, "%s: %s", o->name, e->message);
	} else {
		ck_assert_msg(rv == 0, "%s on family %d type %d: %s (kind %d)",
		    o->name, family, type, e->message, e->kind);
		if ((o->access & KERNEL_OPT_GET) && o->shape == KERNEL_OPT_INT) {
			ck_assert_int_eq(sb_getsockopt(c, h, o->level,
			    o->optname, got, &gotlen), 0);
			ck_assert_msg(gotlen == len && memcmp(got, val,
			    len) == 0, "%s: read back another value",
			    o->name);
		}
	}
	ck_assert_int_eq(sb_close(c, h), 0);
	return (0);
}

/* Walks the privileged options of the registry over the n families. */
size_t
optwalk_run(sb_conn *c, int grant, const int *families, size_t n,
    unsigned long long *covered)
{
	const struct kernel_family	*f;
	const struct kernel_opt		*o;
	size_t				 i, j, k = 0, proved = 0;
	int				 rv;

	if (covered != NULL)
		*covered = 0;
	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		ck_assert_uint_lt(k, 64);
		for (j = 0; j < n; j++) {
			ck_assert_ptr_nonnull(f = kernel_family_find(
			    families[j]));
			if (o->family != AF_UNSPEC && o->family != f->af)
				continue;
			/* Its own socket, or the family's probe socket. */
			if (o->type != 0)
				rv = optwalk_try(c, o, f->af, o->type,
				    o->protocol, grant);
			else
				rv = optwalk_try(c, o, f->af, f->probe_type,
				    f->probe_protocol, grant);
			if (rv == -1)
				continue;
			proved++;
			if (covered != NULL)
				*covered |= 1ULL << k;
		}
		k++;
	}
	return (proved);
}
