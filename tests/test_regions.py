"""Region finding on synthetic photos, and the effects' one region helper (effects/regions.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stillmotion.analysis.regions import REGION_NAMES, find_regions
from stillmotion.analysis.sky import loose_sky
from stillmotion.analysis.types import Analysis, Face
from stillmotion.canvas import CanvasMap, fit_rect
from stillmotion.effects.base import Scene
from stillmotion.effects.regions import area_mask, face_mask
from stillmotion.errors import PlanError
from stillmotion.plan import Canvas, Plan, Region

W, H = 384, 288
HORIZON = 150  # water starts here


def leaves(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Foliage as a photo shows it: fine detail every way, lit leaves and dark gaps, in the
    moderate greens of real plants (a Lab chroma of 15 to 40, not a dyed cap's 60)."""
    noise = cv2.GaussianBlur(rng.random(shape).astype(np.float32), (0, 0), 0.8)
    lit = np.clip((noise - noise.mean()) / noise.std() * 0.3 + 0.5, 0, 1)[..., None]
    return (np.array([25, 40, 18], np.float32) + lit * np.array([75, 95, 42], np.float32)).astype(np.float32)


def landscape() -> np.ndarray:
    """Blue smooth sky, a band of textured green trees (left) and grey rocks (right) with two
    bright lamps, and water below that mirrors the top half, darker and bluer, in streaks."""
    rng = np.random.default_rng(7)
    img = np.zeros((H, W, 3), np.float32)
    rows = np.linspace(0, 1, 100, dtype=np.float32)[:, None]
    img[:100] = (np.array([70, 120, 210]) * (1 - rows) + np.array([150, 185, 230]) * rows)[:, None, :]
    img[100:HORIZON, : W // 2] = leaves(rng, (HORIZON - 100, W // 2))
    rocks = cv2.GaussianBlur(rng.random((HORIZON - 100, W // 2)).astype(np.float32), (0, 0), 1.5)
    img[100:HORIZON, W // 2:] = (60 + 60 * rocks)[..., None]
    for cx in (250, 330):
        cv2.circle(img, (cx, 125), 4, (255, 255, 250), -1)
    # Water: the reflection of everything above, each row shifted a little (ripples).
    reflection = img[HORIZON - 1::-1][: H - HORIZON].copy()
    for y in range(reflection.shape[0]):
        reflection[y] = np.roll(reflection[y], int(rng.integers(-3, 4)), axis=0)
    water = 0.55 * reflection + 0.45 * np.array([40, 80, 120], np.float32)
    water *= 1.0 + 0.08 * np.sin(np.arange(H - HORIZON, dtype=np.float32) * 1.3)[:, None, None]
    img[HORIZON:] = water
    return np.clip(img, 0, 255).astype(np.uint8)


def fireplace() -> np.ndarray:
    img = np.full((H, W, 3), (45, 35, 30), np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    flame = np.clip(1 - ((xx - 190) / 40) ** 2 - ((yy - 200) / 90) ** 2, 0, 1) * (yy < 200)
    img += flame[..., None] * np.array([255, 150, 30]) * 1.3
    img += (np.clip(1 - ((xx - 190) / 16) ** 2 - ((yy - 200) / 45) ** 2, 0, 1) * (yy < 200))[..., None] * np.array([0, 110, 140])
    return np.clip(img, 0, 255).astype(np.uint8)


def coffee() -> np.ndarray:
    img = np.full((H, W, 3), (150, 95, 55), np.uint8)  # a wooden table
    cv2.ellipse(img, (190, 140), (95, 70), 0, 0, 360, (245, 245, 240), -1)  # the cup's rim
    cv2.ellipse(img, (190, 140), (78, 56), 0, 0, 360, (110, 60, 25), -1)  # the coffee
    return img


def test_regions_are_soft_float_masks_of_the_input_size():
    masks = find_regions(landscape())
    assert set(masks) == set(REGION_NAMES)
    for name, m in masks.items():
        assert m.shape == (H, W) and m.dtype == np.float32, name
        assert 0.0 <= m.min() and m.max() <= 1.0, name


def test_water_below_the_horizon_not_in_the_sky():
    m = find_regions(landscape())["water"]
    assert m[HORIZON + 20:, 20:-20].mean() > 0.7
    assert m[:100].max() < 0.1


def test_foliage_on_the_green_texture_only():
    m = find_regions(landscape())["foliage"]
    assert m[108:HORIZON - 8, 10: W // 2 - 10].mean() > 0.7
    assert m[:95].max() < 0.1 and m[108:HORIZON - 8, W // 2 + 10:].mean() < 0.1


def test_lights_on_the_bright_spots():
    m = find_regions(landscape())["light"]
    assert m[125, 250] > 0.5 and m[125, 330] > 0.5
    assert m[:95].mean() < 0.01 and m[110:140, 20:150].max() < 0.1


def test_sky_estimate_covers_the_sky():
    sky = loose_sky(landscape())
    assert sky[:90].mean() > 0.9 and sky[HORIZON + 10:].mean() < 0.1


def test_fire_found_on_flames_not_on_a_landscape():
    assert find_regions(landscape())["fire"].max() < 0.2
    fire = find_regions(fireplace())["fire"]
    assert fire[170, 190] > 0.5 and fire[30, 30] < 0.05


def test_steam_source_in_a_cup():
    m = find_regions(coffee())["steam_source"]
    assert m[140, 190] > 0.5 and m[20, 20] < 0.05


def test_faces_are_not_water():
    analysis = Analysis(depth=np.zeros((H, W), np.float32), subject=np.zeros((H, W), np.float32),
                        sky=np.zeros((H, W), np.float32), faces=[Face(box=(0.4, 0.7, 0.2, 0.25))])
    m = find_regions(landscape(), analysis)["water"]
    assert m[int(0.825 * H), int(0.5 * W)] < 0.05


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match="uint8 RGB"):
        find_regions(np.zeros((10, 10), np.uint8))


# --- area_mask --------------------------------------------------------------------------

def scene(size=(200, 100), crop=(0, 0, 400, 200), faces=(), regions=None) -> Scene:
    aw, ah = 400, 200
    analysis = Analysis(depth=np.zeros((ah, aw), np.float32), subject=np.zeros((ah, aw), np.float32),
                        sky=np.zeros((ah, aw), np.float32))
    analysis.regions.update(regions or {})
    w, h = size
    # The analysis maps stand for the photo (400 x 200); the canvas shows `crop` of it at `size`.
    canvas_map = CanvasMap(size=(w, h), photo_size=(aw, ah), crop=crop, photo_rect=(0, 0, w, h))
    return Scene(plan=Plan(photo="p.png", canvas=Canvas(duration=1.0)), image=np.zeros((h, w, 3), np.uint8),
                 depth=np.zeros((h, w), np.float32), analysis=analysis, faces=list(faces), canvas_map=canvas_map)


def test_named_region_is_resized_to_the_canvas():
    water = np.zeros((200, 400), np.float32)
    water[100:] = 1.0
    m = area_mask(Region(name="water"), scene(regions={"water": water}), None)
    assert m.shape == (100, 200) and m[75, 100] == 1.0 and m[25, 100] == 0.0


def test_unknown_default_name_gives_nothing():
    m = area_mask(None, scene(), "water")
    assert m.shape == (100, 200) and m.max() == 0.0


def test_polygon_in_photo_coordinates_follows_the_crop():
    # The canvas shows the right half of the photo: a polygon over the photo's right quarter
    # lands on the canvas's right half.
    s = scene(size=(100, 100), crop=(200, 0, 200, 200))
    m = area_mask(Region(polygon=[(0.75, 0.0), (1.0, 0.0), (1.0, 1.0), (0.75, 1.0)]), s, None)
    assert m[50, 80] > 0.9 and m[50, 20] < 0.05


def test_mask_file_and_freeze(tmp_path):
    image = np.zeros((50, 100), np.uint8)
    image[:, 50:] = 255
    path = tmp_path / "mask.png"
    cv2.imwrite(str(path), image)
    freeze = Region(polygon=[(0.5, 0.0), (1.0, 0.0), (1.0, 0.5), (0.5, 0.5)])
    m = area_mask(Region(mask=str(path)), scene(), None, freeze=freeze)
    assert m[75, 150] > 0.9  # masked, not frozen
    assert m[20, 150] < 0.05  # frozen
    assert m[75, 50] < 0.05  # outside the mask


def test_missing_mask_file_is_a_plan_error(tmp_path):
    with pytest.raises(PlanError, match="not found"):
        area_mask(Region(mask=str(tmp_path / "nope.png")), scene(), None)


def test_faces_are_cut_out_and_addressable():
    face = Face(box=(0.4, 0.3, 0.2, 0.4))
    s = scene(faces=[face])
    m = area_mask(None, s, None)  # everywhere ...
    assert m[50, 100] == 0.0 and m[5, 5] == 1.0  # ... except the face
    only = area_mask(Region(name="face:0"), s, None, protect_faces=False)
    assert only[50, 100] == 1.0 and only[5, 5] == 0.0
    assert face_mask(s)[50, 100] == 1.0
    with pytest.raises(PlanError, match="1 face"):
        area_mask(Region(name="face:3"), s, None)


def test_fit_blur_places_maps_on_the_photo_not_the_fill():
    # A 2:1 photo in a 1:1 canvas with fit "blur": the photo fills the middle half vertically.
    s = scene(size=(200, 200))
    s.plan = Plan(photo="p.png", canvas=Canvas(duration=1.0, aspect="1:1", fit="blur"))
    rect = fit_rect((400, 200), (200, 200))
    assert rect == (0, 50, 200, 100)  # the photo's place, as canvas.fit_blur puts it
    s.canvas_map = CanvasMap(size=(200, 200), photo_size=(400, 200), crop=(0, 0, 400, 200), photo_rect=rect, blur=True)
    water = np.zeros((200, 400), np.float32)
    water[100:] = 1.0  # lower half of the photo
    s.analysis.regions["water"] = water
    m = area_mask(Region(name="water"), s, None)
    assert m[:50].max() == 0.0 and m[-45:].max() == 0.0  # the blurred fill above and below
    assert m[60:95].max() == 0.0 and m[105:145].min() > 0.99
    poly = area_mask(Region(polygon=[(0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)]), s, None)
    assert poly[125, 100] > 0.9 and poly[75, 100] < 0.05 and poly[170, 100] < 0.05


# --- the classical precision rules (issue 12) ----------------------------------------------------
def night_city() -> np.ndarray:
    """A dark night sky over a dark city with rows of lit windows and street lights."""
    rng = np.random.default_rng(3)
    img = np.zeros((H, W, 3), np.float32)
    img[:120] = (12, 16, 35)  # night sky
    img[120:] = (22, 22, 30)
    for _ in range(400):  # windows and lamps, some in rows (horizontal streaks)
        x, y = int(rng.integers(0, W - 6)), int(rng.integers(125, H - 4))
        img[y:y + 3, x:x + 6] = rng.choice([(255, 220, 150), (250, 250, 240), (255, 180, 90)])
    img += rng.normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def test_a_night_sky_with_city_lights_is_not_water():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = night_city()
    cues = compute_cues(rgb, [])
    found = classical_regions(rgb, cues.sky if cues.has_sky else None)
    assert found["water"].mask.mean() < 0.01
    assert find_regions(rgb)["water"].mean() < 0.01


def test_a_reflection_below_the_horizon_is_water_and_its_trees_are_not_foliage():
    masks = find_regions(landscape())
    assert masks["water"][HORIZON + 20:, 20:-20].mean() > 0.7
    assert masks["foliage"][HORIZON + 20:].mean() < 0.05  # mirrored trees are water


def street_below_sky() -> np.ndarray:
    """Blue sky over a facade, and a bluish, smooth pavement in shade below: no water there."""
    img = np.zeros((H, W, 3), np.uint8)
    img[:90] = (110, 160, 225)
    img[90:170] = (150, 120, 100)
    for x in range(0, W, 24):  # windows
        cv2.rectangle(img, (x + 4, 105), (x + 16, 150), (60, 60, 70), -1)
    img[170:] = (95, 110, 140)  # shaded pavement: bluish grey, flat
    rng = np.random.default_rng(1)
    return np.clip(img.astype(np.float32) + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)


def test_a_bluish_flat_pavement_is_only_a_candidate_with_a_note():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = street_below_sky()
    cues = compute_cues(rgb, [])
    water = classical_regions(rgb, cues.sky)["water"]
    assert water.mask.mean() < 0.01  # no reflection, ripples or sky colour: not called water
    assert water.unsure is not None and water.unsure[200:, 20:-20].mean() > 0.5
    assert any("left out unless asked" in note for note in water.notes)


def test_clouds_belong_to_the_sky():
    from stillmotion.analysis.sky import find_sky

    img = np.zeros((120, 160, 3), np.uint8)
    img[:60] = (90, 140, 215)
    for cx, cy in ((40, 20), (110, 30)):  # white clouds with soft grey shading
        cv2.ellipse(img, (cx, cy), (22, 10), 0, 0, 360, (235, 235, 238), -1)
        cv2.ellipse(img, (cx, cy + 4), (14, 5), 0, 0, 360, (190, 192, 200), -1)
    img[60:] = (70, 90, 50)
    rng = np.random.default_rng(2)
    img[60:] = np.clip(img[60:].astype(np.float32) + rng.normal(0, 25, (60, 160, 3)), 0, 255).astype(np.uint8)
    sky, _ = find_sky(img, gray_photo=False)
    assert sky[20, 40] and sky[30, 110] and sky[:55].mean() > 0.95 and sky[65:].mean() < 0.05


def test_vegetation_keeps_rock_skin_and_red_fabric_out():
    rng = np.random.default_rng(4)
    noise = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 1.2)
    img = np.zeros((H, W, 3), np.float32)
    quarter = W // 4
    img[:, :quarter] = leaves(rng, (H, quarter))
    img[:, quarter:2 * quarter] = (90 + 90 * noise)[..., None][:, quarter:2 * quarter]  # grey rock
    img[:, 2 * quarter:3 * quarter] = np.dstack([200 + 30 * noise, 150 + 30 * noise, 120 + 30 * noise])[:, 2 * quarter:3 * quarter]
    img[:, 3 * quarter:] = np.dstack([170 + 60 * noise, 20 + 30 * noise, 30 + 30 * noise])[:, 3 * quarter:]  # red fabric
    foliage = find_regions(np.clip(img, 0, 255).astype(np.uint8))["foliage"]
    assert foliage[:, 8:quarter - 8].mean() > 0.7
    assert foliage[:, quarter + 8:].mean() < 0.05


def test_a_thin_frame_around_a_scan_is_replaced_by_the_picture_edge():
    from stillmotion.analysis.imaging import without_frame

    rng = np.random.default_rng(5)
    picture = np.clip(rng.normal(120, 30, (100, 140, 3)), 0, 255).astype(np.uint8)
    framed = picture.copy()
    framed[:2] = 99  # a grey frame line and a blended one along the top, one down the left
    framed[2] = (framed[2].astype(np.int16) // 2 + 50).astype(np.uint8)
    framed[:, 0] = 99
    out = without_frame(framed)
    assert (out[:4] == out[4]).all() and (out[:, :2] == out[:, 2:3]).all()
    assert (out[5:, 3:] == framed[5:, 3:]).all()
    flat = np.full((100, 140, 3), (110, 160, 225), np.uint8)  # a clear sky is flat, not a frame
    assert without_frame(flat) is flat and without_frame(picture) is picture


def rock_and_sea() -> np.ndarray:
    """A blue sky over two streaky halves below the horizon: brown striated rock (left) and
    grey-blue rippled water (right), touching."""
    rng = np.random.default_rng(11)
    img = np.zeros((H, W, 3), np.float32)
    img[:110] = (95, 145, 215)
    streaks = cv2.GaussianBlur(rng.random((H - 110, W)).astype(np.float32), (0, 0), sigmaX=12, sigmaY=1)
    streaks = (streaks - streaks.mean()) / streaks.std()
    img[110:, : W // 2] = np.dstack([150 + 25 * streaks, 105 + 20 * streaks, 60 + 12 * streaks])[:, : W // 2]
    img[110:, W // 2:] = np.dstack([90 + 20 * streaks, 115 + 22 * streaks, 140 + 25 * streaks])[:, W // 2:]
    return np.clip(img, 0, 255).astype(np.uint8)


def test_striated_rock_is_not_water_but_rippled_grey_blue_water_is():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = rock_and_sea()
    cues = compute_cues(rgb, [])
    water = classical_regions(rgb, cues.sky)["water"].mask
    assert water[140:, W // 2 + 20:].mean() > 0.6
    assert water[140:, : W // 2 - 20].mean() < 0.1


def test_no_water_in_a_black_and_white_photo_with_a_note():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    gray = cv2.cvtColor(cv2.cvtColor(landscape(), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    cues = compute_cues(gray, [])
    water = classical_regions(gray, cues.sky if cues.has_sky else None)["water"]
    assert water.mask.mean() < 0.01
    assert cues.has_sky and any("black-and-white" in note for note in water.notes)


def test_no_water_without_a_sky_across_the_photo():
    from stillmotion.analysis.regions import classical_regions

    rgb = landscape()
    sky = np.zeros((H, W), np.float32)
    sky[:100, : W // 4] = 1.0  # a patch of sky in one corner: no horizon to be below
    assert classical_regions(rgb, sky)["water"].mask.mean() < 0.01
    sky[:100] = 1.0
    assert classical_regions(rgb, sky)["water"].mask[HORIZON + 20:, 20:-20].mean() > 0.7


def test_vegetation_keeps_smooth_paint_and_brown_rock_out():
    rng = np.random.default_rng(6)
    noise = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 1.0)
    third = W // 3
    img = np.zeros((H, W, 3), np.float32)
    img[:, :third] = np.dstack([70 + 60 * noise, 95 + 80 * noise, 35 + 25 * noise])[:, :third]  # olive leaves
    img[:, third:2 * third] = (205, 180, 70)  # a smooth yellow wall
    streaks = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=1.5)
    img[:, 2 * third:] = np.dstack([110 + 60 * streaks, 95 + 50 * streaks, 55 + 30 * streaks])[:, 2 * third:]  # lichen rock
    foliage = find_regions(np.clip(img, 0, 255).astype(np.uint8))["foliage"]
    assert foliage[:, 8:third - 8].mean() > 0.7
    assert foliage[:, third + 8:2 * third - 8].mean() < 0.05 and foliage[:, 2 * third + 8:].mean() < 0.1


def test_flowers_sway_with_the_leaves_that_surround_them_a_red_wall_does_not():
    rng = np.random.default_rng(8)
    bush = leaves(rng, (H, W))
    img = np.full((H, W, 3), 128.0, np.float32)  # a grey facade...
    img[:, : W // 2] = bush[:, : W // 2]  # ...beside a bush
    cv2.circle(img, (W // 4, H // 2), 9, (220, 40, 90), -1)  # a flower in the bush
    img[100:160, 255:315] = (160, 45, 40)  # a red door in the facade...
    branch = np.zeros((H, W), np.uint8)
    cv2.line(branch, (270, 60), (300, 200), 1, 10)  # ...crossed by a leafy branch: small red pieces touch it
    img[branch > 0] = bush[branch > 0]
    foliage = find_regions(np.clip(img, 0, 255).astype(np.uint8))["foliage"]
    assert foliage[H // 2, W // 4] > 0.5
    door = np.zeros((H, W), bool)
    door[100:160, 255:315] = True
    door &= cv2.dilate(branch, np.ones((15, 15), np.uint8)) == 0
    assert (foliage[door] > 0.5).mean() < 0.02


def caps_on_a_board() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """kodak03's trouble, drawn: under a blue sky, a fluorescent yellow cap and a green cap of
    crumpled fabric (textured every way, as leaves are) on a wooden board, and a real bush."""
    rng = np.random.default_rng(12)
    img = np.zeros((H, W, 3), np.float32)
    img[:80] = (95, 140, 210)
    grain = cv2.GaussianBlur(rng.random((H - 80, W)).astype(np.float32), (0, 0), sigmaX=8, sigmaY=0.8)
    img[80:] = np.dstack([150 + 60 * grain, 110 + 45 * grain, 70 + 30 * grain])
    crumples = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 1.2)
    crumples = (crumples - crumples.mean()) / crumples.std()
    where = {}
    for name, (cx, cy), colour in (("yellow", (90, 150), (225, 235, 35)), ("green", (210, 160), (70, 125, 35))):
        mask = np.zeros((H, W), np.uint8)
        cv2.ellipse(mask, (cx, cy), (50, 38), 0, 0, 360, 1, -1)
        shade = 1.0 + 0.12 * crumples[..., None]
        img[mask > 0] = (np.array(colour, np.float32) * shade)[mask > 0]
        where[name] = cv2.erode(mask, np.ones((9, 9), np.uint8)) > 0
    img[100:230, 290:370] = leaves(rng, (130, 80))
    where["bush"] = np.zeros((H, W), bool)
    where["bush"][110:220, 300:360] = True
    return np.clip(img, 0, 255).astype(np.uint8), where


def test_dyed_caps_are_not_plants_and_a_bush_is():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb, where = caps_on_a_board()
    cues = compute_cues(rgb, [])
    foliage = classical_regions(rgb, cues.sky if cues.has_sky else None)["foliage"]
    assert foliage.mask[where["bush"]].mean() > 0.7
    for cap in ("yellow", "green"):
        assert foliage.mask[where[cap]].mean() < 0.05, cap  # never swayed by an empty prompt
    # Green fabric stays a candidate for a sentence that asks for plants, with a note saying why.
    assert foliage.unsure is not None and foliage.unsure[where["green"]].mean() > 0.5
    assert any("left out unless asked for" in note for note in foliage.notes)


def sea_with_shallows() -> np.ndarray:
    """Blue sky; below the horizon a grey-blue sea of clear ripples that calms into fainter
    ripples in the shallows (bottom right), and on the beach beside it (bottom left) a grey rock
    with the same faint streaks."""
    rng = np.random.default_rng(13)
    img = np.zeros((H, W, 3), np.float32)
    img[:100] = (100, 150, 215)
    streaks = cv2.GaussianBlur(rng.random((H - 100, W)).astype(np.float32), (0, 0), sigmaX=10, sigmaY=1)
    streaks = (streaks - streaks.mean()) / streaks.std()
    # Shallow water: wavelets shorter and less aligned (its edges run along x less clearly).
    wavelets = cv2.GaussianBlur(rng.random((H - 100, W)).astype(np.float32), (0, 0), sigmaX=1.6, sigmaY=1.2)
    wavelets = (wavelets - wavelets.mean()) / wavelets.std()
    rows = np.arange(H - 100, dtype=np.float32)[:, None]
    calm = np.clip((rows - 90) / 40, 0, 1) * (np.arange(W)[None, :] > 150)  # 1 in the shallows
    texture = streaks * (1 - calm) + wavelets * calm
    img[100:] = np.dstack([90 + 20 * texture, 118 + 20 * texture, 140 + 20 * texture])
    img[190:, :150] = (205, 190, 160)  # a beach...
    rock = np.zeros((H, W), bool)
    rock[212:, :110] = True  # ...with a grey rock on it as faintly streaked as the shallows, apart from the sea
    img[rock] = np.dstack([95 + 20 * wavelets, 115 + 20 * wavelets, 135 + 20 * wavelets])[rock[100:]]
    return np.clip(img, 0, 255).astype(np.uint8)


def test_shallows_next_to_a_sea_found_are_water_too_rock_apart_is_not():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = sea_with_shallows()
    cues = compute_cues(rgb, [])
    water = classical_regions(rgb, cues.sky)["water"].mask
    assert water[130:180, 40:-40].mean() > 0.8  # the rippled sea
    assert water[240:, 200:-10].mean() > 0.4  # its shallows: weak evidence (about 0.25), joined to it
    assert water[215:, 5:100].mean() < 0.05  # the rock: as weak, and apart from the sea


def test_weak_plant_evidence_counts_only_where_it_joins_plants_found():
    """Hysteresis, as edges are traced: a bush's shaded half (weak evidence) joins its sunlit half
    (found); weak evidence apart from any plant stays out."""
    from stillmotion.analysis.imaging import Measures
    from stillmotion.analysis.regions import _joined

    cues = Measures(np.zeros((H, W, 3), np.uint8))
    sure = np.zeros((H, W), bool)
    sure[40:240, 20:140] = True  # the sunlit half
    weak = np.zeros((H, W), bool)
    weak[40:240, 140:260] = True  # its shaded half
    weak[60:200, 300:370] = True  # a grey-green patch alone on the wall
    joined = _joined(sure, weak, cues)
    assert joined[40:240, 20:260].all()
    assert not joined[60:200, 300:370].any()


def path_into_the_distance() -> np.ndarray:
    """Blue sky over a hedge, and a bluish, smooth pavement in shade that runs away from the
    camera: wide at the bottom, narrowing to a point near the horizon (moviepy's walkway)."""
    img = np.zeros((H, W, 3), np.uint8)
    img[:90] = (110, 160, 225)
    img[90:] = (120, 105, 85)  # dry ground beside the path
    cv2.fillPoly(img, [np.array([(0, H), (220, H), (60, 100), (40, 100)], np.int32)], (95, 110, 140))
    rng = np.random.default_rng(15)
    return np.clip(img.astype(np.float32) + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)


def test_a_pavement_running_into_the_distance_is_not_even_a_water_candidate():
    """A water surface is level: its far edge runs along a row. A path's edges slant to a point."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = path_into_the_distance()
    cues = compute_cues(rgb, [])
    water = classical_regions(rgb, cues.sky)["water"]
    assert water.mask.mean() < 0.01
    assert water.unsure is None or water.unsure.mean() < 0.01


def pond_under_an_overcast_sky(pond_tinted: bool = True) -> np.ndarray:
    """A bluish-grey overcast sky; a red barn (left) and trees (right) behind a grassy bank; a
    still pond across the lower third that gives back the grey sky (right) and the red barn
    (left), darker, crossed by two posts; grass in front. With pond_tinted False, the pond is a
    plain grey concrete floor instead, without the sky's tint."""
    rng = np.random.default_rng(22)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (150, 158, 174)  # the overcast sky
    img[90:140, W // 2:] = leaves(rng, (50, W - W // 2))  # trees behind the pond
    img[40:140, : W // 2] = (150, 45, 35)  # the barn
    for x in range(8, W // 2, 16):  # its boards
        img[40:140, x] = (120, 35, 30)
    img[140:152] = leaves(rng, (12, W))  # the far bank
    if pond_tinted:
        img[152:215, W // 2:] = (104, 110, 126)  # the sky, mirrored: its tint, darker
        img[152:215, : W // 2] = (95, 32, 28)  # the barn, mirrored: darker red
        for x in range(8, W // 2, 16):
            img[152:215, x] = (78, 27, 24)
    else:
        img[152:215] = (112, 112, 112)  # concrete: grey, not the sky's tint
    for x in (150, 260):  # posts across the surface
        img[150:215, x:x + 6] = (70, 60, 50)
    img[215:] = leaves(rng, (H - 215, W))  # grass in front
    return np.clip(img + rng.normal(0, 1.5, img.shape), 0, 255).astype(np.uint8)


def test_a_still_pond_that_mirrors_a_grey_sky_and_a_red_barn_is_water():
    """Under an overcast sky, still water gives back the sky's own faint tint, darker; the same
    surface goes on sideways where it mirrors the barn standing above it (posts crossing it)."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = pond_under_an_overcast_sky()
    cues = compute_cues(rgb, [])
    water = classical_regions(rgb, cues.sky if cues.has_sky else None)["water"].mask
    assert water[160:208, W // 2 + 10:-10].mean() > 0.8  # the grey sky mirrored
    assert water[160:208, 10:W // 2 - 10].mean() > 0.6  # the barn mirrored, the same surface
    assert water[:140].mean() < 0.01 and water[225:].mean() < 0.02  # not the barn, trees or grass


def test_a_grey_floor_without_the_sky_tint_under_an_overcast_sky_is_not_water():
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    rgb = pond_under_an_overcast_sky(pond_tinted=False)
    cues = compute_cues(rgb, [])
    assert classical_regions(rgb, cues.sky if cues.has_sky else None)["water"].mask.mean() < 0.01


def skyline(kind: str) -> np.ndarray:
    """Blue sky over a dark band on the skyline (rows 80 to 130, its top uneven), sand below.
    kind "forest": far, backlit crowns, dark and dull, fine detail every way; "roofs": dark grey
    roofs whose shingle lines all run one way."""
    rng = np.random.default_rng(5)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (110, 160, 225)
    img[130:] = (200, 185, 150)
    if kind == "forest":
        crowns = 0.22 * leaves(rng, (H, W)) + np.array([36, 30, 34], np.float32)
        top = 80 + (6 * np.sin(np.arange(W) / 5.0) + rng.integers(0, 5, W)).astype(int)
    else:
        shingles = (40 + 25 * ((np.arange(H) // 3) % 2))[:, None, None] * np.ones((1, W, 3), np.float32)
        crowns = shingles + rng.normal(0, 1.5, (H, W, 3))
        top = np.full(W, 80)
    for x in range(W):
        img[top[x]:130, x] = crowns[top[x]:130, x]
    return np.clip(img, 0, 255).astype(np.uint8)


def test_a_dark_treeline_on_the_skyline_is_plants_dark_roofs_are_not():
    """Far and backlit, a forest loses its green and its leaves' contrast; it is still a band of
    fine detail every way meeting the sky. Roofs meet the sky too, but their lines run one way."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    for kind, low, high in (("forest", 0.6, 1.0), ("roofs", 0.0, 0.05)):
        rgb = skyline(kind)
        cues = compute_cues(rgb, [])
        foliage = classical_regions(rgb, cues.sky if cues.has_sky else None)["foliage"].mask
        assert low <= foliage[95:125, 10:-10].mean() <= high, kind
        assert foliage[145:].mean() < 0.02, kind  # not the sand
        grey = np.repeat(rgb.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
        cues = compute_cues(grey, [])
        grey_foliage = classical_regions(grey, cues.sky if cues.has_sky else None)["foliage"].mask
        assert grey_foliage.mean() < 0.02, kind  # without colour, crowns and roofs look alike


def test_weak_plant_evidence_brighter_than_every_plant_found_is_not_joined():
    """Shade makes leaves darker, never brighter: a pale wall beside the grass stays out."""
    from stillmotion.analysis.imaging import Measures
    from stillmotion.analysis.regions import _joined

    img = np.zeros((H, W, 3), np.uint8)
    img[:, :200] = (60, 90, 40)  # the grass found
    img[:, 200:300] = (35, 55, 25)  # its shade: weak evidence, darker
    img[:, 300:] = (235, 228, 200)  # a whitewashed wall: weak evidence, far brighter
    sure = np.zeros((H, W), bool)
    sure[:, :200] = True
    weak = np.zeros((H, W), bool)
    weak[:, 200:] = True
    joined = _joined(sure, weak, Measures(img))
    assert joined[:, :290].all() and not joined[:, 310:].any()


def test_dark_hair_against_a_pale_backdrop_is_no_treeline():
    """Without a sky found by the analysis there is no skyline: dark, dull hair of fine detail
    every way, standing against a pale studio backdrop, is not taken for a far treeline."""
    from stillmotion.analysis.regions import classical_regions

    rgb = skyline("forest")
    backdrop = (rgb[:, :, 2] > 200) & (np.arange(H)[:, None] < 130)  # where the forest scene has its sky
    rgb[backdrop] = (228, 230, 226)
    foliage = classical_regions(rgb, None)["foliage"].mask  # None: the analysis found no sky
    assert foliage[95:125, 10:-10].mean() < 0.05


def tower_in_the_grass() -> tuple[np.ndarray, np.ndarray]:
    """Grass (its top uneven) across the bottom; standing in it, a whitewashed tower in shade
    (x 180 to 194: yellowish, far smoother than leaves) and a slim cypress as narrow (x 300 to
    314: leaves' texture). Returns the photo and its sky."""
    rng = np.random.default_rng(3)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (110, 160, 225)
    noise = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 0.8)
    wall = np.array([150, 150, 95], np.float32) + 50 * (noise - 0.5)[..., None] * np.array([1, 1, 0.6], np.float32)
    img[60:215, 180:194] = wall[60:215, 180:194]
    img[60:215, 300:314] = leaves(rng, (155, 14))
    grass = leaves(rng, (H, W))
    top = 200 + (8 * np.sin(np.arange(W) / 4.0) + rng.integers(0, 6, W)).astype(int)
    for x in range(W):
        img[top[x]:, x] = grass[top[x]:, x]
    sky = np.zeros((H, W), np.float32)
    sky[:200] = 1.0
    sky[60:200, 180:194] = sky[60:200, 300:314] = 0.0
    return np.clip(img, 0, 255).astype(np.uint8), sky


def test_a_smooth_upright_band_joined_to_the_grass_is_a_wall_a_slim_tree_is_not():
    """kodak21: the shaded side of a whitewashed lighthouse, yellowish like the grass at its foot
    and joined to it, was swaying as plants. Narrow, upright and much smoother than the leaves
    of its part, it is a wall, not even a candidate; a cypress as slim keeps its leaves' texture."""
    from stillmotion.analysis.regions import classical_regions

    rgb, sky = tower_in_the_grass()
    foliage = classical_regions(rgb, sky)["foliage"]
    assert foliage.mask[80:190, 182:192].mean() < 0.05
    assert foliage.unsure is None or foliage.unsure[80:190, 182:192].mean() < 0.05
    assert foliage.mask[80:190, 302:312].mean() > 0.8 and foliage.mask[225:, 10:-10].mean() > 0.9


def hill_above_a_town(kind: str) -> np.ndarray:
    """Sky over the left half (x < 200); under it (rows 60 to 130, the top uneven) the crowns of a
    hill, and below them terraces (rows 130 to 210) that run on into a town reaching the top edge
    on the right: one dark, finely textured band, the crowns pale grey-mauve, the terraces and the
    town darker and browner. kind "bare": bare crowns, fine detail every way; "roofs": roofs whose
    lines all run one way in their place. Pale ground below."""
    rng = np.random.default_rng(11)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (150, 175, 215)
    noise = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 0.8)
    detail = np.clip((noise - noise.mean()) / noise.std() * 0.3 + 0.5, 0, 1)[..., None]
    if kind == "bare":
        crowns = np.array([50, 48, 53], np.float32) + detail * np.array([50, 48, 52], np.float32)
    else:
        lines = (55 + 30 * ((np.arange(H) // 3) % 2))[:, None, None] * np.ones((1, W, 3), np.float32)
        crowns = lines + rng.normal(0, 1.5, (H, W, 3))
    terraces = np.array([40, 34, 26], np.float32) + detail * np.array([40, 34, 26], np.float32)
    top = 60 + (6 * np.sin(np.arange(W) / 5.0) + rng.integers(0, 5, W)).astype(int)
    for x in range(200):
        img[top[x]:130, x] = crowns[top[x]:130, x]
    img[130:210] = terraces[130:210]
    img[:210, 200:] = terraces[:210, 200:]
    img[210:] = (190, 180, 160)
    return np.clip(img, 0, 255).astype(np.uint8)


def test_bare_crowns_on_a_hill_above_a_town_are_plants_the_terraces_and_town_are_not():
    """kodak08: bare, frosted trees on a hill stand against the sky, grey and mauve, without a
    leaf; their dark textured band runs on into the vineyard terraces and the town, so it is no
    treeline meeting the sky along its width. The crowns are what hangs from the skyline in the
    colour of its edge; the darker, browner terraces and town joined to them are not."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.regions import classical_regions

    for kind, low, high in (("bare", 0.7, 1.0), ("roofs", 0.0, 0.05)):
        rgb = hill_above_a_town(kind)
        cues = compute_cues(rgb, [])
        foliage = classical_regions(rgb, cues.sky if cues.has_sky else None)["foliage"].mask
        assert low <= foliage[75:125, 10:190].mean() <= high, kind
        assert foliage[140:205].mean() < 0.02 and foliage[:200, 215:].mean() < 0.02, kind  # terraces, town
        assert foliage[215:].mean() < 0.02, kind
        grey = np.repeat(rgb.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
        cues = compute_cues(grey, [])
        assert classical_regions(grey, cues.sky if cues.has_sky else None)["foliage"].mask.mean() < 0.02, kind


def test_a_smooth_red_shed_among_the_leaves_is_no_flower_a_textured_cluster_is():
    """kodak22: the red wall of a shed among the bushes (and its reflection in the pond) swayed as
    flowers. A coloured blob larger than a flower head must show the fine detail of a flower
    cluster; painted wood is smooth."""
    from stillmotion.analysis.regions import classical_regions

    rng = np.random.default_rng(4)
    img = leaves(rng, (H, W))
    img[140:164, 90:114] = (170, 45, 40)  # the shed's wall
    noise = cv2.GaussianBlur(rng.random((24, 24)).astype(np.float32), (0, 0), 0.8)
    petals = np.clip((noise - noise.mean()) / noise.std() * 0.3 + 0.5, 0, 1)[..., None]
    img[140:164, 270:294] = np.array([120, 20, 30], np.float32) + petals * np.array([120, 60, 50], np.float32)
    foliage = classical_regions(np.clip(img, 0, 255).astype(np.uint8), None)["foliage"].mask
    assert foliage[144:160, 94:110].mean() < 0.1
    assert foliage[144:160, 274:290].mean() > 0.9 and foliage[20:120].mean() > 0.9


def city_skyline(window: int) -> np.ndarray:
    """Grey towers of uneven heights under a blue sky, with rows of small lit and dark windows
    `window` pixels wide: dark, dull and finely detailed as far crowns, but built level and plumb."""
    rng = np.random.default_rng(2)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (150, 180, 225)
    x = 0
    while x < W:
        width, top, shade = int(rng.integers(25, 50)), int(rng.integers(40, 110)), float(rng.integers(50, 90))
        img[top:, x:x + width] = shade
        for y in range(top + 3, H, 2 * window):
            for wx in range(x + 3, x + width - 3, 2 * window):
                img[y:y + window, wx:wx + window] = shade + (60 if rng.random() < 0.5 else -25)
        x += width
    return np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)


def test_a_city_skyline_of_small_windows_is_no_treeline():
    """Rows of small windows meet the sky as a far treeline does, dark, dull and detailed every
    way at a glance; their edges run level and plumb, leaves' at every angle."""
    from stillmotion.analysis.cues import compute_cues
    from stillmotion.analysis.imaging import Measures
    from stillmotion.analysis.regions import classical_regions

    for window in (3, 4):
        rgb = city_skyline(window)
        cues = compute_cues(rgb, [])
        assert cues.has_sky
        assert classical_regions(rgb, cues.sky)["foliage"].mask.mean() < 0.02, window
    leafy = Measures(np.clip(leaves(np.random.default_rng(1), (H, W)), 0, 255).astype(np.uint8))
    assert 0.26 < float(np.median(leafy.oblique[leafy.texture > 0.1])) < 0.36  # about 1/pi: every angle


def test_a_yellow_frieze_of_battlements_is_not_sure_of_plants():
    """kodak08: a sunlit yellow stucco frieze with square notches and their shadows swayed as
    plants when asked for trees: yellow-green enough and detailed every way at a glance, but its
    edges run level and plumb. It is at most offered as unsure."""
    from stillmotion.analysis.regions import classical_regions

    rng = np.random.default_rng(8)
    img = np.zeros((H, W, 3), np.float32)
    img[:] = (150, 150, 145)
    noise = cv2.GaussianBlur(rng.random((H, W)).astype(np.float32), (0, 0), 0.7)[..., None]
    stucco = np.array([215, 195, 130], np.float32) + 40 * (noise - 0.5)
    img[100:190, 60:320] = stucco[100:190, 60:320]
    for x in range(60, 320, 16):  # the notches in shade, and the shadows they cast
        img[120:130, x + 8:x + 16] *= 0.55
        img[130:138, x + 4:x + 12] *= 0.7
    foliage = classical_regions(np.clip(img, 0, 255).astype(np.uint8), None)["foliage"]
    assert foliage.mask[100:190, 60:320].mean() < 0.05


def test_upright_grass_blades_are_not_built_a_grid_of_windows_is():
    """Straight upright strokes (grass blades seen close) have no oblique edges either; but they
    have no level ones, so they are not taken for something built. A grid of windows has both."""
    from stillmotion.analysis.imaging import Measures
    from stillmotion.analysis.regions import _built

    rng = np.random.default_rng(6)
    blades = np.repeat(rng.random((1, W)).astype(np.float32), H, axis=0)  # one shade per column
    grass = (np.array([40, 70, 25], np.float32) + blades[..., None] * np.array([90, 120, 40], np.float32)).astype(np.uint8)
    whole = np.ones((H, W), bool)
    assert float(np.median(Measures(grass).oblique[Measures(grass).texture > 0.1])) < 0.1
    assert not _built(Measures(grass), whole, (0, 0))
    city = city_skyline(4)
    assert _built(Measures(city), whole.copy() & (np.arange(H)[:, None] > 120), (0, 0))
