"""Segmentation from a network: DeepLabV3 MobileNetV2 trained on ADE20K, as a TFLite file.

The file (deeplabv3_mnv2_ade20k.tflite: 513 x 513 x 3 float input in [-1, 1], 151 logits per
pixel, 0 = other) is read from a path or the model folder, never downloaded here, and run with
ai-edge-litert (pip install 'stillmotion[segment]'). The net runs once per photo at 513 x 513;
its labels are gathered into the project's classes (labels.py), brought back to the photo's
size and snapped to the photo's edges with the cues' guided filter.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import cv2
import numpy as np

from ..errors import ModelNotFound, StillmotionError, missing
from .imaging import crisp, edge_guide, refine, refiner
from .labels import ADE20K_GROUPS, SCENE_CLASSES
from .types import Segmentation

INPUT_SIDE = 513
LABELS = 151  # ADE20K's 150 classes and "other"

_lock = threading.Lock()  # one interpreter per file, shared; TFLite interpreters are not thread-safe
_interpreters: dict[str, object] = {}


def class_of_label() -> np.ndarray:
    """For each of the 151 labels, the index of its scene class in SCENE_CLASSES, or -1 (other)."""
    table = np.full(LABELS, -1, np.int16)
    for index, name in enumerate(SCENE_CLASSES):
        table[list(ADE20K_GROUPS[name])] = index
    return table


class DeeplabSegmentation:
    """DeepLabV3 ADE20K through ai-edge-litert; masks per scene class at the input's size."""

    def __init__(self, path: str | Path, spec: str | None = None):
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelNotFound(f"segmentation model not found: {self.path} (fetch it with the models pull command, "
                                "or use the classical segmentation)")
        stat = self.path.stat()
        ident = f"{self.path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
        # The cache key names the model: another file (or a changed one) is another analysis.
        self.name = "deeplab-" + hashlib.sha256(ident.encode()).hexdigest()[:12]
        self.spec = spec or str(self.path)
        self._table = class_of_label()

    def _interpreter(self):
        key = str(self.path.resolve())
        if key not in _interpreters:
            try:
                from ai_edge_litert.interpreter import Interpreter
            except ImportError:
                raise missing("ai-edge-litert", extra="segment", needed_for="the segmentation model "
                              "(or use the classical segmentation)") from None
            try:
                interpreter = Interpreter(model_path=key, num_threads=max(1, min(4, os.cpu_count() or 1)))
                interpreter.allocate_tensors()
            except (ValueError, RuntimeError) as exc:
                raise StillmotionError(f"{self.path}: not a usable TFLite segmentation model ({exc.__class__.__name__})") from None
            detail = interpreter.get_input_details()[0]
            out = interpreter.get_output_details()[0]
            if tuple(detail["shape"][1:]) != (INPUT_SIDE, INPUT_SIDE, 3) or out["shape"][-1] != LABELS:
                raise StillmotionError(f"{self.path}: not a DeepLabV3 ADE20K model (input {tuple(detail['shape'])}, "
                                       f"output {tuple(out['shape'])}; expected 1x513x513x3 and 151 labels)")
            _interpreters[key] = interpreter
        return _interpreters[key]

    def labels(self, rgb: np.ndarray) -> np.ndarray:
        """The net's label per pixel (0..150) at 513 x 513, for an RGB uint8 image of any size."""
        x = cv2.resize(rgb, (INPUT_SIDE, INPUT_SIDE), interpolation=cv2.INTER_AREA).astype(np.float32)
        x = x / 127.5 - 1.0
        with _lock:
            interpreter = self._interpreter()
            interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x[None])
            interpreter.invoke()
            logits = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]
            return logits.argmax(axis=-1).astype(np.uint8)

    def segment(self, rgb: np.ndarray, cues=None) -> Segmentation:
        h, w = rgb.shape[:2]
        classes = self._table[self.labels(rgb)]
        snap = cues.snap if cues is not None and cues.snap is not None else refiner(edge_guide(rgb))
        masks = {}
        for index, name in enumerate(SCENE_CLASSES):
            hard = (classes == index).astype(np.float32)
            if not hard.any():
                masks[name] = np.zeros((h, w), np.float32)
                continue
            # Back to the photo's size smoothly, then onto its edges: the net's 513-px grid is coarse.
            soft = cv2.resize(hard, (w, h), interpolation=cv2.INTER_LINEAR)
            masks[name] = crisp(refine(snap, soft))
        return Segmentation(masks=masks, source="deeplab")
