"""The soundtrack (stillmotion.audio): beds that follow the plan, loudness, loops, user files, memory."""

from __future__ import annotations

import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

from stillmotion.audio import (
    SAMPLE_RATE,
    AudioSettings,
    fitted_audio,
    has_soundtrack,
    loudness_of,
    soundtrack,
    soundtrack_blocks,
    true_peak_db,
)
from stillmotion.audio.beds.thunder import DELAY, flash_events
from stillmotion.audio.reading import Reader, water_shape_kind
from stillmotion.director.reading import water_sound
from stillmotion.errors import AudioError, PlanError, StillmotionError
from stillmotion.plan import Effect, Plan

STREET = "Heavy rain falling, neon lights flickering, steam rising from the street vents."


def make_plan(*effects, prompt="", duration=4.0, seed=3, loop=False, fps=30):
    """A plan as the director would write it for these effects and words (the water's sound from the words)."""
    water = water_sound(prompt) if any(e["type"] == "water" for e in effects) else None
    return Plan(photo="photo.png", seed=seed, loop=loop, prompt=prompt, canvas={"duration": duration, "fps": fps},
                effects=[Effect(**e) for e in effects], audio={"water": water})


def low_band(audio: np.ndarray, cutoff: float = 150.0, step: int = 2400) -> np.ndarray:
    """Energy below `cutoff` Hz per `step` samples (FFT brick-wall)."""
    mono = audio.mean(axis=1)
    spectrum = np.fft.rfft(mono)
    spectrum[np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE) > cutoff] = 0
    low = np.fft.irfft(spectrum, len(mono))
    return (low[: len(low) // step * step].reshape(-1, step) ** 2).mean(axis=1)


def ffmpeg_ebur128(audio: np.ndarray) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by FFmpeg's ebur128 filter, through PyAV."""
    import av

    graph = av.filter.Graph()
    source = graph.add_abuffer(format="fltp", sample_rate=SAMPLE_RATE, layout="stereo", time_base=Fraction(1, SAMPLE_RATE))
    meter = graph.add("ebur128", "peak=true:metadata=1")
    sink = graph.add("abuffersink")
    source.link_to(meter)
    meter.link_to(sink)
    graph.configure()
    last = {}

    def drain():
        nonlocal last
        while True:
            try:
                last = dict(sink.pull().metadata)
            except (av.BlockingIOError, av.EOFError):
                return

    for start in range(0, len(audio), 4800):
        block = np.ascontiguousarray(audio[start : start + 4800].T)
        frame = av.AudioFrame.from_ndarray(block, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, start, Fraction(1, SAMPLE_RATE)
        source.push(frame)
        drain()
    source.push(None)
    drain()
    peak = max(float(last["lavfi.r128.true_peaks_ch0"]), float(last["lavfi.r128.true_peaks_ch1"]))
    return float(last["lavfi.r128.I"]), 20 * np.log10(peak)


def write_audio(path, seconds: float, rate: int = 44100, channels: int = 1, codec: str = "pcm_s16le", freq: float = 440.0):
    """A test tone file (mono 44.1 kHz by default: the decoder must resample and upmix)."""
    import av

    layout = "mono" if channels == 1 else "stereo"
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout=layout)
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.5 * np.sin(2 * np.pi * freq * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t)) / 1.5).astype(np.float32)
        samples = np.tile(tone, (channels, 1))
        fmt = stream.codec_context.format.name
        for start in range(0, samples.shape[1], 1024):
            chunk = samples[:, start : start + 1024]
            frame = av.AudioFrame.from_ndarray((chunk.T * 32767).astype(np.int16).reshape(1, -1) if fmt == "s16"
                                               else np.ascontiguousarray(chunk), format=fmt, layout=layout)
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


# --- what the beds do ----------------------------------------------------------------------------

def test_rain_gets_louder_with_strength():
    levels = [loudness_of(soundtrack(make_plan(dict(type="rain", strength=s)))) for s in (0.2, 0.5, 0.9)]
    assert levels[0] < levels[1] - 0.5 < levels[2] - 1.0, levels


def test_thunder_low_end_peaks_after_each_flash_within_the_delay():
    plan = make_plan(dict(type="lightning", strength=0.8), duration=14.0, seed=5)
    flashes = [start for start, _ in flash_events(plan.effects[0], 0, plan)]
    assert len(flashes) >= 2
    energy = low_band(soundtrack(plan))
    step = 2400 / SAMPLE_RATE
    for k, start in enumerate(flashes):
        stop = min(start + DELAY[1] + 0.5, flashes[k + 1] if k + 1 < len(flashes) else np.inf, len(energy) * step)
        window = slice(int(start / step), int(stop / step))
        peak_at = (window.start + int(np.argmax(energy[window])) + 0.5) * step
        assert start + DELAY[0] - step <= peak_at <= start + DELAY[1] + 0.4, (start, peak_at)
    storm = np.median(energy[int(1.0 / step) : int(flashes[0] / step)])  # the wind before the first flash
    for start in flashes:
        assert energy[int((start + DELAY[0]) / step) : int((start + DELAY[1] + 0.4) / step)].max() > 10 * storm


def test_thunder_of_a_late_flash_is_heard_before_the_clip_ends():
    """Across seeds, a flash up to 1.5 s before the end of a clip that does not loop gets its rumble at least a
    second before the end (a far delay would put it after the last frame)."""
    heard = 0
    for seed in range(12):
        plan = make_plan(dict(type="lightning", strength=1.0), duration=8.0, seed=seed)
        energy = low_band(soundtrack(plan))
        step = 2400 / SAMPLE_RATE
        for start, _ in flash_events(plan.effects[0], 0, plan):
            if start > plan.canvas.duration - 1.5:
                continue
            onset_window = energy[int((start + DELAY[0]) / step): int((plan.canvas.duration - 0.9) / step)]
            before = np.median(energy[int(0.5 / step): int(start / step)]) if start > 1.0 else energy.min()
            assert onset_window.max() > 10 * max(before, 1e-12), (seed, start)
            heard += 1
    assert heard >= 12


def test_thunder_follows_the_flashes_of_the_picture():
    """The soundtrack reads the very flashes the lightning effect draws."""
    from stillmotion.effects.light.lightning import flash_events as picture

    plan = make_plan(dict(type="rain"), dict(type="lightning", strength=0.6), duration=10.0, seed=9)
    ours = flash_events(plan.effects[1], 1, plan)
    theirs = picture(plan.effects[1], plan.canvas.duration, np.random.default_rng([plan.seed, 1]))
    assert [start for start, _ in ours] == [start for start, _ in theirs]


def test_neon_hums_at_the_mains_and_its_harmonics():
    for mains in (50, 60):
        plan = make_plan(dict(type="flicker", strength=0.3), prompt="a neon sign")
        audio = soundtrack(plan, settings=AudioSettings(mains_hz=mains))
        mono = audio[SAMPLE_RATE:].mean(axis=1)  # after the fade-in
        spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
        freqs = np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)

        def at(f):
            return spectrum[np.abs(freqs - f) < 1.0].max()

        floor = np.median(spectrum[(freqs > 20) & (freqs < 1000)])
        for harmonic in (1, 2, 3, 4):
            assert at(mains * harmonic) > 30 * floor, (mains, harmonic)
        assert at(2 * mains) > at(mains)  # the transformer's hum is strongest at twice the mains
        assert at(1.5 * mains + 7) < at(2 * mains) / 30  # nothing much between the harmonics


def test_a_flame_does_not_hum():
    assert not has_soundtrack(make_plan(dict(type="flicker"), prompt="a candle flickering"))
    assert has_soundtrack(make_plan(dict(type="flicker"), prompt="a neon sign flickering"))


def test_portraits_are_silent_unless_room_tone_is_asked_for():
    plan = make_plan(dict(type="blink"), dict(type="breathe"))
    assert not has_soundtrack(plan)
    assert not np.any(soundtrack(plan))
    room = soundtrack(plan, settings=AudioSettings(room_tone=True))
    assert has_soundtrack(plan, AudioSettings(room_tone=True))
    assert -45 < loudness_of(room) < -30  # quiet air, not an ambience


def test_none_mode_is_silent_and_says_so():
    plan = make_plan(dict(type="rain"))
    assert has_soundtrack(plan)
    assert not has_soundtrack(plan, AudioSettings(mode="none"))
    assert not np.any(soundtrack(plan, settings=AudioSettings(mode="none")))


def test_a_region_on_the_left_sounds_from_the_left():
    from stillmotion.analysis.types import Analysis

    size = (64, 48)
    empty = np.zeros(size[::-1], np.float32)
    water = empty.copy()
    water[20:, :16] = 1.0  # a pond at the left edge
    analysis = Analysis(depth=empty, subject=empty, sky=empty, regions={"water": water})
    plan = make_plan(dict(type="water", strength=0.6), prompt="a pond")
    audio = soundtrack(plan, analysis)
    left, right = np.sqrt(np.mean(audio**2, axis=0))
    assert left > 1.5 * right
    centred = soundtrack(plan)  # no analysis: the middle
    left, right = np.sqrt(np.mean(centred**2, axis=0))
    assert abs(20 * np.log10(left / right)) < 1.0


def test_water_kind_from_words_then_shape():
    # The director reads the words into plan.audio.water; the soundtrack takes it from there.
    assert water_sound("gentle waves rolling onto the shore") == "surf"
    assert water_sound("waves on the lake") == "lapping"  # the place decides
    assert water_sound("a river") == "stream" and water_sound("clouds drifting") is None
    plan = make_plan(dict(type="water"), prompt="a river")
    assert plan.audio.water == "stream" and AudioSettings.of(plan).water == "stream"
    assert Reader(plan).water_kind(plan.effects[0], "surf") == "surf"  # the settings say
    rushing = make_plan(dict(type="water", speed=1.8, strength=0.6))
    assert Reader(rushing).water_kind(rushing.effects[0]) == "stream"

    sea, sky = np.zeros((100, 100), np.float32), np.zeros((100, 100), np.float32)
    sea[45:] = 1.0
    sky[:45] = 1.0
    sea[40:50, 40:55] = 0.0  # an island on the horizon
    assert water_shape_kind(sea, sky) == "surf"
    river = np.zeros((100, 100), np.float32)
    for row in range(30, 100):
        river[row, 40 + (row - 30) // 3 : 55 + (row - 30) // 2] = 1.0
    assert water_shape_kind(river, sky) == "stream"
    assert water_shape_kind(np.zeros((100, 100)), sky) is None


# --- timing, determinism, loops -------------------------------------------------------------------

@pytest.mark.parametrize("fps,duration", [(24, 1.0), (25, 2.04), (30, 3.3), (60, 1.5)])
def test_length_is_the_video_length(fps, duration):
    plan = make_plan(dict(type="steam"), duration=duration, fps=fps)
    audio = soundtrack(plan)
    assert audio.shape == (plan.canvas.frame_count * SAMPLE_RATE // fps, 2)
    assert audio.dtype == np.float32


def test_same_seed_same_samples_whatever_the_block_size():
    plan = make_plan(dict(type="rain", strength=0.6), dict(type="water"), dict(type="lightning"), duration=5.0, prompt="sea")
    whole = soundtrack(plan)
    small = list(soundtrack_blocks(plan, block_frames=1))
    assert all(len(block) == SAMPLE_RATE // 30 for block in small)
    assert np.array_equal(np.concatenate(small), whole)
    assert np.array_equal(soundtrack(plan), whole)
    assert not np.array_equal(soundtrack(plan.with_changes(seed=4)), whole)


@pytest.mark.parametrize("effects,prompt", [
    ([dict(type="rain", strength=0.8)], ""),
    ([dict(type="water", strength=0.6)], "waves on the beach"),
    ([dict(type="water")], "a mountain stream"),
    ([dict(type="lightning", strength=0.9)], ""),
    ([dict(type="fire", strength=0.7), dict(type="foliage")], ""),
    ([dict(type="flicker", strength=0.8), dict(type="steam")], "neon"),
])
def test_a_looped_soundtrack_has_no_click_at_the_wrap(effects, prompt):
    for duration in (3.3, 8.0):
        audio = soundtrack(make_plan(*effects, prompt=prompt, duration=duration, loop=True))
        assert np.abs(audio[0]).max() > 1e-3  # it plays through the seam rather than fading to silence
        steps = np.abs(np.diff(audio, axis=0))
        seam = np.abs(audio[0] - audio[-1])
        assert np.all(seam <= np.percentile(steps, 99, axis=0)), (seam, np.percentile(steps, 99, axis=0))
        # A click would also bend the curve: the second difference across the seam is ordinary too.
        bends = np.abs(np.diff(audio, 2, axis=0))
        seam_bend = np.abs(audio[1] - 2 * audio[0] + audio[-1])
        assert np.all(seam_bend <= np.percentile(bends, 99.5, axis=0))


def test_an_unlooped_clip_fades_in_from_the_still_photo_and_out_without_a_click():
    audio = soundtrack(make_plan(dict(type="rain", strength=0.9), duration=3.0))
    assert np.abs(audio[0]).max() < 1e-4
    assert np.abs(audio[-1]).max() < 1e-3


def test_an_effect_with_start_and_end_sounds_only_then():
    audio = soundtrack(make_plan(dict(type="rain", strength=0.8, start=2.0, end=4.0), duration=6.0))
    rms = np.sqrt((audio.mean(axis=1)[: 6 * SAMPLE_RATE].reshape(60, -1) ** 2).mean(axis=1))
    assert rms[:19].max() < 1e-4 and rms[41:].max() < 1e-4
    assert rms[25:35].min() > 0.01


# --- loudness -----------------------------------------------------------------------------------

def test_meter_agrees_with_ffmpeg():
    t = np.arange(5 * SAMPLE_RATE) / SAMPLE_RATE
    tone = 0.1 * np.sin(2 * np.pi * 997 * t)
    assert loudness_of(np.stack([tone, tone], axis=1)) == pytest.approx(-20.0, abs=0.01)  # BS.1770's reference
    for audio in (soundtrack(make_plan(dict(type="rain", strength=0.3))),
                  soundtrack(make_plan(dict(type="lightning", strength=0.9), duration=8.0))):
        integrated, peak = ffmpeg_ebur128(audio)
        assert loudness_of(audio) == pytest.approx(integrated, abs=0.1)
        assert true_peak_db(audio) == pytest.approx(peak, abs=0.25)


@pytest.mark.parametrize("effects,prompt", [
    ([dict(type="rain", strength=0.75, direction="down"), dict(type="steam"), dict(type="flicker")], STREET),
    ([dict(type="water", strength=0.3)], "Gentle waves rolling onto the shore"),
    ([dict(type="water", strength=0.5, speed=1.8), dict(type="rain", strength=0.7), dict(type="lightning")],
     "a stormy sky with lightning over the stream"),
    ([dict(type="rain")], ""),
    ([dict(type="fire", strength=0.6)], "a campfire"),
])
def test_loudness_and_true_peak_of_the_seed_scenes(effects, prompt):
    audio = soundtrack(make_plan(*effects, prompt=prompt, duration=10.0))
    integrated, peak = ffmpeg_ebur128(audio)
    assert -18.0 <= integrated <= -14.0
    assert peak < -1.0
    assert true_peak_db(audio) < -1.0


def test_quiet_sounds_stay_quiet():
    """A steaming cup is not mixed as loud as a downpour."""
    assert loudness_of(soundtrack(make_plan(dict(type="steam")))) < loudness_of(soundtrack(make_plan(dict(type="rain")))) - 6


def test_volume_scales_and_the_ceiling_holds():
    plan = make_plan(dict(type="steam", strength=0.5))  # quiet: far from the limiter
    base = loudness_of(soundtrack(plan))
    assert loudness_of(soundtrack(plan, settings=AudioSettings(volume=0.5))) == pytest.approx(base - 6.02, abs=0.05)
    loud = soundtrack(make_plan(dict(type="rain", strength=0.9)), settings=AudioSettings(volume=4.0))
    assert true_peak_db(loud) < -1.0


# --- memory ---------------------------------------------------------------------------------------

def _peak_memory(plan) -> int:
    tracemalloc.start()
    try:
        samples = sum(len(block) for block in soundtrack_blocks(plan, block_frames=30))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        assert samples == plan.canvas.frame_count * SAMPLE_RATE // 30


STORM = [dict(type="rain", strength=0.7), dict(type="water"), dict(type="lightning")]


def test_memory_does_not_grow_with_the_clip():
    """Four times the clip, the same memory (thunder included, whose few seconds are made whole
    while they play)."""
    longer, short = (_peak_memory(make_plan(*STORM, prompt="sea", duration=d)) for d in (24.0, 6.0))
    assert longer < 1.5 * short, (longer / 1e6, short / 1e6)


@pytest.mark.slow
def test_memory_stays_flat_for_a_minute():
    minute, short = (_peak_memory(make_plan(*STORM, prompt="sea", duration=d)) for d in (60.0, 10.0))
    assert minute < 1.5 * short, (minute / 1e6, short / 1e6)
    whole = 60 * SAMPLE_RATE * 2 * 4  # bytes of a minute of float32 stereo: 23 MB
    assert _peak_memory(make_plan(*STORM[:2], prompt="sea", duration=60.0)) < whole / 2


# --- the user's own file ---------------------------------------------------------------------------

def test_a_short_file_is_looped_to_the_clip_with_fades(tmp_path):
    path = tmp_path / "tone.wav"
    write_audio(path, 1.5)
    plan = make_plan(dict(type="rain"), duration=4.0)
    audio = soundtrack(plan, settings=AudioSettings(mode="file", file=str(path)))
    assert audio.shape == (4 * SAMPLE_RATE, 2)
    assert np.allclose(audio[:, 0], audio[:, 1])  # mono upmixed to both channels
    assert np.abs(audio[0]).max() < 0.01 and np.abs(audio[-1]).max() < 0.01  # fades at both ends
    # No hole where the file starts again: the level holds through every repeat (a 1.5 s file
    # repeats about every 1.25 s, with an equal-power cross-fade).
    rms = np.sqrt((audio[: 3 * SAMPLE_RATE, 0].reshape(-1, 2400) ** 2).mean(axis=1))
    assert rms[2:].min() > 0.25 * np.median(rms)
    # The tone itself comes through at 440 Hz after resampling from 44.1 kHz.
    spectrum = np.abs(np.fft.rfft(audio[: 3 * SAMPLE_RATE, 0]))
    assert abs(np.argmax(spectrum) / 3 - 440) < 2


def test_a_long_file_is_trimmed_with_a_fade_out(tmp_path):
    path = tmp_path / "long.flac"
    write_audio(path, 6.0, rate=48000, channels=2, codec="flac", freq=220.0)
    audio = fitted_audio(path, 2 * SAMPLE_RATE)
    assert audio.shape == (2 * SAMPLE_RATE, 2)
    t = np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE
    source = (0.5 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.7 * t)) / 1.5)
    middle = slice(SAMPLE_RATE // 10, SAMPLE_RATE)
    assert np.abs(audio[middle, 0] - source[middle]).max() < 1e-3  # the file's own start, untouched
    assert np.abs(audio[-1]).max() < 1e-3
    assert np.abs(audio[-SAMPLE_RATE // 10, 0]) < np.abs(source[-SAMPLE_RATE // 10 :]).max()


def test_bad_audio_files_give_one_clear_line(tmp_path):
    text = tmp_path / "notes.mp3"
    text.write_text("these are not sounds\n" * 50)
    image = tmp_path / "picture.png"
    from PIL import Image

    Image.new("RGB", (8, 8)).save(image)
    short = tmp_path / "blip.wav"
    write_audio(short, 0.1)
    cases = {tmp_path / "missing.wav": "not found", text: "not an audio file", image: "no audio stream", short: "too short"}
    for path, words in cases.items():
        with pytest.raises(AudioError) as caught:
            soundtrack(make_plan(dict(type="rain"), duration=2.0), settings=AudioSettings(mode="file", file=str(path)))
        message = str(caught.value)
        assert "\n" not in message and str(path) in message and words in message, message
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, StillmotionError)


def test_settings_are_checked():
    with pytest.raises(PlanError, match="mode"):
        AudioSettings(mode="loud")
    with pytest.raises(PlanError, match="file"):
        AudioSettings(mode="file")
    with pytest.raises(PlanError, match="volume"):
        AudioSettings(volume=-1)
    assert AudioSettings.of(make_plan(), {"mode": "none"}).mode == "none"
    with pytest.raises(PlanError, match="unknown audio setting"):
        AudioSettings.of(make_plan(), {"loudness": 3})


# --- real photos (slow: analysis) -----------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name,prompt,kind", [
    ("deoldify_TimesSquare1955.jpg", STREET, None),
    ("kodak16_sea_clouds.png", "Gentle waves rolling onto the shore", "surf"),
    ("kodak16_sea_clouds.png", "", "surf"),  # no words: the horizon says sea
    ("kodak13_mountain_stream.png", "a stormy sky with lightning, the stream rushing", "stream"),
])
def test_seed_scenes_on_real_photos(shared_photos, name, prompt, kind):
    import stillmotion

    photo = stillmotion.load_photo(shared_photos / name)
    analysis = stillmotion.analyse(photo)
    plan = stillmotion.direct(photo, analysis, prompt, duration=8.0)
    assert has_soundtrack(plan)
    if kind is not None:
        water = next(e for e in plan.effects if e.type == "water")
        assert Reader(plan, analysis).water_kind(water, plan.audio.water) == kind
    audio = soundtrack(plan, analysis)
    integrated, peak = ffmpeg_ebur128(audio)
    assert -18.0 <= integrated <= -14.0 and peak < -1.0, (integrated, peak)


@pytest.mark.slow
def test_a_portrait_photo_is_silent(shared_photos):
    import stillmotion

    plan = stillmotion.make_plan(shared_photos / "skimage_astronaut.png", duration=4.0)
    assert not has_soundtrack(plan)


def _limited(signal: np.ndarray) -> np.ndarray:
    from stillmotion.audio.limiter import Limiter

    limiter, out = Limiter(10 ** (-1.5 / 20)), []
    for start in range(0, len(signal), 12800):
        released = limiter.process(signal[start : start + 12800])
        if released is not None:
            out.append(released)
    out.append(limiter.flush())
    return np.concatenate(out)


def test_the_limiter_holds_the_ceiling_and_leaves_quiet_sound_alone():
    rng = np.random.default_rng(0)
    quiet = (0.05 * rng.standard_normal((3 * SAMPLE_RATE, 2))).astype(np.float32)
    assert np.array_equal(_limited(quiet), quiet)
    loud = quiet.copy()
    loud[SAMPLE_RATE : SAMPLE_RATE + 4800] += 2.0 * np.sin(2 * np.pi * 11_000 * np.arange(4800) / SAMPLE_RATE)[:, None]
    out = _limited(loud)
    assert out.shape == loud.shape
    assert true_peak_db(loud) > 5 and true_peak_db(out) < -1.4
    far = slice(SAMPLE_RATE + 4800 + 4000, None)  # past the burst, its hold and its release: untouched
    assert np.array_equal(out[far], loud[far])
