"""The Plan: the contract between understanding (director) and rendering.

Everything a user can change about a video lives here, as plain JSON-able data.
`plan` followed by `render` gives the same video as `animate`, because the
renderer reads nothing but the photo, its analysis and this object.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .effects.registry import EFFECT_TYPES, FAMILIES, descriptor, types_in
from .errors import PlanError

SCHEMA_VERSION = 1
MAX_PROMPT = 2000  # characters; a sentence or a paragraph, not a document

ASPECTS = ("16:9", "9:16", "1:1", "4:5", "original")
RESOLUTIONS = (480, 720, 1080, 1440, 2160)
FPS_CHOICES = (24, 25, 30, 60)
FITS = ("crop", "blur")
DIRECTIONS = ("left", "right", "up", "down", "in", "out")

CAMERA_TYPES = (
    "static", "zoom_in", "zoom_out", "dolly_in", "dolly_out", "pan_left", "pan_right",
    "tilt_up", "tilt_down", "orbit", "dolly_zoom", "ken_burns",
)

# Effect types by family (from the effects registry); the family decides where in a frame's
# composition the effect runs.
EFFECT_FAMILIES: dict[str, tuple[str, ...]] = {family: types_in(family) for family in FAMILIES}
GRADE_STYLES = ("golden_hour", "warm", "cool", "moody", "vintage", "black_and_white")
# "stars": every glint of a sparkle gets a soft diffraction star (the user asked for stars or
# "starry" sparkle); without it only strong point lights get one.
SPARKLE_STYLES = ("stars",)
EFFECT_STYLES = {"grade": GRADE_STYLES, "sparkle": SPARKLE_STYLES}

Aspect = Literal["16:9", "9:16", "1:1", "4:5", "original"]
CameraType = Literal[
    "static", "zoom_in", "zoom_out", "dolly_in", "dolly_out", "pan_left", "pan_right",
    "tilt_up", "tilt_down", "orbit", "dolly_zoom", "ken_burns",
]
EffectType = Literal[EFFECT_TYPES]  # every registered type
Direction = Literal["left", "right", "up", "down", "in", "out"]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Point = tuple[Unit, Unit]


def family_of(effect_type: str) -> str:
    """The family ("scene", "atmosphere", "light" or "face") an effect type belongs to."""
    if effect_type in EFFECT_TYPES:
        return descriptor(effect_type).family
    raise PlanError(f"unknown effect type {effect_type!r}; allowed: {', '.join(EFFECT_TYPES)}")


class _Strict(BaseModel):
    # Unknown keys are an error, never silently dropped: a typo in a plan must be visible.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Rect(_Strict):
    """A rectangle in normalised photo coordinates (0..1 of width and height)."""

    x: Unit
    y: Unit
    w: Annotated[float, Field(gt=0.0, le=1.0)]
    h: Annotated[float, Field(gt=0.0, le=1.0)]

    @model_validator(mode="after")
    def _inside(self) -> Rect:
        if self.x + self.w > 1.0 + 1e-6 or self.y + self.h > 1.0 + 1e-6:
            raise ValueError("rectangle must lie inside the photo (x + w <= 1 and y + h <= 1)")
        return self


class Canvas(_Strict):
    """The video's frame: aspect, size, rate, length, and how the photo fills it."""

    aspect: Aspect = "original"
    resolution: Literal[480, 720, 1080, 1440, 2160] = 1080
    fps: Literal[24, 25, 30, 60] = 30
    duration: Annotated[float, Field(ge=1.0, le=60.0)] = 10.0
    fit: Literal["crop", "blur"] = "crop"
    # The part of the photo shown (filled by the director: around the subject and faces).
    # None means the whole photo, centred and cropped to the aspect.
    crop: Rect | None = None

    @property
    def frame_count(self) -> int:
        return max(1, round(self.duration * self.fps))


class Camera(_Strict):
    type: CameraType = "ken_burns"
    strength: Unit = 0.5
    # Where the move heads or pivots, in normalised canvas coordinates; None = centre.
    # The director sets it from the subject and faces (ken_burns moves toward it).
    target: Point | None = None


class Region(_Strict):
    """Where an effect applies: a named region of the analysis, a polygon, or a mask image."""

    name: str | None = None  # "sky", "water", "foliage", "subject", "face:0", ...
    polygon: list[Point] | None = None  # normalised photo coordinates
    mask: str | None = None  # path to a greyscale image, white = apply

    @model_validator(mode="after")
    def _one_source(self) -> Region:
        given = [k for k in ("name", "polygon", "mask") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("a region needs exactly one of name, polygon or mask")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a region polygon needs at least 3 points")
        return self


class Effect(_Strict):
    type: EffectType
    strength: Unit = 0.5
    speed: Annotated[float, Field(gt=0.0, le=4.0)] = 1.0
    direction: Direction | None = None
    region: Region | None = None
    # Areas that must not move, whatever the effect (the Motionleap "freeze" idea).
    freeze: Region | None = None
    start: Annotated[float, Field(ge=0.0)] = 0.0  # seconds
    end: Annotated[float, Field(gt=0.0)] | None = None  # seconds; None = until the end
    style: str | None = None  # grade look (GRADE_STYLES) or sparkle look (SPARKLE_STYLES)

    @model_validator(mode="after")
    def _consistent(self) -> Effect:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if self.style is not None:
            styles = EFFECT_STYLES.get(self.type)
            if styles is None:
                raise ValueError(f"style applies to {' and '.join(EFFECT_STYLES)} only, not to {self.type}")
            if self.style not in styles:
                raise ValueError(f"style {self.style!r} is not one of {', '.join(styles)}")
        return self


class Unsupported(_Strict):
    """A requested action the CPU engine cannot fake (a kiss, a dance): kept, not dropped."""

    phrase: str
    note: str = "needs generated motion; a neural engine can do it"


AUDIO_MODES = ("auto", "none", "file", "model")


class Audio(_Strict):
    """The soundtrack: scored from the plan's effects, none, the user's own file, or a neural
    model's own sound (models that make sound, on the neural engine)."""

    mode: Literal["auto", "none", "file", "model"] = "auto"  # auto: sound when the effects make some
    volume: Annotated[float, Field(ge=0.0, le=4.0)] = 1.0  # a gain on the loudness target
    file: str | None = None  # the user's audio file (mode "file"): path as given
    water: Literal["stream", "surf", "lapping"] | None = None  # the water's sound; None: the soundtrack decides
    mains_hz: Literal[50, 60] = 50  # the hum of electric light
    room_tone: bool = False  # quiet room air for plans that make no sound (portraits)

    @model_validator(mode="after")
    def _file_with_mode(self) -> Audio:
        if (self.mode == "file") != (self.file is not None):
            raise ValueError("an audio file goes with audio mode 'file', and only with it")
        return self


def audio_choice(value: str) -> dict[str, Any]:
    """An audio option's value ("auto", "none", "model" or a file's path) as Audio fields."""
    return {"mode": value, "file": None} if value in AUDIO_MODES and value != "file" else {"mode": "file", "file": value}


class Plan(_Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    photo: str  # path of the photo, as given
    photo_sha256: str | None = None  # content hash of the photo's file; render refuses a different photo
    prompt: Annotated[str, Field(max_length=MAX_PROMPT)] = ""
    # Depth provider the analysis used: "classical" or the path of a neural depth model file.
    depth: str = "classical"
    # Segmentation provider the analysis used: "classical", "deeplab" or the path of a model file.
    segmentation: str = "classical"
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    loop: bool = False
    canvas: Canvas = Field(default_factory=Canvas)
    camera: Camera = Field(default_factory=Camera)
    effects: list[Effect] = Field(default_factory=list)
    unsupported: list[Unsupported] = Field(default_factory=list)
    audio: Audio = Field(default_factory=Audio)  # absent in older plans: the defaults
    # Plain-words notes from the director (what led to what, what was ignored and why).
    # Informative only: the renderer never reads them.
    explanation: list[str] = Field(default_factory=list)

    @field_validator("photo")
    @classmethod
    def _photo_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("photo path is empty")
        return value

    # --- serialisation -------------------------------------------------------------------
    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Any) -> Plan:
        return _validated(cls, data)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PlanError(f"plan is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        except RecursionError:
            raise PlanError("plan is nested too deeply to be a plan") from None
        try:
            return cls.from_dict(data)
        except RecursionError:
            raise PlanError("plan is nested too deeply to be a plan") from None

    @classmethod
    def load(cls, path: str | Path) -> Plan:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlanError(f"{path}: plan file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise PlanError(f"{path}: cannot read plan ({exc.__class__.__name__})") from None
        try:
            return cls.from_json(text)
        except PlanError as exc:
            raise PlanError(f"{path}: {exc}") from None

    def with_audio(self, audio: str | None = None, volume: float | None = None) -> Plan:
        """A new plan with the audio options applied (None leaves a setting as it is):
        audio "auto", "none", "model" or the path of an audio file; volume 0..4."""
        fields = self.audio.model_dump()
        if audio is not None:
            fields.update(audio_choice(audio))
        if volume is not None:
            fields["volume"] = volume
        return self.with_changes(audio=fields)

    def with_changes(self, **changes: Any) -> Plan:
        """A new, validated plan with some top-level fields replaced (this one is untouched)."""
        data = self.to_dict()
        data.update({k: (v.model_dump(mode="json") if isinstance(v, BaseModel) else v) for k, v in changes.items()})
        return Plan.from_dict(data)


def _validated(model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PlanError(describe_validation_error(exc, model)) from None


def describe_validation_error(exc: ValidationError, model: type[BaseModel] | None = None) -> str:
    """One line that names the offending key and, where known, the allowed keys or values."""
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "plan"
        kind = error["type"]
        value = error.get("input")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, error["loc"][:-1]) if model else []
            hint = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            problems.append(f"unknown key {where!r}{hint}")
        elif kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", "")
            problems.append(f"{where}: {value!r} is not allowed; allowed values: {expected.replace(' or ', ', ')}")
        elif kind == "missing":
            problems.append(f"{where}: required")
        else:
            message = error["msg"].removeprefix("Value error, ")
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            problems.append(f"{where}: {message} (got {shown})" if not isinstance(value, dict) else f"{where}: {message}")
    return "invalid plan: " + "; ".join(problems)


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Walk the model along `loc` (field names, list indexes) to list the keys allowed there."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        current = _model_in(fields[part].annotation)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside an annotation such as `Camera`, `list[Effect]` or `Region | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
