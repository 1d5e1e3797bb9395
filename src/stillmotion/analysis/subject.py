"""Finding the main subject: saliency, focus and a centre prior seed GrabCut; faces add a body.

subject_mask works on the small working copy of the photo (cues.WORK_LONG_SIDE); cues.py snaps
the result to the photo's edges at analysis size.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import colour_edges
from .types import Face


def focus_map(gray: np.ndarray) -> np.ndarray:
    """Relative sharpness 0..1: high where fine detail is in focus, low on blurred background."""
    lap = np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3))
    energy = cv2.GaussianBlur(lap, (0, 0), max(2.0, gray.shape[1] / 40))
    hi = float(np.percentile(energy, 98)) + 1e-6
    return np.clip(energy / hi, 0.0, 1.0)


def spectral_residual_saliency(gray: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency (Hou and Zhang 2007) on a 64-px copy, resized back, 0..1."""
    h, w = gray.shape
    small = cv2.resize(gray, (64, 64), interpolation=cv2.INTER_AREA).astype(np.float32)
    spectrum = np.fft.fft2(small)
    log_amp = np.log(np.abs(spectrum) + 1e-8).astype(np.float32)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    phase = np.angle(spectrum)
    sal = np.abs(np.fft.ifft2(np.exp(residual + 1j * phase))) ** 2
    sal = cv2.GaussianBlur(sal.astype(np.float32), (0, 0), 2.5)
    sal = cv2.resize(sal, (w, h), interpolation=cv2.INTER_LINEAR)
    return sal / (float(sal.max()) + 1e-8)


def frequency_tuned_saliency(rgb: np.ndarray) -> np.ndarray:
    """Frequency-tuned saliency (Achanta et al. 2009): Lab distance from the mean colour, 0..1."""
    lab = cv2.cvtColor(cv2.GaussianBlur(rgb, (5, 5), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    sal = np.linalg.norm(lab - lab.reshape(-1, 3).mean(axis=0), axis=2)
    return sal / (float(sal.max()) + 1e-8)


def centre_prior(h: int, w: int, y0: float = 0.55) -> np.ndarray:
    """A wide Gaussian around the image centre (slightly low: subjects stand on the ground)."""
    ys = (np.arange(h, dtype=np.float32) / max(h - 1, 1) - y0) / 0.35
    xs = (np.arange(w, dtype=np.float32) / max(w - 1, 1) - 0.5) / 0.30
    return np.exp(-0.5 * (ys[:, None] ** 2 + xs[None, :] ** 2)).astype(np.float32)


def subject_mask(rgb: np.ndarray, sky: np.ndarray, backdrop: np.ndarray, faces: list[Face], horizon: float | None = None) -> np.ndarray:
    """Soft mask of the main subject at rgb's size (call on the small working copy).

    Saliency (spectral residual + frequency tuned), focus and a centre prior make seeds; faces
    add a head and a body below it; GrabCut cuts along the colour edges between them.
    """
    h, w = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    far = sky | backdrop
    sal = 0.45 * spectral_residual_saliency(gray) + 0.55 * frequency_tuned_saliency(rgb)
    sal = cv2.GaussianBlur(sal, (0, 0), 3)
    score = sal * (0.35 + 0.65 * centre_prior(h, w)) * (0.75 + 0.25 * focus_map(gray))
    score[far] = 0
    score /= float(score.max()) + 1e-8

    person = np.zeros((h, w), np.float32)
    zone = np.zeros((h, w), np.uint8)  # where a person's body can reach: below and beside the face
    for face in faces:
        x, y, fw, fh = face.box
        x0, x1 = int(x * w), int((x + fw) * w)
        y0, y1 = int(y * h), int((y + fh) * h)
        # shoulders and body: wider than the face, down to the bottom of the frame (probable);
        # the face and a neck-and-chest column under it (certain)
        bx0, bx1 = int((x - 0.5 * fw) * w), int((x + 1.5 * fw) * w)
        cv2.rectangle(person, (bx0, int((y + fh * 1.1) * h)), (bx1, h - 1), 0.6, -1)
        cv2.rectangle(person, (x0, y0), (x1, y1), 1.0, -1)
        # (at head height hair and hats but not a horizon strip behind the head; wider below)
        shoulders = int((y + 1.2 * fh) * h)
        cv2.rectangle(zone, (int((x - 0.9 * fw) * w), int((y - 1.5 * fh) * h)), (int((x + 1.9 * fw) * w), shoulders), 1, -1)
        cv2.rectangle(zone, (int((x - 2.0 * fw) * w), shoulders), (int((x + 3.0 * fw) * w), h - 1), 1, -1)
        cx0, cx1 = int((x + 0.15 * fw) * w), int((x + 0.85 * fw) * w)
        cv2.rectangle(person, (cx0, y1), (cx1, min(h - 1, int((y + 3.0 * fh) * h))), 1.0, -1)

    gc = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    # Tight seeds: GrabCut grows the subject from them; loose ones teach its colour model
    # the background's colours and the cut leaks.
    strong = np.percentile(score, 93)
    gc[score > np.percentile(score, 75)] = cv2.GC_PR_FGD
    gc[(score > strong) & (score > 0.5)] = cv2.GC_FGD
    if any(f.box[2] * f.box[3] > 0.01 for f in faces):
        # With people as large as in a portrait, they are the subject: only their body zones
        # can be cut out, and salient things around them (a chandelier, a flag) are not seeds.
        gc[gc == cv2.GC_FGD] = cv2.GC_PR_FGD
        gc[zone == 0] = cv2.GC_BGD
    gc[person >= 0.6] = cv2.GC_PR_FGD
    gc[person >= 1.0] = cv2.GC_FGD
    gc[far] = cv2.GC_BGD
    border = max(2, min(h, w) // 40)
    edge = np.zeros((h, w), bool)
    edge[:border] = True
    edge[:, :border] = True
    edge[:, -border:] = True
    gc[edge & (score < 0.4) & (person == 0)] = cv2.GC_BGD
    if not (gc == cv2.GC_FGD).any() and not (gc == cv2.GC_PR_FGD).any():
        return np.zeros((h, w), np.float32)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)  # GrabCut initialises its colour models with k-means: keep it deterministic
    try:
        cv2.grabCut(rgb, gc, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return np.clip(score, 0, 1)
    cut = ((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)).astype(np.uint8)
    edge_strength = colour_edges(rgb)
    cut = _keep_main_components(cut, score + person, edge_strength, horizon if sky.any() else None, person >= 1.0, zone.astype(bool))
    area = cut.mean()
    if area > 0.75 and faces:
        cut &= zone  # GrabCut took the room too: keep the people's part
    elif area < 0.01 or area > 0.75:
        if not faces:
            return np.zeros((h, w), np.float32)
        cut = (person >= 1.0).astype(np.uint8)
    return cv2.GaussianBlur(cut.astype(np.float32), (0, 0), 1.0)


def _keep_main_components(
    mask: np.ndarray, score: np.ndarray, edges: np.ndarray, horizon: float | None, faces: np.ndarray, zone: np.ndarray
) -> np.ndarray:
    """Keep the parts of a GrabCut result that look like things standing in the scene.

    Dropped: small weak islands; parts floating above the horizon (clouds, snowy peaks: an
    object stands on the ground); without faces, parts spanning the whole width (that is the
    ground or the scenery itself, not an object in front of it), very large parts, and parts
    whose outline does not follow strong image edges (a cut through foliage or facades: a
    false depth step there tears a continuous surface when the camera moves).
    """
    mean_edge = float(edges.mean()) + 1e-6
    ring = np.ones((3, 3), np.uint8)
    h, w = mask.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return mask
    sums = np.bincount(labels.ravel(), weights=score.ravel(), minlength=count)
    best = sums[1:].max()
    keep = []
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        has_faces = bool(faces[labels == i].any())
        if sums[i] < 0.25 * best or area < mask.size * 0.003:
            continue
        if horizon is not None and (y + bh) < horizon * h and sums[i] < best:
            continue
        if horizon is not None and (y + bh) < horizon * h and not has_faces:
            continue
        if not has_faces:
            if bw > 0.85 * w or area > 0.5 * h * w:
                continue
            outline = cv2.morphologyEx((labels == i).astype(np.uint8), cv2.MORPH_GRADIENT, ring).astype(bool)
            if float(edges[outline].mean()) < 2.5 * mean_edge:
                continue
        keep.append(i)
    kept = np.isin(labels, keep)
    # A part with a face is a person: trim what GrabCut let leak far sideways (a horizon strip).
    with_face = np.isin(labels, [i for i in keep if faces[labels == i].any()])
    return (kept & (~with_face | zone)).astype(np.uint8)
