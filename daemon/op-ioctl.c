/* SPDX-License-Identifier: ISC */
/*
 * ioctl on a brokered socket, for the requests of the registry
 * (kernel/kernel-ioctl.c), which only read: queue sizes, the last packet's
 * timestamp, and interface facts. Each one's argument has a fixed size,
 * checked here; a struct ifreq's name is forced to end in NUL. Anything
 * else, and every request that changes state, is refused.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include <net/if.h>

#include "sockbrokerd.h"

/* ioctl: runs a listed request and answers with its argument's bytes. */
enum op_result
op_ioctl(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__IoctlRequest *ir = req->ioctl;
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__IoctlReply	 rep = SOCKBROKER__IOCTL_REPLY__INIT;
	union {
		int		 i;
		struct timeval	 tv;
		struct timespec	 ts;
		struct ifreq	 ifr;
	} arg;
	const struct kernel_ioctl *io = kernel_ioctl_find(ir->request);
	struct handle		*h;
	size_t			 size;

	if ((h = op_handle(s, req, ir->handle)) == NULL)
		return (OP_DONE);
	if (io == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "ioctl request 0x%x is not brokered", ir->request);
		return (OP_DONE);
	}
	if (mediate_ioctl(s, req, h, io) == -1)
		return (OP_DONE);
	size = io->size;
	memset(&arg, 0, sizeof arg);
	if (io->arg == KERNEL_IOCTL_IFREQ) {
		if (!ir->has_arg || ir->arg.len != size) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EINVAL, "ioctl %s: argument of %zu bytes, a struct "
			    "ifreq has %zu", io->name,
			    ir->has_arg ? ir->arg.len : 0, size);
			return (OP_DONE);
		}
		memcpy(&arg, ir->arg.data, size);
		arg.ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	}
	if ((rep.result = ioctl(h->fd, ir->request, &arg)) == -1) {
		reply_errno(s, req->id, errno, io->name);
		return (OP_DONE);
	}
	rep.has_arg = 1;
	rep.arg.data = (uint8_t *)&arg;
	rep.arg.len = size;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_IOCTL;
	resp.ioctl = &rep;
	reply_send(s, &resp);
	return (OP_DONE);
}
