/* SPDX-License-Identifier: ISC */
/*
 * AF_BLUETOOTH sockaddrs for callers without BlueZ's headers (the Python
 * binding): made and read by proto/address.c, the one table of their
 * layouts, through a BluetoothAddress. No request.
 */

#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

/* Which field of a BluetoothAddress holds the number of protocol. */
static uint32_t	*sb_btaddr_num(Sockbroker__BluetoothAddress *, int);

/*
 * The field of b that is protocol's number (psm, channel, device id), its
 * has_ flag set; NULL for SCO, which has none.
 */
static uint32_t *
sb_btaddr_num(Sockbroker__BluetoothAddress *b, int protocol)
{
	switch (protocol) {
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__L2CAP:
		b->has_psm = 1;
		return (&b->psm);
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__RFCOMM:
		b->has_channel = 1;
		return (&b->channel);
	case SOCKBROKER__BLUETOOTH_ADDRESS__PROTO__HCI:
		b->has_device_id = 1;
		return (&b->device_id);
	default:
		return (NULL);
	}
}

/* The sockaddr of bt for a socket of Bluetooth protocol. */
SB_EXPORT int
sb_btaddr_to_sockaddr(int protocol, const struct sb_btaddr *bt,
    struct sockaddr_storage *ss, socklen_t *len)
{
	Sockbroker__Address		 a = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__BluetoothAddress	 b =
	    SOCKBROKER__BLUETOOTH_ADDRESS__INIT;
	char				 text[sizeof bt->bdaddr];
	const char			*cause = NULL;
	uint32_t			*num;

	if (bt == NULL || ss == NULL || len == NULL)
		return (conn_oserror(EFAULT, "no address"));
	memcpy(text, bt->bdaddr, sizeof text);
	text[sizeof text - 1] = '\0';
	b.proto = (Sockbroker__BluetoothAddress__Proto)protocol;
	b.bdaddr = text;
	if ((num = sb_btaddr_num(&b, protocol)) != NULL)
		*num = bt->num;
	a.addr_case = SOCKBROKER__ADDRESS__ADDR_BLUETOOTH;
	a.bluetooth = &b;
	memset(ss, 0, sizeof *ss);
	if (sbp_address_to_sockaddr(&a, ss, len, &cause) == -1)
		return (conn_oserror(errno, cause));
	return (0);
}

/* What an AF_BLUETOOTH sockaddr of a socket of protocol says, into bt. */
SB_EXPORT int
sb_btaddr_from_sockaddr(int protocol, const struct sockaddr *sa,
    socklen_t len, struct sb_btaddr *bt)
{
	struct sbp_address		 out;
	Sockbroker__BluetoothAddress	*b;
	uint32_t			*num;

	if (sa == NULL || bt == NULL)
		return (conn_oserror(EFAULT, "no address"));
	if (len < sizeof sa->sa_family || sa->sa_family != AF_BLUETOOTH)
		return (conn_oserror(EINVAL, "not an AF_BLUETOOTH sockaddr"));
	if (conn_address_from(&out, sa, len, protocol) == -1)
		return (-1);
	b = &out.u.bluetooth;
	memset(bt, 0, sizeof *bt);
	if (b->bdaddr != NULL)
		snprintf(bt->bdaddr, sizeof bt->bdaddr, "%s", b->bdaddr);
	if ((num = sb_btaddr_num(b, protocol)) != NULL)
		bt->num = *num;
	return (0);
}
