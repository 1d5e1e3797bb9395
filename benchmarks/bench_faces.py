"""Faces benchmark: per shared portrait, faces found, detection time, blink+breathe time per 1080p
frame, and the largest change outside the face regions.

    /work/venv/bin/python benchmarks/bench_faces.py [PHOTO ...]

Times are also given as a ratio to one full-frame cv2.remap at the same size measured in the same
run (the machine is shared, so absolute milliseconds drift; the ratio does not).
Needs mediapipe (pip install 'stillmotion[faces]' && pip install --no-deps mediapipe==0.10.14)
and ../shared/photos.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np

from stillmotion.analysis.faces import available, detect_faces
from stillmotion.analysis.types import Analysis
from stillmotion.canvas import CanvasMap
from stillmotion.effects.base import Scene
from stillmotion.effects.face.blink import Blink
from stillmotion.effects.face.breathe import Breathe
from stillmotion.plan import Effect, Plan

PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
PORTRAITS = [
    "fr_obama.jpg", "fr_biden_large.jpg", "fr_two_people.jpg", "deoldify_marktwain.jpg",
    "deoldify_WaltWhitman.jpg", "deoldify_migrant_mother.jpg", "deoldify_1908FamilyPhoto.jpg",
    "deoldify_1920sFamilyPhoto.jpg", "deoldify_Mid1800sSisters.jpg", "deoldify_Unidentified1855.jpg",
    "kodak04_girl_red_hat.png", "kodak15_girl_facepaint.png", "skimage_astronaut.png", "kodak12_beach_couple.png",
    "kodak01_stone_house.png",  # no face: must get no face motion
]
SHORT_SIDE = 1080
DURATION, FPS = 4.0, 30


def canvas_scene(photo: np.ndarray, faces) -> Scene:
    h, w = photo.shape[:2]
    s = SHORT_SIDE / min(h, w)
    size = (round(w * s) // 2 * 2, round(h * s) // 2 * 2)
    image = cv2.resize(photo, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    zeros = np.zeros(image.shape[:2], np.float32)
    plan = Plan(photo="bench", loop=True, canvas={"duration": DURATION, "fps": FPS})
    analysis = Analysis(depth=zeros, subject=zeros, sky=zeros, faces=faces)
    return Scene(plan=plan, image=image, depth=zeros, analysis=analysis, faces=faces, canvas_map=CanvasMap.whole((w, h)))


def full_remap_ms(image: np.ndarray, repeats: int = 10) -> float:
    h, w = image.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    gy += 0.37
    cv2.remap(image, gx, gy, cv2.INTER_LINEAR)
    start = time.perf_counter()
    for _ in range(repeats):
        cv2.remap(image, gx, gy, cv2.INTER_LINEAR)
    return 1000 * (time.perf_counter() - start) / repeats


def face_mask(scene: Scene, grow: float = 0.25) -> np.ndarray:
    """True inside each face's box, grown by `grow` of its size."""
    w, h = scene.size
    mask = np.zeros((h, w), bool)
    for face in scene.faces:
        x, y, fw, fh = face.box
        x0, y0 = int((x - grow * fw) * w), int((y - grow * fh) * h)
        x1, y1 = int((x + fw * (1 + grow)) * w) + 1, int((y + fh * (1 + grow)) * h) + 1
        mask[max(0, y0):y1, max(0, x0):x1] = True
    return mask


def main(names: list[str]) -> None:
    if not available():
        sys.exit("mediapipe is not installed: pip install 'stillmotion[faces]' && pip install --no-deps mediapipe==0.10.14")
    if not PHOTOS.exists():
        sys.exit(f"{PHOTOS} not found")
    print(f"{'photo':32} {'faces':>5} {'anim':>4} {'detect s':>8} {'canvas':>10} {'b+b ms':>7} {'worst':>6} "
          f"{'/remap':>6} {'blink out-face':>14} {'b+b out-ROI':>11} {'rest=photo':>10}")
    ratios = []
    for name in names:
        path = PHOTOS / name
        if not path.exists():
            print(f"{name:32} (missing)")
            continue
        photo = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        start = time.perf_counter()
        faces = detect_faces(photo)
        detect_s = time.perf_counter() - start
        scene = canvas_scene(photo, faces)
        blink = Blink(Effect(type="blink"), scene, 0)
        breathe = Breathe(Effect(type="breathe"), scene, 1)
        frame = np.empty_like(scene.image)
        times = np.arange(round(DURATION * FPS)) / FPS
        per_frame = []
        for t in times:
            np.copyto(frame, scene.image)
            begin = time.perf_counter()
            blink.apply(frame, t, None)
            breathe.apply(frame, t, None)
            per_frame.append(time.perf_counter() - begin)
        baseline = full_remap_ms(scene.image)
        mean_ms, worst_ms = 1000 * float(np.mean(per_frame)), 1000 * float(np.max(per_frame))
        ratios.append(mean_ms / baseline)
        # Largest change outside the faces for blink alone, and outside all effect ROIs for both.
        outside_face = ~face_mask(scene)
        rois = np.zeros(outside_face.shape, bool)
        for part in blink.parts:
            for eye in part.eyes:
                x0, y0, x1, y1 = eye.roi
                rois[y0:y1, x0:x1] = True
        for part in breathe.parts:
            x0, y0, x1, y1 = part.warp.roi
            rois[y0:y1, x0:x1] = True
        blink_out = both_out = 0
        blink_times = [s + 0.45 * d for part in blink.parts for s, d in part.times]
        for t in blink_times[:6] + [1.0, 2.0]:
            np.copyto(frame, scene.image)
            blink.apply(frame, t, None)
            diff = np.abs(frame.astype(np.int16) - scene.image).max(axis=2)
            blink_out = max(blink_out, int(diff[outside_face].max(initial=0)))
            breathe.apply(frame, t, None)
            diff = np.abs(frame.astype(np.int16) - scene.image).max(axis=2)
            both_out = max(both_out, int(diff[~rois].max(initial=0)))
        np.copyto(frame, scene.image)
        blink.apply(frame, 0.0, None)
        breathe.apply(frame, 0.0, None)
        rest = np.array_equal(frame, scene.image)
        animated = len(blink.parts)
        print(f"{name:32} {len(faces):5d} {animated:4d} {detect_s:8.2f} {scene.size[0]:>4}x{scene.size[1]:<5} "
              f"{mean_ms:7.2f} {worst_ms:6.1f} {mean_ms / baseline:6.2f} {blink_out:14d} {both_out:11d} {str(rest):>10}")
    if ratios:
        print(f"\nblink+breathe per 1080p frame: mean {np.mean(ratios):.2f} x one full-frame cv2.remap "
              f"(baseline remap measured per photo in this run; the design notes give 12 ms for it on an idle 2-core box)")


if __name__ == "__main__":
    main(sys.argv[1:] or PORTRAITS)
