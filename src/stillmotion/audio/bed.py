"""A sound bed (the sound of one effect, or of a few that share it) and what building one needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .clock import Clock, stream_key
from .reading import Reader, level_function
from .settings import AudioSettings

# The loudness (LUFS) of a bed of presence 0 at strength 0.5: a full ambience, such as steady rain.
REFERENCE_LUFS = -16.0
STRENGTH_DB = 6.0  # strength 0 .. 1 moves a bed -3 .. +3 dB around its presence


class Part(Protocol):
    def render(self, block: int) -> np.ndarray: ...


@dataclass
class Bed:
    """Parts mixed with fixed weights; the mixer measures the bed and sets its level to `target`.

    presence: how loud this sound is, in dB, against a full ambience (rain, surf: 0; steam: -10).
    """

    name: str
    strength: float
    presence: float
    parts: list[Part]
    weights: list[float] = field(default_factory=list)

    def __post_init__(self):
        if not self.weights:
            self.weights = [1.0] * len(self.parts)

    @property
    def target(self) -> float:
        """The bed's own loudness in the mix (LUFS)."""
        return REFERENCE_LUFS + self.presence + STRENGTH_DB * (self.strength - 0.5)

    def render(self, block: int) -> np.ndarray:
        out = None
        for part, weight in zip(self.parts, self.weights):
            sound = part.render(block)
            out = sound * weight if out is None else out + sound * weight
        return out


@dataclass
class Context:
    plan: object
    clock: Clock
    reader: Reader
    settings: AudioSettings

    def key(self, index: int, name: str) -> tuple[int, int]:
        """The random stream of one part of one effect's sound."""
        return (index, stream_key(name))

    def rng(self, index: int, name: str) -> np.random.Generator:
        return self.clock.rng(*self.key(index, name))

    def level(self, effect):
        return level_function(effect, self.clock)
