# SPDX-License-Identifier: ISC
"""The python-can interface: found by its entry point, python-can's own
socketcan code over sockbroker sockets (the stdlib's socketcan interface
untouched), and on a host with vcan interfaces a bus pair exchanging
frames; the VM tests run the rest on real CAN."""

import errno
import socket as stdsocket

import pytest

import sockbroker
from conftest import PATIENCE, families

can = pytest.importorskip("can")


def test_entry_point_names_the_interface():
    from can.interfaces import BACKENDS
    assert BACKENDS["sockbroker"] == ("sockbroker.canbus", "SockbrokerBus")


def test_socketcan_code_runs_on_sockbroker():
    from sockbroker import canbus
    import can.interfaces.socketcan.socketcan as stock
    assert canbus._sc.socket is sockbroker
    assert stock.socket is stdsocket
    assert issubclass(canbus.SockbrokerBus, stock.BusABC)


def vcan_names():
    return [n for _, n in sockbroker.if_nameindex() if n.startswith("vcan")]


def test_bus_without_can_is_the_daemons_error():
    if sockbroker.AF_CAN in families():
        pytest.skip("the host kernel has AF_CAN")
    with pytest.raises(OSError) as e:
        can.Bus(interface="sockbroker", channel="vcan0")
    assert e.value.errno == errno.EAFNOSUPPORT


def test_bus_pair_exchanges_frames():
    if sockbroker.AF_CAN not in families() or not vcan_names():
        pytest.skip("no AF_CAN or no vcan interface on this host")
    name = vcan_names()[0]
    with can.Bus(interface="sockbroker", channel=name) as a, \
            can.Bus(interface="sockbroker", channel=name,
                    can_filters=[{"can_id": 0x123, "can_mask": 0x7ff}]) as b:
        a.send(can.Message(arbitration_id=0x321, data=b"no",
                           is_extended_id=False))
        a.send(can.Message(arbitration_id=0x123, data=b"yes",
                           is_extended_id=False))
        m = b.recv(PATIENCE)
        assert m.arbitration_id == 0x123 and bytes(m.data) == b"yes"
        assert b.recv(0.1) is None
