/* SPDX-License-Identifier: ISC */
/*
 * Addresses between the caller's sockaddr and the protocol's Address.
 */

#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include "client.h"

/*
 * Converts a caller's sockaddr to an Address; protocol is that of the socket
 * it is for (0 when there is none), which tells CAN and Bluetooth forms apart.
 */
int
conn_address_from(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, int protocol)
{
	const char	*cause = NULL;

	if (sa == NULL)
		return (conn_oserror(EFAULT, "no address"));
	if (sbp_address_from_sockaddr(out, sa, len, protocol, &cause) == -1)
		return (conn_oserror(errno, cause));
	return (0);
}

/*
 * Converts a reply's Address into the caller's buffer, truncated to *addrlen
 * bytes; *addrlen becomes the true length (0 when there is no address).
 */
int
conn_address_to(struct sb_conn *c, const Sockbroker__Address *a,
    struct sockaddr *addr, socklen_t *addrlen)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const char		*cause = NULL;

	if (addr == NULL || addrlen == NULL)
		return (0);
	if (a == NULL) {
		*addrlen = 0;
		return (0);
	}
	memset(&ss, 0, sizeof ss);
	if (sbp_address_to_sockaddr(a, &ss, &len, &cause) == -1)
		return (conn_protoerror(c, "bad address in response"));
	memcpy(addr, &ss, len < *addrlen ? len : *addrlen);
	*addrlen = len;
	return (0);
}
