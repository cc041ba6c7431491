# SPDX-License-Identifier: ISC
"""What the binding's tests share: the daemon tests/test_python.sh started
($SOCKBROKER_SOCKET), another daemon with a policy of the test's own, and
Python scripts run in a child interpreter with the same sockbroker."""

import os
import subprocess
import sys
import tempfile
import time

import pytest

import sockbroker

# How long to wait for things: longer when the daemon runs under valgrind.
PATIENCE = 60.0 if os.environ.get("SB_DAEMON_WRAPPER") else 10.0


def families():
    """The address families the daemon's kernel has."""
    return set(sockbroker.info()["families"])


def need_family(family):
    """Skips the test unless the daemon's kernel has family."""
    if family not in families():
        name = getattr(family, "name", str(family))
        pytest.skip("the host kernel has no %s" % name)


def run_script(source, env=None, timeout=None, args=()):
    """Runs source in a child Python with this sockbroker on its path;
    returns the CompletedProcess (stdout and stderr as text)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(sys.path)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-c", source, *args], env=e,
                          capture_output=True, text=True,
                          timeout=timeout or PATIENCE * 3)


def spawn_script(source, env=None, args=()):
    """Starts source in a child Python (stdout and stderr piped)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(sys.path)
    if env:
        e.update(env)
    return subprocess.Popen([sys.executable, "-c", source, *args], env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture
def policy_daemon():
    """A function starting another daemon with the policy text given;
    returns its socket path. Stopped at the end of the test."""
    procs = []
    dirs = []

    def start(policy):
        d = tempfile.mkdtemp(prefix="sbpy")
        dirs.append(d)
        pol = os.path.join(d, "policy.conf")
        with open(pol, "w") as f:
            f.write(policy)
        path = os.path.join(d, "sb.sock")
        argv = os.environ.get("SB_DAEMON_WRAPPER", "").split()
        argv += [os.environ["SB_DAEMON"], "--listen", path, "--foreground",
                 "--no-privdrop", "--policy", pol]
        log = open(os.path.join(d, "daemon.log"), "w")
        procs.append(subprocess.Popen(argv, stdout=log, stderr=log))
        deadline = time.monotonic() + PATIENCE
        while not os.path.exists(path):
            assert procs[-1].poll() is None, "the daemon did not start"
            assert time.monotonic() < deadline, "the daemon did not start"
            time.sleep(0.05)
        return path

    yield start
    for p in procs:
        p.terminate()
        p.wait(timeout=PATIENCE)
    for d in dirs:
        subprocess.run(["rm", "-rf", d], check=False)
