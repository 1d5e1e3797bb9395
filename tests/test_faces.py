"""Face effects (blink, smile, breathe, head_turn) on faces the test draws, and face detection.

The warping tests use hand-made FaceMesh-style landmark arrays, so they run without mediapipe;
detection tests skip when mediapipe or the shared photos are missing.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from effect_scene import face_scene_parts
from stillmotion.analysis.types import Analysis
from stillmotion.canvas import CanvasMap
from stillmotion.effects.base import Scene
from stillmotion.effects.face.blink import Blink, gaze_plan
from stillmotion.effects.face.breathe import Breathe
from stillmotion.effects.face.geometry import EYES
from stillmotion.effects.face.head_turn import HeadTurn
from stillmotion.effects.face.smile import Smile
from stillmotion.effects.face.warps import LinearWarp, VerticalWarp
from stillmotion.effects.registry import effect_class, types_in
from stillmotion.plan import Effect, Plan

SHARED = Path(__file__).resolve().parents[2] / "shared" / "photos"


def make_scene(centres=((200, 200),), scale: float = 1.0, size=(400, 400), loop=True, duration=4.0, seed=0):
    """Faces the test draws (with their FaceMesh landmarks) on a textured backdrop."""
    rng = np.random.default_rng(1)
    w, h = size
    img = (rng.integers(90, 130, (h, w, 1)) * np.array([1.0, 1.05, 1.1])).astype(np.uint8)  # textured backdrop
    faces = face_scene_parts(img, centres, scale)
    img = np.clip(img.astype(np.int16) + rng.integers(-6, 7, img.shape), 0, 255).astype(np.uint8)  # skin texture
    plan = Plan(photo="synthetic.png", seed=seed, loop=loop, canvas={"duration": duration, "fps": 30})
    zeros = np.zeros((h, w), np.float32)
    analysis = Analysis(depth=zeros, subject=zeros, sky=zeros, faces=faces)
    return Scene(plan=plan, image=img, depth=zeros, analysis=analysis, faces=faces, canvas_map=CanvasMap.whole((w, h)))


def render(effect, scene, t):
    frame = scene.image.copy()
    effect.apply(frame, t, None)
    return frame


def changed(a, b):
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 0


def blink_peak(effect) -> float:
    start, duration = effect.parts[0].times[0]
    return start + 0.45 * duration  # inside the closed hold


def eye_box(scene, face_index=0, pad=4):
    lm = scene.faces[face_index].landmarks[:, :2] * np.array(scene.size)
    idx = [i for e in EYES for i in (e[0], e[1], *e[2], *e[3])]
    (x0, y0), (x1, y1) = lm[idx].min(0), lm[idx].max(0)
    return int(x0) - pad, int(y0) - pad, int(x1) + pad, int(y1) + pad


# --- blink -------------------------------------------------------------------------------------

def test_blink_closes_the_eyes_and_changes_little_else():
    scene = make_scene()
    blink = Blink(Effect(type="blink"), scene, 0)
    assert len(blink.parts) == 1
    frame = render(blink, scene, blink_peak(blink))
    diff = changed(frame, scene.image)
    assert diff.any()
    # Only the eye regions (lids and the skin above them) change.
    outside = diff.copy()
    for eye in blink.parts[0].eyes:
        x0, y0, x1, y1 = eye.roi
        outside[y0:y1, x0:x1] = False
    assert not outside.any()
    x0, y0, x1, y1 = eye_box(scene)
    assert diff[y0:y1, x0:x1].sum() > 0.5 * diff.sum()
    # The white of the eyes is covered by lid skin, not by a black bar.
    white_before = (scene.image[y0:y1, x0:x1].min(axis=2) > 225).sum()
    white_after = (frame[y0:y1, x0:x1].min(axis=2) > 225).sum()
    assert white_after < 0.25 * white_before
    dark_after = (frame[y0:y1, x0:x1].max(axis=2) < 60).sum()
    dark_before = (scene.image[y0:y1, x0:x1].max(axis=2) < 60).sum()
    assert dark_after <= dark_before * 1.2


def test_blink_timing_is_natural_and_inside_the_clip():
    scene = make_scene(duration=10.0)
    blink = Blink(Effect(type="blink"), scene, 0)
    times = blink.parts[0].times
    assert len(times) >= 2
    for start, duration in times:
        assert 0.15 - 1e-9 <= duration <= 0.3 + 1e-9
        assert 0 < start and start + duration < scene.duration
    gaps = np.diff([s for s, _ in times])
    assert len(set(np.round(gaps, 3))) == len(gaps)  # irregular


def test_face_is_the_photo_at_rest_points():
    scene = make_scene(duration=6.0)
    for index, (kind, cls) in enumerate((kind, effect_class(kind)) for kind in types_in("face")):
        effect = cls(Effect(type=kind), scene, index)
        assert effect.parts, kind
        assert np.array_equal(render(effect, scene, 0.0), scene.image), kind
        assert np.array_equal(render(effect, scene, scene.duration), scene.image), kind
    blink = Blink(Effect(type="blink"), scene, 0)
    first = blink.parts[0].times[0][0]
    assert np.array_equal(render(blink, scene, first - 0.01), scene.image)
    # At each breath's neutral point (periods divide the looping clip) the face is the photo again.
    breathe = Breathe(Effect(type="breathe"), make_scene(duration=10.0), 1)
    period = breathe.parts[0].period
    assert 3.0 <= period <= 5.0 and round(10.0 / period, 6).is_integer()
    assert np.array_equal(render(breathe, scene, period), scene.image)
    assert not np.array_equal(render(breathe, scene, period / 2), scene.image)


def test_loops_close():
    scene = make_scene(duration=5.0, loop=True)
    breathe = Breathe(Effect(type="breathe"), scene, 0)
    frame_count = scene.plan.canvas.frame_count
    last, first_next = (frame_count - 1) / scene.fps, frame_count / scene.fps
    # The frame after the last one is the first one again: the photo.
    assert np.array_equal(render(breathe, scene, first_next), scene.image)
    # and the last frame is close to it (one frame of slow breathing away).
    assert np.abs(render(breathe, scene, last).astype(int) - scene.image).mean() < 1.0


def test_group_faces_blink_independently_and_small_faces_stay_still():
    scene = make_scene(centres=((110, 200), (300, 200)), scale=0.5)
    blink = Blink(Effect(type="blink"), scene, 0)
    assert len(blink.parts) == 2
    assert blink.parts[0].times != blink.parts[1].times
    tiny = make_scene(centres=((200, 200),), scale=0.2)
    still = Blink(Effect(type="blink"), tiny, 0)
    assert not still.parts and still.skipped == [0]
    for t in np.linspace(0, tiny.duration, 40):
        assert np.array_equal(render(still, tiny, t), tiny.image)


def test_region_face_n_restricts_to_one_face():
    scene = make_scene(centres=((110, 200), (300, 200)), scale=0.5)
    blink = Blink(Effect(type="blink", region={"name": "face:1"}), scene, 0)
    assert len(blink.parts) == 1
    frame = render(blink, scene, blink_peak(blink))
    diff = changed(frame, scene.image)
    assert diff[:, 205:].any() and not diff[:, :205].any()


def test_no_faces_no_face_motion():
    scene = make_scene(centres=())
    for index, (kind, cls) in enumerate((kind, effect_class(kind)) for kind in types_in("face")):
        effect = cls(Effect(type=kind), scene, index)
        for t in np.linspace(0, scene.duration, 13):
            assert np.array_equal(render(effect, scene, t), scene.image), kind


# --- smile, breathe, head turn -----------------------------------------------------------------

def _dark_row(frame, x, y0, y1):
    """The mean row of the red (mouth) pixels in column x between y0 and y1."""
    column = frame[y0:y1, x].astype(int)
    rows = np.nonzero(column[:, 0] - column[:, 1] > 80)[0]
    assert len(rows)
    return y0 + float(rows.mean())


def test_smile_lifts_the_mouth_corners():
    scene = make_scene()
    smile = Smile(Effect(type="smile"), scene, 0)
    peak = render(smile, scene, scene.duration / 2)
    x = 176  # near the right mouth corner (61 at x = 170, y = 250)
    assert _dark_row(peak, x, 230, 275) < _dark_row(scene.image, x, 230, 275) - 2
    diff = changed(peak, scene.image)
    assert not diff[:150].any()  # eyes and forehead untouched


def test_breathe_raises_head_and_leaves_the_far_background():
    scene = make_scene(size=(400, 520), centres=((200, 200),))
    breathe = Breathe(Effect(type="breathe", strength=1.0), scene, 0)
    part = breathe.parts[0]
    peak = render(breathe, scene, part.period / 2)  # the top of the inhale
    mouth_before = _dark_row(scene.image, 200, 230, 275)
    mouth_after = _dark_row(peak, 200, 230, 275)
    assert mouth_after < mouth_before - 1  # the head rose
    x0, y0, x1, y1 = part.warp.roi
    outside = changed(peak, scene.image)
    outside[y0:y1, x0:x1] = False
    assert not outside.any()


def test_head_turn_moves_the_face_subtly():
    scene = make_scene()
    turn = HeadTurn(Effect(type="head_turn"), scene, 0)
    frame = render(turn, scene, scene.duration / 4)
    diff = np.abs(frame.astype(int) - scene.image).max(axis=2)
    assert diff[100:320, 100:300].max() > 30
    assert not diff[:, :20].any() and not diff[:, -20:].any()


# --- detection ---------------------------------------------------------------------------------

def _need_mediapipe():
    from stillmotion.analysis import faces

    if not faces.available():
        pytest.skip("mediapipe is not installed")


def _shared(name):
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared photo {name} not here")
    import cv2

    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def test_missing_mediapipe_warns_once_and_finds_nothing(monkeypatch):
    from stillmotion.analysis import faces
    from stillmotion.errors import MissingDependency

    def missing():
        raise MissingDependency(faces.FACES_PIP)

    monkeypatch.setattr(faces, "_mediapipe", missing)
    monkeypatch.setattr(faces, "_warned", False)
    image = np.zeros((32, 32, 3), np.uint8)
    with pytest.warns(UserWarning, match="mediapipe"):
        assert faces.detect_faces(image) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert faces.detect_faces(image) == []


def test_detect_faces_rejects_a_non_image():
    from stillmotion.analysis.faces import detect_faces
    from stillmotion.errors import PhotoError

    with pytest.raises(PhotoError, match="uint8"):
        detect_faces(np.zeros((8, 8), np.float32))


def test_detects_a_portrait_with_dense_landmarks():
    _need_mediapipe()
    from stillmotion.analysis.faces import detect_faces

    faces = detect_faces(_shared("fr_obama.jpg"))
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (478, 3)
    x, y, w, h = face.box
    inside = (face.landmarks[:, 0] > x - 0.1 * w) & (face.landmarks[:, 0] < x + 1.1 * w)
    assert inside.mean() > 0.95
    assert not detect_faces(_shared("kodak01_stone_house.png"))


@pytest.mark.slow
def test_detects_small_faces_in_an_old_group_photo():
    _need_mediapipe()
    from stillmotion.analysis.faces import detect_faces

    assert len(detect_faces(_shared("deoldify_1920sFamilyPhoto.jpg"))) >= 7


def test_blink_on_a_real_portrait_changes_only_the_eyes():
    _need_mediapipe()
    import cv2

    from stillmotion.analysis.faces import detect_faces

    photo = _shared("fr_obama.jpg")
    image = cv2.resize(photo, (photo.shape[1] // 2 * 2 // 2, photo.shape[0] // 2 * 2 // 2), interpolation=cv2.INTER_AREA)
    faces = detect_faces(photo)
    zeros = np.zeros(image.shape[:2], np.float32)
    scene = Scene(plan=Plan(photo="p.jpg", loop=True, canvas={"duration": 4.0}), image=image, depth=zeros,
                  analysis=Analysis(depth=zeros, subject=zeros, sky=zeros, faces=faces), faces=faces,
                  canvas_map=CanvasMap.whole((image.shape[1], image.shape[0])))
    blink = Blink(Effect(type="blink"), scene, 0)
    frame = render(blink, scene, blink_peak(blink))
    diff = changed(frame, image)
    assert diff.any()
    x0, y0, x1, y1 = eye_box(scene, pad=0)
    h = y1 - y0
    band = diff.copy()
    band[y0 - 2 * h:y1 + h, x0 - h:x1 + h] = False
    assert not band.any()  # nothing changes away from the eyes


def test_tiled_vertical_warp_matches_one_remap():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (300, 260, 3)).astype(np.uint8)
    yy, xx = np.mgrid[0:300, 0:260]
    weight = np.clip(2.5 - np.hypot(xx - 130, yy - 140) / 60, 0, 1).astype(np.float32)  # flat core, soft edge
    field = weight * 4.0
    tiled = VerticalWarp((0, 0, 260, 300), field, 300)
    assert tiled.shifts and tiled.remaps  # both paths are exercised
    single = LinearWarp((0, 0, 260, 300), [(None, field)])
    for c in (0.0, 0.37, 1.0):
        a, b = image.copy(), image.copy()
        tiled.apply(a, [c])
        single.apply(b, [c])
        # Noise is the worst case (neighbours differ by up to 255): a few levels of rounding apart.
        assert np.abs(a.astype(int) - b).max() <= 4
        assert np.abs(a.astype(int) - b).mean() < 0.25


def test_breathing_never_moves_a_neighbours_face():
    scene = make_scene(centres=((120, 200), (240, 200)), scale=0.5)
    breathe = Breathe(Effect(type="breathe", strength=1.0, region={"name": "face:0"}), scene, 0)
    frame = render(breathe, scene, breathe.parts[0].period / 2)
    diff = changed(frame, scene.image)
    assert diff[:, :150].any()
    x, y, w, h = scene.faces[1].box
    assert not diff[:, int(x * 400):].any()  # the neighbour's face and everything right of it stay


@pytest.mark.slow
def test_a_portrait_plan_renders_blinks_and_breath_through_the_renderer():
    _need_mediapipe()
    _shared("fr_obama.jpg")
    from stillmotion.api import iter_frames, make_plan

    plan = make_plan(str(SHARED / "fr_obama.jpg"), resolution=480, duration=2.0)
    assert {"blink", "breathe"} <= {e.type for e in plan.effects}  # the director's portrait default
    plan = plan.with_changes(camera={"type": "static", "strength": 0.0}, loop=True)
    frames = list(iter_frames(plan))
    first = frames[0].astype(np.int16)
    diffs = [np.abs(f.astype(np.int16) - first).max(axis=2) for f in frames]
    assert max(int(d.max()) for d in diffs) > 20  # something moved
    h = first.shape[0]
    assert max(int(d[int(0.9 * h):].max()) for d in diffs) <= 2  # the lower body and chair stay still


def test_gaze_glances_aside_during_a_blink_and_comes_back():
    rng = np.random.default_rng(0)
    for count in range(6):
        plan = gaze_plan(rng, count)
        assert len(plan) == count and (not plan or plan[-1] == 0.0)
        assert all(not (a and b) for a, b in zip(plan, plan[1:]))  # a glance is always followed by a look back
    scene = make_scene(duration=8.0)
    blink = Blink(Effect(type="blink"), scene, 0)
    part = blink.parts[0]
    assert len(part.times) >= 2 and all(eye.gaze_field is not None for eye in part.eyes)
    part.gazes = [1.0] + [0.0] * (len(part.times) - 1)  # glance right at the first blink, back at the second
    (s1, d1), (s2, d2) = part.times[:2]
    aside = render(blink, scene, (s1 + d1 + s2) / 2)
    diff = changed(aside, scene.image)
    outside = diff.copy()
    for eye in part.eyes:
        x0, y0, x1, y1 = eye.roi
        outside[y0:y1, x0:x1] = False
    assert diff.any() and not outside.any()

    def iris_x(frame):
        # The first eye's iris: dark pixels around its centre (165, 180), away from the lid corners.
        ys, xs = np.nonzero(frame[176:185, 152:179].max(axis=2) < 70)
        return xs.mean()

    assert iris_x(aside) > iris_x(scene.image) + 1  # looked to the right
    assert np.array_equal(render(blink, scene, s2 + d2 + 0.01), scene.image)  # back to the photo
