/* SPDX-License-Identifier: ISC */
/*
 * passfd: hands the client a duplicate of a handle's real descriptor, where
 * the policy grants fd-pass. The descriptor travels with the reply
 * (SCM_RIGHTS); the daemon keeps its handle. Descriptors are only ever
 * sent: the daemon accepts none from clients.
 */

#include "sockbrokerd.h"

/* passfd: the handle's descriptor, to a client the policy lets have it. */
enum op_result
op_passfd(struct session *s, Sockbroker__Request *req)
{
	struct handle	*h;

	if ((h = op_handle(s, req, req->passfd->handle)) == NULL ||
	    mediate_fdpass(s, req, h) == -1)
		return (OP_DONE);
	reply_fd(s, req->id, h->fd);
	return (OP_DONE);
}
