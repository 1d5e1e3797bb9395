"""The studio under faults, in-process: a job store it cannot trust, two studios on one folder,
failures mid-submit, hostile plans and queries. Each gets one clear JSON error (or one line at
start-up), and no file is left without its job."""

from __future__ import annotations

import errno
import json
import sqlite3

import pytest

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
from fastapi.testclient import TestClient

from server_probes import jpeg_bytes, leftovers
from stillmotion.errors import StudioError
from stillmotion.server import create_app
from stillmotion.server.store import Store

LOCAL = "http://localhost"


PHOTO = jpeg_bytes()


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def client(data):
    with TestClient(create_app(data, start_workers=False), base_url=LOCAL, raise_server_exceptions=False) as client:
        yield client


def submit(client, **fields):
    return client.post("/api/jobs", files={"photo": ("p.jpg", PHOTO, "image/jpeg")}, data={k: str(v) for k, v in fields.items()})


def one_line_error(answer, status):
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    message = answer.json()["error"]
    assert "\n" not in message and "Traceback" not in message and len(message) < 300, message
    return message


# --- the job store tells the truth -------------------------------------------------------------
def test_an_empty_job_store_file_refuses_to_start(data):
    data.mkdir()
    (data / "jobs.db").write_bytes(b"")
    with pytest.raises(StudioError, match="empty file") as refused:
        create_app(data, start_workers=False)
    assert "\n" not in str(refused.value)
    assert (data / "jobs.db").stat().st_size == 0  # left as it was, not made into a fresh store


@pytest.mark.parametrize("damage", ["garbage", "torn"])
def test_a_damaged_job_store_refuses_to_start(data, damage):
    store = Store(data)
    for n in range(40):
        store.create(f"{n:016x}", photo=data / "uploads" / f"{n:016x}.jpg", prompt="x" * 500, options={}, plan=None, fmt="mp4")
    store.close()
    db = data / "jobs.db"
    if damage == "garbage":
        db.write_bytes(b"this is not a database at all" * 100)
    else:  # a valid header over damaged pages, as a crash of the disk leaves it
        content = bytearray(db.read_bytes())
        content[4096:12288] = bytes(range(256)) * 32
        db.write_bytes(bytes(content))
    for suffix in ("-wal", "-shm"):
        (data / f"jobs.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(StudioError) as refused:
        create_app(data, start_workers=False)
    assert "restore it from a backup" in str(refused.value) and "\n" not in str(refused.value)


def test_a_missing_job_store_beside_earlier_files_refuses_to_start(data):
    (data / "videos").mkdir(parents=True)
    (data / "videos" / "0123456789abcdef.mp4").write_bytes(b"a video")
    with pytest.raises(StudioError, match="no job store"):
        create_app(data, start_workers=False)
    assert (data / "videos" / "0123456789abcdef.mp4").exists() and not (data / "jobs.db").exists()


def test_serve_says_why_it_refuses_in_one_line(data, monkeypatch, capsys):
    from stillmotion.cli import main
    from stillmotion.server.launch import free_port

    data.mkdir()
    (data / "jobs.db").write_bytes(b"")
    assert main(["serve", "--port", str(free_port()), "--data", str(data)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "empty file" in lines[0], lines


def test_a_read_only_studio_serves_its_jobs_and_refuses_new_ones(data, client):
    job_id = submit(client).json()["id"]
    client.app.state.studio.read_only = "(as if the folder were read-only)"
    assert client.get(f"/api/jobs/{job_id}").status_code == 200
    assert "cannot be written" in one_line_error(submit(client), 503)
    assert leftovers(data) == {}


# --- two studios, one folder ---------------------------------------------------------------------
def test_a_second_studio_on_the_same_folder_is_refused(data):
    import os

    first = create_app(data, start_workers=False)
    with TestClient(first, base_url=LOCAL):
        with pytest.raises(StudioError, match=f"another studio \\(process {os.getpid()}\\)"):
            create_app(data, start_workers=False)
    with TestClient(create_app(data, start_workers=False), base_url=LOCAL) as again:  # the first has stopped
        assert again.get("/api/info").status_code == 200


# --- nothing is left behind ------------------------------------------------------------------------
def test_files_no_job_refers_to_are_removed_at_start(data):
    store = Store(data)
    kept = store.upload_path("a" * 16, ".jpg")
    kept.write_bytes(PHOTO)
    store.create("a" * 16, photo=kept, prompt="", options={}, plan=None, fmt="mp4")
    store.thumb_path("a" * 16).write_bytes(b"thumb")
    orphans = [store.upload_path("b" * 16, ".png"), store.thumb_path("b" * 16), store.video_path("b" * 16, "mp4")]
    for path in orphans:
        path.write_bytes(b"left by a crash")
    store.close()
    with TestClient(create_app(data, start_workers=False), base_url=LOCAL):
        pass
    assert kept.exists() and store.thumb_path("a" * 16).exists()
    assert not any(path.exists() for path in orphans)


@pytest.mark.parametrize("fault, status, words", [
    (OSError(errno.ENOSPC, "No space left on device"), 507, "disk is full"),
    (sqlite3.OperationalError("database or disk is full"), 507, "disk is full"),
    (sqlite3.OperationalError("attempt to write a readonly database"), 503, "cannot be written"),
    (OSError(errno.EROFS, "Read-only file system"), 503, "cannot write to its data folder"),
    (RuntimeError("a bug"), 500, "internal error (RuntimeError)"),
])
def test_a_failure_while_recording_the_job_answers_in_json_and_leaves_nothing(client, data, monkeypatch, fault, status, words):
    if isinstance(fault, sqlite3.Error):  # as SQLite raises them: with their result code
        fault.sqlite_errorcode = sqlite3.SQLITE_FULL if "full" in str(fault) else sqlite3.SQLITE_READONLY

    def fail(*args, **kwargs):
        raise fault

    monkeypatch.setattr(client.app.state.studio.store, "create", fail)
    assert words in one_line_error(submit(client), status)
    assert leftovers(data) == {} and list((data / "uploads").iterdir()) == []


def test_a_failure_after_reusing_a_photo_leaves_nothing(client, data, monkeypatch):
    first = submit(client).json()["id"]
    (data / "thumbs" / f"{first}.jpg").write_bytes(b"a thumbnail")
    monkeypatch.setattr(client.app.state.studio.store, "create", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    one_line_error(client.post("/api/jobs", data={"photo_from": first}), 507)
    assert sorted(p.name for p in (data / "uploads").iterdir()) == [f"{first}.jpg"]
    assert sorted(p.name for p in (data / "thumbs").iterdir()) == [f"{first}.jpg"]


def test_a_full_disk_while_the_upload_arrives_answers_507_and_leaves_nothing(client, data, monkeypatch):
    import builtins

    real_open = builtins.open

    class FullFile:
        def __init__(self, raw):
            self.raw = raw

        def write(self, chunk):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.raw.close()

    def open_full(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return FullFile(handle) if str(path).endswith(".upload") else handle

    monkeypatch.setattr(builtins, "open", open_full)
    assert "disk is full" in one_line_error(submit(client), 507)
    monkeypatch.undo()
    assert leftovers(data) == {}


# --- hostile plans and queries -------------------------------------------------------------------
def plan_with(**extra) -> str:
    return json.dumps({"photo": "x.jpg", **extra})


@pytest.mark.parametrize("plan, words", [
    ("[" * 20_000 + "]" * 20_000, "nests deeper than 12"),
    ("[" * 100_000 + "]" * 100_000, "a plan is at most 64 KB"),
    ('{"photo": "x.jpg", "effects": [' + "{" * 50 + "}" * 50 + "]}", "nests deeper"),
    (plan_with(prompt="p" * 400_000), "a plan is at most 64 KB"),
    (plan_with(prompt="p" * 2001), "prompt is 2001 characters"),
    (plan_with(effects=[{"type": "water", "region": {"name": "n" * 5000}}]), "effects.0.region.name is 5000 characters"),
    (plan_with(explanation=["e" * 3000]), "explanation.0 is 3000 characters"),
    (plan_with(unsupported=[{"phrase": "k" * 2500}]), "unsupported.0.phrase"),
    (json.dumps({"photo": "x.jpg", "k" * 2500: 1}), "(a key)"),
])
def test_a_hostile_plan_is_refused_in_one_line_and_leaves_nothing(client, data, plan, words):
    message = one_line_error(submit(client, plan=plan), 422 if len(plan) < 512 * 1024 else 413)
    assert words in message, message
    assert leftovers(data) == {} and list((data / "uploads").iterdir()) == []


def test_brackets_inside_text_are_not_nesting(client):
    assert submit(client, plan=plan_with(prompt="[{" * 40 + "\\\"" + "]}" * 3)).status_code == 202


@pytest.mark.parametrize("query, field", [
    ("offset=9223372036854775808", "offset"), ("offset=99999999999999999999999", "offset"), ("offset=-1", "offset"),
    ("offset=2147483648", "offset"), ("limit=101", "limit"), ("limit=0", "limit"),
])
def test_offset_and_limit_are_bounded(client, query, field):
    answer = client.get(f"/api/jobs?{query}")
    assert field in one_line_error(answer, 422)
    assert client.get("/api/jobs?offset=2147483647&limit=100").status_code == 200


def test_a_long_file_name_is_refused(client, data):
    answer = client.post("/api/jobs", files={"photo": ("x" * 300 + ".jpg", PHOTO, "image/jpeg")})
    assert "304 characters" in one_line_error(answer, 400)
    assert leftovers(data) == {}


# --- API polish ------------------------------------------------------------------------------------
def test_head_on_a_video_and_a_thumbnail(client, data):
    job_id = submit(client).json()["id"]
    store = client.app.state.studio.store
    job = store.claim(pid=0)
    store.video_path(job_id, "mp4").write_bytes(b"v" * 1000)
    store.finish(job, "done", video=store.video_path(job_id, "mp4"))
    head = client.head(f"/api/jobs/{job_id}/video")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == "1000" and head.headers["accept-ranges"] == "bytes"
    assert client.head(f"/api/jobs/{job_id}/thumbnail").status_code == 404  # no worker made one here
    assert client.head("/api/jobs/0123456789abcdef/video").status_code == 404


@pytest.mark.parametrize("method, path, allowed", [
    ("PUT", "/api/jobs", "GET, POST"),
    ("PATCH", "/api/jobs/0123456789abcdef", "DELETE, GET"),
    ("POST", "/api/jobs/0123456789abcdef/video", "GET, HEAD"),
    ("DELETE", "/api/info", "GET"),
    ("PUT", "/api/plan", "POST"),
])
def test_method_not_allowed_lists_every_method_of_the_path(client, method, path, allowed):
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert answer.headers["allow"] == allowed
    assert allowed in answer.json()["error"]


def test_openapi_marks_required_fields_engine_model_and_errors(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/jobs", "/api/plan"):
        operation = spec["paths"][path]["post"]
        body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert body["anyOf"] == [{"required": ["photo"]}, {"required": ["photo_from"]}]
        assert {"engine", "model", "photo", "photo_from", "plan", "prompt"} <= set(body["properties"])
        assert "neural" in body["properties"]["engine"]["enum"] and body["properties"]["model"]["enum"]
        for status in ("400", "403", "413", "415", "422", "500", "503", "507"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error["required"] == ["error"], (path, status)
    assert {"404", "409", "416"} <= set(spec["paths"]["/api/jobs/{job_id}/video"]["get"]["responses"])
    assert "422" in spec["paths"]["/api/jobs"]["get"]["responses"]


def test_plan_endpoint_takes_an_earlier_jobs_photo(client, monkeypatch):
    job_id = submit(client).json()["id"]
    seen = {}

    def plan(path, prompt, options):
        seen.update(path=path, prompt=prompt)
        return {"photo": path, "explanation": ["made"]}

    monkeypatch.setattr(client.app.state.studio.planner, "plan", plan)
    answer = client.post("/api/plan", data={"photo_from": job_id, "prompt": "snow"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["plan"]["photo"] == f"{job_id}.jpg" and seen["prompt"] == "snow"
    assert client.post("/api/plan", data={"photo_from": "0123456789abcdef"}).status_code == 404
