"""Depth providers: the classical estimator (default) and a neural one (Depth Anything V2, ONNX).

A provider has a `name` (used in the cache key), a `spec` (what a plan records to ask for it
again: "classical", "onnx" for the model folder's file, or a path) and
`estimate(rgb, cues=None, segmentation=None) -> H x W float32 nearness` (0 = farthest,
1 = nearest) at the size of rgb. `cues` are the classical cues the pipeline computes anyway
(sky, subject, edge guide); a provider computes them itself when called without them. With a
segmentation that knows the ground (a network's), the classical estimator builds the depth
from what things are (semantic_depth.py), and a network's depth keeps the semantic facts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from ..errors import PlanError
from .cues import Cues, compute_cues
from .face_relief import face_relief
from .faces import head_zone
from .imaging import edge_guide, refine
from .models import MODELS, model_path
from .semantic_depth import knows_ground, pop_up_depth

DEFAULT_MODEL_NAME = MODELS["depth"].file


class DepthProvider(Protocol):
    name: str
    spec: str

    def estimate(self, rgb: np.ndarray, cues: Cues | None = None, segmentation=None) -> np.ndarray: ...


class ClassicalDepth:
    """Depth from cues: sky is farthest, the ground rises toward the viewer below the horizon,
    smooth backdrops sit far back, and the subject (with faces and bodies) stands in front of
    whatever surrounds it. Edges are snapped to the photo's edges with a guided filter."""

    name = "classical"
    spec = "classical"

    def estimate(self, rgb: np.ndarray, cues: Cues | None = None, segmentation=None) -> np.ndarray:
        if cues is None:
            cues = compute_cues(rgb)
        if segmentation is not None and knows_ground(segmentation):
            depth = pop_up_depth(rgb, segmentation, cues)
        else:
            depth = classical_depth(rgb, cues)
        return with_face_relief(depth, cues.people)


def with_face_relief(depth: np.ndarray, faces) -> np.ndarray:
    """depth with a rounded relief over each face (face_relief.py), scaled back to a nearest of
    1; depth itself, untouched, when there are no faces. Only the classical estimates get this:
    a neural model's depth already shows a face's relief."""
    if not faces:
        return depth
    raised = depth + face_relief(faces, depth.shape, depth)
    return (raised / max(float(raised.max()), 1e-6)).astype(np.float32)


def ground_profile(h: int, horizon: float, far: float, near: float) -> np.ndarray:
    """Nearness per row for a ground plane seen from eye level.

    On a flat ground, inverse depth is proportional to the distance below the horizon, so
    nearness rises linearly from the horizon to the bottom row; above the horizon (upright
    things: trees, walls, hills) it keeps the horizon's value, easing a little farther up.
    """
    ys = np.arange(h, dtype=np.float32) / max(h - 1, 1)
    below = np.clip((ys - horizon) / max(1e-3, 1.0 - horizon), 0.0, 1.0)
    above = np.clip((horizon - ys) / max(1e-3, horizon), 0.0, 1.0)
    return (far + (near - far) * below - 0.35 * far * above).astype(np.float32)


def classical_depth(rgb: np.ndarray, cues: Cues) -> np.ndarray:
    h, w = rgb.shape[:2]
    subject_area = float(cues.subject.mean())
    big_faces = any(f.box[2] * f.box[3] > 0.02 for f in cues.people)
    if cues.has_sky:
        # Outdoors: a long ground plane up to the horizon. Things at the horizon (hills, clouds the
        # sky mask missed) are nearly as far as the sky: a bigger step would tear them off it.
        far, near = 0.06, 1.0
    elif big_faces or subject_area > 0.2 or cues.backdrop.mean() > 0.25:
        far, near = 0.2, 0.34  # portrait or studio: the background is one flat-ish wall
    else:
        far, near = 0.3, 0.85  # street, room, still life: a shorter, gentler ground
    depth = np.repeat(ground_profile(h, cues.horizon, far, near)[:, None], w, axis=1)

    # Smooth backdrops (studio walls, night sky) sit at the back, the sky at infinity.
    backdrop_level = 0.6 * far
    depth = depth * (1 - cues.backdrop) + backdrop_level * cues.backdrop
    depth *= 1.0 - cues.sky

    people = bool(cues.people) or (cues.people_mask is not None and bool((cues.people_mask > 0.5).any()))
    placed = _place_subject(depth, cues.subject, people=people)
    depth = refine(cues.snap if cues.snap is not None else edge_guide(rgb), placed)
    if cues.people_mask is not None and cues.people:
        # Round a person's head the filter laces the depth along strands of hair, sinks the
        # outline into the ears and raises a halo beyond it; a moving camera then leaves strands
        # and the rims of ears on the background. The segmenter's people are snapped to the
        # photo already: there the person keeps the depth as placed, and the ring round them
        # only what the filter lowers (a hat's brim the classical subject holds beyond the
        # person keeps its filtered edge, as do shoulders and what the person holds, lower down).
        heads = _heads_and_ring(cues.people_mask, cues.people)
        person = np.clip(cues.people_mask, 0.0, 1.0)
        kept = placed * person + np.minimum(depth, placed) * (1.0 - person)
        depth = depth + (kept - depth) * heads
    depth *= 1.0 - cues.sky  # refinement must not lift the sky off zero
    top = float(depth.max())
    return (depth / top if top > 1e-6 else depth).astype(np.float32)


def _heads_and_ring(people_mask: np.ndarray, faces) -> np.ndarray:
    """The people, and a ring 1 % of the long side wide round them, where their heads are (each
    face's box, its width either side, its height above, down to just below the chin: hair and
    ears, not the shoulders), feathered (0..1)."""
    h, w = people_mask.shape
    reach = max(1, round(0.01 * max(h, w)))
    heads = head_zone(faces, (w, h), below=1.1).astype(np.float32)
    ring = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)
    around = cv2.dilate(np.clip(people_mask, 0.0, 1.0).astype(np.float32), ring) * heads
    return cv2.GaussianBlur(around, (0, 0), reach / 2)


def _place_subject(depth: np.ndarray, subject: np.ndarray, people: bool) -> np.ndarray:
    """Stand each part of the subject on the ground where its foot is, clearly in front of its
    surroundings, with a gentle rounded bulge (a flat cut-out looks like cardboard).

    People stand upright: one level per part. Other objects may lie on the ground (a cup on a
    table, wagons on a plain), so they keep half of the ground's slope under them and get a
    smaller step: a big false step would tear a continuous surface when the camera moves.
    """
    margin = 0.22 if people else 0.12
    hard = (subject > 0.5).astype(np.uint8)
    if not hard.any():
        return depth
    h, w = depth.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(hard, connectivity=8)
    level = np.zeros((h, w), np.float32)
    ring_kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * (max(h, w) // 40) + 1,) * 2)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if area < 0.002 * h * w:
            continue
        part = labels == i
        foot_row = min(h - 1, y + bh - 1)
        foot = float(np.median(depth[foot_row, x : x + bw]))
        ring = cv2.dilate(part.astype(np.uint8), ring_kernel).astype(bool) & ~part & (subject < 0.2)
        surround = float(np.percentile(depth[ring], 75)) if ring.any() else foot
        level[part] = min(1.0, max(foot, surround + margin))
    # Spread each part's level into its soft edge, then bulge the middle forward a little.
    grown = cv2.dilate(level, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    dist = cv2.distanceTransform(hard, cv2.DIST_L2, 5)
    bulge = np.sqrt(dist / (float(dist.max()) + 1e-6)) * 0.08
    if not people:
        grown = 0.5 * grown + 0.5 * np.minimum(1.0, depth + margin)
    subject_depth = np.minimum(1.0, grown + bulge)
    return depth * (1 - subject) + subject_depth * subject


def default_model_path() -> Path:
    """Where a Depth Anything V2 Small ONNX file is looked for: $STILLMOTION_MODEL_DIR, else
    ~/.cache/stillmotion/models."""
    return model_path("depth")


def _onnxruntime_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


def get_provider(spec: str | os.PathLike = "auto") -> DepthProvider:
    """A depth provider from a spec: "auto", "classical", "onnx" (the model cache) or a path.

    "auto" uses Depth Anything from the model cache when the file and onnxruntime are both
    there, and the classical estimator otherwise.
    """
    text = os.fspath(spec).strip()
    if text in ("", "auto"):
        path = default_model_path()
        if path.is_file() and _onnxruntime_available():
            from .onnx_depth import OnnxDepth

            return OnnxDepth(path, spec="onnx")
        return ClassicalDepth()
    if text == "classical":
        return ClassicalDepth()
    if text in ("onnx", "neural", "depth-anything"):
        from .onnx_depth import OnnxDepth

        return OnnxDepth(default_model_path(), spec="onnx")
    if text.lower().endswith(".onnx") or os.sep in text or "/" in text or Path(text).exists():
        from .onnx_depth import OnnxDepth

        return OnnxDepth(Path(text).expanduser())
    raise PlanError(f"depth: unknown provider {text!r}; use 'auto', 'classical', 'onnx' or a path to a .onnx file")
