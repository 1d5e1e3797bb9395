"""Small synthetic scenes for the effect tests (built in-process, no files).

make_scene: sky, a near box, dark ground, lamps, a cup's rim, water (atmosphere and light tests).
contract_scene: one scene with every region an effect can ground on and a face with its FaceMesh
landmarks (the registry-wide contract test).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from stillmotion.analysis.types import Analysis, Face
from stillmotion.canvas import CanvasMap
from stillmotion.effects.base import Scene
from stillmotion.effects.face.geometry import BROWS_LOWER, EYES, IRISES
from stillmotion.effects.registry import effect_class
from stillmotion.plan import Effect, Plan

W, H = 160, 96


def make_scene(effect: dict, *, loop: bool = False, seed: int = 3, duration: float = 2.0, size=(W, H), grey: bool = False) -> Scene:
    """Sky on top (far), a near box in the middle, ground below; a few small bright lamps; a cup."""
    w, h = size
    image = np.zeros((h, w, 3), np.uint8)
    image[: h // 3] = (80, 105, 150)  # sky at dusk (a dim scene: its lamps are lights)
    image[h // 3:] = (70, 62, 55)  # dark ground
    x0, x1, y0, y1 = w * 3 // 8, w * 5 // 8, h // 4, h * 3 // 4
    image[y0:y1, x0:x1] = (90, 80, 70)  # the near box
    depth = np.zeros((h, w), np.float32)
    depth[h // 3:] = np.linspace(0.3, 0.7, h - h // 3, dtype=np.float32)[:, None]
    depth[y0:y1, x0:x1] = 1.0
    sky = np.zeros((h, w), np.float32)
    sky[: h // 3] = 1.0
    sky[y0:y1, x0:x1] = 0.0
    light = np.zeros((h, w), np.float32)
    for lx, ly in ((w // 8, h // 2), (w * 7 // 8, h // 2), (w // 5, h * 5 // 6)):
        image[ly - 2:ly + 2, lx - 2:lx + 2] = (255, 235, 200)  # small lamps
        light[ly - 2:ly + 2, lx - 2:lx + 2] = 1.0
    source = np.zeros((h, w), np.float32)
    source[h * 5 // 6:h * 5 // 6 + 4, w * 3 // 4 - 6:w * 3 // 4 + 6] = 1.0  # a cup's rim, low right
    water = np.zeros((h, w), np.float32)
    water[h * 7 // 8:] = 1.0
    if grey:  # a flat photo: colour changes then measure the effect's own amount
        image[:] = 100
    analysis = Analysis(depth=depth, subject=np.zeros((h, w), np.float32), sky=sky,
                        regions={"light": light, "steam_source": source, "water": water})
    plan = Plan(photo="synthetic.png", seed=seed, loop=loop, canvas={"resolution": 480, "duration": duration, "fps": 24},
                effects=[effect])
    return Scene(plan=plan, image=image, depth=depth, analysis=analysis, faces=[], canvas_map=CanvasMap.whole((w, h)))


def face_landmarks(cx: float, cy: float, scale: float = 1.0) -> dict[int, tuple[float, float]]:
    """The FaceMesh points the effects use, for a frontal face centred at (cx, cy), in pixels."""
    s = scale
    pts = {10: (0, -90), 152: (0, 100), 234: (-80, 0), 454: (80, 0), 1: (0, 20), 4: (0, 15),
           168: (0, -20), 6: (0, -10), 175: (0, 92), 172: (-60, 70), 397: (60, 70), 136: (-50, 80), 365: (50, 80),
           61: (-30, 50), 291: (30, 50), 0: (0, 42), 13: (0, 48), 14: (0, 52), 17: (0, 58),
           205: (-40, 25), 425: (40, 25), 50: (-50, 10), 280: (50, 10)}
    for (outer, inner, upper, lower), brow, ex in zip(EYES, BROWS_LOWER, (-35, 35)):
        sign = 1 if ex > 0 else -1  # outer corner away from the nose
        for k, i in enumerate(brow):
            pts[i] = (ex + sign * 20 - sign * 10 * k, -36)
        iris = IRISES[0] if ex < 0 else IRISES[1]
        pts[iris[0]] = (ex, -20)
        for i, (dx, dy) in zip(iris[1:], ((6, 0), (0, -6), (-6, 0), (0, 6))):
            pts[i] = (ex + dx, -20 + dy)
        pts[outer] = (ex + sign * 20, -20)
        pts[inner] = (ex - sign * 20, -20)
        for k, (u, low) in enumerate(zip(upper, lower), start=1):
            f = k / 8
            x = ex + sign * 20 - sign * 40 * f
            pts[u] = (x, -20 - 8 * math.sin(math.pi * f))
            pts[low] = (x, -20 + 6 * math.sin(math.pi * f))
    return {i: (cx + x * s, cy + y * s) for i, (x, y) in pts.items()}


def draw_face(img: np.ndarray, points: dict[int, tuple[float, float]], scale: float = 1.0) -> None:
    c = points[10][0], (points[10][1] + points[152][1]) / 2
    cv2.ellipse(img, (int(c[0]), int(c[1])), (int(82 * scale), int(100 * scale)), 0, 0, 360, (205, 165, 140), -1)
    for outer, inner, upper, lower in EYES:
        poly = np.array([points[outer]] + [points[i] for i in upper] + [points[inner]] + [points[i] for i in lower[::-1]], np.int32)
        cv2.fillPoly(img, [poly], (245, 245, 245))
        centre = np.mean([points[outer], points[inner]], axis=0)
        cv2.circle(img, (int(centre[0]), int(centre[1])), max(1, int(6 * scale)), (40, 30, 20), -1)
        lid = np.array([points[outer]] + [points[i] for i in upper] + [points[inner]], np.int32)
        cv2.polylines(img, [lid], False, (30, 20, 10), max(1, int(2 * scale)))
        brow = np.array([points[outer], points[inner]]) + [0, -18 * scale]
        cv2.line(img, tuple(brow[0].astype(int)), tuple(brow[1].astype(int)), (60, 40, 30), max(1, int(4 * scale)))
    mouth = np.array([points[61], points[14], points[291]], np.int32)
    cv2.polylines(img, [mouth], False, (150, 40, 50), max(1, int(4 * scale)))


def landmark_array(points: dict[int, tuple[float, float]], size: tuple[int, int]) -> np.ndarray:
    """478 x 2 normalised landmarks; points the effects do not use sit at the face's centre."""
    arr = np.tile(np.mean(list(points.values()), axis=0), (478, 1))
    for i, p in points.items():
        arr[i] = p
    return (arr / np.array(size)).astype(np.float32)


def face_scene_parts(image: np.ndarray, centres, scale: float) -> list[Face]:
    """Draw a face at each centre on image (in place) and return the faces with their landmarks."""
    h, w = image.shape[:2]
    faces = []
    for cx, cy in centres:
        points = face_landmarks(cx, cy, scale)
        draw_face(image, points, scale)
        lm = landmark_array(points, (w, h))
        x0, y0 = lm.min(0)
        x1, y1 = lm.max(0)
        faces.append(Face(box=(float(x0), float(y0), float(x1 - x0), float(y1 - y0)), score=0.9, landmarks=lm))
    return faces


CW, CH = 320, 240
FACE_CENTRE, FACE_SCALE = (250, 130), 0.45


def contract_scene(effect: dict | Effect, *, loop: bool = False, seed: int = 3, duration: float = 2.0) -> Scene:
    """Everything an effect can ground on, in one 320 x 240 photo at dusk: sky with a cloud (top), foliage (left),
    a fire (middle), lamps (light), a cup's rim (steam source), water (bottom), and a person (right:
    subject mask and a face with landmarks). Depth: far sky, ground rising toward the viewer, the
    person near."""
    rng = np.random.default_rng(11)
    w, h = CW, CH
    texture = cv2.GaussianBlur(rng.integers(0, 255, (h, w, 3)).astype(np.uint8), (0, 0), 1.2)
    image = np.zeros((h, w, 3), np.uint8)
    horizon = h // 3
    image[:horizon] = (100, 140, 210)
    cv2.ellipse(image, (90, 35), (40, 14), 0, 0, 360, (235, 235, 240), -1)  # a cloud
    image[horizon:] = (70, 100, 60)
    image[h * 3 // 4:] = (40, 70, 115)  # water
    image[horizon:h * 3 // 4, :70] = (50, 120, 45)  # foliage
    # At dusk (mean brightness under 0.35): the lamps are lights, as flicker requires in a dim scene.
    image = cv2.addWeighted(image, 0.45, texture, 0.18, 0)
    fire = (slice(120, 150), slice(120, 140))
    image[fire] = (250, 160, 40)
    lamps = [(20, 100), (180, 95), (100, 150)]
    for lx, ly in lamps:
        image[ly - 2:ly + 2, lx - 2:lx + 2] = (255, 240, 210)
    cup = (slice(165, 169), slice(150, 170))
    image[163:178, 152:168] = (235, 235, 230)  # a white cup
    faces = face_scene_parts(image, [FACE_CENTRE], FACE_SCALE)

    def box(ys, xs):
        m = np.zeros((h, w), np.float32)
        m[ys, xs] = 1.0
        return cv2.GaussianBlur(m, (0, 0), 1.0)

    sky = box(slice(0, horizon), slice(0, w))
    person = np.zeros((h, w), np.float32)
    cv2.ellipse(person, FACE_CENTRE, (50, 60), 0, 0, 360, 1.0, -1)
    person[FACE_CENTRE[1]:, FACE_CENTRE[0] - 60:FACE_CENTRE[0] + 60] = 1.0
    light = np.zeros((h, w), np.float32)
    for lx, ly in lamps:
        light[ly - 2:ly + 2, lx - 2:lx + 2] = 1.0
    depth = np.zeros((h, w), np.float32)
    depth[horizon:] = np.linspace(0.2, 0.8, h - horizon, dtype=np.float32)[:, None]
    depth = np.maximum(depth, 0.9 * person)
    analysis = Analysis(depth=depth, subject=person, sky=sky, faces=faces, regions={
        "water": box(slice(h * 3 // 4, h), slice(0, 200)), "foliage": box(slice(horizon + 2, h * 3 // 4), slice(0, 70)),
        "fire": box(*fire), "light": light, "steam_source": box(*cup)})
    spec = effect if isinstance(effect, Effect) else Effect(**effect)
    plan = Plan(photo="synthetic.png", seed=seed, loop=loop, canvas={"resolution": 480, "duration": duration, "fps": 24},
                effects=[spec])
    return Scene(plan=plan, image=image, depth=depth, analysis=analysis, faces=faces, canvas_map=CanvasMap.whole((w, h)))


def build(effect: dict, *, scene_maker=None, **kwargs):
    """The effect built on a synthetic scene (make_scene unless another scene_maker is given)."""
    scene = (scene_maker or make_scene)(effect, **kwargs)
    spec = scene.plan.effects[0]
    return effect_class(spec.type)(spec, scene, 0), scene


def render(effect, scene, t: float, view=None) -> np.ndarray:
    frame = scene.image.copy()
    effect.apply(frame, t, view)
    return frame


def clip(effect: dict, **kwargs) -> tuple[list[np.ndarray], Scene]:
    """All frames of a clip (frame i at t = i / fps)."""
    renderer, scene = build(effect, **kwargs)
    count = scene.plan.canvas.frame_count
    return [render(renderer, scene, i / scene.fps) for i in range(count)], scene


def mad(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


__all__ = ["Effect", "W", "H", "make_scene", "contract_scene", "build", "render", "clip", "mad"]
