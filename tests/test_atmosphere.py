"""Atmosphere effects (rain, snow, fog, steam, smoke, sparkle, dust, petals) on a tiny synthetic scene:
what each does beyond the contract every effect keeps (tests/test_effect_contract.py)."""

from __future__ import annotations

import numpy as np
import pytest

from effect_scene import build, clip, mad, make_scene, render
from stillmotion.effects.base import View
from stillmotion.effects.kit.screen import ScreenMap
from stillmotion.effects.kit.tracks import FallTracks


@pytest.mark.parametrize("kind", ["rain", "snow", "fog", "steam", "smoke", "sparkle", "dust", "petals"])
def test_another_seed_gives_other_frames(kind):
    a, scene = build({"type": kind, "strength": 0.8}, seed=5)
    c, _ = build({"type": kind, "strength": 0.8}, seed=6)
    times = [0.7, 1.0, 1.3]
    assert any(not np.array_equal(render(a, scene, t), render(c, scene, t)) for t in times)


def test_particles_wrap_in_time_when_looping():
    rng = np.random.default_rng(0)
    tracks = FallTracks(rng, 50, (100, 80), rng.uniform(5, 200, 50), 0.2, 3.0, margin=5, sway=np.full(50, 4.0), loop=True)
    x0, y0 = tracks.positions(0.4)
    x1, y1 = tracks.positions(3.4)
    np.testing.assert_allclose(x0, x1, atol=1e-6)
    np.testing.assert_allclose(y0, y1, atol=1e-6)


def test_envelope_eases_in_and_out_for_loops():
    effect, _ = build({"type": "rain"}, loop=True, duration=4.0)
    assert effect.amount(0.0) == 0.0
    assert effect.amount(2.0) == 1.0
    assert effect.amount(4.0) == 0.0
    assert 0 < effect.amount(0.2) < effect.amount(0.4) < 1


def test_rain_falls_behind_a_near_object():
    """Only drops nearer than the box show over it: far fewer streaks there than over the far ground,
    which is as dark (streaks take the scene's light: they show over dark things)."""
    frames, scene = clip({"type": "rain", "strength": 1.0}, duration=1.0, size=(480, 288))
    light = np.mean([np.clip(f.astype(np.int16) - scene.image, 0, None).max(axis=2) for f in frames[6:]], axis=0)
    near = scene.depth >= 0.99
    far_ground = (scene.depth > 0.2) & (scene.depth < 0.42)
    assert light[far_ground].mean() > 0.5
    assert light[near].mean() < 0.6 * light[far_ground].mean(), (light[near].mean(), light[far_ground].mean())


def test_fog_is_denser_far_away():
    frames, scene = clip({"type": "fog", "strength": 1.0}, duration=1.0, grey=True)
    change = np.mean([np.abs(f.astype(np.int16) - scene.image).max(axis=2) for f in frames[12:]], axis=0)
    assert change[scene.depth <= 0.01].mean() > 1.5 * change[scene.depth >= 0.99].mean()


@pytest.mark.parametrize("kind,where", [("steam", "above_source"), ("smoke", "above_source"), ("sparkle", "lamps")])
def test_region_effects_move_inside_and_little_outside(kind, where):
    frames, scene = clip({"type": kind, "strength": 1.0}, duration=2.0)
    motion = np.std(np.stack([f.astype(np.float32).mean(axis=2) for f in frames[10:]]), axis=0)
    h, w = motion.shape
    inside = np.zeros((h, w), bool)
    if where == "above_source":
        inside[h // 3:h * 5 // 6 + 2, w * 3 // 4 - 20:w * 3 // 4 + 20] = True
    else:
        lamps = scene.analysis.regions["light"] > 0
        inside = np.zeros_like(lamps)
        for y, x in zip(*np.nonzero(lamps)):
            inside[max(0, y - 8):y + 9, max(0, x - 8):x + 9] = True
    assert motion[inside].mean() > 4 * max(motion[~inside].mean(), 0.01), (motion[inside].mean(), motion[~inside].mean())


def test_atmosphere_follows_the_camera():
    """A camera shifted 10 px right shows the scene 10 px to the left: particles move with it."""
    effect, scene = build({"type": "snow", "strength": 1.0})
    w, h = scene.size
    scale = 0.25
    gx = (np.arange(w * scale) + 0.5) / scale - 0.5
    gy = (np.arange(h * scale) + 0.5) / scale - 0.5
    grid = np.dstack(np.meshgrid(gx, gy)).astype(np.float32)
    shifted = View(t=1.0, index=24, depth=np.roll(scene.depth, -10, axis=1), screen_to_canvas=grid + np.float32([10, 0]), map_scale=scale)
    moved = ScreenMap(shifted, scene).points(np.array([[50.0, 40.0], [80.0, 20.0]]), np.array([0.2, 0.9]))
    np.testing.assert_allclose(moved, [[40.0, 40.0], [70.0, 20.0]], atol=0.2)
    still = render(effect, scene, 1.0, None)
    panned = render(effect, scene, 1.0, shifted)
    assert not np.array_equal(still, panned)


@pytest.mark.parametrize("kind", ["rain", "snow", "fog", "petals"])
def test_freeze_region_stays_still(kind):
    freeze = {"polygon": [[0.0, 0.0], [0.4, 0.0], [0.4, 1.0], [0.0, 1.0]]}
    frames, scene = clip({"type": kind, "strength": 1.0, "freeze": freeze}, duration=1.0, size=(240, 144), grey=True)
    change = np.max([np.abs(f.astype(np.int16) - scene.image).max(axis=2) for f in frames], axis=0)
    w = scene.size[0]
    frozen, free = change[:, : int(0.3 * w)], change[:, int(0.5 * w):]
    if kind == "rain":  # rain also dims the whole scene a little (overcast); no streaks in the frozen part
        frozen = frozen - np.median(frozen)
    assert free.mean() > 3 * max(frozen.mean(), 0.05), (frozen.mean(), free.mean())


@pytest.mark.parametrize("camera", ["orbit", "dolly_in"])
def test_all_screen_effects_render_through_the_renderer_with_a_moving_camera(camera):
    """The real renderer hands real Views (camera maps, on-screen depth): everything composes."""
    from stillmotion.frames.renderer import Renderer
    from stillmotion.photo import Photo
    from stillmotion.plan import EFFECT_FAMILIES, Plan

    kinds = EFFECT_FAMILIES["atmosphere"] + EFFECT_FAMILIES["light"]
    scene = make_scene({"type": "rain"})
    photo = Photo(pixels=scene.image, sha256="synthetic-atmosphere")
    plan = Plan(photo="synthetic.png", seed=1, loop=True, camera={"type": camera, "strength": 0.6},
                canvas={"resolution": 480, "duration": 1.0, "fps": 24}, effects=[{"type": k} for k in kinds])
    plain = Renderer(plan.with_changes(effects=[]), photo, scene.analysis)
    renderer = Renderer(plan, photo, scene.analysis)
    assert len(renderer.post_camera) == len(kinds)
    assert np.array_equal(renderer.frame(0), plain.frame(0))
    middle = renderer.frame_count // 2
    assert mad(renderer.frame(middle), plain.frame(middle)) > 1.0
