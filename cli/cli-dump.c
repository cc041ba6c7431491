/* SPDX-License-Identifier: ISC */
/*
 * sockbroker dump [-pU] [-i IFACE] [-c COUNT] [-w FILE]: captures through an
 * AF_PACKET SOCK_RAW socket (ETH_P_ALL) the daemon owns, bound to IFACE or,
 * without -i, on every interface. -p puts IFACE in promiscuous mode
 * (PACKET_ADD_MEMBERSHIP, undone when the socket closes; it needs -i).
 *
 * Without -w, one line per packet as tcpdump -n prints it, with the
 * interface and direction of tcpdump -i any:
 *   12:34:56.123456 lo In  IP 127.0.0.1.5000 > 127.0.0.1.6000: UDP, length 5
 * Ethernet, IPv4, IPv6, ARP, UDP, TCP, ICMP and ICMPv6 are decoded; other
 * frames are "ethertype 0x....".
 *
 * -w FILE (- for standard output) writes a pcap file: version 2.4, snaplen
 * 262144, nanosecond timestamps (magic 0xa1b23c4d; 0xa1b2c3d4 with
 * microseconds if the daemon cannot give SO_TIMESTAMPNS). The link type:
 * with -i on an Ethernet or loopback interface (Linux gives lo an Ethernet
 * header) LINKTYPE_ETHERNET (1) and the frames as they are; otherwise -- on
 * every interface, or on one of another hardware type -- LINKTYPE_LINUX_SLL
 * (113): a 16-byte cooked header from the packet's sockaddr_ll, then the
 * network-layer packet (the Ethernet header is dropped), so that mixed link
 * layers read right.
 *
 * As libpcap does, the outgoing copy of each packet on a loopback interface
 * is skipped: lo shows every packet once. Output is flushed after each
 * packet when it goes to a pipe or with -U. -c COUNT stops after COUNT
 * packets; SIGINT and SIGTERM stop at the next packet or within
 * CLI_DUMP_TICK seconds, leaving a complete file.
 */

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define CLI_DUMP_TICK		0.25	/* longest single wait, seconds */
#define CLI_DUMP_SNAPLEN	262144
#define CLI_DUMP_MAGIC_US	0xa1b2c3d4U
#define CLI_DUMP_MAGIC_NS	0xa1b23c4dU
#define CLI_DUMP_ETHERNET	1	/* LINKTYPE_ETHERNET */
#define CLI_DUMP_SLL		113	/* LINKTYPE_LINUX_SLL */
#define CLI_DUMP_SLL_LEN	16
#define CLI_DUMP_ETH_LEN	14
#define CLI_DUMP_NIFNAMES	32

/* An interface name the daemon told us, by index. */
struct cli_dump_ifname {
	int	 ifindex;
	char	 name[IF_NAMESIZE];
};

/* One capture. */
struct cli_dump {
	sb_conn			*c;
	int			 h;
	const char		*iface;
	int			 ifindex;
	long			 count;		/* 0: until a signal */
	const char		*file;		/* -w */
	int			 promisc;
	int			 unbuffered;	/* -U, or output to a pipe */

	FILE			*out;
	int			 linktype;
	int			 nsec;		/* timestamps in ns */
	uint8_t			*buf;
	size_t			 buflen;
	long			 captured;

	struct cli_dump_ifname	 ifnames[CLI_DUMP_NIFNAMES];
	size_t			 nifnames;
};

/* What one packet is: its bytes and where it came from. */
struct cli_dump_pkt {
	const uint8_t		*data;
	size_t			 caplen;
	size_t			 len;		/* on the wire */
	struct timespec		 ts;
	struct sockaddr_ll	 sll;
};


static int	 cli_dump_options(struct cli_dump *, int, char **);
static int	 cli_dump_open(struct cli_dump *);
static void	 cli_dump_linktype(struct cli_dump *);
static int	 cli_dump_output(struct cli_dump *);
static int	 cli_dump_header(struct cli_dump *);
static int	 cli_dump_recv(struct cli_dump *, struct cli_dump_pkt *);
static void	 cli_dump_stamp(struct msghdr *, struct timespec *);
static int	 cli_dump_write(struct cli_dump *, const struct cli_dump_pkt *);
static int	 cli_dump_has_ether(int);
static const char *cli_dump_ifname(struct cli_dump *, int);
static const char *cli_dump_direction(int);
static void	 cli_dump_print(struct cli_dump *, const struct cli_dump_pkt *);
static void	 cli_dump_net(FILE *, int, const uint8_t *, size_t, size_t);
static void	 cli_dump_arp(FILE *, const uint8_t *, size_t);
static void	 cli_dump_ip4(FILE *, const uint8_t *, size_t);
static void	 cli_dump_ip6(FILE *, const uint8_t *, size_t);
static void	 cli_dump_l4(FILE *, int, const char *, const char *,
		     const uint8_t *, size_t, size_t);
static void	 cli_dump_tcp(FILE *, const char *, const char *,
		     const uint8_t *, size_t, size_t);
static void	 cli_dump_icmp(FILE *, const char *, const char *,
		     const uint8_t *, size_t, size_t);
static void	 cli_dump_unreach(FILE *, const uint8_t *, size_t);
static void	 cli_dump_icmp6(FILE *, const char *, const char *,
		     const uint8_t *, size_t, size_t);
static int	 cli_dump_run(struct cli_dump *);

/* Parses the options; -1 on a usage error (already reported). */
static int
cli_dump_options(struct cli_dump *d, int argc, char **argv)
{
	char	*end;
	int	 ch;

	optind = 0;
	while ((ch = getopt(argc, argv, "+c:i:pUw:")) != -1) {
		switch (ch) {
		case 'c':
			errno = 0;
			d->count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    d->count < 1) {
				fprintf(stderr, "sockbroker dump: bad count: "
				    "%s\n", optarg);
				return (-1);
			}
			break;
		case 'i':
			if (*optarg == '\0' || strlen(optarg) >= IF_NAMESIZE) {
				fprintf(stderr, "sockbroker dump: bad "
				    "interface name: %s\n", optarg);
				return (-1);
			}
			d->iface = optarg;
			break;
		case 'p':
			d->promisc = 1;
			break;
		case 'U':
			d->unbuffered = 1;
			break;
		case 'w':
			d->file = optarg;
			break;
		default:
			return (-1);
		}
	}
	if (optind != argc)
		return (-1);
	if (d->promisc && d->iface == NULL) {
		fprintf(stderr, "sockbroker dump: -p needs -i IFACE\n");
		return (-1);
	}
	return (0);
}

/*
 * Opens the packet socket, binds it to the interface and sets promiscuous
 * mode and timestamps; -1 after a message.
 */
static int
cli_dump_open(struct cli_dump *d)
{
	struct sockaddr_ll	 sll;
	struct packet_mreq	 mr;
	int			 on = 1;

	d->h = sb_socket(d->c, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (d->h == -1) {
		cli_warn("dump: socket");
		return (-1);
	}
	if (d->iface != NULL) {
		if ((d->ifindex = sb_if_nametoindex(d->c, d->iface)) == 0) {
			cli_warn("dump: %s", d->iface);
			return (-1);
		}
		memset(&sll, 0, sizeof sll);
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = d->ifindex;
		if (sb_bind(d->c, d->h, (struct sockaddr *)&sll,
		    sizeof sll) == -1) {
			cli_warn("dump: bind %s", d->iface);
			return (-1);
		}
	}
	if (d->promisc) {
		memset(&mr, 0, sizeof mr);
		mr.mr_ifindex = d->ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (sb_setsockopt(d->c, d->h, SOL_PACKET,
		    PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) == -1) {
			cli_warn("dump: promiscuous mode on %s", d->iface);
			return (-1);
		}
	}
	d->nsec = 1;
	if (sb_setsockopt(d->c, d->h, SOL_SOCKET, SO_TIMESTAMPNS, &on,
	    sizeof on) == -1) {
		d->nsec = 0;
		/* Microseconds will do; without either, the local clock. */
		sb_setsockopt(d->c, d->h, SOL_SOCKET, SO_TIMESTAMP, &on,
		    sizeof on);
	}
	return (0);
}

/* Whether frames of hardware type hatype start with an Ethernet header. */
static int
cli_dump_has_ether(int hatype)
{
	return (hatype == ARPHRD_ETHER || hatype == ARPHRD_LOOPBACK);
}

/* Chooses the pcap link type (see the top of the file). */
static void
cli_dump_linktype(struct cli_dump *d)
{
	struct ifreq	 ifr;

	d->linktype = CLI_DUMP_SLL;
	if (d->iface == NULL)
		return;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, d->iface, sizeof ifr.ifr_name - 1);
	if (sb_ioctl(d->c, d->h, SIOCGIFHWADDR, &ifr) == 0 &&
	    cli_dump_has_ether(ifr.ifr_hwaddr.sa_family))
		d->linktype = CLI_DUMP_ETHERNET;
}

/*
 * Opens the output: standard output or the -w file; flushing after each
 * packet if it is a pipe. -1 after a message.
 */
static int
cli_dump_output(struct cli_dump *d)
{
	struct stat	 st;

	if (d->file == NULL || strcmp(d->file, "-") == 0)
		d->out = stdout;
	else if ((d->out = fopen(d->file, "wb")) == NULL) {
		fprintf(stderr, "sockbroker dump: %s: %s\n", d->file,
		    strerror(errno));
		return (-1);
	}
	if (fstat(fileno(d->out), &st) == 0 && S_ISFIFO(st.st_mode))
		d->unbuffered = 1;
	return (0);
}

/* Writes the pcap file header. */
static int
cli_dump_header(struct cli_dump *d)
{
	struct {
		uint32_t	 magic;
		uint16_t	 major, minor;
		int32_t		 thiszone;
		uint32_t	 sigfigs, snaplen, linktype;
	}		 h;

	memset(&h, 0, sizeof h);
	h.magic = d->nsec ? CLI_DUMP_MAGIC_NS : CLI_DUMP_MAGIC_US;
	h.major = 2;
	h.minor = 4;
	h.snaplen = CLI_DUMP_SNAPLEN;
	h.linktype = d->linktype;
	if (fwrite(&h, sizeof h, 1, d->out) != 1 || fflush(d->out) != 0) {
		fprintf(stderr, "sockbroker dump: %s: %s\n", d->file,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* The receive time from SCM_TIMESTAMPNS / SCM_TIMESTAMP, or the clock's. */
static void
cli_dump_stamp(struct msghdr *msg, struct timespec *ts)
{
	struct cmsghdr	*cm;
	struct timeval	 tv;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_TIMESTAMPNS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof *ts)) {
			memcpy(ts, CMSG_DATA(cm), sizeof *ts);
			return;
		}
		if (cm->cmsg_type == SCM_TIMESTAMP &&
		    cm->cmsg_len >= CMSG_LEN(sizeof tv)) {
			memcpy(&tv, CMSG_DATA(cm), sizeof tv);
			ts->tv_sec = tv.tv_sec;
			ts->tv_nsec = tv.tv_usec * 1000;
			return;
		}
	}
	clock_gettime(CLOCK_REALTIME, ts);
}

/*
 * Waits at most CLI_DUMP_TICK seconds for a packet: 1 with one in pkt, 0
 * when none came, -1 on an error (already reported).
 */
static int
cli_dump_recv(struct cli_dump *d, struct cli_dump_pkt *pkt)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[256];
	}		 cbuf;
	ssize_t		 n;

	memset(&msg, 0, sizeof msg);
	memset(pkt, 0, sizeof *pkt);
	iov.iov_base = d->buf;
	iov.iov_len = d->buflen;
	msg.msg_name = &pkt->sll;
	msg.msg_namelen = sizeof pkt->sll;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	if ((n = sb_recvmsg(d->c, d->h, &msg, MSG_TRUNC)) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (0);
		cli_warn("dump: recvmsg");
		return (-1);
	}
	pkt->data = d->buf;
	pkt->len = (size_t)n;
	pkt->caplen = pkt->len < d->buflen ? pkt->len : d->buflen;
	if (msg.msg_namelen < offsetof(struct sockaddr_ll, sll_addr))
		memset(&pkt->sll, 0, sizeof pkt->sll);
	cli_dump_stamp(&msg, &pkt->ts);
	return (1);
}

/* Appends one packet record to the pcap file. */
static int
cli_dump_write(struct cli_dump *d, const struct cli_dump_pkt *pkt)
{
	struct {
		uint32_t	 sec, frac, caplen, len;
	}		 rec;
	uint8_t		 sll[CLI_DUMP_SLL_LEN];
	const uint8_t	*data = pkt->data;
	size_t		 caplen = pkt->caplen, len = pkt->len, hlen = 0;

	if (d->linktype == CLI_DUMP_SLL) {
		if (cli_dump_has_ether(pkt->sll.sll_hatype) &&
		    caplen >= CLI_DUMP_ETH_LEN) {
			data += CLI_DUMP_ETH_LEN;
			caplen -= CLI_DUMP_ETH_LEN;
			len -= CLI_DUMP_ETH_LEN;
		}
		memset(sll, 0, sizeof sll);
		sll[1] = pkt->sll.sll_pkttype;
		sll[2] = pkt->sll.sll_hatype >> 8;
		sll[3] = pkt->sll.sll_hatype & 0xff;
		sll[5] = pkt->sll.sll_halen > 8 ? 8 : pkt->sll.sll_halen;
		memcpy(sll + 6, pkt->sll.sll_addr, sll[5]);
		memcpy(sll + 14, &pkt->sll.sll_protocol, 2);
		hlen = sizeof sll;
	}
	if (caplen + hlen > CLI_DUMP_SNAPLEN)
		caplen = CLI_DUMP_SNAPLEN - hlen;
	rec.sec = (uint32_t)pkt->ts.tv_sec;
	rec.frac = d->nsec ? (uint32_t)pkt->ts.tv_nsec :
	    (uint32_t)(pkt->ts.tv_nsec / 1000);
	rec.caplen = (uint32_t)(caplen + hlen);
	rec.len = (uint32_t)(len + hlen);
	if (fwrite(&rec, sizeof rec, 1, d->out) != 1 ||
	    (hlen != 0 && fwrite(sll, hlen, 1, d->out) != 1) ||
	    (caplen != 0 && fwrite(data, caplen, 1, d->out) != 1) ||
	    (d->unbuffered && fflush(d->out) != 0)) {
		fprintf(stderr, "sockbroker dump: %s: %s\n", d->file,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* The name of interface ifindex, asked of the daemon once. */
static const char *
cli_dump_ifname(struct cli_dump *d, int ifindex)
{
	struct cli_dump_ifname	*n;
	size_t			 i;

	for (i = 0; i < d->nifnames; i++) {
		if (d->ifnames[i].ifindex == ifindex)
			return (d->ifnames[i].name);
	}
	i = d->nifnames < CLI_DUMP_NIFNAMES ? d->nifnames++ :
	    (size_t)ifindex % CLI_DUMP_NIFNAMES;
	n = &d->ifnames[i];
	n->ifindex = ifindex;
	if (ifindex <= 0 ||
	    sb_if_indextoname(d->c, (unsigned int)ifindex, n->name) == NULL)
		snprintf(n->name, sizeof n->name, "if%d", ifindex);
	return (n->name);
}

/* tcpdump's word for a packet type. */
static const char *
cli_dump_direction(int pkttype)
{
	switch (pkttype) {
	case PACKET_HOST:
		return ("In");
	case PACKET_BROADCAST:
		return ("B");
	case PACKET_MULTICAST:
		return ("M");
	case PACKET_OTHERHOST:
		return ("P");
	case PACKET_OUTGOING:
		return ("Out");
	}
	return ("?");
}

/* Prints one packet on one line. */
static void
cli_dump_print(struct cli_dump *d, const struct cli_dump_pkt *pkt)
{
	const uint8_t	*p = pkt->data;
	struct tm	 tm;
	time_t		 t = pkt->ts.tv_sec;
	size_t		 caplen = pkt->caplen, len = pkt->len;
	char		 hms[16];
	int		 type = ntohs(pkt->sll.sll_protocol);

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(hms, sizeof hms, "%H:%M:%S", &tm) == 0)
		snprintf(hms, sizeof hms, "??:??:??");
	fprintf(d->out, "%s.%06ld %s %-3s ", hms, pkt->ts.tv_nsec / 1000,
	    cli_dump_ifname(d, pkt->sll.sll_ifindex),
	    cli_dump_direction(pkt->sll.sll_pkttype));
	if (cli_dump_has_ether(pkt->sll.sll_hatype)) {
		if (caplen < CLI_DUMP_ETH_LEN) {
			fprintf(d->out, "[|ether]\n");
			return;
		}
		type = cli_get16(p + 12);
		p += CLI_DUMP_ETH_LEN;
		caplen -= CLI_DUMP_ETH_LEN;
		len -= CLI_DUMP_ETH_LEN;
		if ((type == ETH_P_8021Q || type == ETH_P_8021AD) &&
		    caplen >= 4) {
			fprintf(d->out, "vlan %u, p %u, ",
			    cli_get16(p) & 0x0fff, p[0] >> 5);
			type = cli_get16(p + 2);
			p += 4;
			caplen -= 4;
			len -= 4;
		}
	}
	cli_dump_net(d->out, type, p, caplen, len);
	fputc('\n', d->out);
}

/* Prints a network-layer packet of ethertype type. */
static void
cli_dump_net(FILE *f, int type, const uint8_t *p, size_t caplen, size_t len)
{
	switch (type) {
	case ETH_P_IP:
		cli_dump_ip4(f, p, caplen);
		break;
	case ETH_P_IPV6:
		cli_dump_ip6(f, p, caplen);
		break;
	case ETH_P_ARP:
		cli_dump_arp(f, p, caplen);
		break;
	default:
		fprintf(f, "ethertype 0x%04x, length %zu", type, len);
		break;
	}
}

/* Prints an ARP request or reply for IPv4 over Ethernet. */
static void
cli_dump_arp(FILE *f, const uint8_t *p, size_t caplen)
{
	char	 spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];
	int	 op;

	if (caplen < 28 || cli_get16(p + 2) != ETH_P_IP || p[4] != 6 ||
	    p[5] != 4) {
		fprintf(f, "ARP, length %zu", caplen);
		return;
	}
	op = cli_get16(p + 6);
	inet_ntop(AF_INET, p + 14, spa, sizeof spa);
	inet_ntop(AF_INET, p + 24, tpa, sizeof tpa);
	if (op == ARPOP_REQUEST)
		fprintf(f, "ARP, Request who-has %s tell %s, length 28", tpa,
		    spa);
	else if (op == ARPOP_REPLY)
		fprintf(f, "ARP, Reply %s is-at "
		    "%02x:%02x:%02x:%02x:%02x:%02x, length 28", spa, p[8],
		    p[9], p[10], p[11], p[12], p[13]);
	else
		fprintf(f, "ARP, op %d, length 28", op);
}

/* Prints an IPv4 packet. */
static void
cli_dump_ip4(FILE *f, const uint8_t *p, size_t caplen)
{
	char	 src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];
	size_t	 hl, tot;

	if (caplen < 20 || (p[0] >> 4) != 4 || (hl = (p[0] & 0x0f) * 4) < 20 ||
	    caplen < hl) {
		fprintf(f, "IP [|ip]");
		return;
	}
	inet_ntop(AF_INET, p + 12, src, sizeof src);
	inet_ntop(AF_INET, p + 16, dst, sizeof dst);
	tot = cli_get16(p + 2);
	if (tot < hl) {
		fprintf(f, "IP %s > %s: [bad length %zu]", src, dst, tot);
		return;
	}
	fprintf(f, "IP ");
	if ((cli_get16(p + 6) & 0x1fff) != 0) {
		fprintf(f, "%s > %s: ip-proto-%u (frag)", src, dst, p[9]);
		return;
	}
	caplen = caplen < tot ? caplen : tot;
	cli_dump_l4(f, p[9], src, dst, p + hl, caplen - hl, tot - hl);
}

/* Prints an IPv6 packet, past its extension headers. */
static void
cli_dump_ip6(FILE *f, const uint8_t *p, size_t caplen)
{
	char	 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	size_t	 off = 40, len, hl;
	int	 nh;

	if (caplen < 40 || (p[0] >> 4) != 6) {
		fprintf(f, "IP6 [|ip6]");
		return;
	}
	inet_ntop(AF_INET6, p + 8, src, sizeof src);
	inet_ntop(AF_INET6, p + 24, dst, sizeof dst);
	nh = p[6];
	len = cli_get16(p + 4) + off;
	if (caplen > len)
		caplen = len;
	while (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	    nh == IPPROTO_DSTOPTS) {
		if (caplen < off + 8 || (hl = (p[off + 1] + 1) * 8) >
		    caplen - off) {
			fprintf(f, "IP6 %s > %s: [|ip6]", src, dst);
			return;
		}
		nh = p[off];
		off += hl;
	}
	if (len < off) {
		fprintf(f, "IP6 %s > %s: [bad length]", src, dst);
		return;
	}
	fprintf(f, "IP6 ");
	cli_dump_l4(f, nh, src, dst, p + off, caplen - off, len - off);
}

/* Prints the transport part, after "IP " or "IP6 ". */
static void
cli_dump_l4(FILE *f, int proto, const char *src, const char *dst,
    const uint8_t *p, size_t caplen, size_t len)
{
	unsigned int	 ulen;

	switch (proto) {
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (caplen < 8) {
			fprintf(f, "%s > %s: [|udp]", src, dst);
			break;
		}
		ulen = cli_get16(p + 4);
		fprintf(f, "%s.%u > %s.%u: %s, length %u", src,
		    cli_get16(p), dst, cli_get16(p + 2),
		    proto == IPPROTO_UDP ? "UDP" : "UDPLITE",
		    ulen >= 8 ? ulen - 8 : 0);
		break;
	case IPPROTO_TCP:
		cli_dump_tcp(f, src, dst, p, caplen, len);
		break;
	case IPPROTO_ICMP:
		cli_dump_icmp(f, src, dst, p, caplen, len);
		break;
	case IPPROTO_ICMPV6:
		cli_dump_icmp6(f, src, dst, p, caplen, len);
		break;
	default:
		fprintf(f, "%s > %s: ip-proto-%d %zu", src, dst, proto, len);
		break;
	}
}

/* Prints a TCP segment: ports, flags, sequence numbers, window, length. */
static void
cli_dump_tcp(FILE *f, const char *src, const char *dst, const uint8_t *p,
    size_t caplen, size_t len)
{
	static const char	 names[] = "FSRP.UEW";
	char			 flags[9];
	size_t			 hl, dlen, i, n = 0;
	uint32_t		 seq;

	if (caplen < 20 || (hl = (p[12] >> 4) * 4) < 20 || hl > len) {
		fprintf(f, "%s > %s: [|tcp]", src, dst);
		return;
	}
	for (i = 0; i < 8; i++) {
		if (p[13] & (1 << i))
			flags[n++] = names[i];
	}
	flags[n] = '\0';
	dlen = len - hl;
	seq = cli_get32(p + 4);
	fprintf(f, "%s.%u > %s.%u: Flags [%s]", src, cli_get16(p), dst,
	    cli_get16(p + 2), flags);
	if (dlen != 0)
		fprintf(f, ", seq %u:%u", seq, (uint32_t)(seq + dlen));
	else if (p[13] & 0x07)
		fprintf(f, ", seq %u", seq);
	if (p[13] & 0x10)
		fprintf(f, ", ack %u", cli_get32(p + 8));
	fprintf(f, ", win %u, length %zu", cli_get16(p + 14), dlen);
}

/* Prints an ICMP message. */
static void
cli_dump_icmp(FILE *f, const char *src, const char *dst, const uint8_t *p,
    size_t caplen, size_t len)
{
	fprintf(f, "%s > %s: ICMP ", src, dst);
	if (caplen < 8) {
		fprintf(f, "[|icmp]");
		return;
	}
	switch (p[0]) {
	case 0:
	case 8:
		fprintf(f, "echo %s, id %u, seq %u, length %zu",
		    p[0] == 0 ? "reply" : "request", cli_get16(p + 4),
		    cli_get16(p + 6), len);
		return;
	case 3:
		cli_dump_unreach(f, p, caplen);
		break;
	case 11:
		fprintf(f, "time exceeded, code %u", p[1]);
		break;
	default:
		fprintf(f, "type %u, code %u", p[0], p[1]);
		break;
	}
	fprintf(f, ", length %zu", len);
}

/* Prints an ICMP unreachable as tcpdump: what, from the quoted packet. */
static void
cli_dump_unreach(FILE *f, const uint8_t *p, size_t caplen)
{
	const uint8_t	*in = p + 8;
	char		 dst[INET_ADDRSTRLEN];
	size_t		 hl;

	if (caplen < 8 + 20 || (in[0] >> 4) != 4 ||
	    (hl = (in[0] & 0x0f) * 4) < 20 || caplen < 8 + hl + 4) {
		fprintf(f, "destination unreachable, code %u", p[1]);
		return;
	}
	inet_ntop(AF_INET, in + 16, dst, sizeof dst);
	if (p[1] == 0)
		fprintf(f, "net %s unreachable", dst);
	else if (p[1] == 1)
		fprintf(f, "host %s unreachable", dst);
	else if (p[1] == 2)
		fprintf(f, "%s protocol %u unreachable", dst, in[9]);
	else if (p[1] == 3 && (in[9] == IPPROTO_UDP || in[9] == IPPROTO_TCP))
		fprintf(f, "%s %s port %u unreachable", dst,
		    in[9] == IPPROTO_UDP ? "udp" : "tcp",
		    cli_get16(in + hl + 2));
	else
		fprintf(f, "%s unreachable, code %u", dst, p[1]);
}

/* Prints an ICMPv6 message. */
static void
cli_dump_icmp6(FILE *f, const char *src, const char *dst, const uint8_t *p,
    size_t caplen, size_t len)
{
	const char	*what = NULL;

	fprintf(f, "%s > %s: ICMP6, ", src, dst);
	if (caplen < 8) {
		fprintf(f, "[|icmp6]");
		return;
	}
	switch (p[0]) {
	case 128:
	case 129:
		fprintf(f, "echo %s, id %u, seq %u, length %zu",
		    p[0] == 128 ? "request" : "reply", cli_get16(p + 4),
		    cli_get16(p + 6), len);
		return;
	case 1:
		what = "destination unreachable";
		break;
	case 3:
		what = "time exceeded in-transit";
		break;
	case 133:
		what = "router solicitation";
		break;
	case 134:
		what = "router advertisement";
		break;
	case 135:
		what = "neighbor solicitation";
		break;
	case 136:
		what = "neighbor advertisement";
		break;
	}
	if (what != NULL)
		fprintf(f, "%s, length %zu", what, len);
	else
		fprintf(f, "type %u, length %zu", p[0], len);
}

/* Captures until the count, a signal or an error. */
static int
cli_dump_run(struct cli_dump *d)
{
	struct cli_dump_pkt	 pkt;
	int			 r;

	if (sb_settimeout(d->c, d->h, CLI_DUMP_TICK) == -1) {
		cli_warn("dump: settimeout");
		return (-1);
	}
	while (!cli_stopped && (d->count == 0 || d->captured < d->count)) {
		if ((r = cli_dump_recv(d, &pkt)) == -1)
			return (-1);
		if (r == 0)
			continue;
		if (pkt.sll.sll_hatype == ARPHRD_LOOPBACK &&
		    pkt.sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		d->captured++;
		if (d->file != NULL) {
			if (cli_dump_write(d, &pkt) == -1)
				return (-1);
			continue;
		}
		cli_dump_print(d, &pkt);
		if (d->unbuffered)
			fflush(d->out);
	}
	return (0);
}

/* dump [-pU] [-i IFACE] [-c COUNT] [-w FILE] */
int
cli_dump_exec(const char *path, int argc, char **argv)
{
	struct cli_dump		 d;
	int			 r = -1;

	memset(&d, 0, sizeof d);
	d.h = -1;
	if (cli_dump_options(&d, argc, argv) == -1)
		return (cli_usage(argv[0]));
	if ((d.c = cli_open(path)) == NULL)
		return (CLI_EXIT_ERROR);
	d.buflen = sb_info(d.c)->max_data;
	if (d.buflen > CLI_DUMP_SNAPLEN)
		d.buflen = CLI_DUMP_SNAPLEN;
	if ((d.buf = malloc(d.buflen)) == NULL) {
		fprintf(stderr, "sockbroker dump: out of memory\n");
		goto out;
	}
	if (cli_dump_open(&d) == -1)
		goto out;
	cli_dump_linktype(&d);
	if (cli_dump_output(&d) == -1)
		goto out;
	if (d.file != NULL && cli_dump_header(&d) == -1)
		goto out;

	cli_stop_catch(1);
	fprintf(stderr, "listening on %s, link-type %s, snapshot length %d "
	    "bytes\n", d.iface != NULL ? d.iface : "any",
	    d.linktype == CLI_DUMP_ETHERNET ? "EN10MB (Ethernet)" :
	    "LINUX_SLL (Linux cooked v1)", CLI_DUMP_SNAPLEN);
	r = cli_dump_run(&d);
	cli_stop_release();
	fprintf(stderr, "%ld packet%s captured\n", d.captured,
	    d.captured == 1 ? "" : "s");
out:
	if (d.out != NULL && d.out != stdout && fclose(d.out) != 0 && r == 0) {
		fprintf(stderr, "sockbroker dump: %s: %s\n", d.file,
		    strerror(errno));
		r = -1;
	} else if (d.out == stdout && fflush(stdout) != 0)
		r = -1;
	if (d.h != -1)
		sb_close(d.c, d.h);
	sb_close_conn(d.c);
	free(d.buf);
	return (r == -1 ? CLI_EXIT_ERROR : CLI_EXIT_OK);
}
