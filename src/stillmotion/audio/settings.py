"""The audio settings of a video: plain data, meant to become the plan's `audio` field."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import PlanError

MODES = ("auto", "none", "file", "model")


@dataclass(frozen=True)
class AudioSettings:
    """What the soundtrack is and how loud.

    mode: "auto" scores the plan (sound when it has sound-making effects), "none" is silent
      (no audio stream), "file" plays the user's own audio file `file`, "model" is a neural
      model's own sound (the engine hands it to the encoder: nothing is scored here).
    volume: a gain on top of the loudness target (1 = -16 LUFS for a full scene); the true-peak
      limiter still holds the ceiling.
    water: the water's sound ("stream", "surf", "lapping"); None lets the soundtrack decide.
    mains_hz: the hum of electric light (50 in most of the world, 60 in the Americas).
    room_tone: quiet room air for portraits and other silent plans (off: silence is honest there).
    """

    mode: Literal["auto", "none", "file", "model"] = "auto"
    volume: float = 1.0
    file: str | None = None
    water: Literal["stream", "surf", "lapping"] | None = None
    mains_hz: Literal[50, 60] = 50
    room_tone: bool = False

    def __post_init__(self):
        if self.mode not in MODES:
            raise PlanError(f"audio mode {self.mode!r} is not one of {', '.join(MODES)}")
        if not 0.0 <= self.volume <= 4.0:
            raise PlanError(f"audio volume must be between 0 and 4, got {self.volume}")
        if (self.mode == "file") != (self.file is not None):
            raise PlanError("an audio file goes with audio mode 'file' (and only with it)")
        if self.water not in (None, "stream", "surf", "lapping"):
            raise PlanError(f"audio water {self.water!r} is not one of stream, surf, lapping")
        if self.mains_hz not in (50, 60):
            raise PlanError(f"audio mains_hz must be 50 or 60, got {self.mains_hz}")

    @classmethod
    def of(cls, plan, settings: Any = None) -> AudioSettings:
        """Settings given, else the plan's own `audio` (once the plan has one), else the defaults."""
        given = settings if settings is not None else getattr(plan, "audio", None)
        if given is None or isinstance(given, cls):
            return given or cls()
        if hasattr(given, "model_dump"):  # the plan's pydantic twin of this class
            given = given.model_dump()
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(given) - fields
        if unknown:
            raise PlanError(f"unknown audio setting(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(fields))}")
        return cls(**given)
