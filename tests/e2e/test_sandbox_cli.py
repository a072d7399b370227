"""`catalog sandbox` (the README's command) listens on exactly one port: the one it prints."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

CATALOG = str(Path(sys.executable).with_name("catalog"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening_ports(pid: int) -> set[int]:
    """TCP ports process ``pid`` listens on (its socket inodes matched in /proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:      # 0A = LISTEN
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


@pytest.mark.parametrize("fixed", [True, False], ids=["fixed-port", "port-0"])
def test_sandbox_command_listens_once_on_the_printed_port(fixed):
    port = _free_port() if fixed else 0
    proc = subprocess.Popen([CATALOG, "sandbox", "--seed", "gtse", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("export BIGCOMMERCE_API_URL="), (line, proc.stderr.read() if proc.poll() else "")
        url = line.strip().split("=", 1)[1]
        printed = int(url.rsplit(":", 1)[1])
        if fixed:
            assert printed == port
        assert requests.get(f"{url}/__sandbox/stats", timeout=5).status_code == 200
        assert proc.poll() is None, proc.stderr.read()
        assert _listening_ports(proc.pid) == {printed}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
