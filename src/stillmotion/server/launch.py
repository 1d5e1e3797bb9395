"""Starting a studio in a child process and waiting until it answers (tests, benchmarks, scripts)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..errors import StudioError


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(data: Path, *, workers: int = 1, port: int | None = None, token: str | None = None,
                 extra: list[str] | None = None, timeout_s: float = 60, **popen) -> tuple[subprocess.Popen, str]:
    """`stillmotion serve` in a child process; returns it and its base URL once /api/info answers.
    popen: more arguments for subprocess.Popen (stderr=..., preexec_fn=... to set limits)."""
    port = port or free_port()
    command = [sys.executable, "-m", "stillmotion", "serve", "--port", str(port), "--data", str(data), "--workers", str(workers)]
    if token:
        command += ["--token", token]
    process = subprocess.Popen(command + (extra or []), env=os.environ.copy(), **popen)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StudioError(f"the studio exited early with code {process.returncode}")
        try:
            request = urllib.request.Request(base + "/api/info", headers={"Authorization": f"Bearer {token}"} if token else {})
            with urllib.request.urlopen(request, timeout=2) as answer:
                json.load(answer)
            return process, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    process.kill()
    raise StudioError(f"the studio did not answer on {base} within {timeout_s:g} s")


def stop_server(process: subprocess.Popen, timeout_s: float = 20) -> None:
    """Ctrl-C-like stop (SIGINT), then kill if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
