/* SPDX-License-Identifier: ISC */
/*
 * The ioctls the daemon passes on a brokered socket: requests that only
 * read (queue sizes, the last packet's timestamp, interface facts), each
 * with the shape and size of its argument. Every request that changes
 * state is absent, so refused. The audit log has a line for every grant
 * of an interface request (what the host has), not for the queue and
 * timestamp requests, which ask about the socket's own data and which a
 * program may send once a packet.
 */

#include <sys/ioctl.h>
#include <sys/time.h>

#include <stddef.h>
#include <time.h>

#include <linux/sockios.h>
#include <net/if.h>

#include "kernel.h"

#define IOC(req, arg, type, audit) { req, #req, arg, sizeof(type), audit }

static const struct kernel_ioctl kernel_ioctls[] = {
	IOC(FIONREAD, KERNEL_IOCTL_INT, int, 0),		/* also SIOCINQ */
	IOC(SIOCOUTQ, KERNEL_IOCTL_INT, int, 0),
	IOC(SIOCGSTAMP, KERNEL_IOCTL_TIMEVAL, struct timeval, 0),
	IOC(SIOCGSTAMPNS, KERNEL_IOCTL_TIMESPEC, struct timespec, 0),
	IOC(SIOCGIFINDEX, KERNEL_IOCTL_IFREQ, struct ifreq, 1),
	IOC(SIOCGIFNAME, KERNEL_IOCTL_IFREQ, struct ifreq, 1),
	IOC(SIOCGIFFLAGS, KERNEL_IOCTL_IFREQ, struct ifreq, 1),
	IOC(SIOCGIFMTU, KERNEL_IOCTL_IFREQ, struct ifreq, 1),
	IOC(SIOCGIFHWADDR, KERNEL_IOCTL_IFREQ, struct ifreq, 1),
};
#define KERNEL_NIOCTLS	(sizeof kernel_ioctls / sizeof kernel_ioctls[0])

/* The ioctl of a request, or NULL if it is not passed. */
const struct kernel_ioctl *
kernel_ioctl_find(unsigned long request)
{
	size_t	i;

	for (i = 0; i < KERNEL_NIOCTLS; i++) {
		if (kernel_ioctls[i].request == request)
			return (&kernel_ioctls[i]);
	}
	return (NULL);
}
