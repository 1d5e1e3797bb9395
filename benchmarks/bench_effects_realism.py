"""Realism checks of the effects on shared photos (issue 14): does the clip look like the thing it names?

All figures are measured on rendered frames only (never on an effect's internals), so the same
script measures any version of the effects: run it with another checkout's src on PYTHONPATH to
get the "before" numbers. Static camera, looping 4 s plans at 480p, seed 1.

  features   clouds and water: distinct bright compact things in the flowing region (blobs standing
             out of their surroundings by 0.2: the sun, a bolt, a lamp's reflection, a white post),
             counted on frame 0 and on every frame after: "+max" is the largest excess over frame
             0 (a doubled sun or post shows as +1 or more), "mean" the mean count.
  plume      steam and smoke: the plume's opacity, measured exactly by drawing the effect on a
             black and on a white frame (alpha = 1 - (white - black) / 255): "peak" its 99.9th
             percentile (1 = an opaque core), "bottom" and "top" the plume's width (pixels of the
             time-averaged alpha above 0.02) in the lowest and highest quarter of its height, and
             top/bottom (> 1: it widens as it rises). "no plume" when nothing is drawn.
  glints     sparkle: the glints' own light (the effect drawn on a black frame: a screen blend
             leaves exactly its light), cut into blobs; "on hl" the share whose brightest pixel
             sits on a highlight of the photo (bright and standing out of its surroundings),
             "size x" the median of glint core radius (half its peak) / highlight radius, "reach"
             the largest blob's long side as a share of the frame height (clip-art stars are long).
  rain       streak visibility against the background: mean |frame - median frame| (what moves:
             a dimming or a haze does not) over dark (luminance < 0.25) and broad bright (> 0.7,
             a sky or a white wall, not a lamp) parts of the far half of the photo (near things
             hide the drops behind them), and dark / bright (> 1:
             streaks show over dark areas, nearly vanish against a bright sky).

Usage: python benchmarks/bench_effects_realism.py [--photos DIR] [--only features,plume,glints,rain]
Missing photos are skipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

from stillmotion.analysis import analyse
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import Photo, load_photo
from stillmotion.plan import Plan

RESOLUTION, DURATION, FPS = 480, 4.0, 24
POND = {"polygon": [[0.0, 0.62], [1.0, 0.62], [1.0, 0.83], [0.0, 0.83]]}  # kodak22: the analysis misses it
RIVER = {"polygon": [[0.1, 0.8], [0.62, 0.8], [0.72, 1.0], [0.0, 1.0]]}  # Yosemite: the analysis takes the snow for water
PAD = {"polygon": [[0.4, 0.93], [0.5, 0.93], [0.5, 0.98], [0.4, 0.98]]}  # rocket at dusk: a vent at the pad
FEATURES = [("clouds", "kodak16_sea_clouds.png", None), ("clouds", "kodak21_lighthouse_coast.png", None),
            ("clouds", "synthetic:storm", None), ("water", "kodak16_sea_clouds.png", None),
            ("water", "kodak22_barn_pond.png", POND), ("water", "deoldify_AnselAdamsYosemite.jpg", RIVER),
            ("water", "synthetic:storm", None)]
PLUMES = [("steam", "skimage_coffee.png", None), ("steam", "skimage_rocket_dusk.jpg", PAD),
          ("smoke", "kodak21_lighthouse_coast.png", None), ("smoke", "kodak01_stone_house.png", None),
          ("steam", "kodak08_timbered_houses.png", None)]
GLINTS = ["skimage_rocket_dusk.jpg", "kodak16_sea_clouds.png", "kodak21_lighthouse_coast.png", "kodak03_caps.png"]
RAIN = ["kodak08_timbered_houses.png", "deoldify_TimesSquare1955.jpg", "kodak16_sea_clouds.png", "kodak22_barn_pond.png",
        "skimage_rocket_dusk.jpg"]


def storm_photo() -> Photo:
    """No shared photo shows lightning: a drawn stormy sky with two bolts and a low sun, over dark
    water that reflects the sun as a bright column (the doubles issue 14 saw)."""
    h, w = 480, 720
    rng = np.random.default_rng(4)
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.broadcast_to(np.array([70, 75, 95], np.float32) * (0.7 + 0.5 * yy), (h, w, 3)).copy()
    clouds = cv2.GaussianBlur(rng.normal(0, 1, (h // 8, w // 8)).astype(np.float32), (0, 0), 2.0)
    img[: h // 2] += cv2.resize(clouds, (w, h))[: h // 2, :, None] * 40
    for x0 in (200, 470):
        pts = [(x0, 20)]
        for _ in range(9):
            pts.append((pts[-1][0] + int(rng.integers(-14, 15)), pts[-1][1] + 22))
        cv2.polylines(img, [np.array(pts, np.int32)], False, (250, 250, 255), 3, cv2.LINE_AA)
    cv2.circle(img, (600, 205), 14, (255, 245, 220), -1, cv2.LINE_AA)
    img[h // 2:] = np.array([25, 35, 50], np.float32) + rng.normal(0, 6, (h - h // 2, w, 1))
    for y in range(h // 2 + 4, h, 6):  # the sun's column on the water, broken by the waves
        cv2.line(img, (600 - 6, y), (600 + 6, y), (240, 225, 190), 2)
    return Photo(pixels=np.clip(img, 0, 255).astype(np.uint8), sha256="synthetic-storm", path=None)


def storm_analysis(photo: Photo):
    from stillmotion.analysis.types import Analysis

    h, w = photo.pixels.shape[:2]
    sky = np.zeros((h, w), np.float32)
    sky[: h // 2] = 1.0
    depth = np.zeros((h, w), np.float32)
    depth[h // 2:] = np.linspace(0.2, 1.0, h - h // 2, dtype=np.float32)[:, None]
    return Analysis(depth=depth, subject=np.zeros((h, w), np.float32), sky=sky, regions={"water": 1.0 - sky})


def load(name: str, folder: Path, cache: dict):
    if name not in cache:
        if name == "synthetic:storm":
            photo = storm_photo()
            cache[name] = (photo, storm_analysis(photo))
        else:
            path = folder / name
            cache[name] = None
            if path.is_file():
                photo = load_photo(path)
                cache[name] = (photo, analyse(photo))
    return cache[name]


def renderer_for(photo, analysis, effect: dict, loop: bool = True) -> Renderer:
    plan = Plan(photo=str(photo.path or "synthetic.png"), seed=1, loop=loop, camera={"type": "static"},
                canvas={"resolution": RESOLUTION, "duration": DURATION, "fps": FPS}, effects=[effect])
    return Renderer(plan, photo, analysis)


def luminance(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0


# --- features ---------------------------------------------------------------------------------
def count_blobs(image: np.ndarray, region: np.ndarray) -> int:
    """Bright compact things standing out of their surroundings by 0.2 or more (a white top-hat with
    a disc 5% of the short side), 4 pixels to 2% of the frame, inside the region."""
    lum = luminance(image)
    k = max(5, int(0.05 * min(lum.shape)) | 1)
    above = lum - cv2.morphologyEx(lum, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    found = (above > 0.2) & (region > 0.5)
    _, _, stats, _ = cv2.connectedComponentsWithStats(found.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    return int(((areas >= 4) & (areas <= 0.02 * lum.size)).sum())


def features(kind: str, photo, analysis, region_spec) -> str:
    effect = {"type": kind, "strength": 0.6}
    if region_spec is not None:
        effect["region"] = region_spec
    renderer = renderer_for(photo, analysis, effect)
    scene = renderer.scene
    from stillmotion.effects.regions import area_mask
    from stillmotion.plan import Region

    region = area_mask(Region(**region_spec) if region_spec else Region(name="sky" if kind == "clouds" else "water"), scene, None)
    region = cv2.erode((region > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8)).astype(np.float32)
    if region.mean() < 0.01:
        return "no region"
    counts = [count_blobs(renderer.frame(i), region) for i in range(0, renderer.frame_count, 2)]
    return f"frame0 {counts[0]:4d}  +max {max(counts) - counts[0]:+4d}  mean {np.mean(counts):6.1f}"


# --- plumes -----------------------------------------------------------------------------------
def plume(kind: str, photo, analysis, region_spec) -> str:
    effect = {"type": kind, "strength": 0.5}
    if region_spec is not None:
        effect["region"] = region_spec
    renderer = renderer_for(photo, analysis, effect)
    fx = renderer.post_camera[0]
    h, w = renderer.scene.image.shape[:2]
    alphas = []
    for i in range(12, renderer.frame_count, 6):
        t = i / FPS
        black, white = np.zeros((h, w, 3), np.uint8), np.full((h, w, 3), 255, np.uint8)
        fx.apply(black, t, None)
        fx.apply(white, t, None)
        alphas.append(1.0 - (white.astype(np.float32) - black).mean(axis=2) / 255.0)
    stack = np.stack(alphas)
    peak = float(np.percentile(stack, 99.9))
    if stack.max() < 0.01:
        return "no plume"
    mean = stack.mean(axis=0)
    rows = np.nonzero((mean > 0.02).any(axis=1))[0]
    top, bottom = rows.min(), rows.max()
    quarter = max(1, (bottom - top + 1) // 4)
    width_top = float((mean[top:top + quarter] > 0.02).sum(axis=1).mean())
    width_bottom = float((mean[bottom - quarter + 1:bottom + 1] > 0.02).sum(axis=1).mean())
    return (f"peak {peak:5.2f}  bottom {width_bottom:6.1f}  top {width_top:6.1f}  top/bottom {width_top / max(width_bottom, 1):5.2f}"
            f"  height {bottom - top + 1:4d}")


# --- glints -----------------------------------------------------------------------------------
def glints(photo, analysis) -> str:
    renderer = renderer_for(photo, analysis, {"type": "sparkle", "strength": 0.5})
    fx = renderer.post_camera[0]
    image = renderer.scene.image
    lum = luminance(image)
    lift = lum - cv2.GaussianBlur(lum, (0, 0), max(2.0, 0.01 * max(lum.shape)))
    h, w = lum.shape
    on, ratios, reach, blobs = 0, [], 0.0, 0
    for i in range(6, renderer.frame_count, 3):
        layer = np.zeros_like(image)
        fx.apply(layer, i / FPS, None)  # a screen blend on black: the glints' own light
        light = luminance(layer)
        count, labels, stats, _ = cv2.connectedComponentsWithStats((light > 0.1).astype(np.uint8), connectivity=8)
        for k in range(1, count):
            x, y, bw, bh, _ = stats[k]
            part = labels[y:y + bh, x:x + bw] == k
            values = np.where(part, light[y:y + bh, x:x + bw], 0)
            cy, cx = np.unravel_index(int(np.argmax(values)), part.shape)
            cx, cy = cx + x, cy + y
            blobs += 1
            reach = max(reach, max(bw, bh) / h)
            near = (slice(max(0, cy - 1), cy + 2), slice(max(0, cx - 1), cx + 2))
            if lum[near].max() >= 0.6 and lift[near].max() >= 0.05:
                on += 1
                core = float((values >= 0.5 * values.max()).sum())
                ratios.append(np.sqrt(core / np.pi) / highlight_radius(lum, cx, cy))
    if blobs == 0:
        return "no glints"
    size = f"{np.median(ratios):5.2f}" if ratios else "   - "
    return f"glints {blobs:5d}  on hl {on / blobs:5.2f}  size x {size}  reach {reach:5.3f}"


def highlight_radius(lum: np.ndarray, x: int, y: int) -> float:
    """Radius of the bright spot of the photo at (x, y): the connected pixels at least 85% as bright."""
    r = 30
    y0, x0 = max(0, y - r), max(0, x - r)
    window = lum[y0:y + r + 1, x0:x + r + 1]
    bright = (window >= 0.85 * lum[y, x]).astype(np.uint8)
    _, labels = cv2.connectedComponents(bright, connectivity=8)
    area = int((labels == labels[y - y0, x - x0]).sum())
    return max(0.5, float(np.sqrt(area / np.pi)))


# --- rain -------------------------------------------------------------------------------------
def rain(photo, analysis) -> str:
    renderer = renderer_for(photo, analysis, {"type": "rain", "strength": 0.75})
    lum = luminance(renderer.scene.image)
    broad = cv2.blur(lum, (15, 15))
    # Dark parts, and broad bright ones (a sky, a white wall: not a lamp, where streaks should shine),
    # both in the far half of the scene (near things hide the drops behind them: not what is measured).
    far = renderer.scene.depth <= np.median(renderer.scene.depth)
    dark, bright = (lum < 0.25) & far, (lum > 0.7) & (broad > 0.7) & far
    if dark.mean() < 0.01 or bright.mean() < 0.01:
        return f"too few dark ({dark.mean():.2f}) or bright ({bright.mean():.2f}) parts"
    # The steady middle of the clip: no easing in or out (the dimming changes then).
    frames = np.stack([luminance(renderer.frame(i)) for i in range(24, renderer.frame_count - 24, 3)])
    # The streaks move; a veil, a dimming or a haze does not: what differs from the median frame.
    streaks = np.abs(frames - np.median(frames, axis=0)) * 255.0
    d, b = float(streaks[:, dark].mean()), float(streaks[:, bright].mean())
    return f"dark {d:6.2f}  bright {b:6.2f}  dark/bright {d / max(b, 1e-3):5.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "photos")
    parser.add_argument("--only", default="", help="comma-separated: features, plume, glints, rain")
    args = parser.parse_args(argv)
    only = [k for k in args.only.split(",") if k]
    cache: dict = {}

    def run(section, rows, measure):
        if only and section not in only:
            return
        print(f"--- {section}")
        for row in rows:
            name = row if isinstance(row, str) else row[1]
            loaded = load(name, args.photos, cache)
            label = f"{row[0] + ' ' if not isinstance(row, str) else ''}{name}"[:44]
            if loaded is None:
                print(f"{label:<45} (photo missing, skipped)")
                continue
            photo, analysis = loaded
            extra = () if isinstance(row, str) else (row[0],)
            tail = () if isinstance(row, str) else (row[2],)
            print(f"{label:<45} {measure(*extra, photo, analysis, *tail)}")
            sys.stdout.flush()

    run("features", FEATURES, features)
    run("plume", PLUMES, plume)
    run("glints", GLINTS, glints)
    run("rain", RAIN, rain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
