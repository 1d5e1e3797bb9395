"""The soundtrack's cost against the video's, for the same 10 s clip, measured in one run.

    python benchmarks/bench_audio.py [--photo PATH] [--prompt TEXT] [--duration 10] [--resolution 1080] [--frames-only]
    python benchmarks/bench_audio.py --seeds OUT_DIR [--duration 10] [--resolution 480]

Loads and analyses the photo, lets the director plan the clip, then times (1) rendering and
encoding the video (stillmotion.render; --frames-only: the frames alone, stillmotion.iter_frames)
and (2) the soundtrack of the same plan (best of three; it is deterministic). Prints both and
their ratio (the target is under 10%), the soundtrack's loudness and true peak, and the
soundtrack times of the three seed scenes on the same plan's canvas. Also the same render
with the sound turned off (--audio none), so the muxing's share shows too.

--seeds: animates the seed sentences on the shared photos to MP4s in OUT_DIR (sound muxed as
AAC) and measures each file's track with FFmpeg's ebur128 filter through PyAV: integrated
loudness (target -16 +- 2 LUFS) and true peak (below -1 dBTP). Draw their spectrograms with
benchmarks/audio_spectrograms.py --video OUT_DIR/*.mp4.
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
SEED_VIDEOS = {  # name: (shared photo, the seed sentence)
    "street": ("deoldify_TimesSquare1955.jpg", STREET),
    "waves": ("kodak16_sea_clouds.png", "Gentle waves rolling onto the shore"),
    "storm": ("kodak13_mountain_stream.png", "a stormy sky with lightning over the stream"),
}
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


def ebur128(path: Path) -> tuple[float, float, float]:
    """(integrated LUFS, true peak dBTP, seconds) of a file's first audio track, by FFmpeg's ebur128 filter."""
    import av
    import numpy as np

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = av.filter.Graph()
        source = graph.add_abuffer(template=stream)
        meter = graph.add("ebur128", "peak=true:metadata=1")
        sink = graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        last, samples = {}, 0
        for frame in container.decode(stream):
            samples += frame.samples
            source.push(frame)
            while True:
                try:
                    last = dict(sink.pull().metadata)
                except (av.BlockingIOError, av.EOFError):
                    break
    peak = max(float(last["lavfi.r128.true_peaks_ch0"]), float(last["lavfi.r128.true_peaks_ch1"]))
    return float(last["lavfi.r128.I"]), 20 * float(np.log10(peak)), samples / stream.rate


def seed_videos(out: Path, duration: float, resolution: int) -> None:
    import stillmotion

    out.mkdir(parents=True, exist_ok=True)
    for name, (photo, prompt) in SEED_VIDEOS.items():
        if not (SHARED / photo).exists():
            print(f"{name}: {SHARED / photo} is not here; skipped")
            continue
        started = time.perf_counter()
        video = stillmotion.animate(SHARED / photo, out / f"{name}.mp4", prompt=prompt, duration=duration,
                                    resolution=resolution, force=True)
        seconds = time.perf_counter() - started
        loudness, peak, length = ebur128(video)
        effects = [e.type for e in stillmotion.read_plan(video).effects]
        print(f"{name:7s} {loudness:6.1f} LUFS  {peak:5.1f} dBTP  {length:.3f} s of AAC  effects {effects}  "
              f"(animate {seconds:.1f} s)  {video}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO if DEFAULT_PHOTO.exists() else FALLBACK_PHOTO)
    parser.add_argument("--prompt", default=STREET)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--resolution", type=int, default=1080)
    parser.add_argument("--frames-only", action="store_true", help="time the frames alone (no encoding)")
    parser.add_argument("--seeds", type=Path, metavar="OUT_DIR", help="the seed sentences' MP4s and their loudness")
    args = parser.parse_args()
    if args.seeds:
        seed_videos(args.seeds, args.duration, args.resolution)
        return

    import stillmotion
    from stillmotion.audio import loudness_of, soundtrack, true_peak_db
    from stillmotion.director.reading import water_sound
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
            silent = plan.with_audio("none")
            silent_s = best_of(1, lambda: stillmotion.render(silent, out, photo=photo, analysis=analysis, force=True))
        what = "render + encode (sound muxed)"
        print(f"video without sound (--audio none): {silent_s:.2f} s; with it {video_s:.2f} s "
              f"({100 * (video_s - silent_s) / silent_s:+.1f}%)")
    soundtrack(plan, analysis)  # first use: imports and the K-weighting filter, not timed
    audio_s = best_of(3, lambda: soundtrack(plan, analysis))
    audio = soundtrack(plan, analysis)
    print(f"video {what}: {video_s:.2f} s")
    print(f"soundtrack:  {audio_s:.2f} s  ({loudness_of(audio):.1f} LUFS, {true_peak_db(audio):.1f} dBTP)")
    print(f"ratio: {100 * audio_s / video_s:.1f}% of the video (target < 10%)")
    for name, (effects, prompt) in SEED_SCENES.items():
        scene = plan.with_changes(effects=[Effect(**e) for e in effects], prompt=prompt, audio={"water": water_sound(prompt)})
        seconds = best_of(3, lambda: soundtrack(scene, analysis))
        print(f"  {name:7s} soundtrack {seconds:.2f} s = {100 * seconds / video_s:.1f}% of that video")


if __name__ == "__main__":
    main()
