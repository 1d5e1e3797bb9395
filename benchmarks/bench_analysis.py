"""Analysis benchmark: depth quality against ground truth, and the time to load + analyse 12 MP.

Quality: scikit-image ships the Middlebury "motorcycle" stereo pair with its ground-truth
disparity (larger = nearer, the same sense as our nearness). We report the Spearman rank
correlation of the classical depth with it, next to a naive baseline measured in the same run
(nearness rising linearly from the top row to the bottom row).

Speed: a 12 MP JPEG (a shared photo upscaled, or a drawn scene without ../shared) is loaded and
analysed without the cache, on this machine's cores; the stages are timed separately.

    /work/venv/bin/python benchmarks/bench_analysis.py
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"


def ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), as Spearman's rho needs."""
    order = np.argsort(values, kind="stable")
    sorted_vals = values[order]
    ranks_sorted = np.arange(len(values), dtype=np.float64)
    # average ranks over runs of equal values
    boundaries = np.flatnonzero(np.diff(sorted_vals)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(values)]])
    for s, e in zip(starts, ends):
        if e - s > 1:
            ranks_sorted[s:e] = (s + e - 1) / 2
    out = np.empty(len(values))
    out[order] = ranks_sorted
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = ranks(a.astype(np.float64)), ranks(b.astype(np.float64))
    return float(np.corrcoef(ra, rb)[0, 1])


def motorcycle_quality() -> None:
    try:
        from skimage import data
    except ImportError:
        print("motorcycle: scikit-image is not installed; skipped")
        return
    from stillmotion.analysis.depth import ClassicalDepth
    from stillmotion.analysis.pipeline import run_analysis

    left, _, disparity = data.stereo_motorcycle()
    result = run_analysis(np.ascontiguousarray(left), ClassicalDepth())
    h, w = result.depth.shape
    truth = cv2.resize(disparity.astype(np.float32), (w, h), interpolation=cv2.INTER_NEAREST)
    valid = np.isfinite(truth) & (truth > 0)
    # Subsample the pixels: rank correlation over ~50k points is plenty and quick.
    idx = np.flatnonzero(valid.ravel())[::4]
    ours = spearman(result.depth.ravel()[idx], truth.ravel()[idx])
    gradient = np.repeat(np.linspace(0, 1, h, dtype=np.float32)[:, None], w, axis=1)
    baseline = spearman(gradient.ravel()[idx], truth.ravel()[idx])
    print(f"motorcycle (Middlebury, {left.shape[1]}x{left.shape[0]}): Spearman vs ground-truth disparity")
    print(f"  classical depth        {ours:+.3f}")
    print(f"  vertical-gradient base {baseline:+.3f}")
    print(f"  difference             {ours - baseline:+.3f}")


def twelve_megapixel_file(folder: Path) -> Path:
    """A 4000 x 3000 JPEG: a shared landscape upscaled, or a drawn scene."""
    source = SHARED / "kodak21_lighthouse_coast.png"
    if source.is_file():
        rgb = cv2.cvtColor(cv2.imread(str(source)), cv2.COLOR_BGR2RGB)
    else:  # without ../shared: blue sky over noisy ground with a red block
        rng = np.random.default_rng(0)
        rgb = rng.integers(60, 140, (500, 500, 3), dtype=np.uint8)
        rgb[:200] = (120, 160, 220)
        rgb[220:450, 180:320] = (200, 50, 40)
    big = cv2.resize(rgb, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    path = folder / "twelve_mp.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(big, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def twelve_megapixel_speed() -> None:
    from stillmotion.analysis import analyse
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.depth import ClassicalDepth
    from stillmotion.analysis.faces import detect_faces_safely
    from stillmotion.analysis.imaging import resize_long
    from stillmotion.analysis.regions import find_regions
    from stillmotion.photo import load_photo

    with tempfile.TemporaryDirectory() as tmp:
        path = twelve_megapixel_file(Path(tmp))
        detect_faces_safely(np.zeros((64, 64, 3), np.uint8))  # load the face models once, as a server would
        best_load = best_analyse = best_cpu = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            photo = load_photo(path)
            t1 = time.perf_counter()
            c1 = time.process_time()
            result = analyse(photo, depth="classical", cache=False)
            t2 = time.perf_counter()
            best_load, best_analyse = min(best_load, t1 - t0), min(best_analyse, t2 - t1)
            best_cpu = min(best_cpu, time.process_time() - c1)
        small = resize_long(photo.pixels, 768)
        stages = {}
        t = time.perf_counter()
        faces = detect_faces_safely(small)
        stages["faces"] = time.perf_counter() - t
        t = time.perf_counter()
        found = compute_cues(small, faces)
        stages["sky+subject cues"] = time.perf_counter() - t
        t = time.perf_counter()
        ClassicalDepth().estimate(small, found)
        stages["depth from cues"] = time.perf_counter() - t
        t = time.perf_counter()
        find_regions(small, result)
        stages["regions (analysis/regions.py)"] = time.perf_counter() - t
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"12 MP photo ({photo.original_size[0]}x{photo.original_size[1]}), best of 2, no cache, "
          f"{os.cpu_count()} cores, load average {load_avg:.1f} (wall times grow with other work):")
    print(f"  load        {best_load:.2f} s")
    print(f"  analyse     {best_analyse:.2f} s  (CPU {best_cpu:.2f} s; maps {result.size[0]}x{result.size[1]}, faces {len(result.faces)})")
    print(f"  total       {best_load + best_analyse:.2f} s  (target < 2 s)")
    for name, seconds in stages.items():
        print(f"    {name:32s} {seconds:.3f} s")


if __name__ == "__main__":
    motorcycle_quality()
    twelve_megapixel_speed()
