"""A look-ahead true-peak limiter for consecutive blocks, so the mix stays below its ceiling.

For every sample the gain it needs is ceiling / (its true peak, over both channels and the
oversampled points after it). The gain applied is that need, held for HOLD samples (a
running minimum), then smoothed by two moving averages looking ATTACK samples ahead. An
average of values that are each at most the need of sample k is at most that need, so no
sample passes the ceiling, and the gain eases down before a peak and back up after it, with no
per-sample recursion (all numpy). The output lags one block: a block is released when the next
one (its look-ahead) arrives. A looped clip gives the limiter its own end as the history before
its start and its start as the look-ahead after its end, so the gain is continuous at the seam.
"""

from __future__ import annotations

import numpy as np

from .loudness import INTERPOLATION_TAPS, interpolated_peaks

ATTACK = 1200  # 25 ms: the gain eases down over this before a peak, and back up after the hold
HOLD = 2400  # 50 ms
CONTEXT = INTERPOLATION_TAPS // 2  # samples each side the true-peak interpolation reads
HISTORY = HOLD - 1 + CONTEXT  # samples before a block that the gain depends on (a loop's end)
LOOKAHEAD = ATTACK + CONTEXT  # samples after a block that the gain depends on (a loop's start)


def running_min(x: np.ndarray, width: int) -> np.ndarray:
    """out[i] = min(x[i .. i + width - 1]) for every full window (van Herk / Gil-Werman)."""
    n = len(x)
    padded = np.concatenate([x, np.full((-n) % width, np.inf)]).reshape(-1, width)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    starts = np.arange(n - width + 1)
    return np.minimum(suffix[starts], prefix[starts + width - 1])


def moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    """out[i] = mean(x[i .. i + width - 1]) for every full window."""
    total = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    return (total[width:] - total[:-width]) / width


class Limiter:
    def __init__(self, ceiling: float, history: np.ndarray | None = None):
        self.ceiling = ceiling  # linear
        self.smooth = (ATTACK // 2 + 1, ATTACK - ATTACK // 2)  # two moving averages spanning ATTACK + 1 samples
        self._pending: np.ndarray | None = None
        self._context = np.zeros((CONTEXT, 2), np.float32)
        self._need = np.ones(HOLD - 1)
        if history is not None and len(history):  # a looped clip's end, heard before its start
            silence = np.zeros((CONTEXT, 2), np.float32)
            self._need = np.concatenate([self._need, self._needs(silence, history, silence)])[-(HOLD - 1) :]
            self._context = np.concatenate([self._context, history])[-CONTEXT:]

    def _needs(self, before: np.ndarray, block: np.ndarray, after: np.ndarray) -> np.ndarray:
        """The gain each sample of `block` needs (<= 1), its true peak read with context either side."""
        joined = np.concatenate([before, block, after[:CONTEXT]])
        if float(np.max(np.abs(joined), initial=0.0)) < 0.5 * self.ceiling:  # no interpolated peak gets near
            return np.ones(len(block))
        peaks = interpolated_peaks(joined)[len(before) : len(before) + len(block)]
        return np.minimum(1.0, self.ceiling / np.maximum(peaks, 1e-12))

    def process(self, block: np.ndarray) -> np.ndarray | None:
        """Take the next block; return the previous one limited (None for the first call)."""
        released = None if self._pending is None else self._release(block)
        self._pending = block
        return released

    def flush(self, lookahead: np.ndarray | None = None) -> np.ndarray | None:
        """The last block, limited; `lookahead` is what follows it (a loop's start), else silence."""
        if self._pending is None:
            return None
        following = lookahead if lookahead is not None else np.zeros((0, 2), np.float32)
        return self._release(following)

    def _release(self, following: np.ndarray) -> np.ndarray:
        block, n = self._pending, len(self._pending)
        ahead = np.zeros((LOOKAHEAD, 2), np.float32)
        ahead[: min(len(following), LOOKAHEAD)] = following[:LOOKAHEAD]
        upcoming = np.concatenate([block, ahead[:ATTACK]])
        need = np.concatenate([self._need, self._needs(self._context, upcoming, ahead[ATTACK:])])
        held = running_min(need, HOLD)  # held[k]: the least need over the hold window ending at k
        gain = moving_mean(moving_mean(held, self.smooth[0]), self.smooth[1])[:n]
        self._need = need[n : n + HOLD - 1]
        self._context = np.concatenate([self._context, block])[-CONTEXT:]
        self._pending = None
        return (block * gain[:, None]).astype(np.float32)
