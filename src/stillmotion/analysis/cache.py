"""A small on-disk cache of analyses, keyed by photo content hash and provider."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .types import Analysis, Face

CACHE_VERSION = 24  # bump when the analysis changes, so stale entries are not reused


def cache_dir() -> Path:
    """$STILLMOTION_CACHE_DIR, else $XDG_CACHE_HOME/stillmotion, else ~/.cache/stillmotion."""
    explicit = os.environ.get("STILLMOTION_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stillmotion"


def _path(key: str) -> Path:
    return cache_dir() / "analysis" / f"v{CACHE_VERSION}-{key}.npz"


def load(key: str) -> Analysis | None:
    path = _path(key)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            faces = [
                Face(box=tuple(float(v) for v in f["box"]), score=float(f["score"]), landmarks=data[f"face{i}"] if f["landmarks"] else None)
                for i, f in enumerate(meta["faces"])
            ]
            regions = {name: data[f"region_{name}"] for name in meta["regions"]}
            return Analysis(
                depth=data["depth"], subject=data["subject"], sky=data["sky"],
                faces=faces, regions=regions, depth_source=meta["depth_source"],
                segmentation_source=meta["segmentation_source"], notes=list(meta["notes"]),
            )
    except (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error):
        return None  # missing, truncated or unreadable: recompute (a cache is never a reason to fail)


def save(key: str, analysis: Analysis) -> None:
    path = _path(key)
    meta = {
        "depth_source": analysis.depth_source,
        "segmentation_source": analysis.segmentation_source,
        "notes": list(analysis.notes),
        "faces": [{"box": list(f.box), "score": float(f.score), "landmarks": f.landmarks is not None} for f in analysis.faces],
        "regions": list(analysis.regions),
    }
    arrays = {"depth": analysis.depth, "subject": analysis.subject, "sky": analysis.sky, "meta": np.array(json.dumps(meta))}
    arrays.update({f"face{i}": f.landmarks for i, f in enumerate(analysis.faces) if f.landmarks is not None})
    arrays.update({f"region_{name}": mask for name, mask in analysis.regions.items()})
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(tmp, path)
    except OSError:
        # A read-only or full cache folder must not break a render, nor leave a partial file.
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
