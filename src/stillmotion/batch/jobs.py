"""One unit of batch work, the same for the local pool and for Ray: photo + options in, video (or a reason) out.

The work itself is the library's (api.prepare, then api.render): a batch video starts from the
same pixels and plan as `stillmotion animate` or `stillmotion render plan.json` would. This module
only decides where the video goes, whether a finished one is already there, and what the report says.

Output names: <relative path of the photo>.<hash of the effective plan>.<format>, e.g.
`2019/beach.3fa9c2d1e0.mp4`. The hash covers everything that changes the frames (canvas, camera,
effects, seed, the photo's content hash, the prompt) and nothing that does not (the director's
explanation, where the photo lies on disk), so a re-run with the same options finds its videos
and a changed option makes a new one next to the old.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import av

from .. import api
from ..encode import frames_in_file
from ..errors import Cancelled, StillmotionError
from ..options import ANALYSE, DIRECT, OUTPUT, RENDER, by_stage, option
from .inputs import Source

HASH_LENGTH = 10  # hex digits: 40 bits, collisions among one photo's variants are not a concern
# Plan fields left out of the hash: notes the renderer never reads, and the photo's location
# (its content hash is in the plan; moving an album must not re-render it).
UNHASHED_FIELDS = ("explanation", "photo")


@dataclass(frozen=True)
class Item:
    """A source with its effective options: the command line's defaults overridden by the row's."""

    index: int
    photo: Path
    shown: str
    rel: str
    prompt: str
    options: dict[str, Any]
    depth: str
    format: str
    error: str | None = None
    engine: dict[str, Any] = field(default_factory=dict)  # engine, model, low_vram for api.render


@dataclass
class Result:
    """What happened to one item: one line of the report."""

    input: str
    output: str | None
    status: str  # "done", "skipped", "failed" or "cancelled" (in flight at Ctrl-C)
    error: str | None = None
    seconds: float = 0.0
    index: int = -1  # position in the batch, for a stable report order
    warnings: list[str] = field(default_factory=list)  # the library's warnings for this item

    def record(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        del data["index"]
        return data


@dataclass(frozen=True)
class Defaults:
    """The command line's options, applying wherever a manifest row does not say otherwise."""

    prompt: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # None values: director's choice
    depth: str = field(default_factory=lambda: option("depth").default)
    format: str = field(default_factory=lambda: option("format").default)
    engine: dict[str, Any] = field(default_factory=dict)  # engine, model, low_vram (the CPU engine when empty)

    @classmethod
    def from_options(cls, values: dict[str, Any]) -> Defaults:
        """From option values by name (as the CLI read them); those not given keep their defaults."""
        staged = by_stage(values)
        options = staged[DIRECT]
        given = {"depth": staged[ANALYSE].get("depth"), "format": staged[OUTPUT].get("format")}
        return cls(prompt=options.pop("prompt", ""), options=options, engine=staged[RENDER],
                   **{k: v for k, v in given.items() if v is not None})


def make_items(sources: list[Source], defaults: Defaults) -> list[Item]:
    items = []
    for index, source in enumerate(sources):
        options = {k: v for k, v in defaults.options.items() if v is not None}
        options.update(source.options)
        items.append(Item(
            index=index,
            photo=source.photo,
            shown=source.shown,
            rel=str(source.rel),
            prompt=source.prompt if source.prompt is not None else defaults.prompt,
            options=options,
            depth=source.depth or defaults.depth,
            format=source.format or defaults.format,
            error=source.error,
            engine=dict(defaults.engine),
        ))
    return items


def plan_hash(plan) -> str:
    """A short hash of what decides a video's frames: the plan without its notes and photo location."""
    data = plan.to_dict()
    for name in UNHASHED_FIELDS:
        data.pop(name, None)
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def output_path(item: Item, plan, outdir: Path) -> Path:
    # Another engine makes another video from the same plan: its name says which.
    engine = item.engine.get("engine") or "cpu"
    tag = "" if engine == "cpu" else f".{engine}-{(item.engine.get('model') or 'default').replace('/', '_')}"
    return outdir / f"{item.rel}.{plan_hash(plan)}{tag}.{item.format}"


def expected_frames(plan, fmt: str) -> int:
    """Frames the video of this plan holds (encode.py's rule: every frame, or every n-th for a GIF)."""
    return frames_in_file(plan.canvas.frame_count, plan.canvas.fps, fmt)


def check_video(path: Path, frames: int) -> str | None:
    """None when path is a complete video that decodes to `frames` frames; else why not."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return "no video stream"
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            count = sum(1 for _ in container.decode(stream))
    except (av.FFmpegError, OSError, ValueError) as exc:
        return f"does not decode ({exc.__class__.__name__})"
    if count != frames:
        return f"has {count} frames, expected {frames}"
    return None


def process_item(
    item: Item,
    outdir: Path,
    *,
    cancel: Callable[[], bool] | None = None,
    progress=None,
) -> Result:
    """Plan, check for a finished video, render if needed. Never raises for a bad photo: returns a failed Result."""
    started = time.monotonic()
    output: Path | None = None
    with _collect_warnings() as warnings:

        def result(status: str, error: str | None = None) -> Result:
            # The report names an output only where one exists: after "done" or "skipped".
            kept = str(output) if output and status in ("done", "skipped") else None
            return Result(item.shown, kept, status, error, time.monotonic() - started, item.index, list(warnings))

        if item.error:
            return result("failed", item.error)
        try:
            # Loaded once (at the size the plan's resolution needs) and handed to render.
            plan, photo, analysis = api.prepare(item.photo, item.prompt, depth=item.depth, cancel=cancel, **item.options)
            output = output_path(item, plan, outdir)
            existing = output.exists()
            if existing and check_video(output, expected_frames(plan, item.format)) is None:
                return result("skipped")
            output.parent.mkdir(parents=True, exist_ok=True)
            # force only replaces a file just found incomplete or corrupt (e.g. from an older, killed tool).
            api.render(plan, output, photo=photo, analysis=analysis, force=existing, progress=progress, cancel=cancel,
                       **item.engine)
            return result("done")
        except Cancelled:
            return result("cancelled", "interrupted before the video was finished")
        except StillmotionError as exc:
            # The report names the input already; drop the library's "<path>: " prefix.
            return result("failed", str(exc).removeprefix(f"{item.photo}: "))
        except MemoryError:
            return result("failed", "out of memory; try a smaller resolution or fewer videos at once")
        except Exception as exc:  # a bug in one item must not stop the other 1,999
            return result("failed", f"internal error: {exc.__class__.__name__}: {' '.join(str(exc).split())}")


class _ListHandler(logging.Handler):
    def __init__(self, messages: list[str]):
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_warnings():
    """The library's warnings during one item go to its report line, not between the progress lines."""
    logger = logging.getLogger("stillmotion")
    messages: list[str] = []
    # Only ours while the item runs: the CLI's stderr handler sits on this logger too.
    saved = logger.handlers[:], logger.propagate
    logger.handlers = [_ListHandler(messages)]
    logger.propagate = False
    try:
        yield messages
    finally:
        logger.handlers, logger.propagate = saved


class Report:
    """The JSONL report, one line per item, written as items finish (so a killed run keeps what it did)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("w", encoding="utf-8")

    def write(self, result: Result) -> None:
        self._file.write(json.dumps(result.record()) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Report:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
