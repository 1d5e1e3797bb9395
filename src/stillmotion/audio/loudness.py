"""Loudness (ITU-R BS.1770-4 / EBU R128) and true peak, for blocks of 48 kHz stereo.

K-weighting is the standard's two biquads (a high shelf and the RLB high-pass). Their impulse
response decays below 1e-17 within 8192 samples, so convolving with that truncated response
(by FFT, overlap-save, block after block) is the IIR filter to float precision, with numpy only.
The meter keeps the K-weighted energy of each 100 ms step; the integrated loudness gates the
400 ms blocks (75% overlap) at -70 LUFS and then 10 LU below their mean, as the standard does.

True peak follows BS.1770-4 Annex 2: the signal oversampled four times by a windowed-sinc
interpolator, peak taken over all phases.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .clock import SAMPLE_RATE

STEP = SAMPLE_RATE // 10  # 100 ms: the gating blocks are 4 steps long, one step apart
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0

# BS.1770-4 K-weighting at 48 kHz: (b, a) of the shelf, then of the RLB high-pass.
_SHELF = ((1.53512485958697, -2.69169618940638, 1.19839281085285), (1.0, -1.69065929318241, 0.73248077421585))
_HIGHPASS = ((1.0, -2.0, 1.0), (1.0, -1.99004745483398, 0.99007225036621))
_K_TAPS = 8192


def _biquad_response(b, a, x: np.ndarray) -> np.ndarray:
    y = np.zeros_like(x)
    x1 = x2 = y1 = y2 = 0.0
    for n, xn in enumerate(x):
        yn = b[0] * xn + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        y[n] = yn
        x2, x1, y2, y1 = x1, xn, y1, yn
    return y


@functools.cache
def k_weighting_taps() -> np.ndarray:
    """The K-weighting filter's impulse response (exact to float precision; made on first use)."""
    impulse = np.zeros(_K_TAPS)
    impulse[0] = 1.0
    return _biquad_response(*_HIGHPASS, _biquad_response(*_SHELF, impulse))


class StreamingFilter:
    """An FIR filter applied to consecutive blocks (n, channels): overlap-save, state between blocks."""

    def __init__(self, taps: np.ndarray, channels: int = 2):
        self.taps = taps
        self.history = np.zeros((len(taps) - 1, channels))
        self._spectra: dict[int, np.ndarray] = {}

    def __call__(self, block: np.ndarray) -> np.ndarray:
        n, m = len(block), len(self.taps)
        size = 1 << math.ceil(math.log2(n + m - 1))
        if size not in self._spectra:
            self._spectra[size] = np.fft.rfft(self.taps, size)[:, None]
        joined = np.concatenate([self.history, block.astype(np.float64)])
        out = np.fft.irfft(np.fft.rfft(joined, size, axis=0) * self._spectra[size], size, axis=0)[m - 1 : m - 1 + n]
        self.history = joined[len(joined) - (m - 1) :]
        return out


class LoudnessMeter:
    """Feed blocks of stereo audio; read the K-weighted energy per 100 ms step, or the loudness.

    It also keeps each step's sample peak, so a mixer can foresee what a limiter will take.
    """

    def __init__(self):
        self._filter = StreamingFilter(k_weighting_taps())
        self._steps: list[float] = []  # summed channel mean-squares per full 100 ms step
        self._peaks: list[float] = []
        self._partial = np.zeros(0)
        self._partial_peak = np.zeros(0)

    def add(self, block: np.ndarray) -> None:
        weighted = self._filter(block)
        power = np.concatenate([self._partial, np.sum(weighted * weighted, axis=1)])
        peak = np.concatenate([self._partial_peak, np.max(np.abs(block), axis=1)])
        whole = len(power) // STEP * STEP
        self._steps.extend(power[:whole].reshape(-1, STEP).mean(axis=1))
        self._peaks.extend(peak[:whole].reshape(-1, STEP).max(axis=1))
        self._partial, self._partial_peak = power[whole:], peak[whole:]

    @property
    def steps(self) -> np.ndarray:
        return np.asarray(self._steps)

    @property
    def peaks(self) -> np.ndarray:
        return np.asarray(self._peaks)

    def integrated(self) -> float:
        return integrated_loudness(self.steps)


def integrated_loudness(steps: np.ndarray) -> float:
    """Gated integrated loudness (LUFS) from per-100 ms K-weighted energies; -inf when all is silent."""
    if len(steps) < 4:
        blocks = np.array([steps.mean()]) if len(steps) else np.zeros(0)
    else:
        blocks = np.convolve(steps, np.ones(4) / 4, mode="valid")  # 400 ms blocks, 75% overlap
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(blocks)
    kept = blocks[loudness > ABSOLUTE_GATE]
    if not len(kept):
        return -math.inf
    relative = -0.691 + 10 * math.log10(kept.mean()) + RELATIVE_GATE
    kept = blocks[loudness > max(relative, ABSOLUTE_GATE)]
    return -0.691 + 10 * math.log10(kept.mean())


def loudness_of(audio: np.ndarray) -> float:
    """Integrated loudness (LUFS) of a whole (n, 2) signal at 48 kHz."""
    meter = LoudnessMeter()
    meter.add(audio)
    return meter.integrated()


# --- true peak ---------------------------------------------------------------------------------

OVERSAMPLE = 4
INTERPOLATION_TAPS = 32


@functools.cache
def _interpolation_phases() -> np.ndarray:
    """(OVERSAMPLE - 1, taps): the windowed-sinc filters giving the in-between samples."""
    half = INTERPOLATION_TAPS // 2
    phases = []
    for phase in range(1, OVERSAMPLE):
        k = np.arange(-half + 1, half + 1) - phase / OVERSAMPLE  # distances to the input samples
        taps = np.sinc(k) * np.kaiser(INTERPOLATION_TAPS, 8.0)
        phases.append(taps / taps.sum())
    return np.asarray(phases)


def interpolated_peaks(audio: np.ndarray) -> np.ndarray:
    """Per sample n, the largest magnitude over the channels at n and at the oversampled points
    between n and n + 1 (the last few samples see zeros beyond the end)."""
    peaks = np.max(np.abs(audio), axis=1)
    half = INTERPOLATION_TAPS // 2
    for taps in _interpolation_phases():
        for channel in range(audio.shape[1]):
            # Point n + phase/4 needs samples n - half + 1 .. n + half.
            between = np.convolve(audio[:, channel], taps[::-1], mode="full")[half : half + len(audio)]
            np.maximum(peaks, np.abs(between), out=peaks)
    return peaks


def true_peak_db(audio: np.ndarray) -> float:
    """True peak of an (n, 2) signal in dBTP (dB relative to full scale, 4x oversampled)."""
    peak = float(np.max(interpolated_peaks(audio))) if len(audio) else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf
