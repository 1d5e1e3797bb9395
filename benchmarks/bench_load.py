"""Benchmark: load_photo on a 12 MP JPEG against plain Pillow decoding, in the same run.

    python benchmarks/bench_load.py [PHOTO] [--runs 5]

Makes a 4000 x 3000 JPEG in a temporary folder (upscaled from PHOTO, a shared photo when one is
there, else synthesised) and prints the median wall time of:
  - baseline: Pillow full decode to RGB (Image.open + convert);
  - naive: full decode + exif_transpose + LANCZOS resize to 1920 (what a simple loader does);
  - load_photo with max_side 1920 and 4096 (draft-mode decode, resize, orientation, hash).
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from stillmotion.photo import load_photo

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos" / "moviepy_vacation_2017_large.jpg"


def make_12mp_jpeg(source: Path | None, out: Path) -> Path:
    if source and source.is_file():
        image = Image.open(source).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    else:  # smooth colour fields plus fine noise: compresses like a photo, not like a flat card
        rng = np.random.default_rng(0)
        yy, xx = np.mgrid[0:3000, 0:4000].astype(np.float32)
        base = np.stack([128 + 100 * np.sin(xx / 310), 128 + 100 * np.cos(yy / 170), 128 + 90 * np.sin((xx + yy) / 530)], -1)
        image = Image.fromarray(np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8))
    image.save(out, quality=92)
    return out


def median_time(fn, runs: int) -> float:
    fn()  # warm caches and imports
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photo", nargs="?", type=Path, default=SHARED)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_load_") as folder:
        path = make_12mp_jpeg(args.photo, Path(folder) / "12mp.jpg")
        data = path.read_bytes()
        source = args.photo if args.photo.is_file() else "synthetic"
        print(f"photo: 4000 x 3000 JPEG, {len(data) / 1e6:.1f} MB (from {source}); median of {args.runs} runs")

        def baseline():
            return np.asarray(Image.open(io.BytesIO(path.read_bytes())).convert("RGB"))

        def naive():
            image = ImageOps.exif_transpose(Image.open(io.BytesIO(path.read_bytes()))).convert("RGB")
            return np.asarray(image.resize((1920, 1440), Image.Resampling.LANCZOS))

        rows = [("Pillow full decode (baseline)", median_time(baseline, args.runs)),
                ("full decode + LANCZOS to 1920", median_time(naive, args.runs))]
        for side in (1920, 4096):
            rows.append((f"load_photo max_side={side}", median_time(lambda: load_photo(path, max_side=side), args.runs)))
        base = rows[0][1]
        for name, seconds in rows:
            print(f"{name:34s} {seconds * 1000:7.1f} ms   {seconds / base:5.2f}x baseline")
        shape = load_photo(path, max_side=1920).pixels.shape
        print(f"load_photo max_side=1920 gives {shape[1]} x {shape[0]}")


if __name__ == "__main__":
    main()
