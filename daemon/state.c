/* SPDX-License-Identifier: ISC */
/*
 * The daemon's global state: its configuration (with the defaults main()
 * starts from), its event base and the policy in force. Apart from main()
 * so that the tests and the fuzzer, which link the daemon's code as a
 * library, have them too.
 */

#include "sockbrokerd.h"

struct sbd_config	 sbd_conf = {
	.listen_path = SB_DEFAULT_SOCKET,
	.socket_mode = 0600,
	.max_handles = SBD_MAX_HANDLES,
	.max_clients = SBD_MAX_CLIENTS,
	.max_frame = SBP_MAX_FRAME,
	.max_pending = SBD_MAX_PENDING,
	.max_queued = SBD_MAX_QUEUED,
	.share_ttl = SBD_SHARE_TTL,
	.audit_rate = SBD_AUDIT_RATE,
	.user = SBD_USER,
};
struct event_base	*sbd_base;
struct policy		*sbd_policy;
