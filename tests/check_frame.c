/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of proto/frame.c and proto/error.c: framing, unpacking of
 * hostile payloads, and the names used in logs.
 */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbproto.h"
#include "check_main.h"

Suite	*frame_suite(void);

/* Builds a frame header followed by n payload bytes of filler. */
static uint8_t *
frame_make(size_t announced, size_t n)
{
	uint8_t	*buf;

	buf = calloc(1, SBP_FRAME_HEADER + n);
	ck_assert_ptr_nonnull(buf);
	sbp_frame_header(buf, announced);
	memset(buf + SBP_FRAME_HEADER, 'x', n);
	return (buf);
}

START_TEST(test_frame_header_is_big_endian)
{
	uint8_t	hdr[SBP_FRAME_HEADER];

	sbp_frame_header(hdr, 0x01020304);
	ck_assert_uint_eq(hdr[0], 0x01);
	ck_assert_uint_eq(hdr[1], 0x02);
	ck_assert_uint_eq(hdr[2], 0x03);
	ck_assert_uint_eq(hdr[3], 0x04);
}
END_TEST

START_TEST(test_frame_under_four_bytes_is_incomplete)
{
	uint8_t	buf[SBP_FRAME_HEADER] = { 0, 0, 0, 0 };
	size_t	len = 12345, avail;

	for (avail = 0; avail < SBP_FRAME_HEADER; avail++) {
		ck_assert_int_eq(sbp_frame_check(buf, avail, SBP_MAX_FRAME,
		    &len), 0);
	}
	ck_assert_uint_eq(len, 12345);
}
END_TEST

START_TEST(test_frame_under_four_bytes_of_huge_length_is_incomplete)
{
	uint8_t	buf[SBP_FRAME_HEADER] = { 0xff, 0xff, 0xff, 0xff };
	size_t	len, avail;

	for (avail = 0; avail < SBP_FRAME_HEADER; avail++) {
		ck_assert_int_eq(sbp_frame_check(buf, avail, SBP_MAX_FRAME,
		    &len), 0);
	}
}
END_TEST

START_TEST(test_frame_header_only_is_incomplete)
{
	uint8_t	*buf = frame_make(10, 0);
	size_t	 len;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER, SBP_MAX_FRAME,
	    &len), 0);
	free(buf);
}
END_TEST

START_TEST(test_frame_partial_payload_is_incomplete)
{
	uint8_t	*buf = frame_make(10, 9);
	size_t	 len;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER + 9,
	    SBP_MAX_FRAME, &len), 0);
	free(buf);
}
END_TEST

START_TEST(test_frame_whole_payload_is_complete)
{
	uint8_t	*buf = frame_make(10, 10);
	size_t	 len = 0;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER + 10,
	    SBP_MAX_FRAME, &len), 1);
	ck_assert_uint_eq(len, 10);
	free(buf);
}
END_TEST

START_TEST(test_frame_followed_by_more_bytes_is_complete)
{
	uint8_t	*buf = frame_make(10, 25);
	size_t	 len = 0;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER + 25,
	    SBP_MAX_FRAME, &len), 1);
	ck_assert_uint_eq(len, 10);
	free(buf);
}
END_TEST

START_TEST(test_frame_empty_payload_is_complete)
{
	uint8_t	*buf = frame_make(0, 0);
	size_t	 len = 99;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER, SBP_MAX_FRAME,
	    &len), 1);
	ck_assert_uint_eq(len, 0);
	free(buf);
}
END_TEST

START_TEST(test_frame_over_max_is_emsgsize)
{
	uint8_t	*buf = frame_make(SBP_MAX_FRAME + 1, 0);
	size_t	 len;

	/* Refused from the header alone, before any payload is buffered. */
	errno = 0;
	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER, SBP_MAX_FRAME,
	    &len), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	free(buf);
}
END_TEST

START_TEST(test_frame_of_four_gigabytes_is_emsgsize)
{
	uint8_t	buf[SBP_FRAME_HEADER] = { 0xff, 0xff, 0xff, 0xff };
	size_t	len;

	errno = 0;
	ck_assert_int_eq(sbp_frame_check(buf, sizeof buf, SBP_MAX_FRAME, &len),
	    -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(test_frame_at_max_is_accepted)
{
	uint8_t	*buf = frame_make(SBP_MAX_FRAME, SBP_MAX_FRAME);
	size_t	 len = 0;

	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER, SBP_MAX_FRAME,
	    &len), 0);
	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER + SBP_MAX_FRAME,
	    SBP_MAX_FRAME, &len), 1);
	ck_assert_uint_eq(len, SBP_MAX_FRAME);
	free(buf);
}
END_TEST

START_TEST(test_frame_max_is_the_callers)
{
	uint8_t	*buf = frame_make(SBP_MIN_FRAME + 1, 0);
	size_t	 len;

	errno = 0;
	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER, SBP_MIN_FRAME,
	    &len), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(sbp_frame_check(buf, SBP_FRAME_HEADER,
	    SBP_MIN_FRAME + 1, &len), 0);
	free(buf);
}
END_TEST

START_TEST(test_unpack_garbage_is_ebadmsg)
{
	/* Field 1 with wire type 7, which does not exist. */
	static const uint8_t	bad_wire_type[] = { 0x0f, 0x01, 0x02 };
	/* A varint that never ends. */
	static const uint8_t	endless_varint[] = { 0x08, 0xff, 0xff, 0xff };
	/* A length-delimited field announcing more bytes than there are. */
	static const uint8_t	short_field[] = { 0x08, 0x01, 0x12, 0x7f,
				    0x00 };

	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(bad_wire_type,
	    sizeof bad_wire_type));
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(endless_varint,
	    sizeof endless_varint));
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(short_field,
	    sizeof short_field));
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_ptr_null(sbp_response_unpack(bad_wire_type,
	    sizeof bad_wire_type));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(test_unpack_request_without_id_is_ebadmsg)
{
	/* close { handle: 1 }, but no id. */
	static const uint8_t	no_id[] = { 0x72, 0x02, 0x08, 0x01 };

	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(no_id, sizeof no_id));
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(no_id, 0));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(test_unpack_request_with_op_missing_required_is_ebadmsg)
{
	/* id: 1, close {} without its required handle. */
	static const uint8_t	no_handle[] = { 0x08, 0x01, 0x72, 0x00 };

	errno = 0;
	ck_assert_ptr_null(sbp_request_unpack(no_handle, sizeof no_handle));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(test_unpack_response_without_id_is_ebadmsg)
{
	/* empty {}, but no id. */
	static const uint8_t	no_id[] = { 0x2a, 0x00 };

	errno = 0;
	ck_assert_ptr_null(sbp_response_unpack(no_id, sizeof no_id));
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(test_unpack_unknown_op_is_not_set)
{
	/* id: 42, then field 99 (length-delimited, "abc"), unknown here. */
	static const uint8_t	 unknown[] = { 0x08, 0x2a, 0x9a, 0x06, 0x03,
				     'a', 'b', 'c' };
	Sockbroker__Request	*req;

	req = sbp_request_unpack(unknown, sizeof unknown);
	ck_assert_ptr_nonnull(req);
	ck_assert_uint_eq(req->id, 42);
	ck_assert_int_eq(req->op_case, SOCKBROKER__REQUEST__OP__NOT_SET);
	ck_assert_str_eq(sbp_op_name(req), "unknown");
	sockbroker__request__free_unpacked(req, NULL);
}
END_TEST

START_TEST(test_request_round_trips_through_a_frame)
{
	Sockbroker__Request		 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__BindRequest		 bind = SOCKBROKER__BIND_REQUEST__INIT;
	Sockbroker__Address		 addr = SOCKBROKER__ADDRESS__INIT;
	Sockbroker__InetAddress		 in = SOCKBROKER__INET_ADDRESS__INIT;
	Sockbroker__Request		*got;
	uint8_t				*frame;
	size_t				 framelen, len;

	in.host = (char *)"127.0.0.1";
	in.port = 8080;
	addr.addr_case = SOCKBROKER__ADDRESS__ADDR_INET;
	addr.inet = &in;
	bind.handle = 7;
	bind.address = &addr;
	req.id = UINT64_C(0x1122334455667788);
	req.op_case = SOCKBROKER__REQUEST__OP_BIND;
	req.bind = &bind;

	ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MAX_FRAME, &frame,
	    &framelen), 0);
	ck_assert_int_eq(sbp_frame_check(frame, framelen, SBP_MAX_FRAME, &len),
	    1);
	ck_assert_uint_eq(len + SBP_FRAME_HEADER, framelen);
	got = sbp_request_unpack(frame + SBP_FRAME_HEADER, len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->id, UINT64_C(0x1122334455667788));
	ck_assert_int_eq(got->op_case, SOCKBROKER__REQUEST__OP_BIND);
	ck_assert_str_eq(sbp_op_name(got), "bind");
	ck_assert_uint_eq(got->bind->handle, 7);
	ck_assert_int_eq(got->bind->address->addr_case,
	    SOCKBROKER__ADDRESS__ADDR_INET);
	ck_assert_str_eq(got->bind->address->inet->host, "127.0.0.1");
	ck_assert_uint_eq(got->bind->address->inet->port, 8080);
	sockbroker__request__free_unpacked(got, NULL);
	free(frame);
}
END_TEST

START_TEST(test_response_round_trips_through_a_frame)
{
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__Error		 err = SOCKBROKER__ERROR__INIT;
	Sockbroker__Response		*got;
	uint8_t				*frame;
	size_t				 framelen, len;

	err.errnum = ECONNREFUSED;
	err.kind = SOCKBROKER__ERROR__KIND__OS;
	err.message = (char *)"Connection refused";
	resp.id = 3;
	resp.error = &err;

	ck_assert_int_eq(sbp_frame_pack(&resp.base, SBP_MAX_FRAME, &frame,
	    &framelen), 0);
	ck_assert_int_eq(sbp_frame_check(frame, framelen, SBP_MAX_FRAME, &len),
	    1);
	got = sbp_response_unpack(frame + SBP_FRAME_HEADER, len);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->id, 3);
	ck_assert_ptr_nonnull(got->error);
	ck_assert_int_eq(got->error->errnum, ECONNREFUSED);
	ck_assert_int_eq(got->error->kind, SOCKBROKER__ERROR__KIND__OS);
	ck_assert_str_eq(got->error->message, "Connection refused");
	ck_assert_int_eq(got->result_case,
	    SOCKBROKER__RESPONSE__RESULT__NOT_SET);
	sockbroker__response__free_unpacked(got, NULL);
	free(frame);
}
END_TEST

START_TEST(test_response_with_result_round_trips)
{
	Sockbroker__Response		 resp = SOCKBROKER__RESPONSE__INIT;
	Sockbroker__DataReply		 data = SOCKBROKER__DATA_REPLY__INIT;
	Sockbroker__Response		*got;
	uint8_t				*frame, bytes[] = { 0, 1, 2, 0, 255 };
	size_t				 framelen, len;

	data.data.data = bytes;
	data.data.len = sizeof bytes;
	resp.id = 9;
	resp.result_case = SOCKBROKER__RESPONSE__RESULT_DATA;
	resp.data = &data;

	ck_assert_int_eq(sbp_frame_pack(&resp.base, SBP_MAX_FRAME, &frame,
	    &framelen), 0);
	ck_assert_int_eq(sbp_frame_check(frame, framelen, SBP_MAX_FRAME, &len),
	    1);
	got = sbp_response_unpack(frame + SBP_FRAME_HEADER, len);
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_null(got->error);
	ck_assert_int_eq(got->result_case, SOCKBROKER__RESPONSE__RESULT_DATA);
	ck_assert_uint_eq(got->data->data.len, sizeof bytes);
	ck_assert_mem_eq(got->data->data.data, bytes, sizeof bytes);
	sockbroker__response__free_unpacked(got, NULL);
	free(frame);
}
END_TEST

START_TEST(test_pack_over_max_is_emsgsize)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	Sockbroker__SendRequest	 send = SOCKBROKER__SEND_REQUEST__INIT;
	uint8_t			*data, *frame = NULL;
	size_t			 framelen = 0;

	data = calloc(1, SBP_MIN_FRAME);
	ck_assert_ptr_nonnull(data);
	send.handle = 1;
	send.data.data = data;
	send.data.len = SBP_MIN_FRAME;
	req.id = 1;
	req.op_case = SOCKBROKER__REQUEST__OP_SEND;
	req.send = &send;

	errno = 0;
	ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MIN_FRAME, &frame,
	    &framelen), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_ptr_null(frame);
	ck_assert_int_eq(sbp_frame_pack(&req.base, SBP_MIN_FRAME +
	    SBP_FRAME_OVERHEAD, &frame, &framelen), 0);
	ck_assert_uint_eq(framelen, SBP_FRAME_HEADER +
	    protobuf_c_message_get_packed_size(&req.base));
	free(frame);
	free(data);
}
END_TEST

START_TEST(test_pack_exactly_max_is_accepted)
{
	Sockbroker__Request	 req = SOCKBROKER__REQUEST__INIT;
	uint8_t			*frame;
	size_t			 framelen, n;

	req.id = 300;
	n = protobuf_c_message_get_packed_size(&req.base);
	ck_assert_int_eq(sbp_frame_pack(&req.base, n, &frame, &framelen), 0);
	ck_assert_uint_eq(framelen, SBP_FRAME_HEADER + n);
	free(frame);
	errno = 0;
	ck_assert_int_eq(sbp_frame_pack(&req.base, n - 1, &frame, &framelen),
	    -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(test_op_name_names_every_op)
{
	static const struct {
		Sockbroker__Request__OpCase	 op;
		const char			*name;
	} ops[] = {
		{ SOCKBROKER__REQUEST__OP_HELLO, "hello" },
		{ SOCKBROKER__REQUEST__OP_SOCKET, "socket" },
		{ SOCKBROKER__REQUEST__OP_BIND, "bind" },
		{ SOCKBROKER__REQUEST__OP_CONNECT, "connect" },
		{ SOCKBROKER__REQUEST__OP_LISTEN, "listen" },
		{ SOCKBROKER__REQUEST__OP_ACCEPT, "accept" },
		{ SOCKBROKER__REQUEST__OP_SEND, "send" },
		{ SOCKBROKER__REQUEST__OP_RECV, "recv" },
		{ SOCKBROKER__REQUEST__OP_SETSOCKOPT, "setsockopt" },
		{ SOCKBROKER__REQUEST__OP_GETSOCKOPT, "getsockopt" },
		{ SOCKBROKER__REQUEST__OP_SOCKNAME, "sockname" },
		{ SOCKBROKER__REQUEST__OP_SHUTDOWN, "shutdown" },
		{ SOCKBROKER__REQUEST__OP_CLOSE, "close" },
		{ SOCKBROKER__REQUEST__OP_DUP, "dup" },
		{ SOCKBROKER__REQUEST__OP_GETHOSTNAME, "gethostname" },
		{ SOCKBROKER__REQUEST__OP_GETADDRINFO, "getaddrinfo" },
		{ SOCKBROKER__REQUEST__OP_GETNAMEINFO, "getnameinfo" },
		{ SOCKBROKER__REQUEST__OP_IF_NAMEINDEX, "if_nameindex" },
		{ SOCKBROKER__REQUEST__OP_IF_NAMETOINDEX, "if_nametoindex" },
		{ SOCKBROKER__REQUEST__OP_IF_INDEXTONAME, "if_indextoname" },
		{ SOCKBROKER__REQUEST__OP__NOT_SET, "unknown" },
		{ (Sockbroker__Request__OpCase)99, "unknown" },
	};
	Sockbroker__Request	req = SOCKBROKER__REQUEST__INIT;
	size_t			i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		req.op_case = ops[i].op;
		ck_assert_str_eq(sbp_op_name(&req), ops[i].name);
	}
	ck_assert_str_eq(sbp_op_name(NULL), "unknown");
}
END_TEST

START_TEST(test_error_kind_names_every_kind)
{
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__OS),
	    "os");
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__GAI),
	    "gai");
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__HERROR),
	    "herror");
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__TIMEOUT),
	    "timeout");
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__PROTOCOL),
	    "protocol");
	ck_assert_str_eq(sbp_error_kind_name(SOCKBROKER__ERROR__KIND__POLICY),
	    "policy");
	ck_assert_str_eq(sbp_error_kind_name(6), "unknown");
	ck_assert_str_eq(sbp_error_kind_name(-1), "unknown");
}
END_TEST

/* Builds the suite of framing, unpacking and naming tests. */
Suite *
frame_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("frame");

	tc = tcase_create("check");
	tcase_add_test(tc, test_frame_header_is_big_endian);
	tcase_add_test(tc, test_frame_under_four_bytes_is_incomplete);
	tcase_add_test(tc,
	    test_frame_under_four_bytes_of_huge_length_is_incomplete);
	tcase_add_test(tc, test_frame_header_only_is_incomplete);
	tcase_add_test(tc, test_frame_partial_payload_is_incomplete);
	tcase_add_test(tc, test_frame_whole_payload_is_complete);
	tcase_add_test(tc, test_frame_followed_by_more_bytes_is_complete);
	tcase_add_test(tc, test_frame_empty_payload_is_complete);
	tcase_add_test(tc, test_frame_over_max_is_emsgsize);
	tcase_add_test(tc, test_frame_of_four_gigabytes_is_emsgsize);
	tcase_add_test(tc, test_frame_at_max_is_accepted);
	tcase_add_test(tc, test_frame_max_is_the_callers);
	suite_add_tcase(s, tc);

	tc = tcase_create("unpack");
	tcase_add_test(tc, test_unpack_garbage_is_ebadmsg);
	tcase_add_test(tc, test_unpack_request_without_id_is_ebadmsg);
	tcase_add_test(tc,
	    test_unpack_request_with_op_missing_required_is_ebadmsg);
	tcase_add_test(tc, test_unpack_response_without_id_is_ebadmsg);
	tcase_add_test(tc, test_unpack_unknown_op_is_not_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("pack");
	tcase_add_test(tc, test_request_round_trips_through_a_frame);
	tcase_add_test(tc, test_response_round_trips_through_a_frame);
	tcase_add_test(tc, test_response_with_result_round_trips);
	tcase_add_test(tc, test_pack_over_max_is_emsgsize);
	tcase_add_test(tc, test_pack_exactly_max_is_accepted);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_op_name_names_every_op);
	tcase_add_test(tc, test_error_kind_names_every_kind);
	suite_add_tcase(s, tc);

	return (s);
}

/* The suites tests/check_main.c runs. */
const struct check_program check_program = {
	0, {
		frame_suite,
		NULL,
	},
};
