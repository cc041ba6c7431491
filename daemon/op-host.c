/* SPDX-License-Identifier: ISC */
/*
 * Python's host, service and protocol functions, answered by the daemon
 * with CPython's semantics (Modules/socketmodule.c, Lib/socket.py):
 *
 * - gethostbyname(name): the first IPv4 address, found as CPython's
 *   setipaddr() finds it ("" is INADDR_ANY through a passive getaddrinfo,
 *   "<broadcast>" INADDR_BROADCAST, a numeric address itself, else the
 *   first AF_INET answer of getaddrinfo): NameReply.
 * - gethostbyname_ex(name): setipaddr() for AF_INET, then
 *   gethostbyname2_r(name, AF_INET): HostReply.
 * - gethostbyaddr(ip): setipaddr() for any family, then gethostbyaddr_r()
 *   of that address: HostReply, family of the address.
 * - getfqdn(name): socket.py's algorithm (strip; "", "0.0.0.0" and "::"
 *   mean gethostname(); the first name with a dot among the host name and
 *   aliases of gethostbyaddr(name), else that host name; if gethostbyaddr
 *   fails, the name itself): NameReply.
 * These four may wait on DNS: they run on the resolver threads.
 *
 * Errors: getaddrinfo's are kind GAI (EAI_SYSTEM becomes kind OS with its
 * errno, as CPython raises OSError), gethostby*_r's kind HERROR with the
 * h_errno value and hstrerror() text; a host entry of another family than
 * asked is EAFNOSUPPORT. A name of NI_MAXHOST bytes or more is EINVAL.
 *
 * getservbyname, getservbyport and getprotobyname read files only and run
 * in the loop. Not found is kind OS, ENOENT, with CPython's messages
 * "service/proto not found", "port/proto not found", "protocol not found";
 * a port over 65535 is EINVAL (CPython: OverflowError); a service or
 * protocol name of 32 bytes or more is EINVAL.
 */

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockbrokerd.h"

#define OP_HOST_BUF_MIN		4096		/* gethostby*_r buffer */
#define OP_HOST_BUF_MAX		(64 * 1024)	/* ... grown up to this */
#define OP_HOST_SHORT_MAX	32		/* service, protocol names */
#define OP_HOST_SERV_BUF	8192		/* getserv*_r, getproto*_r */
#define OP_HOST_OK		(-1)		/* no error kind: success */

enum op_host_what {
	OP_HOST_BYNAME,
	OP_HOST_BYNAME_EX,
	OP_HOST_BYADDR,
	OP_HOST_FQDN,
};

/* One host lookup: its input, and its result or error. */
struct op_host_job {
	enum op_host_what	 what;
	char			 name[NI_MAXHOST];
	int			 kind;		/* OP_HOST_OK or an Error kind */
	int			 errnum;
	const char		*msg;		/* static; NULL: from errnum */
	struct sockaddr_storage	 ss;		/* setipaddr()'s address */
	struct hostent		 he;
	struct hostent		*hp;		/* &he once found */
	char			*buf;		/* he's storage */
	size_t			 buflen;
	char			 fqdn[NI_MAXHOST];
	const char		*result;	/* getfqdn: fqdn or in buf */
};

static int	 op_host_fail(struct op_host_job *, int, int, const char *);
static int	 op_host_gai(struct op_host_job *, const char *, int);
static int	 op_host_setipaddr(struct op_host_job *, const char *, int);
static int	 op_host_lookup(struct op_host_job *, const char *,
		     const void *, socklen_t, int);
static int	 op_host_byaddr(struct op_host_job *, const char *);
static void	 op_host_fqdn(struct op_host_job *);
static void	 op_host_run(void *);
static void	 op_host_answer(struct session *, Sockbroker__Request *,
		     void *);
static void	 op_host_done(void *);
static void	 op_host_error(struct session *, Sockbroker__Request *,
		     const struct op_host_job *);
static void	 op_host_reply_hostent(struct session *, uint64_t,
		     const struct hostent *);
static void	 op_host_reply_serv(struct session *, uint64_t,
		     const struct servent *);
static enum op_result	op_host_submit(struct session *,
			    Sockbroker__Request *, enum op_host_what,
			    const char *);
static int	 op_host_short(struct session *, const Sockbroker__Request *,
		     const char *, const char *);

static const struct resolver_ops op_host_ops = {
	op_host_run, op_host_answer, op_host_done
};

/* Records an error in a job (worker side); returns -1. */
static int
op_host_fail(struct op_host_job *j, int kind, int errnum, const char *msg)
{
	j->kind = kind;
	j->errnum = errnum;
	j->msg = msg;
	j->hp = NULL;
	return (-1);
}

/*
 * The first address getaddrinfo gives for name in family af into j->ss; a
 * NULL name is the wildcard address, which must be a single one.
 */
static int
op_host_gai(struct op_host_job *j, const char *name, int af)
{
	struct addrinfo	 hints, *res;
	int		 rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = af;
	if (name == NULL) {
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_PASSIVE;
	}
	if ((rc = getaddrinfo(name, name == NULL ? "0" : NULL, &hints,
	    &res)) != 0) {
		if (rc == EAI_SYSTEM)
			return (op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
			    errno, NULL));
		return (op_host_fail(j, SOCKBROKER__ERROR__KIND__GAI, rc,
		    NULL));
	}
	rc = 0;
	if (res->ai_family != AF_INET && res->ai_family != AF_INET6)
		rc = op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
		    EAFNOSUPPORT, "unsupported address family");
	else if (name == NULL && res->ai_next != NULL)
		rc = op_host_fail(j, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "wildcard resolved to multiple address");
	else
		memcpy(&j->ss, res->ai_addr, res->ai_addrlen < sizeof j->ss ?
		    res->ai_addrlen : sizeof j->ss);
	freeaddrinfo(res);
	return (rc);
}

/* CPython's setipaddr(): name to an address of family af (or any). */
static int
op_host_setipaddr(struct op_host_job *j, const char *name, int af)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&j->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&j->ss;

	memset(&j->ss, 0, sizeof j->ss);
	if (*name == '\0')
		return (op_host_gai(j, NULL, af));
	if (strcmp(name, "255.255.255.255") == 0 ||
	    strcmp(name, "<broadcast>") == 0) {
		if (af != AF_INET && af != AF_UNSPEC)
			return (op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
			    EAFNOSUPPORT, "address family mismatched"));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_BROADCAST);
		return (0);
	}
	if ((af == AF_UNSPEC || af == AF_INET) &&
	    inet_pton(AF_INET, name, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return (0);
	}
	memset(&j->ss, 0, sizeof j->ss);
	if ((af == AF_UNSPEC || af == AF_INET6) && strchr(name, '%') == NULL &&
	    inet_pton(AF_INET6, name, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return (0);
	}
	memset(&j->ss, 0, sizeof j->ss);
	return (op_host_gai(j, name, af));
}

/*
 * gethostbyname2_r(name, af) (addr NULL) or gethostbyaddr_r(addr, len, af)
 * into j->he, growing the buffer while it is too small.
 */
static int
op_host_lookup(struct op_host_job *j, const char *name, const void *addr,
    socklen_t len, int af)
{
	char	*nb;
	int	 rc, herr = NETDB_INTERNAL;

	j->buflen = OP_HOST_BUF_MIN / 2;
	do {
		j->buflen *= 2;
		if (j->buflen > OP_HOST_BUF_MAX)
			return (op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
			    ERANGE, "host entry too large"));
		if ((nb = realloc(j->buf, j->buflen)) == NULL)
			return (op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
			    ENOMEM, NULL));
		j->buf = nb;
		j->hp = NULL;
		if (addr == NULL)
			rc = gethostbyname2_r(name, af, &j->he, j->buf,
			    j->buflen, &j->hp, &herr);
		else
			rc = gethostbyaddr_r(addr, len, af, &j->he, j->buf,
			    j->buflen, &j->hp, &herr);
	} while (rc == ERANGE);
	if (j->hp == NULL)
		return (op_host_fail(j, SOCKBROKER__ERROR__KIND__HERROR, herr,
		    NULL));
	if (j->hp->h_addrtype != af)
		return (op_host_fail(j, SOCKBROKER__ERROR__KIND__OS,
		    EAFNOSUPPORT, NULL));
	return (0);
}

/* CPython's gethostbyaddr(name): resolves name, then its address. */
static int
op_host_byaddr(struct op_host_job *j, const char *name)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&j->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&j->ss;

	if (op_host_setipaddr(j, name, AF_UNSPEC) == -1)
		return (-1);
	if (j->ss.ss_family == AF_INET)
		return (op_host_lookup(j, NULL, &sin->sin_addr,
		    sizeof sin->sin_addr, AF_INET));
	return (op_host_lookup(j, NULL, &sin6->sin6_addr,
	    sizeof sin6->sin6_addr, AF_INET6));
}

/* socket.py's getfqdn(name): the result in j->result, never an error. */
static void
op_host_fqdn(struct op_host_job *j)
{
	const char	*start = j->name, *end;
	char		**alias;

	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	memcpy(j->fqdn, start, end - start);
	j->fqdn[end - start] = '\0';
	j->result = j->fqdn;
	if (*j->fqdn == '\0' || strcmp(j->fqdn, "0.0.0.0") == 0 ||
	    strcmp(j->fqdn, "::") == 0) {
		if (gethostname(j->fqdn, sizeof j->fqdn) == -1) {
			op_host_fail(j, SOCKBROKER__ERROR__KIND__OS, errno,
			    NULL);
			return;
		}
		j->fqdn[sizeof j->fqdn - 1] = '\0';
	}
	if (op_host_byaddr(j, j->fqdn) == -1) {
		j->kind = OP_HOST_OK;	/* socket.py: except error: pass */
		return;
	}
	j->result = j->hp->h_name;
	if (strchr(j->hp->h_name, '.') != NULL || j->hp->h_aliases == NULL)
		return;
	for (alias = j->hp->h_aliases; *alias != NULL; alias++) {
		if (strchr(*alias, '.') != NULL) {
			j->result = *alias;
			return;
		}
	}
}

/* Does a job's lookup, in a worker thread. */
static void
op_host_run(void *arg)
{
	struct op_host_job	*j = arg;

	switch (j->what) {
	case OP_HOST_BYNAME:
		op_host_setipaddr(j, j->name, AF_INET);
		break;
	case OP_HOST_BYNAME_EX:
		if (op_host_setipaddr(j, j->name, AF_INET) == 0)
			op_host_lookup(j, j->name, NULL, 0, AF_INET);
		break;
	case OP_HOST_BYADDR:
		op_host_byaddr(j, j->name);
		break;
	case OP_HOST_FQDN:
		op_host_fqdn(j);
		break;
	}
}

/* Sends a finished job's result or error (loop side). */
static void
op_host_answer(struct session *s, Sockbroker__Request *req, void *arg)
{
	struct op_host_job	*j = arg;
	char			 addr[INET_ADDRSTRLEN];

	if (j->kind != OP_HOST_OK) {
		op_host_error(s, req, j);
		return;
	}
	switch (j->what) {
	case OP_HOST_BYNAME:
		inet_ntop(AF_INET, &((struct sockaddr_in *)&j->ss)->sin_addr,
		    addr, sizeof addr);
		reply_name(s, req->id, addr);
		break;
	case OP_HOST_BYNAME_EX:
	case OP_HOST_BYADDR:
		op_host_reply_hostent(s, req->id, j->hp);
		break;
	case OP_HOST_FQDN:
		reply_name(s, req->id, j->result);
		break;
	}
}

/* Frees a job and its host entry storage. */
static void
op_host_done(void *arg)
{
	struct op_host_job	*j = arg;

	free(j->buf);
	free(j);
}

/* Sends a job's error with the text its kind calls for. */
static void
op_host_error(struct session *s, Sockbroker__Request *req,
    const struct op_host_job *j)
{
	const char	*msg = j->msg;

	if (msg == NULL) {
		if (j->kind == SOCKBROKER__ERROR__KIND__HERROR)
			msg = hstrerror(j->errnum);
		else if (j->kind == SOCKBROKER__ERROR__KIND__GAI)
			msg = gai_strerror(j->errnum);
		else
			msg = strerror(j->errnum);
	}
	reply_error(s, req->id, j->kind, j->errnum, "%s", msg);
}

/* Answers with a host entry, its addresses as numeric strings. */
static void
op_host_reply_hostent(struct session *s, uint64_t id, const struct hostent *h)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__HostReply	 hr = SOCKBROKER__HOST_REPLY__INIT;
	char			 *text, **addrs;
	size_t			 i, n = 0;

	if (h->h_aliases != NULL)
		while (h->h_aliases[hr.n_aliases] != NULL)
			hr.n_aliases++;
	while (h->h_addr_list[n] != NULL)
		n++;
	addrs = xcalloc(n + 1, sizeof *addrs);
	text = xcalloc(n + 1, INET6_ADDRSTRLEN);
	for (i = 0; i < n; i++) {
		addrs[i] = text + i * INET6_ADDRSTRLEN;
		inet_ntop(h->h_addrtype, h->h_addr_list[i], addrs[i],
		    INET6_ADDRSTRLEN);
	}
	hr.name = h->h_name;
	hr.aliases = h->h_aliases;
	hr.addresses = addrs;
	hr.n_addresses = n;
	hr.has_family = 1;
	hr.family = h->h_addrtype;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_HOST;
	resp.host = &hr;
	reply_send(s, &resp);
	free(addrs);
	free(text);
}

/* Checks a name and hands its lookup to the resolver threads. */
static enum op_result
op_host_submit(struct session *s, Sockbroker__Request *req,
    enum op_host_what what, const char *name)
{
	struct op_host_job	*j;
	size_t			 len;

	if (name == NULL)
		name = "";
	if ((len = strlen(name)) >= NI_MAXHOST) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "%s: name too long", sbp_op_name(req));
		return (OP_DONE);
	}
	j = xcalloc(1, sizeof *j);
	j->what = what;
	j->kind = OP_HOST_OK;
	memcpy(j->name, name, len + 1);
	return (resolver_submit(s, req, &op_host_ops, j));
}

/* gethostbyname() and, with ex set, gethostbyname_ex(). */
enum op_result
op_gethostbyname(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GethostbynameRequest *g = req->gethostbyname;

	if (g->name == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EINVAL, "gethostbyname: no name");
		return (OP_DONE);
	}
	return (op_host_submit(s, req, g->has_ex && g->ex ?
	    OP_HOST_BYNAME_EX : OP_HOST_BYNAME, g->name));
}

/* gethostbyaddr(). */
enum op_result
op_gethostbyaddr(struct session *s, Sockbroker__Request *req)
{
	if (req->gethostbyaddr->address == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EINVAL, "gethostbyaddr: no address");
		return (OP_DONE);
	}
	return (op_host_submit(s, req, OP_HOST_BYADDR,
	    req->gethostbyaddr->address));
}

/* getfqdn(); an absent name is "". */
enum op_result
op_getfqdn(struct session *s, Sockbroker__Request *req)
{
	return (op_host_submit(s, req, OP_HOST_FQDN, req->getfqdn->name));
}

/* Refuses (answering EINVAL) a service or protocol name that is too long. */
static int
op_host_short(struct session *s, const Sockbroker__Request *req,
    const char *what, const char *str)
{
	if (str == NULL || strlen(str) < OP_HOST_SHORT_MAX)
		return (0);
	reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
	    "%s: %s name too long", sbp_op_name(req), what);
	return (-1);
}

/* Answers with a service entry, its port in host order. */
static void
op_host_reply_serv(struct session *s, uint64_t id, const struct servent *se)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__ServReply	 sr = SOCKBROKER__SERV_REPLY__INIT;

	sr.name = se->s_name;
	sr.aliases = se->s_aliases;
	if (se->s_aliases != NULL)
		while (se->s_aliases[sr.n_aliases] != NULL)
			sr.n_aliases++;
	sr.port = ntohs((uint16_t)se->s_port);
	sr.proto = se->s_proto;
	resp.id = id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_SERV;
	resp.serv = &sr;
	reply_send(s, &resp);
}

/* getservbyname(name, proto): a file lookup, done in the loop. */
enum op_result
op_getservbyname(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetservbynameRequest *g = req->getservbyname;
	struct servent	 se, *sp = NULL;
	char		 buf[OP_HOST_SERV_BUF];
	int		 rc;

	if (g->name == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EINVAL, "getservbyname: no name");
		return (OP_DONE);
	}
	if (op_host_short(s, req, "service", g->name) == -1 ||
	    op_host_short(s, req, "protocol", g->proto) == -1)
		return (OP_DONE);
	rc = getservbyname_r(g->name, g->proto, &se, buf, sizeof buf, &sp);
	if (sp == NULL && rc != 0 && rc != ENOENT)
		reply_errno(s, req->id, rc, "getservbyname");
	else if (sp == NULL)
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOENT,
		    "service/proto not found");
	else
		op_host_reply_serv(s, req->id, sp);
	return (OP_DONE);
}

/* getservbyport(port, proto): a file lookup, done in the loop. */
enum op_result
op_getservbyport(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__GetservbyportRequest *g = req->getservbyport;
	struct servent	 se, *sp = NULL;
	char		 buf[OP_HOST_SERV_BUF];
	int		 rc;

	if (g->port > 0xffff) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, EINVAL,
		    "getservbyport: port must be 0-65535.");
		return (OP_DONE);
	}
	if (op_host_short(s, req, "protocol", g->proto) == -1)
		return (OP_DONE);
	rc = getservbyport_r(htons((uint16_t)g->port), g->proto, &se, buf,
	    sizeof buf, &sp);
	if (sp == NULL && rc != 0 && rc != ENOENT)
		reply_errno(s, req->id, rc, "getservbyport");
	else if (sp == NULL)
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOENT,
		    "port/proto not found");
	else
		op_host_reply_serv(s, req->id, sp);
	return (OP_DONE);
}

/* getprotobyname(name): a file lookup, done in the loop. */
enum op_result
op_getprotobyname(struct session *s, Sockbroker__Request *req)
{
	Sockbroker__Response	 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__IndexReply	 ir = SOCKBROKER__INDEX_REPLY__INIT;
	const char		*name = req->getprotobyname->name;
	struct protoent		 pe, *pp = NULL;
	char			 buf[OP_HOST_SERV_BUF];
	int			 rc;

	if (name == NULL) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__PROTOCOL,
		    EINVAL, "getprotobyname: no name");
		return (OP_DONE);
	}
	if (op_host_short(s, req, "protocol", name) == -1)
		return (OP_DONE);
	rc = getprotobyname_r(name, &pe, buf, sizeof buf, &pp);
	if (pp == NULL && rc != 0 && rc != ENOENT) {
		reply_errno(s, req->id, rc, "getprotobyname");
		return (OP_DONE);
	}
	if (pp == NULL || pp->p_proto < 0) {
		reply_error(s, req->id, SOCKBROKER__ERROR__KIND__OS, ENOENT,
		    "protocol not found");
		return (OP_DONE);
	}
	ir.index = (uint32_t)pp->p_proto;
	resp.id = req->id;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_INDEX;
	resp.index = &ir;
	reply_send(s, &resp);
	return (OP_DONE);
}
