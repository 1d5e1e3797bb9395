"""A tiny synthetic scene for the atmosphere and light tests (built in-process, no files)."""

from __future__ import annotations

import numpy as np

from stillmotion.analysis.types import Analysis
from stillmotion.motion import renderer_class
from stillmotion.motion.base import Scene
from stillmotion.plan import Effect, Plan

W, H = 160, 96


def make_scene(effect: dict, *, loop: bool = False, seed: int = 3, duration: float = 2.0, size=(W, H), grey: bool = False) -> Scene:
    """Sky on top (far), a near box in the middle, ground below; a few small bright lamps; a cup."""
    w, h = size
    image = np.zeros((h, w, 3), np.uint8)
    image[: h // 3] = (110, 140, 190)  # sky
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
    return Scene(plan=plan, image=image, depth=depth, analysis=analysis, faces=[], crop=(0, 0, w, h))


def build(effect: dict, **kwargs):
    scene = make_scene(effect, **kwargs)
    spec = scene.plan.effects[0]
    cls = renderer_class(spec.type)
    assert cls is not None, f"{spec.type} is not registered"
    return cls(spec, scene, 0), scene


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


__all__ = ["Effect", "W", "H", "make_scene", "build", "render", "clip", "mad"]
