"""Reading the studio's requests: multipart streamed to disk with a size limit, then the option
fields read and checked by the option schema (stillmotion.options), as the CLI reads its flags.

The upload is parsed as it arrives (python-multipart), so an oversized file (the photo, an
audio file, a video) is refused after at most its limit has been read, never after buffering
the whole body, and an upload that stalls is dropped. Each file is hashed as it streams in. A
plan sent as JSON is held to limits of size, nesting and text length before it is parsed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

from ..errors import OptionError
from ..options import DIRECT, FORM, OUTPUT, RENDER, by_stage, option, options_for, read_values
from ..plan import MAX_PROMPT

MAX_FIELD_BYTES = 512 * 1024  # any one text field
MAX_FIELDS = 40
MAX_FILENAME = 255  # characters: what file systems allow
FORM_OVERHEAD = 1024 * 1024  # room for the other fields and multipart headers beyond the photo itself
UPLOAD_IDLE_S = 30.0  # an upload that sends nothing for this long is dropped
# A plan as JSON is a few KB and nests 6 deep (plan, effects, effect, region, polygon, point).
MAX_PLAN_BYTES = 64 * 1024
MAX_PLAN_DEPTH = 12
MAX_PLAN_TEXT = MAX_PROMPT  # characters in any one text of a plan, as in the form's prompt
# Fields besides the photo file and the options of the schema (stillmotion.options).
PLAN_FIELD, PHOTO_FROM_FIELD = "plan", "photo_from"
# File fields, and what each is called in messages.
PHOTO_FIELD, AUDIO_FIELD, VIDEO_FIELD = "photo", "audio_file", "video"
FILE_NOUNS = {PHOTO_FIELD: "photo", AUDIO_FIELD: "audio file", VIDEO_FIELD: "video"}


class ApiError(Exception):
    """A request the studio refuses: an HTTP status and one sentence for the user."""

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


@dataclass
class Upload:
    """A file part of a form, streamed to a generated name in the tmp folder."""

    path: Path
    filename: str  # the name the client gave (checked, never used as a path)
    size: int = 0
    sha256: str = ""  # of its bytes, computed as they arrived


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)  # by field name: photo, audio_file, video

    def discard(self) -> None:
        """Remove the files not taken (a taken file is popped from `files` first)."""
        for upload in self.files.values():
            upload.path.unlink(missing_ok=True)

    def named(self, message: str) -> str:
        """A message about the server's temporary files, told with the names the client sent."""
        for name, upload in self.files.items():
            message = message.replace(str(upload.path), repr(upload.filename or FILE_NOUNS.get(name, name)))
        return message


def check_filename(name: str, file_field: str = PHOTO_FIELD) -> str:
    """The client's file name, refused if it tries to say where to store the file."""
    noun = FILE_NOUNS.get(file_field, file_field)
    if len(name) > MAX_FILENAME:
        raise ApiError(400, f"the {noun}'s file name is {len(name)} characters long; send one of at most {MAX_FILENAME}",
                       file_field)
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ApiError(400, f"the {noun}'s file name {name!r} contains path components; send a plain file name", file_field)
    return name


def _too_large(file_field: str, limit: int) -> ApiError:
    return ApiError(413, f"the {FILE_NOUNS.get(file_field, file_field)} is larger than the {limit / 1024 / 1024:g} MB limit",
                    file_field)


def _all_too_large(limits: dict[str, int]) -> ApiError:
    """The whole body is over what its files may take together: each file's limit, in words."""
    sizes = {name: f"{limit / 1024 / 1024:g} MB" for name, limit in limits.items()}
    nouns = [f"the {FILE_NOUNS.get(name, name)}" for name in limits]
    if len(set(sizes.values())) == 1:
        return ApiError(413, f"the upload is too large: {' and '.join(nouns)} have a {next(iter(sizes.values()))} limit each")
    each = ", ".join(f"{noun} has a {size} limit" for noun, size in zip(nouns, sizes.values()))
    return ApiError(413, f"the upload is too large: {each}")


async def read_form(request, tmp_dir: Path, limits: dict[str, int], idle_s: float = UPLOAD_IDLE_S) -> Form:
    """Parse a multipart/form-data body, writing each file part straight to a file in tmp_dir.

    limits: the file fields this request takes, each with its size limit in bytes (the first
    is the main one, named in messages about the whole body). A body that sends nothing for
    idle_s seconds is refused (408) and its partial files removed."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    content_type, params = parse_options_header(request.headers.get("content-type"))
    main = next(iter(limits))
    if content_type == b"application/x-www-form-urlencoded":
        return await _read_urlencoded(request, idle_s)  # fields only (photo_from, plan): no file possible
    if content_type != b"multipart/form-data" or b"boundary" not in params:
        raise ApiError(415, f"send the request as multipart/form-data (a {main!r} file and option fields)")
    body_limit = sum(limits.values()) + FORM_OVERHEAD
    too_large = _too_large(main, limits[main]) if len(limits) == 1 else _all_too_large(limits)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > body_limit:
        raise too_large  # refused before reading a byte

    form = Form()
    part: dict = {}
    header_field, header_value = bytearray(), bytearray()
    out = None
    digest = None

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
        nonlocal out, digest
        disposition, options = parse_options_header(part["headers"].get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        part["name"] = name
        if b"filename" in options:
            if name not in limits:
                raise ApiError(400, f"unexpected file field {name!r}; send {' and '.join(map(repr, limits))} only")
            if name in form.files:
                raise ApiError(400, f"send one {FILE_NOUNS.get(name, name)} per request")
            filename = check_filename(options[b"filename"].decode("utf-8", "replace"), name)
            upload = Upload(path=tmp_dir / f"{secrets.token_hex(8)}.upload", filename=filename)
            form.files[name] = upload
            out, digest = open(upload.path, "wb"), hashlib.sha256()
            part["file"] = upload
        elif len(form.fields) >= MAX_FIELDS:
            raise ApiError(400, "too many form fields")

    def on_part_data(data, start, end):
        upload = part["file"]
        if upload:
            upload.size += end - start
            if upload.size > limits[part["name"]]:
                raise _too_large(part["name"], limits[part["name"]])
            chunk = data[start:end]
            out.write(chunk)
            digest.update(chunk)
        else:
            part["data"].extend(data[start:end])
            if len(part["data"]) > MAX_FIELD_BYTES:
                raise ApiError(413, f"the field {part['name']!r} is too long", part["name"])

    def on_part_end():
        nonlocal out
        if part["file"]:
            out.close()
            out = None
            part["file"].sha256 = digest.hexdigest()
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
        async for chunk in _chunks(request, idle_s):
            received += len(chunk)
            if received > body_limit:
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


async def _chunks(request, idle_s: float):
    """The request body's chunks, refused (408) when none arrives for idle_s seconds."""
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), idle_s)
        except StopAsyncIteration:
            return
        except asyncio.TimeoutError:
            raise ApiError(408, f"the upload stalled: nothing arrived for {idle_s:g} s; send it again") from None
        yield chunk


async def _read_urlencoded(request, idle_s: float) -> Form:
    body = bytearray()
    async for chunk in _chunks(request, idle_s):
        body.extend(chunk)
        if len(body) > MAX_FIELD_BYTES * 2:
            raise ApiError(413, "the form is too long; send a photo as multipart/form-data")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ApiError(400, "the form is not UTF-8 text") from None
    return Form(fields=dict(pairs))


# --- plans ---------------------------------------------------------------------------------
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def read_plan_json(text: str) -> dict | list | str | int | float | None:
    """A client's plan text as JSON data, refused (422) before parsing when it is too large or
    nests too deep, and after when any text in it is longer than a form field may be."""
    size = len(text.encode("utf-8"))
    if size > MAX_PLAN_BYTES:
        raise ApiError(422, f"the plan is {size // 1024} KB; a plan is at most {MAX_PLAN_BYTES // 1024} KB", PLAN_FIELD)
    depth = deepest = 0
    for bracket in _BRACKETS.finditer(_JSON_STRING.sub("", text)):  # outside strings only
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
        if deepest > MAX_PLAN_DEPTH:
            raise ApiError(422, f"the plan nests deeper than {MAX_PLAN_DEPTH} levels; a plan needs 6", PLAN_FIELD)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, f"plan is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", PLAN_FIELD) from None
    _check_texts(data, "")
    return data


def _check_texts(value, where: str) -> None:
    if isinstance(value, str):
        if len(value) > MAX_PLAN_TEXT:
            raise ApiError(422, f"plan: {where or 'the plan'} is {len(value)} characters long; use at most {MAX_PLAN_TEXT}",
                           PLAN_FIELD)
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key[:40]}".lstrip(".")
            _check_texts(key, inner + " (a key)")
            _check_texts(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_texts(item, f"{where}.{index}".lstrip("."))


# --- options -------------------------------------------------------------------------------


def option_fields() -> tuple[str, ...]:
    """The options the studio's form takes, as the schema lists them for the form."""
    return tuple(o.name for o in options_for(FORM))


def known_fields() -> tuple[str, ...]:
    return (*option_fields(), PLAN_FIELD, PHOTO_FROM_FIELD)


# An audio file the studio stored, as jobs and plans name it: "<job id>-audio.<extension>".
STORED_AUDIO = re.compile(r"^[0-9a-f]{16}-audio\.[a-z0-9]{1,5}$")


def check_known(fields: dict[str, str]) -> None:
    unknown = sorted(set(fields) - set(known_fields()))
    if unknown:
        raise ApiError(422, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(known_fields()))}", unknown[0])


@dataclass
class FormOptions:
    """A form's options, read and checked by the schema's rules, sorted by who takes them."""

    prompt: str
    direct: dict  # the director's options (api.prepare)
    render: dict  # engine and model (api.render); model names only, never a path on the server
    format: str

    @property
    def given(self) -> list[str]:
        """The director's options a client set (a full plan replaces them; engine and format still apply)."""
        return list(self.direct)


def read_options(fields: dict[str, str]) -> FormOptions:
    """The options in form fields (absent or empty: the library's default), range-checked."""
    check_known(fields)
    try:
        staged = by_stage(read_values(fields, option_fields(), known_only=True))
    except OptionError as exc:
        raise ApiError(422, str(exc), exc.option) from None
    direct = staged[DIRECT]
    return FormOptions(prompt=direct.pop("prompt", ""), direct=direct, render=staged[RENDER],
                       format=staged[OUTPUT].get("format", option("format").default))


def form_openapi() -> dict:
    """The OpenAPI description of the job and plan forms: the photo, every option the form takes
    (from the schema: types, ranges, choices, defaults), a full plan, an earlier job's photo, and
    the user's own audio file. One of the photo and the earlier job's photo is required."""
    properties = {"photo": {"type": "string", "format": "binary", "description": "JPEG, PNG, WebP, TIFF, BMP or HEIC"}}
    properties.update({o.name: o.json_schema(known_only=True) for o in options_for(FORM)})
    audio = properties["audio"]
    audio["description"] += (f"; or the name of an audio file this studio stored for an earlier job (as its options show "
                             f"it); your own file goes as {AUDIO_FIELD!r}")
    audio["anyOf"] = [{"enum": audio.pop("enum")}, {"pattern": STORED_AUDIO.pattern}]
    properties[AUDIO_FIELD] = {"type": "string", "format": "binary",
                               "description": "your own music or ambience as the soundtrack (any format FFmpeg reads: "
                                              "MP3, AAC, WAV, FLAC, Ogg, Opus, ...), looped or trimmed to the clip; "
                                              "with a plan, it replaces the plan's sound"}
    properties[PLAN_FIELD] = {"type": "string", "maxLength": MAX_PLAN_BYTES,
                              "description": "a full plan as JSON (instead of the options)"}
    properties[PHOTO_FROM_FIELD] = {"type": "string", "pattern": "^[0-9a-f]{16}$",
                                    "description": "id of an earlier job whose photo to use (instead of 'photo')"}
    schema = {"type": "object", "properties": properties,
              "anyOf": [{"required": ["photo"]}, {"required": [PHOTO_FROM_FIELD]}]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def video_openapi() -> dict:
    """The OpenAPI description of the plan-from-video form: one video file."""
    video = {"type": "string", "format": "binary", "description": "a video made by stillmotion: MP4, WebM or GIF"}
    schema = {"type": "object", "properties": {VIDEO_FIELD: video}, "required": [VIDEO_FIELD]}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string", "description": "what is wrong, in one sentence"},
        "field": {"type": "string", "description": "the form field at fault, when one is"},
    },
}
ERROR_MEANINGS = {
    400: "bad input: not a photo (or an audio file), a malformed form, a host name the studio does not answer to",
    401: "this studio needs a token",
    403: "a page from another site asked for a change",
    404: "no such job (or file)",
    408: "the upload stalled",
    409: "the job has no video yet",
    410: "the file is gone from the data folder",
    413: "the photo, the audio file, the video or a field is too large",
    415: "not multipart/form-data",
    416: "the range asked for lies outside the file",
    422: "an option, a plan or a query parameter is out of range or unknown",
    500: "a bug in the studio (its log has the details)",
    503: "the studio cannot take it now: busy, or its data folder cannot be written",
    507: "the studio's disk is full",
}


def error_responses(*codes: int) -> dict[int, dict]:
    """OpenAPI `responses` for these error statuses: each a JSON {"error": ...} with its meaning."""
    return {code: {"description": ERROR_MEANINGS[code], "content": {"application/json": {"schema": ERROR_SCHEMA}}}
            for code in sorted(set(codes))}
