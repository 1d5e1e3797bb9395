"""End to end: the CLI renders real files, which we decode and check."""

import json
import subprocess
import sys

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import scene_image
from stillmotion.cli import main
from stillmotion.errors import Cancelled

pytestmark = pytest.mark.slow


def decode(path):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        info = {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.codec_context.width, stream.codec_context.height),
            "duration": float(container.duration / av.time_base) if container.duration else None,
            "rate": float(stream.average_rate or 0),
        }
    return frames, info


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255**2 / max(mse, 1e-9))


@pytest.fixture
def big_photo(tmp_path):
    """800 x 600: rendered at 480p it is resized, as most photos are."""
    path = tmp_path / "scene.jpg"
    image = cv2.resize(scene_image(400, 300, seed=2), (800, 600), interpolation=cv2.INTER_CUBIC)
    Image.fromarray(image).save(path, quality=95)
    return path


def test_animate_mp4_properties(big_photo, tmp_path):
    out = tmp_path / "out.mp4"
    assert main(["animate", str(big_photo), "-o", str(out), "-r", "480", "-d", "2", "--fps", "24", "--camera", "dolly_in", "-q"]) == 0
    frames, info = decode(out)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert info["size"] == (640, 480)
    assert len(frames) == 48 and info["rate"] == 24
    assert info["duration"] == pytest.approx(2.0, abs=0.05)
    photo = np.asarray(Image.open(big_photo).convert("RGB"))
    reference = cv2.resize(photo, (640, 480), interpolation=cv2.INTER_AREA)
    assert psnr(frames[0], reference) >= 33
    assert np.abs(frames[-1].astype(int) - frames[0]).mean() > 2  # the camera moved
    # faststart: the index (moov) comes before the media data, so a browser can play while loading
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_plan_then_render_equals_animate(big_photo, tmp_path):
    common = ["-r", "480", "-d", "1", "--camera", "orbit", "--seed", "3"]
    direct_out = tmp_path / "direct.mp4"
    assert main(["animate", str(big_photo), "-o", str(direct_out), "-q", *common]) == 0
    plan_text = subprocess.run(
        [sys.executable, "-m", "stillmotion", "plan", str(big_photo), "--json", *common],
        check=True, capture_output=True, text=True,
    ).stdout
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(plan_text)
    assert json.loads(plan_text)["camera"]["type"] == "orbit"
    rendered = tmp_path / "rendered.mp4"
    assert main(["render", str(plan_file), "-o", str(rendered), "-q"]) == 0
    a, _ = decode(direct_out)
    b, _ = decode(rendered)
    assert len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_same_seed_same_bytes(big_photo, tmp_path):
    outs = []
    for name in ("a.mp4", "b.mp4"):
        out = tmp_path / name
        assert main(["animate", str(big_photo), "-o", str(out), "-r", "480", "-d", "1", "-q"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("suffix,codec", [(".webm", "vp9"), (".gif", "gif")])
def test_other_formats(big_photo, tmp_path, suffix, codec):
    out = tmp_path / f"out{suffix}"
    assert main(["animate", str(big_photo), "-o", str(out), "-r", "480", "-d", "1", "-q"]) == 0
    frames, info = decode(out)
    assert info["codec"] == codec and frames
    if suffix == ".webm":
        assert len(frames) == 30
    # colours survive (the GIF palette is made from the photo): frame 0 looks like the photo
    photo = np.asarray(Image.open(big_photo).convert("RGB"))
    reference = cv2.resize(photo, frames[0].shape[1::-1], interpolation=cv2.INTER_AREA)
    assert psnr(frames[0], reference) >= (24 if suffix == ".gif" else 30)


def test_default_output_next_to_photo_and_no_overwrite(big_photo, capsys):
    expected = big_photo.with_suffix(".mp4")
    assert main(["animate", str(big_photo), "-r", "480", "-d", "1", "-q"]) == 0
    assert expected.exists()
    before = expected.read_bytes()
    assert main(["animate", str(big_photo), "-r", "480", "-d", "1", "-q", "--camera", "orbit"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert expected.read_bytes() == before
    assert main(["animate", str(big_photo), "-r", "480", "-d", "1", "-q", "--camera", "orbit", "--force"]) == 0
    assert expected.read_bytes() != before


def test_cancel_leaves_nothing(big_photo, tmp_path):
    from stillmotion.api import animate

    seen = []

    def progress(event):
        seen.append(event)

    out = tmp_path / "cancelled.mp4"
    with pytest.raises(Cancelled):
        animate(big_photo, out, resolution=480, duration=3, progress=progress,
                cancel=lambda: sum(e.stage == "render" for e in seen) > 5)
    assert not out.exists()
    assert list(tmp_path.glob("*.part")) == [] and list(tmp_path.glob(".*.part")) == []
    stages = [e.stage for e in seen]
    assert stages[:3] == ["load", "analyse", "plan"] and "render" in stages


def test_progress_reaches_total(big_photo, tmp_path):
    from stillmotion.api import animate

    events = []
    animate(big_photo, tmp_path / "p.mp4", resolution=480, duration=1, fps=24, progress=events.append)
    render_events = [e for e in events if e.stage == "render"]
    assert render_events[-1].done == render_events[-1].total == 24


def test_outputs_are_ordinary_files(big_photo, tmp_path):
    import os
    import stat

    out = tmp_path / "mode.mp4"
    assert main(["animate", str(big_photo), "-o", str(out), "-r", "480", "-d", "1", "-q"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


def test_webm_bytes_are_reproducible(big_photo, tmp_path):
    outs = []
    for name in ("a.webm", "b.webm"):
        out = tmp_path / name
        assert main(["animate", str(big_photo), "-o", str(out), "-r", "480", "-d", "1", "-q"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
