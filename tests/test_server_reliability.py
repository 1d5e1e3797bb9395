"""The studio under attack and under faults, against a real `stillmotion serve` process:
decompression bombs, a 65535 x 1525 panorama, stalled uploads, a thousand requests under
`ulimit -n 256`, a full disk, a read-only data folder, two servers on one folder.

Each probe gets the answer issue 17 asks for: bounded memory, a DELETE that takes effect within
2 s, flat descriptors, one clear JSON error, and no file left without its job.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
import fastapi  # noqa: F401
import numpy as np
import pytest
import uvicorn  # noqa: F401

from server_probes import (
    alive,
    call,
    children,
    leftovers,
    open_files,
    peak_rss_mb,
    png_stream,
    stripes,
    submit,
    wait_for,
)
from stillmotion.server.launch import start_server, stop_server

pytestmark = pytest.mark.slow


def small_png() -> bytes:
    return png_stream(160, 120, stripes(160, 120))


@pytest.fixture
def studio(tmp_path):
    """A studio with one worker; yields (process, base URL, data folder)."""
    data = tmp_path / "data"
    process, base = start_server(data, workers=1)
    try:
        yield process, base, data
    finally:
        stop_server(process)


# --- uploads cost little in the server -----------------------------------------------------------
def test_three_bombs_at_once_keep_the_server_under_300_mb(studio):
    process, base, data = studio
    bomb = png_stream(10_000, 10_000)  # 100 Mpx (just under the pixel limit) in 290 KB: 300 MB once decoded
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(submit(base, bomb, duration=1, resolution=480)))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [202, 202, 202], answers
    peak = peak_rss_mb(process.pid)  # the kernel's high-water mark: nothing between samples is missed
    assert peak < 300, f"the server reached {peak:.0f} MB"
    # The worker decodes the bomb, in its own process, and makes the thumbnail.
    wait_for(base, answers[0][1]["id"], lambda j: j["thumbnail_url"] is not None, timeout_s=120)


def test_a_65535_by_1525_photo_stops_within_2_s_and_renders_capped(studio):
    process, base, data = studio
    panorama = png_stream(65_535, 1_525, stripes(65_535, 1_525))  # 99.9 Mpx, 43:1
    status, first = submit(base, panorama, duration=1, resolution=480, aspect="original")
    assert status == 202, first
    # Its first decode (the thumbnail) takes seconds and calls no progress callback: a DELETE then
    # can only take effect by stopping the worker's process.
    wait_for(base, first["id"], lambda j: j["status"] == "running")
    time.sleep(0.5)
    asked = time.monotonic()
    assert call(base, "DELETE", f"/api/jobs/{first['id']}")[0] == 202
    stopped = wait_for(base, first["id"], lambda j: j["status"] != "running", timeout_s=10, every_s=0.02)
    took = time.monotonic() - asked
    assert stopped["status"] == "cancelled" and took < 2.0, (stopped, took)
    assert not list((data / "videos").iterdir())

    # The same photo, left alone: cropped to 4:1 around its subject, not a 20,628 x 480 video.
    status, second = submit(base, panorama, duration=1, resolution=480, aspect="original")
    done = wait_for(base, second["id"], lambda j: j["status"] not in ("queued", "running"), timeout_s=180)
    assert done["status"] == "done", done
    assert any("longer than 4:1" in note for note in done["plan"]["explanation"])
    import av

    with av.open(str(data / "videos" / f"{second['id']}.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1920, 480)


def stalled_upload(port: int, declared: int = 5_000_000) -> socket.socket:
    """A connection that starts a multipart upload, then sends nothing more."""
    boundary = uuid.uuid4().hex
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {declared}\r\n\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; "
            f"filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    conn.sendall(head + b"\x89PNG\r\n\x1a\n" + bytes(1000))
    return conn


def test_stalled_uploads_are_dropped_and_bounded(tmp_path):
    data = tmp_path / "data"
    process, base = start_server(data, workers=1, extra=["--upload-timeout", "1"])
    port = int(base.rsplit(":", 1)[1])
    try:
        baseline = open_files(process.pid)
        conns = [stalled_upload(port) for _ in range(60)]
        most_partial = 0
        deadline = time.monotonic() + 20
        answers: dict[socket.socket, bytes] = {}
        while time.monotonic() < deadline and len(answers) < len(conns):
            most_partial = max(most_partial, len(list((data / "tmp").iterdir())))
            readable, _, _ = select.select([c for c in conns if c not in answers], [], [], 0.05)
            for conn in readable:
                answers[conn] = conn.recv(4096)
        for conn in conns:
            conn.close()
        statuses = sorted({a.split(b" ", 2)[1].decode() for a in answers.values() if a})
        assert len(answers) == len(conns) and set(statuses) <= {"408", "503"}, (len(answers), statuses)
        assert b"the upload stalled" in b"".join(answers.values())
        assert most_partial <= 8, f"{most_partial} uploads were received at once"
        time.sleep(0.5)
        assert list((data / "tmp").iterdir()) == []
        assert open_files(process.pid) <= baseline + 2
        assert submit(base, small_png(), duration=1)[0] == 202  # and the studio is fine
    finally:
        stop_server(process)


# --- descriptors ----------------------------------------------------------------------------------
def requests_from(base: str, clients: int, each: int, job_id: str) -> dict:
    """clients threads, each making `each` requests on one connection: reads on the event loop and
    in the thread pool, and a few writes (jobs, cancels)."""
    import http.client

    port = int(base.rsplit(":", 1)[1])
    counts: dict = {}
    lock = threading.Lock()
    photo = small_png()

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(each):
            kind = n % 5
            try:
                if kind == 4 and n % 10 == 4:
                    from server_probes import multipart

                    body, ctype = multipart({"duration": "1"}, photo)
                    conn.request("POST", "/api/jobs", body, {"Content-Type": ctype})
                else:
                    path = ["/api/jobs?limit=5", f"/api/jobs/{job_id}", "/api/info", f"/api/jobs/{job_id}/thumbnail", "/api/jobs"][kind]
                    conn.request("GET", path)
                answer = conn.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            with lock:
                counts[status] = counts.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def test_descriptors_stay_flat_over_retired_threads_under_ulimit_256(tmp_path):
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    log = tmp_path / "server.log"
    with open(log, "w") as err:
        process, base = start_server(tmp_path / "data", workers=1, preexec_fn=limit, stderr=err)
    try:
        status, body = submit(base, small_png(), duration=1)
        job_id = body["id"]
        wait_for(base, job_id, lambda j: j["status"] == "done", timeout_s=120)
        baseline = open_files(process.pid)
        first = requests_from(base, clients=50, each=20, job_id=job_id)
        after_first = open_files(process.pid)
        time.sleep(11)  # the server's idle pool threads retire (anyio: after 10 s, at the next call)
        second = requests_from(base, clients=50, each=20, job_id=job_id)
        time.sleep(0.5)
        after_second = open_files(process.pid)
    finally:
        stop_server(process)
    for counts in (first, second):
        assert sum(counts.values()) == 1000 and set(counts) <= {200, 202}, counts
    # A fixed number of SQLite connections (4 readers, 1 writer: 3 files each at most), whatever the threads.
    assert after_first <= baseline + 12 and after_second <= after_first + 2, (baseline, after_first, after_second)
    assert "Too many open files" not in log.read_text()


# --- a full disk, a read-only folder ----------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs for the data folder (root only: mounting needs it)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave_kb: int = 0) -> Path:
    """Fill the disk, leaving about leave_kb free; returns the filler file (remove it to free the space)."""
    filler = disk / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                free = shutil.disk_usage(disk).free
                if free <= leave_kb * 1024:
                    break
                out.write(bytes(min(1 << 20, free - leave_kb * 1024)))
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_gives_507_leaves_nothing_and_the_worker_survives(small_disk):
    data = small_disk / "data"
    process, base = start_server(data, workers=1)
    try:
        workers = children(process.pid)
        filler = fill(small_disk, leave_kb=200)
        noise = np.random.default_rng(0)
        big = png_stream(600, 500, lambda y: noise.integers(0, 255, (600, 3)))  # 900 KB of noise: more than is left
        status, body = submit(base, big, duration=1)
        assert status == 507 and "disk is full" in body["error"], body
        filler.unlink()
        status, queued = submit(base, small_png(), duration=1)  # stored while there is room...
        assert status == 202
        filler = fill(small_disk)  # ...then the disk fills before a worker takes it
        time.sleep(3)
        assert [pid for pid in workers if alive(pid)] == workers  # still there, not crashing in a loop
        filler.unlink()  # room again: the job runs
        done = wait_for(base, queued["id"], lambda j: j["status"] not in ("queued", "running"), timeout_s=120)
        assert done["status"] in ("done", "failed"), done
        if done["status"] == "failed":  # the disk filled mid-render: said so, in words
            assert "disk is full" in done["error"], done
    finally:
        stop_server(process)
    assert leftovers(data) == {}


def make_read_only(folder: Path) -> None:
    if os.geteuid() == 0:  # root writes through file modes: a read-only bind mount stops it
        subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
    else:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)


def make_writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["umount", str(folder)], check=False)
    else:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_a_read_only_data_folder_is_reported_and_refuses_jobs_in_json(tmp_path):
    if os.geteuid() == 0 and not shutil.which("mount"):
        pytest.skip("no mount command to make a folder read-only for root")
    data = tmp_path / "data"
    process, base = start_server(data, workers=1)
    try:
        status, body = submit(base, small_png(), duration=1)
        done = wait_for(base, body["id"], lambda j: j["status"] == "done", timeout_s=120)
    finally:
        stop_server(process)
    make_read_only(data)
    try:
        # At start-up: reported, and the jobs still served.
        with open(tmp_path / "server.log", "w") as err:
            process, base = start_server(data, workers=1, stderr=err)
        try:
            assert call(base, "GET", done["video_url"])[0] == 200
            status, body = submit(base, small_png(), duration=1)
            assert status == 503 and "cannot be written" in body["error"], body
        finally:
            stop_server(process)
        log = (tmp_path / "server.log").read_text()
        assert "takes no new ones" in log and "Traceback" not in log, log
    finally:
        make_writable(data)
    assert leftovers(data) == {}


# --- two servers, one folder --------------------------------------------------------------------
def test_a_second_server_on_the_same_folder_refuses_in_one_line(tmp_path):
    import sys

    from stillmotion.server.launch import free_port

    data = tmp_path / "data"
    first, base = start_server(data, workers=1)
    try:
        status, body = submit(base, small_png(), duration=1)
        command = [sys.executable, "-m", "stillmotion", "serve", "--port", str(free_port()), "--data", str(data)]
        second = subprocess.run(command, capture_output=True, text=True, timeout=60)
        lines = second.stderr.strip().splitlines()
        assert second.returncode == 1 and len(lines) == 1 and f"another studio (process {first.pid})" in lines[0], lines
        assert wait_for(base, body["id"], lambda j: j["status"] == "done", timeout_s=120)  # the first carries on
    finally:
        stop_server(first)
    assert leftovers(data) == {}


# --- kill -9 ----------------------------------------------------------------------------------
def test_kill_9_of_the_server_takes_the_planner_and_workers_with_it(tmp_path):
    from server_probes import multipart

    data = tmp_path / "data"
    process, base = start_server(data, workers=1)
    try:
        body, ctype = multipart({"resolution": "480"}, small_png())
        assert call(base, "POST", "/api/plan", body, {"Content-Type": ctype})[0] == 200  # the planner exists now
        helpers = children(process.pid)  # a worker, the planner (and multiprocessing's resource tracker)
        assert len(helpers) >= 2, helpers
        os.kill(process.pid, 9)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 3
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in helpers if alive(pid)], "a helper process outlived the killed server"


def test_kill_9_of_a_worker_mid_render_ends_its_job_once_and_leaves_nothing(studio):
    process, base, data = studio
    status, doomed = submit(base, small_png(), duration=20, resolution=720)
    queued = [submit(base, small_png(), duration=1, resolution=480)[1]["id"] for _ in range(2)]
    wait_for(base, doomed["id"], lambda j: j["status"] == "running" and j["stage"] == "render" and j["progress"] > 0.15)
    worker = [pid for pid in children(process.pid) if alive(pid)][0]
    assert list((data / "videos").glob(".*.part")), "the render should be writing its video"
    os.kill(worker, 9)
    failed = wait_for(base, doomed["id"], lambda j: j["status"] != "running", timeout_s=10)
    assert failed["status"] == "failed" and "signal 9" in failed["error"]
    for job_id in queued:
        assert wait_for(base, job_id, lambda j: j["status"] not in ("queued", "running"))["status"] == "done"
    assert not list((data / "videos").glob(".*.part"))  # removed when the failure was recorded
    time.sleep(1)
    assert wait_for(base, doomed["id"], lambda j: True) == failed  # ended once: nothing changed it since
    status, _, listing = call(base, "GET", "/api/jobs?limit=100")
    ids = [j["id"] for j in json.loads(listing)["jobs"]]
    assert sorted(ids) == sorted([doomed["id"], *queued]) and len(ids) == len(set(ids))
    assert leftovers(data) == {}


def whole_response(conn: socket.socket) -> bytes:
    """One HTTP response with a Content-Length, read to its last byte."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_request_head_that_never_completes_is_dropped(tmp_path):
    """Slowloris: a request's head sent a byte at a time, or a connection that says nothing, is
    closed at the header deadline (a started head with a 408 in JSON); descriptors come back, and
    a slow client that does finish its head in time is answered."""
    data = tmp_path / "data"
    process, base = start_server(data, workers=1, extra=["--header-timeout", "1.5"])
    port = int(base.rsplit(":", 1)[1])
    try:
        baseline = open_files(process.pid)
        dribbling = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(20)]
        silent = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(20)]
        started = time.monotonic()
        head = f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ".encode()
        for index in range(4):  # a byte every 0.4 s, until just before the deadline: never idle for long
            for conn in dribbling:
                conn.sendall(head if index == 0 else b"a")
            time.sleep(0.35)
        answers = [conn.recv(4096) for conn in dribbling]
        closed = [conn.recv(4096) for conn in silent]
        waited = time.monotonic() - started
        assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[:2]
        assert json.loads(answers[0].split(b"\r\n\r\n", 1)[1]) == {
            "error": "the request's headers did not arrive within 1.5 s; send it again"}
        assert closed == [b""] * len(silent)  # nothing asked, nothing answered: just closed
        assert waited < 5, waited
        for conn in dribbling + silent:
            conn.close()
        time.sleep(0.3)
        assert open_files(process.pid) <= baseline + 2

        # A slow client that completes its head in time, then keeps the connection for a second request.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            request = f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
            conn.sendall(request[:10])
            time.sleep(0.8)
            conn.sendall(request[10:])
            assert whole_response(conn).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.5)
            conn.sendall(request)
            assert whole_response(conn).startswith(b"HTTP/1.1 200 ")
    finally:
        stop_server(process)
