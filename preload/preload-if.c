/* SPDX-License-Identifier: ISC */
/*
 * Interfaces the program's network namespace lacks. A family whose sockets
 * reach only interfaces of its own kind (kernel/kernel-family.c: AF_CAN,
 * ARPHRD_CAN) is brokered in default mode where the namespace has no such
 * interface: a CAN socket opens in any namespace, but the bus is only in
 * the daemon's. if_nametoindex, if_indextoname and if_nameindex answer
 * locally first and ask the daemon for what the namespace lacks, so that
 * a program finds the daemon's interfaces by name (cansend calls
 * if_nametoindex before its bind). No if_freenameindex: the list
 * if_nameindex returns is laid out and allocated as libc's is, so libc's
 * frees it.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "preload.h"

#define PRELOAD_IF_MAX_AF	64

/* Per family: 0 not looked at, 1 its interfaces are here, 2 absent. */
static volatile signed char	 preload_if_state[PRELOAD_IF_MAX_AF];

static int	 preload_if_has(int);
static size_t	 preload_if_count(const struct if_nameindex *);
static int	 preload_if_local(const struct if_nameindex *, const char *);
static struct if_nameindex *preload_if_merge(const struct if_nameindex *,
		     const struct if_nameindex *);

/*
 * Whether the program's network namespace has an interface of hardware
 * type hatype (ARPHRD_*); 1 when it cannot tell.
 */
static int
preload_if_has(int hatype)
{
	struct if_nameindex	*ifs, *p;
	struct ifreq		 ifr;
	int			 fd, found = 0, saved = errno;

	if ((ifs = preload_libc.if_nameindex()) == NULL)
		return (1);
	if ((fd = preload_libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC,
	    0)) == -1) {
		preload_libc.if_freenameindex(ifs);
		errno = saved;
		return (1);
	}
	for (p = ifs; !found && p->if_index != 0; p++) {
		memset(&ifr, 0, sizeof ifr);
		strncpy(ifr.ifr_name, p->if_name, IFNAMSIZ - 1);
		if (preload_libc.ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 &&
		    ifr.ifr_hwaddr.sa_family == hatype)
			found = 1;
	}
	preload_libc.close(fd);
	preload_libc.if_freenameindex(ifs);
	errno = saved;
	return (found);
}

/*
 * Whether sockets of family af go to the daemon because the program's
 * namespace has none of the interfaces they reach; looked at once.
 */
int
preload_if_absent(int af)
{
	const struct kernel_family	*f;
	int				 st;

	if (af < 0 || af >= PRELOAD_IF_MAX_AF)
		return (0);
	if ((st = preload_if_state[af]) != 0)
		return (st == 2);
	if ((f = kernel_family_find(af)) == NULL || f->hatype == -1)
		st = 1;
	else if ((st = preload_if_has(f->hatype) ? 1 : 2) == 2)
		preload_debug("no %s interface in this network namespace: its "
		    "sockets go to the daemon", f->cname);
	preload_if_state[af] = (signed char)st;
	return (st == 2);
}

/* if_nametoindex(3): the namespace's interface, else the daemon's. */
PRELOAD_EXPORT unsigned int
if_nametoindex(const char *name)
{
	sb_conn		*c;
	unsigned int	 i;
	int		 saved;

	if (preload_libc.if_nametoindex == NULL)
		preload_resolve();
	if ((i = preload_libc.if_nametoindex(name)) != 0 || preload_inside() ||
	    name == NULL)
		return (i);
	saved = errno;
	if ((c = preload_conn()) == NULL) {
		errno = saved;
		return (0);
	}
	preload_enter();
	if ((i = sb_if_nametoindex(c, name)) != 0)
		preload_debug("interface %s is the daemon's (index %u)", name, i);
	preload_leave();
	return (i);
}

/* if_indextoname(3): the namespace's interface, else the daemon's. */
PRELOAD_EXPORT char *
if_indextoname(unsigned int index, char name[IF_NAMESIZE])
{
	sb_conn	*c;
	char	*r;
	int	 saved;

	if (preload_libc.if_indextoname == NULL)
		preload_resolve();
	if ((r = preload_libc.if_indextoname(index, name)) != NULL ||
	    preload_inside() || name == NULL)
		return (r);
	saved = errno;
	if ((c = preload_conn()) == NULL) {
		errno = saved;
		return (NULL);
	}
	preload_enter();
	r = sb_if_indextoname(c, index, name);
	preload_leave();
	return (r);
}

/* The entries of a list from if_nameindex, before its terminator. */
static size_t
preload_if_count(const struct if_nameindex *l)
{
	size_t	 n = 0;

	while (l[n].if_index != 0 || l[n].if_name != NULL)
		n++;
	return (n);
}

/* Whether list l names interface name. */
static int
preload_if_local(const struct if_nameindex *l, const char *name)
{
	for (; l->if_index != 0 || l->if_name != NULL; l++) {
		if (l->if_name != NULL && strcmp(l->if_name, name) == 0)
			return (1);
	}
	return (0);
}

/*
 * The namespace's interfaces (loc) and after them the daemon's (rem) that
 * loc does not name, in one list libc's if_freenameindex frees; NULL if
 * out of memory.
 */
static struct if_nameindex *
preload_if_merge(const struct if_nameindex *loc,
    const struct if_nameindex *rem)
{
	struct if_nameindex	*all;
	size_t			 i, n = 0, nloc = preload_if_count(loc);
	size_t			 nrem = preload_if_count(rem);

	if ((all = calloc(nloc + nrem + 1, sizeof *all)) == NULL)
		return (NULL);
	for (i = 0; i < nloc + nrem; i++) {
		if (i >= nloc && preload_if_local(loc, rem[i - nloc].if_name))
			continue;
		all[n] = i < nloc ? loc[i] : rem[i - nloc];
		if ((all[n].if_name = strdup(all[n].if_name)) == NULL) {
			preload_libc.if_freenameindex(all);
			return (NULL);
		}
		n++;
	}
	return (all);
}

/*
 * if_nameindex(3): the namespace's interfaces, then those of the daemon
 * it lacks. An index of the daemon's may also be one of the namespace's.
 */
PRELOAD_EXPORT struct if_nameindex *
if_nameindex(void)
{
	struct if_nameindex	*loc, *rem, *all;
	sb_conn			*c;

	if (preload_libc.if_nameindex == NULL)
		preload_resolve();
	if ((loc = preload_libc.if_nameindex()) == NULL || preload_inside() ||
	    (c = preload_conn()) == NULL)
		return (loc);
	preload_enter();
	rem = sb_if_nameindex(c);
	preload_leave();
	if (rem == NULL)
		return (loc);
	if ((all = preload_if_merge(loc, rem)) != NULL)
		preload_libc.if_freenameindex(loc);
	else
		all = loc;
	sb_if_freenameindex(rem);
	return (all);
}
