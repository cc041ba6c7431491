/* SPDX-License-Identifier: ISC */
/*
 * sockbroker resolve HOST [PORT]: getaddrinfo through the daemon, one line
 * per result: family, type, protocol, address, port.
 */

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char	*cli_resolve_type(int);
static const char	*cli_resolve_proto(int);
static void		 cli_resolve_print(const struct addrinfo *);

/* The name of a socket type, or NULL. */
static const char *
cli_resolve_type(int type)
{
	switch (type) {
	case SOCK_STREAM:
		return ("SOCK_STREAM");
	case SOCK_DGRAM:
		return ("SOCK_DGRAM");
	case SOCK_RAW:
		return ("SOCK_RAW");
	case SOCK_RDM:
		return ("SOCK_RDM");
	case SOCK_SEQPACKET:
		return ("SOCK_SEQPACKET");
	}
	return (NULL);
}

/* The name of an IP protocol, or NULL. */
static const char *
cli_resolve_proto(int proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return ("IPPROTO_TCP");
	case IPPROTO_UDP:
		return ("IPPROTO_UDP");
	case IPPROTO_SCTP:
		return ("IPPROTO_SCTP");
	case IPPROTO_UDPLITE:
		return ("IPPROTO_UDPLITE");
	case IPPROTO_ICMP:
		return ("IPPROTO_ICMP");
	case IPPROTO_ICMPV6:
		return ("IPPROTO_ICMPV6");
	case IPPROTO_RAW:
		return ("IPPROTO_RAW");
	}
	return (NULL);
}

/* Prints one result on one line. */
static void
cli_resolve_print(const struct addrinfo *ai)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const char			*s;
	char				 host[INET6_ADDRSTRLEN] = "-";
	unsigned int			 port = 0;

	if ((s = cli_info_family(ai->ai_family)) != NULL)
		printf("%s ", s);
	else
		printf("%d ", ai->ai_family);
	if ((s = cli_resolve_type(ai->ai_socktype)) != NULL)
		printf("%s ", s);
	else
		printf("%d ", ai->ai_socktype);
	if ((s = cli_resolve_proto(ai->ai_protocol)) != NULL)
		printf("%s ", s);
	else
		printf("%d ", ai->ai_protocol);

	switch (ai->ai_addr->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)ai->ai_addr;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		port = ntohs(sin->sin_port);
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)ai->ai_addr;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		port = ntohs(sin6->sin6_port);
		break;
	}
	printf("%s %u\n", host, port);
}

/* Resolves HOST [PORT] in the daemon and prints every result. */
int
cli_resolve_exec(const char *path, int argc, char **argv)
{
	struct addrinfo	 hints, *res, *ai;
	const char	*port = NULL;
	sb_conn		*c;
	int		 error;

	if (argc < 2 || argc > 3)
		return (cli_usage(argv[0]));
	if (argc == 3)
		port = argv[2];
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	error = sb_getaddrinfo(c, argv[1], port, &hints, &res);
	if (error != 0) {
		if (error == EAI_SYSTEM)
			cli_warn("resolve %s", argv[1]);
		else
			fprintf(stderr, "sockbroker: resolve %s: %s\n",
			    argv[1], gai_strerror(error));
		sb_close_conn(c);
		return (CLI_EXIT_GAI);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		cli_resolve_print(ai);
	sb_freeaddrinfo(res);
	sb_close_conn(c);
	return (CLI_EXIT_OK);
}
