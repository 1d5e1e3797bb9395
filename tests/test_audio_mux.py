"""Sound in the file: the soundtrack muxed next to the frames (AAC in MP4, Opus in WebM, none in a GIF),
as long as the video, controlled by --audio and --audio-volume and by the prompt's words."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import stillmotion
from stillmotion.cli import main
from stillmotion.encode import AUDIO_RATE, VideoWriter
from test_audio import ffmpeg_ebur128
from test_provenance import write_tone

RAIN = "gentle rain, clouds drifting"


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def streams(path: Path) -> dict:
    """What a player sees: each stream's codec, rate, layout, duration (from the container) and decoded samples."""
    import av

    found = {}
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        found["video"] = float(video.duration * video.time_base) if video.duration else None
        for stream in container.streams.audio:
            samples = np.concatenate([f.to_ndarray().reshape(2, -1) if f.format.is_planar else f.to_ndarray().reshape(-1, 2).T
                                      for f in container.decode(stream)], axis=1)
            found["audio"] = dict(codec=stream.codec_context.name, rate=stream.rate, channels=stream.codec_context.channels,
                                  duration=float(stream.duration * stream.time_base) if stream.duration else None,
                                  samples=samples)
    return found


@pytest.mark.parametrize("suffix, codec", [(".mp4", "aac"), (".webm", "opus")])
def test_an_audio_stream_of_the_right_codec_rate_and_length(tmp_path, photo_file, suffix, codec):
    out = stillmotion.animate(photo_file, tmp_path / f"rain{suffix}", prompt=RAIN, duration=1.5, resolution=480, fps=24)
    found = streams(out)
    audio = found["audio"]
    assert (audio["codec"], audio["rate"], audio["channels"]) == (codec, AUDIO_RATE, 2)
    wanted = 36 * AUDIO_RATE // 24  # 36 frames at 24 fps
    if audio["duration"] is not None:  # MP4: the edit list says the exact length
        assert audio["duration"] == found["video"] == 1.5
    # Decoded, the track is the video's length to the frame (AAC pads its last 1024-sample packet).
    assert 0 <= audio["samples"].shape[1] - wanted < AUDIO_RATE // 24
    level = np.sqrt(np.mean(audio["samples"][:, : wanted] ** 2))
    assert level > 0.01  # rain sounds


def test_no_audio_stream_for_none_for_silent_words_and_for_gifs(tmp_path, photo_file):
    quiet = stillmotion.animate(photo_file, tmp_path / "quiet.mp4", prompt=RAIN, duration=1.0, resolution=480, audio="none")
    assert "audio" not in streams(quiet)
    silent = stillmotion.animate(photo_file, tmp_path / "silent.webm", prompt=RAIN + ", silent", duration=1.0, resolution=480)
    assert "audio" not in streams(silent)
    assert stillmotion.read_plan(silent).audio.mode == "none"
    gif = stillmotion.animate(photo_file, tmp_path / "rain.gif", prompt=RAIN, duration=1.0, resolution=480)
    assert "audio" not in streams(gif)
    plan = stillmotion.make_plan(photo_file, "slow push in", duration=1.0, resolution=480).with_changes(effects=[])
    still = stillmotion.render(plan, tmp_path / "still.mp4")
    assert "audio" not in streams(still)  # nothing makes sound: silence is honest


def test_the_prompts_words_and_the_options(photo_file):
    plan = stillmotion.make_plan(photo_file, "heavy rain, no sound", duration=1.0)
    assert plan.audio.mode == "none" and any('"no sound": no soundtrack' in line for line in plan.explanation)
    plan = stillmotion.make_plan(photo_file, "with the sound of rain", duration=1.0)
    assert plan.audio.mode == "auto" and [e.type for e in plan.effects if e.type == "rain"]
    # Given options win over the words.
    plan = stillmotion.make_plan(photo_file, "heavy rain, silent", duration=1.0, audio="song.mp3", audio_volume=0.5)
    assert (plan.audio.mode, plan.audio.file, plan.audio.volume) == ("file", "song.mp3", 0.5)


def test_a_user_file_is_looped_or_trimmed_to_the_clip(tmp_path, photo_file):
    short = write_tone(tmp_path / "short.wav", 0.8, freq=300.0)
    long = write_tone(tmp_path / "long.wav", 5.0, freq=300.0)
    for name, source in (("looped", short), ("trimmed", long)):
        out = stillmotion.animate(photo_file, tmp_path / f"{name}.webm", prompt="clouds drifting", duration=2.0,
                                  resolution=480, audio=str(source))
        samples = streams(out)["audio"]["samples"]
        assert samples.shape[1] == 2 * AUDIO_RATE, name
        # The tone plays through the clip (looped past 0.8 s), fading out only at the very end.
        windows = np.sqrt(np.mean(samples[0, : int(1.7 * AUDIO_RATE)].reshape(-1, 4800) ** 2, axis=1))
        assert windows[1:].min() > 0.5 * windows[1:].max(), (name, windows.round(3))
        spectrum = np.abs(np.fft.rfft(samples[0, 4800 : 4800 + AUDIO_RATE]))
        assert abs(np.argmax(spectrum) - 300) <= 2, name


def test_a_bad_audio_file_gives_one_clear_line_before_any_work(tmp_path, photo_file, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("not audio")
    out = tmp_path / "out.mp4"
    assert main(["animate", str(photo_file), "-d", "1", "--audio", str(bad), "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("stillmotion: error: ") and "not an audio file" in err
    assert main(["animate", str(photo_file), "-d", "1", "--audio", str(tmp_path / "missing.ogg"), "-o", str(out), "-q"]) == 1
    assert "audio file not found" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_model_sound_needs_the_neural_engine(tmp_path, photo_file, capsys):
    assert main(["animate", str(photo_file), "-d", "1", "--audio", "model", "-o", str(tmp_path / "o.mp4"), "-q"]) == 1
    assert "needs the neural engine" in capsys.readouterr().err


def test_render_changes_the_sound_of_a_plan(tmp_path, photo_file, capsys):
    plan = stillmotion.make_plan(photo_file, RAIN, duration=1.0, resolution=480)
    (tmp_path / "plan.json").write_text(plan.to_json())
    out = tmp_path / "quiet.mp4"
    assert main(["render", str(tmp_path / "plan.json"), "-o", str(out), "--audio", "none", "-q"]) == 0
    assert "audio" not in streams(out)
    assert stillmotion.read_plan(out).audio.mode == "none"


def test_the_writer_cuts_and_pads_the_sound_to_the_video(tmp_path):
    """An engine hands its sound to the writer: longer is cut, shorter is padded with silence."""
    for name, seconds in (("long", 3.0), ("short", 0.4)):
        path = tmp_path / f"{name}.webm"
        with VideoWriter(path, (64, 48), 25, audio=True, frames=25) as writer:
            tone = 0.25 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * AUDIO_RATE)) / AUDIO_RATE)
            writer.write_audio(np.repeat(tone[:, None], 2, axis=1).astype(np.float32))
            for _ in range(25):
                writer.write(np.zeros((48, 64, 3), np.uint8))
        samples = streams(path)["audio"]["samples"]
        assert samples.shape[1] == AUDIO_RATE, name
        if name == "short":
            assert np.abs(samples[:, int(0.6 * AUDIO_RATE):]).max() < 0.01 < np.abs(samples[:, : int(0.3 * AUDIO_RATE)]).max()


@pytest.mark.slow
def test_plan_then_render_gives_the_same_bytes_as_animate(tmp_path, photo_file):
    for suffix in (".mp4", ".webm"):
        direct = stillmotion.animate(photo_file, tmp_path / f"a{suffix}", prompt=RAIN, duration=2.0, resolution=480, loop=True)
        plan = stillmotion.make_plan(photo_file, RAIN, duration=2.0, resolution=480, loop=True)
        (tmp_path / "plan.json").write_text(plan.to_json())
        assert main(["render", str(tmp_path / "plan.json"), "-o", str(tmp_path / f"b{suffix}"), "-q"]) == 0
        assert (tmp_path / f"b{suffix}").read_bytes() == direct.read_bytes(), suffix


@pytest.mark.slow
def test_the_muxed_soundtrack_keeps_its_loudness(tmp_path, photo_file):
    """After AAC encoding the track is still at the soundtrack's target (-16 LUFS, +-2) and under -1 dBTP."""
    out = stillmotion.animate(photo_file, tmp_path / "street.mp4", duration=6.0, resolution=480,
                              prompt="Heavy rain falling, neon lights flickering, steam rising from the street vents.")
    samples = streams(out)["audio"]["samples"]
    loudness, peak = ffmpeg_ebur128(np.ascontiguousarray(samples.T[: 6 * AUDIO_RATE]))
    assert -18 <= loudness <= -14, loudness
    assert peak < -1.0, peak


def test_audio_frames_carry_their_time(tmp_path):
    """Blocks written one video frame at a time keep their place: the decoded track is the blocks in order."""
    path = tmp_path / "ramp.webm"
    per_frame = AUDIO_RATE // 30
    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(30 * per_frame) / AUDIO_RATE)).astype(np.float32)
    with VideoWriter(path, (64, 48), 30, audio=True, frames=30) as writer:
        for index in range(30):
            writer.write(np.zeros((48, 64, 3), np.uint8))
            writer.write_audio(np.repeat(tone[index * per_frame : (index + 1) * per_frame, None], 2, axis=1))
    decoded = streams(path)["audio"]["samples"][0]
    lag = np.argmax(np.correlate(decoded[4800:9600], tone[4800 - 200 : 9600 + 200], mode="valid"))
    assert abs(lag - 200) <= 1
    assert Fraction(len(decoded), AUDIO_RATE) == 1
