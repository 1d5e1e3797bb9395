"""The working size a photo is loaded at follows what the canvas shows: a panorama cropped to 4:1
keeps its own detail (it is not a thin strip upscaled), and `render plan.json` loads the same
pixels as `animate`."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from PIL import Image

from stillmotion.api import iter_frames, load_plan_photo, prepare, working_side
from stillmotion.canvas import CanvasMap, crop_pixels
from stillmotion.plan import Canvas, Plan, Rect

PANORAMA = (12000, 600)  # 20:1: "original" is capped to 4:1 around the subject


def grating(width: int, height: int) -> np.ndarray:
    """Fine detail everywhere (two gratings, 10 and 8 px periods) over a sky-to-ground gradient:
    detail a 2048-px-wide load would average away."""
    x = np.arange(width, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    fine = 40 * np.sin(2 * np.pi * x / 10) + 30 * np.sin(2 * np.pi * (y / 8 + x / 37))
    base = np.linspace(190, 70, height, dtype=np.float32)[:, None] + 0 * x
    grey = np.clip(base + fine, 0, 255)
    return np.stack([grey * 0.8, grey * 0.9, grey], axis=-1).astype(np.uint8)


@pytest.fixture(scope="module")
def panorama(tmp_path_factory):
    path = tmp_path_factory.mktemp("panorama") / "panorama.png"
    Image.fromarray(grating(*PANORAMA)).save(path)
    return path


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * math.log10(255**2 / max(mse, 1e-9))


def detail(image: np.ndarray) -> float:
    """How much fine detail an image holds: the mean absolute step between neighbouring pixels."""
    grey = image.astype(np.float32).mean(axis=2)
    return float(np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=0)).mean())


def reference(plan: Plan, size: tuple[int, int]) -> np.ndarray:
    """The plan's crop cut from the full-size original and area-resized to the video's size."""
    original = grating(*PANORAMA)
    x, y, w, h = crop_pixels(plan.canvas.crop, PANORAMA)
    return cv2.resize(original[y:y + h, x:x + w], size, interpolation=cv2.INTER_AREA)


# --- the rule -------------------------------------------------------------------------------
def test_a_panorama_loads_as_tall_as_its_crop_needs():
    # 65535 x 1525 at 4:1: the crop is 6100 x 1525; 480p needs it 480 tall, so the whole loads 20628 wide.
    assert working_side(Canvas(aspect="original", resolution=480), (65535, 1525)) == 20628
    assert working_side(Canvas(aspect="original", resolution=1080), (65535, 1525)) == 46412
    # Never more than the photo has.
    assert working_side(Canvas(aspect="original", resolution=2160), (65535, 1525)) == 65535
    # A tall strip, and a 9:16 crop of it, alike.
    assert working_side(Canvas(aspect="original", resolution=1080), (1080, 8000)) == 8000


def test_ordinary_photos_load_as_before():
    """The floor (2048, 2560 at 1080p, 4096 at most) still decides for 4:3 photos in every shape."""
    for size in ((4000, 3000), (3000, 4000), (640, 480)):
        for aspect in ("original", "16:9", "9:16", "1:1", "4:5"):
            assert working_side(Canvas(aspect=aspect, resolution=480), size) == 2048
            assert working_side(Canvas(aspect=aspect, resolution=1080), size) == 2560
    # A 3:2 photo cut to 9:16 at 1080p needs its 1920-px height 2880 wide (the floor's 2560 upscaled it 1.125x).
    assert working_side(Canvas(aspect="9:16", resolution=1080), (6000, 4000)) == 2880


def test_a_small_crop_or_a_blurred_fit_asks_for_what_it_shows():
    # A plan's own small crop (a tenth of the width: 4000 x 2250 px) shown at 1920 x 1080 needs the photo 19200 wide.
    small = Canvas(aspect="16:9", resolution=1080, crop=Rect(x=0.45, y=0.45, w=0.1, h=0.075))
    assert working_side(small, (40000, 30000)) == 19200
    # Blur fits the whole panorama inside a 16:9 frame: it is shown small, the floor is enough.
    assert working_side(Canvas(aspect="16:9", resolution=1080, fit="blur"), (65535, 1525)) == 2560


# --- the pixels -----------------------------------------------------------------------------
def test_a_panorama_keeps_its_detail_at_4_to_1(panorama):
    plan, photo, analysis = prepare(panorama, "", aspect="original", resolution=480, duration=1.0, camera="static")
    assert photo.original_size == PANORAMA and photo.size == (9600, 480)  # as tall as the video, not 48 px
    canvas_map = CanvasMap.for_plan(plan.canvas, photo.size)
    assert canvas_map.size == (1920, 480)
    shown = canvas_map.image(photo.pixels)
    expected = reference(plan, canvas_map.size)
    assert psnr(shown, expected) > 40
    assert detail(shown) > 0.9 * detail(expected)

    # What the old long-side rule gave (2048 px wide, so 102 px tall here): a strip upscaled ~5x.
    from stillmotion.photo import load_photo

    strip = load_photo(panorama, max_side=2048)
    soft = CanvasMap.for_plan(plan.canvas, strip.size).image(strip.pixels)
    assert detail(soft) < 0.5 * detail(expected) and psnr(soft, expected) < 30

    # `render plan.json` (no photo given) loads the very same pixels, and frame 0 is that photo.
    again = load_plan_photo(Plan.from_json(plan.to_json()))
    assert again.size == photo.size and np.array_equal(again.pixels, photo.pixels)
    first = next(iter_frames(plan))
    assert first.shape == (480, 1920, 3) and psnr(first, expected) > 35


@pytest.mark.slow
def test_a_panorama_video_has_real_detail(panorama, tmp_path):
    import av

    from stillmotion.api import animate

    out = animate(panorama, tmp_path / "panorama.mp4", "", aspect="original", resolution=480, duration=1.0,
                  camera="static", audio="none")
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0))
        first = frame.to_ndarray(format="rgb24")
    assert first.shape == (480, 1920, 3)
    plan, _, _ = prepare(panorama, "", aspect="original", resolution=480, duration=1.0, camera="static", audio="none")
    expected = reference(plan, (1920, 480))
    assert psnr(first, expected) > 30, psnr(first, expected)
    assert detail(first) > 0.8 * detail(expected)


# --- load_photo with a rule -------------------------------------------------------------------
def test_a_side_rule_sees_the_upright_size_from_the_header(tmp_path):
    from stillmotion.errors import PhotoError
    from stillmotion.photo import load_photo

    image = Image.fromarray(grating(384, 576))  # stored portrait; EXIF orientation 6 turns it to 576 x 384
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "turned.jpg"
    image.save(path, quality=95, exif=exif)
    asked = []
    photo = load_photo(path, max_side=lambda size: asked.append(size) or 120)
    assert asked == [(576, 384)] and photo.size == (120, 80) and photo.original_size == (576, 384)
    with pytest.raises(PhotoError, match="at least 1"):
        load_photo(path, max_side=lambda size: 0)
