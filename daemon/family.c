/* SPDX-License-Identifier: ISC */
/*
 * The address families this daemon serves (the registry,
 * kernel/kernel-family.c), and which of them this kernel has: probed once at
 * start-up, listed in every Hello.
 */

#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "sockbrokerd.h"

/* At most every family of the registry (kernel/kernel-family.c). */
#define FAMILY_NSERVED	32

static int	family_supported[FAMILY_NSERVED];
static size_t	family_nsupported;

/*
 * Finds which of the served families this kernel really has: only
 * EAFNOSUPPORT means it lacks one (EPERM, EPROTONOSUPPORT... mean it has it).
 */
void
family_probe(void)
{
	const struct kernel_family	*f;
	size_t				 i;
	int				 fd;

	family_nsupported = 0;
	for (i = 0; (f = kernel_family_at(i)) != NULL &&
	    family_nsupported < FAMILY_NSERVED; i++) {
		fd = socket(f->af, f->probe_type | SOCK_CLOEXEC,
		    f->probe_protocol);
		if (fd == -1 && errno == EAFNOSUPPORT) {
			log_debug("family %s: not in this kernel", f->cname);
			continue;
		}
		if (fd != -1)
			close(fd);
		family_supported[family_nsupported++] = f->af;
	}
}

/* The families this daemon serves on this kernel. */
const int *
family_list(size_t *n)
{
	*n = family_nsupported;
	return (family_supported);
}
