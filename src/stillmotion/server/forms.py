"""Reading the studio's multipart requests: streamed to disk with a size limit, options checked.

The upload is parsed as it arrives (python-multipart), so an oversized photo is refused after
at most the limit has been read, never after buffering the whole body.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ..plan import ASPECTS, CAMERA_TYPES, FITS, FPS_CHOICES, RESOLUTIONS

FORMATS = ("mp4", "webm", "gif")
MAX_FIELD_BYTES = 512 * 1024  # a plan as JSON is a few KB; this is generous
MAX_FIELDS = 40
MAX_PROMPT_CHARS = 2000
FORM_OVERHEAD = 1024 * 1024  # room for the other fields and multipart headers beyond the photo itself


class ApiError(Exception):
    """A request the studio refuses: an HTTP status and one sentence for the user."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    file_path: Path | None = None  # the photo, under a generated name in the tmp folder
    filename: str | None = None  # the name the client gave (checked, never used as a path)
    file_size: int = 0

    def discard(self) -> None:
        if self.file_path is not None:
            self.file_path.unlink(missing_ok=True)


def check_filename(name: str) -> str:
    """The client's file name, refused if it tries to say where to store the file."""
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ApiError(400, f"the photo's file name {name!r} contains path components; send a plain file name", "photo")
    return name


async def read_form(request, tmp_dir: Path, max_photo_bytes: int, file_field: str = "photo") -> Form:
    """Parse a multipart/form-data body, writing the photo part straight to a file in tmp_dir."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type == b"application/x-www-form-urlencoded":
        return await _read_urlencoded(request)  # fields only (photo_from, plan): no file possible
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(415, "send the request as multipart/form-data (a 'photo' file and option fields)")
    limit_mb = max_photo_bytes / 1024 / 1024
    too_large = ApiError(413, f"the photo is larger than the {limit_mb:g} MB limit", file_field)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_photo_bytes + FORM_OVERHEAD:
        raise too_large  # refused before reading a byte

    form = Form()
    part: dict = {}
    header_field, header_value = bytearray(), bytearray()
    out = None

    def on_part_begin():
        part.clear()
        part.update(headers={}, data=bytearray(), name=None, file=False)

    def on_header_field(data, start, end):
        header_field.extend(data[start:end])

    def on_header_value(data, start, end):
        header_value.extend(data[start:end])

    def on_header_end():
        part["headers"][bytes(header_field).lower()] = bytes(header_value)
        header_field.clear()
        header_value.clear()

    def on_headers_finished():
        nonlocal out
        disposition, options = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        part["name"] = name
        if b"filename" in options:
            if name != file_field:
                raise ApiError(400, f"unexpected file field {name!r}; send the photo as {file_field!r}")
            if form.file_path is not None:
                raise ApiError(400, "send one photo per request")
            form.filename = check_filename(options[b"filename"].decode("utf-8", "replace"))
            form.file_path = tmp_dir / f"{secrets.token_hex(8)}.upload"
            out = open(form.file_path, "wb")
            part["file"] = True
        elif len(form.fields) >= MAX_FIELDS:
            raise ApiError(400, "too many form fields")

    def on_part_data(data, start, end):
        if part["file"]:
            form.file_size += end - start
            if form.file_size > max_photo_bytes:
                raise too_large
            out.write(data[start:end])
        else:
            part["data"].extend(data[start:end])
            if len(part["data"]) > MAX_FIELD_BYTES:
                raise ApiError(413, f"the field {part['name']!r} is too long", part["name"])

    def on_part_end():
        nonlocal out
        if part["file"]:
            out.close()
            out = None
        else:
            try:
                form.fields[part["name"]] = part["data"].decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, f"the field {part['name']!r} is not UTF-8 text", part["name"]) from None

    callbacks = dict(
        on_part_begin=on_part_begin, on_header_field=on_header_field, on_header_value=on_header_value,
        on_header_end=on_header_end, on_headers_finished=on_headers_finished, on_part_data=on_part_data,
        on_part_end=on_part_end,
    )
    parser = MultipartParser(params[b"boundary"], callbacks)
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_photo_bytes + FORM_OVERHEAD:
                raise too_large
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        form.discard()
        raise ApiError(400, f"the multipart body is malformed ({exc})") from None
    except BaseException:
        form.discard()
        raise
    finally:
        if out is not None:
            out.close()
    return form


async def _read_urlencoded(request) -> Form:
    from urllib.parse import parse_qsl

    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FIELD_BYTES * 2:
            raise ApiError(413, "the form is too long; send a photo as multipart/form-data")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ApiError(400, "the form is not UTF-8 text") from None
    return Form(fields=dict(pairs))


# --- options -------------------------------------------------------------------------------
def _number(fields: dict, name: str, kind, low, high, unit: str = ""):
    text = fields.get(name, "").strip()
    if text == "":
        return None
    try:
        value = kind(text.rstrip("s") if unit == " s" else text)
    except ValueError:
        noun = "whole number" if kind is int else "number"
        raise ApiError(422, f"{name}: {text!r} is not a {noun}", name) from None
    if not low <= value <= high:
        raise ApiError(422, f"{name}: {value:g}{unit} is out of range; use {low:g} to {high:g}{unit}", name)
    return value


def _choice(fields: dict, name: str, allowed, kind=str):
    text = fields.get(name, "").strip()
    if text == "":
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value not in allowed:
        raise ApiError(422, f"{name}: {text!r} is not allowed; use one of {', '.join(map(str, allowed))}", name)
    return value


def _flag(fields: dict, name: str):
    text = fields.get(name, "").strip().lower()
    if text == "":
        return None
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ApiError(422, f"{name}: {text!r} is not true or false", name)


OPTION_FIELDS = ("duration", "aspect", "resolution", "fps", "seed", "loop", "camera", "strength", "fit")


def read_options(fields: dict[str, str]) -> dict:
    """The director's options from form fields (None = the director's choice), range-checked."""
    options = {
        "duration": _number(fields, "duration", float, 1, 60, " s"),
        "aspect": _choice(fields, "aspect", ASPECTS),
        "resolution": _choice(fields, "resolution", RESOLUTIONS, int),
        "fps": _choice(fields, "fps", FPS_CHOICES, int),
        "seed": _number(fields, "seed", int, 0, 2**32 - 1),
        "loop": _flag(fields, "loop"),
        "camera": _choice(fields, "camera", CAMERA_TYPES),
        "strength": _number(fields, "strength", float, 0, 1),
        "fit": _choice(fields, "fit", FITS),
    }
    return {k: v for k, v in options.items() if v is not None}


def read_prompt(fields: dict[str, str]) -> str:
    prompt = fields.get("prompt", "").strip()
    if len(prompt) > MAX_PROMPT_CHARS:
        raise ApiError(422, f"prompt: {len(prompt)} characters is too long; use at most {MAX_PROMPT_CHARS}", "prompt")
    return prompt


def read_format(fields: dict[str, str]) -> str:
    return _choice(fields, "format", FORMATS) or "mp4"


ENGINE_FIELDS = ("engine", "model")


def read_engine(fields: dict[str, str]) -> dict:
    """engine (cpu, neural, auto) and model (a known model name; never a path on the server)."""
    from ..engines import ENGINES
    from ..engines.models import MODELS

    chosen = {"engine": _choice(fields, "engine", ENGINES), "model": _choice(fields, "model", tuple(MODELS))}
    return {k: v for k, v in chosen.items() if v is not None}


KNOWN_FIELDS = {"prompt", "format", "plan", "photo_from", *OPTION_FIELDS, *ENGINE_FIELDS}


def check_known(fields: dict[str, str]) -> None:
    unknown = sorted(set(fields) - KNOWN_FIELDS)
    if unknown:
        raise ApiError(422, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(KNOWN_FIELDS))}", unknown[0])
