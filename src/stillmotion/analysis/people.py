"""People, with faces or without: mediapipe 0.10.14's bundled selfie segmentation (offline).

The selfie model (256 x 256, a few milliseconds) marks people well when they are a real part of
the frame, but it also lights up on cups, barns and flowers at middling confidence. So a part
is kept only when the model is sure of most of it, or when a confident face sits in it.
Optional like the faces: without mediapipe, find_people() returns None.
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np

from ..errors import MissingDependency
from .faces import _lock, _mediapipe, _native_stderr_silenced
from .types import Face

WORK_SIDE = 384  # the model sees 256 x 256; a little more keeps the outline from blocking up
MIN_AREA = 0.01  # parts smaller than this share of the photo are not a person worth a depth step
SURE = 0.85  # a part with a face needs less: its lower quartile of confidence reaches this...
SURE_WITH_FACE = 0.55  # ...or this
_model = None


def _segmenter():
    global _model
    if _model is None:
        _mediapipe()  # the import, adapted to this protobuf
        from mediapipe.python.solutions import selfie_segmentation

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            _model = selfie_segmentation.SelfieSegmentation(model_selection=0)
    return _model


def person_probability(rgb: np.ndarray) -> np.ndarray | None:
    """The selfie model's person probability at rgb's size, or None without mediapipe."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = np.ascontiguousarray(cv2.resize(rgb, (max(1, round(w * scale)), max(1, round(h * scale))),
                                            interpolation=cv2.INTER_AREA) if scale < 1 else rgb)
    try:
        with _lock, _native_stderr_silenced():
            result = _segmenter().process(small).segmentation_mask
    except MissingDependency:
        return None
    except (RuntimeError, ValueError, AttributeError, OSError):
        return None  # a broken optional model must not stop the analysis
    if result is None:
        return None
    return cv2.resize(np.asarray(result, np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def find_people(rgb: np.ndarray, faces: list[Face]) -> np.ndarray | None:
    """Soft mask of the people in an RGB uint8 image (its size), or None without mediapipe."""
    probability = person_probability(rgb)
    if probability is None:
        return None
    h, w = probability.shape
    hard = (probability > 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(hard, connectivity=8)
    keep = np.zeros(count, bool)
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < MIN_AREA * h * w:
            continue
        part = labels == i
        sure = float(np.percentile(probability[part], 25))
        with_face = any(part[min(h - 1, int((f.box[1] + f.box[3] / 2) * h)), min(w - 1, int((f.box[0] + f.box[2] / 2) * w))]
                        for f in faces)
        keep[i] = sure >= (SURE_WITH_FACE if with_face else SURE)
    if not keep[1:].any():
        return np.zeros((h, w), np.float32)
    return (probability * keep[labels]).astype(np.float32)
