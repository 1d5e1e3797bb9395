"""Tools the studio's tests probe a real server with: crafted photos, raw HTTP, /proc readings."""

from __future__ import annotations

import io
import json
import os
import struct
import time
import urllib.error
import urllib.request
import uuid
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def jpeg_bytes(width: int = 96, height: int = 64, seed: int = 0) -> bytes:
    """A small JPEG of random pixels (a photo the studio accepts)."""
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_stream(width: int, height: int, row=None) -> bytes:
    """A PNG of any size made row by row, never whole in memory: `row(y)` gives a (width, 3) uint8
    row (default black, which compresses 1000:1: a decompression bomb)."""
    packer = zlib.compressobj(9)
    black = b"\x00" + bytes(width * 3)
    parts = [packer.compress(black if row is None else b"\x00" + np.ascontiguousarray(row(y), np.uint8).tobytes())
             for y in range(height)]
    parts.append(packer.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b"")


def stripes(width: int, height: int):
    """Rows for png_stream: coloured stripes across, a gradient down (something to crop and render)."""
    xs = np.arange(width)

    def row(y: int) -> np.ndarray:
        out = np.empty((width, 3), np.uint8)
        out[:, 0] = xs // 97 % 200 + 30
        out[:, 1] = y * 160 // height + 40
        out[:, 2] = xs // 1000 % 2 * 150 + 50
        return out

    return row


def multipart(fields: dict, photo: bytes | None = None, name: str = "photo.png") -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    if photo is not None:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename="{name}"\r\nContent-Type: image/png\r\n\r\n'
        parts.append(head.encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def call(base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
         timeout: float = 60) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request; HTTP errors are answers too."""
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def submit(base: str, photo: bytes, name: str = "photo.png", **fields) -> tuple[int, dict]:
    body, content_type = multipart({k: str(v) for k, v in fields.items()}, photo, name)
    status, _, answer = call(base, "POST", "/api/jobs", body, {"Content-Type": content_type})
    return status, json.loads(answer)


def job(base: str, job_id: str) -> dict:
    status, _, answer = call(base, "GET", f"/api/jobs/{job_id}")
    assert status == 200, answer
    return json.loads(answer)


def wait_for(base: str, job_id: str, predicate, timeout_s: float = 240, every_s: float = 0.05) -> dict:
    deadline = time.monotonic() + timeout_s
    state = None
    while time.monotonic() < deadline:
        state = job(base, job_id)
        if predicate(state):
            return state
        time.sleep(every_s)
    raise AssertionError(f"timed out; last state: {state}")


def peak_rss_mb(pid: int) -> float:
    """The most memory the process has held at once (VmHWM: the kernel's own high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid: int) -> list[int]:
    """The process's direct children (all its threads' children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Running, and not a zombie (dead, not yet reaped)."""
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (ProcessLookupError, OSError, IndexError):
        return False


def leftovers(data: Path) -> dict[str, list[str]]:
    """Files in the data folder that no job owns: partial uploads, partial videos, and uploads,
    thumbnails or videos whose job is not in the store."""
    from stillmotion.server.store import Store

    store = Store(data)
    try:
        jobs, _ = store.list(limit=100, offset=0)
    finally:
        store.close()
    owned = {Path(j.photo).name for j in jobs} | {Path(j.video).name for j in jobs if j.video} | {f"{j.id}.jpg" for j in jobs}
    found = {"tmp": sorted(p.name for p in (data / "tmp").iterdir())}
    for sub in ("uploads", "thumbs", "videos"):
        found[sub] = sorted(p.name for p in (data / sub).iterdir() if p.name not in owned)
    return {k: v for k, v in found.items() if v}
