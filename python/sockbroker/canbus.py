# SPDX-License-Identifier: ISC
"""The python-can interface ``sockbroker``: SocketCAN through the broker.

``can.Bus(interface="sockbroker", channel="vcan0")`` is python-can's own
socketcan bus (python-can 4.1: send, recv with a timeout, kernel filters
through CAN_RAW_FILTER, receive_own_messages, local_loopback, fd=True,
error frames, fileno() for the Notifier and asyncio, periodic sends
through CAN_BCM) with every socket a sockbroker socket: the socketcan
module is loaded a second time, privately, with ``sockbroker`` as its
``socket``. Interface names are the daemon's.
"""

import importlib.util

import sockbroker


def _socketcan():
    """A private copy of can.interfaces.socketcan.socketcan whose socket
    module is sockbroker."""
    spec = importlib.util.find_spec("can.interfaces.socketcan.socketcan")
    if spec is None or spec.loader is None:
        raise ImportError("python-can's socketcan interface is missing")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # Its functions read the global at each call; the constants it took
    # at import are the same numbers in both modules.
    mod.socket = sockbroker
    return mod


_sc = _socketcan()


class SockbrokerBus(_sc.SocketcanBus):
    """python-can's SocketcanBus over sockbroker sockets:
    can.Bus(interface="sockbroker", channel="vcan0", ...) takes the
    socketcan interface's arguments; channel names the daemon's
    interface."""

    def __init__(self, channel="", *args, **kwargs):
        super().__init__(channel, *args, **kwargs)
        self.channel_info = "sockbroker channel '%s'" % channel

    @staticmethod
    def _detect_available_configs():
        """The daemon's CAN interfaces, by name (can*, vcan*, vxcan*,
        slcan*): the daemon's namespace, not this process's."""
        try:
            names = [n for _, n in sockbroker.if_nameindex()]
        except OSError:
            return []
        return [{"interface": "sockbroker", "channel": n} for n in names
                if n.startswith(("can", "vcan", "vxcan", "slcan"))]


CyclicSendTask = _sc.CyclicSendTask
MultiRateCyclicSendTask = _sc.MultiRateCyclicSendTask

__all__ = ["SockbrokerBus", "CyclicSendTask", "MultiRateCyclicSendTask"]
