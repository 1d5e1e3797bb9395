"""What a video says about itself: the plan that made it, a short description and a disclosure.

    from stillmotion.provenance import read_plan
    plan = read_plan("video.mp4")          # the plan embedded in a video we made

Every video the library writes carries, as plain metadata (MP4 metadata keys in udta/meta,
WebM tags, one GIF comment extension):
- `stillmotion_plan`: {"stillmotion": VERSION, "plan": {...}}, the plan as JSON (with its
  schema_version), so the video can be planned and rendered again from the photo;
- `description`: "made with stillmotion 0.1.0 from a photo; camera dolly_in; effects water, clouds";
- `comment`: the disclosure, "synthetic motion added to a photograph (stillmotion 0.1.0, DATE)";
- `disclosure`, `software`, `date`: the same statement as separate fields.
The date is the day the video was made (UTC), or $SOURCE_DATE_EPOCH's day when set, so the same
plan gives the same bytes (reproducible-builds convention).

Nothing personal is embedded: the plan's file paths (the photo, region masks, the audio file,
a depth or segmentation model) are reduced to their file names; the photo is otherwise known only by its
content hash, which lets `render` find it again and refuse another.

A C2PA manifest (Content Credentials) is added to MP4 and GIF files when the optional
c2pa-python package is installed and a signing certificate is configured
($STILLMOTION_C2PA_CERT, a PEM chain, and $STILLMOTION_C2PA_KEY, its private key): a
"c2pa.created" action with the IPTC digital source type for synthetic composites, the tool and
its version. The c2pa library cannot write WebM; those carry the plain metadata only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from .errors import EncodeError, PlanError, missing
from .plan import Plan

log = logging.getLogger("stillmotion")

PLAN_TAG = "stillmotion_plan"
DISCLOSURE = "synthetic motion added to a photograph"
# IPTC digital source types: the CPU engine composites computed motion onto a captured photo;
# a neural engine's frames are made by a trained model.
SOURCE_TYPES = {
    "cpu": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeSynthetic",
    "neural": "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia",
}
CERT_ENV, KEY_ENV, ALG_ENV = "STILLMOTION_C2PA_CERT", "STILLMOTION_C2PA_KEY", "STILLMOTION_C2PA_ALG"
C2PA_MEDIA_TYPES = {"mp4": "video/mp4", "gif": "image/gif"}  # what the c2pa library can sign of ours


def version() -> str:
    from . import __version__

    return __version__


def made_on() -> str:
    """The date written into videos: today (UTC), or $SOURCE_DATE_EPOCH's day."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else time.time()
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def _file_name(value: str | None) -> str | None:
    """A path reduced to its file name (either kind of separator); None stays None."""
    if value is None:
        return None
    return PurePath(value.replace("\\", "/")).name or value


def embeddable_plan(plan: Plan) -> dict[str, Any]:
    """The plan as JSON data with every file path reduced to its file name."""
    data = plan.to_dict()
    data["photo"] = _file_name(data["photo"])
    for key in ("depth", "segmentation"):  # a provider's name, or a model file's path
        if "/" in data.get(key, "") or "\\" in data.get(key, ""):
            data[key] = _file_name(data[key])
    for effect in data["effects"]:
        for key in ("region", "freeze"):
            if effect.get(key) and effect[key].get("mask"):
                effect[key]["mask"] = _file_name(effect[key]["mask"])
    if data.get("audio", {}).get("file"):
        data["audio"]["file"] = _file_name(data["audio"]["file"])
    return data


def describe(plan: Plan) -> str:
    """One line for people: what made the video and what moves in it."""
    effects = ", ".join(dict.fromkeys(e.type for e in plan.effects)) or "none"
    return f"made with stillmotion {version()} from a photo; camera {plan.camera.type}; effects {effects}"


@dataclass(frozen=True)
class Provenance:
    """The metadata of one video, and the optional C2PA seal. Made by provenance_for()."""

    tags: dict[str, str]
    engine: str = "cpu"
    title: str = "video"
    c2pa: bool = field(default_factory=lambda: _c2pa_configured())

    def comment(self) -> str:
        """All tags as one text (a GIF's comment extension): one `key: value` per line, the plan last."""
        lines = [f"{key}: {value}" for key, value in self.tags.items() if key != PLAN_TAG]
        return "\n".join(lines + [f"{PLAN_TAG}: {self.tags[PLAN_TAG]}"])

    def seal(self, path: Path, fmt: str) -> None:
        """Add a signed C2PA manifest to the finished file at `path`, when configured."""
        if not self.c2pa:
            return
        if fmt not in C2PA_MEDIA_TYPES:
            log.warning("no C2PA manifest for .%s files (the c2pa library cannot write them); plain metadata only", fmt)
            return
        sign_c2pa(path, C2PA_MEDIA_TYPES[fmt], self.manifest())

    def manifest(self) -> dict[str, Any]:
        """The C2PA manifest definition: who made it, and that the motion is synthetic."""
        return {
            "claim_generator_info": [{"name": "stillmotion", "version": version()}],
            "title": self.title,
            "assertions": [{
                "label": "c2pa.actions",
                "data": {"actions": [{
                    "action": "c2pa.created",
                    "digitalSourceType": SOURCE_TYPES.get(self.engine, SOURCE_TYPES["cpu"]),
                    "softwareAgent": {"name": "stillmotion", "version": version()},
                    "description": DISCLOSURE,
                }]},
            }],
        }


def provenance_for(plan: Plan, *, engine: str = "cpu", title: str = "video") -> Provenance:
    """The metadata a video of this plan carries (see the module docstring). title: the file's name."""
    day = made_on()
    document = {"stillmotion": version(), "plan": embeddable_plan(plan)}
    tags = {
        "description": describe(plan),
        "comment": f"{DISCLOSURE} (stillmotion {version()}, {day})",
        "disclosure": DISCLOSURE,
        "software": f"stillmotion {version()}",
        "date": day,
        PLAN_TAG: json.dumps(document, separators=(",", ":"), ensure_ascii=False),
    }
    return Provenance(tags=tags, engine=engine, title=_file_name(title) or "video")


# --- reading back ------------------------------------------------------------------------------
def read_tags(path: str | Path) -> dict[str, str]:
    """A video's metadata as {lower-case key: text} (GIF: the `key: value` lines of its comments)."""
    from .encode import format_of, read_gif_comments

    path = Path(path)
    if not path.is_file():
        raise PlanError(f"{path}: video not found" if not path.exists() else f"{path}: is not a file")
    if format_of(path) == "gif":
        tags = {}
        for comment in read_gif_comments(path):
            for line in comment.splitlines():
                key, sep, value = line.partition(": ")
                if sep:
                    tags[key.strip().lower()] = value
        return tags
    import av

    try:
        with av.open(str(path)) as container:
            return {key.lower(): value for key, value in container.metadata.items()}
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise PlanError(f"{path}: not a video that can be read ({exc.__class__.__name__})") from None


def read_plan(path: str | Path) -> Plan:
    """The plan embedded in a video made by stillmotion (PlanError when it has none)."""
    path = Path(path)
    text = read_tags(path).get(PLAN_TAG)
    if not text:
        raise PlanError(f"{path}: the video carries no stillmotion plan (made by another tool, or its metadata was removed)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise PlanError(f"{path}: the embedded plan is not valid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("plan"), dict):
        raise PlanError(f"{path}: the embedded plan has an unknown layout")
    try:
        return Plan.from_dict(document["plan"])
    except PlanError as exc:
        made_with = document.get("stillmotion", "another version")
        raise PlanError(f"{path}: the plan from stillmotion {made_with} cannot be read by {version()}: {exc}") from None


# --- C2PA ---------------------------------------------------------------------------------------
def _c2pa_configured() -> bool:
    """A certificate and key are configured; the package itself is imported only when signing."""
    return bool(os.environ.get(CERT_ENV) and os.environ.get(KEY_ENV))


def sign_c2pa(path: Path, media_type: str, manifest: dict[str, Any]) -> None:
    """Sign the file in place (through a temporary copy) with the configured certificate and key."""
    try:
        import c2pa
    except ImportError:
        raise missing("c2pa-python", extra="c2pa", needed_for=f"a C2PA manifest (${CERT_ENV} is set)") from None
    try:
        cert = Path(os.environ[CERT_ENV]).read_bytes()
        key = Path(os.environ[KEY_ENV]).read_bytes()
    except OSError as exc:
        raise EncodeError(f"cannot read the C2PA signing certificate or key ({exc.strerror})") from None
    signed = path.with_name(path.name + ".c2pa")
    try:
        info = c2pa.C2paSignerInfo(os.environ.get(ALG_ENV, "es256"), cert, key, None)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder(json.dumps(manifest)) as builder:
            with open(path, "rb") as source, open(signed, "w+b") as target:
                builder.sign(signer, media_type, source, target)
        os.replace(signed, path)
    except c2pa.C2paError as exc:
        raise EncodeError(f"cannot sign the C2PA manifest: {' '.join(str(exc).split())}") from None
    finally:
        signed.unlink(missing_ok=True)
