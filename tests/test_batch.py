"""Batch: inputs, output names, skip rule, report, local pool, interruption and resume.

Renders are tiny (480p, 1 s, small photos made here); the ones that render are marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from stillmotion.batch import Defaults, run_batch
from stillmotion.batch.inputs import BatchInputError, read_input
from stillmotion.batch.jobs import (
    Item,
    Result,
    check_video,
    expected_frames,
    make_items,
    output_path,
    plan_hash,
    process_item,
)
from stillmotion.batch.runner import BatchProgress, Summary, remove_stale_parts
from stillmotion.errors import MissingDependency
from stillmotion.plan import Canvas, Plan

TINY = {"resolution": 480, "duration": 1.0}


def write_photo(path: Path, width: int = 160, height: int = 120, seed: int = 0) -> Path:
    """A small textured 'landscape': sky gradient over noisy ground, with a bright block."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.uint8)
    horizon = height // 3
    img[:horizon] = np.linspace([120, 160, 230], [170, 200, 240], horizon).astype(np.uint8)[:, None, :]
    img[horizon:] = rng.integers(40, 150, (height - horizon, width, 3), dtype=np.uint8)
    img[height // 3 : height * 3 // 4, width * 2 // 5 : width * 3 // 5] = (200 + seed * 10) % 256
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(path)
    return path


def make_folder(root: Path, good: int = 2, broken: bool = True) -> Path:
    """A folder of `good` photos (one in a subfolder), three broken .jpg files and a text file."""
    for i in range(good):
        write_photo(root / ("sub" if i % 2 else "") / f"photo{i}.{'png' if i % 2 else 'jpg'}", seed=i)
    if broken:
        whole = (root / "photo0.jpg").read_bytes()
        (root / "truncated.jpg").write_bytes(whole[: len(whole) // 3])
        (root / "text.jpg").write_text("this is not a photo")
        (root / "empty.jpg").write_bytes(b"")
        (root / "notes.txt").write_text("shot list")
    return root


def read_report(path: Path) -> dict[str, dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return {Path(r["input"]).name: r for r in lines}


def frame_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def tiny_plan(**changes) -> Plan:
    return Plan(photo="/a/b.jpg", photo_sha256="0" * 64, canvas=Canvas(resolution=480, duration=1.0), **changes)


# --- inputs ---------------------------------------------------------------------------------


def test_folder_walk_finds_photos_reports_others_and_leaves_out_the_output_folder(tmp_path):
    root = make_folder(tmp_path / "in")
    (root / ".DS_Store").write_text("x")
    write_photo(root / "videos" / "old.jpg")  # the output folder inside the input: never walked
    sources, ignored = read_input(root, exclude=root / "videos")
    assert [str(s.rel) for s in sources] == ["empty", "photo0", "text", "truncated", "sub/photo1"]
    assert all(s.photo.is_absolute() for s in sources)
    assert [(Path(i.path).name, i.reason) for i in ignored] == [("notes.txt", "not a photo (.txt)")]


def test_folder_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchInputError, match="empty"):
        read_input(tmp_path / "empty")
    with pytest.raises(BatchInputError, match="no such folder"):
        read_input(tmp_path / "missing")
    (tmp_path / "list.txt").write_text("a.jpg")
    with pytest.raises(BatchInputError, match="manifest"):
        read_input(tmp_path / "list.txt")


def test_csv_manifest_rows_override_defaults_and_bad_values_fail_only_their_row(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "photo,prompt,duration,seed,loop,camera,format\n"
        "a.jpg,rain on the street,2,7,yes,zoom_in,gif\n"
        "pics/b.png,,,,,,\n"
        "c.jpg,,two,,,,\n"
        "\n"
        f"{tmp_path.parent / 'elsewhere' / 'd.jpg'},,,,,,\n"
    )
    sources, ignored = read_input(manifest)
    assert ignored == []
    a, b, c, d = sources
    assert a.photo == tmp_path / "a.jpg" and a.prompt == "rain on the street" and a.format == "gif"
    assert a.options == {"duration": 2.0, "seed": 7, "loop": True, "camera": "zoom_in"}
    assert b.options == {} and b.prompt is None and str(b.rel) == "pics/b"
    assert c.error and "duration" in c.error and "m.csv:4" in c.error
    assert str(d.rel) == "d"  # outside the manifest's folder: filed by name

    items = make_items(sources, Defaults(prompt="slow push in", options={"duration": 1.0, "resolution": 480, "seed": None}))
    assert items[0].options == {"duration": 2.0, "resolution": 480, "seed": 7, "loop": True, "camera": "zoom_in"}
    assert items[0].prompt == "rain on the street" and items[0].format == "gif"
    assert items[1].options == {"duration": 1.0, "resolution": 480} and items[1].prompt == "slow push in"
    assert items[1].format == "mp4"


def test_manifest_errors_name_the_line(tmp_path):
    bad_column = tmp_path / "a.csv"
    bad_column.write_text("photo,durations\na.jpg,3\n")
    with pytest.raises(BatchInputError, match="unknown column.*durations"):
        read_input(bad_column)
    no_photo = tmp_path / "b.csv"
    no_photo.write_text("image,prompt\na.jpg,x\n")
    with pytest.raises(BatchInputError, match="'photo' column"):
        read_input(no_photo)
    bad_json = tmp_path / "c.jsonl"
    bad_json.write_text('{"photo": "a.jpg"}\n{"photo": "b.jpg",\n')
    with pytest.raises(BatchInputError, match=r"c.jsonl:2: not valid JSON"):
        read_input(bad_json)


def test_jsonl_manifest_keeps_json_types(tmp_path):
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"photo": "a.jpg", "resolution": 720, "loop": false, "strength": 0.25}\n\n{"photo": "b.jpg", "fps": 24.5}\n')
    a, b = read_input(manifest)[0]
    assert a.options == {"resolution": 720, "loop": False, "strength": 0.25} and a.error is None
    assert b.error and "fps" in b.error


# --- names, hashes, the skip check ----------------------------------------------------------


def test_plan_hash_ignores_explanation_and_photo_location_but_not_what_changes_frames():
    base = tiny_plan()
    assert plan_hash(base) == plan_hash(base.with_changes(explanation=["cropped"], photo="/elsewhere/b.jpg"))
    assert plan_hash(base) != plan_hash(base.with_changes(seed=1))
    assert plan_hash(base) != plan_hash(base.with_changes(photo_sha256="1" * 64))
    assert len(plan_hash(base)) == 10
    item = Item(0, Path("/in/x/b.jpg"), "x/b.jpg", "x/b", "", {}, "auto", "webm")
    assert output_path(item, base, Path("/out")) == Path(f"/out/x/b.{plan_hash(base)}.webm")


def test_expected_frames_for_gif_counts_the_frames_the_encoder_keeps():
    plan = tiny_plan()
    assert expected_frames(plan, "mp4") == 30
    assert expected_frames(plan, "gif") == 15  # 30 fps written at 15 fps


def _write_video(path: Path, frames: int) -> Path:
    from stillmotion.encode import VideoWriter

    with VideoWriter(path, (64, 48), 30) as writer:
        for i in range(frames):
            writer.write(np.full((48, 64, 3), i * 8, np.uint8))
    return path


def test_check_video_accepts_only_complete_videos_with_the_right_frame_count(tmp_path):
    video = _write_video(tmp_path / "v.mp4", 10)
    assert check_video(video, 10) is None
    assert check_video(video, 9) == "has 10 frames, expected 9"
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(video.read_bytes()[: video.stat().st_size // 2])
    assert check_video(cut, 10) is not None
    text = tmp_path / "text.mp4"
    text.write_text("not a video")
    assert "does not decode" in check_video(text, 10)


def test_stale_temporary_files_are_removed_and_live_ones_kept(tmp_path):
    old = tmp_path / "sub" / ".a.x1y2.mp4.part"
    old.parent.mkdir()
    old.write_bytes(b"half")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    live = tmp_path / ".b.z9.mp4.part"
    live.write_bytes(b"being written")
    keep = tmp_path / "notes.part"
    keep.write_text("not ours")
    assert remove_stale_parts(tmp_path) == 1
    assert not old.exists() and live.exists() and keep.exists()


def test_a_bad_photo_fails_its_item_with_a_reason_and_writes_nothing(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    item = Item(3, tmp_path / "empty.jpg", "in/empty.jpg", "empty", "", dict(TINY), "classical", "mp4")
    result = process_item(item, tmp_path / "out")
    assert (result.status, result.output, result.index) == ("failed", None, 3)
    assert result.error.startswith("file is empty")  # the report names the input: no path repeated
    assert not (tmp_path / "out").exists()
    row = Item(4, tmp_path / "x.jpg", "m.csv:3", "x", "", {}, "auto", "mp4", error="m.csv:3: duration: 'two' is not a number")
    assert process_item(row, tmp_path / "out").error == row.error


def test_progress_lines_and_summary_when_not_a_terminal(tmp_path):
    import io

    stream = io.StringIO()
    bar = BatchProgress(3, stream=stream)
    bar.update(Result("a.jpg", "a.mp4", "done", None, 1.0, 0))
    bar.update(Result("b.jpg", None, "failed", "file is empty", 0.0, 1))
    assert bar.eta() is not None and bar.eta() >= 0
    summary = Summary(total=3, counts={"done": 1, "skipped": 0, "failed": 1, "cancelled": 0}, not_photos=2, seconds=75,
                      failures=[Result("b.jpg", None, "failed", "file is empty")], report=tmp_path / "r.jsonl")
    bar.close(summary)
    text = stream.getvalue()
    assert "[1/3] done a.jpg" in text and "[2/3] failed b.jpg: file is empty" in text
    assert "failed: b.jpg: file is empty" in text
    assert "1 done, 0 skipped, 1 failed (2 non-photo files skipped); 1 not started in 1m15s" in text
    assert summary.failed


def test_batch_command_line(tmp_path):
    from stillmotion.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["batch", "in", "-o", "out", "-r", "480", "-d", "2", "--seed", "3", "--format", "webm", "--ray"])
    assert (args.resolution, args.duration, args.seed, args.format, args.ray, args.jobs) == (480, 2.0, 3, "webm", "", None)
    assert parser.parse_args(["batch", "in", "-o", "out", "--ray", "auto", "-j", "3"]).ray == "auto"
    with pytest.raises(SystemExit):
        parser.parse_args(["batch", "in", "-o", "out", "--jobs", "0"])


def test_ray_missing_gives_an_install_hint(monkeypatch):
    from stillmotion.batch.ray_runner import import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(MissingDependency, match=r"pip install 'stillmotion\[ray\]'"):
        import_ray()


# --- end to end (renders) -------------------------------------------------------------------


def _tiny_defaults(**options) -> Defaults:
    return Defaults(options={**TINY, **options}, depth="classical")


def _videos(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.rglob("*.mp4"))}


@pytest.mark.slow
def test_folder_to_videos_then_a_rerun_does_nothing(tmp_path):
    root = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    summary = run_batch(root, out, _tiny_defaults(), jobs=2, quiet=True)
    assert summary.counts == {"done": 2, "skipped": 0, "failed": 3, "cancelled": 0}
    assert summary.not_photos == 1 and summary.failed and not summary.interrupted

    report = read_report(out / "report.jsonl")
    assert set(report) == {"photo0.jpg", "photo1.png", "truncated.jpg", "text.jpg", "empty.jpg", "notes.txt"}
    assert report["notes.txt"]["status"] == "skipped"
    for name in ("truncated.jpg", "text.jpg", "empty.jpg"):
        assert report[name]["status"] == "failed" and report[name]["error"] and report[name]["output"] is None
    for name in ("photo0.jpg", "photo1.png"):
        record = report[name]
        assert record["status"] == "done" and record["error"] is None and record["seconds"] > 0
        assert check_video(Path(record["output"]), 30) is None
    assert Path(report["photo1.png"]["output"]).parent == out / "sub"
    assert not list(out.rglob("*.part"))

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.mp4")}
    again = run_batch(root, out, _tiny_defaults(), jobs=2, quiet=True)
    assert again.counts["done"] == 0 and again.counts["skipped"] == 2
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.mp4")} == before
    assert read_report(out / "report.jsonl")["photo0.jpg"]["status"] == "skipped"

    # A changed option is a different plan: a new video next to the old one, the old one kept.
    changed = run_batch(root, out, _tiny_defaults(seed=5), jobs=1, quiet=True)
    assert changed.counts["done"] == 2 and len(list(out.rglob("*.mp4"))) == 4


@pytest.mark.slow
def test_a_corrupt_output_is_rendered_again(tmp_path):
    root = make_folder(tmp_path / "in", good=1, broken=False)
    out = tmp_path / "out"
    run_batch(root, out, _tiny_defaults(), jobs=1, quiet=True)
    (video,) = out.rglob("*.mp4")
    good = video.read_bytes()
    video.write_bytes(good[: len(good) // 2])  # as a tool without atomic renames would leave it
    summary = run_batch(root, out, _tiny_defaults(), jobs=1, quiet=True)
    assert summary.counts["done"] == 1
    assert video.read_bytes() == good  # deterministic: the same bytes as the first time


@pytest.mark.slow
def test_manifest_rows_with_their_own_options(tmp_path):
    write_photo(tmp_path / "a.jpg")
    manifest = tmp_path / "list.csv"
    manifest.write_text("photo,seed,duration\na.jpg,1,\na.jpg,2,2\na.jpg,1,\nmissing.jpg,,\n")
    out = tmp_path / "out"
    summary = run_batch(manifest, out, _tiny_defaults(), jobs=2, quiet=True)
    assert summary.counts == {"done": 2, "skipped": 1, "failed": 1, "cancelled": 0}
    records = [json.loads(line) for line in (out / "report.jsonl").read_text().splitlines()]
    duplicate = [r for r in records if r["status"] == "skipped"]
    assert duplicate[0]["error"].startswith("same photo and options as")
    outputs = [Path(r["output"]) for r in records if r["status"] == "done"]
    assert len({p.name.split(".")[1] for p in outputs}) == 2  # two plans, two hashes
    assert sorted(frame_count(p) for p in outputs) == [30, 60]  # the second row's own duration
    missing = [r for r in records if r["input"] == "missing.jpg"][0]
    assert missing["status"] == "failed" and "not found" in missing["error"]


@pytest.mark.slow
def test_pool_and_one_process_make_the_same_bytes(tmp_path):
    root = make_folder(tmp_path / "in", good=3, broken=False)
    run_batch(root, tmp_path / "one", _tiny_defaults(), jobs=1, quiet=True)
    run_batch(root, tmp_path / "pool", _tiny_defaults(), jobs=2, quiet=True)
    one, pool = _videos(tmp_path / "one"), _videos(tmp_path / "pool")
    assert len(one) == 3 and one == pool


@pytest.mark.slow
def test_ctrl_c_loses_only_the_videos_in_flight_and_the_rerun_resumes(tmp_path):
    root = tmp_path / "in"
    count = 10  # enough work that the batch is still running when its first video appears
    for i in range(count):
        write_photo(root / f"p{i}.jpg", seed=i)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "stillmotion", "batch", str(root), "-o", str(out), "-r", "480", "-d", "3",
               "--depth", "classical", "--jobs", "2"]
    # A shell that starts a command in the background (`cmd &`) makes it ignore SIGINT, and an
    # ignored signal stays ignored in its children: give the batch the default a terminal gives it
    # (a handler of ours is reset to the default at exec).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 120
    while not list(out.rglob("*.mp4")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before its first video was seen: nothing to interrupt"
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()

    report = [json.loads(line) for line in (out / "report.jsonl").read_text().splitlines()]
    done = {r["input"] for r in report if r["status"] == "done"}
    assert 1 <= len(done) < count
    assert all(r["status"] in ("done", "cancelled") for r in report)
    assert not list(out.rglob("*.part")), "a temporary file survived"
    for record in report:
        if record["status"] == "done":
            assert check_video(Path(record["output"]), 90) is None
    finished = {p.name for p in out.rglob("*.mp4")}
    assert len(finished) == len(done)

    resumed = subprocess.run(command + ["-q"], capture_output=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr.decode()
    statuses = {r["input"]: r["status"] for r in map(json.loads, (out / "report.jsonl").read_text().splitlines())}
    assert {i for i, s in statuses.items() if s == "skipped"} == done
    assert sum(s == "done" for s in statuses.values()) == count - len(done)


@pytest.mark.slow
def test_exit_code_says_whether_anything_failed(tmp_path):
    from stillmotion.cli import main

    good = make_folder(tmp_path / "good", good=1, broken=False)
    assert main(["batch", str(good), "-o", str(tmp_path / "o1"), "-r", "480", "-d", "1", "--depth", "classical", "-q"]) == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.jpg").write_bytes(b"")
    assert main(["batch", str(bad), "-o", str(tmp_path / "o2"), "-q"]) == 1
    assert main(["batch", str(tmp_path / "nothing"), "-o", str(tmp_path / "o3")]) == 1  # one line, no traceback


def test_library_warnings_go_to_the_item_not_to_the_terminal(capsys):
    import logging

    from stillmotion.batch.jobs import _collect_warnings

    with _collect_warnings() as messages:
        logging.getLogger("stillmotion.frames").warning("effect 'x' is not implemented; skipped")
    logging.getLogger("stillmotion").info("after")  # the handler is gone again
    assert messages == ["effect 'x' is not implemented; skipped"]
    assert "not implemented" not in capsys.readouterr().err
    assert logging.getLogger("stillmotion").propagate


def test_an_output_folder_that_cannot_be_written_is_one_clear_error(tmp_path):
    from stillmotion.errors import OutputError

    root = make_folder(tmp_path / "in", good=1, broken=False)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(OutputError, match="cannot write there"):
        run_batch(root, blocker / "videos", _tiny_defaults(), jobs=1, quiet=True)


@pytest.mark.slow
def test_gif_and_webm_outputs_are_checked_and_skipped_like_mp4(tmp_path):
    root = make_folder(tmp_path / "in", good=1, broken=False)
    for fmt in ("gif", "webm"):
        defaults = Defaults(options=dict(TINY), depth="classical", format=fmt)
        first = run_batch(root, tmp_path / fmt, defaults, jobs=1, quiet=True)
        assert first.counts["done"] == 1, first.failures
        (video,) = (tmp_path / fmt).rglob(f"*.{fmt}")
        assert frame_count(video) == (15 if fmt == "gif" else 30)  # GIFs keep every 2nd frame of 30 fps
        assert run_batch(root, tmp_path / fmt, defaults, jobs=1, quiet=True).counts["skipped"] == 1


def test_another_engine_gets_another_output_name(tmp_path):
    from stillmotion.batch.jobs import Item, output_path
    from stillmotion.plan import Plan

    plan = Plan(photo="a.jpg")
    common = dict(index=0, photo=tmp_path / "a.jpg", shown="a.jpg", rel="a", prompt="", options={}, depth="auto", format="mp4")
    cpu = output_path(Item(**common), plan, tmp_path)
    neural = output_path(Item(**common, engine={"engine": "neural", "model": "svd-xt"}), plan, tmp_path)
    assert cpu != neural and neural.name.endswith(".neural-svd-xt.mp4") and cpu.name.count(".") == 2


def test_neural_items_ask_ray_for_a_gpu(tmp_path):
    from stillmotion.batch.jobs import Item
    from stillmotion.batch.ray_runner import resources_for

    common = dict(index=0, photo=tmp_path / "a.jpg", shown="a.jpg", rel="a", prompt="", options={}, depth="auto", format="mp4")
    assert resources_for(Item(**common)) == {}
    assert resources_for(Item(**common, engine={"engine": "neural"})) == {"num_gpus": 1}
