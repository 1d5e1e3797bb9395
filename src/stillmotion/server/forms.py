"""Reading the studio's requests: multipart streamed to disk with a size limit, then the option
fields read and checked by the option schema (stillmotion.options), as the CLI reads its flags.

The upload is parsed as it arrives (python-multipart), so an oversized photo is refused after
at most the limit has been read, never after buffering the whole body, and an upload that
stalls is dropped. A plan sent as JSON is held to limits of size, nesting and text length
before it is parsed.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

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


class ApiError(Exception):
    """A request the studio refuses: an HTTP status and one sentence for the user."""

    def __init__(self, status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.headers = headers


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
    if len(name) > MAX_FILENAME:
        raise ApiError(400, f"the photo's file name is {len(name)} characters long; send one of at most {MAX_FILENAME}", "photo")
    if "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise ApiError(400, f"the photo's file name {name!r} contains path components; send a plain file name", "photo")
    return name


async def read_form(request, tmp_dir: Path, max_photo_bytes: int, file_field: str = "photo",
                    idle_s: float = UPLOAD_IDLE_S) -> Form:
    """Parse a multipart/form-data body, writing the photo part straight to a file in tmp_dir.
    A body that sends nothing for idle_s seconds is refused (408) and its partial file removed."""
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    content_type, params = parse_options_header(request.headers.get("content-type"))
    if content_type == b"application/x-www-form-urlencoded":
        return await _read_urlencoded(request, idle_s)  # fields only (photo_from, plan): no file possible
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
        async for chunk in _chunks(request, idle_s):
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
    from urllib.parse import parse_qsl

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
    (from the schema: types, ranges, choices, defaults), a full plan, or an earlier job's photo.
    One of the photo and the earlier job's photo is required."""
    properties = {"photo": {"type": "string", "format": "binary", "description": "JPEG, PNG, WebP, TIFF, BMP or HEIC"}}
    properties.update({o.name: o.json_schema(known_only=True) for o in options_for(FORM)})
    properties[PLAN_FIELD] = {"type": "string", "maxLength": MAX_PLAN_BYTES,
                              "description": "a full plan as JSON (instead of the options)"}
    properties[PHOTO_FROM_FIELD] = {"type": "string", "pattern": "^[0-9a-f]{16}$",
                                    "description": "id of an earlier job whose photo to use (instead of 'photo')"}
    schema = {"type": "object", "properties": properties,
              "anyOf": [{"required": ["photo"]}, {"required": [PHOTO_FROM_FIELD]}]}
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
    400: "bad input: not a photo, a malformed form, a host name the studio does not answer to",
    401: "this studio needs a token",
    403: "a page from another site asked for a change",
    404: "no such job (or file)",
    408: "the upload stalled",
    409: "the job has no video yet",
    410: "the file is gone from the data folder",
    413: "the photo or a field is too large",
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
