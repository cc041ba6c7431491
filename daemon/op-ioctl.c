/* SPDX-License-Identifier: ISC */
/*
 * ioctl on a brokered socket, for a listed set of requests that only read:
 * queue sizes, the last packet's timestamp, and interface facts. Each one's
 * argument has a fixed size, checked here; a struct ifreq's name is forced
 * to end in NUL. Anything else, and every request that changes state, is
 * refused.
 */

#include <sys/ioctl.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include <linux/sockios.h>
#include <net/if.h>

#include "sockbrokerd.h"

enum ioctl_arg {
	IOCTL_INT,	/* the kernel writes an int */
	IOCTL_TIMEVAL,	/* ... a struct timeval */
	IOCTL_TIMESPEC,	/* ... a struct timespec */
	IOCTL_IFREQ,	/* reads and writes a struct ifreq */
};

static const struct {
	unsigned long	 request;
	const char	*name;
	enum ioctl_arg	 arg;
} ioctl_list[] = {
	{ FIONREAD, "FIONREAD", IOCTL_INT },	/* also SIOCINQ */
	{ SIOCOUTQ, "SIOCOUTQ", IOCTL_INT },
	{ SIOCGSTAMP, "SIOCGSTAMP", IOCTL_TIMEVAL },
	{ SIOCGSTAMPNS, "SIOCGSTAMPNS", IOCTL_TIMESPEC },
	{ SIOCGIFINDEX, "SIOCGIFINDEX", IOCTL_IFREQ },
	{ SIOCGIFNAME, "SIOCGIFNAME", IOCTL_IFREQ },
	{ SIOCGIFFLAGS, "SIOCGIFFLAGS", IOCTL_IFREQ },
	{ SIOCGIFMTU, "SIOCGIFMTU", IOCTL_IFREQ },
	{ SIOCGIFHWADDR, "SIOCGIFHWADDR", IOCTL_IFREQ },
};

/* The size of a request's argument. */
static size_t
ioctl_size(enum ioctl_arg arg)
{
	switch (arg) {
	case IOCTL_INT:
		return (sizeof(int));
	case IOCTL_TIMEVAL:
		return (sizeof(struct timeval));
	case IOCTL_TIMESPEC:
		return (sizeof(struct timespec));
	case IOCTL_IFREQ:
		return (sizeof(struct ifreq));
	}
	return (0);
}

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
	struct handle		*h;
	size_t			 i, size;
	const size_t		 n = sizeof ioctl_list / sizeof ioctl_list[0];

	if ((h = op_handle(s, req, ir->handle)) == NULL)
		return (OP_DONE);
	for (i = 0; i < n && ioctl_list[i].request != ir->request; i++)
		;
	if (i == n) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "ioctl request 0x%x is not brokered", ir->request);
		return (OP_DONE);
	}
	if (mediate_ioctl(s, req, h, ir->request) == -1)
		return (OP_DONE);
	size = ioctl_size(ioctl_list[i].arg);
	memset(&arg, 0, sizeof arg);
	if (ioctl_list[i].arg == IOCTL_IFREQ) {
		if (!ir->has_arg || ir->arg.len != size) {
			reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS,
			    EINVAL, "ioctl %s: argument of %zu bytes, a struct "
			    "ifreq has %zu", ioctl_list[i].name,
			    ir->has_arg ? ir->arg.len : 0, size);
			return (OP_DONE);
		}
		memcpy(&arg, ir->arg.data, size);
		arg.ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	}
	if ((rep.result = ioctl(h->fd, ir->request, &arg)) == -1) {
		reply_errno(s, req->id, errno, ioctl_list[i].name);
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
