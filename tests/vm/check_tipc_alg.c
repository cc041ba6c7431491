/* SPDX-License-Identifier: ISC */
/*
 * AF_ALG and AF_TIPC through the broker, on a real kernel. AF_ALG as
 * Python's socket docs use it: a socket bound to ("hash", "sha256"), its
 * key set with ALG_SET_KEY, an operation socket from accept(), data in and
 * the digest out, each checked against a published known answer (FIPS
 * 180-2, RFC 4231, NIST SP 800-38A, the GCM spec); the key never reaches
 * the daemon's logs. AF_TIPC on the guest's own node: a datagram to a
 * service name arrives with the sender's port identity, and stream and
 * seqpacket connections by service name carry data both ways. And the
 * option registry walked over the families the host's kernel lacks (CAN,
 * TIPC, ALG): every privileged option any socket takes, and each of these
 * families' own, refused without a naming rule and set with one.
 */

#include <sys/socket.h>

#include <linux/if_alg.h>
#include <linux/tipc.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "optwalk.h"
#include "vm.h"

#ifndef SOL_ALG
#define SOL_ALG		279
#endif

#define TIPC_TEST_TYPE	18888	/* service types under 64 are reserved */
#define TIPC_TEST_INST	17

/* The daemon's max-frame for the multi-frame test: 1 MB spans 16 frames. */
static const char *const small_frame_args[] = {
	"--max-frame", "65536", NULL,
};
static const char *const audit_args[] = {
	"--audit-file", "{dir}/audit.log", NULL,
};

static void
small_frame_setup(void)
{
	fixture_set_args(small_frame_args);
}

static void
audit_setup(void)
{
	fixture_set_args(audit_args);
}

static void
args_teardown(void)
{
	fixture_set_args(NULL);
}

/*
 * Walks the registry over CAN, TIPC and ALG, which this kernel has: each
 * privileged option any socket takes is proved on all three, and each of
 * their own on its socket.
 */
static void
walk_vm_families(int grant)
{
	static const int	 fams[] = { AF_CAN, AF_TIPC, AF_ALG };
	const struct kernel_opt	*o;
	const struct sb_info	*info;
	sb_conn			*c = fixture_open();
	size_t			 i, j, want = 0, have = 0, proved;

	info = sb_info(c);
	for (i = 0; i < sizeof fams / sizeof fams[0]; i++) {
		for (j = 0; j < info->nfamilies; j++)
			have += info->families[j] == fams[i];
	}
	ck_assert_uint_eq(have, sizeof fams / sizeof fams[0]);
	for (i = 0; (o = kernel_opt_at(i)) != NULL; i++) {
		if (!o->privileged)
			continue;
		if (o->family == AF_UNSPEC)
			want += sizeof fams / sizeof fams[0];
		for (j = 0; j < sizeof fams / sizeof fams[0]; j++)
			want += o->family == fams[j];
	}
	proved = optwalk_run(c, grant, fams, sizeof fams / sizeof fams[0],
	    NULL);
	ck_assert_uint_eq(proved, want);
	fprintf(stderr, "%s: %zu (option, socket) pairs proved on CAN, TIPC "
	    "and ALG\n", grant ? "granted" : "refused", proved);
	sb_close_conn(c);
}

START_TEST(test_privileged_options_refused_on_can_tipc_alg)
{
	walk_vm_families(0);
}
END_TEST

START_TEST(test_privileged_options_set_on_can_tipc_alg)
{
	walk_vm_families(1);
}
END_TEST

/* Decodes hex (an even number of digits) into out; returns its length. */
static size_t
unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t		 n = strlen(hex) / 2, i;
	unsigned int	 b;

	ck_assert_uint_le(n, size);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return (n);
}

/* Fails unless the len bytes at got are the hex string want. */
static void
assert_hex(const uint8_t *got, size_t len, const char *want)
{
	char	 hex[2 * 256 + 1];
	size_t	 i;

	ck_assert_uint_le(len, 256);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", got[i]);
	hex[2 * len] = '\0';
	ck_assert_str_eq(hex, want);
}

/* A broker AF_ALG socket bound to (type, name). */
static int
alg_open(sb_conn *c, const char *type, const char *name)
{
	struct sockaddr_alg	 sa;
	int			 h;

	memset(&sa, 0, sizeof sa);
	sa.salg_family = AF_ALG;
	snprintf((char *)sa.salg_type, sizeof sa.salg_type, "%s", type);
	snprintf((char *)sa.salg_name, sizeof sa.salg_name, "%s", name);
	h = sb_socket(c, AF_ALG, SOCK_SEQPACKET, 0);
	ck_assert_msg(h >= 0, "sb_socket(AF_ALG): %s", strerror(errno));
	ck_assert_msg(sb_bind(c, h, (struct sockaddr *)&sa, sizeof sa) == 0,
	    "sb_bind(%s, %s): %s (%s)", type, name, strerror(errno),
	    sb_lasterror()->message);
	return (h);
}

/*
 * The operation socket of bound AF_ALG handle h, as Python's accept(). It
 * is there at once; the timeout turns a daemon that waits for it instead
 * into a quick failure.
 */
static int
alg_accept(sb_conn *c, int h)
{
	int	 op;

	ck_assert_int_eq(sb_settimeout(c, h, 10), 0);
	op = sb_accept(c, h, NULL, NULL);
	ck_assert_msg(op >= 0, "sb_accept(AF_ALG): %s (%s)", strerror(errno),
	    sb_lasterror()->message);
	return (op);
}

static void
alg_setkey(sb_conn *c, int h, const void *key, size_t len)
{
	ck_assert_msg(sb_setsockopt(c, h, SOL_ALG, ALG_SET_KEY, key,
	    (socklen_t)len) == 0, "ALG_SET_KEY (%zu bytes): %s (%s)", len,
	    strerror(errno), sb_lasterror()->message);
}

/* The digest of len bytes on operation handle op: its length. */
static ssize_t
alg_digest(sb_conn *c, int op, uint8_t *out, size_t len)
{
	ssize_t	 n;

	n = sb_recv(c, op, out, len, 0);
	ck_assert_msg(n >= 0, "sb_recv(AF_ALG): %s (%s)", strerror(errno),
	    sb_lasterror()->message);
	return (n);
}

/* sha256("abc"), FIPS 180-2 appendix B.1. */
START_TEST(test_alg_sha256_known_digest)
{
	sb_conn	*c = fixture_open();
	uint8_t	 d[32];
	int	 h, op;

	h = alg_open(c, "hash", "sha256");
	op = alg_accept(c, h);
	ck_assert_int_eq(sb_sendall(c, op, "abc", 3, 0), 0);
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 32, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	/* The operation socket starts over: a second message, a new digest. */
	ck_assert_int_eq(sb_send(c, op, "abc", 3, 0), 3);
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 4, "ba7816bf");
	sb_close_conn(c);
}
END_TEST

/* hmac(sha256) keyed with ALG_SET_KEY: RFC 4231 test case 2. */
START_TEST(test_alg_hmac_sha256_rfc4231)
{
	static const char	 msg[] = "what do ya want for nothing?";
	sb_conn			*c = fixture_open();
	uint8_t			 d[32];
	int			 h, op;

	h = alg_open(c, "hash", "hmac(sha256)");
	alg_setkey(c, h, "Jefe", 4);
	op = alg_accept(c, h);
	ck_assert_int_eq(sb_sendall(c, op, msg, sizeof msg - 1, 0), 0);
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 32, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	sb_close_conn(c);
}
END_TEST

/* A longer key (RFC 4231 test case 6: 131 bytes of 0xaa) as raw bytes. */
START_TEST(test_alg_hmac_long_key_rfc4231)
{
	static const char	 msg[] =
	    "Test Using Larger Than Block-Size Key - Hash Key First";
	sb_conn			*c = fixture_open();
	uint8_t			 key[131], d[32];
	int			 h, op;

	memset(key, 0xaa, sizeof key);
	h = alg_open(c, "hash", "hmac(sha256)");
	alg_setkey(c, h, key, sizeof key);
	op = alg_accept(c, h);
	ck_assert_int_eq(sb_sendall(c, op, msg, sizeof msg - 1, 0), 0);
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 32, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
	sb_close_conn(c);
}
END_TEST

/* One message in four sends, MSG_MORE on all but the last (FIPS 180-2 B.2). */
START_TEST(test_alg_msg_more_is_one_message)
{
	static const char	*part[] = { "abcdbcdecdefdefgefgh",
				    "fghighijhijkijkl", "jklmklmnlmnomnop",
				    "nopq" };
	sb_conn			*c = fixture_open();
	uint8_t			 d[32];
	size_t			 i, len;
	int			 h, op;

	h = alg_open(c, "hash", "sha256");
	op = alg_accept(c, h);
	for (i = 0; i < 4; i++) {
		len = strlen(part[i]);
		ck_assert_int_eq(sb_send(c, op, part[i], len, i < 3 ?
		    MSG_MORE : 0), (ssize_t)len);
	}
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 32, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
	sb_close_conn(c);
}
END_TEST

/*
 * sha256 of a million 'a' (FIPS 180-2 B.3) with one sb_sendall, which the
 * library cuts into frames of the daemon's max_data (64 KB here): the
 * kernel must still see one message, as a local sendall makes it.
 */
START_TEST(test_alg_sendall_over_many_frames_is_one_message)
{
	sb_conn	*c = fixture_open();
	uint8_t	 d[32];
	char	*buf;
	int	 h, op;

	ck_assert_uint_lt(sb_info(c)->max_data, 1000000 / 4);
	ck_assert_ptr_nonnull(buf = malloc(1000000));
	memset(buf, 'a', 1000000);
	h = alg_open(c, "hash", "sha256");
	op = alg_accept(c, h);
	ck_assert_int_eq(sb_sendall(c, op, buf, 1000000, 0), 0);
	ck_assert_int_eq(alg_digest(c, op, d, sizeof d), 32);
	assert_hex(d, 32, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(buf);
	sb_close_conn(c);
}
END_TEST

/*
 * One skcipher request through sb_sendmsg: the operation and the IV as
 * ancillary items (ALG_SET_OP, ALG_SET_IV), the data in two buffers.
 */
static void
alg_cipher(sb_conn *c, int op, int dir, const uint8_t *iv, size_t ivlen,
    const uint8_t *in, size_t len)
{
	union {
		struct cmsghdr	 align;
		uint8_t		 buf[CMSG_SPACE(sizeof(uint32_t)) +
				    CMSG_SPACE(sizeof(struct af_alg_iv) + 16)];
	}			 ctl;
	struct msghdr		 msg;
	struct iovec		 iov[2];
	struct cmsghdr		*cm;
	struct af_alg_iv	*aiv;
	uint32_t		 how = dir;

	ck_assert_uint_le(ivlen, 16);
	memset(&ctl, 0, sizeof ctl);
	memset(&msg, 0, sizeof msg);
	iov[0].iov_base = (void *)in;
	iov[0].iov_len = len / 2;
	iov[1].iov_base = (void *)(in + len / 2);
	iov[1].iov_len = len - len / 2;
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof how) +
	    CMSG_SPACE(sizeof *aiv + ivlen);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_OP;
	cm->cmsg_len = CMSG_LEN(sizeof how);
	memcpy(CMSG_DATA(cm), &how, sizeof how);
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_ALG;
	cm->cmsg_type = ALG_SET_IV;
	cm->cmsg_len = CMSG_LEN(sizeof *aiv + ivlen);
	aiv = (struct af_alg_iv *)CMSG_DATA(cm);
	aiv->ivlen = (uint32_t)ivlen;
	memcpy(aiv->iv, iv, ivlen);
	ck_assert_msg(sb_sendmsg(c, op, &msg, 0) == (ssize_t)len,
	    "sb_sendmsg(AF_ALG): %s (%s)", strerror(errno),
	    sb_lasterror()->message);
}

/* cbc(aes) with AES-128, NIST SP 800-38A F.2.1 and F.2.2, both ways. */
START_TEST(test_alg_cbc_aes_sp800_38a)
{
	static const char	*ct_hex = "7649abac8119b246cee98e9b12e9197d"
				    "5086cb9b507219ee95db113a917678b2";
	sb_conn			*c = fixture_open();
	uint8_t			 key[16], iv[16], pt[32], ct[32], out[32];
	int			 h, op;

	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, sizeof key);
	unhex("000102030405060708090a0b0c0d0e0f", iv, sizeof iv);
	unhex("6bc1bee22e409f96e93d7e117393172a"
	    "ae2d8a571e03ac9c9eb76fac45af8e51", pt, sizeof pt);
	unhex(ct_hex, ct, sizeof ct);
	h = alg_open(c, "skcipher", "cbc(aes)");
	alg_setkey(c, h, key, sizeof key);
	op = alg_accept(c, h);

	alg_cipher(c, op, ALG_OP_ENCRYPT, iv, sizeof iv, pt, sizeof pt);
	ck_assert_int_eq(sb_recv(c, op, out, sizeof out, 0), 32);
	assert_hex(out, 32, ct_hex);

	alg_cipher(c, op, ALG_OP_DECRYPT, iv, sizeof iv, ct, sizeof ct);
	ck_assert_int_eq(sb_recv(c, op, out, sizeof out, 0), 32);
	ck_assert_mem_eq(out, pt, sizeof pt);
	sb_close_conn(c);
}
END_TEST

/*
 * gcm(aes), the tag length set with a NULL value of that length (Python's
 * setsockopt(SOL_ALG, ALG_SET_AEAD_AUTHSIZE, None, 16)): test case 2 of
 * the GCM specification (McGrew and Viega), a zero key, IV and block.
 */
START_TEST(test_alg_gcm_aes_authsize_null_value)
{
	sb_conn	*c = fixture_open();
	uint8_t	 key[16], iv[12], pt[16], out[32];
	int	 h, op;

	memset(key, 0, sizeof key);
	memset(iv, 0, sizeof iv);
	memset(pt, 0, sizeof pt);
	h = alg_open(c, "aead", "gcm(aes)");
	alg_setkey(c, h, key, sizeof key);
	ck_assert_msg(sb_setsockopt(c, h, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL,
	    16) == 0, "ALG_SET_AEAD_AUTHSIZE: %s (%s)", strerror(errno),
	    sb_lasterror()->message);
	op = alg_accept(c, h);
	alg_cipher(c, op, ALG_OP_ENCRYPT, iv, sizeof iv, pt, sizeof pt);
	/* Out come the ciphertext and the tag (no associated data). */
	ck_assert_int_eq(sb_recv(c, op, out, sizeof out, 0), 32);
	assert_hex(out, 32, "0388dace60b6a392f328c2b971b2fe78"
	    "ab6e47d42cec13bdf53a67b21257bddf");
	sb_close_conn(c);
}
END_TEST

/* An algorithm the kernel does not have: ENOENT from bind, said so. */
START_TEST(test_alg_unknown_algorithm_is_enoent)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_alg	 sa;
	int			 h;

	memset(&sa, 0, sizeof sa);
	sa.salg_family = AF_ALG;
	strcpy((char *)sa.salg_type, "hash");
	strcpy((char *)sa.salg_name, "no-such-hash");
	h = sb_socket(c, AF_ALG, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&sa, sizeof sa), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_lasterror()->kind, SB_ERR_OS);
	ck_assert_msg(strstr(sb_lasterror()->message, "bind") != NULL,
	    "message \"%s\" does not name bind", sb_lasterror()->message);
	/* A type the kernel has no module for: ENOENT too. */
	strcpy((char *)sa.salg_type, "no-such-type");
	strcpy((char *)sa.salg_name, "sha256");
	ck_assert_int_eq(sb_bind(c, h, (struct sockaddr *)&sa, sizeof sa), -1);
	ck_assert_int_eq(errno, ENOENT);
	sb_close_conn(c);
}
END_TEST

/* A key over 1024 bytes is refused by the daemon, saying why. */
START_TEST(test_alg_key_too_long_is_einval)
{
	sb_conn	*c = fixture_open();
	uint8_t	 key[1025];
	int	 h;

	memset(key, 0x5a, sizeof key);
	h = alg_open(c, "hash", "hmac(sha256)");
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_KEY, key,
	    sizeof key), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(sb_lasterror()->message, "1025 bytes") != NULL,
	    "message: %s", sb_lasterror()->message);
	alg_setkey(c, h, key, 1024);
	sb_close_conn(c);
}
END_TEST

/* How many times needle occurs in file (of the fixture's directory). */
static int
file_count(const char *file, const char *needle)
{
	char	 path[PATH_MAX], *buf, *p;
	FILE	*f;
	size_t	 n;
	int	 count = 0;

	snprintf(path, sizeof path, "%s/%s", fixture_dir(), file);
	ck_assert_msg((f = fopen(path, "r")) != NULL, "%s: %s", path,
	    strerror(errno));
	ck_assert_ptr_nonnull(buf = malloc(1 << 20));
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (p = buf; (p = strstr(p, needle)) != NULL; p++)
		count++;
	free(buf);
	return (count);
}

/*
 * ALG_SET_KEY set, refused (too long) and failing in the kernel (a bad AES
 * key length): the key shows in neither the daemon's log (--verbose) nor
 * the audit log, as text or as hex.
 */
START_TEST(test_alg_key_is_not_logged)
{
	static const char	 key[] = "sockbroker-secret-key-420";
	sb_conn			*c = fixture_open();
	char			 big[1100], hex[2 * 8 + 1];
	int			 h, s, i;

	h = alg_open(c, "hash", "hmac(sha256)");
	alg_setkey(c, h, key, sizeof key - 1);
	memset(big, 0, sizeof big);
	for (i = 0; i + (int)sizeof key < (int)sizeof big; i += sizeof key - 1)
		memcpy(big + i, key, sizeof key - 1);
	ck_assert_int_eq(sb_setsockopt(c, h, SOL_ALG, ALG_SET_KEY, big,
	    sizeof big), -1);
	s = alg_open(c, "skcipher", "cbc(aes)");
	ck_assert_int_eq(sb_setsockopt(c, s, SOL_ALG, ALG_SET_KEY, key,
	    sizeof key - 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	sb_close_conn(c);

	/* The logs are the ones the daemon writes: setsockopt is in them. */
	ck_assert_int_ge(file_count("daemon.log", "setsockopt"), 3);
	ck_assert_int_ge(file_count("audit.log", "family=alg"), 1);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)key[i]);
	ck_assert_int_eq(file_count("daemon.log", "secret-key"), 0);
	ck_assert_int_eq(file_count("audit.log", "secret-key"), 0);
	ck_assert_int_eq(file_count("daemon.log", hex), 0);
	ck_assert_int_eq(file_count("audit.log", hex), 0);
}
END_TEST

/* A TIPC address: a service range, a service name or a port identity. */
static socklen_t
tipc_sa(struct sockaddr_tipc *a, int addrtype, uint32_t v1, uint32_t v2,
    uint32_t v3)
{
	memset(a, 0, sizeof *a);
	a->family = AF_TIPC;
	a->addrtype = (unsigned char)addrtype;
	a->scope = TIPC_CLUSTER_SCOPE;
	switch (addrtype) {
	case TIPC_ADDR_NAMESEQ:
		a->addr.nameseq.type = v1;
		a->addr.nameseq.lower = v2;
		a->addr.nameseq.upper = v3;
		break;
	case TIPC_ADDR_NAME:
		a->addr.name.name.type = v1;
		a->addr.name.name.instance = v2;
		break;
	default:
		a->addr.id.node = v1;
		a->addr.id.ref = v2;
		break;
	}
	return (sizeof *a);
}

/* A broker TIPC socket of type, bound to addr unless it is NULL. */
static int
tipc_open(sb_conn *c, int type, const struct sockaddr_tipc *addr)
{
	int	 h;

	h = sb_socket(c, AF_TIPC, type, 0);
	ck_assert_msg(h >= 0, "sb_socket(AF_TIPC, %d): %s (%s)", type,
	    strerror(errno), sb_lasterror()->message);
	if (addr != NULL)
		ck_assert_msg(sb_bind(c, h, (const struct sockaddr *)addr,
		    sizeof *addr) == 0, "sb_bind(AF_TIPC): %s (%s)",
		    strerror(errno), sb_lasterror()->message);
	return (h);
}

/* The port identity of handle h (getsockname, or getpeername if peer). */
static struct tipc_portid
tipc_port(sb_conn *c, int h, int peer)
{
	struct sockaddr_tipc	 a;
	socklen_t		 len = sizeof a;

	memset(&a, 0, sizeof a);
	ck_assert_int_eq(peer ? sb_getpeername(c, h, (struct sockaddr *)&a,
	    &len) : sb_getsockname(c, h, (struct sockaddr *)&a, &len), 0);
	ck_assert_int_eq(len, sizeof a);
	ck_assert_int_eq(a.family, AF_TIPC);
	ck_assert_int_eq(a.addrtype, TIPC_ADDR_ID);
	ck_assert_uint_ne(a.addr.id.ref, 0);
	return (a.addr.id);
}

static void
assert_same_port(struct tipc_portid a, struct tipc_portid b)
{
	ck_assert_uint_eq(a.node, b.node);
	ck_assert_uint_eq(a.ref, b.ref);
}

/*
 * SOCK_RDM: one socket bound to a service range, another sending to the
 * service name; the datagram arrives with the sender's port identity, and
 * a reply to that identity gets back.
 */
START_TEST(test_tipc_rdm_by_service_name)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_tipc	 srv, to, from;
	socklen_t		 len, flen = sizeof from;
	char			 buf[64];
	int			 r, s;

	tipc_sa(&srv, TIPC_ADDR_NAMESEQ, TIPC_TEST_TYPE, TIPC_TEST_INST,
	    TIPC_TEST_INST);
	r = tipc_open(c, SOCK_RDM, &srv);
	s = tipc_open(c, SOCK_RDM, NULL);
	len = tipc_sa(&to, TIPC_ADDR_NAME, TIPC_TEST_TYPE, TIPC_TEST_INST, 0);
	ck_assert_msg(sb_sendto(c, s, "hello tipc", 10, 0,
	    (struct sockaddr *)&to, len) == 10, "sb_sendto(TIPC_ADDR_NAME): "
	    "%s (%s)", strerror(errno), sb_lasterror()->message);

	memset(&from, 0, sizeof from);
	ck_assert_int_eq(sb_recvfrom(c, r, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &flen), 10);
	ck_assert_mem_eq(buf, "hello tipc", 10);
	ck_assert_int_eq(flen, sizeof from);
	ck_assert_int_eq(from.family, AF_TIPC);
	ck_assert_int_eq(from.addrtype, TIPC_ADDR_ID);
	assert_same_port(from.addr.id, tipc_port(c, s, 0));

	/* Back to the port identity recvfrom gave. */
	ck_assert_int_eq(sb_sendto(c, r, "reply", 5, 0,
	    (struct sockaddr *)&from, flen), 5);
	flen = sizeof from;
	ck_assert_int_eq(sb_recvfrom(c, s, buf, sizeof buf, 0,
	    (struct sockaddr *)&from, &flen), 5);
	ck_assert_mem_eq(buf, "reply", 5);
	assert_same_port(from.addr.id, tipc_port(c, r, 0));
	sb_close_conn(c);
}
END_TEST

/*
 * A service range binds every instance in it: instances 10-20 reach the
 * socket bound to them, and an instance outside reaches nobody.
 */
START_TEST(test_tipc_rdm_service_range)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_tipc	 srv, to;
	socklen_t		 len;
	char			 buf[16];
	int			 r, s;

	tipc_sa(&srv, TIPC_ADDR_NAMESEQ, TIPC_TEST_TYPE + 1, 10, 20);
	r = tipc_open(c, SOCK_RDM, &srv);
	s = tipc_open(c, SOCK_RDM, NULL);
	len = tipc_sa(&to, TIPC_ADDR_NAME, TIPC_TEST_TYPE + 1, 20, 0);
	ck_assert_int_eq(sb_sendto(c, s, "20", 2, 0, (struct sockaddr *)&to,
	    len), 2);
	ck_assert_int_eq(sb_recv(c, r, buf, sizeof buf, 0), 2);
	ck_assert_mem_eq(buf, "20", 2);

	len = tipc_sa(&to, TIPC_ADDR_NAME, TIPC_TEST_TYPE + 1, 21, 0);
	ck_assert_int_eq(sb_sendto(c, s, "21", 2, 0, (struct sockaddr *)&to,
	    len), -1);
	ck_assert_msg(errno == EHOSTUNREACH, "sb_sendto to nobody: %s",
	    strerror(errno));
	sb_close_conn(c);
}
END_TEST

/* A connect() in a thread of its own, on the same broker connection. */
struct tipc_connect {
	sb_conn			*c;
	int			 h;
	struct sockaddr_tipc	 to;
	int			 r;
	int			 err;
	char			 msg[256];
};

static void *
tipc_connect_thread(void *arg)
{
	struct tipc_connect	*tc = arg;

	tc->r = sb_connect(tc->c, tc->h, (struct sockaddr *)&tc->to,
	    sizeof tc->to);
	tc->err = errno;
	snprintf(tc->msg, sizeof tc->msg, "%s", sb_lasterror()->message);
	return (NULL);
}

/*
 * A connection of type (SOCK_STREAM or SOCK_SEQPACKET) by service name:
 * accept gives the client's port identity, data goes both ways. Returns
 * the client handle in *cl and the accepted one in *sv. TIPC completes a
 * connect() only when the server accepts, so the connect blocks in a
 * thread while this one accepts (both through the one connection).
 */
static void
tipc_connection(sb_conn *c, int type, uint32_t inst, int *cl, int *sv)
{
	struct sockaddr_tipc	 srv, peer;
	struct tipc_connect	 tc;
	socklen_t		 plen = sizeof peer;
	pthread_t		 t;
	int			 l;

	tipc_sa(&srv, TIPC_ADDR_NAME, TIPC_TEST_TYPE + 2, inst, 0);
	l = tipc_open(c, type, &srv);
	ck_assert_int_eq(sb_listen(c, l, 5), 0);
	*cl = tipc_open(c, type, NULL);
	memset(&tc, 0, sizeof tc);
	tc.c = c;
	tc.h = *cl;
	tipc_sa(&tc.to, TIPC_ADDR_NAME, TIPC_TEST_TYPE + 2, inst, 0);
	ck_assert_int_eq(pthread_create(&t, NULL, tipc_connect_thread, &tc), 0);
	memset(&peer, 0, sizeof peer);
	*sv = sb_accept(c, l, (struct sockaddr *)&peer, &plen);
	ck_assert_msg(*sv >= 0, "sb_accept(AF_TIPC): %s", strerror(errno));
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_msg(tc.r == 0, "sb_connect(AF_TIPC): %s (%s)",
	    strerror(tc.err), tc.msg);
	ck_assert_int_eq(plen, sizeof peer);
	ck_assert_int_eq(peer.addrtype, TIPC_ADDR_ID);
	assert_same_port(peer.addr.id, tipc_port(c, *cl, 0));
	assert_same_port(tipc_port(c, *cl, 1), tipc_port(c, *sv, 0));
}

START_TEST(test_tipc_stream_connect_accept)
{
	sb_conn	*c = fixture_open();
	char	 buf[64];
	int	 cl, sv;

	tipc_connection(c, SOCK_STREAM, 1, &cl, &sv);
	ck_assert_int_eq(sb_sendall(c, cl, "ping", 4, 0), 0);
	fixture_recv_all(c, sv, buf, 4);
	ck_assert_mem_eq(buf, "ping", 4);
	ck_assert_int_eq(sb_sendall(c, sv, "pong!", 5, 0), 0);
	fixture_recv_all(c, cl, buf, 5);
	ck_assert_mem_eq(buf, "pong!", 5);
	/* The client's shutdown is the server's end of stream. */
	ck_assert_int_eq(sb_shutdown(c, cl, SHUT_RDWR), 0);
	ck_assert_msg(sb_recv(c, sv, buf, sizeof buf, 0) == 0,
	    "sb_recv after the peer's shutdown: %s (%s)", strerror(errno),
	    sb_lasterror()->message);
	sb_close_conn(c);
}
END_TEST

/* SOCK_SEQPACKET keeps message boundaries. */
START_TEST(test_tipc_seqpacket_keeps_boundaries)
{
	sb_conn	*c = fixture_open();
	char	 buf[64];
	int	 cl, sv;

	tipc_connection(c, SOCK_SEQPACKET, 2, &cl, &sv);
	ck_assert_int_eq(sb_send(c, cl, "one", 3, 0), 3);
	ck_assert_int_eq(sb_send(c, cl, "three", 5, 0), 5);
	ck_assert_int_eq(sb_recv(c, sv, buf, sizeof buf, 0), 3);
	ck_assert_mem_eq(buf, "one", 3);
	ck_assert_int_eq(sb_recv(c, sv, buf, sizeof buf, 0), 5);
	ck_assert_mem_eq(buf, "three", 5);
	ck_assert_int_eq(sb_send(c, sv, "back", 4, 0), 4);
	ck_assert_int_eq(sb_recv(c, cl, buf, sizeof buf, 0), 4);
	ck_assert_mem_eq(buf, "back", 4);
	/* A close without shutdown aborts the connection, as TIPC does. */
	ck_assert_int_eq(sb_close(c, sv), 0);
	ck_assert_int_eq(sb_recv(c, cl, buf, sizeof buf, 0), -1);
	ck_assert_msg(errno == ECONNRESET, "sb_recv after the peer's close: "
	    "%s", strerror(errno));
	sb_close_conn(c);
}
END_TEST

/* Nobody bound to the name: the connection is refused, said so. */
START_TEST(test_tipc_connect_to_nobody_fails)
{
	sb_conn			*c = fixture_open();
	struct sockaddr_tipc	 to;
	socklen_t		 len;
	int			 h;

	h = tipc_open(c, SOCK_STREAM, NULL);
	len = tipc_sa(&to, TIPC_ADDR_NAME, TIPC_TEST_TYPE + 3, 1, 0);
	ck_assert_int_eq(sb_connect(c, h, (struct sockaddr *)&to, len), -1);
	ck_assert_msg(errno == EHOSTUNREACH || errno == ECONNREFUSED,
	    "sb_connect to nobody: %s", strerror(errno));
	ck_assert_msg(strstr(sb_lasterror()->message, "connect") != NULL,
	    "message: %s", sb_lasterror()->message);
	sb_close_conn(c);
}
END_TEST

Suite *
vm_suite(void)
{
	Suite	*s = suite_create("check_tipc_alg");
	TCase	*tc;

	tc = fixture_tcase("alg");
	tcase_add_test(tc, test_alg_sha256_known_digest);
	tcase_add_test(tc, test_alg_hmac_sha256_rfc4231);
	tcase_add_test(tc, test_alg_hmac_long_key_rfc4231);
	tcase_add_test(tc, test_alg_msg_more_is_one_message);
	tcase_add_test(tc, test_alg_cbc_aes_sp800_38a);
	tcase_add_test(tc, test_alg_gcm_aes_authsize_null_value);
	tcase_add_test(tc, test_alg_unknown_algorithm_is_enoent);
	tcase_add_test(tc, test_alg_key_too_long_is_einval);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("alg-frames");
	tcase_add_unchecked_fixture(tc, small_frame_setup, args_teardown);
	tcase_add_test(tc, test_alg_sendall_over_many_frames_is_one_message);
	suite_add_tcase(s, tc);

	tc = fixture_tcase("alg-logs");
	tcase_add_unchecked_fixture(tc, audit_setup, args_teardown);
	tcase_add_test(tc, test_alg_key_is_not_logged);
	suite_add_tcase(s, tc);

	optwalk_tcases(s, test_privileged_options_refused_on_can_tipc_alg,
	    test_privileged_options_set_on_can_tipc_alg);

	tc = fixture_tcase("tipc");
	tcase_add_test(tc, test_tipc_rdm_by_service_name);
	tcase_add_test(tc, test_tipc_rdm_service_range);
	tcase_add_test(tc, test_tipc_stream_connect_accept);
	tcase_add_test(tc, test_tipc_seqpacket_keeps_boundaries);
	tcase_add_test(tc, test_tipc_connect_to_nobody_fails);
	suite_add_tcase(s, tc);
	return (s);
}
