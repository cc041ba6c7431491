/* SPDX-License-Identifier: ISC */
/*
 * The datagram sender of the benchmarks, shared by bench.c's traffic child
 * and the bench_blast program (the sender of bench_python.py): nothing but
 * libc, so a program without Check links it too.
 */

#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <sched.h>
#include <string.h>

#include "bench.h"

/* Fills vec with BENCH_BATCH messages of size bytes each at buf. */
void
bench_vec(struct mmsghdr *vec, struct iovec *iov, char *buf, size_t size,
    int same)
{
	int	i;

	memset(vec, 0, sizeof *vec * BENCH_BATCH);
	for (i = 0; i < BENCH_BATCH; i++) {
		iov[i].iov_base = same ? buf : buf + i * size;
		iov[i].iov_len = size;
		vec[i].msg_hdr.msg_iov = &iov[i];
		vec[i].msg_hdr.msg_iovlen = 1;
	}
}

/*
 * Sends size-byte datagrams of payload on fd (connected), BENCH_BATCH a
 * sendmmsg, until killed, adding each batch's count to *counter.
 */
void
bench_blast(int fd, const void *payload, size_t size, uint64_t *counter)
{
	struct mmsghdr	 vec[BENCH_BATCH];
	struct iovec	 iov[BENCH_BATCH];
	int		 n;

	bench_vec(vec, iov, (char *)payload, size, 1);
	for (;;) {
		if ((n = sendmmsg(fd, vec, BENCH_BATCH, 0)) > 0)
			__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
		else if (errno == ENOBUFS || errno == EAGAIN)
			sched_yield();
	}
}
