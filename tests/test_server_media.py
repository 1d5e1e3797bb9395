"""The studio's sound: a user's own audio file uploaded with a job (checked in the planning
process, stored under a generated name, named by plans only as the studio's own upload), the
audio options, and a plan read back from a stillmotion video to edit and render again."""

from __future__ import annotations

import io
import json
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

# The `test` extra pulls the studio's dependencies: without them these tests fail, never skip quietly.
from fastapi.testclient import TestClient

from stillmotion.server import create_app
from stillmotion.server.store import Store

LOCAL = "http://localhost"


def png_bytes(width=320, height=240, seed=0) -> bytes:
    from PIL import Image

    from conftest import scene_image

    buffer = io.BytesIO()
    Image.fromarray(scene_image(width, height, seed=seed)).save(buffer, format="PNG")
    return buffer.getvalue()


def wav_bytes(seconds=1.0, rate=22050, freq=330.0) -> bytes:
    """A mono 16-bit tone as WAV, made with the standard library."""
    t = np.arange(int(seconds * rate)) / rate
    samples = (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


PHOTO, TONE = png_bytes(), wav_bytes()


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """One app for these tests: its planning process (which checks audio files) starts once."""
    data = tmp_path_factory.mktemp("sound") / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        yield client, data


def post(client, path="/api/jobs", photo=PHOTO, sound=None, sound_name="song.wav", **fields):
    """A form: the photo, the user's audio file (`sound`), and text fields (`audio` among them)."""
    files = {}
    if photo is not None:
        files["photo"] = ("scene.png", photo, "image/png")
    if sound is not None:
        files["audio_file"] = (sound_name, sound, "audio/wav")
    return client.post(path, files=files or None, data={k: str(v) for k, v in fields.items()})


def leftovers(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "tmp").iterdir())


# --- a job with the user's own audio --------------------------------------------------------
def test_an_audio_file_is_checked_and_kept_under_a_generated_name(studio):
    client, data = studio
    answer = post(client, sound=TONE, sound_name="my song (live).wav", prompt="waves", audio_volume="0.5")
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    stored = data / "uploads" / f"{job_id}-audio.wav"
    assert stored.read_bytes() == TONE
    job = client.get(f"/api/jobs/{job_id}").json()
    # The options name the stored file (no folder): the worker hands its path to the director.
    assert job["prompt"] == "waves" and job["options"] == {"audio_volume": 0.5, "audio": f"{job_id}-audio.wav"}
    assert str(data) not in json.dumps(job)
    assert Store(data).get(job_id).audio == str(stored)
    assert leftovers(data) == []


@pytest.mark.parametrize("audio, words", [
    (b"this is a text file, not music", "not an audio file FFmpeg can read"),
    (png_bytes(32, 24), "no audio stream"),
    (b"", "empty"),
])
def test_a_bad_audio_file_is_one_sentence_and_leaves_nothing(studio, audio, words):
    client, data = studio
    before = sorted(p.name for p in (data / "uploads").iterdir())
    answer = post(client, sound=audio, sound_name="notes.mp3")
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert words in body["error"] and body["field"] == "audio_file"
    assert "notes.mp3" in body["error"] or words == "empty"
    assert str(data) not in body["error"] and "\n" not in body["error"] and "Traceback" not in body["error"]
    assert sorted(p.name for p in (data / "uploads").iterdir()) == before  # neither the photo nor the audio kept
    assert leftovers(data) == []


def test_an_audio_file_over_the_limit_is_refused_while_streaming(studio):
    client, data = studio
    answer = post(client, sound=b"\0" * (1024 * 1024 + 1), sound_name="long.wav")
    assert answer.status_code == 413 and answer.json() == {"error": "the audio file is larger than the 1 MB limit",
                                                           "field": "audio_file"}
    assert leftovers(data) == []


def test_a_body_over_what_its_files_may_take_together_is_refused_before_reading(studio):
    client, data = studio
    answer = post(client, photo=b"\0" * (1024 * 1024), sound=b"\0" * (1024 * 1024), prompt="x" * (1024 * 1024 + 10))
    assert answer.status_code == 413
    assert answer.json()["error"] == "the upload is too large: the photo and the audio file have a 1 MB limit each"
    assert leftovers(data) == []


@pytest.mark.parametrize("name", ["../song.wav", "a/b.wav", "..\\song.wav"])
def test_an_audio_file_name_with_path_components_is_refused(studio, name):
    client, data = studio
    answer = post(client, sound=TONE, sound_name=name)
    assert answer.status_code == 400 and "audio file's file name" in answer.json()["error"]
    assert leftovers(data) == []


def test_a_file_and_an_audio_choice_at_once_are_refused(studio):
    client, _ = studio
    answer = post(client, sound=TONE, audio="none")
    assert answer.status_code == 422 and "either an audio file or the audio option" in answer.json()["error"]


@pytest.mark.parametrize("value", ["/etc/passwd", "song.mp3", "../uploads/x.wav", "0123456789abcdef-audio.wav"])
def test_the_audio_option_names_no_file_but_the_studios_own(studio, value):
    client, _ = studio
    answer = post(client, audio=value)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "audio" and "/etc" not in answer.json()["error"][40:]


def test_the_models_sound_needs_the_neural_engine_and_a_sounding_model(studio):
    client, _ = studio
    answer = post(client, audio="model")
    assert answer.status_code == 422 and "neural engine" in answer.json()["error"]
    answer = post(client, audio="model", engine="neural", model="ltx-video")
    assert answer.status_code == 422 and "makes no sound" in answer.json()["error"]
    assert post(client, audio="model", engine="neural", model="ltx-2").status_code == 202
    assert post(client, audio="none", audio_volume="2").status_code == 202


def test_a_variant_reuses_the_audio_by_its_stored_name_and_owns_its_copy(studio):
    client, data = studio
    first = post(client, sound=TONE).json()["id"]
    name = client.get(f"/api/jobs/{first}").json()["options"]["audio"]
    answer = post(client, photo=None, photo_from=first, audio=name, seed=5)
    assert answer.status_code == 202, answer.text
    second = answer.json()["id"]
    assert client.get(f"/api/jobs/{second}").json()["options"]["audio"] == f"{second}-audio.wav"
    # Deleting the first job (once finished) keeps the second's sound.
    with Store(data)._write() as db:
        db.execute("UPDATE jobs SET status='failed' WHERE id=?", (first,))
    assert client.delete(f"/api/jobs/{first}").status_code == 200
    assert not (data / "uploads" / f"{first}-audio.wav").exists()
    assert (data / "uploads" / f"{second}-audio.wav").read_bytes() == TONE


# --- plans name only the studio's own audio ------------------------------------------------
def plan_for(client, **changes) -> dict:
    """A real plan for PHOTO, made by the planning process, with some fields changed."""
    answer = post(client, "/api/plan", resolution=480, duration=1)
    assert answer.status_code == 200, answer.text
    return {**answer.json()["plan"], **changes}


def test_a_plan_may_name_only_the_studios_own_audio_files(studio):
    client, data = studio
    plan = plan_for(client)
    for outside in ("/etc/passwd", "song.wav", "../uploads/song.wav", str(data / "uploads" / "x-audio.wav")):
        answer = post(client, plan=json.dumps({**plan, "audio": {"mode": "file", "file": outside}}))
        assert answer.status_code == 422, answer.text
        assert "not one of this studio's audio files" in answer.json()["error"]
    # The studio's own (as a job shows it) is linked to the new job.
    owner = post(client, sound=TONE).json()["id"]
    own = {"mode": "file", "file": f"{owner}-audio.wav", "volume": 0.7}
    answer = post(client, plan=json.dumps({**plan, "audio": own}))
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["plan"]["audio"]["file"] == f"{job_id}-audio.wav" and job["plan"]["audio"]["volume"] == 0.7
    assert Store(data).get(job_id).plan["audio"]["file"] == str(data / "uploads" / f"{job_id}-audio.wav")


def test_an_audio_file_sent_with_a_plan_replaces_its_sound(studio):
    client, data = studio
    plan = plan_for(client, audio={"mode": "none", "volume": 1.5})
    answer = post(client, plan=json.dumps(plan), sound=TONE)
    assert answer.status_code == 202, answer.text
    job_id = answer.json()["id"]
    audio = client.get(f"/api/jobs/{job_id}").json()["plan"]["audio"]
    assert audio["mode"] == "file" and audio["file"] == f"{job_id}-audio.wav" and audio["volume"] == 1.5


def test_the_plan_preview_checks_the_audio_file_and_shows_its_name(studio):
    client, data = studio
    answer = post(client, "/api/plan", sound=TONE, sound_name="waves.wav", resolution=480, duration=1)
    assert answer.status_code == 200, answer.text
    assert answer.json()["plan"]["audio"]["mode"] == "file" and answer.json()["plan"]["audio"]["file"] == "waves.wav"
    bad = post(client, "/api/plan", sound=b"not audio at all", sound_name="waves.wav", resolution=480)
    assert bad.status_code == 400 and "waves.wav" in bad.json()["error"] and bad.json()["field"] == "audio_file"
    assert leftovers(data) == []


def test_info_tells_the_page_which_models_make_sound(studio):
    client, _ = studio
    info = client.get("/api/info").json()
    assert info["models"]["ltx-2"]["audio"] is True and info["models"]["ltx-video"]["audio"] is False
    assert isinstance(info["neural_installed"], bool)
    assert info["options"]["audio"]["enum"] == ["auto", "none", "model"]
    assert info["options"]["audio_volume"]["minimum"] == 0 and info["options"]["audio_volume"]["maximum"] == 4


def test_orphan_audio_files_are_removed_at_start(tmp_path):
    data = tmp_path / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        kept = post(client, sound=TONE).json()["id"]
    (data / "uploads" / "fedcba9876543210-audio.wav").write_bytes(TONE)  # no job has it
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL):
        pass
    assert not (data / "uploads" / "fedcba9876543210-audio.wav").exists()
    assert (data / "uploads" / f"{kept}-audio.wav").read_bytes() == TONE


def test_an_old_store_gets_the_new_columns(tmp_path):
    import sqlite3

    data = tmp_path / "data"
    data.mkdir()
    from stillmotion.server import store as store_module

    with sqlite3.connect(data / "jobs.db") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(store_module._SCHEMA)
        db.execute("INSERT INTO jobs (id, status, created, photo) VALUES ('0123456789abcdef', 'done', 0, '/nowhere.png')")
    store = Store.open(data)
    job = store.get("0123456789abcdef")
    assert job.audio is None and job.photo_sha256 is None
    assert store.with_photo("0" * 64) is None  # its missing photo is hashed as gone, once
    assert store.get("0123456789abcdef").photo_sha256 == ""


# --- the worker renders the user's audio ------------------------------------------------------
def test_a_job_with_a_user_audio_file_makes_a_video_with_that_sound(tmp_path):
    import av

    from stillmotion.server.worker import run_job

    data = tmp_path / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        job_id = post(client, sound=wav_bytes(0.8), prompt="", duration=1, resolution=480).json()["id"]
        store = Store(data)
        assert run_job(store, store.claim(pid=0), threading.Event()) == "done"
        job = store.get(job_id)
        with av.open(job.video) as container:
            (audio,) = container.streams.audio
            samples = np.concatenate([frame.to_ndarray().reshape(-1) for frame in container.decode(audio)])
        assert audio.codec_context.name == "aac" and audio.rate == 48000
        assert np.sqrt(np.mean(samples**2)) > 0.01
        assert job.plan["audio"]["mode"] == "file" and job.plan["audio"]["file"] == str(data / "uploads" / f"{job_id}-audio.wav")

        # The studio's own video, read back: its photo and its sound are both found, and the edited plan renders.
        found = from_video(client, Path(job.video).read_bytes()).json()
        assert found["photo_job"] == job_id and found["audio_found"] is True
        assert found["plan"]["audio"]["file"] == f"{job_id}-audio.wav" and found["plan"]["photo"] == f"{job_id}.png"
        answer = post(client, photo=None, photo_from=job_id, plan=json.dumps({**found["plan"], "seed": 2}))
        assert answer.status_code == 202, answer.text
        again = answer.json()["id"]
        assert (data / "uploads" / f"{again}-audio.wav").read_bytes() == (data / "uploads" / f"{job_id}-audio.wav").read_bytes()


# --- a plan read back from a video ------------------------------------------------------------
@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """Real stillmotion videos of PHOTO (MP4 with a user's sound, GIF), a video without a plan,
    and the photo itself."""
    import av

    import stillmotion

    folder = tmp_path_factory.mktemp("videos")
    photo = folder / "scene.png"
    photo.write_bytes(PHOTO)
    song = folder / "song.wav"
    song.write_bytes(TONE)
    made = {"photo": photo}
    made["mp4"] = stillmotion.animate(photo, folder / "clip.mp4", "clouds drifting", duration=1.0, resolution=480,
                                      seed=4, audio=str(song))
    made["gif"] = stillmotion.animate(photo, folder / "clip.gif", "clouds drifting", duration=1.0, resolution=480)
    plain = folder / "plain.mp4"
    with av.open(str(plain), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for packet in stream.encode(av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    made["plain"] = plain
    return made


def from_video(client, content: bytes | None, name="clip.mp4"):
    files = {"video": (name, content, "video/mp4")} if content is not None else {"prompt": (None, "rain")}
    return client.post("/api/plan/from-video", files=files)


def test_a_video_gives_back_its_plan_and_the_studio_finds_its_photo(tmp_path, videos):
    data = tmp_path / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        answer = from_video(client, videos["mp4"].read_bytes(), "holiday.mp4")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        plan = body["plan"]
        assert plan["photo"] == "scene.png" and plan["seed"] == 4 and plan["prompt"] == "clouds drifting"
        assert plan["audio"] == {**plan["audio"], "mode": "file", "file": "song.wav"}
        assert body["explanation"] == plan["explanation"] and body["explanation"]
        # No job has this photo yet, and song.wav is the user's own file, not one the studio stored.
        assert body["photo_job"] is None and body["audio_found"] is False
        assert leftovers(data) == [] and list((data / "uploads").iterdir()) == []  # the video is not kept

        # Once a job has the photo, the studio finds it by the plan's photo_sha256.
        owner = post(client, photo=videos["photo"].read_bytes()).json()["id"]
        again = from_video(client, videos["mp4"].read_bytes()).json()
        assert again["photo_job"] == owner

        # Edited and rendered again from that job's photo; its sound must be chosen again (the studio never had song.wav).
        edited = {**plan, "seed": 9}
        answer = post(client, photo=None, photo_from=owner, plan=json.dumps(edited))
        assert answer.status_code == 422 and "song.wav" in answer.json()["error"]
        answer = post(client, photo=None, photo_from=owner, plan=json.dumps(edited), sound=TONE)
        assert answer.status_code == 202, answer.text
        answer = post(client, photo=None, photo_from=owner, plan=json.dumps({**edited, "audio": {"mode": "none"}}))
        assert answer.status_code == 202, answer.text
        # Another photo is refused by the plan's photo hash.
        answer = post(client, photo=png_bytes(seed=9), plan=json.dumps({**edited, "audio": {"mode": "none"}}))
        assert answer.status_code == 422 and "different photo" in answer.json()["error"]


def test_a_gif_gives_back_its_plan_too(studio, videos):
    client, data = studio
    answer = from_video(client, videos["gif"].read_bytes(), "loop.mp4")  # the name lies; the first bytes decide
    assert answer.status_code == 200, answer.text
    assert answer.json()["plan"]["photo"] == "scene.png" and answer.json()["plan"]["audio"]["mode"] == "auto"
    assert leftovers(data) == []


@pytest.mark.parametrize("content, status, words", [
    ("plain", 422, "carries no stillmotion plan"),
    (b"just some text", 422, "not a video that can be read"),
    (b"", 400, "empty"),
    (None, 422, "a video is required"),
    (b"\x1aE\xdf\xa3" + b"\0" * 64, 422, "not a video that can be read"),  # a WebM's first bytes, then nothing
])
def test_a_video_without_a_plan_is_one_sentence(studio, videos, content, status, words):
    client, data = studio
    if content == "plain":
        content = videos["plain"].read_bytes()
    answer = from_video(client, content, "family.mp4")
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert words in error and str(data) not in error and "\n" not in error
    if status == 422 and content is not None:
        assert "family.mp4" in error
    assert leftovers(data) == []


def test_a_video_over_its_limit_is_refused_while_streaming(studio):
    client, data = studio
    answer = from_video(client, b"\0" * (4 * 1024 * 1024 + 1))
    assert answer.status_code == 413 and answer.json()["error"] == "the video is larger than the 4 MB limit"
    assert leftovers(data) == []


def test_an_audio_file_spoiled_after_it_was_accepted_fails_its_job_in_words(tmp_path):
    from stillmotion.server.worker import run_job

    data = tmp_path / "data"
    with TestClient(create_app(data, start_workers=False, max_upload_mb=1), base_url=LOCAL) as client:
        job_id = post(client, sound=TONE, duration=1, resolution=480).json()["id"]
    (data / "uploads" / f"{job_id}-audio.wav").write_bytes(b"no longer a sound")
    store = Store(data)
    assert run_job(store, store.claim(pid=0), threading.Event()) == "failed"
    error = store.get(job_id).error
    assert error.startswith("the audio file: not an audio file FFmpeg can read"), error
    assert str(data) not in error and "uploads" not in error
