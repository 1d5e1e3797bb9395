"""Neural depth: Depth Anything V2 (Small, Apache-2.0) as an ONNX file, run with onnxruntime.

Nothing is downloaded: the model is read from a path the user gives, or from the model cache
($STILLMOTION_MODEL_DIR, else ~/.cache/stillmotion/models/depth_anything_v2_vits.onnx).
Install the runtime with: pip install 'stillmotion[depth]'.
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from ..errors import ModelNotFound, StillmotionError, missing
from .cues import Cues
from .imaging import edge_guide, refine
from .semantic_depth import constrain

PATCH = 14  # the ViT patch size: input sides must be multiples of it
INPUT_SIDE = 518  # Depth Anything's training size (short side, as its own preprocessing does)
MEAN = np.array([0.485, 0.456, 0.406], np.float32)  # ImageNet normalisation
STD = np.array([0.229, 0.224, 0.225], np.float32)


class OnnxDepth:
    """Depth Anything V2 through onnxruntime; output is nearness 0..1 at the input size, with
    its edges snapped to the photo like the classical estimator's."""

    def __init__(self, path: str | Path, input_side: int = INPUT_SIDE, spec: str | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelNotFound(
                f"depth model not found: {self.path} (put a Depth Anything V2 ONNX file there, "
                "or use the classical depth)"
            )
        self.input_side = input_side
        self.name = "onnx-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", self.path.stem)
        self.spec = spec or str(self.path)  # what a plan records: "onnx" (the model folder's file) or the path
        self._session = None

    def _load(self):
        if self._session is None:
            try:
                import onnxruntime as ort
            except ImportError:
                raise missing("onnxruntime", extra="depth", needed_for="neural depth (or use the classical depth)") from None
            options = ort.SessionOptions()
            options.log_severity_level = 3
            try:
                self._session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # onnxruntime raises its own exception types for bad files
                raise StillmotionError(f"{self.path}: not a usable ONNX depth model ({exc.__class__.__name__})") from None
        return self._session

    def input_size(self, h: int, w: int) -> tuple[int, int]:
        """(height, width) for the network: fixed by the model, or the short side at
        input_side keeping the aspect ratio, both rounded to multiples of 14."""
        shape = self._load().get_inputs()[0].shape
        fixed_h, fixed_w = shape[2], shape[3]
        if isinstance(fixed_h, int) and isinstance(fixed_w, int) and fixed_h > 0 and fixed_w > 0:
            return fixed_h, fixed_w
        scale = self.input_side / min(h, w)
        return (max(PATCH, round(h * scale / PATCH) * PATCH), max(PATCH, round(w * scale / PATCH) * PATCH))

    def preprocess(self, rgb: np.ndarray) -> np.ndarray:
        """RGB uint8 H x W x 3 -> 1 x 3 x h x w float32, ImageNet-normalised (as Depth Anything)."""
        h, w = rgb.shape[:2]
        nh, nw = self.input_size(h, w)
        resized = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255.0
        normalised = (resized - MEAN) / STD
        return np.ascontiguousarray(normalised.transpose(2, 0, 1)[None])

    def infer(self, rgb: np.ndarray) -> np.ndarray:
        """The network's raw output (relative inverse depth), resized to rgb's size."""
        session = self._load()
        feed = {session.get_inputs()[0].name: self.preprocess(rgb)}
        out = np.asarray(session.run(None, feed)[0], dtype=np.float32)
        out = out.reshape(out.shape[-2], out.shape[-1])  # 1 x H x W or 1 x 1 x H x W
        h, w = rgb.shape[:2]
        return cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)

    def estimate(self, rgb: np.ndarray, cues: Cues | None = None, segmentation=None) -> np.ndarray:
        raw = self.infer(rgb)
        # Robust min-max: a few extreme pixels must not squash the rest of the range.
        lo, hi = np.percentile(raw, [0.5, 99.5])
        nearness = np.clip((raw - lo) / max(float(hi - lo), 1e-6), 0.0, 1.0).astype(np.float32)
        guide = cues.snap if cues is not None and cues.snap is not None else edge_guide(rgb)
        nearness = refine(guide, nearness).astype(np.float32)
        if segmentation is None or segmentation.source == "classical":
            # The network's own sky is better than the classical sky mask: it is left as it is.
            return nearness
        return constrain(nearness, segmentation, cues)  # a network's segmentation: sky farthest, people whole
