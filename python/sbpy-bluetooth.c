/* SPDX-License-Identifier: ISC */
/*
 * AF_BLUETOOTH addresses in the socket module's forms: (bdaddr, psm) for
 * L2CAP, (bdaddr, channel) for RFCOMM, (device_id,) for HCI (its make side
 * the device id alone, as the stdlib's) and a bdaddr (bytes) for SCO, the
 * bdaddr as "XX:XX:XX:XX:XX:XX". BlueZ's headers are not needed: the
 * layouts are the kernel's, as proto/address.c writes them (bdaddr_t least
 * significant byte first, L2CAP's 16-bit fields little-endian).
 */

#include "sbpy.h"

#include <endian.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define SBPY_BTPROTO_L2CAP	0
#define SBPY_BTPROTO_HCI	1
#define SBPY_BTPROTO_SCO	2
#define SBPY_BTPROTO_RFCOMM	3

struct sbpy_bdaddr {
	uint8_t			b[6];
} __attribute__((packed));

struct sbpy_sockaddr_l2 {
	sa_family_t		l2_family;
	uint16_t		l2_psm;
	struct sbpy_bdaddr	l2_bdaddr;
	uint16_t		l2_cid;
	uint8_t			l2_bdaddr_type;
};

struct sbpy_sockaddr_rc {
	sa_family_t		rc_family;
	struct sbpy_bdaddr	rc_bdaddr;
	uint8_t			rc_channel;
};

struct sbpy_sockaddr_hci {
	sa_family_t		hci_family;
	unsigned short		hci_dev;
	unsigned short		hci_channel;
};

struct sbpy_sockaddr_sco {
	sa_family_t		sco_family;
	struct sbpy_bdaddr	sco_bdaddr;
};

_Static_assert(sizeof(struct sbpy_sockaddr_l2) == 14, "sockaddr_l2");
_Static_assert(sizeof(struct sbpy_sockaddr_rc) == 10, "sockaddr_rc");
_Static_assert(sizeof(struct sbpy_sockaddr_hci) == 6, "sockaddr_hci");
_Static_assert(sizeof(struct sbpy_sockaddr_sco) == 8, "sockaddr_sco");

/* "XX:XX:XX:XX:XX:XX" to a bdaddr_t; OSError if malformed, as the stdlib. */
static int
sbpy_bluetooth_bdaddr(const char *text, struct sbpy_bdaddr *ba)
{
	unsigned int	 v[6];
	char		 extra;
	int		 i;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[5], &v[4], &v[3],
	    &v[2], &v[1], &v[0], &extra) != 6) {
		PyErr_SetString(PyExc_OSError, "bad bluetooth address");
		return (-1);
	}
	for (i = 0; i < 6; i++)
		ba->b[i] = (uint8_t)v[i];
	return (0);
}

/* A bdaddr_t as the stdlib's text. */
static PyObject *
sbpy_bluetooth_text(const struct sbpy_bdaddr *ba)
{
	char	 buf[18];

	snprintf(buf, sizeof buf, "%02X:%02X:%02X:%02X:%02X:%02X", ba->b[5],
	    ba->b[4], ba->b[3], ba->b[2], ba->b[1], ba->b[0]);
	return (PyUnicode_FromString(buf));
}

/* An AF_BLUETOOTH address of protocol proto into ss and *len. */
int
sbpy_bluetooth_parse(int proto, PyObject *addr, const char *caller,
    sbpy_sockaddr *ss, socklen_t *len)
{
	const char	*text;
	int		 n;

	memset(ss, 0, sizeof *ss);
	ss->ss_family = AF_BLUETOOTH;
	if (proto != SBPY_BTPROTO_SCO && !PyTuple_Check(addr)) {
		PyErr_Format(PyExc_TypeError, "%s(): AF_BLUETOOTH address "
		    "must be tuple, not %.500s", caller, Py_TYPE(addr)->tp_name);
		return (-1);
	}
	switch (proto) {
	case SBPY_BTPROTO_L2CAP: {
		struct sbpy_sockaddr_l2	*l2 = (void *)ss;

		if (!PyArg_ParseTuple(addr, "si;BTPROTO_L2CAP address must "
		    "be a tuple (bdaddr, psm)", &text, &n))
			return (-1);
		l2->l2_psm = htole16((uint16_t)n);
		*len = sizeof *l2;
		return (sbpy_bluetooth_bdaddr(text, &l2->l2_bdaddr));
	}
	case SBPY_BTPROTO_RFCOMM: {
		struct sbpy_sockaddr_rc	*rc = (void *)ss;

		if (!PyArg_ParseTuple(addr, "si;BTPROTO_RFCOMM address must "
		    "be a tuple (bdaddr, channel)", &text, &n))
			return (-1);
		rc->rc_channel = (uint8_t)n;
		*len = sizeof *rc;
		return (sbpy_bluetooth_bdaddr(text, &rc->rc_bdaddr));
	}
	case SBPY_BTPROTO_HCI: {
		struct sbpy_sockaddr_hci *hci = (void *)ss;

		if (!PyArg_ParseTuple(addr, "i;BTPROTO_HCI address must be a "
		    "tuple (device_id,)", &n))
			return (-1);
		hci->hci_dev = (unsigned short)n;
		*len = sizeof *hci;
		return (0);
	}
	case SBPY_BTPROTO_SCO: {
		struct sbpy_sockaddr_sco *sco = (void *)ss;

		if (!PyBytes_Check(addr)) {
			PyErr_Format(PyExc_TypeError, "%s(): BTPROTO_SCO "
			    "address must be bytes", caller);
			return (-1);
		}
		*len = sizeof *sco;
		return (sbpy_bluetooth_bdaddr(PyBytes_AS_STRING(addr),
		    &sco->sco_bdaddr));
	}
	default:
		PyErr_Format(PyExc_OSError, "%s(): unknown Bluetooth protocol",
		    caller);
		return (-1);
	}
}

/* The Python form of an AF_BLUETOOTH sockaddr of protocol proto. */
PyObject *
sbpy_bluetooth_make(const struct sockaddr *sa, socklen_t len, int proto)
{
	switch (proto) {
	case SBPY_BTPROTO_L2CAP: {
		const struct sbpy_sockaddr_l2	*l2 = (const void *)sa;

		if (len < sizeof *l2)
			break;
		return (Py_BuildValue("Ni", sbpy_bluetooth_text(
		    &l2->l2_bdaddr), le16toh(l2->l2_psm)));
	}
	case SBPY_BTPROTO_RFCOMM: {
		const struct sbpy_sockaddr_rc	*rc = (const void *)sa;

		if (len < sizeof *rc)
			break;
		return (Py_BuildValue("Ni", sbpy_bluetooth_text(
		    &rc->rc_bdaddr), rc->rc_channel));
	}
	case SBPY_BTPROTO_HCI: {
		const struct sbpy_sockaddr_hci	*hci = (const void *)sa;

		if (len < sizeof *hci)
			break;
		return (PyLong_FromLong(hci->hci_dev));
	}
	case SBPY_BTPROTO_SCO: {
		const struct sbpy_sockaddr_sco	*sco = (const void *)sa;

		if (len < sizeof *sco)
			break;
		return (sbpy_bluetooth_text(&sco->sco_bdaddr));
	}
	}
	return (Py_BuildValue("iy#", sa->sa_family, sa->sa_data,
	    (Py_ssize_t)sizeof sa->sa_data));
}
