"""Where models live on disk: the standard Hugging Face cache, or a local folder.

Lookups read the cache layout directly (models--org--name/snapshots/REV/), so `models list`
and `--engine auto` need neither network nor the `neural` extra. Only `pull` downloads.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DownloadError, MissingDependency, ModelNotFound  # noqa: F401  (DownloadError: its old home)
from .models import ModelSpec

INSTALL_HINT = "pip install 'stillmotion[neural]'"


def hub_cache() -> Path:
    """The hub cache folder, honouring HF_HUB_CACHE and HF_HOME as huggingface_hub does."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(home).expanduser() / "hub"


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _repo_folder(repo: str) -> Path:
    return hub_cache() / ("models--" + repo.replace("/", "--"))


def local_path(spec: ModelSpec) -> Path | None:
    """The folder holding a complete copy of the model (a snapshot with model_index.json), or None."""
    if spec.local:
        path = Path(spec.repo)
        return path if (path / "model_index.json").is_file() else None
    folder = _repo_folder(spec.repo)
    ref = folder / "refs" / "main"
    snapshots = folder / "snapshots"
    if ref.is_file():
        candidate = snapshots / ref.read_text(encoding="utf-8").strip()
        if (candidate / "model_index.json").is_file():
            return candidate
    if snapshots.is_dir():
        for candidate in sorted(snapshots.iterdir()):
            if (candidate / "model_index.json").is_file():
                return candidate
    return None


def is_cached(spec: ModelSpec) -> bool:
    return local_path(spec) is not None


def size_on_disk(spec: ModelSpec) -> int:
    """Bytes the model takes in the cache (blobs, counted once) or in its local folder."""
    root = Path(spec.repo) if spec.local else _repo_folder(spec.repo) / "blobs"
    if not root.is_dir():
        return 0
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def require_local(spec: ModelSpec) -> Path:
    """The model's folder, or one line telling the user how to get it."""
    path = local_path(spec)
    if path is None:
        if spec.local:
            raise ModelNotFound(f"{spec.repo}: not a diffusers model folder (no model_index.json)")
        raise ModelNotFound(f"model {spec.name} is not in the local cache ({hub_cache()}); run: stillmotion models pull {spec.name}")
    return path


def pull(spec: ModelSpec) -> Path:
    """Download the model into the hub cache (huggingface_hub shows a progress bar)."""
    if spec.local:
        return require_local(spec)
    if offline():
        raise DownloadError(f"cannot download {spec.name}: HF_HUB_OFFLINE is set; unset it or copy the model into {hub_cache()}")
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise MissingDependency(f"downloading models needs huggingface_hub: {INSTALL_HINT}") from None
    try:
        path = snapshot_download(spec.repo, cache_dir=str(hub_cache()), etag_timeout=10)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # network, DNS, HTTP and hub errors all end in one line for the user
        raise DownloadError(_download_failure(spec, exc)) from None
    return Path(path)


def _download_failure(spec: ModelSpec, exc: Exception) -> str:
    """What went wrong, in one line: a gated or private repository (HTTP 401/403), or the network."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    gated = any(cls.__name__ == "GatedRepoError" for cls in type(exc).__mro__)
    if gated or status in (401, 403):
        return (f"cannot download {spec.name}: huggingface.co/{spec.repo} is gated; accept its licence on "
                f"https://huggingface.co/{spec.repo} with your account, log in here (hf auth login, or set HF_TOKEN), "
                f"then pull again")
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    where = f" (HTTP {status})" if status else " (no network?)"
    return f"cannot download {spec.name} from huggingface.co/{spec.repo}{where}: {reason[:160]}"
