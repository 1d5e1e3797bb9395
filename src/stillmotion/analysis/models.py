"""The analysis's optional model files: where they live, what each improves, and how to fetch them.

The model folder is $STILLMOTION_MODEL_DIR, else ~/.cache/stillmotion/models. A model is found
there by its file name; nothing is downloaded at run time. `stillmotion models pull depth` (or
`segmentation`) fetches a file on a connected machine: with progress, resumed from a partial
download, checked against its sha256 before it takes its name (written under a temporary name,
then renamed). Without network it fails with one line.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import DownloadError, ModelNotFound


@dataclass(frozen=True)
class AnalysisModel:
    name: str  # what `models pull NAME` takes
    file: str  # the file name it is looked up by in the model folder
    url: str
    sha256: str
    size: int  # bytes, for the progress line
    improves: str  # what a user gets from it, in a few words
    runtime: str  # the pip extra that runs it
    licence: str


MODELS: dict[str, AnalysisModel] = {
    "depth": AnalysisModel(
        name="depth", file="depth_anything_v2_vits.onnx",
        url="https://huggingface.co/onnx-community/depth-anything-v2-small/resolve/main/onnx/model.onnx",
        # The onnx-community export's published hash (not re-computed here: no network on this machine).
        sha256="afb6a5c28f3b6bf1618c6e43f02073ef9dfdc70e937502d51603e57b0a1df10c", size=99_060_839,
        improves="depth from a network (Depth Anything V2 Small): truer parallax when the camera moves",
        runtime="depth", licence="Apache-2.0"),
    "segmentation": AnalysisModel(
        name="segmentation", file="deeplabv3_mnv2_ade20k.tflite",
        url="https://raw.githubusercontent.com/ucalyptus/SIH-Stargazers/34dc5cb5d4ef1c0a3ae6c8c0f3093676fa26c91f/"
            "models/segmentation/lite-model_deeplabv3-mobilenetv2-ade20k_1_default_1.tflite",
        sha256="9476784566f88bf0bdc3169f0012fb7d08857b325811d8c1aaf5ada1c0d4e4f9", size=2_415_896,
        improves="sky, water, plants, people, buildings and ground from a network (DeepLabV3 ADE20K): "
                 "effects land on the right things, and depth follows them",
        runtime="segment", licence="Apache-2.0 (TF Hub's DeepLabV3 ADE20K lite model; not verified)"),
}
CHUNK = 1 << 16


def model_dir() -> Path:
    """$STILLMOTION_MODEL_DIR, else ~/.cache/stillmotion/models."""
    folder = os.environ.get("STILLMOTION_MODEL_DIR")
    return Path(folder).expanduser() if folder else Path.home() / ".cache" / "stillmotion" / "models"


def model_path(name: str) -> Path:
    """Where the model called name ("depth", "segmentation") is looked for."""
    return model_dir() / MODELS[name].file


def present() -> dict[str, bool]:
    """Which analysis models are in the model folder, by name."""
    return {name: model_path(name).is_file() for name in MODELS}


def get(name: str) -> AnalysisModel:
    if name not in MODELS:
        raise ModelNotFound(f"unknown analysis model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name]


Progress = Callable[[int, int], None]  # (bytes so far, total bytes)


def pull(name: str, *, url: str | None = None, progress: Progress | None = None, timeout: float = 30.0) -> Path:
    """Download an analysis model into the model folder; returns its path.

    A partial download (FILE.part) is resumed with an HTTP range request; the file takes its
    name only when its sha256 matches. A file already there with the right hash is kept.
    url: another source for the same file (a mirror; the tests' local server).
    """
    spec = get(name)
    target = model_dir() / spec.file
    if target.is_file() and sha256_of(target) == spec.sha256:
        return target
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"{target.parent}: cannot create the model folder ({exc.strerror or exc})") from None
    source = url or spec.url
    done = partial.stat().st_size if partial.is_file() else 0
    if done > spec.size:  # not a prefix of this file: start again
        partial.unlink()
        done = 0
    request = urllib.request.Request(source, headers={"User-Agent": "stillmotion"})
    if done:
        request.add_header("Range", f"bytes={done}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if done and response.status != 206:  # the server ignored the range: from the start
                done = 0
            total = done + int(response.headers.get("Content-Length") or (spec.size - done))
            with open(partial, "ab" if done else "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and done:  # the range starts at the end: the partial file is complete
            pass
        else:
            raise DownloadError(f"{name}: the server answered {exc.code} {exc.reason} for {source}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DownloadError(f"{name}: cannot download {source} (no network? {reason}); "
                            f"a partial download is resumed next time") from None
    digest = sha256_of(partial)
    if digest != spec.sha256:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{name}: the download does not match its sha256 (got {digest[:12]}..., "
                            f"expected {spec.sha256[:12]}...); it was removed, try again")
    os.replace(partial, target)
    return target


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ----------------------------------------------------------------------------- for the `models` command
def describe() -> list[str]:
    """Lines for `stillmotion models list`: each analysis model, whether it is here, what it improves."""
    lines = [f"analysis models (folder: {model_dir()}; without them the classical analysis is used):"]
    for name, spec in MODELS.items():
        here = "yes" if model_path(name).is_file() else "no"
        lines.append(f"  {name:<13} present: {here:<4} {spec.size / 1e6:5.1f} MB  {spec.file}")
        lines.append(f"  {'':<13} improves: {spec.improves}; runs with pip install 'stillmotion[{spec.runtime}]'; "
                     f"licence {spec.licence}")
    return lines


def missing_hint() -> str | None:
    """One line for a run that has none of the analysis models, naming the command that adds them."""
    if any(present().values()):
        return None
    return ("the analysis is classical (no model in the model folder); `stillmotion models pull segmentation` "
            "and `stillmotion models pull depth` add networks that see water, sky, plants and depth better")


def pull_with_progress(name: str, out) -> Path:
    """`stillmotion models pull NAME` for an analysis model: progress on out, one line at the end."""
    spec = get(name)
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = int(100 * done / max(total, 1))
        if percent != shown[0]:
            shown[0] = percent
            print(f"\r{name}: {done / 1e6:.1f} of {total / 1e6:.1f} MB ({percent}%)", end="", file=out, flush=True)

    print(f"{name}: {spec.file} (licence {spec.licence}) from {spec.url}", file=out)
    try:
        path = pull(name, progress=progress)
    finally:
        if shown[0] >= 0:
            print(file=out)
    print(f"{name}: {path} (sha256 checked)", file=out)
    return path
