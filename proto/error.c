/* SPDX-License-Identifier: ISC */
/*
 * Names for the kinds of Error a Response carries.
 */

#include "sbproto.h"

/* Names an Error kind, for logs and messages. */
const char *
sbp_error_kind_name(int kind)
{
	switch (kind) {
	case SOCKBROKER__ERROR__KIND__OS:
		return ("os");
	case SOCKBROKER__ERROR__KIND__GAI:
		return ("gai");
	case SOCKBROKER__ERROR__KIND__HERROR:
		return ("herror");
	case SOCKBROKER__ERROR__KIND__TIMEOUT:
		return ("timeout");
	case SOCKBROKER__ERROR__KIND__PROTOCOL:
		return ("protocol");
	case SOCKBROKER__ERROR__KIND__POLICY:
		return ("policy");
	default:
		return ("unknown");
	}
}
