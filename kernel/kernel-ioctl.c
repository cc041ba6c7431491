/* SPDX-License-Identifier: ISC */
/*
 * The ioctls the daemon passes on a brokered socket: requests that only
 * read (queue sizes, the last packet's timestamp, interface facts), each
 * with the shape and size of its argument. Every request that changes
 * state is absent, so refused.
 */

#include <sys/ioctl.h>
#include <sys/time.h>

#include <stddef.h>
#include <time.h>

#include <linux/sockios.h>
#include <net/if.h>

#include "kernel.h"

#define IOC(req, arg, type)	{ req, #req, arg, sizeof(type) }

static const struct kernel_ioctl kernel_ioctls[] = {
	IOC(FIONREAD, KERNEL_IOCTL_INT, int),		/* also SIOCINQ */
	IOC(SIOCOUTQ, KERNEL_IOCTL_INT, int),
	IOC(SIOCGSTAMP, KERNEL_IOCTL_TIMEVAL, struct timeval),
	IOC(SIOCGSTAMPNS, KERNEL_IOCTL_TIMESPEC, struct timespec),
	IOC(SIOCGIFINDEX, KERNEL_IOCTL_IFREQ, struct ifreq),
	IOC(SIOCGIFNAME, KERNEL_IOCTL_IFREQ, struct ifreq),
	IOC(SIOCGIFFLAGS, KERNEL_IOCTL_IFREQ, struct ifreq),
	IOC(SIOCGIFMTU, KERNEL_IOCTL_IFREQ, struct ifreq),
	IOC(SIOCGIFHWADDR, KERNEL_IOCTL_IFREQ, struct ifreq),
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
