"""Durability: a real `stillmotion serve` process, killed with SIGKILL mid-render, loses nothing.

Also: an oversized upload is refused while it streams in, against the real HTTP server.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import socket
import time
import urllib.request
from pathlib import Path

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
import fastapi  # noqa: F401
import pytest
import uvicorn  # noqa: F401

from server_probes import leftovers
from stillmotion.server.launch import start_server, stop_server
from stillmotion.server.store import Store


def png_bytes(width=320, height=240) -> bytes:
    from PIL import Image

    from conftest import scene_image

    buffer = io.BytesIO()
    Image.fromarray(scene_image(width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def multipart(fields: dict, photo: bytes, boundary="----stillmotion-test") -> tuple[bytes, str]:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="scene.png"\r\nContent-Type: image/png\r\n\r\n'
    parts.append(head.encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def call(base: str, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(base + path, data=body, method=method, headers={"Content-Type": content_type} if content_type else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def submit(base: str, photo: bytes, **fields) -> str:
    body, ctype = multipart({k: str(v) for k, v in fields.items()}, photo)
    status, answer = call(base, "POST", "/api/jobs", body, ctype)
    assert status == 202, answer
    return json.loads(answer)["id"]


def job(base: str, job_id: str) -> dict:
    status, answer = call(base, "GET", f"/api/jobs/{job_id}")
    assert status == 200, answer
    return json.loads(answer)


def wait_for(base, job_id, predicate, timeout_s=240):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = job(base, job_id)
        if predicate(state):
            return state
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state: {state}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.slow
def test_kill_9_mid_render_loses_nothing(tmp_path):
    data = tmp_path / "data"
    photo = png_bytes()
    server, base = start_server(data, workers=1)
    try:
        finished = submit(base, photo, duration=1, resolution=480, prompt="before the crash")
        wait_for(base, finished, lambda j: j["status"] == "done", timeout_s=300)
        _, video_before = call(base, "GET", f"/api/jobs/{finished}/video")

        interrupted = submit(base, photo, duration=8, resolution=480, prompt="interrupted")
        queued = [submit(base, photo, duration=1, resolution=480, prompt=f"queued {i}") for i in range(2)]
        wait_for(base, interrupted, lambda j: j["status"] == "running" and j["progress"] > 0.15, timeout_s=300)
        worker = Store(data).get(interrupted).worker_pid
        server.send_signal(signal.SIGKILL)
        server.wait()
    finally:
        if server.poll() is None:
            server.kill()
    # The render worker dies with the server: nothing renders behind the new one's back.
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker), "the worker outlived the killed server"
    states = {j.id: j.status for j in Store(data).list(limit=100, offset=0)[0]}
    assert states == {finished: "done", interrupted: "running", queued[0]: "queued", queued[1]: "queued"}

    server, base = start_server(data, workers=1)
    try:
        assert call(base, "GET", f"/api/jobs/{finished}/video") == (200, video_before)  # still served
        for job_id in [interrupted, *queued]:
            state = wait_for(base, job_id, lambda j: j["status"] not in ("queued", "running"), timeout_s=300)
            assert state["status"] == "done", state
        rerun = job(base, interrupted)
        assert rerun["attempts"] == 2 and "restart" in rerun["note"]
        status, listing = call(base, "GET", "/api/jobs?limit=100")
        ids = [j["id"] for j in json.loads(listing)["jobs"]]
        assert sorted(ids) == sorted([finished, interrupted, *queued]) and len(ids) == len(set(ids))  # none lost or doubled
        assert len(list((data / "videos").iterdir())) == 4
    finally:
        stop_server(server)
    assert leftovers(data) == {}  # no .part, no upload or thumbnail without its job


def test_a_job_interrupted_twice_fails_with_a_reason(tmp_path):
    store = Store(tmp_path / "data")
    photo = store.upload_path("2" * 16, ".png")
    photo.write_bytes(b"x")
    store.create("2" * 16, photo=photo, prompt="", options={}, plan=None, fmt="mp4")
    store.claim(pid=1)
    assert store.recover() == ["2" * 16]
    assert store.get("2" * 16).status == "queued"
    stale = store.claim(pid=2)
    store.recover()
    failed = store.get("2" * 16)
    assert failed.status == "failed" and "interrupted 2 times" in failed.error
    # A worker left over from before the restart can no longer change the job.
    store.finish(stale, "done")
    assert store.get("2" * 16).status == "failed"


def read_answer(conn: socket.socket) -> bytes:
    """An HTTP response's head and body (as far as the server sent it before closing)."""
    answer = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
            head, _, body = answer.partition(b"\r\n\r\n")
            length = [int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
            if length and len(body) >= length[0]:
                break
    except (ConnectionResetError, socket.timeout):
        pass
    return answer


@pytest.mark.slow
def test_oversized_upload_is_refused_while_streaming(tmp_path):
    data = tmp_path / "data"
    server, base = start_server(data, workers=1, extra=["--max-upload-mb", "1"])
    port = int(base.rsplit(":", 1)[1])
    try:
        # 1. Declared too large: refused before the body is sent at all.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                b"Content-Length: 104857600\r\n\r\n"
            )
            answer = read_answer(conn)
        assert answer.startswith(b"HTTP/1.1 413") and b"1 MB limit" in answer

        # 2. Chunked (no length given): the server answers 413 long before 50 MB have gone out.
        head = (
            b"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        first = b'--b\r\nContent-Disposition: form-data; name="photo"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
        chunk = os.urandom(64 * 1024)
        sent, answer = 0, b""
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(head + b"%x\r\n" % len(first) + first + b"\r\n")
            try:
                while sent < 50 * 1024 * 1024:
                    readable, _, _ = select.select([conn], [], [], 0)
                    if readable:
                        break
                    conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            answer = read_answer(conn)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert sent < 8 * 1024 * 1024, f"{sent} bytes went out before the refusal"
        time.sleep(0.3)
        assert list((data / "tmp").iterdir()) == []  # the partial upload is gone
        assert call(base, "GET", "/api/info")[0] == 200
    finally:
        stop_server(server)


@pytest.mark.slow
def test_a_clean_stop_gives_the_running_job_back(tmp_path):
    data = tmp_path / "data"
    server, base = start_server(data, workers=1)
    try:
        job_id = submit(base, png_bytes(), duration=20, resolution=720)
        wait_for(base, job_id, lambda j: j["status"] == "running" and j["progress"] > 0.12)
    finally:
        started = time.monotonic()
        stop_server(server)  # SIGINT, as Ctrl-C in the terminal
    assert server.returncode == 0 and time.monotonic() - started < 10
    stopped = Store(data).get(job_id)
    assert stopped.status == "queued" and stopped.attempts == 0 and stopped.claim is None
    assert list((data / "videos").iterdir()) == []
