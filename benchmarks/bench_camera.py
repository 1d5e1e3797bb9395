"""Every camera move on real photos, checked from the frames alone (issue 13's conditions).

    python benchmarks/bench_camera.py [--set named|wide] [--photos NAME ...] [--cameras TYPE ...] [--resolution 720]
                                      [--duration 4] [--strength 0.5] [--json OUT.json] [--masks DIR]

--set named (the default) is the photos the moves were tuned on; --set wide is seven others (a
stone house, a beach couple, a painted face, a 1908 family, a rocket at dusk, a 1955 street, two
people): how the moves hold outside the tuned set. --photos overrides either.

For each photo and camera type, a camera-only clip (no effects) is rendered in memory and read
back by stillmotion.frames.camera_check:
- motion: the global similarity from the first frame to the last, classified (static, pan, tilt,
  zoom) and compared with what the move is named; its amount (pan: the centre's shift as a
  fraction of the width or height; zoom: the scale change) must be at least 3 %. Orbit and dolly
  zoom are read by camera_check.depth_motion (motion as a line in the corners' nearness): an
  orbit must slide the farthest and the nearest tracked corners (2nd and 98th percentile of their
  nearness) against each other round a depth among them, or hold one while the other slides
  ("sweep", by at least 3 % of the width between them), a dolly zoom grow the far against the
  near ("looms", scales 3 % apart);
- far/near: for pans and tilts, the median shift along the move of the farthest and nearest
  quarter of the tracked corners (by the scene's depth); the far must not run against the move;
- specks: isolated outliers in smooth areas, new per megapixel in the worst frame against the photo
  (the issue's limit: 20).
Frames are checked before encoding (no compression noise). Prints a table and a summary. With
--masks, each clip's worst frame for specks is written to DIR (PHOTO-CAMERA-fFRAME.png) with
its specks in red, each ringed: to see what the count counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"
PHOTO_SETS = {
    "named": ("kodak21_lighthouse_coast.png", "kodak04_girl_red_hat.png", "kodak13_mountain_stream.png",
              "deoldify_egypt_pyramids_large.jpg", "skimage_astronaut.png", "kodak07_window_flowers.png",
              "kodak08_timbered_houses.png"),
    "wide": ("kodak01_stone_house.png", "kodak12_beach_couple.png", "kodak15_girl_facepaint.png",
             "deoldify_1908FamilyPhoto.jpg", "skimage_rocket_dusk.jpg", "deoldify_TimesSquare1955.jpg",
             "fr_two_people.jpg"),
}
CAMERAS = ("zoom_in", "zoom_out", "dolly_in", "dolly_out", "pan_left", "pan_right", "tilt_up", "tilt_down",
           "orbit", "dolly_zoom", "ken_burns")
# What each move should look like to a viewer (camera_check's labels). Orbit and dolly zoom are
# no single global motion: they move the near and the far differently, and are checked so (below).
EXPECTED = {"static": "static", "zoom_in": "zoom_in", "zoom_out": "zoom_out", "dolly_in": "zoom_in", "dolly_out": "zoom_out",
            "pan_left": "pan_left", "pan_right": "pan_right", "tilt_up": "tilt_up", "tilt_down": "tilt_down",
            "orbit": "sweep", "dolly_zoom": "looms", "ken_burns": "zoom_in"}
MIN_AMOUNT = 0.03
MAX_SPECKS = 20.0


def far_near_shift(first: np.ndarray, moved: np.ndarray, depth: np.ndarray, camera: str) -> tuple[float, float] | None:
    """Median shift along the camera's named direction (pixels, > 0 = with the move) of the farthest
    and the nearest quarter of the corners. None for moves that are not pans or tilts."""
    if not camera.startswith(("pan", "tilt")) or len(first) < 16:
        return None
    axis = 0 if camera.startswith("pan") else 1
    # Content slides against the camera: a pan to the right moves the content left.
    sign = {"pan_left": 1, "pan_right": -1, "tilt_up": 1, "tilt_down": -1}[camera]
    h, w = depth.shape
    near = depth[np.clip(first[:, 1].round().astype(int), 0, h - 1), np.clip(first[:, 0].round().astype(int), 0, w - 1)]
    lo, hi = np.quantile(near, [0.25, 0.75])
    along = sign * moved[:, axis]
    return float(np.median(along[near <= lo])), float(np.median(along[near >= hi]))


def write_speck_mask(frame: np.ndarray, path: Path) -> None:
    """frame with the pixels speck_count counts painted red and ringed (atomically written PNG)."""
    import cv2

    from stillmotion.frames.camera_check import speck_mask

    mask = speck_mask(frame)
    marked = cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)
    for x, y in zip(*np.nonzero(mask)[::-1]):
        cv2.circle(marked, (int(x), int(y)), 6, (0, 0, 255), 1)
    marked[mask] = (0, 0, 255)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".png", marked)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data.tobytes())
    partial.replace(path)


def check_clip(photo, analysis, camera: str, args) -> dict:
    import stillmotion
    from stillmotion.frames.camera_check import fit_depth_motion, fit_motion, nearness_at, specks_per_megapixel, track
    from stillmotion.frames.renderer import Renderer

    plan = stillmotion.direct(photo, analysis, "", camera=camera, strength=args.strength, duration=args.duration,
                              resolution=args.resolution, aspect=args.aspect)
    plan = plan.with_changes(effects=[])
    started = time.perf_counter()
    renderer = Renderer(plan, photo, analysis)
    base = specks_per_megapixel(renderer.scene.image)
    worst, worst_frame, worst_index = -np.inf, None, 0
    keep = []
    step = max(1, renderer.frame_count // 10)
    buffer = np.empty_like(renderer.scene.image)
    for index in range(renderer.frame_count):
        frame = renderer.frame(index, out=buffer)
        specks = specks_per_megapixel(frame) - base
        if specks > worst:
            worst, worst_index = specks, index
            if args.masks:
                worst_frame = frame.copy()
        if index % step == 0 or index == renderer.frame_count - 1:
            keep.append(frame.copy())
    seconds = time.perf_counter() - started
    worst = max(worst, 0.0)  # a clip cleaner than its photo counts as none new
    size = renderer.size
    first, last = track(keep)  # once: every reading below fits these corners
    motion = fit_motion(first, last, size)
    shifts = far_near_shift(first, last - first, renderer.scene.depth, camera)
    expected = EXPECTED[camera]
    label, amount = motion.label, motion.amount
    if expected in ("sweep", "looms"):
        by_depth = fit_depth_motion(first, last, nearness_at(first, renderer.scene.depth, size), size)
        if expected == "sweep":  # the far and the near slide against each other round the subject
            label, amount = by_depth.orbit_label, by_depth.sweep
        else:  # the background grows against the foreground (the subject keeps its size)
            label, amount = ("looms" if by_depth.looms > 0 else "shrinks"), abs(by_depth.looms)
    if args.masks:
        write_speck_mask(worst_frame, args.masks / f"{photo.path.stem if photo.path else 'photo'}-{camera}-f{worst_index}.png")
    ok_motion = label == expected and amount >= MIN_AMOUNT
    ok_far = shifts is None or shifts[0] >= -1.0
    return {"camera": camera, "label": label, "expected": expected, "amount": amount, "scale": motion.scale,
            "dx": motion.dx, "dy": motion.dy, "inliers": motion.inliers, "far_near": shifts, "specks": worst,
            "ok": bool(ok_motion and ok_far and worst <= MAX_SPECKS), "ok_motion": ok_motion, "ok_far": ok_far,
            "seconds": seconds, "frames": renderer.frame_count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="photo_set", choices=sorted(PHOTO_SETS), default="named",
                        help="which photos: the tuned set (named) or seven others (wide)")
    parser.add_argument("--photos", nargs="*", help="photo names or paths (instead of --set)")
    parser.add_argument("--cameras", nargs="*", default=list(CAMERAS))
    parser.add_argument("--resolution", type=int, default=720)
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--strength", type=float, default=0.5)
    parser.add_argument("--aspect", default="16:9")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--masks", type=Path, help="write each clip's worst frame, its specks marked, to this folder")
    args = parser.parse_args()

    import stillmotion

    rows = []
    print(f"{'photo':34} {'camera':10} {'seen':10} {'amount':>7} {'scale':>6} {'far/near px':>14} {'specks/MP':>9}  ok")
    for name in args.photos or PHOTO_SETS[args.photo_set]:
        path = SHARED / name if not Path(name).exists() else Path(name)
        if not path.exists():
            print(f"{name}: not found, skipped", file=sys.stderr)
            continue
        photo = stillmotion.load_photo(path)
        analysis = stillmotion.analyse(photo)
        for camera in args.cameras:
            row = {"photo": path.name, **check_clip(photo, analysis, camera, args)}
            rows.append(row)
            fn = row["far_near"]
            fn_text = "" if fn is None else f"{fn[0]:+6.1f}/{fn[1]:+6.1f}"
            print(f"{path.name[:34]:34} {camera:10} {row['label']:10} {row['amount'] * 100:6.1f}% {row['scale']:6.3f} "
                  f"{fn_text:>14} {row['specks']:9.1f}  {'yes' if row['ok'] else 'NO'}", flush=True)
    if not rows:
        sys.exit("no photos found (pass --photos)")
    moves = sum(r["ok_motion"] for r in rows)
    far = sum(r["ok_far"] for r in rows)
    specks = [r["specks"] for r in rows]
    print(f"\nmotion named right with >= {MIN_AMOUNT:.0%}: {moves}/{len(rows)}; far never against a pan: {far}/{len(rows)}; "
          f"worst new specks/MP: median {np.median(specks):.1f}, max {max(specks):.1f} (limit {MAX_SPECKS:g}); "
          f"all three: {sum(r['ok'] for r in rows)}/{len(rows)}")
    print(f"render seconds per clip (no encode; loaded machine?): median {np.median([r['seconds'] for r in rows]):.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
