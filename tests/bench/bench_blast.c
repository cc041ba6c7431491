/* SPDX-License-Identifier: ISC */
/*
 * bench_blast PORT SIZE COUNTFILE: the C sender of bench_python.py, so that
 * its rows measure the receiver, not a Python sender. It sends SIZE-byte
 * datagrams to 127.0.0.1:PORT (bench_blast, blast.c) until killed, and
 * keeps their count in the first 8 bytes of COUNTFILE (mapped shared, a
 * native-endian uint64 the caller reads while it runs).
 */

#include <sys/mman.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static uint64_t	*blast_counter(const char *);
static int	 blast_socket(const char *);

/* The count in path's first 8 bytes, mapped shared (the file made so). */
static uint64_t *
blast_counter(const char *path)
{
	void	*p;
	int	 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		err(1, "%s", path);
	if (ftruncate(fd, sizeof(uint64_t)) == -1)
		err(1, "%s", path);
	p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED)
		err(1, "mmap %s", path);
	close(fd);
	memset(p, 0, sizeof(uint64_t));
	return (p);
}

/* A UDP socket connected to 127.0.0.1:port. */
static int
blast_socket(const char *port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		err(1, "connect 127.0.0.1:%s", port);
	return (fd);
}

/* Parses PORT SIZE COUNTFILE and sends until killed. */
int
main(int argc, char **argv)
{
	static char	 payload[65536];
	long		 size;

	if (argc != 4)
		errx(2, "usage: bench_blast PORT SIZE COUNTFILE");
	size = atol(argv[2]);
	if (size <= 0 || size > (long)sizeof payload)
		errx(2, "bad SIZE %s", argv[2]);
	memset(payload, 'x', (size_t)size);
	bench_blast(blast_socket(argv[1]), payload, (size_t)size,
	    blast_counter(argv[3]));
	return (0);
}
