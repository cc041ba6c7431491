# SPDX-License-Identifier: ISC
"""The module functions the daemon answers give what the stdlib gives on
the same host: getaddrinfo, getnameinfo, gethostname, gethostbyname(_ex),
gethostbyaddr, getfqdn, getservbyname/port, getprotobyname and the
interface functions."""

import socket as stdsocket

import pytest

import sockbroker


@pytest.mark.parametrize("args", [
    ("localhost", 80),
    ("localhost", "http", sockbroker.AF_INET, sockbroker.SOCK_STREAM),
    ("127.0.0.1", None, 0, sockbroker.SOCK_DGRAM),
    ("::1", 53, sockbroker.AF_INET6, 0, 0, sockbroker.AI_NUMERICHOST),
    (None, 8080, sockbroker.AF_UNSPEC, sockbroker.SOCK_STREAM, 0,
     sockbroker.AI_PASSIVE),
    (b"localhost", b"22", 0, sockbroker.SOCK_STREAM),
    ("localhost", 0, 0, 0, 0, sockbroker.AI_CANONNAME),
])
def test_getaddrinfo_like_stdlib(args):
    got = sockbroker.getaddrinfo(*args)
    want = stdsocket.getaddrinfo(*args)
    assert sorted(got, key=repr) == sorted(want, key=repr)
    assert all(isinstance(g[0], sockbroker.AddressFamily) for g in got)


def test_getnameinfo_like_stdlib():
    for sa, flags in ((("127.0.0.1", 80), 0),
                      (("127.0.0.1", 22), sockbroker.NI_NUMERICHOST |
                       sockbroker.NI_NUMERICSERV),
                      (("::1", 53, 0, 0), sockbroker.NI_NUMERICHOST)):
        assert sockbroker.getnameinfo(sa, flags) == \
            stdsocket.getnameinfo(sa, flags)


def test_host_functions_like_stdlib():
    assert sockbroker.gethostname() == stdsocket.gethostname()
    assert sockbroker.gethostbyname("localhost") == \
        stdsocket.gethostbyname("localhost")
    assert sockbroker.gethostbyname_ex("localhost") == \
        stdsocket.gethostbyname_ex("localhost")
    assert sockbroker.gethostbyaddr("127.0.0.1") == \
        stdsocket.gethostbyaddr("127.0.0.1")
    assert sockbroker.getfqdn() == stdsocket.getfqdn()
    assert sockbroker.getfqdn("localhost") == stdsocket.getfqdn("localhost")


def test_service_and_protocol_like_stdlib():
    assert sockbroker.getservbyname("http") == 80
    assert sockbroker.getservbyname("domain", "udp") == \
        stdsocket.getservbyname("domain", "udp")
    assert sockbroker.getservbyport(22) == stdsocket.getservbyport(22)
    assert sockbroker.getservbyport(53, "udp") == \
        stdsocket.getservbyport(53, "udp")
    assert sockbroker.getprotobyname("udp") == stdsocket.IPPROTO_UDP
    assert sockbroker.getprotobyname("icmp") == \
        stdsocket.getprotobyname("icmp")
    for f, a in ((sockbroker.getservbyname, ("no-such-service",)),
                 (sockbroker.getservbyport, (1, "no-such-proto")),
                 (sockbroker.getprotobyname, ("no-such-proto",))):
        with pytest.raises(OSError):
            f(*a)
    with pytest.raises(OverflowError):
        sockbroker.getservbyport(70000)


def test_interfaces_like_stdlib():
    assert sockbroker.if_nameindex() == stdsocket.if_nameindex()
    for index, name in stdsocket.if_nameindex():
        assert sockbroker.if_nametoindex(name) == index
        assert sockbroker.if_indextoname(index) == name
    with pytest.raises(OSError):
        sockbroker.if_nametoindex("no-such-if0")
    with pytest.raises(OSError):
        sockbroker.if_indextoname(1 << 30)
    with pytest.raises(TypeError):
        sockbroker.if_indextoname("1")


def test_has_dualstack_ipv6_like_stdlib():
    assert sockbroker.has_dualstack_ipv6() == stdsocket.has_dualstack_ipv6()
