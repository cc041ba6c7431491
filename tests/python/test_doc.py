# SPDX-License-Identifier: ISC
"""pydoc sockbroker documents what the binding itself defines: every
function, the socket class and each of its methods, and the python-can
interface say what they do beyond their signature, their signatures are
readable by inspect where they have one, and pydoc renders the module."""

import inspect
import pydoc
import socket as stdsocket

import pytest

import sockbroker
from sockbroker import canbus

# Words a docstring must have past its signature line: a sentence.
MIN_WORDS = 6


def own_functions():
    """The module's callables that are the binding's, not the stdlib's."""
    out = []
    for name in dir(sockbroker):
        obj = getattr(sockbroker, name)
        if name.startswith("_") or not callable(obj) or \
                inspect.isclass(obj):
            continue
        if getattr(stdsocket, name, None) is obj:
            continue                # re-exported from the stdlib
        out.append((name, obj))
    return out


def socket_methods():
    """The public methods of sockbroker.socket, with those it inherits from
    the C type; not those of object."""
    out = []
    for name in dir(sockbroker.socket):
        if name.startswith("_"):
            continue
        obj = getattr(sockbroker.socket, name)
        if callable(obj):
            out.append((name, obj))
    return out


def body_words(doc):
    """The words of a docstring after its first line when that line is the
    signature (ends with ')'), else all of them."""
    lines = doc.strip().splitlines()
    if lines and lines[0].rstrip().endswith(")"):
        lines = lines[1:]
    return " ".join(lines).split()


def test_there_is_something_to_check():
    names = {n for n, _ in own_functions()}
    assert {"create_connection", "getaddrinfo", "gethostbyname",
            "if_nametoindex", "connect", "info", "socketpair"} <= names
    assert {"recv", "sendmsg", "setsockopt", "fileno"} <= \
        {n for n, _ in socket_methods()}


@pytest.mark.parametrize("name,obj", own_functions(),
                         ids=[n for n, _ in own_functions()])
def test_function_is_documented(name, obj):
    doc = inspect.getdoc(obj)
    assert doc, "sockbroker.%s has no docstring" % name
    assert len(body_words(doc)) >= MIN_WORDS, \
        "sockbroker.%s: only %r" % (name, doc)


@pytest.mark.parametrize("name,obj", socket_methods(),
                         ids=[n for n, _ in socket_methods()])
def test_socket_method_is_documented(name, obj):
    doc = inspect.getdoc(obj)
    assert doc, "socket.%s has no docstring" % name
    assert len(body_words(doc)) >= MIN_WORDS, \
        "socket.%s: only %r" % (name, doc)


def test_c_methods_have_signatures():
    """The C methods' docstrings carry text signatures inspect reads (all
    but sendto, whose optional middle argument none can say)."""
    for name in ("recv", "recv_into", "send", "bind", "setsockopt",
                 "getsockopt", "recvmsg", "sendmsg", "shutdown"):
        sig = inspect.signature(getattr(sockbroker.socket, name))
        assert "self" in sig.parameters, name
    assert list(inspect.signature(sockbroker.getaddrinfo).parameters) == \
        ["host", "port", "family", "type", "proto", "flags"]


def test_class_and_module_docs():
    for obj in (sockbroker, sockbroker.socket, sockbroker.SocketType,
                canbus, canbus.SockbrokerBus):
        doc = inspect.getdoc(obj)
        assert doc and len(doc.split()) >= MIN_WORDS, obj


def test_pydoc_renders_the_module():
    text = pydoc.render_doc(sockbroker, renderer=pydoc.plaintext)
    assert "class socket" in text
    assert "PermissionError" in text      # the refusal, as it is raised
    assert "data channel" in text         # what fileno() is
