/* SPDX-License-Identifier: ISC */
/*
 * AF_BLUETOOTH addresses in the socket module's forms: (bdaddr, psm) for
 * L2CAP, (bdaddr, channel) for RFCOMM, (device_id,) for HCI (its make side
 * the device id alone, as the stdlib's) and a bdaddr (bytes) for SCO, the
 * bdaddr as "XX:XX:XX:XX:XX:XX". The layouts are libsockbroker's
 * (sb_btaddr_to_sockaddr, sb_btaddr_from_sockaddr: proto/address.c's
 * table); this file only moves between them and Python's objects.
 */

#include "sbpy.h"

#include <stdio.h>
#include <string.h>

#define SBPY_BTPROTO_L2CAP	0
#define SBPY_BTPROTO_HCI	1
#define SBPY_BTPROTO_SCO	2
#define SBPY_BTPROTO_RFCOMM	3

static int	 sbpy_bluetooth_text(const char *, struct sb_btaddr *);
static int	 sbpy_bluetooth_args(int, PyObject *, const char *,
		     struct sb_btaddr *);

/* Copies a bdaddr's text into bt; OSError if it cannot be one. */
static int
sbpy_bluetooth_text(const char *text, struct sb_btaddr *bt)
{
	if (strlen(text) >= sizeof bt->bdaddr) {
		PyErr_SetString(PyExc_OSError, "bad bluetooth address");
		return (-1);
	}
	snprintf(bt->bdaddr, sizeof bt->bdaddr, "%s", text);
	return (0);
}

/* The Python form of an address of protocol proto into bt; 0 or -1. */
static int
sbpy_bluetooth_args(int proto, PyObject *addr, const char *caller,
    struct sb_btaddr *bt)
{
	const char	*text;
	int		 n;

	memset(bt, 0, sizeof *bt);
	if (proto != SBPY_BTPROTO_SCO && !PyTuple_Check(addr)) {
		PyErr_Format(PyExc_TypeError, "%s(): AF_BLUETOOTH address "
		    "must be tuple, not %.500s", caller, Py_TYPE(addr)->tp_name);
		return (-1);
	}
	switch (proto) {
	case SBPY_BTPROTO_L2CAP:
		if (!PyArg_ParseTuple(addr, "si;BTPROTO_L2CAP address must "
		    "be a tuple (bdaddr, psm)", &text, &n))
			return (-1);
		bt->num = (unsigned int)n;
		return (sbpy_bluetooth_text(text, bt));
	case SBPY_BTPROTO_RFCOMM:
		if (!PyArg_ParseTuple(addr, "si;BTPROTO_RFCOMM address must "
		    "be a tuple (bdaddr, channel)", &text, &n))
			return (-1);
		bt->num = (unsigned int)n;
		return (sbpy_bluetooth_text(text, bt));
	case SBPY_BTPROTO_HCI:
		if (!PyArg_ParseTuple(addr, "i;BTPROTO_HCI address must be a "
		    "tuple (device_id,)", &n))
			return (-1);
		bt->num = (unsigned int)n;
		return (0);
	case SBPY_BTPROTO_SCO:
		if (!PyBytes_Check(addr)) {
			PyErr_Format(PyExc_TypeError, "%s(): BTPROTO_SCO "
			    "address must be bytes", caller);
			return (-1);
		}
		return (sbpy_bluetooth_text(PyBytes_AS_STRING(addr), bt));
	default:
		PyErr_Format(PyExc_OSError, "%s(): unknown Bluetooth protocol",
		    caller);
		return (-1);
	}
}

/* An AF_BLUETOOTH address of protocol proto into ss and *len. */
int
sbpy_bluetooth_parse(int proto, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	struct sb_btaddr	 bt;

	if (sbpy_bluetooth_args(proto, addr, caller, &bt) == -1)
		return (-1);
	if (sb_btaddr_to_sockaddr(proto, &bt, ss, len) == -1) {
		PyErr_Format(PyExc_OSError, "bad bluetooth address: %s",
		    sb_lasterror()->message);
		return (-1);
	}
	return (0);
}

/* The Python form of an AF_BLUETOOTH sockaddr of protocol proto. */
PyObject *
sbpy_bluetooth_make(const struct sockaddr *sa, socklen_t len, int proto)
{
	struct sb_btaddr	 bt;

	if (sb_btaddr_from_sockaddr(proto, sa, len, &bt) == -1)
		return (Py_BuildValue("iy#", sa->sa_family, sa->sa_data,
		    (Py_ssize_t)sizeof sa->sa_data));
	switch (proto) {
	case SBPY_BTPROTO_L2CAP:
	case SBPY_BTPROTO_RFCOMM:
		return (Py_BuildValue("si", bt.bdaddr, (int)bt.num));
	case SBPY_BTPROTO_HCI:
		return (PyLong_FromLong((long)bt.num));
	default:
		return (PyUnicode_FromString(bt.bdaddr));
	}
}
