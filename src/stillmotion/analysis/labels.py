"""The project's scene classes, and which ADE20K labels (DeepLabV3 on ADE20K) each one gathers.

A segmentation provider answers with one soft mask per class in SCENE_CLASSES. The ADE20K
indices are those of the 150-class benchmark (1-based; 0 = "other"), as in the model's labels
file: 3 sky, 5 tree, 13 person, 22 water, 27 sea... Note 57 is the pool *table* and 110 the
swimming pool: only the second is water.
"""

from __future__ import annotations

# Classes the analysis knows; "foliage" is the region name the effects use for vegetation.
SCENE_CLASSES = ("sky", "water", "foliage", "person", "building", "ground", "upright")

ADE20K_GROUPS: dict[str, tuple[int, ...]] = {
    "sky": (3,),
    # water, sea, river, swimming pool, waterfall, fountain, lake
    "water": (22, 27, 61, 110, 114, 105, 129),
    # tree, grass, plant, flower, palm
    "foliage": (5, 10, 18, 67, 73),
    "person": (13,),
    # building, house, skyscraper, tower, hovel
    "building": (2, 26, 49, 85, 80),
    # floor, road, sidewalk, earth, rug, field, sand, path, runway, dirt track, land, stage, step
    "ground": (4, 7, 12, 14, 29, 30, 47, 53, 55, 92, 95, 102, 122),
    # Things that stand on the ground: vehicles, furniture, animals, rocks, mountains, fences...
    # bed, cabinet, door, table, mountain, curtain, chair, car, sofa, shelf, armchair, seat, fence,
    # desk, rock, wardrobe, lamp, bathtub, railing, column, counter, sink, refrigerator, stairs,
    # bookcase, pool table, bench, stove, bus, truck, streetlight, booth, boat, pole, van, ship,
    # hill, tent, bicycle, animal, sculpture, minibike, traffic light, ashcan, pier, bridge
    "upright": (8, 11, 15, 16, 17, 19, 20, 21, 24, 25, 31, 32, 33, 34, 35, 36, 37, 38, 39, 43, 46, 48, 51, 54,
                63, 57, 70, 72, 81, 84, 88, 89, 77, 94, 103, 104, 69, 115, 128, 127, 133, 117, 137, 139, 141, 62),
}
