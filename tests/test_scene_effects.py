"""Scene effects (water, clouds, foliage, fire, hair) on small synthetic scenes: what each one does
beyond the contract every effect keeps (tests/test_effect_contract.py): hair around a face and
never on it, region effects never moving a face, user regions and freezes, strength, rivers."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stillmotion.analysis.types import Analysis, Face
from stillmotion.canvas import CanvasMap
from stillmotion.effects.base import Scene
from stillmotion.effects.kit.warp import two_phases
from stillmotion.effects.registry import effect_class
from stillmotion.plan import Canvas, Effect, Plan, Region

W, H, FPS, DURATION = 192, 128, 24, 1.0


def _texture(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 255, (H, W, 3)).astype(np.uint8)
    noise = cv2.GaussianBlur(noise, (0, 0), 1.2)
    base = np.zeros((H, W, 3), np.uint8)
    base[: H // 3] = (90, 140, 220)  # sky
    base[H // 3: 2 * H // 3] = (60, 130, 50)  # land / foliage
    base[2 * H // 3:] = (40, 70, 110)  # water
    base[50:80, 85:110] = (250, 160, 40)  # a flame
    return cv2.addWeighted(base, 0.6, noise, 0.4, 0)


def _masks() -> dict[str, np.ndarray]:
    def box(y0, y1, x0, x1):
        m = np.zeros((H, W), np.float32)
        m[y0:y1, x0:x1] = 1.0
        return cv2.GaussianBlur(m, (0, 0), 1.5)

    return {
        "sky": box(0, H // 3, 0, W),
        "foliage": box(H // 3 + 4, 2 * H // 3, 0, 70),
        "water": box(2 * H // 3, H, 0, W),
        "fire": box(50, 80, 85, 110),
    }


def make_scene(effect: Effect, *, loop: bool = True, seed: int = 3, faces=()) -> Scene:
    masks = _masks()
    depth = np.repeat(np.linspace(0, 1, H, dtype=np.float32)[:, None], W, axis=1)
    analysis = Analysis(depth=depth, subject=np.zeros((H, W), np.float32), sky=masks.pop("sky"), faces=list(faces))
    analysis.regions.update(masks)
    plan = Plan(photo="synthetic.png", seed=seed, loop=loop, canvas=Canvas(duration=DURATION, fps=FPS, resolution=480), effects=[effect])
    return Scene(plan=plan, image=_texture(), depth=depth, analysis=analysis, faces=list(faces), canvas_map=CanvasMap.whole((W, H)))


def render(effect: Effect, **kw) -> tuple[Scene, list[np.ndarray]]:
    scene = make_scene(effect, **kw)
    fx = effect_class(effect.type)(effect, scene, 0)
    frames = []
    for i in range(scene.plan.canvas.frame_count):
        frame = scene.image.copy()
        fx.apply(frame, i / FPS, None)
        frames.append(frame)
    return scene, frames


def motion_map(frames) -> np.ndarray:
    stack = np.stack([f.astype(np.float32).mean(axis=2) for f in frames])
    return np.abs(np.diff(stack, axis=0)).mean(axis=0)


def hair_effect() -> tuple[Effect, list[Face]]:
    return Effect(type="hair", strength=1.0), [Face(box=(0.4, 0.35, 0.2, 0.3))]


def test_hair_moves_around_the_face_but_not_the_face():
    effect, faces = hair_effect()
    scene, frames = render(effect, faces=faces)
    move = motion_map(frames)
    x, y, fw, fh = faces[0].box
    face = move[int(y * H) + 4:int((y + fh) * H) - 4, int(x * W) + 4:int((x + fw) * W) - 4]
    cx, cy = int((x + fw / 2) * W), int((y + fh / 2) * H)
    ring = move[max(0, cy - int(fh * H)):cy, max(0, cx - int(fw * W)):cx + int(fw * W)]
    assert face.max() == 0.0
    assert ring.mean() > 0.02


def test_hair_limited_by_subject_moves_only_near_the_face():
    # The director places hair on the "subject": a subject covering the whole frame must not
    # make the whole frame sway.
    effect = Effect(type="hair", strength=1.0, region=Region(name="subject"))
    face = Face(box=(0.4, 0.35, 0.2, 0.3))
    scene = make_scene(effect, faces=[face])
    scene.analysis.subject[...] = 1.0
    fx = effect_class("hair")(effect, scene, 0)
    frames = []
    for i in range(0, 24, 3):
        frame = scene.image.copy()
        fx.apply(frame, i / FPS, None)
        frames.append(frame)
    move = motion_map(frames)
    assert move[:, :20].max() == 0 and move[:, -20:].max() == 0 and move[-10:].max() == 0
    assert move.mean() > 0


@pytest.mark.parametrize("kind", ["water", "clouds", "foliage", "fire"])
def test_region_effects_never_move_a_face(kind):
    # A face inside each effect's region.
    box = {"water": (0.05, 0.7, 0.15, 0.25), "clouds": (0.4, 0.02, 0.15, 0.25),
           "foliage": (0.1, 0.4, 0.15, 0.25), "fire": (0.45, 0.4, 0.12, 0.2)}[kind]
    face = Face(box=box)
    effect = Effect(type=kind, strength=1.0)
    scene = make_scene(effect, faces=[face])
    fx = effect_class(kind)(effect, scene, 0)
    x, y, fw, fh = box
    yy, xx = np.mgrid[0:H, 0:W]
    on_face = ((xx + 0.5 - (x + fw / 2) * W) / (fw * W / 2)) ** 2 + ((yy + 0.5 - (y + fh / 2) * H) / (fh * H / 2)) ** 2 < 1.0
    # The warp is never shown on the face ...
    x0, y0, x1, y1 = fx.warp.box
    alpha = np.zeros((H, W), np.float32)
    alpha[y0:y1, x0:x1] = fx.warp.alpha
    assert alpha[on_face].max() == 0.0
    # ... so its pixels never change (fire's glow may light it, evenly: not checked there).
    if kind != "fire":
        for i in (5, 11, 17):
            frame = scene.image.copy()
            fx.apply(frame, i / FPS, None)
            assert np.array_equal(frame[on_face], scene.image[on_face])


def test_two_phases_start_at_the_photo_and_sum_to_one():
    (age0, w0), (age1, w1) = two_phases(0.0, 2.0)
    assert age0 == 0.0 and w0 == 1.0 and w1 == 0.0
    for t in np.linspace(0, 5, 23):
        (a0, w0), (a1, w1) = two_phases(float(t), 2.0)
        assert abs(w0 + w1 - 1) < 1e-9 and -1.0 <= a0 < 1.0 and -1.0 <= a1 < 1.0


def test_user_region_and_freeze():
    # A polygon region over the left half of the water; freeze its lower-left corner.
    region = Region(polygon=[(0.0, 0.68), (0.5, 0.68), (0.5, 1.0), (0.0, 1.0)])
    freeze = Region(polygon=[(0.0, 0.85), (0.2, 0.85), (0.2, 1.0), (0.0, 1.0)])
    scene, frames = render(Effect(type="water", strength=1.0, region=region, freeze=freeze))
    move = motion_map(frames)
    left = move[int(0.72 * H):int(0.82 * H), int(0.25 * W):int(0.45 * W)].mean()
    right = move[int(0.72 * H):, int(0.6 * W):].mean()
    frozen = move[int(0.9 * H):, 2:int(0.16 * W)].mean()
    assert left > 0.3 and right < 0.05 * left and frozen < 0.1 * left


def test_missing_region_does_nothing():
    scene = make_scene(Effect(type="water"))
    scene.analysis.regions.pop("water")
    fx = effect_class("water")(Effect(type="water"), scene, 0)
    frame = scene.image.copy()
    fx.apply(frame, 1.0, None)
    assert np.array_equal(frame, scene.image)


def test_strength_scales_motion():
    _, weak = render(Effect(type="water", strength=0.1))
    _, strong = render(Effect(type="water", strength=1.0))
    assert motion_map(strong).mean() > 1.5 * motion_map(weak).mean()


def test_rivers_flow_along_their_banks_seas_toward_the_viewer():
    import math

    from stillmotion.effects.scene.water import river_angle

    down = np.full((60, 80), math.pi / 2, np.float32)
    river = np.zeros((60, 80), np.float32)
    cv2.line(river, (70, 0), (10, 59), 1.0, 10)  # from top right to bottom left
    a = river_angle(river, down)[river > 0.5]
    assert np.cos(a).mean() < -0.3 and np.sin(a).mean() > 0.5  # down and to the left
    sea = np.zeros((60, 80), np.float32)
    sea[25:] = 1.0
    b = river_angle(sea, down)[sea > 0.5]
    assert np.sin(b).mean() > 0.99  # straight toward the viewer


# --- issue 14: compact distinct things inside a flowing region stay single ----------------------

def _storm_scene(effect: Effect, loop: bool) -> Scene:
    """A cloudy night sky (top) with a sun-like disc and a lightning bolt, over dark water (bottom)
    holding a white post and a lamp's reflection."""
    rng = np.random.default_rng(5)
    w, h = 256, 160
    clouds = cv2.resize(rng.normal(0, 1, (h // 8, w // 8)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    image = np.zeros((h, w, 3), np.float32)
    image[: h // 2] = np.array([70, 75, 95]) + clouds[: h // 2, :, None] * 18
    image[h // 2:] = np.array([25, 35, 50]) + rng.normal(0, 5, (h - h // 2, w, 1))
    image = np.clip(image, 0, 255).astype(np.uint8)
    cv2.circle(image, (200, 40), 7, (255, 245, 225), -1, cv2.LINE_AA)  # the sun (or the moon)
    cv2.polylines(image, [np.array([(70, 5), (78, 20), (66, 34), (74, 50), (68, 66)], np.int32)], False, (250, 250, 255), 2)
    image[100:130, 120:124] = (235, 235, 230)  # a white post in the water
    for y in range(86, 154, 6):  # a lamp's reflection, broken by ripples
        image[y:y + 3, 40:48] = (240, 220, 170)
    sky = np.zeros((h, w), np.float32)
    sky[: h // 2] = 1.0
    depth = np.zeros((h, w), np.float32)
    depth[h // 2:] = np.linspace(0.3, 1.0, h - h // 2, dtype=np.float32)[:, None]
    analysis = Analysis(depth=depth, subject=np.zeros((h, w), np.float32), sky=sky, regions={"water": 1.0 - sky})
    plan = Plan(photo="synthetic.png", seed=2, loop=loop, canvas=Canvas(duration=4.0, fps=24, resolution=480), effects=[effect])
    return Scene(plan=plan, image=image, depth=depth, analysis=analysis, faces=[], canvas_map=CanvasMap.whole((w, h)))


def _centre(patch: np.ndarray) -> np.ndarray:
    """Centroid (x, y) of a patch's bright pixels."""
    ys, xs = np.nonzero(cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY) > 190)
    return np.array([xs.mean(), ys.mean()])


def _bright_things(frame: np.ndarray, region: np.ndarray) -> tuple[int, int]:
    """(count, area) of the bright things (luminance above 0.75, 4 pixels or more) inside region."""
    bright = (cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY) > 190) & (region > 0.5)
    _, _, stats, _ = cv2.connectedComponentsWithStats(bright.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return int((areas >= 4).sum()), int(areas.sum())


@pytest.mark.parametrize("loop", [True, False])
@pytest.mark.parametrize("kind", ["clouds", "water"])
def test_no_compact_feature_is_doubled_or_smeared(kind, loop):
    effect = Effect(type=kind, strength=1.0, speed=2.0)
    scene = _storm_scene(effect, loop)
    fx = effect_class(kind)(effect, scene, 0)
    region = scene.analysis.sky if kind == "clouds" else scene.analysis.regions["water"]
    region = cv2.erode((region > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8))
    count0, area0 = _bright_things(scene.image, region)
    assert count0 >= 2
    # The sun, or the post: where its bright pixels are (it may ripple, never travel).
    boxes = [(28, 54, 186, 214)] if kind == "clouds" else [(96, 134, 114, 130)]
    centres = [_centre(scene.image[y0:y1, x0:x1]) for y0, y1, x0, x1 in boxes]
    moved = 0.0
    for i in range(1, scene.plan.canvas.frame_count, 4):
        frame = scene.image.copy()
        fx.apply(frame, i / scene.fps, None)
        count, area = _bright_things(frame, region)
        assert count == count0, f"{kind} at {i / scene.fps:.2f} s shows {count} bright things, the photo {count0}"
        assert 0.6 * area0 <= area <= 1.3 * area0, (i, area, area0)  # ripples resample thin lines a little
        for (y0, y1, x0, x1), where in zip(boxes, centres):
            assert np.hypot(*(_centre(frame[y0:y1, x0:x1]) - where)) < 1.5, f"{kind}: a feature was carried off at {i}"
        moved = max(moved, float(np.abs(frame.astype(np.int16) - scene.image)[region > 0].mean()))
    assert moved > 0.3, "the region itself still moves"
