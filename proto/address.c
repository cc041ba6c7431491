/* SPDX-License-Identifier: ISC */
/*
 * Conversion between struct sockaddr and the protobuf Address, both ways.
 * From a sockaddr the Address points into struct sbp_address, so nothing is
 * allocated; to a sockaddr every field of the (hostile) Address is checked.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sbproto.h"

#define ADDRESS_SUN_PATH	sizeof(((struct sockaddr_un *)0)->sun_path)
#define ADDRESS_SUN_OFFSET	offsetof(struct sockaddr_un, sun_path)
#define ADDRESS_MAX_FLOWINFO	0xfffffU

static int	address_fail(const char **, int, const char *);
static int	address_from_inet(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_from_inet6(struct sbp_address *,
		    const struct sockaddr *, socklen_t, const char **);
static int	address_from_unix(struct sbp_address *, const struct sockaddr *,
		    socklen_t, const char **);
static int	address_to_inet(const Sockbroker__InetAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_to_inet6(const Sockbroker__Inet6Address *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_to_unix(const Sockbroker__UnixAddress *,
		    struct sockaddr_storage *, socklen_t *, const char **);
static int	address_to_unix_path(const char *, struct sockaddr_un *,
		    socklen_t *, const char **);
static int	address_to_unix_abstract(const ProtobufCBinaryData *,
		    struct sockaddr_un *, socklen_t *, const char **);

/* Sets errno and *cause, and returns -1. */
static int
address_fail(const char **cause, int error, const char *why)
{
	if (cause != NULL)
		*cause = why;
	errno = error;
	return (-1);
}

/* Fills out from an AF_INET sockaddr. */
static int
address_from_inet(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_in			 sin;
	static const Sockbroker__InetAddress	 init =
	    SOCKBROKER__INET_ADDRESS__INIT;

	if (len < sizeof sin)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for inet"));
	memcpy(&sin, sa, sizeof sin);
	if (inet_ntop(AF_INET, &sin.sin_addr, out->host,
	    sizeof out->host) == NULL)
		return (address_fail(cause, EINVAL,
		    "inet address not printable"));
	out->u.inet = init;
	out->u.inet.host = out->host;
	out->u.inet.port = ntohs(sin.sin_port);
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	out->addr.inet = &out->u.inet;
	return (0);
}

/* Fills out from an AF_INET6 sockaddr. */
static int
address_from_inet6(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	struct sockaddr_in6			 sin6;
	static const Sockbroker__Inet6Address	 init =
	    SOCKBROKER__INET6_ADDRESS__INIT;

	if (len < sizeof sin6)
		return (address_fail(cause, EINVAL,
		    "sockaddr too short for inet6"));
	memcpy(&sin6, sa, sizeof sin6);
	if (inet_ntop(AF_INET6, &sin6.sin6_addr, out->host,
	    sizeof out->host) == NULL)
		return (address_fail(cause, EINVAL,
		    "inet6 address not printable"));
	out->u.inet6 = init;
	out->u.inet6.host = out->host;
	out->u.inet6.port = ntohs(sin6.sin6_port);
	out->u.inet6.has_flowinfo = 1;
	out->u.inet6.flowinfo = ntohl(sin6.sin6_flowinfo);
	out->u.inet6.has_scope_id = 1;
	out->u.inet6.scope_id = sin6.sin6_scope_id;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_INET6;
	out->addr.inet6 = &out->u.inet6;
	return (0);
}

/*
 * Fills out from an AF_UNIX sockaddr: a path, an abstract name or an unnamed
 * socket. The kernel may return a path that fills sun_path without a NUL.
 */
static int
address_from_unix(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	const char				*sun_path;
	size_t					 n;
	static const Sockbroker__UnixAddress	 init =
	    SOCKBROKER__UNIX_ADDRESS__INIT;

	out->u.un = init;
	out->addr.addr_case = SOCKBROKER__ADDRESS__ADDR_UN;
	out->addr.un = &out->u.un;
	if (len <= ADDRESS_SUN_OFFSET)
		return (0);

	sun_path = (const char *)sa + ADDRESS_SUN_OFFSET;
	n = len - ADDRESS_SUN_OFFSET;
	if (n > ADDRESS_SUN_PATH)
		n = ADDRESS_SUN_PATH;
	if (sun_path[0] == '\0') {
		memcpy(out->path, sun_path + 1, n - 1);
		out->u.un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT;
		out->u.un.abstract.data = (uint8_t *)out->path;
		out->u.un.abstract.len = n - 1;
		return (0);
	}
	n = strnlen(sun_path, n);
	memcpy(out->path, sun_path, n);
	out->path[n] = '\0';
	out->u.un.name_case = SOCKBROKER__UNIX_ADDRESS__NAME_PATH;
	out->u.un.path = out->path;
	return (0);
}

/* Converts sa (len bytes) to an Address stored in out. */
int
sbp_address_from_sockaddr(struct sbp_address *out, const struct sockaddr *sa,
    socklen_t len, const char **cause)
{
	static const Sockbroker__Address	init =
	    SOCKBROKER__ADDRESS__INIT;

	out->addr = init;
	if (sa == NULL || len < sizeof(sa_family_t))
		return (address_fail(cause, EINVAL, "sockaddr too short"));
	switch (sa->sa_family) {
	case AF_INET:
		return (address_from_inet(out, sa, len, cause));
	case AF_INET6:
		return (address_from_inet6(out, sa, len, cause));
	case AF_UNIX:
		return (address_from_unix(out, sa, len, cause));
	default:
		return (address_fail(cause, EAFNOSUPPORT,
		    "address family not supported"));
	}
}

/* Converts an InetAddress to a sockaddr_in. */
static int
address_to_inet(const Sockbroker__InetAddress *in, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	if (in == NULL || in->host == NULL)
		return (address_fail(cause, EINVAL, "inet address is missing"));
	if (in->port > 65535)
		return (address_fail(cause, EINVAL,
		    "port out of range (0-65535)"));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(in->port);
	if (*in->host == '\0')
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(in->host, "<broadcast>") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
	else if (inet_pton(AF_INET, in->host, &sin->sin_addr) != 1) {
		return (address_fail(cause, EINVAL,
		    "inet host is not a numeric IPv4 address"));
	}
	*len = sizeof *sin;
	return (0);
}

/* Converts an Inet6Address to a sockaddr_in6. */
static int
address_to_inet6(const Sockbroker__Inet6Address *in6,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	if (in6 == NULL || in6->host == NULL)
		return (address_fail(cause, EINVAL,
		    "inet6 address is missing"));
	if (in6->port > 65535)
		return (address_fail(cause, EINVAL,
		    "port out of range (0-65535)"));
	if (in6->has_flowinfo && in6->flowinfo > ADDRESS_MAX_FLOWINFO) {
		return (address_fail(cause, EINVAL,
		    "flowinfo out of range (0-1048575)"));
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(in6->port);
	if (in6->has_flowinfo)
		sin6->sin6_flowinfo = htonl(in6->flowinfo);
	if (in6->has_scope_id)
		sin6->sin6_scope_id = in6->scope_id;
	if (*in6->host == '\0')
		sin6->sin6_addr = in6addr_any;
	else if (inet_pton(AF_INET6, in6->host, &sin6->sin6_addr) != 1) {
		return (address_fail(cause, EINVAL,
		    "inet6 host is not a numeric IPv6 address"));
	}
	*len = sizeof *sin6;
	return (0);
}

/* Fills sun with a filesystem path, which must fit with its NUL. */
static int
address_to_unix_path(const char *path, struct sockaddr_un *sun,
    socklen_t *len, const char **cause)
{
	size_t	n;

	if (path == NULL)
		return (address_fail(cause, EINVAL, "unix path is missing"));
	n = strnlen(path, ADDRESS_SUN_PATH);
	if (n == 0)
		return (address_fail(cause, EINVAL, "unix path is empty"));
	if (n >= ADDRESS_SUN_PATH) {
		return (address_fail(cause, EINVAL,
		    "unix path too long (max 107 bytes)"));
	}
	memcpy(sun->sun_path, path, n);
	*len = ADDRESS_SUN_OFFSET + n + 1;
	return (0);
}

/* Fills sun with an abstract name: a NUL, then 1 to 107 bytes of any kind. */
static int
address_to_unix_abstract(const ProtobufCBinaryData *name,
    struct sockaddr_un *sun, socklen_t *len, const char **cause)
{
	if (name->len == 0) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name is empty"));
	}
	if (name->len >= ADDRESS_SUN_PATH) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name too long (max 107 bytes)"));
	}
	if (name->data == NULL) {
		return (address_fail(cause, EINVAL,
		    "unix abstract name is missing"));
	}
	sun->sun_path[0] = '\0';
	memcpy(sun->sun_path + 1, name->data, name->len);
	*len = ADDRESS_SUN_OFFSET + 1 + name->len;
	return (0);
}

/* Converts a UnixAddress to a sockaddr_un: path, abstract or unnamed. */
static int
address_to_unix(const Sockbroker__UnixAddress *un, struct sockaddr_storage *ss,
    socklen_t *len, const char **cause)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;

	if (un == NULL)
		return (address_fail(cause, EINVAL, "unix address is missing"));
	sun->sun_family = AF_UNIX;
	switch (un->name_case) {
	case SOCKBROKER__UNIX_ADDRESS__NAME_PATH:
		return (address_to_unix_path(un->path, sun, len, cause));
	case SOCKBROKER__UNIX_ADDRESS__NAME_ABSTRACT:
		return (address_to_unix_abstract(&un->abstract, sun, len,
		    cause));
	case SOCKBROKER__UNIX_ADDRESS__NAME__NOT_SET:
		*len = sizeof(sa_family_t);
		return (0);
	default:
		return (address_fail(cause, EINVAL,
		    "unix address has an unknown name kind"));
	}
}

/* Converts a (hostile) Address to a sockaddr in ss, its length in *len. */
int
sbp_address_to_sockaddr(const Sockbroker__Address *a,
    struct sockaddr_storage *ss, socklen_t *len, const char **cause)
{
	memset(ss, 0, sizeof *ss);
	*len = 0;
	if (a == NULL)
		return (address_fail(cause, EINVAL, "address is missing"));
	switch (a->addr_case) {
	case SOCKBROKER__ADDRESS__ADDR__NOT_SET:
		return (address_fail(cause, EINVAL, "address has no family"));
	case SOCKBROKER__ADDRESS__ADDR_INET:
		return (address_to_inet(a->inet, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_INET6:
		return (address_to_inet6(a->inet6, ss, len, cause));
	case SOCKBROKER__ADDRESS__ADDR_UN:
		return (address_to_unix(a->un, ss, len, cause));
	default:
		return (address_fail(cause, EAFNOSUPPORT,
		    "address family not supported"));
	}
}

/* Returns the AF_* family an Address denotes, or AF_UNSPEC. */
int
sbp_address_family(const Sockbroker__Address *a)
{
	if (a == NULL)
		return (AF_UNSPEC);
	switch (a->addr_case) {
	case SOCKBROKER__ADDRESS__ADDR_INET:
		return (AF_INET);
	case SOCKBROKER__ADDRESS__ADDR_INET6:
		return (AF_INET6);
	case SOCKBROKER__ADDRESS__ADDR_UN:
		return (AF_UNIX);
	default:
		return (AF_UNSPEC);
	}
}
