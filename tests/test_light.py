"""Light effects (flicker, light_sweep, lightning, light_rays, grade) on a tiny synthetic scene: what each
does beyond the contract every effect keeps (tests/test_effect_contract.py)."""

from __future__ import annotations

import numpy as np
import pytest

from effect_scene import build, clip, mad, render
from stillmotion.plan import GRADE_STYLES


def test_flicker_changes_the_lamps_and_little_elsewhere():
    frames, scene = clip({"type": "flicker", "strength": 1.0}, duration=4.0)
    motion = np.std(np.stack([f.astype(np.float32).mean(axis=2) for f in frames[12:]]), axis=0)
    lamps = scene.analysis.regions["light"] > 0
    near = np.zeros_like(lamps)
    for y, x in zip(*np.nonzero(lamps)):
        near[max(0, y - 6):y + 7, max(0, x - 6):x + 7] = True
    assert motion[lamps].mean() > 3.0
    assert motion[lamps].mean() > 8 * motion[~near].mean(), (motion[lamps].mean(), motion[~near].mean())


def test_light_sweep_stays_in_its_region():
    region = {"polygon": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.9], [0.1, 0.9]]}
    frames, scene = clip({"type": "light_sweep", "strength": 1.0, "region": region, "speed": 2.0}, duration=3.0)
    change = np.max([np.abs(f.astype(np.int16) - scene.image).max(axis=2) for f in frames], axis=0)
    h, w = change.shape
    inside = change[int(0.2 * h):int(0.8 * h), int(0.15 * w):int(0.45 * w)]
    outside = change[:, int(0.6 * w):]
    assert inside.mean() > 10 and outside.max() <= 2, (inside.mean(), outside.max())


def test_lightning_flashes_briefly_and_brightest_in_the_sky():
    frames, scene = clip({"type": "lightning", "strength": 1.0}, duration=4.0)
    brightness = np.array([f.mean() for f in frames])
    base = np.median(brightness)
    flash = int(np.argmax(brightness))
    assert brightness[flash] > base + 15
    assert (brightness > base + 5).mean() < 0.25, "flashes are brief"
    gain = frames[flash].astype(np.float32).mean(axis=2) - scene.image.astype(np.float32).mean(axis=2)
    sky = scene.analysis.sky > 0.5
    assert gain[sky].mean() > gain[scene.depth >= 0.99].mean()


@pytest.mark.parametrize("style", GRADE_STYLES)
def test_grade_styles_ease_in(style):
    effect, scene = build({"type": "grade", "style": style, "strength": 1.0}, duration=4.0)
    early, late = render(effect, scene, 0.3), render(effect, scene, 2.0)
    assert 0 < mad(early, scene.image) < mad(late, scene.image)
    if style == "black_and_white":
        assert np.abs(late.astype(np.int16) - late[..., :1]).max() <= 2  # grey: R = G = B


def test_light_rays_come_from_the_brightest_place():
    effect, scene = build({"type": "light_rays", "strength": 1.0})
    w, h = scene.size
    sx, sy = effect.source
    # The lamps are the brightest small things of the synthetic photo.
    lamps = np.argwhere(scene.analysis.regions["light"] > 0)
    distance = np.min(np.hypot(lamps[:, 1] * effect.scale - sx, lamps[:, 0] * effect.scale - sy))
    assert distance < 6
