"""The studio's workers: real (tiny) renders, progress, cancellation, a crashed worker, formats."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time

import pytest

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
from fastapi.testclient import TestClient

from stillmotion.server import create_app
from stillmotion.server.store import Store
from stillmotion.server.worker import run_job


def png_bytes(width=320, height=240) -> bytes:
    from PIL import Image

    from conftest import scene_image

    buffer = io.BytesIO()
    Image.fromarray(scene_image(width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


PHOTO = png_bytes()


def submit(client, **fields):
    answer = client.post("/api/jobs", files={"photo": ("scene.png", PHOTO, "image/png")}, data={k: str(v) for k, v in fields.items()})
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def wait_for(client, job_id, predicate, timeout_s=240):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if predicate(job):
            return job
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state: {job}")


def test_run_job_in_process_plans_renders_and_records(tmp_path):
    """The worker's job function alone: the library makes the plan, renders, and the store sees it all."""
    store = Store(tmp_path / "data")
    photo = store.upload_path("0" * 16, ".png")
    photo.write_bytes(PHOTO)
    store.create("0" * 16, photo=photo, prompt="", options={"duration": 1.0, "resolution": 480}, plan=None, fmt="mp4")
    job = store.claim(os.getpid())
    seen = []
    original = store.set_progress

    def spy(job_, progress, stage):
        seen.append((progress, stage))
        return original(job_, progress, stage)

    store.set_progress = spy
    assert run_job(store, job, threading.Event()) == "done"
    done = store.get(job.id)
    assert done.status == "done" and done.progress == 1 and done.error is None
    assert done.plan["canvas"]["resolution"] == 480 and done.plan["photo"] == str(photo)
    assert [p for p, _ in seen] == sorted(p for p, _ in seen)  # the bar never moves backwards
    assert {"load", "render"} <= {s for _, s in seen}
    import av

    with av.open(done.video) as container:
        stream = container.streams.video[0]
        assert min(stream.codec_context.width, stream.codec_context.height) == 480


def test_run_job_records_a_library_error_in_words(tmp_path):
    store = Store(tmp_path / "data")
    photo = store.upload_path("1" * 16, ".png")
    photo.write_bytes(PHOTO)
    plan = {"photo": str(photo), "photo_sha256": "f" * 64, "canvas": {"duration": 1, "resolution": 480}}
    store.create("1" * 16, photo=photo, prompt="", options={}, plan=plan, fmt="mp4")
    assert run_job(store, store.claim(os.getpid()), threading.Event()) == "failed"
    failed = store.get("1" * 16)
    assert failed.status == "failed" and "photo has changed" in failed.error


def test_run_job_makes_the_thumbnail_and_a_broken_photo_fails_in_words(tmp_path):
    """The server only reads a photo's header: the worker's first decode finds what lies past it."""
    store = Store(tmp_path / "data")
    good, broken = store.upload_path("2" * 16, ".png"), store.upload_path("3" * 16, ".png")
    good.write_bytes(PHOTO)
    broken.write_bytes(PHOTO[: len(PHOTO) // 2])  # the header is whole, the pixels are cut
    for job_id, photo in (("2" * 16, good), ("3" * 16, broken)):
        store.create(job_id, photo=photo, prompt="", options={"duration": 1.0, "resolution": 480}, plan=None, fmt="gif")
    assert run_job(store, store.claim(os.getpid()), threading.Event()) == "done"
    assert store.thumb_path("2" * 16).read_bytes().startswith(b"\xff\xd8")
    assert run_job(store, store.claim(os.getpid()), threading.Event()) == "failed"
    failed = store.get("3" * 16)
    assert failed.error.startswith("the photo: truncated or corrupt PNG file"), failed.error
    assert str(tmp_path) not in failed.error  # no server paths in what the client reads
    assert not store.thumb_path("3" * 16).exists()


def test_an_outcome_is_recorded_once_the_store_can_be_written_again(tmp_path, monkeypatch):
    import sqlite3

    import stillmotion.server.worker as worker

    monkeypatch.setattr(worker, "BACKOFF_S", (0.01, 0.05))
    store = Store(tmp_path / "data")
    photo = store.upload_path("4" * 16, ".png")
    photo.write_bytes(b"not a photo")  # fails at once: what matters here is recording it
    store.create("4" * 16, photo=photo, prompt="", options={}, plan=None, fmt="mp4")
    job = store.claim(os.getpid())
    real_finish, tries = store.finish, []

    def full_disk_twice(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real_finish(*args, **kwargs)

    monkeypatch.setattr(store, "finish", full_disk_twice)
    assert run_job(store, job, threading.Event()) == "failed"
    assert len(tries) == 3 and store.get(job.id).status == "failed"


def test_a_worker_that_cannot_reach_the_store_waits_longer_each_time(tmp_path, monkeypatch):
    import sqlite3

    import stillmotion.server.worker as worker

    monkeypatch.setattr(worker, "BACKOFF_S", (0.01, 0.04))
    stop, tries, waits = threading.Event(), [], []
    store = Store(tmp_path / "data")

    def claim(pid):
        tries.append(time.monotonic())
        if len(tries) <= 4:
            raise sqlite3.OperationalError("database or disk is full")
        stop.set()  # then the store recovers: the worker carries on taking jobs
        return None

    monkeypatch.setattr(store, "claim", claim)
    real_wait = stop.wait
    monkeypatch.setattr(stop, "wait", lambda seconds: waits.append(seconds) or real_wait(seconds))
    worker.take_jobs(lambda: store, stop)
    assert len(tries) == 5 and waits[:4] == [0.01, 0.02, 0.04, 0.04]


def test_progress_that_cannot_be_written_does_not_stop_a_render(tmp_path, monkeypatch):
    import sqlite3

    store = Store(tmp_path / "data")
    job = store.create("5" * 16, photo=tmp_path / "p.png", prompt="", options={}, plan=None, fmt="mp4")
    tracker = worker_tracker(store, job)

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "set_progress", full)
    tracker.progress(type("Event", (), {"stage": "render", "fraction": 0.5})())  # logged, not raised
    assert tracker.cancelled() is False


def worker_tracker(store, job):
    from stillmotion.server.worker import JobTracker

    return JobTracker(store, job, threading.Event(), None)


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "data", workers=2)
    with TestClient(app, base_url="http://localhost") as client:
        yield client


@pytest.mark.slow
def test_jobs_render_in_workers_in_every_format(client, tmp_path):
    ids = {fmt: submit(client, duration=1, resolution=480, format=fmt, prompt="clouds") for fmt in ("mp4", "webm", "gif")}
    for fmt, job_id in ids.items():
        job = wait_for(client, job_id, lambda j: j["status"] not in ("queued", "running"))
        assert job["status"] == "done", job
        assert job["plan"]["canvas"]["duration"] == 1 and job["plan"]["prompt"] == "clouds"
        video = client.get(job["video_url"])
        assert video.status_code == 200 and len(video.content) > 1000
        assert video.headers["content-type"] == {"mp4": "video/mp4", "webm": "video/webm", "gif": "image/gif"}[fmt]
    part = client.get(f"/api/jobs/{ids['mp4']}/video", headers={"Range": "bytes=0-31"})
    assert part.status_code == 206 and len(part.content) == 32 and b"ftyp" in part.content


@pytest.mark.slow
def test_events_follow_a_render_to_its_end(client):
    job_id = submit(client, duration=2, resolution=480)
    progress = []
    with client.stream("GET", f"/api/jobs/{job_id}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                job = json.loads(line[6:])
                progress.append((job["status"], job["progress"]))
    assert progress[-1] == ("done", 1.0)
    assert any(status == "running" and 0 < p < 1 for status, p in progress), progress
    values = [p for _, p in progress]
    assert values == sorted(values)


@pytest.mark.slow
def test_cancel_stops_a_running_render_promptly(client, tmp_path):
    job_id = submit(client, duration=20, resolution=720)
    wait_for(client, job_id, lambda j: j["status"] == "running" and j["stage"] == "render" and j["progress"] > 0.12)
    asked = time.monotonic()
    answer = client.delete(f"/api/jobs/{job_id}")
    assert answer.status_code == 202 and answer.json()["status"] == "cancelling"
    job = wait_for(client, job_id, lambda j: j["status"] != "running", timeout_s=10)
    took = time.monotonic() - asked
    assert job["status"] == "cancelled" and job["progress"] < 0.9
    assert took < 5, f"the render took {took:.1f} s to stop"
    assert list((tmp_path / "data" / "videos").iterdir()) == []  # no partial video left
    # The worker is free again: the next job runs.
    assert wait_for(client, submit(client, duration=1, resolution=480), lambda j: j["status"] == "done")


@pytest.mark.slow
def test_a_crashed_worker_fails_its_job_and_the_server_carries_on(client, tmp_path):
    job_id = submit(client, duration=20, resolution=720)
    wait_for(client, job_id, lambda j: j["status"] == "running" and j["progress"] > 0.1)
    pid = Store(tmp_path / "data").get(job_id).worker_pid
    os.kill(pid, signal.SIGKILL)  # as the out-of-memory killer would
    job = wait_for(client, job_id, lambda j: j["status"] != "running", timeout_s=10)
    assert job["status"] == "failed" and "stopped unexpectedly" in job["error"] and "signal 9" in job["error"]
    assert client.get("/api/info").status_code == 200
    # Another job runs on the replacement worker.
    assert wait_for(client, submit(client, duration=1, resolution=480), lambda j: j["status"] == "done")
