"""Neural engine overhead with tiny random-weight pipelines, against the CPU engine in the same run.

    python benchmarks/bench_neural.py [--families wan,ltx] [--duration 2] [--steps 2]

Prints per family: pipeline load (first, then reused), seconds per denoising step, whole
generation, and the finishing pass (resample + canvas resize + layers + encode) per output frame;
and the CPU engine's render of the same plan as the baseline. On a CUDA machine the pipelines
run in bf16 on the GPU. Tiny weights: these numbers measure the engine's plumbing, not a real
model's speed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", default="wan,ltx,svd,cogvideox")
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--steps", type=int, default=2)
    args = parser.parse_args()

    import torch

    from conftest import scene_image
    from stillmotion.analysis import analyse
    from stillmotion.api import make_plan, render
    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import NeuralClip, load_pipeline
    from stillmotion.engines.tiny import save_tiny
    from stillmotion.photo import load_photo
    from stillmotion.progress import Reporter

    device = "cuda (bf16)" if torch.cuda.is_available() else "cpu (float32)"
    print(f"device: {device}; torch {torch.__version__}; threads {torch.get_num_threads()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo_path = tmp / "photo.png"
        Image.fromarray(scene_image(480, 320)).save(photo_path)
        photo = load_photo(photo_path)
        analysis = analyse(photo)
        plan = make_plan(photo, "heavy rain", duration=args.duration, fps=24, resolution=480)

        start = time.perf_counter()
        render(plan, tmp / "cpu.mp4", photo=photo, analysis=analysis)
        cpu = time.perf_counter() - start
        frames = plan.canvas.frame_count
        print(f"baseline cpu engine: {frames} frames 720x480 in {cpu:.2f} s ({frames / cpu:.1f} frames/s)")

        for family in args.families.split(","):
            folder = save_tiny(family, tmp / family)
            spec = get_model(str(folder))
            start = time.perf_counter()
            load_pipeline(spec)
            first_load = time.perf_counter() - start
            start = time.perf_counter()
            load_pipeline(spec)
            reuse = time.perf_counter() - start

            clip = NeuralClip(plan, photo, analysis, model=str(folder), steps=args.steps)
            stamps: list[float] = []
            start = time.perf_counter()
            clip.generate(Reporter(lambda e: stamps.append(time.perf_counter()) if e.stage == "generate" else None))
            generate = time.perf_counter() - start
            per_step = np.diff(stamps[1:]) if len(stamps) > 2 else np.array([generate])

            from stillmotion.encode import VideoWriter

            start = time.perf_counter()
            with VideoWriter(tmp / f"{family}.mp4", clip.canvas_size, plan.canvas.fps) as writer:
                for frame in clip.output_frames():
                    writer.write(frame)
            finish = time.perf_counter() - start
            total = generate + finish
            print(f"{family:<10} model {clip.size[0]}x{clip.size[1]}, segments {clip.schedule.segments}: "
                  f"load {first_load:.2f} s (reused {reuse * 1000:.1f} ms), step {np.median(per_step):.3f} s median, "
                  f"generate {generate:.2f} s, finish {finish / frames * 1000:.1f} ms/frame, "
                  f"total {total:.2f} s = {total / cpu:.2f}x the cpu engine")


if __name__ == "__main__":
    main()
