"""The soundtrack's cost against the video's, for the same 10 s clip, measured in one run.

    python benchmarks/bench_audio.py [--photo PATH] [--prompt TEXT] [--duration 10] [--resolution 1080] [--frames-only]

Loads and analyses the photo, lets the director plan the clip, then times (1) rendering and
encoding the video (stillmotion.render; --frames-only: the frames alone, stillmotion.iter_frames)
and (2) the soundtrack of the same plan (best of three; it is deterministic). Prints both and
their ratio (the target is under 10%), the soundtrack's loudness and true peak, and the
soundtrack times of the three seed scenes on the same plan's canvas.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"
DEFAULT_PHOTO = SHARED / "deoldify_TimesSquare1955.jpg"
FALLBACK_PHOTO = Path(__file__).resolve().parents[1] / "examples" / "coffee.png"
STREET = "Heavy rain falling, neon lights flickering, steam rising from the street vents."
SEED_SCENES = {
    "street": ([dict(type="rain", strength=0.75), dict(type="steam"), dict(type="flicker")], STREET),
    "waves": ([dict(type="water", strength=0.3)], "Gentle waves rolling onto the shore"),
    "storm": ([dict(type="water", speed=1.8), dict(type="rain", strength=0.7), dict(type="lightning")],
              "a stormy sky with lightning over the stream"),
}


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO if DEFAULT_PHOTO.exists() else FALLBACK_PHOTO)
    parser.add_argument("--prompt", default=STREET)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--resolution", type=int, default=1080)
    parser.add_argument("--frames-only", action="store_true", help="time the frames alone (no encoding)")
    args = parser.parse_args()

    import stillmotion
    from stillmotion.audio import loudness_of, soundtrack, true_peak_db
    from stillmotion.plan import Effect

    photo = stillmotion.load_photo(args.photo)
    analysis = stillmotion.analyse(photo)
    plan = stillmotion.direct(photo, analysis, args.prompt, duration=args.duration, resolution=args.resolution)
    print(f"photo {args.photo.name}, {plan.canvas.frame_count} frames at {plan.canvas.resolution}p, "
          f"effects {[e.type for e in plan.effects]}")

    if args.frames_only:
        video_s = best_of(1, lambda: sum(1 for _ in stillmotion.iter_frames(plan, photo, analysis)))
        what = "frames (iter_frames)"
    else:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "clip.mp4"
            video_s = best_of(1, lambda: stillmotion.render(plan, out, photo=photo, analysis=analysis, force=True))
        what = "render + encode"
    soundtrack(plan, analysis)  # first use: imports and the K-weighting filter, not timed
    audio_s = best_of(3, lambda: soundtrack(plan, analysis))
    audio = soundtrack(plan, analysis)
    print(f"video {what}: {video_s:.2f} s")
    print(f"soundtrack:  {audio_s:.2f} s  ({loudness_of(audio):.1f} LUFS, {true_peak_db(audio):.1f} dBTP)")
    print(f"ratio: {100 * audio_s / video_s:.1f}% of the video (target < 10%)")
    for name, (effects, prompt) in SEED_SCENES.items():
        scene = plan.with_changes(effects=[Effect(**e) for e in effects], prompt=prompt)
        seconds = best_of(3, lambda: soundtrack(scene, analysis))
        print(f"  {name:7s} soundtrack {seconds:.2f} s = {100 * seconds / video_s:.1f}% of that video")


if __name__ == "__main__":
    main()
