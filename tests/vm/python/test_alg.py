# SPDX-License-Identifier: ISC
"""AF_ALG through ``import sockbroker as socket``: the kernel's sha256 as
hashlib computes it (one message, and one sent in parts with MSG_MORE),
and sendmsg_afalg encrypting and decrypting with cbc(aes), checked against
NIST SP 800-38A's CBC-AES128 vectors (F.2.1, F.2.2)."""

import hashlib

import sockbroker as socket

from conftest import PATIENCE

KEY = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")
IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
PLAIN = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a"
                      "ae2d8a571e03ac9c9eb76fac45af8e51"
                      "30c81c46a35ce411e5fbc1191a0a52ef"
                      "f69f2445df4f9b17ad2b417be66c3710")
CIPHER = bytes.fromhex("7649abac8119b246cee98e9b12e9197d"
                       "5086cb9b507219ee95db113a917678b2"
                       "73bed6b8e3c1743b7116e69e22229516"
                       "3ff1caa1681fac09120eca307586e1a7")


def algorithm(kind, name, key=None):
    """A bound AF_ALG socket for the algorithm (its key set) and one
    operation socket accepted from it."""
    s = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET)
    s.settimeout(PATIENCE)
    s.bind((kind, name))
    if key is not None:
        s.setsockopt(socket.SOL_ALG, socket.ALG_SET_KEY, key)
    op, _ = s.accept()
    op.settimeout(PATIENCE)
    return s, op


def test_sha256_is_hashlibs():
    data = b"The quick brown fox jumps over the lazy dog" * 100
    s, op = algorithm("hash", "sha256")
    with s, op:
        op.sendall(data)
        assert op.recv(64) == hashlib.sha256(data).digest()


def test_sha256_in_parts_with_msg_more():
    parts = [b"a" * 1000, b"b" * 5000, b"c"]
    s, op = algorithm("hash", "sha256")
    with s, op:
        for p in parts[:-1]:
            op.sendall(p, socket.MSG_MORE)
        op.sendall(parts[-1])
        assert op.recv(32) == hashlib.sha256(b"".join(parts)).digest()


def test_sha256_of_nothing():
    s, op = algorithm("hash", "sha256")
    with s, op:
        assert s.family == socket.AF_ALG
        op.send(b"")
        assert op.recv(32) == hashlib.sha256(b"").digest()


def test_sendmsg_afalg_aes_cbc_encrypts_the_known_answer():
    s, op = algorithm("skcipher", "cbc(aes)", KEY)
    with s, op:
        n = op.sendmsg_afalg([PLAIN], op=socket.ALG_OP_ENCRYPT, iv=IV)
        assert n == len(PLAIN)
        assert op.recv(len(PLAIN)) == CIPHER


def test_sendmsg_afalg_aes_cbc_decrypts_in_two_buffers():
    s, op = algorithm("skcipher", "cbc(aes)", KEY)
    with s, op:
        op.sendmsg_afalg([CIPHER[:32], CIPHER[32:]],
                         op=socket.ALG_OP_DECRYPT, iv=IV)
        assert op.recv(len(CIPHER)) == PLAIN


def test_sendmsg_afalg_with_the_wrong_iv_is_another_answer():
    s, op = algorithm("skcipher", "cbc(aes)", KEY)
    with s, op:
        op.sendmsg_afalg([PLAIN], op=socket.ALG_OP_ENCRYPT, iv=bytes(16))
        out = op.recv(len(PLAIN))
    assert len(out) == len(PLAIN) and out != CIPHER
    # CBC chains each block to the one before: the IV changes them all.
    assert all(out[i:i + 16] != CIPHER[i:i + 16] for i in range(0, 64, 16))
