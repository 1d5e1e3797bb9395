"""Quality and speed of the atmosphere and light effects on shared photos.

For each effect and photo (static camera, looping plan), it prints:
  inside    mean |consecutive-frame difference| where the effect belongs: its region for
            region effects (sparkle, dust, flicker: the light spots; steam/smoke: the plume;
            light_sweep, light_rays, lightning: their area), the far half of the scene for
            everywhere-effects (rain, snow, fog, petals, grade)
  outside   the same elsewhere (for everywhere-effects: the near part of the scene, where
            depth-aware rain and fog should show less)
  ratio     inside / outside
  flicker   mean |consecutive difference| of static areas (outside), in grey levels
  seam      loop seam ratio: |last - first| / mean |consecutive difference| (<= 1: no jump)
  ms/1080p  median wall time of the effect's apply() per 1080p frame
            (baseline in the same run: copying a 1080p frame)
  cpu ms    median CPU time of the same call (all threads): the shared machine is loaded
  enc x     libx264 (veryfast) encode CPU time of 1080p frames with the effect / without it, both
            under the same slow camera drift (busy overlays make the encoder work harder);
            skipped with --quick
Quality is measured at 480p over 3 s at 24 fps, straight from the renderer (no encoding).

Usage: python benchmarks/bench_effects_atmosphere.py [--photos DIR] [--quick] [--only rain,snow]
Photos are read from ../shared/photos (or --photos); missing photos are skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from stillmotion.analysis import analyse
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import load_photo
from stillmotion.plan import Plan

CASES = {
    "rain": ["deoldify_TimesSquare1955.jpg", "kodak21_lighthouse_coast.png"],
    "snow": ["kodak08_timbered_houses.png", "deoldify_AnselAdamsYosemite.jpg"],
    "fog": ["kodak16_sea_clouds.png", "kodak22_barn_pond.png"],
    "steam": ["skimage_coffee.png", "kodak21_lighthouse_coast.png"],
    "smoke": ["kodak21_lighthouse_coast.png", "skimage_coffee.png"],
    "sparkle": ["kodak16_sea_clouds.png", "kodak13_mountain_stream.png"],
    "dust": ["kodak07_window_flowers.png", "skimage_coffee.png"],
    "petals": ["kodak07_window_flowers.png", "kodak12_beach_couple.png"],
    "flicker": ["deoldify_TimesSquare1955.jpg", "skimage_rocket_dusk.jpg"],
    "light_sweep": ["kodak03_caps.png", "kodak21_lighthouse_coast.png"],
    "lightning": ["kodak16_sea_clouds.png", "kodak22_barn_pond.png"],
    "light_rays": ["kodak16_sea_clouds.png", "kodak13_mountain_stream.png"],
    "grade": ["kodak22_barn_pond.png", "kodak12_beach_couple.png"],
}
EVERYWHERE = ("rain", "snow", "fog", "petals", "grade")


def with_regions(photo, analysis):
    """The analysis with the region finder's masks, when the pipeline does not add them yet."""
    if not analysis.regions:
        try:
            from stillmotion.analysis.regions import find_regions
        except ImportError:
            return analysis
        small = cv2.resize(photo.pixels, analysis.size, interpolation=cv2.INTER_AREA)
        analysis.regions.update(find_regions(small, analysis))
    return analysis


def plan_for(kind: str, photo_path: str, resolution: int, duration: float) -> Plan:
    effect = {"type": kind, "strength": 0.6}
    if kind == "grade":
        effect = {"type": "grade", "style": "golden_hour"}
    return Plan(photo=photo_path, seed=1, loop=True, camera={"type": "static"},
                canvas={"resolution": resolution, "duration": duration, "fps": 24}, effects=[effect])


def region_of(kind: str, renderer: Renderer) -> np.ndarray:
    """Where the effect belongs, canvas size (bool)."""
    scene = renderer.scene
    effect = renderer.post_camera[0]
    w, h = scene.size
    if kind in EVERYWHERE:
        return scene.depth < np.quantile(scene.depth, 0.5)
    if kind in ("steam", "smoke"):  # where the plume is drawn: its opacity on a black and a white frame
        black, white = np.zeros((h, w, 3), np.uint8), np.full((h, w, 3), 255, np.uint8)
        for t in (1.0, 1.5, 2.0):
            effect.apply(black, t, None)
            effect.apply(white, t, None)
        return (white.astype(np.int16) - black).min(axis=2) < 250
    if kind == "light_sweep":
        return cv2.resize(effect.region, (w, h)) > 0.1
    if kind == "light_rays":
        return cv2.resize(effect.rays, (w, h)) > 0.08
    if kind == "lightning":
        sky = scene.mask_at_canvas("sky")
        return sky > 0.5 if sky is not None and (sky > 0.5).mean() > 0.02 else np.ones((h, w), bool)
    light = scene.mask_at_canvas("light")
    if kind == "sparkle":
        water = scene.mask_at_canvas("water")
        light = light if water is None else (water if light is None else np.maximum(light, water))
    if light is None or (light > 0.3).mean() < 0.0003:
        light = np.zeros((h, w), np.float32)
        spots = getattr(effect, "glints", None)
        spots = spots.xy if spots is not None else getattr(effect, "xy", np.zeros((0, 2)))
        if kind == "sparkle" and len(spots):
            for x, y in spots.astype(int):
                light[max(0, y - 3):y + 4, max(0, x - 3):x + 4] = 1
    grow = max(3, w // 60)
    return cv2.dilate((light > 0.3).astype(np.uint8), np.ones((grow, grow), np.uint8)) > 0


def quality(kind: str, photo, analysis) -> dict:
    plan = plan_for(kind, str(photo.path), 480, 3.0)
    renderer = Renderer(plan, photo, analysis)
    frames = [renderer.frame(i).astype(np.int16) for i in range(renderer.frame_count)]
    inside = region_of(kind, renderer)
    outside = ~inside
    if kind in EVERYWHERE:  # near things: where depth-aware effects should show less
        outside = renderer.scene.depth > np.quantile(renderer.scene.depth, 0.8)
    steps = [np.abs(frames[i + 1] - frames[i]).mean(axis=2) for i in range(len(frames) - 1)]
    step_in = float(np.mean([s[inside].mean() for s in steps])) if inside.any() else float("nan")
    step_out = float(np.mean([s[outside].mean() for s in steps])) if outside.any() else float("nan")
    overall = float(np.mean([s.mean() for s in steps]))
    seam = float(np.abs(frames[-1] - frames[0]).mean())
    return {"inside": step_in, "outside": step_out, "ratio": step_in / max(step_out, 1e-3),
            "flicker": step_out, "seam": seam / max(overall, 1e-6),
            "frame0": bool(np.array_equal(frames[0].astype(np.uint8), renderer.scene.image))}


def speed(kind: str, photo, analysis, frames: int, encode: bool) -> dict:
    plan = plan_for(kind, str(photo.path), 1080, 4.0)
    renderer = Renderer(plan, photo, analysis)
    effect = renderer.post_camera[0]
    base = renderer.scene.image
    frame = np.empty_like(base)
    view = renderer._view(0.0, 0, None, None)
    start_t = effect.events[0][0] if kind == "lightning" else 1.0  # time a flash, not the dark gaps
    wall, cpu, copy = [], [], []
    outputs = []
    for i in range(frames):
        t = start_t + i / 24  # consecutive frames inside the clip, past the ease-in
        start = time.perf_counter()
        np.copyto(frame, base)
        copied = time.perf_counter()
        c0 = time.process_time()
        effect.apply(frame, t, view)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - copied)
        copy.append(copied - start)
        if encode:
            outputs.append(frame.copy())
    result = {"ms": 1000 * float(np.median(wall)), "cpu": 1000 * float(np.median(cpu)), "copy": 1000 * float(np.median(copy))}
    if encode:
        # Baseline: the same photo under a slow camera drift (what a plain clip costs the encoder).
        drift = [cv2.warpAffine(base, np.float32([[1.002 ** i, 0, -0.7 * i], [0, 1.002 ** i, -0.3 * i]]), base.shape[1::-1],
                                borderMode=cv2.BORDER_REFLECT) for i in range(len(outputs))]
        result["enc"] = encode_time([cv2.warpAffine(f, np.float32([[1.002 ** i, 0, -0.7 * i], [0, 1.002 ** i, -0.3 * i]]),
                                                    base.shape[1::-1], borderMode=cv2.BORDER_REFLECT)
                                     for i, f in enumerate(outputs)]) / max(encode_time(drift), 1e-6)
    return result


def encode_time(frames) -> float:
    from stillmotion.encode import VideoWriter

    h, w = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.process_time()  # CPU of all threads: wall time on a shared machine is mostly waiting
        with VideoWriter(Path(tmp) / "bench.mp4", (w, h), 24) as writer:
            for f in frames:
                writer.write(f)
        return time.process_time() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default=str(Path(__file__).resolve().parents[2] / "shared" / "photos"))
    parser.add_argument("--quick", action="store_true", help="one photo per effect, fewer timing frames, no encode test")
    parser.add_argument("--only", default="", help="comma-separated effect types")
    args = parser.parse_args(argv)
    folder = Path(args.photos)
    if not folder.is_dir():
        print(f"no photos at {folder}; nothing to measure")
        return 0
    only = [k for k in args.only.split(",") if k]
    cache = {}
    print(f"{'effect':<12}{'photo':<30}{'inside':>8}{'outside':>9}{'ratio':>8}{'flicker':>9}{'seam':>7}"
          f"{'ms/1080p':>10}{'cpu ms':>8}{'copy ms':>9}{'enc x':>7}  frame0")
    for kind, names in CASES.items():
        if only and kind not in only:
            continue
        for name in names[:1] if args.quick else names:
            path = folder / name
            if not path.is_file():
                print(f"{kind:<12}{name:<30} (missing, skipped)")
                continue
            if name not in cache:
                photo = load_photo(path)
                cache[name] = (photo, with_regions(photo, analyse(photo)))
            photo, analysis = cache[name]
            q = quality(kind, photo, analysis)
            s = speed(kind, photo, analysis, 8 if args.quick else 12, encode=not args.quick)
            enc = f"{s['enc']:7.2f}" if "enc" in s else f"{'-':>7}"
            print(f"{kind:<12}{name[:29]:<30}{q['inside']:8.2f}{q['outside']:9.2f}{q['ratio']:8.1f}{q['flicker']:9.2f}"
                  f"{q['seam']:7.2f}{s['ms']:10.1f}{s['cpu']:8.1f}{s['copy']:9.1f}{enc}  {'ok' if q['frame0'] else 'CHANGED'}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
