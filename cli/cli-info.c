/* SPDX-License-Identifier: ISC */
/*
 * sockbroker info: what the daemon said in Hello.
 */

#include <sys/socket.h>

#include <stdio.h>

#include "cli.h"

/* Names of the address families, by value. */
static const struct {
	int		 family;
	const char	*name;
} cli_info_families[] = {
	{ AF_UNIX, "AF_UNIX" },
	{ AF_INET, "AF_INET" },
	{ AF_AX25, "AF_AX25" },
	{ AF_IPX, "AF_IPX" },
	{ AF_APPLETALK, "AF_APPLETALK" },
	{ AF_NETROM, "AF_NETROM" },
	{ AF_BRIDGE, "AF_BRIDGE" },
	{ AF_ATMPVC, "AF_ATMPVC" },
	{ AF_X25, "AF_X25" },
	{ AF_INET6, "AF_INET6" },
	{ AF_ROSE, "AF_ROSE" },
	{ AF_DECnet, "AF_DECnet" },
	{ AF_NETBEUI, "AF_NETBEUI" },
	{ AF_SECURITY, "AF_SECURITY" },
	{ AF_KEY, "AF_KEY" },
	{ AF_NETLINK, "AF_NETLINK" },
	{ AF_PACKET, "AF_PACKET" },
	{ AF_ASH, "AF_ASH" },
	{ AF_ECONET, "AF_ECONET" },
	{ AF_ATMSVC, "AF_ATMSVC" },
	{ AF_RDS, "AF_RDS" },
	{ AF_SNA, "AF_SNA" },
	{ AF_IRDA, "AF_IRDA" },
	{ AF_PPPOX, "AF_PPPOX" },
	{ AF_WANPIPE, "AF_WANPIPE" },
	{ AF_LLC, "AF_LLC" },
	{ AF_IB, "AF_IB" },
	{ AF_MPLS, "AF_MPLS" },
	{ AF_CAN, "AF_CAN" },
	{ AF_TIPC, "AF_TIPC" },
	{ AF_BLUETOOTH, "AF_BLUETOOTH" },
	{ AF_IUCV, "AF_IUCV" },
	{ AF_RXRPC, "AF_RXRPC" },
	{ AF_ISDN, "AF_ISDN" },
	{ AF_PHONET, "AF_PHONET" },
	{ AF_IEEE802154, "AF_IEEE802154" },
	{ AF_CAIF, "AF_CAIF" },
	{ AF_ALG, "AF_ALG" },
	{ AF_NFC, "AF_NFC" },
	{ AF_VSOCK, "AF_VSOCK" },
	{ AF_KCM, "AF_KCM" },
	{ AF_QIPCRTR, "AF_QIPCRTR" },
	{ AF_SMC, "AF_SMC" },
	{ AF_XDP, "AF_XDP" },
#ifdef AF_MCTP
	{ AF_MCTP, "AF_MCTP" },
#endif
};

/* The name of an address family ("AF_INET"), or NULL if unknown. */
const char *
cli_info_family(int family)
{
	size_t	 i;

	for (i = 0; i < sizeof cli_info_families /
	    sizeof cli_info_families[0]; i++) {
		if (cli_info_families[i].family == family)
			return (cli_info_families[i].name);
	}
	return (NULL);
}

/* Prints the daemon's Hello. */
int
cli_info_exec(const char *path, int argc, char **argv)
{
	const struct sb_info	*info;
	const char		*name;
	sb_conn			*c;
	size_t			 i;

	if (argc != 1)
		return (cli_usage(argv[0]));
	if ((c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	info = sb_info(c);
	printf("protocol version: %u\n", info->version);
	printf("max frame: %u\n", info->max_frame);
	printf("max handles: %u\n", info->max_handles);
	printf("max data: %u\n", info->max_data);
	printf("fd passing: %s\n", info->fd_passing ? "yes" : "no");
	printf("families:");
	for (i = 0; i < info->nfamilies; i++) {
		if ((name = cli_info_family(info->families[i])) != NULL)
			printf(" %s", name);
		else
			printf(" %d", info->families[i]);
	}
	printf("\n");
	sb_close_conn(c);
	return (CLI_EXIT_OK);
}
