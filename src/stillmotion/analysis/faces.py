"""Faces: every face in a photo, with FaceMesh's 478 landmarks (eyelids, irises, lips, jaw, brows).

Detection uses MediaPipe 0.10.14's bundled models (offline): the full-range face detector on the
whole photo and on overlapping tiles (so that small faces in group photos are found), on the photo
as it is and contrast-normalised (CLAHE, for old, faded, grainy photos); then FaceMesh on a square
crop around each detected face, upscaled when the face is small.

mediapipe is optional: without it detect_faces() warns once and returns [].
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings

import cv2
import numpy as np

from ..errors import MissingDependency, PhotoError, missing
from .types import Face

# mediapipe's declared dependencies would pull jax and a second OpenCV: it goes in without them.
FACES_PIP = "pip install 'stillmotion[faces]' && pip install --no-deps mediapipe==0.10.14"

# Detection works on a copy of the photo with at most this long side (faces are found on tiles).
DETECT_LONG_SIDE = 1600
# FaceMesh runs on a square crop resized to this side (upscaled for small faces).
MESH_CROP = 384
MIN_SCORE = 0.5
# A face is kept when the mean of its detection score and the second opinion on its crop reaches
# this (measured on the shared portraits: real faces 0.68-0.95, hands and dark folds 0.31-0.63).
CONFIRM_SCORE = 0.65

_lock = threading.Lock()  # MediaPipe graphs are not thread-safe; the models are shared.
_models: dict[str, object] = {}
_warned = False


def _mediapipe():
    """Import mediapipe lazily (a clear message if missing), adapting it to newer protobuf."""
    os.environ.setdefault("GLOG_minloglevel", "2")  # silence MediaPipe's C++ INFO/WARNING lines
    try:
        from google.protobuf import message_factory, symbol_database

        # mediapipe 0.10.14 calls SymbolDatabase.GetPrototype, removed in protobuf 5; onnx needs
        # protobuf >= 6, so give the old name back instead of pinning protobuf < 5.
        for cls in (symbol_database.SymbolDatabase, message_factory.MessageFactory):
            if not hasattr(cls, "GetPrototype"):
                cls.GetPrototype = lambda self, descriptor: message_factory.GetMessageClass(descriptor)
        import mediapipe as mp
        from mediapipe.python.solutions import face_detection, face_mesh  # noqa: F401
    except ImportError as exc:
        raise missing("mediapipe 0.10.14", needed_for=f"face detection ({exc.name or exc})", pip=FACES_PIP) from None
    return mp


def _model(name: str):
    """The shared detector ("near", "far") or mesh ("mesh") instance, created on first use."""
    if name not in _models:
        mp = _mediapipe()
        with warnings.catch_warnings():  # protobuf 6 deprecates a call mediapipe makes while building
            warnings.simplefilter("ignore", DeprecationWarning)
            if name in ("near", "far"):  # short-range (faces filling the view) and full-range models
                _models[name] = mp.solutions.face_detection.FaceDetection(
                    model_selection=int(name == "far"), min_detection_confidence=MIN_SCORE
                )
            else:
                _models[name] = mp.solutions.face_mesh.FaceMesh(
                    static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.4
                )
    return _models[name]


def available() -> bool:
    """True when mediapipe can be imported (face detection works)."""
    try:
        _mediapipe()
    except MissingDependency:
        return False
    return True


def detect_faces(rgb: np.ndarray) -> list[Face]:
    """Every face in an RGB uint8 photo, largest first, in normalised photo coordinates.

    Landmarks are FaceMesh's 478 points (x, y normalised like the box; z in units of the photo's
    width, negative toward the camera). Faces FaceMesh cannot fit are left out: they could not
    be animated, and unconfirmed detections are mostly hands, folds and patterns.
    Returns [] (after one warning) when mediapipe is not installed.
    """
    global _warned
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise PhotoError(f"detect_faces needs an H x W x 3 uint8 RGB image, got {rgb.dtype} {rgb.shape}")
    try:
        _mediapipe()
    except MissingDependency as exc:
        if not _warned:
            warnings.warn(str(exc), stacklevel=2)
            _warned = True
        return []
    h, w = rgb.shape[:2]
    scale = min(1.0, DETECT_LONG_SIDE / max(h, w))
    image = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    image = np.ascontiguousarray(image)
    normalised = _contrast_normalised(image)
    with _lock, _native_stderr_silenced():
        boxes = _detect_all(image) + _detect_all(normalised)
        boxes = _suppress(boxes)
        faces = []
        for box, score in boxes:
            found = _mesh(image, box) or _mesh(normalised, box)
            if found is None:
                continue  # no mesh fits: a pattern, or a face too turned or blurred to animate
            landmarks, second = found
            if (score + second) / 2 < CONFIRM_SCORE:
                continue
            faces.append(_to_face(box, max(score, second), landmarks, image.shape))
    faces.sort(key=lambda f: f.box[2] * f.box[3], reverse=True)
    return faces


@contextlib.contextmanager
def _native_stderr_silenced():
    """MediaPipe's C++ side (TFLite, absl) prints INFO/WARNING lines straight to file descriptor 2,
    past Python and GLOG_minloglevel; users should see our one-line messages, not those."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no usable fd 2 (embedded hosts): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _contrast_normalised(rgb: np.ndarray) -> np.ndarray:
    """Local contrast equalised on lightness (CLAHE), slightly denoised: helps faded and grainy photos."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    lightness = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8)).apply(lab[..., 0])
    lab[..., 0] = cv2.bilateralFilter(lightness, 5, 20, 5)
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _detect_all(image: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Detections (box in pixels x0, y0, x1, y1; score) on the whole image and on overlapping tiles."""
    h, w = image.shape[:2]
    found = _detect(image, 0, 0, whole=True)
    short = min(h, w)
    # Tiles of 1/2 and 1/3 of the short side: the detector sees 192 x 192, so a face 1/20 of
    # the photo becomes large enough on a tile.
    for parts in (2, 3):
        side = short // parts
        if side < 160:
            break
        step = max(1, int(side * 0.7))
        for y in range(0, max(h - side, 0) + step, step):
            for x in range(0, max(w - side, 0) + step, step):
                y0, x0 = min(y, h - side), min(x, w - side)
                found += _detect(image[y0:y0 + side, x0:x0 + side], x0, y0)
    return found


def _detect(tile: np.ndarray, x0: int, y0: int, whole: bool = False) -> list[tuple[np.ndarray, float]]:
    tile = np.ascontiguousarray(tile)
    out = []
    th, tw = tile.shape[:2]
    detections = _model("near").process(tile).detections or []
    detections += _model("far").process(tile).detections or []
    for det in detections:
        rel = det.location_data.relative_bounding_box
        box = np.array([rel.xmin * tw + x0, rel.ymin * th + y0, (rel.xmin + rel.width) * tw + x0, (rel.ymin + rel.height) * th + y0])
        # A face cut by the tile edge is found whole on the full image or a neighbouring tile.
        inside = rel.xmin > -0.02 and rel.ymin > -0.02 and rel.xmin + rel.width < 1.02 and rel.ymin + rel.height < 1.02
        if inside or whole:
            out.append((box, float(det.score[0])))
    return out


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _suppress(boxes: list[tuple[np.ndarray, float]]) -> list[tuple[np.ndarray, float]]:
    """Non-maximum suppression; a box mostly inside a kept one (a face part seen on a tile) is dropped too."""
    kept: list[tuple[np.ndarray, float]] = []
    for box, score in sorted(boxes, key=lambda b: -b[1]):
        area = (box[2] - box[0]) * (box[3] - box[1])
        duplicate = False
        for other, _ in kept:
            ix = max(0.0, min(box[2], other[2]) - max(box[0], other[0]))
            iy = max(0.0, min(box[3], other[3]) - max(box[1], other[1]))
            if _iou(box, other) > 0.3 or ix * iy > 0.6 * area:
                duplicate = True
                break
        if not duplicate:
            kept.append((box, score))
    return kept


def _mesh(image: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, float] | None:
    """FaceMesh landmarks (478 x 3, image pixels; z in pixels) for the face in box, or None.

    Also returns the short-range detector's score on the same crop (0 when it sees no face
    there): a second opinion at a good scale that rejects hands and dark folds.
    """
    h, w = image.shape[:2]
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    side = 1.9 * max(box[2] - box[0], box[3] - box[1])
    x0, y0 = cx - side / 2, cy - side / 2
    # Affine crop (pads with edge pixels when the face is near the border) resized to MESH_CROP.
    s = MESH_CROP / side
    matrix = np.array([[s, 0, -x0 * s], [0, s, -y0 * s]], np.float32)
    crop = cv2.warpAffine(image, matrix, (MESH_CROP, MESH_CROP), flags=cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA,
                          borderMode=cv2.BORDER_REPLICATE)
    result = _model("mesh").process(crop)
    if not result.multi_face_landmarks:
        return None
    points = np.array([(p.x, p.y, p.z) for p in result.multi_face_landmarks[0].landmark], np.float64)
    points *= MESH_CROP / s  # crop-normalised -> image pixels (z is scaled like x)
    points[:, 0] += x0
    points[:, 1] += y0
    # The mesh must be the detected face, not a neighbour inside the same crop.
    mx0, my0 = points[:, :2].min(axis=0)
    mx1, my1 = points[:, :2].max(axis=0)
    if not (box[0] <= (mx0 + mx1) / 2 <= box[2] and box[1] <= (my0 + my1) / 2 <= box[3]):
        return None
    if not 0.5 < (mx1 - mx0) / (box[2] - box[0]) < 2.2:
        return None
    second = 0.0
    for det in _model("near").process(crop).detections or []:
        rel = det.location_data.relative_bounding_box
        if abs(rel.xmin + rel.width / 2 - 0.5) < 0.2 and abs(rel.ymin + rel.height / 2 - 0.5) < 0.2:
            second = max(second, float(det.score[0]))
    return points, second


def _to_face(box: np.ndarray, score: float, landmarks: np.ndarray | None, shape: tuple[int, ...]) -> Face:
    h, w = shape[:2]
    x0, y0 = max(0.0, box[0] / w), max(0.0, box[1] / h)
    x1, y1 = min(1.0, box[2] / w), min(1.0, box[3] / h)
    if landmarks is not None:
        landmarks = (landmarks / np.array([w, h, w])).astype(np.float32)
    return Face(box=(float(x0), float(y0), float(x1 - x0), float(y1 - y0)), score=float(score), landmarks=landmarks)


def detect_faces_safely(rgb: np.ndarray) -> list[Face]:
    """The faces for the analysis: detect_faces(), or none when the detector is missing or fails."""
    try:
        return list(detect_faces(rgb))
    except (ImportError, RuntimeError, AttributeError, OSError, ValueError):
        return []  # a broken optional face detector must not stop the analysis


def trusted_faces(faces: list[Face]) -> list[Face]:
    """Faces confident enough to pull a body into the subject (a false face on a facade or a
    shelf would otherwise make a whole wall jump forward). Small faces need a higher score:
    the false detections seen on the shared photos were small and scored 0.79-0.81."""
    return [f for f in faces if f.score >= (0.75 if f.box[2] * f.box[3] >= 0.01 else 0.82)]


def head_zone(faces: list[Face], size: tuple[int, int], below: float) -> np.ndarray:
    """1 where a head may be (uint8, size = (width, height)): round each face's box, its width
    either side and its height above, down to `below` face heights under the box's top."""
    width, height = size
    zone = np.zeros((height, width), np.uint8)
    for face in faces:
        x, y, w, h = face.box
        x0, x1 = max(0, round((x - w) * width)), min(width, round((x + 2 * w) * width))
        y0, y1 = max(0, round((y - h) * height)), min(height, round((y + below * h) * height))
        zone[y0:y1, x0:x1] = 1
    return zone
