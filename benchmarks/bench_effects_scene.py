"""Quality and speed of the scene effects (water, clouds, foliage, fire, hair) on shared photos.

For each effect and photo, with a static camera and a looping plan, it prints:
  inside   mean |consecutive-frame difference| inside the effect's region (what moves)
  outside  the same far outside it (should stay near the encoder-free floor of 0)
  ratio    inside / outside
  flicker  mean |consecutive difference| of static areas (outside), in grey levels
  seam     loop seam ratio: |last - first| / median |consecutive difference| (1 = seamless;
           cross-faded flows move fastest at t = 0, so values up to ~1.5 are still no jump)
  ms/1080p median wall time of the effect's apply() on a 1080p canvas over times spread across
           the clip (baseline: copying the frame)
  cpu ms   median CPU time of the same call, all threads summed: on a loaded shared machine
           wall time mostly measures waiting; on an idle 2-core machine wall ~ cpu / 1.5-2
Quality is measured at 480p over 3 s at 24 fps, straight from the renderer (no encoding).

Usage: python benchmarks/bench_effects_scene.py [--photos DIR] [--quick]
Photos are read from ../shared/photos (or --photos); missing photos are skipped.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from stillmotion.analysis import analyse
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import Photo, load_photo
from stillmotion.plan import Camera, Canvas, Effect, Plan

CASES = {
    "water": ["kodak13_mountain_stream.png", "kodak16_sea_clouds.png", "kodak21_lighthouse_coast.png", "kodak22_barn_pond.png"],
    "clouds": ["kodak16_sea_clouds.png", "kodak21_lighthouse_coast.png", "kodak13_mountain_stream.png"],
    "foliage": ["kodak07_window_flowers.png", "kodak13_mountain_stream.png", "kodak22_barn_pond.png"],
    "fire": ["synthetic:fireplace"],
    "hair": ["kodak04_girl_red_hat.png", "deoldify_migrant_mother.jpg", "fr_two_people.jpg"],
}


def fireplace_photo() -> Photo:
    """No shared photo shows a fire: a drawn one (dark room, flame with a hot core, logs)."""
    import cv2

    h, w = 480, 640
    rng = np.random.default_rng(1)
    img = np.full((h, w, 3), (45, 35, 30), np.float32)
    img += cv2.GaussianBlur(rng.normal(0, 12, (h, w, 1)).astype(np.float32), (0, 0), 2)[..., None]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for cx, height, width in ((320, 200, 70), (280, 130, 40), (360, 150, 40)):
        tongue = np.clip(1 - ((xx - cx) / width) ** 2 - ((yy - 380) / height) ** 2, 0, 1) * (yy < 380)
        img += tongue[..., None] * np.array([255, 140, 30]) * 1.2
        flame = np.clip(1 - 2.5 * (((xx - cx) / width) ** 2 + ((yy - 380) / height) ** 2), 0, 1)
        img += flame[..., None] * (yy < 380)[..., None] * np.array([0, 110, 120])
    cv2.rectangle(img, (200, 380), (440, 410), (80, 50, 30), -1)
    pixels = np.clip(img, 0, 255).astype(np.uint8)
    return Photo(pixels=pixels, sha256="synthetic-fireplace", path=None)


def load(name: str, photos: Path) -> Photo | None:
    if name == "synthetic:fireplace":
        return fireplace_photo()
    path = photos / name
    return load_photo(path) if path.is_file() else None


def plan_for(photo: Photo, effect: str, resolution: int, duration: float) -> Plan:
    return Plan(
        photo=str(photo.path or "synthetic.png"), loop=True, seed=1,
        canvas=Canvas(resolution=resolution, duration=duration, fps=24),
        camera=Camera(type="static"), effects=[Effect(type=effect)],
    )


def region_of(renderer: Renderer) -> np.ndarray:
    """Where the effect is shown: its warp's blend mask placed on the canvas."""
    effect = renderer.pre_camera[0]
    w, h = renderer.size
    out = np.zeros((h, w), np.float32)
    warp = getattr(effect, "warp", None)
    if warp is not None and not getattr(warp, "empty", True):
        x0, y0, x1, y1 = warp.box
        out[y0:y1, x0:x1] = warp.alpha
    return out


def quality(photo: Photo, analysis, effect: str, quick: bool) -> dict | None:
    import cv2

    renderer = Renderer(plan_for(photo, effect, 480, 2.0 if quick else 3.0), photo, analysis)
    region = region_of(renderer)
    if region.max() < 0.5:
        return None
    frames = [renderer.frame(i).astype(np.float32).mean(axis=2) for i in range(renderer.frame_count)]
    steps = np.abs(np.diff(np.stack(frames), axis=0))
    move = steps.mean(axis=0)
    inside = region > 0.5
    far = cv2.dilate((region > 0.01).astype(np.uint8), np.ones((31, 31), np.uint8)) == 0
    step_means = steps.mean(axis=(1, 2))
    seam = float(np.abs(frames[-1] - frames[0]).mean())
    out = {
        "inside": float(move[inside].mean()),
        "outside": float(move[far].mean()) if far.any() else float("nan"),
        "seam": seam / max(float(np.median(step_means)), 1e-9),
        "area": float(inside.mean()),
    }
    out["ratio"] = out["inside"] / max(out["outside"], 1e-3)
    out["flicker"] = out["outside"]
    return out


def speed(photo: Photo, analysis, effect: str, quick: bool) -> tuple[float, float, float]:
    renderer = Renderer(plan_for(photo, effect, 1080, 3.0), photo, analysis)
    fx = renderer.pre_camera[0]
    frame = renderer.scene.image.copy()
    times, cpu, base = [], [], []
    for i in range(1, 7 if quick else 13):
        t0 = time.perf_counter()
        np.copyto(frame, renderer.scene.image)
        t1, c1 = time.perf_counter(), time.process_time()
        fx.apply(frame, i * 0.23 + 0.04, None)  # times spread over the clip: all phases
        t2, c2 = time.perf_counter(), time.process_time()
        base.append(t1 - t0)
        times.append(t2 - t1)
        cpu.append(c2 - c1)
    return 1000 * float(np.median(times)), 1000 * float(np.median(cpu)), 1000 * float(np.median(base))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "photos")
    parser.add_argument("--quick", action="store_true", help="shorter clips, fewer timing frames")
    parser.add_argument("--only", help="one effect type")
    args = parser.parse_args(argv)
    print(f"{'effect':8} {'photo':30} {'area':>5} {'inside':>7} {'outside':>7} {'ratio':>6} {'flicker':>7} {'seam':>5} "
          f"{'ms/1080p':>8} {'cpu ms':>6} {'copy ms':>7}")
    for effect, names in CASES.items():
        if args.only and effect != args.only:
            continue
        for name in names:
            photo = load(name, args.photos)
            if photo is None:
                print(f"{effect:8} {name:30} (photo missing, skipped)")
                continue
            analysis = analyse(photo) if photo.path is not None else _analyse_pixels(photo)
            if effect == "hair" and not analysis.faces:
                print(f"{effect:8} {name:30} (no face found, skipped)")
                continue
            q = quality(photo, analysis, effect, args.quick)
            if q is None:
                print(f"{effect:8} {name:30} (no region found: the effect does nothing here)")
                continue
            ms, cpu, base = speed(photo, analysis, effect, args.quick)
            print(f"{effect:8} {name:30} {q['area']:5.2f} {q['inside']:7.3f} {q['outside']:7.3f} {q['ratio']:6.1f} "
                  f"{q['flicker']:7.3f} {q['seam']:5.2f} {ms:8.1f} {cpu:6.1f} {base:7.2f}")
            sys.stdout.flush()
    return 0


def _analyse_pixels(photo: Photo):
    from stillmotion.analysis import analyse as run

    return run(photo, cache=False)


if __name__ == "__main__":
    raise SystemExit(main())
