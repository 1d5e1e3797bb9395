"""Bad input through the real CLI: one clear line on stderr, a non-zero exit, no traceback, no file left.

Each case runs twice: as a user runs it (`python -m stillmotion animate ...` in a subprocess) and
in-process through `stillmotion.cli.main`. All these errors come before any rendering.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from stillmotion.cli import main

ERROR_PREFIX = "stillmotion: error:"
# What a non-interactive progress bar may print before the error: a stage name per line ("load...").
PROGRESS_LINE = re.compile(r"^[a-z_]+\.\.\.$")


@dataclass
class Case:
    name: str
    args: list[str]  # {dir} is replaced by the case's folder
    expect: str  # a fragment of the error line (or of argparse's message)
    argparse: bool = False  # a usage error from argparse: exit 2, usage text allowed
    env: dict[str, str] = field(default_factory=dict)
    existing_output: bool = False  # out.mp4 exists before the run and must be left as it was


def good_jpeg(path: Path) -> None:
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)).save(path, quality=90)


def truncated_jpeg(path: Path) -> None:
    buffer = io.BytesIO()
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(buffer, "JPEG", quality=90)
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


CASES = [
    Case("non_image", ["{dir}/notes.jpg"], "not a photo (unrecognised file format"),
    Case("truncated_jpeg", ["{dir}/cut.jpg"], "truncated or corrupt JPEG"),
    Case("empty_file", ["{dir}/empty.jpg"], "file is empty"),
    Case("missing_file", ["{dir}/nowhere.jpg"], "file not found"),
    Case("folder", ["{dir}/folder.jpg"], "is a folder, not a photo"),
    Case("oversized", ["{dir}/photo.jpg"], "over the limit of 100 pixels", env={"STILLMOTION_MAX_PIXELS": "100"}),
    Case("bad_duration", ["{dir}/photo.jpg", "-d", "0"], "-d/--duration", argparse=True),
    Case("bad_duration_text", ["{dir}/photo.jpg", "-d", "long"], "not a number of seconds", argparse=True),
    Case("bad_aspect", ["{dir}/photo.jpg", "--aspect", "3:2"], "-a/--aspect: '3:2' is not allowed; use one of 16:9", argparse=True),
    Case("bad_seed", ["{dir}/photo.jpg", "--seed", "-1"], "--seed: -1 is out of range; use 0 to 4294967295", argparse=True),
    Case("bad_fps", ["{dir}/photo.jpg", "--fps", "29"], "--fps: '29' is not allowed; use one of 24, 25, 30, 60", argparse=True),
    # The library says what is wrong in its own words; the CLI adds the flags that avoid it.
    Case("output_exists", ["{dir}/photo.jpg", "-o", "{dir}/out.mp4"],
         "already exists; overwrite it or choose another name (--force or -o OUT)",
         existing_output=True),
    Case("bad_photo_with_force_keeps_old_output", ["{dir}/cut.jpg", "-o", "{dir}/out.mp4", "--force"], "truncated or corrupt JPEG",
         existing_output=True),
    Case("unknown_extension", ["{dir}/photo.jpg", "-o", "{dir}/out.avi"], "unknown video format .avi"),
]
OLD_OUTPUT = b"an earlier video that must survive"


def prepare(folder: Path, existing_output: bool = False) -> dict[str, bytes | None]:
    """Make the folder with the inputs every case may need; return its files and their bytes."""
    folder.mkdir()
    good_jpeg(folder / "photo.jpg")
    truncated_jpeg(folder / "cut.jpg")
    (folder / "notes.jpg").write_text("these are notes, not a photo\n")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "folder.jpg").mkdir()
    if existing_output:
        (folder / "out.mp4").write_bytes(OLD_OUTPUT)
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.name: (p.read_bytes() if p.is_file() else None) for p in folder.iterdir()}


def argv_for(case: Case, folder: Path, quiet: bool) -> list[str]:
    args = ["animate"] + [a.replace("{dir}", str(folder)) for a in case.args]
    return args + (["-q"] if quiet else [])


def check(case: Case, code: int, stderr: str, before: dict, folder: Path, *, quiet: bool) -> None:
    assert code != 0, f"{case.name}: exit code 0"
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    if case.argparse:
        assert code == 2
        assert lines and lines[-1].startswith("stillmotion animate: error:"), stderr
        assert case.expect in lines[-1], stderr
    else:
        assert code == 1
        if quiet:
            assert len(lines) == 1, f"expected one line on stderr, got:\n{stderr}"
        else:  # allowed before the error: the progress bar's stage names
            assert all(PROGRESS_LINE.match(line) for line in lines[:-1]), stderr
        assert lines[-1].startswith(ERROR_PREFIX), stderr
        assert case.expect in lines[-1], stderr
    after = snapshot(folder)
    assert after == before, f"{case.name}: the folder changed: {sorted(set(after) ^ set(before))}"
    assert not [name for name in after if name.endswith(".part")]


@pytest.mark.parametrize("quiet", [True, False], ids=["quiet", "with_progress"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cli_subprocess(tmp_path, case, quiet):
    folder = tmp_path / "work"
    before = prepare(folder, case.existing_output)
    env = {k: v for k, v in os.environ.items() if k != "STILLMOTION_MAX_PIXELS"}
    env.update(case.env)
    result = subprocess.run([sys.executable, "-m", "stillmotion", *argv_for(case, folder, quiet)],
                            cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    check(case, result.returncode, result.stderr, before, folder, quiet=quiet)
    assert result.stdout == "", result.stdout  # nothing claims success


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_cli_in_process(tmp_path, case, capsys, monkeypatch):
    folder = tmp_path / "work"
    before = prepare(folder, case.existing_output)
    monkeypatch.delenv("STILLMOTION_MAX_PIXELS", raising=False)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(folder)
    try:
        code = main(argv_for(case, folder, quiet=True))
    except SystemExit as exit_:  # argparse exits for usage errors
        code = exit_.code
    captured = capsys.readouterr()
    check(case, code, captured.err, before, folder, quiet=True)


def test_default_output_next_to_a_bad_photo_is_not_created(tmp_path):
    """No -o: the default output (photo.mp4 next to the photo) must not appear when loading fails."""
    folder = tmp_path / "work"
    before = prepare(folder)
    assert main(["animate", str(folder / "cut.jpg"), "-q"]) == 1
    assert snapshot(folder) == before


@pytest.mark.slow
def test_good_photo_still_renders(tmp_path):
    """The other side of the coin: the same inputs that fail above succeed when they are right."""
    folder = tmp_path / "work"
    folder.mkdir()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (480, 640, 3), dtype=np.uint8)).save(folder / "photo.jpg")
    out = folder / "out.mp4"
    command = [sys.executable, "-m", "stillmotion", "animate", str(folder / "photo.jpg"), "-d", "1", "-r", "480", "-o", str(out), "-q"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    with av.open(str(out)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    assert not list(folder.glob("*.part"))
