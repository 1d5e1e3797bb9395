"""The encoder's RGB -> YUV 4:2:0 step at 1080p, against the alternatives, measured in one run.

    python benchmarks/bench_colour.py [--size 1920x1080] [--frames 60] [--repeat 5]

- encoder: what encode.VideoWriter does (BT.601, tagged): cv2.cvtColor(COLOR_RGB2YUV_I420) and
  av.VideoFrame.from_ndarray, the same two calls as before the colour tags, so the same cost;
- swscale BT.709: PyAV's reformat to yuv420p with the BT.709 matrix (how FFmpeg would do it);
- transform: one cv2.transform (its SIMD fixed-point 3x3 path, any matrix: BT.709 here), a
  split, and 2x2-averaged chroma written straight into the frame (OpenCV's cvtColor takes each
  block's chroma from its top-left pixel instead).
Prints wall and CPU time per frame (CPU counts both of cvtColor's threads) and the ratios to
the encoder's step. Frames are distinct blurred noise (rendered-looking, not cached).
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np


def timed(work, frames: list[np.ndarray], repeat: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per frame, best of `repeat` passes over the frames."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        for frame in frames:
            work(frame)
        best_wall = min(best_wall, (time.perf_counter() - wall) / len(frames) * 1000)
        best_cpu = min(best_cpu, (time.process_time() - cpu) / len(frames) * 1000)
    return best_wall, best_cpu


def transform_path(width: int, height: int, kr: float = 0.2126, kb: float = 0.0722):
    """The averaged-chroma alternative: YCbCr by one SIMD transform, split into the frame, chroma 2x2-averaged."""
    import av

    kg = 1 - kr - kb
    matrix = np.array([[*(np.array([kr, kg, kb]) * 219 / 255), 16],
                       [*(np.array([-kr, -kg, 1 - kb]) / (2 * (1 - kb)) * 224 / 255), 128],
                       [*(np.array([1 - kr, -kg, -kb]) / (2 * (1 - kr)) * 224 / 255), 128]], np.float32)
    ycc, cb, cr = np.empty((height, width, 3), np.uint8), np.empty((height, width), np.uint8), np.empty((height, width), np.uint8)

    def plane(frame, index):
        p = frame.planes[index]
        return np.frombuffer(memoryview(p), np.uint8).reshape(-1, p.line_size)[: p.height, : p.width]

    def convert(rgb):
        frame = av.VideoFrame(width, height, "yuv420p")
        y, u, v = (plane(frame, i) for i in range(3))
        cv2.transform(rgb, matrix, dst=ycc)
        cv2.split(ycc, [y, cb, cr])
        cv2.resize(cb, (width // 2, height // 2), dst=u, interpolation=cv2.INTER_AREA)
        cv2.resize(cr, (width // 2, height // 2), dst=v, interpolation=cv2.INTER_AREA)
        return frame

    return convert


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--frames", type=int, default=60, help="distinct frames per pass")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import av

    width, height = map(int, args.size.split("x"))
    rng = np.random.default_rng(0)
    frames = [cv2.GaussianBlur(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), (0, 0), 2) for _ in range(args.frames)]

    def encoder(rgb):  # encode.VideoWriter.write's conversion
        return av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")

    def swscale(rgb):
        return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p", dst_colorspace="ITU709",
                                                                        dst_color_range="MPEG")

    paths = {"encoder (cvtColor, BT.601)": encoder, "swscale BT.709": swscale,
             "transform BT.709, 2x2 chroma": transform_path(width, height)}
    for work in paths.values():  # warm up: first allocations, OpenCV's thread pool, swscale's context
        work(frames[0])
    runs: dict[str, tuple[float, float]] = {}
    for _ in range(2):  # interleaved, so a change in the machine's load hits all of them
        for name, work in paths.items():
            wall, cpu = timed(work, frames, args.repeat)
            best = runs.get(name, (float("inf"), float("inf")))
            runs[name] = (min(best[0], wall), min(best[1], cpu))
    print(f"RGB -> YUV 4:2:0 at {width}x{height}, {args.frames} frames x {args.repeat}, best of each "
          f"(OpenCV threads: {cv2.getNumThreads()}):")
    base_wall, base_cpu = runs["encoder (cvtColor, BT.601)"]
    for name, (wall, cpu) in runs.items():
        print(f"  {name:30s} wall {wall:6.3f} ms ({wall / base_wall:4.2f}x)   cpu {cpu:6.3f} ms ({cpu / base_cpu:4.2f}x)")


if __name__ == "__main__":
    main()
