"""What a batch works on: the photos of a folder, or the rows of a CSV/JSONL manifest.

Each becomes a Source: a photo path, the relative name its video is filed under, and the
options the row sets (a folder's photos set none: the command line's options apply).
A manifest's columns are 'photo' and the options of the schema (stillmotion.options) that a
manifest may set, read and range-checked by the schema's rules, as the CLI and the studio read them.
Files that are not photos are reported and skipped; a bad manifest value fails only its row.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import BatchInputError, OptionError
from ..options import ANALYSE, DIRECT, MANIFEST, OUTPUT, by_stage, options_for, read_values

PHOTO_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"})
MANIFEST_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class Source:
    """One photo to animate, as the input named it."""

    photo: Path  # absolute: workers (pool or Ray) may run in another folder
    shown: str  # the path as the user would recognise it, for the report
    rel: PurePosixPath  # where its video is filed under the output folder (without extension)
    prompt: str | None = None  # None: the command line's prompt
    options: dict[str, Any] = field(default_factory=dict)  # plan options this row sets
    depth: str | None = None
    format: str | None = None
    error: str | None = None  # a row that cannot be used: reported as failed, not run


@dataclass(frozen=True)
class Ignored:
    """A file in the input folder that is not a photo."""

    path: str
    reason: str


def manifest_columns() -> tuple[str, ...]:
    """The columns a manifest may have: 'photo', then every option a manifest may set."""
    return ("photo", *(o.name for o in options_for(MANIFEST)))


def read_input(path: str | Path, *, exclude: Path | None = None) -> tuple[list[Source], list[Ignored]]:
    """A folder (walked recursively) or a manifest file, as sources plus the files skipped."""
    path = Path(path)
    if path.is_dir():
        return walk_folder(path, exclude=exclude)
    if not path.exists():
        raise BatchInputError(f"{path}: no such folder or manifest")
    kind = MANIFEST_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise BatchInputError(f"{path}: give a folder of photos or a manifest (.csv, .jsonl)")
    return read_manifest(path, kind), []


def walk_folder(root: Path, *, exclude: Path | None = None) -> tuple[list[Source], list[Ignored]]:
    """Photos under root in a stable (sorted) order; hidden files and `exclude` (the output folder) are left out."""
    sources: list[Source] = []
    ignored: list[Ignored] = []
    excluded = exclude.resolve() if exclude is not None else None
    root_abs = root.resolve()
    for folder, dirs, files in os.walk(root_abs):
        here = Path(folder)
        # Sorting in place also fixes the walk order, so reports and names are stable.
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (excluded is None or (here / d).resolve() != excluded))
        for name in sorted(files):
            if name.startswith("."):
                continue  # .DS_Store, editors' and encoders' temporary files
            full = here / name
            rel = full.relative_to(root_abs)
            shown = str(root / rel)
            if full.suffix.lower() not in PHOTO_EXTENSIONS:
                ignored.append(Ignored(shown, f"not a photo ({full.suffix or 'no extension'})"))
                continue
            sources.append(Source(photo=full, shown=shown, rel=PurePosixPath(rel.as_posix()).with_suffix("")))
    if not sources and not ignored:
        raise BatchInputError(f"{root}: the folder is empty")
    return sources, ignored


def read_manifest(path: Path, kind: str) -> list[Source]:
    """Rows of a CSV (with a header) or JSONL manifest; photo paths are relative to the manifest's folder."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets often write a BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchInputError(f"{path}: cannot read the manifest ({exc.__class__.__name__})") from None
    rows = list(_csv_rows(path, text) if kind == "csv" else _jsonl_rows(path, text))
    if not rows:
        raise BatchInputError(f"{path}: the manifest has no rows")
    allowed = manifest_columns()
    for where, row in rows:
        unknown = sorted(set(row) - set(allowed))
        if unknown:
            # A typo in a column name must be seen, not silently ignored for every row.
            raise BatchInputError(f"{where}: unknown column(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    base = path.parent.resolve()
    return [_source(where, row, base) for where, row in rows]


def _csv_rows(path: Path, text: str):
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames or "photo" not in [f.strip() for f in reader.fieldnames]:
        raise BatchInputError(f"{path}: the CSV needs a header row with a 'photo' column")
    for row in reader:
        if None in row:
            raise BatchInputError(f"{path}:{reader.line_num}: more cells than columns in the header")
        cleaned = {k.strip(): (v or "").strip() for k, v in row.items()}
        if not any(cleaned.values()):
            continue  # blank line
        # An empty cell means "not set here": the command line's value applies.
        yield f"{path}:{reader.line_num}", {k: v for k, v in cleaned.items() if v != ""}


def _jsonl_rows(path: Path, text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BatchInputError(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(row, dict):
            raise BatchInputError(f"{path}:{number}: each line must be a JSON object such as {{\"photo\": \"a.jpg\"}}")
        yield f"{path}:{number}", {k: v for k, v in row.items() if v is not None and v != ""}


def _source(where: str, row: dict[str, Any], base: Path) -> Source:
    photo_value = row.get("photo")
    if not isinstance(photo_value, str) or not photo_value.strip():
        return Source(photo=base, shown=where, rel=PurePosixPath("row"), error=f"{where}: no photo given")
    given = Path(photo_value)
    photo = given if given.is_absolute() else base / given
    try:
        rel = photo.resolve().relative_to(base)
    except ValueError:
        rel = Path(photo.name)  # outside the manifest's folder: filed by its name (the plan hash keeps them apart)
    source = dict(photo=photo, shown=photo_value, rel=PurePosixPath(rel.as_posix()).with_suffix(""))
    try:
        values = by_stage(read_values(row, manifest_columns()[1:]))
    except OptionError as exc:
        return Source(**source, error=f"{where}: {exc}")
    options = values[DIRECT]
    return Source(**source, prompt=options.pop("prompt", None), options=options,
                  depth=values[ANALYSE].get("depth"), format=values[OUTPUT].get("format"))
