# SPDX-License-Identifier: ISC
"""The C extension of the sockbroker package (pyproject.toml has the rest),
linked with the installed libsockbroker; pkg-config sockbroker supplies the
flags where it knows the library."""

import shlex
import subprocess

from setuptools import Extension, setup


def pkgconfig(flag):
    """What pkg-config says about sockbroker for flag, or []."""
    try:
        out = subprocess.run(["pkg-config", flag, "sockbroker"],
                             check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return []
    return shlex.split(out.stdout)


cflags = pkgconfig("--cflags")
libs = pkgconfig("--libs") or ["-lsockbroker"]

setup(ext_modules=[Extension(
    "sockbroker._sockbroker",
    sources=["sbpy-module.c", "sbpy-conn.c", "sbpy-error.c",
             "sbpy-address.c", "sbpy-bluetooth.c", "sbpy-socket.c",
             "sbpy-io.c", "sbpy-msg.c", "sbpy-name.c"],
    depends=["sbpy.h"],
    extra_compile_args=cflags + ["-fno-strict-aliasing"],
    extra_link_args=libs)])
