import numpy as np
import pytest

from stillmotion.canvas import crop_around, fit_blur, output_size
from stillmotion.plan import Canvas


@pytest.mark.parametrize(
    "aspect,resolution,expected",
    [("16:9", 1080, (1920, 1080)), ("9:16", 1080, (1080, 1920)), ("1:1", 720, (720, 720)), ("4:5", 1080, (1080, 1350))],
)
def test_output_sizes(aspect, resolution, expected):
    assert output_size(Canvas(aspect=aspect, resolution=resolution), (4000, 3000)) == expected


def test_original_aspect_gives_even_sizes():
    w, h = output_size(Canvas(aspect="original", resolution=480), (601, 401))
    assert h == 480 and w % 2 == 0 and abs(w / h - 601 / 401) < 0.01


def test_crop_follows_focus_and_stays_inside():
    rect = crop_around((4000, 3000), 9 / 16, focus=(0.9, 0.5))
    assert rect.h == pytest.approx(1.0) and rect.x + rect.w == pytest.approx(1.0)
    assert rect.w * 4000 / (rect.h * 3000) == pytest.approx(9 / 16, rel=1e-3)
    centred = crop_around((4000, 3000), 9 / 16, focus=(0.5, 0.5))
    assert centred.x + centred.w / 2 == pytest.approx(0.5)


def test_fit_blur_keeps_whole_photo_over_blurred_background():
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
    image, (x, y, w, h) = fit_blur(photo, (360, 640))
    assert image.shape == (640, 360, 3)
    assert w == 360 and y > 0
    # the margins are filled (no black bars) and smooth
    top = image[: y - 1]
    assert top.mean() > 20 and np.abs(np.diff(top.astype(int), axis=1)).mean() < 8
