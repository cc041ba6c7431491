/* SPDX-License-Identifier: ISC */
/*
 * Exceptions: what the stdlib's socket module would raise for the error
 * libsockbroker reported (sb_lasterror), with the stdlib's own classes.
 */

#include "sbpy.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>

static PyObject	*sbpy_error_class(const char *);

/* The stdlib _socket's exception class called name (gaierror, herror). */
static PyObject *
sbpy_error_class(const char *name)
{
	return (PyObject_GetAttrString(sbpy_socket_module, name));
}

/*
 * Raises an OSError whose subclass comes from the errno (OSError picks it
 * itself: ConnectionRefusedError, BlockingIOError, ...), with message as
 * its text (NULL: the strerror text).
 */
PyObject *
sbpy_error_os(int errnum, const char *message)
{
	PyObject	*exc;

	if (message == NULL || *message == '\0')
		exc = PyObject_CallFunction(PyExc_OSError, "is", errnum,
		    strerror(errnum));
	else
		exc = PyObject_CallFunction(PyExc_OSError, "is", errnum,
		    message);
	if (exc == NULL)
		return (NULL);
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
	return (NULL);
}

/* Raises errnum as the stdlib would (an OSError subclass). */
PyObject *
sbpy_error_errno(int errnum)
{
	return (sbpy_error_os(errnum, NULL));
}

/* Raises gaierror for an EAI_* code; EAI_SYSTEM is the OSError of errno. */
PyObject *
sbpy_error_gai(int code)
{
	PyObject	*cls, *exc;

	if (code == EAI_SYSTEM)
		return (sbpy_error_errno(errno));
	if ((cls = sbpy_error_class("gaierror")) == NULL)
		return (NULL);
	exc = PyObject_CallFunction(cls, "is", code, gai_strerror(code));
	if (exc != NULL) {
		PyErr_SetObject(cls, exc);
		Py_DECREF(exc);
	}
	Py_DECREF(cls);
	return (NULL);
}

/* Raises herror for an h_errno code, with the daemon's text if it has one. */
PyObject *
sbpy_error_herror(int code, const char *message)
{
	PyObject	*cls, *exc;

	if ((cls = sbpy_error_class("herror")) == NULL)
		return (NULL);
	if (message == NULL || *message == '\0')
		message = hstrerror(code);
	exc = PyObject_CallFunction(cls, "is", code, message);
	if (exc != NULL) {
		PyErr_SetObject(cls, exc);
		Py_DECREF(exc);
	}
	Py_DECREF(cls);
	return (NULL);
}

/*
 * Raises the error of the last failed call of this thread: TimeoutError
 * ("timed out", as the stdlib) for a timeout, PermissionError with the
 * daemon's reason for a policy refusal, gaierror and herror for the
 * resolver's codes, otherwise the OSError of the errno.
 */
PyObject *
sbpy_error(void)
{
	const struct sb_error	*e = sb_lasterror();
	char			 buf[512];
	int			 errnum = errno;

	if (e == NULL || e->errnum == 0 || (e->kind == SB_ERR_OS &&
	    errnum != 0 && errnum != e->errnum))
		return (sbpy_error_errno(errnum != 0 ? errnum : EIO));
	switch (e->kind) {
	case SB_ERR_TIMEOUT:
		PyErr_SetString(PyExc_TimeoutError, "timed out");
		return (NULL);
	case SB_ERR_GAI:
		return (sbpy_error_gai(e->errnum));
	case SB_ERR_HERROR:
		return (sbpy_error_herror(e->errnum, e->message));
	case SB_ERR_POLICY:
	case SB_ERR_PROTOCOL:
		if (*e->message == '\0')
			return (sbpy_error_errno(e->errnum));
		PyOS_snprintf(buf, sizeof buf, "%s: %s", strerror(e->errnum),
		    e->message);
		return (sbpy_error_os(e->errnum, buf));
	default:
		return (sbpy_error_errno(e->errnum));
	}
}

/*
 * Raises the error of the last failed call of this thread as sbpy_error
 * does, but with the library's message after the strerror text for an OS
 * error too: where the reason is the library's, not a syscall's (opening
 * the connection, a channel the connection cannot have).
 */
PyObject *
sbpy_error_said(void)
{
	const struct sb_error	*e = sb_lasterror();
	char			 buf[512];

	if (e == NULL || e->kind != SB_ERR_OS || e->errnum == 0 ||
	    e->errnum != errno || *e->message == '\0')
		return (sbpy_error());
	PyOS_snprintf(buf, sizeof buf, "%s: %s", strerror(e->errnum),
	    e->message);
	return (sbpy_error_os(e->errnum, buf));
}
