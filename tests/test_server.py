"""The studio's REST API: every endpoint and every bad input, without starting render workers."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
from fastapi.testclient import TestClient

from server_probes import jpeg_bytes
from stillmotion.server import create_app
from stillmotion.server.store import Store

PHOTO = jpeg_bytes()
LOCAL = "http://localhost"  # the studio answers to its own host names only (TestClient's default is "testserver")


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data):
    app = create_app(data, start_workers=False, max_upload_mb=1)
    with TestClient(app, base_url=LOCAL) as client:
        yield client


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One app for the tests that only add jobs: its planning process starts once, not per test."""
    data = tmp_path_factory.mktemp("shared") / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        yield client, data


def submit(client, photo=PHOTO, name="photo.jpg", **fields):
    files = {"photo": (name, photo, "image/jpeg")} if photo is not None else None
    return client.post("/api/jobs", files=files, data={k: str(v) for k, v in fields.items()})


def finish_fake(data: Path, job_id: str, content: bytes = bytes(range(256)) * 40) -> None:
    """Mark a job done with a stand-in video file, as a worker would (to test the serving side alone)."""
    store = Store(data)
    job = store.claim(pid=0)
    assert job.id == job_id
    path = store.video_path(job.id, job.format)
    path.write_bytes(content)
    store.finish(job, "done", video=path)


# --- POST /api/jobs and GET /api/jobs/{id} ---------------------------------------------------
def test_submit_answers_202_with_id_and_status(client):
    answer = submit(client, prompt="rain on the window", duration=2, resolution=480, aspect="9:16", seed=5, loop="true", camera="orbit",
                    format="webm")
    assert answer.status_code == 202
    body = answer.json()
    assert body["status"] == "queued" and len(body["id"]) == 16
    assert answer.headers["location"] == f"/api/jobs/{body['id']}"

    job = client.get(f"/api/jobs/{body['id']}").json()
    assert job["id"] == body["id"] and job["status"] == "queued" and job["progress"] == 0
    assert job["error"] is None and job["video_url"] is None and job["plan"] is None
    assert job["created"].endswith("Z")
    assert job["prompt"] == "rain on the window" and job["format"] == "webm"
    assert job["options"] == {"duration": 2.0, "resolution": 480, "aspect": "9:16", "seed": 5, "loop": True, "camera": "orbit"}


def test_uploads_are_stored_under_generated_names(client, data):
    from stillmotion.server.worker import make_thumbnail

    body = submit(client, name="my holiday (1).jpg").json()
    stored = [p.name for p in (data / "uploads").iterdir()]
    assert stored == [f"{body['id']}.jpg"]
    # The server never decodes a photo: the worker that takes the job makes its thumbnail.
    assert list((data / "thumbs").iterdir()) == []
    assert client.get(f"/api/jobs/{body['id']}").json()["thumbnail_url"] is None
    assert client.get(f"/api/jobs/{body['id']}/thumbnail").status_code == 404
    make_thumbnail(data / "uploads" / stored[0], data / "thumbs" / f"{body['id']}.jpg")
    thumbnail = client.get(client.get(f"/api/jobs/{body['id']}").json()["thumbnail_url"])
    assert thumbnail.headers["content-type"] == "image/jpeg" and thumbnail.content.startswith(b"\xff\xd8")


def test_png_keeps_its_own_extension(client, data):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(buffer, format="PNG")
    body = submit(client, photo=buffer.getvalue(), name="shot.jpg").json()  # the name lies; the content decides
    assert (data / "uploads" / f"{body['id']}.png").exists()


@pytest.mark.parametrize("name", ["../evil.jpg", "a/b.jpg", "..\\evil.jpg", "/etc/passwd"])
def test_filename_with_path_components_is_refused(client, data, name):
    answer = submit(client, name=name)
    assert answer.status_code == 400
    assert "path components" in answer.json()["error"]
    assert list((data / "uploads").iterdir()) == [] and list((data / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "photo, words",
    [
        (b"this is a text file, not a photo", "not a photo"),
        (PHOTO[:20], "truncated or corrupt JPEG"),  # cut inside its header (cut in its pixels: the worker says so)
        (b"", "empty"),
    ],
)
def test_non_image_corrupt_or_empty_upload_is_refused(client, data, photo, words):
    answer = submit(client, photo=photo)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert words in body["error"] and body["field"] == "photo"
    assert str(data) not in body["error"]  # no server paths in messages
    assert list((data / "tmp").iterdir()) == []


def test_missing_photo_is_refused(client):
    answer = client.post("/api/jobs", data={"prompt": "rain"}, files={"other": ("x.txt", b"x")})
    assert answer.status_code == 400
    answer = client.post("/api/jobs", files={"prompt": (None, "rain")})
    assert answer.status_code == 422 and "photo is required" in answer.json()["error"]


def test_not_multipart_is_refused(client):
    answer = client.post("/api/jobs", json={"prompt": "rain"})
    assert answer.status_code == 415 and "multipart/form-data" in answer.json()["error"]


def test_oversized_upload_is_refused(client, data):
    big = jpeg_bytes(1200, 1000, seed=1) + bytes(1_500_000)  # over the 1 MB limit of this app
    answer = submit(client, photo=big)
    assert answer.status_code == 413
    assert "1 MB limit" in answer.json()["error"]
    assert list((data / "tmp").iterdir()) == [] and list((data / "uploads").iterdir()) == []


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("duration", "0", "out of range"),
        ("duration", "61", "out of range"),
        ("duration", "ten", "not a number"),
        ("resolution", "333", "not allowed"),
        ("aspect", "3:2", "not allowed"),
        ("fps", "29", "not allowed"),
        ("seed", "-1", "out of range"),
        ("seed", "1.5", "not a whole number"),
        ("strength", "2", "out of range"),
        ("loop", "maybe", "not true or false"),
        ("camera", "spin", "not allowed"),
        ("format", "avi", "not allowed"),
        ("fit", "stretch", "not allowed"),
        ("prompt", "x" * 2001, "too long"),
        ("colour", "red", "unknown field"),
    ],
)
def test_out_of_range_options_are_refused(client, data, field, value, words):
    answer = submit(client, **{field: value})
    assert answer.status_code == 422
    body = answer.json()
    assert words in body["error"] and body["field"] == field
    assert list((data / "uploads").iterdir()) == []


# --- plans ------------------------------------------------------------------------------------
def test_plan_endpoint_returns_plan_and_explanation(shared):
    client, data = shared
    uploads_before = sorted((data / "uploads").iterdir())
    answer = client.post("/api/plan", files={"photo": ("beach.jpg", PHOTO, "image/jpeg")},
                         data={"prompt": "waves", "resolution": "720", "aspect": "1:1"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["plan"]["canvas"]["resolution"] == 720 and body["plan"]["canvas"]["aspect"] == "1:1"
    assert body["plan"]["photo"] == "beach.jpg" and body["plan"]["prompt"] == "waves"
    assert body["explanation"] == body["plan"]["explanation"] and any("upscaled" in e for e in body["explanation"])
    assert list((data / "tmp").iterdir()) == [] and sorted((data / "uploads").iterdir()) == uploads_before  # nothing kept


def test_plan_endpoint_refuses_bad_input(shared):
    client, _ = shared
    assert client.post("/api/plan", files={"photo": ("a.jpg", b"nope", "image/jpeg")}).status_code == 400
    assert client.post("/api/plan", files={"photo": ("a.jpg", PHOTO, "image/jpeg")}, data={"duration": "99"}).status_code == 422


def test_a_full_plan_can_be_submitted_and_edited(shared):
    client, data = shared
    plan = client.post("/api/plan", files={"photo": ("beach.jpg", PHOTO, "image/jpeg")}, data={"resolution": "480"}).json()["plan"]
    plan["camera"]["type"] = "orbit"
    plan["seed"] = 42
    answer = submit(client, plan=json.dumps(plan), format="gif")
    assert answer.status_code == 202, answer.text
    job = client.get(f"/api/jobs/{answer.json()['id']}").json()
    assert job["plan"]["camera"]["type"] == "orbit" and job["plan"]["seed"] == 42 and job["format"] == "gif"
    assert job["plan"]["photo"] == f"{job['id']}.jpg"  # the stored photo, not the client's name
    stored = Store(data).get(job["id"])
    assert stored.plan["photo"] == str(data / "uploads" / f"{job['id']}.jpg")


@pytest.mark.parametrize(
    "plan, words",
    [
        ("{not json", "not valid JSON"),
        ('{"photo": "x.jpg", "canvas": {"duration": 500}}', "canvas.duration"),
        ('{"photo": "x.jpg", "camera": {"kind": "orbit"}}', "unknown key"),
        ('{"photo": "x.jpg", "photo_sha256": "' + "0" * 64 + '"}', "different photo"),
    ],
)
def test_invalid_plan_is_refused(client, data, plan, words):
    answer = submit(client, plan=plan)
    assert answer.status_code == 422
    assert words in answer.json()["error"] and answer.json()["field"] == "plan"
    assert list((data / "uploads").iterdir()) == [] and list((data / "thumbs").iterdir()) == []


@pytest.mark.parametrize(
    "extra, words",
    [
        ({"depth": "/etc/models/evil.onnx"}, "depth"),
        ({"effects": [{"type": "water", "region": {"mask": "/etc/secret.png"}}]}, "mask files cannot be sent"),
        ({"effects": [{"type": "rain", "freeze": {"mask": "/home/me/face.png"}}]}, "mask files cannot be sent"),
    ],
)
def test_a_plan_may_not_name_server_files(client, data, extra, words):
    plan = {"photo": "x.jpg", **extra}
    answer = submit(client, plan=json.dumps(plan))
    assert answer.status_code == 422, answer.text
    assert words in answer.json()["error"]
    assert list((data / "uploads").iterdir()) == []


def test_plan_and_options_together_are_refused(client):
    answer = submit(client, plan='{"photo": "x.jpg"}', duration=5)
    assert answer.status_code == 422 and "not both" in answer.json()["error"]


def test_photo_from_reuses_an_earlier_jobs_photo(client, data):
    first = submit(client, prompt="rain").json()["id"]
    second = client.post("/api/jobs", data={"photo_from": first, "prompt": "snow", "seed": "9"})
    assert second.status_code == 202, second.text
    second = second.json()["id"]
    assert (data / "uploads" / f"{second}.jpg").read_bytes() == PHOTO
    # Deleting the first job leaves the second one's photo in place.
    client.delete(f"/api/jobs/{first}")
    client.delete(f"/api/jobs/{first}")
    assert (data / "uploads" / f"{second}.jpg").exists()
    assert client.post("/api/jobs", data={"photo_from": "0123456789abcdef"}).status_code == 404
    both = client.post("/api/jobs", files={"photo": ("a.jpg", PHOTO)}, data={"photo_from": second})
    assert both.status_code == 422


# --- listing, cancelling, deleting, serving -----------------------------------------------------
def test_list_is_newest_first_and_paginated(client):
    ids = [submit(client, prompt=f"job {i}").json()["id"] for i in range(5)]
    page = client.get("/api/jobs?limit=2").json()
    assert [j["id"] for j in page["jobs"]] == ids[::-1][:2]
    assert page["total"] == 5 and page["next"] == "/api/jobs?limit=2&offset=2"
    last = client.get("/api/jobs?limit=2&offset=4").json()
    assert [j["id"] for j in last["jobs"]] == [ids[0]] and last["next"] is None
    assert client.get("/api/jobs?limit=0").status_code == 422
    assert client.get("/api/jobs?limit=500").status_code == 422
    assert client.get("/api/jobs?offset=-1").status_code == 422
    bad = client.get("/api/jobs?limit=many")
    assert bad.status_code == 422 and "limit" in bad.json()["error"]


@pytest.mark.parametrize("job_id", ["0123456789abcdef", "nope", "..%2F..%2Fetc"])
def test_unknown_job_id_is_404_everywhere(client, job_id):
    for method, path in [("GET", ""), ("GET", "/events"), ("GET", "/video"), ("GET", "/thumbnail"), ("DELETE", "")]:
        answer = client.request(method, f"/api/jobs/{job_id}{path}")
        assert answer.status_code == 404, (method, path, answer.text)
        assert "error" in answer.json()


def test_delete_cancels_a_queued_job_then_deletes_it(client, data):
    job_id = submit(client).json()["id"]
    answer = client.delete(f"/api/jobs/{job_id}")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "cancelled"
    assert client.get(f"/api/jobs/{job_id}/video").status_code == 409
    answer = client.delete(f"/api/jobs/{job_id}")
    assert answer.json()["status"] == "deleted"
    assert client.get(f"/api/jobs/{job_id}").status_code == 404
    assert list((data / "uploads").iterdir()) == [] and list((data / "thumbs").iterdir()) == []


def test_a_running_job_is_asked_to_stop(client, data):
    job_id = submit(client).json()["id"]
    Store(data).claim(pid=0)
    answer = client.delete(f"/api/jobs/{job_id}")
    assert answer.status_code == 202 and answer.json()["status"] == "cancelling"
    assert Store(data).get(job_id).cancel is True


def test_video_is_served_with_range_requests_and_deleted_with_the_job(client, data):
    job_id = submit(client, format="mp4").json()["id"]
    assert client.get(f"/api/jobs/{job_id}/video").status_code == 409
    content = bytes(range(256)) * 40
    finish_fake(data, job_id, content)
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "done" and job["progress"] == 1 and job["video_url"] == f"/api/jobs/{job_id}/video"

    whole = client.get(job["video_url"])
    assert whole.status_code == 200 and whole.content == content and whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    part = client.get(job["video_url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(content)}"
    assert client.get(job["video_url"], headers={"Range": f"bytes={len(content) + 10}-"}).status_code == 416
    download = client.get(job["video_url"] + "?download=1")
    assert download.headers["content-disposition"].startswith("attachment")

    assert client.delete(f"/api/jobs/{job_id}").json()["status"] == "deleted"
    assert list((data / "videos").iterdir()) == []


def test_events_stream_ends_with_the_job(client, data):
    job_id = submit(client).json()["id"]
    finish_fake(data, job_id)
    with client.stream("GET", f"/api/jobs/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block for block in text.split("\n\n") if block.strip()]
    assert events[-1].startswith("event: end\ndata: ")
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert final["status"] == "done" and final["id"] == job_id


# --- the page, docs, token --------------------------------------------------------------------
def test_page_and_docs_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "stillmotion studio" in page.text
    assert "http://" not in page.text.replace("http://www.w3.org", "")  # nothing from elsewhere: works offline
    for name in ("app.js", "style.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/..%2Fapp.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/jobs", "/api/jobs/{job_id}", "/api/jobs/{job_id}/events", "/api/jobs/{job_id}/video", "/api/plan"):
        assert path in paths
    assert client.get("/docs").status_code == 200
    info = client.get("/api/info").json()
    assert info["max_upload_mb"] == 1 and "orbit" in info["choices"]["camera"]


def test_token_protects_every_endpoint(data):
    app = create_app(data, start_workers=False, token="s3cret")
    with TestClient(app, base_url=LOCAL) as client:
        for path in ("/", "/api/jobs", "/api/info", "/docs", "/openapi.json", "/static/app.js", "/api/jobs/0123456789abcdef"):
            answer = client.get(path)
            assert answer.status_code == 401, path
        assert "token" in client.get("/api/jobs").json()["error"]
        assert submit(client).status_code == 401
        assert client.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/api/jobs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/api/jobs?token=s3cret").status_code == 200
        # Opening the page with ?token= sets a cookie; after that the page's own requests just work.
        answer = client.get("/?token=s3cret", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert "httponly" in answer.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200
        assert submit(client).status_code == 202


def test_serve_defaults_and_registration():
    import argparse

    from stillmotion.cli import COMMANDS, build_parser

    assert COMMANDS["serve"] == "stillmotion.server.cli"
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.workers == 1 and args.token is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--workers", "0"])
    assert isinstance(args, argparse.Namespace)


def test_serve_refuses_a_busy_port(tmp_path):
    import socket

    from stillmotion.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port), "--data", str(tmp_path / "d")]) == 1


def test_a_large_photo_under_the_limit_is_accepted(tmp_path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (900, 1000, 3), dtype=np.uint8)).save(buffer, format="PNG")
    assert 2_000_000 < len(buffer.getvalue()) < 5 * 1024 * 1024
    with TestClient(create_app(tmp_path / "data", start_workers=False, max_upload_mb=5), base_url=LOCAL) as client:
        answer = submit(client, photo=buffer.getvalue(), name="noise.png")
        assert answer.status_code == 202, answer.text


def test_missing_server_extra_gives_an_install_hint(monkeypatch, tmp_path, capsys):
    import sys

    from stillmotion.cli import main
    from stillmotion.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["serve", "--data", str(tmp_path / "d")]) == 1
    assert "pip install 'stillmotion[server]'" in capsys.readouterr().err

    monkeypatch.delitem(sys.modules, "stillmotion.server.app")
    monkeypatch.setitem(sys.modules, "fastapi", None)
    with pytest.raises(MissingDependency, match=r"stillmotion\[server\]"):
        create_app(tmp_path / "d")


@pytest.mark.slow
def test_a_crashed_planning_process_is_replaced(tmp_path):
    import os
    import signal

    from stillmotion.server.worker import Planner

    photo = tmp_path / "p.jpg"
    photo.write_bytes(PHOTO)
    planner = Planner()
    try:
        assert planner.plan(str(photo), "", {"resolution": 480})["canvas"]["resolution"] == 480
        for pid in list(planner._pool._processes):
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match="planning process stopped"):
            for _ in range(3):  # the executor notices the death on the next call at the latest
                planner.plan(str(photo), "", {})
                time.sleep(0.2)
        assert planner.plan(str(photo), "", {"resolution": 720})["canvas"]["resolution"] == 720
    finally:
        planner.close()


def test_engine_and_model_fields_are_checked():
    from stillmotion.server.forms import ApiError, read_options

    assert read_options({"engine": "neural", "model": "svd-xt"}).render == {"engine": "neural", "model": "svd-xt"}
    assert read_options({}).render == {}
    for bad in ({"engine": "gpu"}, {"model": "/etc/passwd"}, {"model": "../models/x"}):
        with pytest.raises(ApiError) as err:
            read_options(bad)
        assert err.value.status == 422 and err.value.field == next(iter(bad))
