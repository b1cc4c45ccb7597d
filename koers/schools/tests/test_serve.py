"""`koers serve` takes its import worker along when a service manager stops it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def processes_with(marker: str) -> list[int]:
    """Pids whose environment holds `marker` (the test's own data folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environment:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_sigterm_stops_the_server_and_its_worker(tmp_path: Path) -> None:
    data = tmp_path / "serve-data"
    # The server runs on its own SQLite file in `data`: the test run's database
    # (a PostgreSQL test database, say) is not the server's business here.
    environment = {
        **{k: v for k, v in os.environ.items() if k != "KOERS_DATABASE_URL"},
        "KOERS_DATA_DIR": str(data),
    }
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "koers.cli", "serve", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Ready when the server answers on its port (the worker starts first);
        # a busy machine may take a while to get there.
        deadline = time.monotonic() + 120
        while not answers(port) and time.monotonic() < deadline:
            assert server.poll() is None, "the server stopped by itself"
            time.sleep(0.5)
        assert answers(port), "the server answers"
        assert len(processes_with(str(data))) >= 2, "server and worker started"

        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

        deadline = time.monotonic() + 15
        while processes_with(str(data)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert processes_with(str(data)) == []
    finally:
        for pid in processes_with(str(data)):
            os.kill(pid, signal.SIGKILL)
