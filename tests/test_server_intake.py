"""What the studio needs of the library to take a photo cheaply: its header alone (photo.read_header),
and a canvas that no photo shape can make huge (canvas.MAX_ASPECT)."""

from __future__ import annotations

import io
import os
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from server_probes import png_stream
from stillmotion.canvas import MAX_ASPECT, CanvasMap, max_canvas_pixels
from stillmotion.errors import PhotoError
from stillmotion.photo import read_header
from stillmotion.plan import RESOLUTIONS, Canvas, Rect


def saved(tmp_path, image: Image.Image, fmt: str, name: str, **options):
    path = tmp_path / name
    image.save(path, format=fmt, **options)
    return path


# --- the header alone --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt, suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("TIFF", ".tif"), ("BMP", ".bmp")])
def test_header_gives_format_and_size(tmp_path, fmt, suffix):
    path = saved(tmp_path, Image.new("RGB", (120, 80), (10, 20, 30)), fmt, f"p{suffix}")
    header = read_header(path)
    assert (header.format, header.size, header.orientation) == (fmt, (120, 80), 1)


@pytest.mark.parametrize("orientation, size", [(1, (120, 80)), (3, (120, 80)), (6, (80, 120)), (8, (80, 120))])
def test_header_size_is_upright(tmp_path, orientation, size):
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = saved(tmp_path, Image.new("RGB", (120, 80)), "JPEG", "p.jpg", exif=exif.tobytes())
    header = read_header(path)
    assert header.size == size and header.orientation == orientation


def test_a_bomb_header_is_read_without_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_stream(10_000, 10_000))  # 290 KB that decode to 300 MB
    tracemalloc.start()
    header = read_header(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert header.size == (10_000, 10_000)
    assert peak < 2 * 1024 * 1024, f"{peak / 1e6:.1f} MB allocated to read a header"


def test_header_refuses_what_load_photo_refuses(tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(png_stream(2000, 1000))
    with pytest.raises(PhotoError, match="over the limit of 1,000,000 pixels"):
        read_header(big, max_pixels=1_000_000)
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    with pytest.raises(PhotoError, match="not a photo"):
        read_header(text)
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40)).save(buffer, format="JPEG")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(buffer.getvalue()[:20])
    with pytest.raises(PhotoError, match="truncated or corrupt JPEG"):
        read_header(cut)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(PhotoError, match="empty"):
        read_header(empty)
    with pytest.raises(PhotoError, match="file not found"):
        read_header(tmp_path / "missing.png")
    icon = tmp_path / "a.ico"
    Image.new("RGB", (32, 32)).save(icon, format="ICO")
    with pytest.raises(PhotoError, match="ICO files are not supported"):
        read_header(icon)


def test_header_of_a_fifo_fails_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(PhotoError, match="not a regular file"):
        read_header(fifo)


# --- no canvas longer than 4:1 -------------------------------------------------------------------
@pytest.mark.parametrize("resolution", RESOLUTIONS)
@pytest.mark.parametrize("photo_size", [(65_535, 1_525), (1_525, 65_535), (100_000, 1), (3, 70_000), (4_000, 1_000), (6_000, 4_000)])
def test_no_canvas_has_more_pixels_than_its_resolution_allows(resolution, photo_size):
    for crop in (None, Rect(x=0, y=0, w=1, h=0.001), Rect(x=0, y=0, w=0.001, h=1)):
        mapping = CanvasMap.for_plan(Canvas(aspect="original", resolution=resolution, crop=crop), photo_size)
        width, height = mapping.size
        assert min(width, height) == resolution
        assert width * height <= max_canvas_pixels(resolution) and max(width, height) <= MAX_ASPECT * resolution
        # and the part of the photo shown has the canvas's shape: nothing is stretched
        shown = mapping.crop[2] / mapping.crop[3]
        assert shown == pytest.approx(width / height, rel=0.02, abs=1 / min(mapping.crop[2:]) * 4)


def test_photos_within_4_to_1_keep_their_whole_shape():
    mapping = CanvasMap.for_plan(Canvas(aspect="original", resolution=720), (4000, 1000))
    assert mapping.size == (2880, 720) and mapping.crop == (0, 0, 4000, 1000)
    mapping = CanvasMap.for_plan(Canvas(aspect="original", resolution=480), (3000, 2000))
    assert mapping.size == (720, 480) and mapping.crop == (0, 0, 3000, 2000)


@pytest.mark.parametrize("size, longest, canvas", [((4000, 300), "4:1", (1920, 480)), ((300, 4000), "1:4", (480, 1920))])
def test_the_director_crops_a_panorama_around_its_subject_and_says_so(size, longest, canvas):
    from stillmotion.analysis import analyse
    from stillmotion.director import direct
    from stillmotion.photo import photo_from_array

    rng = np.random.default_rng(1)
    pixels = rng.integers(60, 140, (size[1], size[0], 3), dtype=np.uint8)
    photo = photo_from_array(pixels)
    plan = direct(photo, analyse(photo), "", resolution=480, aspect="original")
    assert any(f"longer than {longest}" in note and f"cropped to {longest}" in note for note in plan.explanation)
    assert CanvasMap.for_plan(plan.canvas, photo.size).size == canvas
    # A photo within the limit gets no crop and no note.
    square = photo_from_array(pixels[:300, :300])
    plan = direct(square, analyse(square), "", resolution=480, aspect="original")
    assert plan.canvas.crop is None and not any("longer than" in note for note in plan.explanation)
