"""Classical image cues for depth: sky, horizon, subject, focus, and edge-aware refinement.

Every function takes an RGB uint8 image (the analysis copy, at most 768 px on the long side)
and returns float32 maps in 0..1 at that size. Expensive steps (GrabCut, saliency) run on a
smaller copy; the guided filter then snaps their edges to the full-size image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .types import Face

WORK_LONG_SIDE = 256  # size for the slow cues; masks are refined back to full size


@dataclass
class Cues:
    """What the classical cues found in one image (all maps H x W float32 in 0..1)."""

    sky: np.ndarray  # soft sky mask
    backdrop: np.ndarray  # smooth far background connected to the top that is not sky (studio walls, night)
    subject: np.ndarray  # soft mask of the main subject
    horizon: float  # horizon row as a fraction of the height (0 = top)
    has_sky: bool
    faces: list[Face] = field(default_factory=list)  # every face found (Analysis.faces)
    people: list[Face] = field(default_factory=list)  # the confident ones that shape subject and depth
    guide: np.ndarray | None = None  # H x W x 3 float32 edge guide (texture smoothed)
    snap: "GuidedFilter | None" = None  # the guided filter on that guide, ready to refine maps


# ----------------------------------------------------------------------------- basics


def resize_long(image: np.ndarray, long_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def resize_to(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    if image.shape[:2] == (h, w):
        return image
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)


def is_grayscale(rgb: np.ndarray) -> bool:
    """True for black-and-white and sepia photos (tiny chroma everywhere)."""
    small = resize_long(rgb, 128).astype(np.int16)
    chroma = np.max(small, axis=2) - np.min(small, axis=2)
    return float(np.percentile(chroma, 95)) < 28


def edge_guide(rgb: np.ndarray) -> np.ndarray:
    """The image with fine texture smoothed away but object edges kept: the guide for refinement.

    A plain image as guide copies grass and fabric texture into the depth (wobbly surfaces
    when the camera moves); a bilateral pass removes that texture first.
    """
    smooth = cv2.bilateralFilter(rgb, d=7, sigmaColor=40, sigmaSpace=5)
    return smooth.astype(np.float32) / 255.0


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), normalize=True, borderType=cv2.BORDER_REFLECT)


class GuidedFilter:
    """Colour guided filter (He, Sun, Tang), the fast variant: coefficients on a subsampled grid.

    The output follows src where the guide is flat and takes its edges from the guide, so a
    blurry or blocky map gets sharp boundaries exactly on the object silhouettes. Everything
    that depends only on the guide (its local means and inverse covariances) is computed once
    here, so filtering several maps with one guide costs little more than one.
    guide: H x W x 3 float32 in 0..1.
    """

    def __init__(self, guide: np.ndarray, radius: int, eps: float, subsample: int = 2):
        self.guide = guide
        self.shape = h, w = guide.shape[:2]
        self.s = s = max(1, min(subsample, h // 2, w // 2))
        self.small = (max(1, w // s), max(1, h // s))
        self.I = I = cv2.resize(guide, self.small, interpolation=cv2.INTER_AREA) if s > 1 else guide
        self.r = r = max(1, radius // s)
        self.mean_I = mean_I = _box(I, r)
        Ir, Ig, Ib = I[..., 0], I[..., 1], I[..., 2]
        mr, mg, mb = mean_I[..., 0], mean_I[..., 1], mean_I[..., 2]
        # The 6 distinct entries of each pixel's 3x3 colour covariance, plus eps on the diagonal.
        rr = _box(Ir * Ir, r) - mr * mr + eps
        rg = _box(Ir * Ig, r) - mr * mg
        rb = _box(Ir * Ib, r) - mr * mb
        gg = _box(Ig * Ig, r) - mg * mg + eps
        gb = _box(Ig * Ib, r) - mg * mb
        bb = _box(Ib * Ib, r) - mb * mb + eps
        # Closed-form inverse of each symmetric 3x3 matrix (adjugate / determinant), vectorised;
        # stored as its 6 distinct entries rr, rg, rb, gg, gb, bb.
        inv = np.stack([gg * bb - gb * gb, gb * rb - rg * bb, rg * gb - gg * rb,
                        rr * bb - rb * rb, rb * rg - rr * gb, rr * gg - rg * rg], axis=-1)
        det = rr * inv[..., 0] + rg * inv[..., 1] + rb * inv[..., 2]
        self.inv = (inv / np.where(np.abs(det) < 1e-12, 1e-12, det)[..., None]).astype(np.float32)

    def __call__(self, src: np.ndarray) -> np.ndarray:
        h, w = self.shape
        s, r, I, mean_I, inv = self.s, self.r, self.I, self.mean_I, self.inv
        p = cv2.resize(src, self.small, interpolation=cv2.INTER_AREA) if s > 1 else src
        mean_p = _box(p, r)
        cov = _box(I * p[..., None], r) - mean_I * mean_p[..., None]
        cr, cg, cb = cov[..., 0], cov[..., 1], cov[..., 2]
        a = np.empty_like(cov)
        a[..., 0] = inv[..., 0] * cr + inv[..., 1] * cg + inv[..., 2] * cb
        a[..., 1] = inv[..., 1] * cr + inv[..., 3] * cg + inv[..., 4] * cb
        a[..., 2] = inv[..., 2] * cr + inv[..., 4] * cg + inv[..., 5] * cb
        b = mean_p - np.sum(a * mean_I, axis=2)
        mean_a, mean_b = _box(a, r), _box(b, r)
        if s > 1:
            mean_a = cv2.resize(mean_a, (w, h), interpolation=cv2.INTER_LINEAR)
            mean_b = cv2.resize(mean_b, (w, h), interpolation=cv2.INTER_LINEAR)
        return (np.sum(mean_a * self.guide, axis=2) + mean_b).astype(np.float32)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 2) -> np.ndarray:
    """One-off guided filter of src (H x W float32) with guide (H x W x 3 float32 in 0..1)."""
    return GuidedFilter(guide, radius, eps, subsample)(src.astype(np.float32))


def refiner(guide: np.ndarray, eps: float = 2e-3) -> GuidedFilter:
    """The guided filter that snaps maps to the photo's edges (window about 2 % of the size)."""
    return GuidedFilter(guide, max(2, round(max(guide.shape[:2]) / 96)), eps)


def refine(guide: np.ndarray | GuidedFilter, src: np.ndarray) -> np.ndarray:
    """Snap a map's edges to the image edges (guide: an edge guide or a prepared GuidedFilter)
    and clip it back to 0..1."""
    if not src.any():
        return np.zeros(src.shape, np.float32)  # nothing to snap (no sky, no subject)
    snap = guide if isinstance(guide, GuidedFilter) else refiner(guide)
    return np.clip(snap(src.astype(np.float32)), 0.0, 1.0)


def crisp(mask: np.ndarray, lo: float = 0.25, hi: float = 0.75) -> np.ndarray:
    """Steepen a refined soft mask around 0.5 (smoothstep): the guided filter puts the edge in
    the right place but leaves a little halo; a depth step must be a step, not a ramp."""
    t = np.clip((mask - lo) / (hi - lo), 0.0, 1.0)
    return (t * t * (3 - 2 * t)).astype(np.float32)


# ----------------------------------------------------------------------------- single cues


def gradient_energy(gray: np.ndarray, blur: float) -> np.ndarray:
    """Local gradient magnitude (0..~1), averaged over a Gaussian window: texture and sharpness."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy) / 4.0
    return cv2.GaussianBlur(mag, (0, 0), blur)


def colour_edges(rgb: np.ndarray) -> np.ndarray:
    """Edge strength as the strongest of the three channels' gradients (a red object on green
    leaves can have the same brightness, and a grey gradient would miss its outline)."""
    img = rgb.astype(np.float32) / 255.0
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.GaussianBlur(np.sqrt(gx * gx + gy * gy).max(axis=2), (0, 0), 0.7)


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


def _top_connected(candidate: np.ndarray, top_rows: int) -> np.ndarray:
    """The parts of a binary mask whose connected component touches the top rows."""
    count, labels = cv2.connectedComponents(candidate.astype(np.uint8), connectivity=4)
    if count <= 1:
        return np.zeros(candidate.shape, bool)
    touching = np.unique(labels[:top_rows][candidate[:top_rows]])
    touching = touching[touching > 0]
    return np.isin(labels, touching)


def sky_candidates(rgb: np.ndarray, gray_photo: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (sky-like, backdrop-like) booleans at the image's size (use a small copy).

    Sky: smooth, bright for the photo, blue or grey/white (any tone in black-and-white photos,
    deep blue at dusk). Backdrop: any very smooth area (studio walls, a black night sky).
    """
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hue, sat, val = hsv[..., 0] * 2.0, hsv[..., 1] / 255.0, hsv[..., 2] / 255.0
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    texture = gradient_energy(gray, blur=1.5)
    very_smooth = texture < 0.015
    bright_rank = val >= min(0.55, float(np.percentile(val, 60)))
    if gray_photo:
        # Black-and-white skies are any grey (red filters make them dark): smoothness decides.
        return (val > 0.2) & (texture < 0.04), very_smooth
    # Clouds have soft internal shading, so pale pixels may be more textured than blue ones.
    blue = (hue >= 180) & (hue <= 255) & (sat > 0.12) & (val > 0.15) & (texture < 0.05)
    pale = (sat < 0.3) & (val > 0.55) & bright_rank & (texture < 0.07)  # white and grey clouds, haze
    warm_glow = (sat < 0.6) & (val > 0.7) & bright_rank & (texture < 0.04)  # sunset sky near the sun
    return blue | pale | warm_glow, very_smooth


def _mostly_blue(rgb: np.ndarray, mask: np.ndarray, gray_photo: bool) -> bool:
    """Whether most of a region is sky blue (a grey or white wall behind a portrait is not)."""
    if gray_photo or not mask.any():
        return False
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[mask]
    hue, sat = hsv[:, 0].astype(np.float32) * 2.0, hsv[:, 1] / 255.0
    return float(((hue >= 180) & (hue <= 255) & (sat > 0.12)).mean()) > 0.5


def find_sky(rgb: np.ndarray, gray_photo: bool, portrait: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Sky and backdrop as binary masks at rgb's size (call on the small working copy).

    portrait: a large face is in the photo; then a grey smooth area behind it is a backdrop.
    """
    h, w = rgb.shape[:2]
    top_rows = max(2, h // 30)
    sky_like, backdrop_like = sky_candidates(rgb, gray_photo)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    sky_like = cv2.morphologyEx(sky_like.astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    sky = _top_connected(sky_like, top_rows)
    backdrop = _top_connected(backdrop_like, top_rows) & ~sky

    # A sky ends at a horizon; a smooth area that runs down both sides to the bottom of the
    # frame is a wall or studio backdrop behind a subject, not sky.
    bottom = sky[int(h * 0.94):]
    if sky.mean() > 0 and (bottom.mean() > 0.15 or (portrait and not _mostly_blue(rgb, sky, gray_photo))):
        backdrop |= sky
        sky = np.zeros_like(sky)
    # Ignore specks: a real sky is a sizeable part of the top of the photo.
    if sky.mean() < 0.01 or sky[:top_rows].mean() < 0.1:
        sky = np.zeros_like(sky)
    # A black, featureless top (night, space) is sky too, unless it is a portrait's backdrop.
    if not sky.any() and not portrait and backdrop.any():
        val = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 2][backdrop]
        if float(val.mean()) < 30 and backdrop[int(h * 0.8):].mean() < 0.15:
            sky, backdrop = backdrop, np.zeros_like(backdrop)
    if backdrop.mean() < 0.03:
        backdrop = np.zeros_like(backdrop)
    # Fill small holes (birds, wires, specks of cloud texture) inside the sky.
    if sky.any():
        filled = cv2.morphologyEx(sky.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
        sky = filled.astype(bool)
    return sky, backdrop


def estimate_horizon(sky: np.ndarray, default: float = 0.45) -> float:
    """Horizon row (fraction of height): just below most of the sky, or a default at eye level."""
    h, w = sky.shape
    cols = sky.any(axis=0)
    if cols.mean() < 0.3:
        return default
    lowest = h - 1 - np.argmax(sky[::-1, cols], axis=0)  # lowest sky row per column with sky
    return float(np.clip(np.percentile(lowest, 70) / h + 0.02, 0.15, 0.8))


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


# ----------------------------------------------------------------------------- all together


def detect_faces_safely(rgb: np.ndarray) -> list[Face]:
    """Faces from analysis.faces when it (and its detector) is installed, else none."""
    try:
        from .faces import detect_faces
    except ImportError:
        return []
    try:
        return list(detect_faces(rgb))
    except (ImportError, RuntimeError, AttributeError, OSError, ValueError):
        return []  # a broken optional face detector must not stop the analysis


def trusted_faces(faces: list[Face]) -> list[Face]:
    """Faces confident enough to pull a body into the subject (a false face on a facade or a
    shelf would otherwise make a whole wall jump forward). Small faces need a higher score:
    the false detections seen on the shared photos were small and scored 0.79-0.81."""
    return [f for f in faces if f.score >= (0.75 if f.box[2] * f.box[3] >= 0.01 else 0.82)]


def compute_cues(rgb: np.ndarray, faces: list[Face] | None = None) -> Cues:
    """All classical cues for an RGB uint8 image, as maps at its size."""
    h, w = rgb.shape[:2]
    if faces is None:
        faces = detect_faces_safely(rgb)
    people = trusted_faces(faces)
    gray_photo = is_grayscale(rgb)
    small = resize_long(rgb, WORK_LONG_SIDE)
    portrait = any(f.box[2] * f.box[3] > 0.01 for f in people)
    sky_s, backdrop_s = find_sky(small, gray_photo, portrait)
    horizon = estimate_horizon(sky_s)
    subject_s = subject_mask(small, sky_s, backdrop_s, people, horizon)

    guide = edge_guide(rgb)
    snap = refiner(guide)
    sky = crisp(refine(snap, resize_to(sky_s.astype(np.float32), (h, w))))
    backdrop = crisp(refine(snap, resize_to(backdrop_s.astype(np.float32), (h, w))))
    subject = crisp(refine(snap, resize_to(subject_s, (h, w))))
    subject *= 1.0 - sky
    return Cues(
        sky=sky, backdrop=backdrop, subject=subject, horizon=horizon, has_sky=bool(sky_s.any()),
        faces=faces, people=people, guide=guide, snap=snap,
    )
