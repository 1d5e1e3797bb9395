"""One spectrogram PNG per sound bed, to look at what the soundtrack makes (we cannot listen here).

    python benchmarks/audio_spectrograms.py OUT_DIR [--duration 10] [--seed 1]
    python benchmarks/audio_spectrograms.py OUT_DIR --video A.mp4 B.webm ...   # the tracks muxed into videos

Each PNG: the spectrogram (log frequency), the level over time (K-weighted short-term loudness,
and the energy below 150 Hz), and the average spectrum. Thunder marks the picture's flashes;
the neon's average spectrum is drawn on a linear axis up to 1 kHz to show the mains harmonics.
Needs matplotlib (pip install matplotlib).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from stillmotion.audio import SAMPLE_RATE, loudness_of, soundtrack, true_peak_db
from stillmotion.director.reading import water_sound
from stillmotion.plan import Effect, Plan

BEDS = {
    "rain_heavy": ([dict(type="rain", strength=0.85)], "heavy rain"),
    "rain_light": ([dict(type="rain", strength=0.2)], "light rain"),
    "rain_on_water": ([dict(type="rain", strength=0.5), dict(type="water", strength=0.3)], "rain on a lake"),
    "thunder": ([dict(type="lightning", strength=0.8)], "a storm with lightning"),
    "surf": ([dict(type="water", strength=0.5)], "gentle waves rolling onto the shore"),
    "stream": ([dict(type="water", strength=0.6, speed=1.5)], "a mountain stream"),
    "lapping": ([dict(type="water", strength=0.5)], "a calm lake"),
    "fire": ([dict(type="fire", strength=0.7)], "a crackling campfire"),
    "steam": ([dict(type="steam", strength=0.5)], "steam rising from the cup"),
    "neon": ([dict(type="flicker", strength=0.7)], "neon sign flickering"),
    "wind_foliage": ([dict(type="foliage", strength=0.7)], "trees swaying in the wind"),
    "wind_snow": ([dict(type="snow", strength=0.6)], "snow falling"),
    "clouds_air": ([dict(type="clouds", strength=0.5)], "clouds drifting"),
    "seed_street": ([dict(type="rain", strength=0.75, direction="down"), dict(type="steam", strength=0.5),
                     dict(type="flicker", strength=0.5)],
                    "Heavy rain falling, neon lights flickering, steam rising from the street vents."),
}


def plan_for(effects, prompt, duration, seed, loop=False):
    """The plan the director would write for these effects and words (the water's sound from the words)."""
    return Plan(photo="spectrogram.png", seed=seed, loop=loop, prompt=prompt, canvas={"duration": duration},
                effects=[Effect(**e) for e in effects], audio={"water": water_sound(prompt)})


def stft_db(mono: np.ndarray, size: int = 4096, hop: int = 1024) -> np.ndarray:
    window = np.hanning(size)
    frames = np.lib.stride_tricks.sliding_window_view(mono, size)[::hop] * window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    return 10 * np.log10(power + 1e-12)


def low_band_energy(mono: np.ndarray, cutoff: float = 150.0, step: int = 2400) -> np.ndarray:
    """Energy below `cutoff` Hz per `step` samples (FFT brick-wall over the whole signal)."""
    spectrum = np.fft.rfft(mono)
    spectrum[np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE) > cutoff] = 0
    low = np.fft.irfft(spectrum, len(mono))
    return (low[: len(low) // step * step].reshape(-1, step) ** 2).mean(axis=1)


def draw(name, audio, plan, out: Path, plt):
    mono = audio.mean(axis=1)
    spec = stft_db(mono)
    freqs = np.fft.rfftfreq(4096, 1 / SAMPLE_RATE)
    times = (np.arange(len(spec)) * 1024 + 2048) / SAMPLE_RATE
    fig, axes = plt.subplots(3, 1, figsize=(11, 10), gridspec_kw={"height_ratios": [3, 1.3, 1.6]})
    top = spec.max()
    axes[0].pcolormesh(times, freqs[1:], spec[:, 1:].T, vmin=top - 80, vmax=top, shading="auto", cmap="magma")
    axes[0].set_yscale("log")
    axes[0].set_ylim(20, 20000)
    axes[0].set_ylabel("Hz")
    axes[0].set_title(f"{name}: {plan.prompt!r}   {loudness_of(audio):.1f} LUFS, {true_peak_db(audio):.1f} dBTP")
    low = low_band_energy(mono)
    low_t = (np.arange(len(low)) + 0.5) * 2400 / SAMPLE_RATE
    axes[1].plot(low_t, 10 * np.log10(low + 1e-12), label="energy < 150 Hz (dB)")
    rms = (mono[: len(mono) // 2400 * 2400].reshape(-1, 2400) ** 2).mean(axis=1)
    axes[1].plot(low_t, 10 * np.log10(rms + 1e-12), label="all (dB)", alpha=0.7)
    axes[1].set_xlim(0, len(mono) / SAMPLE_RATE)
    axes[1].legend(loc="lower right")
    if any(e.type == "lightning" for e in plan.effects):
        from stillmotion.audio.beds.thunder import flash_events

        for index, effect in enumerate(plan.effects):
            if effect.type == "lightning":
                for start, _ in flash_events(effect, index, plan):
                    for ax in axes[:2]:
                        ax.axvline(start, color="cyan", lw=1, ls="--")
                        ax.axvspan(start + 0.5, start + 3.0, color="cyan", alpha=0.08)
    average = 10 * np.log10(np.mean(10 ** (spec / 10), axis=0) + 1e-12)
    if name == "neon" or any(e.type == "flicker" for e in plan.effects):
        keep = freqs <= 1000
        axes[2].plot(freqs[keep], average[keep])
        axes[2].set_xticks(np.arange(0, 1001, 100))
        axes[2].grid(alpha=0.3)
    else:
        axes[2].semilogx(freqs[1:], average[1:])
        axes[2].set_xlim(20, 20000)
    axes[2].set_xlabel("Hz (average spectrum)")
    axes[1].set_xlabel("seconds")
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def video_track(path: Path):
    """(the sound of a video as float32 (n, 2) at 48 kHz, as decoded; its embedded plan)."""
    import av

    from stillmotion.provenance import read_plan

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        frames = [out for frame in container.decode(stream) for out in resampler.resample(frame)]
        frames += resampler.resample(None)
    audio = np.concatenate([f.to_ndarray() for f in frames], axis=1).T
    return np.ascontiguousarray(audio, np.float32), read_plan(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="*", help="bed names to draw (default: all)")
    parser.add_argument("--video", nargs="+", type=Path, help="draw the sound tracks of these videos instead")
    args = parser.parse_args()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit("this script needs matplotlib: pip install matplotlib") from None
    args.out.mkdir(parents=True, exist_ok=True)
    for video in args.video or ():
        audio, plan = video_track(video)
        name = f"{video.stem}{video.suffix.replace('.', '_')}"
        draw(name, audio, plan, args.out / f"{name}.png", plt)
        print(f"{name}: {args.out / f'{name}.png'}")
    for name, (effects, prompt) in ({} if args.video else BEDS).items():
        if args.only and name not in args.only:
            continue
        plan = plan_for(effects, prompt, args.duration, args.seed)
        audio = soundtrack(plan)
        draw(name, audio, plan, args.out / f"{name}.png", plt)
        print(f"{name}: {args.out / f'{name}.png'}")


if __name__ == "__main__":
    main()
