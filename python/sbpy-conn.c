/* SPDX-License-Identifier: ISC */
/*
 * The process's one connection to the daemon: opened on first use (from
 * $SOCKBROKER_SOCKET, or the path given to sockbroker.connect()), shared by
 * every thread, and forgotten in a child after fork (its descriptors
 * closed, nothing sent), which opens its own.
 *
 * Each connection has a generation. A socket remembers the generation it
 * was made on: its handle means nothing on any other connection (another
 * socket's handle may have the same value there), so a socket of the
 * parent's connection in a forked child fails with EBADF.
 */

#include "sbpy.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static sb_conn		*sbpy_conn;
static unsigned long	 sbpy_conn_gen = 1;
static char		*sbpy_conn_path;
static pthread_mutex_t	 sbpy_conn_lock = PTHREAD_MUTEX_INITIALIZER;

static sb_conn	*sbpy_conn_open(const char *);

/*
 * A connection to the daemon at path, on which every new handle that can
 * have a data channel gets it with its creating reply (sb_setchannels):
 * fileno() then costs no request. NULL with errno.
 */
static sb_conn *
sbpy_conn_open(const char *path)
{
	sb_conn	*c;

	if ((c = sb_open(path)) != NULL)
		sb_setchannels(c, 1);
	return (c);
}

/*
 * The connection, opened if there is none yet (without the GIL: sb_open
 * may wait up to its timeout); its generation in *gen if gen is not NULL.
 * NULL with an exception set if it cannot be opened.
 */
sb_conn *
sbpy_conn_get(unsigned long *gen)
{
	sb_conn		*c;
	unsigned long	 g;

	Py_BEGIN_ALLOW_THREADS
	pthread_mutex_lock(&sbpy_conn_lock);
	if (sbpy_conn == NULL)
		sbpy_conn = sbpy_conn_open(sbpy_conn_path);
	c = sbpy_conn;
	g = sbpy_conn_gen;
	pthread_mutex_unlock(&sbpy_conn_lock);
	Py_END_ALLOW_THREADS
	if (c == NULL)
		return ((sb_conn *)sbpy_error_said());
	if (gen != NULL)
		*gen = g;
	return (c);
}

/* Whether gen is the generation of the connection open now. */
int
sbpy_conn_current(unsigned long gen)
{
	int	 yes;

	pthread_mutex_lock(&sbpy_conn_lock);
	yes = sbpy_conn != NULL && gen == sbpy_conn_gen;
	pthread_mutex_unlock(&sbpy_conn_lock);
	return (yes);
}

/* The connection open now if gen is its generation, else NULL. */
sb_conn *
sbpy_conn_peek(unsigned long gen)
{
	sb_conn	*c;

	pthread_mutex_lock(&sbpy_conn_lock);
	c = gen == sbpy_conn_gen ? sbpy_conn : NULL;
	pthread_mutex_unlock(&sbpy_conn_lock);
	return (c);
}

/*
 * sockbroker.connect(path=None): (re)opens the connection to the daemon at
 * path (None: $SOCKBROKER_SOCKET, then the default). A connection open
 * before is closed, and the sockets made on it are closed with it.
 */
PyObject *
sbpy_conn_connect(PyObject *self, PyObject *args)
{
	const char	*path = NULL;
	char		*copy = NULL;
	sb_conn		*old, *c;

	if (!PyArg_ParseTuple(args, "|z:connect", &path))
		return (NULL);
	if (path != NULL && (copy = strdup(path)) == NULL)
		return (PyErr_NoMemory());
	Py_BEGIN_ALLOW_THREADS
	c = sbpy_conn_open(copy);
	Py_END_ALLOW_THREADS
	if (c == NULL) {
		free(copy);
		return (sbpy_error_said());
	}
	pthread_mutex_lock(&sbpy_conn_lock);
	old = sbpy_conn;
	sbpy_conn = c;
	sbpy_conn_gen++;
	free(sbpy_conn_path);
	sbpy_conn_path = copy;
	pthread_mutex_unlock(&sbpy_conn_lock);
	SBPY_CALL(sb_close_conn(old));
	sbpy_socket_forget();
	Py_RETURN_NONE;
}

/*
 * Registered with os.register_at_fork(after_in_child=): forgets the
 * parent's connection (sb_forget_conn: the child's copies of its
 * descriptors closed, nothing said on the stream the parent still uses,
 * none of its locks taken, which threads the child does not have may hold)
 * and the sockets' tables; the child opens its own connection on first use.
 */
PyObject *
sbpy_conn_after_fork(PyObject *self, PyObject *unused)
{
	pthread_mutex_t	 fresh = PTHREAD_MUTEX_INITIALIZER;

	memcpy(&sbpy_conn_lock, &fresh, sizeof fresh);
	if (sbpy_conn != NULL)
		sbpy_conn_gen++;
	sb_forget_conn(sbpy_conn);
	sbpy_conn = NULL;
	sbpy_socket_forget();
	Py_RETURN_NONE;
}

/* sockbroker.info(): what the daemon said in Hello, as a dict. */
PyObject *
sbpy_conn_info(PyObject *self, PyObject *unused)
{
	const struct sb_info	*info;
	PyObject		*fams;
	sb_conn			*c;
	size_t			 i;

	if ((c = sbpy_conn_get(NULL)) == NULL)
		return (NULL);
	if ((info = sb_info(c)) == NULL)
		return (sbpy_error());
	if ((fams = PyList_New((Py_ssize_t)info->nfamilies)) == NULL)
		return (NULL);
	for (i = 0; i < info->nfamilies; i++)
		PyList_SET_ITEM(fams, (Py_ssize_t)i,
		    PyLong_FromLong(info->families[i]));
	return (Py_BuildValue("{sIsIsIsIsOsN}", "version", info->version,
	    "max_frame", info->max_frame, "max_handles", info->max_handles,
	    "max_data", info->max_data, "fd_passing",
	    info->fd_passing ? Py_True : Py_False, "families", fams));
}
