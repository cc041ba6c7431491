/* SPDX-License-Identifier: ISC */
/*
 * The address families this daemon serves, and which of them this kernel
 * has: probed once at start-up, listed in every Hello.
 */

#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "sockbrokerd.h"

/*
 * Families this version serves, in the order Hello lists them, each with a
 * socket type and protocol that any kernel having the family accepts.
 */
static const struct {
	int	 family;
	int	 type;
	int	 protocol;
} family_served[] = {
	{ AF_UNIX, SOCK_DGRAM, 0 },
	{ AF_INET, SOCK_DGRAM, 0 },
	{ AF_INET6, SOCK_DGRAM, 0 },
	{ AF_PACKET, SOCK_DGRAM, 0 },
	{ AF_NETLINK, SOCK_RAW, 0 },
	{ AF_VSOCK, SOCK_STREAM, 0 },
	{ AF_CAN, SOCK_RAW, 1 },		/* CAN_RAW */
	{ AF_TIPC, SOCK_RDM, 0 },
	{ AF_ALG, SOCK_SEQPACKET, 0 },
	{ AF_BLUETOOTH, SOCK_RAW, 1 },		/* BTPROTO_HCI */
	{ AF_QIPCRTR, SOCK_DGRAM, 0 },
	{ AF_RDS, SOCK_SEQPACKET, 0 },
};
#define FAMILY_NSERVED	(sizeof family_served / sizeof family_served[0])

static int	family_supported[FAMILY_NSERVED];
static size_t	family_nsupported;

/*
 * Finds which of the served families this kernel really has: only
 * EAFNOSUPPORT means it lacks one (EPERM, EPROTONOSUPPORT... mean it has it).
 */
void
family_probe(void)
{
	size_t	 i;
	int	 fd;

	family_nsupported = 0;
	for (i = 0; i < FAMILY_NSERVED; i++) {
		fd = socket(family_served[i].family, family_served[i].type |
		    SOCK_CLOEXEC, family_served[i].protocol);
		if (fd == -1 && errno == EAFNOSUPPORT) {
			log_debug("family %d: not in this kernel",
			    family_served[i].family);
			continue;
		}
		if (fd != -1)
			close(fd);
		family_supported[family_nsupported++] = family_served[i].family;
	}
}

/* The families this daemon serves on this kernel. */
const int *
family_list(size_t *n)
{
	*n = family_nsupported;
	return (family_supported);
}
