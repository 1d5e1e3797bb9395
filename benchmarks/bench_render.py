"""Render + encode vs encode only, for a camera move with parallax (issue 13's target: a ratio of at most 1.6).

    python benchmarks/bench_render.py [--photo PATH] [--camera dolly_in] [--prompt TEXT] [--duration 10] [--resolution 1080]
                                      [--repeat N] [--long]

Prints, in one run: render+encode wall time, the time to only encode the same frames with the
same encoder settings, their ratio, real-time factor, peak memory (each measured in its own
process), and the time to load and analyse the photo; and the CPU time of both, whose
difference per frame is the render's own cost (steadier than wall time on a busy machine), and
the render's CPU time alone (the frames the encode-only run encodes, made with no encoder
running but OpenCV's threads set as a render sets them: the steadiest figure, as no encoder's
work varies in it).
--repeat N measures N render / encode pairs (5 by default), one after the other, and prints every
pair's ratio and their median: the wall ratio of identical runs varies by 10-15% even on a quiet
machine, and a single pair (often the first of a run) can read 0.3 above the median.
--long adds a 60 s clip's peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"
DEFAULT_PHOTO = SHARED / "moviepy_vacation_2017_large.jpg"


def child(args: argparse.Namespace) -> None:
    """Runs in a fresh process: one measurement, printed as JSON."""
    import numpy as np

    import stillmotion
    from stillmotion.encode import EncoderSettings, VideoWriter
    from stillmotion.frames.renderer import Renderer
    from stillmotion.frames.video import _opencv_beside_encoder as opencv_beside_encoder

    started = time.perf_counter()
    photo = stillmotion.load_photo(args.photo)
    analysis = stillmotion.analyse(photo, cache=False)
    analysed = time.perf_counter() - started
    plan = stillmotion.direct(photo, analysis, args.prompt, camera=args.camera, duration=args.duration,
                              resolution=args.resolution, aspect=args.aspect)
    if not args.prompt:
        plan = plan.with_changes(effects=[])  # the camera alone (an empty prompt would add the defaults)
    out = Path(args.out)
    result = {"analyse_s": analysed}
    if args.mode == "render":
        t0, c0 = time.perf_counter(), time.process_time()
        stillmotion.render(plan, out, photo=photo, analysis=analysis, force=True)
        result["wall_s"] = time.perf_counter() - t0
    else:
        # The frames, made before the encode is timed: the render alone, its CPU time undisturbed by an encoder.
        c0 = time.process_time()
        renderer = Renderer(plan, photo, analysis)
        result["precompute_cpu_s"] = time.process_time() - c0
        frames, buffer, result["frames_cpu_s"] = [], np.empty_like(renderer.scene.image), 0.0
        with opencv_beside_encoder():  # OpenCV's threads as a real render sets them (one, on two cores)
            for index in range(renderer.frame_count):
                c0 = time.process_time()
                renderer.frame(index, out=buffer)
                result["frames_cpu_s"] += time.process_time() - c0
                frames.append(buffer.copy())  # not timed: holding every frame is the benchmark's, not the render's
        t0, c0 = time.perf_counter(), time.process_time()
        with VideoWriter(out, renderer.size, plan.canvas.fps, EncoderSettings()) as writer:
            for frame in frames:
                writer.write(frame)
        result["wall_s"] = time.perf_counter() - t0
    result["cpu_s"] = time.process_time() - c0  # all threads: the renderer's and the encoder's
    result["frames"] = plan.canvas.frame_count
    result["effects"] = [e.type for e in plan.effects]
    result["size_mb"] = out.stat().st_size / 1e6
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(args: argparse.Namespace, mode: str, duration: float, out: Path) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--photo", str(args.photo), "--camera", args.camera, "--prompt", args.prompt,
               "--duration", str(duration), "--resolution", str(args.resolution), "--aspect", args.aspect, "--out", str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    parser.add_argument("--camera", default="dolly_in")
    parser.add_argument("--prompt", default="", help="effects come from the prompt (default: none, the camera alone)")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--resolution", type=int, default=1080)
    parser.add_argument("--aspect", default="16:9")
    parser.add_argument("--repeat", type=int, default=5, help="render / encode pairs to measure (their median ratio is printed)")
    parser.add_argument("--long", action="store_true", help="also measure a 60 s clip's peak memory")
    parser.add_argument("--child", choices=("render", "encode"))
    parser.add_argument("--out")
    args = parser.parse_args()
    if args.child:
        args.mode = args.child
        child(args)
        return
    if not args.photo.exists():
        sys.exit(f"{args.photo}: not found (pass --photo)")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pairs = []
        for _ in range(max(1, args.repeat)):
            pair = (measure(args, "render", args.duration, tmp / "render.mp4"), measure(args, "encode", args.duration, tmp / "encode.mp4"))
            pairs.append((pair[0]["wall_s"] / pair[1]["wall_s"], *pair))
        ratios = [ratio for ratio, _, _ in pairs]
        ratio, render, encode = sorted(pairs, key=lambda pair: pair[0])[len(pairs) // 2]  # the median pair's figures
        bitrate = render["size_mb"] * 8 / args.duration
        print(f"photo {args.photo.name}, {args.camera}, {args.duration:g} s at {args.resolution}p {args.aspect}, "
              f"{render['frames']} frames, "
              f"effects: {', '.join(render['effects']) or 'none'}")
        print(f"load + analyse:        {render['analyse_s']:6.2f} s")
        print(f"render + encode:       {render['wall_s']:6.2f} s  ({render['wall_s'] / args.duration:.2f}x real time, "
              f"peak {render['peak_rss_mb']:.0f} MB)")
        print(f"encode only:           {encode['wall_s']:6.2f} s")
        print(f"ratio render+encode / encode only: {ratio:.2f}"
              + (f"  (median of {len(ratios)}: {', '.join(f'{r:.2f}' for r in ratios)})" if len(ratios) > 1 else ""))
        # CPU seconds depend less on what else the machine runs than wall time does.
        render_ms = (render["cpu_s"] - encode["cpu_s"]) / render["frames"] * 1000
        print(f"CPU: render+encode {render['cpu_s']:.2f} s, encode only {encode['cpu_s']:.2f} s: "
              f"the render's share {render_ms:.1f} ms per frame (its precompute included)")
        frames = encode["frames"]
        print(f"render alone (no encoder running): {encode['frames_cpu_s'] / frames * 1000:.1f} ms CPU per frame, "
              f"precompute {encode['precompute_cpu_s']:.2f} s ({encode['precompute_cpu_s'] / frames * 1000:.1f} ms per frame)")
        print(f"bitrate:               {bitrate:6.2f} Mbit/s")
        if args.long:
            long = measure(args, "render", 60.0, tmp / "long.mp4")
            print(f"60 s clip: {long['wall_s']:.1f} s, peak {long['peak_rss_mb']:.0f} MB (10 s clip: {render['peak_rss_mb']:.0f} MB)")


if __name__ == "__main__":
    main()
