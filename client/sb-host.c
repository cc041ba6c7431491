/* SPDX-License-Identifier: ISC */
/*
 * Host, service and protocol functions, answered by the daemon as Python's
 * gethostbyname, gethostbyname_ex, gethostbyaddr, getfqdn, getservbyname,
 * getservbyport and getprotobyname answer.
 *
 * Errors. A resolver failure keeps the daemon's code in sb_lasterror() (kind
 * SB_ERR_HERROR with the h_errno value, or SB_ERR_GAI with the EAI_* value)
 * and sets errno from it: ENOENT when the name has no such host or no
 * address (HOST_NOT_FOUND, NO_DATA, EAI_NONAME, EAI_NODATA), EAGAIN for a
 * temporary failure (TRY_AGAIN, EAI_AGAIN), EIO for anything else. A service
 * or protocol that is not found is ENOENT of kind SB_ERR_OS. The daemon
 * refuses a host name of NI_MAXHOST bytes or more and a service or protocol
 * name of 32 bytes or more with EINVAL, a port over 65535 with EINVAL; a
 * negative port is EINVAL here. A result that does not fit the caller's
 * buffer is ENAMETOOLONG. A NULL pointer where one is needed is EFAULT.
 *
 * A struct hostent or struct servent is allocated as one block: the struct,
 * its pointer arrays, (hostent) the binary addresses, then the strings; so
 * sb_freehostent() and sb_freeservent() are a single free().
 */

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Fills a block from its start, in order. */
struct sb_host_fill {
	char	*p;
};

static void	 sb_host_errno(void);
static int	 sb_host_call(struct sb_conn *, Sockbroker__Request *, int,
		     Sockbroker__Response **);
static int	 sb_host_copy(char *, size_t, const char *);
static char	*sb_host_name_call(struct sb_conn *, Sockbroker__Request *,
		     char *, size_t);
static size_t	 sb_host_strings(char **, size_t, int *);
static char	*sb_host_str(struct sb_host_fill *, const char *);
static int	 sb_host_family(const Sockbroker__HostReply *);
static struct hostent *sb_host_hostent(struct sb_conn *,
		     const Sockbroker__HostReply *);
static struct hostent *sb_host_entcall(struct sb_conn *,
		     Sockbroker__Request *);
static struct servent *sb_host_servent(struct sb_conn *,
		     const Sockbroker__ServReply *);
static struct servent *sb_host_servcall(struct sb_conn *,
		     Sockbroker__Request *);

/* Sets errno for a failed resolver call from the daemon's code. */
static void
sb_host_errno(void)
{
	const struct sb_error	*e = sb_lasterror();

	if (e->kind == SB_ERR_HERROR) {
		if (e->errnum == HOST_NOT_FOUND || e->errnum == NO_DATA)
			errno = ENOENT;
		else if (e->errnum == TRY_AGAIN)
			errno = EAGAIN;
		else
			errno = EIO;
	} else if (e->kind == SB_ERR_GAI) {
		if (e->errnum == EAI_NONAME || e->errnum == EAI_NODATA)
			errno = ENOENT;
		else if (e->errnum == EAI_AGAIN)
			errno = EAGAIN;
		else
			errno = EIO;
	}
}

/* conn_call(), with errno of a resolver failure set as documented above. */
static int
sb_host_call(struct sb_conn *c, Sockbroker__Request *req, int result,
    Sockbroker__Response **resp)
{
	if (conn_call(c, req, result, resp) == 0)
		return (0);
	sb_host_errno();
	return (-1);
}

/* Copies a string into a buffer of size bytes; ENAMETOOLONG if too small. */
static int
sb_host_copy(char *buf, size_t size, const char *s)
{
	size_t	 len = strlen(s);

	if (len >= size)
		return (conn_oserror(ENAMETOOLONG, "buffer too small"));
	memcpy(buf, s, len + 1);
	return (0);
}

/* Sends a request answered by a NameReply and copies the name into buf. */
static char *
sb_host_name_call(struct sb_conn *c, Sockbroker__Request *req, char *buf,
    size_t size)
{
	Sockbroker__Response	*resp;
	int			 r;

	if (sb_host_call(c, req, SOCKBROKER__RESPONSE__RESULT_NAME,
	    &resp) == -1)
		return (NULL);
	r = sb_host_copy(buf, size, resp->name->name);
	sockbroker__response__free_unpacked(resp, NULL);
	return (r == -1 ? NULL : buf);
}

/* The bytes n strings take with their NULs; *bad set if one is NULL. */
static size_t
sb_host_strings(char **strs, size_t n, int *bad)
{
	size_t	 i, len = 0;

	for (i = 0; i < n; i++) {
		if (strs[i] == NULL) {
			*bad = 1;
			return (0);
		}
		len += strlen(strs[i]) + 1;
	}
	return (len);
}

/* Copies s to the block and returns the copy. */
static char *
sb_host_str(struct sb_host_fill *f, const char *s)
{
	size_t	 len = strlen(s) + 1;
	char	*copy = f->p;

	memcpy(f->p, s, len);
	f->p += len;
	return (copy);
}

/* The family of a HostReply: the daemon's, else guessed from the text. */
static int
sb_host_family(const Sockbroker__HostReply *r)
{
	if (r->has_family)
		return (r->family);
	if (r->n_addresses > 0 && r->addresses[0] != NULL &&
	    strchr(r->addresses[0], ':') != NULL)
		return (AF_INET6);
	return (AF_INET);
}

/* Builds the one-block struct hostent of a HostReply. */
static struct hostent *
sb_host_hostent(struct sb_conn *c, const Sockbroker__HostReply *r)
{
	struct hostent		*he;
	struct sb_host_fill	 f;
	size_t			 i, size, alen;
	int			 bad = 0, family = sb_host_family(r);
	char			*bin;

	if (family == AF_INET)
		alen = sizeof(struct in_addr);
	else if (family == AF_INET6)
		alen = sizeof(struct in6_addr);
	else
		return (conn_protoerror(c, "host entry of unknown family"),
		    NULL);
	size = sizeof *he + (r->n_aliases + 1 + r->n_addresses + 1) *
	    sizeof(char *) + r->n_addresses * alen;
	size += sb_host_strings(r->aliases, r->n_aliases, &bad);
	if (bad || r->name == NULL)
		return (conn_protoerror(c, "host entry without a name"), NULL);
	size += strlen(r->name) + 1;
	if ((he = calloc(1, size)) == NULL)
		return (conn_oserror(ENOMEM, "out of memory"), NULL);
	he->h_addrtype = family;
	he->h_length = (int)alen;
	he->h_aliases = (char **)(he + 1);
	he->h_addr_list = he->h_aliases + r->n_aliases + 1;
	bin = (char *)(he->h_addr_list + r->n_addresses + 1);
	for (i = 0; i < r->n_addresses; i++, bin += alen) {
		if (r->addresses[i] == NULL ||
		    inet_pton(family, r->addresses[i], bin) != 1) {
			free(he);
			return (conn_protoerror(c, "bad address in host entry"),
			    NULL);
		}
		he->h_addr_list[i] = bin;
	}
	f.p = bin;
	he->h_name = sb_host_str(&f, r->name);
	for (i = 0; i < r->n_aliases; i++)
		he->h_aliases[i] = sb_host_str(&f, r->aliases[i]);
	return (he);
}

/* Sends a request answered by a HostReply; its struct hostent or NULL. */
static struct hostent *
sb_host_entcall(struct sb_conn *c, Sockbroker__Request *req)
{
	Sockbroker__Response	*resp;
	struct hostent		*he;

	if (sb_host_call(c, req, SOCKBROKER__RESPONSE__RESULT_HOST,
	    &resp) == -1)
		return (NULL);
	he = sb_host_hostent(c, resp->host);
	sockbroker__response__free_unpacked(resp, NULL);
	return (he);
}

/* Python's gethostbyname(): the first IPv4 address of name, as text. */
SB_EXPORT int
sb_gethostbyname(sb_conn *c, const char *name, char *buf, size_t len)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GethostbynameRequest op =
	    SOCKBROKER__GETHOSTBYNAME_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	if (name == NULL || buf == NULL)
		return (conn_oserror(EFAULT, "no name or no buffer"));
	op.name = (char *)name;
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYNAME;
	req.gethostbyname = &op;
	return (sb_host_name_call(c, &req, buf, len) == NULL ? -1 : 0);
}

/* Python's gethostbyname_ex(): name, aliases and IPv4 addresses. */
SB_EXPORT struct hostent *
sb_gethostbyname_ex(sb_conn *c, const char *name)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GethostbynameRequest op =
	    SOCKBROKER__GETHOSTBYNAME_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (NULL);
	if (name == NULL)
		return (conn_oserror(EFAULT, "no name"), NULL);
	op.name = (char *)name;
	op.has_ex = 1;
	op.ex = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYNAME;
	req.gethostbyname = &op;
	return (sb_host_entcall(c, &req));
}

/* Python's gethostbyaddr(): the host entry of an address (or a name). */
SB_EXPORT struct hostent *
sb_gethostbyaddr(sb_conn *c, const char *addr)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GethostbyaddrRequest op =
	    SOCKBROKER__GETHOSTBYADDR_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (NULL);
	if (addr == NULL)
		return (conn_oserror(EFAULT, "no address"), NULL);
	op.address = (char *)addr;
	req.op_case = SOCKBROKER__REQUEST__OP_GETHOSTBYADDR;
	req.gethostbyaddr = &op;
	return (sb_host_entcall(c, &req));
}

/* Frees a struct hostent of this library; NULL is ok. */
SB_EXPORT void
sb_freehostent(struct hostent *he)
{
	free(he);
}

/* Python's getfqdn(name); NULL or "" is the daemon's host. */
SB_EXPORT int
sb_getfqdn(sb_conn *c, const char *name, char *buf, size_t len)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetfqdnRequest op = SOCKBROKER__GETFQDN_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (-1);
	if (buf == NULL)
		return (conn_oserror(EFAULT, "no buffer"));
	op.name = (char *)name;
	req.op_case = SOCKBROKER__REQUEST__OP_GETFQDN;
	req.getfqdn = &op;
	return (sb_host_name_call(c, &req, buf, len) == NULL ? -1 : 0);
}

/* Builds the one-block struct servent of a ServReply. */
static struct servent *
sb_host_servent(struct sb_conn *c, const Sockbroker__ServReply *r)
{
	struct servent		*se;
	struct sb_host_fill	 f;
	size_t			 i, size;
	int			 bad = 0;

	if (r->name == NULL || r->proto == NULL || r->port > 0xffff)
		return (conn_protoerror(c, "bad service entry"), NULL);
	size = sizeof *se + (r->n_aliases + 1) * sizeof(char *);
	size += sb_host_strings(r->aliases, r->n_aliases, &bad);
	if (bad)
		return (conn_protoerror(c, "bad service alias"), NULL);
	size += strlen(r->name) + 1 + strlen(r->proto) + 1;
	if ((se = calloc(1, size)) == NULL)
		return (conn_oserror(ENOMEM, "out of memory"), NULL);
	se->s_aliases = (char **)(se + 1);
	se->s_port = htons((uint16_t)r->port);
	f.p = (char *)(se->s_aliases + r->n_aliases + 1);
	se->s_name = sb_host_str(&f, r->name);
	se->s_proto = sb_host_str(&f, r->proto);
	for (i = 0; i < r->n_aliases; i++)
		se->s_aliases[i] = sb_host_str(&f, r->aliases[i]);
	return (se);
}

/* Sends a request answered by a ServReply; its struct servent or NULL. */
static struct servent *
sb_host_servcall(struct sb_conn *c, Sockbroker__Request *req)
{
	Sockbroker__Response	*resp;
	struct servent		*se;

	if (conn_call(c, req, SOCKBROKER__RESPONSE__RESULT_SERV, &resp) == -1)
		return (NULL);
	se = sb_host_servent(c, resp->serv);
	sockbroker__response__free_unpacked(resp, NULL);
	return (se);
}

/* getservbyname(3) in the daemon; proto NULL matches any protocol. */
SB_EXPORT struct servent *
sb_getservbyname(sb_conn *c, const char *name, const char *proto)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetservbynameRequest op =
	    SOCKBROKER__GETSERVBYNAME_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (NULL);
	if (name == NULL)
		return (conn_oserror(EFAULT, "no service name"), NULL);
	op.name = (char *)name;
	op.proto = (char *)proto;
	req.op_case = SOCKBROKER__REQUEST__OP_GETSERVBYNAME;
	req.getservbyname = &op;
	return (sb_host_servcall(c, &req));
}

/* getservbyport(3) in the daemon, with port in host order. */
SB_EXPORT struct servent *
sb_getservbyport(sb_conn *c, int port, const char *proto)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetservbyportRequest op =
	    SOCKBROKER__GETSERVBYPORT_REQUEST__INIT;

	if (conn_valid(c) == -1)
		return (NULL);
	if (port < 0)
		return (conn_oserror(EINVAL, "port must be 0-65535"), NULL);
	op.port = (uint32_t)port;
	op.proto = (char *)proto;
	req.op_case = SOCKBROKER__REQUEST__OP_GETSERVBYPORT;
	req.getservbyport = &op;
	return (sb_host_servcall(c, &req));
}

/* Frees a struct servent of this library; NULL is ok. */
SB_EXPORT void
sb_freeservent(struct servent *se)
{
	free(se);
}

/* The protocol number of name, or -1 with errno (ENOENT: not found). */
SB_EXPORT int
sb_getprotobyname(sb_conn *c, const char *name)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__GetprotobynameRequest op =
	    SOCKBROKER__GETPROTOBYNAME_REQUEST__INIT;
	Sockbroker__Response	*resp;
	uint32_t		 proto;

	if (conn_valid(c) == -1)
		return (-1);
	if (name == NULL)
		return (conn_oserror(EFAULT, "no protocol name"));
	op.name = (char *)name;
	req.op_case = SOCKBROKER__REQUEST__OP_GETPROTOBYNAME;
	req.getprotobyname = &op;
	if (conn_call(c, &req, SOCKBROKER__RESPONSE__RESULT_INDEX, &resp) == -1)
		return (-1);
	proto = resp->index->index;
	sockbroker__response__free_unpacked(resp, NULL);
	if (proto > INT32_MAX)
		return (conn_protoerror(c, "protocol number out of range"));
	return ((int)proto);
}
