"""The neural engine: plumbing cost with tiny pipelines, a device check, and a real-model smoke run.

    python benchmarks/bench_neural.py [--families ltx,wan-a14b] [--duration 2] [--steps 2]
        Tiny random-weight pipelines against the CPU engine in the same run: pipeline load (first,
        then reused), seconds per denoising step, generation, and the finishing pass (resample +
        canvas resize + layers + encode) per output frame. Tiny weights: plumbing, not model speed.

    python benchmarks/bench_neural.py --check
        On a CUDA machine (no model hub needed): every tiny family in bf16 with each placement
        (everything on the GPU, model CPU offload, layer-by-layer offload) and VAE tiling; checks
        dtypes per component, tiling, finite non-constant frames, sound; prints PASS/FAIL and timings.

    python benchmarks/bench_neural.py --gpu [--model ltx-video] [--photo PATH] [--duration 5] [--resolution 720]
        A real model (pulled into the Hugging Face cache if missing; a local folder works too):
        a looping clip of a shared photo; prints time per step and in total, peak VRAM, the loop
        seam, frame 0 against the photo, and the colour drift per segment (as made, as kept).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
SHARED_PHOTO = ROOT.parent / "shared" / "photos"


def _photo(tmp: Path, path: str | None):
    from conftest import scene_image
    from stillmotion.analysis import analyse
    from stillmotion.photo import load_photo

    if path is None:
        path = tmp / "photo.png"
        Image.fromarray(scene_image(480, 320)).save(path)
    photo = load_photo(path)
    return photo, analyse(photo)


def _timed_generate(clip):
    from stillmotion.progress import Reporter

    stamps: list[float] = []
    start = time.perf_counter()
    clip.generate(Reporter(lambda e: stamps.append(time.perf_counter()) if e.stage == "generate" else None))
    total = time.perf_counter() - start
    per_step = np.diff(stamps[1:]) if len(stamps) > 2 else np.array([total])
    return total, float(np.median(per_step))


def tiny_benchmark(args) -> None:
    import torch

    from neural_tiny import save_tiny
    from stillmotion.api import make_plan, render
    from stillmotion.encode import VideoWriter
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import NeuralClip

    device = "cuda (bf16)" if torch.cuda.is_available() else "cpu (float32)"
    print(f"device: {device}; torch {torch.__version__}; threads {torch.get_num_threads()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo, analysis = _photo(tmp, None)
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
            looped = plan.with_changes(loop=True) if spec.last_frame_required else plan
            clip = NeuralClip(looped, photo, analysis, model=spec, steps=args.steps)
            generate, step = _timed_generate(clip)
            start = time.perf_counter()
            with VideoWriter(tmp / f"{family}.mp4", clip.canvas_size, plan.canvas.fps) as writer:
                for frame in clip.output_frames():
                    writer.write(frame)
            finish = time.perf_counter() - start
            total = generate + finish
            print(f"{family:<10} model {clip.size[0]}x{clip.size[1]}, segments {clip.schedule.segments}: "
                  f"load {first_load:.2f} s (reused {reuse * 1000:.1f} ms), step {step:.3f} s median, "
                  f"generate {generate:.2f} s, finish {finish / frames * 1000:.1f} ms/frame, "
                  f"total {total:.2f} s = {total / cpu:.2f}x the cpu engine")


def device_check(args) -> int:
    """Tiny families on CUDA in bf16: each placement, VAE tiling, dtypes; PASS/FAIL per run."""
    import torch

    from neural_tiny import FAMILIES, save_tiny
    from stillmotion.api import make_plan
    from stillmotion.engines.loading import load_pipeline, release
    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import NeuralClip

    cuda = torch.cuda.is_available()
    print(f"device: {torch.cuda.get_device_name(0) if cuda else 'cpu (no CUDA: this checks the logic only)'}; "
          f"torch {torch.__version__}")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo, analysis = _photo(tmp, None)
        for family in (args.families.split(",") if args.families else FAMILIES):
            base = get_model(str(save_tiny(family, tmp / family)))
            placements = {"gpu": (base, None), "model": (base, True),
                          "layers": (replace(base, vram_gb=(1e6, 1e6)), None)}
            for placement, (spec, low_vram) in placements.items():
                release()
                start = time.perf_counter()
                try:
                    plan = make_plan(photo, "gentle rain", duration=1, fps=24, resolution=480, loop=True)
                    clip = NeuralClip(plan, photo, analysis, model=spec, low_vram=low_vram, audio=spec.audio)
                    frames = _run(clip)
                    loaded = load_pipeline(spec, low_vram)
                    problems = _problems(loaded, clip, frames, placement if cuda else "cpu", torch)
                except Exception as exc:  # a check reports every failure and goes on
                    problems = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"]
                    traceback.print_exc(limit=-4)
                seconds = time.perf_counter() - start
                peak = torch.cuda.max_memory_allocated() / 2**20 if cuda else 0.0
                failures += bool(problems)
                status = "PASS" if not problems else "FAIL " + "; ".join(problems)
                print(f"{family:<10} {placement if cuda else 'cpu':<10} {seconds:6.2f} s  peak {peak:7.1f} MiB  {status}", flush=True)
                if cuda:
                    torch.cuda.reset_peak_memory_stats()
                if not cuda:
                    break  # placements only differ on CUDA
    print(f"{failures} failure(s)")
    return 1 if failures else 0


def _run(clip):
    from stillmotion.progress import Reporter

    frames = clip.generate(Reporter())
    list(clip.output_frames())
    return frames


def _problems(loaded, clip, frames, placement: str, torch) -> list[str]:
    problems = []
    pipe = loaded.pipe
    if loaded.placement != placement:
        problems.append(f"placement {loaded.placement}, expected {placement}")
    denoiser = getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)
    want = torch.bfloat16 if placement != "cpu" else torch.float32
    if denoiser.dtype != want:
        problems.append(f"denoiser {denoiser.dtype}")
    for name, kind in clip.spec.dtypes.items():
        component = getattr(pipe, name, None)
        if placement != "cpu" and component is not None and component.dtype != getattr(torch, kind):
            problems.append(f"{name} {component.dtype}, expected {kind}")
    vae = pipe.vae
    if placement != "cpu" and hasattr(vae, "use_tiling") and not vae.use_tiling:
        problems.append("VAE tiling off")
    stack = np.stack(frames).astype(np.float32)
    if not np.isfinite(stack).all() or stack.std() < 1.0:
        problems.append("frames not finite or constant")
    if len(frames) != clip.schedule.needed:
        problems.append(f"{len(frames)} frames, expected {clip.schedule.needed}")
    if clip.spec.audio and (clip.soundtrack is None or not np.isfinite(clip.soundtrack.samples).all()):
        problems.append("no finite sound")
    return problems


def smoke(args) -> int:
    """A real model on a real photo: speed, memory, loop seam, frame 0, colour drift."""
    import torch

    from stillmotion.api import make_plan
    from stillmotion.encode import VideoWriter
    from stillmotion.engines.cache import is_cached, pull
    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import NeuralClip

    spec = get_model(args.model)
    if not spec.local and not is_cached(spec):
        print(f"pulling {spec.name} ({spec.repo})", flush=True)
        pull(spec)
    photo_path = args.photo or next((str(p) for p in sorted(SHARED_PHOTO.glob("*.jpg"))), None)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        photo, analysis = _photo(tmp, photo_path)
        plan = make_plan(photo, args.prompt, duration=args.duration, fps=24, resolution=args.resolution, loop=True)
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        clip = NeuralClip(plan, photo, analysis, model=spec, low_vram=args.low_vram, audio=spec.audio)
        print(f"model {spec.name}: {clip.schedule.describe()}", flush=True)
        generate, step = _timed_generate(clip)
        start = time.perf_counter()
        output = Path(args.output) if args.output else tmp / "smoke.mp4"
        first = previous = None
        steps: list[float] = []
        with VideoWriter(output, clip.canvas_size, plan.canvas.fps) as writer:
            for frame in clip.output_frames():
                writer.write(frame)
                if previous is None:
                    first = frame.copy()
                else:
                    steps.append(_difference(previous, frame))
                previous = frame.copy()
        finish = time.perf_counter() - start
        peak = torch.cuda.max_memory_allocated() / 2**20 if torch.cuda.is_available() else 0.0
        seam, ordinary = _difference(previous, first), float(np.median(steps))
        canvas = clip.layers.image.astype(np.float32)
        frame0 = np.abs(first.astype(np.float32) - canvas).mean()
        psnr = 10 * np.log10(255.0**2 / max(1e-6, float(((first.astype(np.float32) - canvas) ** 2).mean())))
        print(f"placement: {clip.placement}: {clip.placement_reason}")
        print(f"time: {step:.2f} s per step (median), generate {generate:.1f} s, finish {finish:.1f} s, "
              f"total {generate + finish:.1f} s for {plan.canvas.duration:g} s of video")
        print(f"peak VRAM: {peak / 1024:.2f} GiB ({peak:.0f} MiB)")
        print(f"loop seam: last->first {seam:.2f} against {ordinary:.2f} median frame-to-frame (ratio {seam / max(ordinary, 1e-6):.2f})")
        print(f"frame 0 against the photo: mean abs {frame0:.2f}/255, PSNR {psnr:.1f} dB")
        for k, (made, kept) in enumerate(clip.drift):
            print(f"colour drift, segment {k}: {made:.2f} as made, {kept:.2f} as kept (max Lab mean difference at its end)")
        if clip.soundtrack is not None:
            print(f"sound: {clip.soundtrack.seconds:.2f} s at {clip.soundtrack.rate} Hz, peak {np.abs(clip.soundtrack.samples).max():.2f}")
        if args.output:
            print(f"wrote {output}")
    return 0


def _difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two frames (0..255)."""
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32)).mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", help="tiny families, comma-separated (default: all)")
    parser.add_argument("--duration", type=float, default=None, help="seconds (tiny: 2, --gpu: 5)")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--check", action="store_true", help="tiny families on CUDA: bf16, placements, tiling")
    parser.add_argument("--gpu", action="store_true", help="smoke run of a real model")
    parser.add_argument("--model", default=None, help="--gpu: registry name or local folder (default ltx-video)")
    parser.add_argument("--photo", help="--gpu: the photo (default: the first shared photo)")
    parser.add_argument("--prompt", default="gentle natural motion, a light breeze")
    parser.add_argument("--resolution", type=int, default=720)
    parser.add_argument("--low-vram", action="store_const", const=True, default=None)
    parser.add_argument("--output", help="--gpu: keep the video here")
    args = parser.parse_args()
    if args.check:
        return device_check(args)
    if args.gpu:
        args.duration = args.duration or 5.0
        return smoke(args)
    args.duration = args.duration or 2.0
    args.families = args.families or "wan-ti2v,wan-a14b,ltx,ltx2,svd,cogvideox"
    tiny_benchmark(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
