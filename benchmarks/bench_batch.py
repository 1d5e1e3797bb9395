"""Benchmark: batch throughput with one process (baseline), the local process pool, and a local Ray.

    python benchmarks/bench_batch.py [--count 100] [--duration 5] [--resolution 480] [--jobs N] [--no-ray]

Makes COUNT photos in /tmp/stillmotion-bench-batch/photos from the shared photos (cycling through
them at several sizes: long side 640, 1280, 2400 and 4000 px; synthetic ones when the shared folder
is missing), then animates the whole folder at 480p, 5 s, once per mode, each mode with an empty
analysis cache and an empty output folder. Prints items per minute, the speed-up over one process,
the time to re-run a finished folder (everything skipped), and Ray's overhead per item:
(Ray wall - pool wall) / count, with ray.init timed separately, plus the round trip of an empty task.

The library changes while people work on it, and a changed plan is a new video: to time a stable
library, run against a copy of the sources, e.g. `cp -r src/stillmotion /tmp/snap/ &&
PYTHONPATH=/tmp/snap python benchmarks/bench_batch.py` (pool and Ray workers inherit PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

import numpy as np
from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"
WORK = Path("/tmp/stillmotion-bench-batch")
SIZES = (640, 1280, 2400, 4000)


def make_photos(count: int, folder: Path) -> list[Path]:
    """COUNT JPEGs of several sizes; each one a different photo or size, so no two share an analysis."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(p for p in SHARED.glob("*") if p.suffix.lower() in (".jpg", ".png")) if SHARED.is_dir() else []
    paths = []
    for i in range(count):
        path = folder / f"photo{i:03d}.jpg"
        paths.append(path)
        if path.exists():
            continue
        side = SIZES[i % len(SIZES)]
        if sources:
            image = Image.open(sources[i % len(sources)]).convert("RGB")
            scale = side / max(image.size)
            image = image.resize((max(2, round(image.width * scale)), max(2, round(image.height * scale))), Image.Resampling.BICUBIC)
            if i >= len(sources) * len(SIZES):  # more photos than sources x sizes: mirror to keep them distinct
                image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        else:
            rng = np.random.default_rng(i)
            image = Image.fromarray(rng.integers(0, 255, (side * 3 // 4, side, 3), dtype=np.uint8))
        image.save(path, quality=90)
    return paths


def run_mode(name: str, photos: Path, options: dict, **kwargs) -> tuple[float, object]:
    from stillmotion.batch import Defaults, run_batch

    out = WORK / f"out-{name}"
    cache = WORK / f"cache-{name}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["STILLMOTION_CACHE_DIR"] = str(cache)  # every mode analyses every photo itself
    start = time.perf_counter()
    summary = run_batch(photos, out, Defaults(options=options), quiet=True, **kwargs)
    wall = time.perf_counter() - start
    print(f"{name:>12}: {wall:7.1f} s  {summary.line()}", flush=True)
    for failure in summary.failures[:5]:
        print(f"{'':>14}failed: {failure.input}: {failure.error}")
    if summary.interrupted:
        raise SystemExit("interrupted")
    return wall, summary


def main() -> None:
    from stillmotion.batch.runner import default_jobs

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--resolution", type=int, default=480)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()

    photos = WORK / "photos"
    make_photos(args.count, photos)
    options = {"resolution": args.resolution, "duration": args.duration}
    print(f"{args.count} photos (long side {', '.join(map(str, SIZES))}), {args.resolution}p, {args.duration:g} s, "
          f"{default_jobs()} CPUs, pool of {args.jobs}")

    walls = {}
    walls["one process"], _ = run_mode("one process", photos, options, jobs=1)
    walls["pool"], _ = run_mode("pool", photos, options, jobs=args.jobs)
    from stillmotion.batch import Defaults, run_batch

    start = time.perf_counter()  # the pool's folder again, with its cache: everything is skipped
    again = run_batch(photos, WORK / "out-pool", Defaults(options=options), jobs=args.jobs, quiet=True,
                      report=WORK / "out-pool" / "report-rerun.jsonl")
    rerun_wall = time.perf_counter() - start
    print(f"{'re-run':>12}: {rerun_wall:7.1f} s  {again.line()}")
    if again.interrupted:
        raise SystemExit("interrupted")

    ray_init = task_round_trip = None
    if not args.no_ray:
        import ray

        start = time.perf_counter()
        ray.init(num_cpus=args.jobs, include_dashboard=False,
                 runtime_env={"env_vars": {"STILLMOTION_CACHE_DIR": str(WORK / "cache-ray")}})
        ray_init = time.perf_counter() - start
        noop = ray.remote(num_cpus=1)(lambda: None)
        ray.get([noop.remote() for _ in range(20)])  # warm the workers
        start = time.perf_counter()
        ray.get([noop.remote() for _ in range(args.count)])
        task_round_trip = (time.perf_counter() - start) / args.count
        walls["ray"], _ = run_mode("ray", photos, options, use_ray=True)
        ray.shutdown()

    base = walls["one process"]
    print("\nitems per minute (higher is better), speed-up against one process in the same run:")
    for name, wall in walls.items():
        print(f"  {name:>12}: {args.count / wall * 60:6.1f} items/min  x{base / wall:4.2f}")
    print(f"  re-run of a finished folder: {rerun_wall / args.count * 1000:.0f} ms per item (plan + decode check)")
    if "ray" in walls:
        print(f"Ray: init {ray_init:.1f} s (once); empty task round trip {task_round_trip * 1000:.1f} ms; "
              f"overhead per item against the pool {(walls['ray'] - walls['pool']) / args.count * 1000:+.0f} ms")


if __name__ == "__main__":
    main()
