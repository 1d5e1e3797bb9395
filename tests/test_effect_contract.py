"""The contract every registered effect keeps, checked for each type the registry lists.

A new effect is covered by adding its descriptor: frame 0 is the photo, strength 0 keeps the
photo, it shows, it is deterministic and a pure function of time, a loop has no seam, it keeps to
its region (or to the faces), it honours a freeze region, it follows the one timing rule for
start and end, and it composes with a moving camera in the real renderer.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from effect_scene import CH, CW, build, contract_scene, mad, render
from stillmotion.effects.registry import DESCRIPTORS, EFFECT_TYPES, descriptor, effect_class
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import Photo
from stillmotion.plan import EFFECT_TYPES as PLAN_TYPES
from stillmotion.plan import Plan

STRONG = 0.9


def spec_of(kind: str, **extra) -> dict:
    spec = {"type": kind, "strength": STRONG, **extra}
    if kind == "grade":
        spec["style"] = "warm"
    return spec


def frames_of(kind: str, **kwargs) -> tuple[list[np.ndarray], object]:
    extra = kwargs.pop("extra", {})
    effect, scene = build(spec_of(kind, **extra), scene_maker=contract_scene, **kwargs)
    return [render(effect, scene, i / scene.fps) for i in range(scene.plan.canvas.frame_count)], scene


def change_map(frames, image) -> np.ndarray:
    """Per pixel, the largest change from the photo over the clip (grey levels)."""
    return np.max([np.abs(f.astype(np.int16) - image).max(axis=2) for f in frames], axis=0)


def test_the_plan_accepts_exactly_the_registered_types():
    assert PLAN_TYPES == EFFECT_TYPES
    assert len({d.type for d in DESCRIPTORS}) == len(DESCRIPTORS)


@pytest.mark.parametrize("kind", EFFECT_TYPES)
class TestEffectContract:
    def test_frame_zero_is_the_photo(self, kind):
        effect, scene = build(spec_of(kind), scene_maker=contract_scene)
        assert np.array_equal(render(effect, scene, 0.0), scene.image)

    def test_strength_zero_keeps_the_photo(self, kind):
        effect, scene = build(spec_of(kind, strength=0.0), scene_maker=contract_scene)
        for t in (0.4, 1.0, 1.6):
            assert np.array_equal(render(effect, scene, t), scene.image), t

    def test_it_shows_and_is_deterministic(self, kind):
        first, scene = frames_of(kind, seed=5)
        again, _ = frames_of(kind, seed=5)
        assert all(np.array_equal(a, b) for a, b in zip(first, again)), "same seed, same frames"
        assert max(mad(f, scene.image) for f in first) > 0.01, "the effect must change the picture"

    def test_a_frame_alone_equals_the_frame_in_sequence(self, kind):
        sequence, _ = frames_of(kind)
        effect, scene = build(spec_of(kind), scene_maker=contract_scene)  # fresh: no state from other frames
        index = 31
        assert np.array_equal(render(effect, scene, index / scene.fps), sequence[index])

    def test_a_loop_has_no_seam(self, kind):
        frames, _ = frames_of(kind, loop=True)
        steps = [mad(frames[i], frames[i + 1]) for i in range(len(frames) - 1)]
        seam = mad(frames[-1], frames[0])
        # Cross-faded flows change fastest when one phase shows alone, as at t = 0: compare the seam
        # with the neighbouring steps and with the largest step, not with the median.
        assert seam <= 1.25 * max(steps[0], steps[-1]) + 1e-6, (seam, steps[0], steps[-1])
        assert seam <= 1.05 * max(steps) + 1e-6, (seam, max(steps))

    def test_it_keeps_to_its_place(self, kind):
        d = descriptor(kind)
        frames, scene = frames_of(kind)
        change = change_map(frames, scene.image)
        if d.family == "face":
            x, y, fw, fh = scene.faces[0].box  # the head, hair, neck and shoulders may move
            near = np.zeros(change.shape, bool)
            near[max(0, int((y - fh) * CH)):, max(0, int((x - 1.4 * fw) * CW)):int((x + 2.4 * fw) * CW)] = True
            assert change[~near].max() == 0, f"{kind} changed pixels away from the face"
            assert change[near].max() > 0
        elif None not in d.places:  # grounded on a region: the first the scene has
            region = scene.mask_at_canvas(d.places[0])
            reach = 41 if kind == "fire" else 13  # fire's glow and tongues reach past its core
            near = cv2.dilate((region > 0.05).astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
            assert change[~near].mean() < 0.1 * max(change[region > 0.9].mean(), 1e-6), kind
            assert change[region > 0.9].mean() > 0.5, kind

    def test_a_freeze_region_stays_still(self, kind):
        if not effect_class(kind).honours_freeze:
            pytest.skip(f"{kind} changes the whole scene's light; freezing stops motion, not light")
        # Freeze the left 40 % of the photo: nothing moves or is drawn there. A change of the whole
        # picture's light (rain's overcast, frame = a * photo + b) is allowed: it is fitted per frame
        # and removed before looking.
        freeze = {"polygon": [[0.0, 0.0], [0.4, 0.0], [0.4, 1.0], [0.0, 1.0]]}
        frames, scene = frames_of(kind, extra={"freeze": freeze})
        photo = scene.image[:, : int(0.3 * CW)].astype(np.float64).ravel()
        worst = 0.0
        for frame in frames:
            seen = frame[:, : int(0.3 * CW)].astype(np.float64).ravel()
            a, b = np.polyfit(photo, seen, 1)
            worst = max(worst, float(np.percentile(np.abs(seen - (a * photo + b)), 99)))
        assert worst <= 3, f"{kind}: the frozen area changed ({worst})"

    def test_start_and_end_follow_the_one_timing_rule(self, kind):
        effect, scene = build(spec_of(kind, start=0.5, end=1.5), scene_maker=contract_scene)
        for t in (0.25, 0.5, 1.5, 1.75):
            assert np.array_equal(render(effect, scene, t), scene.image), f"{kind} shows at {t} s, outside 0.5-1.5 s"
        assert 0 < effect.amount(0.6) < effect.amount(1.0) <= 1 and 0 < effect.amount(1.4) < effect.amount(1.0)

    def test_it_composes_with_a_moving_camera(self, kind):
        scene = contract_scene(spec_of(kind))
        photo = Photo(pixels=scene.image, sha256="synthetic-contract")
        plan = Plan(photo="synthetic.png", seed=1, camera={"type": "dolly_in", "strength": 0.6},
                    canvas={"resolution": 480, "duration": 2.0, "fps": 24}, effects=[spec_of(kind)])
        with_effect = Renderer(plan, photo, scene.analysis)
        camera_only = Renderer(plan.with_changes(effects=[]), photo, scene.analysis)
        assert np.array_equal(with_effect.frame(0), camera_only.frame(0))
        # Shows: clearly changed pixels (a sparse effect such as a few glints changes few of them).
        shows = [int((np.abs(with_effect.frame(i).astype(np.int16) - camera_only.frame(i)).max(axis=2) > 8).sum())
                 for i in range(4, 48, 5)]
        assert max(shows) >= 4, f"{kind} does not show under a moving camera"
