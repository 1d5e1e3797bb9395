"""The classical water rules (analysis/water.py) on synthetic scenes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stillmotion.analysis.water import find_water

W, H = 384, 288


def streaks(rng: np.random.Generator, shape: tuple[int, int], along: float = 12.0, across: float = 1.0) -> np.ndarray:
    """Zero-mean, unit-variance noise stretched along x (sigma `along`) as water's flow streaks it."""
    noise = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), sigmaX=along, sigmaY=across)
    return (noise - noise.mean()) / noise.std()


def rapids(water=(68, 100, 88), foam=(205, 228, 216), seed: int = 3) -> np.ndarray:
    """Rapids seen from a raft, no sky: green-grey water streaked along the flow, with bright
    foam on the crests of the streaks (about a fifth of the surface)."""
    rng = np.random.default_rng(seed)
    flow = streaks(rng, (H, W))
    img = np.array(water, np.float32) + 18.0 * flow[..., None]
    crest = np.clip((flow - 0.8) / 0.4, 0, 1)[..., None]
    img = img * (1 - crest) + np.array(foam, np.float32) * crest
    return np.clip(img, 0, 255).astype(np.uint8)


def no_sky() -> np.ndarray:
    return np.zeros((H, W), np.float32)


def no_plants() -> np.ndarray:
    return np.zeros((H, W), np.float32)


def test_white_water_without_a_horizon_is_offered_as_unsure_water_with_a_note():
    found = find_water(rapids(), no_sky(), no_plants())
    assert found.mask.max() < 0.01  # no horizon: nothing sure
    assert found.unsure is not None and found.unsure.mean() > 0.6
    assert any("white water" in note for note in found.notes)


def test_streaked_rapids_without_foam_and_warm_foam_are_not_white_water():
    calm = rapids(foam=(68, 100, 88))  # the same streaks, no foam on them: not rapids by these rules
    cream = rapids(water=(120, 95, 70), foam=(235, 215, 185))  # coffee with milk, sand and surf-coloured sand
    for rgb in (calm, cream):
        found = find_water(rgb, no_sky(), no_plants())
        assert found.unsure is None or found.unsure.mean() < 0.01


def test_white_things_that_do_not_churn_and_streak_are_not_white_water():
    rng = np.random.default_rng(5)
    # A white wall with dark beams across it (plaster and timber), and a white shirt's soft folds.
    wall = np.full((H, W, 3), 225, np.float32)
    for y in range(20, H, 60):
        wall[y:y + 10] = (70, 60, 55)
    for x in range(30, W, 90):
        wall[:, x:x + 10] = (70, 60, 55)
    folds = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 9)
    shirt = 200 + 200 * (folds - folds.mean())[..., None] * np.ones(3, np.float32)
    # Snow among dark tree trunks: bright and unsaturated, but every way, not streaked along x.
    snow = np.full((H, W, 3), 235, np.float32) + 10 * rng.standard_normal((H, W, 1)).astype(np.float32)
    for x in rng.integers(0, W - 6, 25):
        snow[:, x:x + 5] = (50, 45, 40)
    for rgb in (wall, shirt, snow):
        found = find_water(np.clip(rgb, 0, 255).astype(np.uint8), no_sky(), no_plants())
        assert found.unsure is None or found.unsure.mean() < 0.01


def test_black_and_white_rapids_are_not_offered():
    grey = cv2.cvtColor(cv2.cvtColor(rapids(), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    found = find_water(grey, no_sky(), no_plants())
    assert found.unsure is None and found.mask.max() < 0.01


def sea_with_an_island() -> np.ndarray:
    """A blue sky over a rippled grey-blue sea; on the sea's far edge an island: a low band of
    dark olive bushes along x (it streaks along x as the sea does) with a pale beach line at its
    foot, across most of the width."""
    rng = np.random.default_rng(17)
    img = np.zeros((H, W, 3), np.float32)
    img[:120] = (110, 155, 210)
    img[120:] = np.array([92, 118, 140], np.float32) + 20 * streaks(rng, (H - 120, W))[..., None]
    bushes = streaks(rng, (18, 300), along=6.0)
    img[104:122, 20:320] = np.array([55, 62, 35], np.float32) + 15 * bushes[..., None]
    img[120:124, 20:320] = (200, 190, 160)  # the beach at the island's foot
    return np.clip(img, 0, 255).astype(np.uint8)


def test_an_island_on_the_sea_is_not_water_the_sea_below_its_foot_is():
    sky = np.zeros((H, W), np.float32)
    sky[:104] = 1.0
    sky[:120, 320:] = 1.0
    water = find_water(sea_with_an_island(), sky, no_plants()).mask
    assert water[150:, 10:-10].mean() > 0.8  # the sea
    assert water[106:118, 30:310].mean() < 0.1  # the island standing on it


def sea_with_surf() -> np.ndarray:
    """A blue sky over a rippled grey-blue sea; near the shore a band of churning white surf
    (left half) beside a smooth white hull of the same brightness (right half), both touching the sea."""
    rng = np.random.default_rng(19)
    img = np.zeros((H, W, 3), np.float32)
    img[:110] = (100, 150, 215)
    img[110:] = np.array([90, 118, 140], np.float32) + 20 * streaks(rng, (H - 110, W))[..., None]
    churn = cv2.GaussianBlur(rng.random((40, W // 2)).astype(np.float32), (0, 0), 1.2)
    churn = (churn - churn.mean()) / churn.std()
    img[200:240, : W // 2] = np.array([225, 232, 235], np.float32) + 25 * churn[..., None]
    img[200:240, W // 2 + 20:] = (228, 230, 232)
    return np.clip(img, 0, 255).astype(np.uint8)


def test_surf_breaking_on_the_sea_is_water_a_smooth_white_hull_beside_it_is_not():
    sky = np.zeros((H, W), np.float32)
    sky[:110] = 1.0
    water = find_water(sea_with_surf(), sky, no_plants()).mask
    assert water[160:195, 10:-10].mean() > 0.8  # the sea
    assert water[205:235, 10:W // 2 - 10].mean() > 0.8  # its surf
    assert water[210:230, W // 2 + 30:-10].mean() < 0.1  # the hull


def bay_between_rocks() -> np.ndarray:
    """A blue sky; below the horizon brown rock, every way textured, with a small bay of rippled
    blue-grey sea (about 1.5% of the photo) reaching the right edge just under the horizon."""
    rng = np.random.default_rng(23)
    img = np.zeros((H, W, 3), np.float32)
    img[:100] = (105, 150, 210)
    grain = cv2.GaussianBlur(rng.random((H - 100, W)).astype(np.float32), (0, 0), 1.5)
    grain = (grain - grain.mean()) / grain.std()
    img[100:] = np.array([140, 110, 80], np.float32) + 25 * grain[..., None]
    img[120:137, 280:] = np.array([70, 100, 135], np.float32) + 15 * streaks(rng, (17, W - 280))[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def test_a_small_bay_of_rippled_sea_under_the_horizon_is_water_the_rock_around_it_is_not():
    sky = np.zeros((H, W), np.float32)
    sky[:100] = 1.0
    water = find_water(bay_between_rocks(), sky, no_plants()).mask
    assert water[123:134, 290:-5].mean() > 0.6
    assert water[150:, :].mean() < 0.02


def shared_water(shared_photos, name: str):
    """The classical water (Found) of a shared photo, at the analysis size."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.imaging import resize_long
    from stillmotion.analysis.regions import classical_regions

    path = shared_photos / name
    if not path.is_file():
        pytest.skip(f"{name} is not among the shared photos")
    rgb = np.ascontiguousarray(resize_long(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB), 768))
    cues = compute_cues(rgb, [])
    return classical_regions(rgb, cues.sky if cues.has_sky else None)["water"]


def test_the_rafting_rapids_are_offered_as_unsure_water_the_raft_is_not(shared_photos):
    """kodak14 (tuned on): rapids all round a raft, no sky. Not sure water (an empty prompt
    leaves it still), but offered when a sentence asks for water; the yellow raft stays out."""
    water = shared_water(shared_photos, "kodak14_whitewater_rafting.png")
    h, w = water.mask.shape
    assert water.mask.max() < 0.01 and water.unsure is not None
    assert water.unsure[int(0.08 * h):int(0.2 * h), int(0.1 * w):int(0.9 * w)].mean() > 0.7  # the rapids above the raft
    assert water.unsure[int(0.7 * h):int(0.8 * h), int(0.3 * w):int(0.8 * w)].mean() < 0.05  # the raft


def test_the_island_on_the_sea_is_not_water(shared_photos):
    """kodak16 (tuned on): an island of bushes and palms on the sea's far edge is land; the sea
    below its foot is water."""
    water = shared_water(shared_photos, "kodak16_sea_clouds.png").mask
    h, w = water.shape
    assert water[int(0.43 * h):int(0.48 * h), int(0.05 * w):int(0.9 * w)].mean() < 0.05
    assert water[int(0.55 * h):].mean() > 0.95
