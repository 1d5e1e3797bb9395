"""The classical cues, together: sky, backdrop, horizon and subject, snapped to the photo's edges.

compute_cues takes an RGB uint8 image (the analysis copy, at most 768 px on the long side) and
returns its Cues: float32 maps in 0..1 at that size, plus the edge guide and its filter, which
the depth providers reuse. The slow steps (sky.py, subject.py: GrabCut, saliency) run on a
smaller copy; the guided filter (imaging.py) then snaps their edges to the full-size image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .faces import detect_faces_safely, trusted_faces
from .imaging import GuidedFilter, crisp, edge_guide, is_grayscale, pieces_holding, refine, refiner, resize_long, resize_to, without_frame
from .people import find_people
from .sky import estimate_horizon, find_sky
from .subject import subject_mask
from .types import Face

WORK_LONG_SIDE = 256  # size for the slow cues; masks are refined back to full size
EAR_CHROMA = 10.0  # an ear's chroma (Cr, Cb) lies this close to its face's
EAR_LIGHTNESS = 30.0  # in a photo without colour, an ear's lightness (Y) lies this close to its face's
EAR_SHARE = 0.5  # ...unless this share of the background beyond has that tone too (then it tells nothing)


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
    snap: GuidedFilter | None = None  # the guided filter on that guide, ready to refine maps
    people_mask: np.ndarray | None = None  # people from the person segmenter, faces or not (None: no segmenter)


def compute_cues(rgb: np.ndarray, faces: list[Face] | None = None) -> Cues:
    """All classical cues for an RGB uint8 image, as maps at its size. faces: those found in it
    (None: look for them here; the pipeline passes the ones it found)."""
    h, w = rgb.shape[:2]
    if faces is None:
        faces = detect_faces_safely(rgb)
    rgb = without_frame(rgb)  # a scan's frame line would cut the sky off the top edge
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
    # People are the subject wherever the person segmenter is sure of them, with faces or without.
    people_mask = find_people(rgb, people)
    if people_mask is not None and people_mask.any():
        people_mask = with_ears(crisp(refine(snap, people_mask)), rgb, people)
        subject = np.maximum(without_spills(subject, people_mask, people), people_mask)
    subject *= 1.0 - sky
    return Cues(
        sky=sky, backdrop=backdrop, subject=subject, horizon=horizon, has_sky=bool(sky_s.any()),
        faces=faces, people=people, guide=guide, snap=snap, people_mask=people_mask,
    )


def with_ears(people_mask: np.ndarray, rgb: np.ndarray, faces: list[Face]) -> np.ndarray:
    """The segmenter's people with their ears: it often leaves them out (they then stay on the
    background and a moving camera tears them off the head). Beside each face, at ear height,
    the pixels of the face's own skin tone that touch the person are the person's. The tone is
    its chroma (as YCrCb has it: light and shadow change the rest); a black-and-white or toned
    photo has none to tell by, so there it is the face's lightness. Where most of the background
    just beyond (as wide again, further out) has that tone too (a skin-coloured wall, a grey one
    as light as the face), it cannot tell an ear from the background, and that side stays as drawn."""
    h, w = people_mask.shape
    person = people_mask > 0.5
    if not faces or not person.any():
        return people_mask
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    tone, like = (ycrcb[..., :1], EAR_LIGHTNESS) if is_grayscale(rgb) else (ycrcb[..., 1:], EAR_CHROMA)
    ears = np.zeros((h, w), bool)
    for face in faces:
        x, y, fw, fh = (v * s for v, s in zip(face.box, (w, h, w, h)))
        middle = tone[int(y + 0.3 * fh):int(y + 0.7 * fh) + 1, int(x + 0.3 * fw):int(x + 0.7 * fw) + 1]
        if middle.size == 0:
            continue
        skin = np.median(middle.reshape(-1, tone.shape[2]), axis=0)
        y0, y1 = max(0, int(y + 0.2 * fh)), min(h, int(y + 0.85 * fh) + 1)
        for x0, x1, outward in ((x - 0.25 * fw, x + 0.15 * fw, -0.4 * fw), (x + 0.85 * fw, x + 1.25 * fw, 0.4 * fw)):
            beyond = slice(*np.clip([int(x0 + outward), int(x1 + outward) + 1], 0, w))  # clipped: a negative end would wrap
            background = ~person[y0:y1, beyond]
            if np.count_nonzero(_skin_toned(tone[y0:y1, beyond], skin, like) & background) > EAR_SHARE * np.count_nonzero(background):
                continue
            x0, x1 = max(0, int(x0)), min(w, int(x1) + 1)
            ears[y0:y1, x0:x1] |= _skin_toned(tone[y0:y1, x0:x1], skin, like)
    ears &= ~person
    touching = pieces_holding(ears, cv2.dilate(person.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    return np.maximum(people_mask, touching.astype(np.float32))


def _skin_toned(tone: np.ndarray, skin: np.ndarray, like: float) -> np.ndarray:
    return (np.abs(tone - skin) < like).all(axis=2)


def without_spills(subject: np.ndarray, people_mask: np.ndarray, faces: list[Face]) -> np.ndarray:
    """The classical subject less what its cut spilled round the people the segmenter found.

    The classical cut (GrabCut in a box round each face) often takes a piece of the background
    beside a person with them: the window beside a neck, a curtain by a shoulder, the satin under
    a chin. As the subject it stands out in the depth and the camera moves it with the person.
    Where the segmenter has drawn a person with a face, such a piece (touching them, and holding
    no face of its own) is the background's; a piece with a face is a person it missed (in a group,
    it finds the nearest few), and a piece apart from everyone is some other subject: both stay."""
    h, w = subject.shape
    face_centres = np.zeros((h, w), bool)
    for x, y, fw, fh in (face.box for face in faces):
        face_centres[min(h - 1, max(0, int((y + fh / 2) * h))), min(w - 1, max(0, int((x + fw / 2) * w)))] = True
    # Only round a person with a face: the segmenter also takes a lighthouse for one.
    faced = pieces_holding(people_mask > 0.5, face_centres)
    spill = (subject > 0.5) & (people_mask <= 0.5)
    if not spill.any() or not faced.any():
        return subject
    person = cv2.dilate(faced.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    # A piece that holds a face is a person of its own.
    spilled = pieces_holding(spill, person) & ~pieces_holding(spill, face_centres)
    return np.where(spilled, np.minimum(subject, people_mask), subject).astype(np.float32)
