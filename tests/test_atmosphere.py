"""Atmosphere effects (rain, snow, fog, steam, smoke, sparkle, dust, petals) on a tiny synthetic scene:
what each does beyond the contract every effect keeps (tests/test_effect_contract.py), the rules
that make them look real (issue 14), and two checks on shared photos (slow)."""

from __future__ import annotations

import cv2
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


# --- issue 14: the rules that make atmosphere look real ----------------------------------------

def _alpha(effect, scene, t: float) -> np.ndarray:
    """The effect's exact opacity at t: drawn on a black and on a white frame."""
    h, w = scene.image.shape[:2]
    black, white = np.zeros((h, w, 3), np.uint8), np.full((h, w, 3), 255, np.uint8)
    effect.apply(black, t, None)
    effect.apply(white, t, None)
    return 1.0 - (white.astype(np.float32) - black).mean(axis=2) / 255.0


@pytest.mark.parametrize("kind", ["steam", "smoke"])
def test_a_plume_rises_from_its_source_widens_and_has_no_opaque_core(kind):
    effect, scene = build({"type": kind, "strength": 1.0}, duration=4.0, size=(320, 192))
    alpha = np.mean([_alpha(effect, scene, t) for t in np.linspace(1.5, 3.5, 9)], axis=0)
    peak = max(float(_alpha(effect, scene, t).max()) for t in np.linspace(1.5, 3.5, 9))
    source = scene.analysis.regions["steam_source"] > 0.5
    rows = np.nonzero(source.any(axis=1))[0]
    shows = alpha > 0.02
    plume_rows = np.nonzero(shows.any(axis=1))[0]
    assert 0.1 < peak < 0.75, peak  # seen, never opaque
    assert plume_rows.min() < rows.min() - 20, "the plume rises well above its source"
    assert plume_rows.max() <= rows.max() + 2, "nothing below the source"
    top, bottom = plume_rows.min(), rows.min()
    quarter = (bottom - top) // 4
    width_high = shows[top + quarter:top + 2 * quarter].sum(axis=1).mean()
    width_low = shows[bottom - quarter:bottom].sum(axis=1).mean()
    assert width_high > width_low, (width_high, width_low)
    columns = np.nonzero(source.any(axis=0))[0]
    assert abs(np.nonzero(shows.any(axis=0))[0].mean() - columns.mean()) < 15, "above the source, not beside it"


@pytest.mark.parametrize("region", [
    None,  # the analysis found no source
    {"polygon": [[0.0, 0.2], [0.9, 0.2], [0.9, 1.0], [0.0, 1.0]]},  # a whole wall is not a source
    {"polygon": [[0.4, 0.05], [0.5, 0.05], [0.5, 0.15], [0.4, 0.15]]},  # the sky is not a source
    {"polygon": [[0.4, 0.0], [0.5, 0.0], [0.5, 0.02], [0.4, 0.02]]},  # no room above it
], ids=["no-source", "a-wall", "in-the-sky", "at-the-top"])
@pytest.mark.parametrize("kind", ["steam", "smoke"])
def test_no_plume_without_a_plausible_source(kind, region):
    spec = {"type": kind, "strength": 1.0}
    if region is not None:
        spec["region"] = region
    scene = make_scene(spec, duration=2.0)
    if region is None:
        scene.analysis.regions["steam_source"][:] = 0.0
    from stillmotion.effects.registry import effect_class

    effect = effect_class(kind)(scene.plan.effects[0], scene, 0)
    for t in (0.5, 1.0, 1.5):
        assert np.array_equal(render(effect, scene, t), scene.image), t
    assert effect.reason, "the effect says why it drew nothing"


def test_plume_sources_say_why_there_is_none():
    from stillmotion.effects.kit.plume import plume_sources

    empty = np.zeros((60, 80), np.float32)
    assert plume_sources(empty) == ([], "no source of steam or smoke (a cup, a chimney, a vent) was found")
    wall = np.zeros((60, 80), np.float32)
    wall[10:60, 0:60] = 1.0
    assert plume_sources(wall)[0] == [] and "surface" in plume_sources(wall)[1]
    cup = np.zeros((60, 80), np.float32)
    cup[40:46, 30:42] = 1.0
    sources, reason = plume_sources(cup)
    assert len(sources) == 1 and reason == "" and 34 < sources[0].x < 38


def _sparkle_photo():
    """Dark ground with: a matte white card (large), a saturated yellow cap, small near-white
    highlights of two sizes (2 and 6 pixels across) and one clipped point light that blooms."""
    w, h = 720, 480
    image = np.full((h, w, 3), 40, np.uint8)
    image[60:240, 60:270] = (235, 235, 230)  # a white card: bright but large and matte
    image[300:450, 60:270] = (250, 230, 20)  # a yellow cap: bright but saturated
    small = [(390, 120), (540, 120), (390, 330)]
    for x, y in small:
        image[y - 1:y + 1, x - 1:x + 1] = (250, 250, 250)
    image[327:333, 537:543] = (245, 245, 245)  # a larger highlight (6 px)
    yy, xx = np.mgrid[0:h, 0:w]
    bloom = 150 * np.exp(-((xx - 661) ** 2 + (yy - 421) ** 2) / (2 * 4.0 ** 2))  # a lamp blooms
    image[:] = np.clip(image + bloom[..., None], 0, 255).astype(np.uint8)
    image[420:422, 660:662] = (255, 255, 255)  # a point light: clipped, tiny, with its glow
    return image, small + [(540, 330)], (661, 421)


def _sparkle_clip(style=None):
    from stillmotion.analysis.types import Analysis
    from stillmotion.canvas import CanvasMap
    from stillmotion.effects.base import Scene
    from stillmotion.effects.registry import effect_class
    from stillmotion.plan import Plan

    image, spots, point = _sparkle_photo()
    h, w = image.shape[:2]
    depth = np.full((h, w), 0.5, np.float32)
    spec = {"type": "sparkle", "strength": 1.0}
    if style:
        spec["style"] = style
    plan = Plan(photo="synthetic.png", seed=2, canvas={"resolution": 480, "duration": 4.0, "fps": 24}, effects=[spec])
    empty = np.zeros((h, w), np.float32)
    scene = Scene(plan=plan, image=image, depth=depth, analysis=Analysis(depth=depth, subject=empty, sky=empty),
                  faces=[], canvas_map=CanvasMap.whole((w, h)))
    effect = effect_class("sparkle")(plan.effects[0], scene, 0)
    change = np.max([np.abs(render(effect, scene, i / 24).astype(np.int16) - image).max(axis=2) for i in range(1, 96)], axis=0)
    return change, spots, point


def test_glints_only_on_highlights_sized_to_them():
    change, spots, point = _sparkle_clip()
    near = np.zeros(change.shape, bool)
    for (x, y), reach in zip(spots + [point], (10, 10, 10, 22, 40)):  # the point light may have a star
        near[max(0, y - reach):y + reach + 1, max(0, x - reach):x + reach + 1] = True
    assert change[~near].max() <= 2, "a glint away from every highlight (on the card, the cap or the ground)"
    assert change[58:242, 58:272].max() <= 2 and change[298:452, 58:272].max() <= 2
    lit = [int((change[y - 10:y + 11, x - 10:x + 11] > 30).sum()) for x, y in spots]
    assert all(n > 0 for n in lit), lit
    assert lit[3] > 2 * max(lit[:3]), f"the 6-pixel highlight gets a larger glint than the 2-pixel ones: {lit}"


def _reach(change: np.ndarray, x: int, y: int, window: int = 40) -> int:
    """How far along its row a glint at (x, y) lights the picture (pixels, > 12 grey levels)."""
    row = change[y, max(0, x - window):x + window + 1]
    lit = np.nonzero(row > 12)[0]
    return int(lit.max() - lit.min() + 1) if lit.size else 0


def test_a_star_only_on_a_point_light_unless_asked():
    change, spots, point = _sparkle_clip()
    small = _reach(change, *spots[0], window=12)
    assert _reach(change, *point) > 2.5 * small, "the point light has a star's arms, a highlight has none"
    starry, _, _ = _sparkle_clip(style="stars")
    assert _reach(starry, *spots[0], window=30) > 2 * small, "style stars: arms on every glint"


def test_sparkle_style_is_checked_by_the_plan():
    from stillmotion.plan import Effect

    assert Effect(type="sparkle", style="stars").style == "stars"
    with pytest.raises(ValueError, match="style"):
        Effect(type="rain", style="stars")
    with pytest.raises(ValueError, match="not one of"):
        Effect(type="sparkle", style="clipart")


def test_rain_shows_over_dark_and_barely_over_bright():
    """Half the photo dark, half bright sky-like: streaks take the scene's light, so they show over
    the dark half and nearly vanish over the bright one."""
    frames, scene = clip({"type": "rain", "strength": 0.8}, duration=1.0, size=(320, 192))
    image = scene.image
    w = image.shape[1]
    dark_image = image.copy()
    dark_image[:, : w // 2] = 30
    dark_image[:, w // 2:] = 225
    from stillmotion.effects.registry import effect_class

    scene.image = dark_image
    scene.depth[:] = 0.0
    effect = effect_class("rain")(scene.plan.effects[0], scene, 0)
    residual_dark, residual_bright = [], []
    for i in range(8, 24, 2):
        frame = render(effect, scene, i / 24).astype(np.float32).mean(axis=2)
        photo = dark_image.astype(np.float32).mean(axis=2)
        a, b = np.polyfit(photo.ravel(), frame.ravel(), 1)  # the overall dimming
        residual = np.abs(frame - (a * photo + b))
        residual_dark.append(residual[:, : w // 2 - 4].mean())
        residual_bright.append(residual[:, w // 2 + 4:].mean())
    assert np.mean(residual_dark) > 3 * np.mean(residual_bright), (np.mean(residual_dark), np.mean(residual_bright))


def test_light_rain_stays_light():
    """Light rain: fewer, fainter streaks (what is left once the overall dimming is fitted out)."""
    def streaks(strength):
        frames, scene = clip({"type": "rain", "strength": strength}, duration=1.0, size=(320, 192))
        photo = scene.image.astype(np.float32).mean(axis=2)
        out = []
        for frame in frames[12:]:
            seen = frame.astype(np.float32).mean(axis=2)
            a, b = np.polyfit(photo.ravel(), seen.ravel(), 1)
            out.append(np.abs(seen - (a * photo + b)).mean())
        return float(np.mean(out))

    light, heavy = streaks(0.2), streaks(0.9)
    assert heavy > 2.5 * light, (light, heavy)


# --- on real photos (slow; skipped without ../shared/photos) -----------------------------------

def _prepared(shared_photos, name: str, prompt: str, **changes):
    import stillmotion

    path = shared_photos / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the shared photos")
    plan, photo, analysis = stillmotion.prepare(path, prompt, resolution=480, duration=3.0)
    return plan.with_changes(camera={"type": "static"}, **changes), photo, analysis


@pytest.mark.slow
def test_steam_rises_out_of_the_real_cup(shared_photos):
    """skimage_coffee: the plume leaves the liquid and shows above the cup's rim, never opaque."""
    from stillmotion.frames.renderer import Renderer

    plan, photo, analysis = _prepared(shared_photos, "skimage_coffee.png", "steam rising from the coffee")
    steam = Renderer(plan.with_changes(effects=[e for e in plan.effects if e.type == "steam"]), photo, analysis)
    assert steam.post_camera, "the director keeps steam on a cup of coffee"
    effect, scene = steam.post_camera[0], steam.scene
    alpha = np.mean([_alpha(effect, scene, t) for t in (1.0, 1.5, 2.0)], axis=0)
    source = scene.mask_at_canvas("steam_source") > 0.5
    rows = np.nonzero(source.any(axis=1))[0]
    above = alpha[: rows.min()]
    assert above.max() > 0.08, "steam shows above the liquid (over the rim and the table behind)"
    assert alpha.max() < 0.7


@pytest.mark.slow
def test_glints_on_the_real_sea_stay_on_the_water(shared_photos):
    from stillmotion.frames.renderer import Renderer

    plan, photo, analysis = _prepared(shared_photos, "kodak16_sea_clouds.png", "sunlight glistening on the water surface",
                                      effects=[{"type": "sparkle", "region": {"name": "water"}}])
    renderer = Renderer(plan, photo, analysis)
    effect, scene = renderer.post_camera[0], renderer.scene
    water = scene.mask_at_canvas("water") > 0.3
    lit = np.zeros(water.shape, bool)
    for i in range(6, renderer.frame_count, 3):
        layer = np.zeros_like(scene.image)
        effect.apply(layer, i / scene.fps, None)
        lit |= layer.max(axis=2) > 20
    assert lit.sum() > 50, "the sea glistens"
    grown = cv2.dilate(water.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    assert lit[~grown].sum() == 0, "no glint off the water (not on the clouds, not on the sky)"
