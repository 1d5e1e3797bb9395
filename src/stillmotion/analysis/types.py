"""What the analysis knows about a photo. Plain arrays and dataclasses, cacheable."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Face:
    """One face, in normalised photo coordinates (0..1 of width and height)."""

    box: tuple[float, float, float, float]  # x, y, w, h
    score: float = 1.0
    # Dense landmarks (e.g. FaceMesh's 478 points incl. irises) as an N x 2 (or N x 3) array, x and y
    # normalised like the box; None when only a box is known.
    landmarks: np.ndarray | None = None


@dataclass
class Analysis:
    """Per-photo understanding, at analysis resolution (maps are H x W float32 in 0..1).

    depth: nearness, 0 = farthest, 1 = nearest (relative inverse depth, as Depth Anything gives).
    subject: soft mask of the main subject (people, the salient object).
    sky: soft mask of the sky (0 where there is none).
    regions: further named soft masks ("water", "foliage", "light", "person", ...); a name ending
        in "_unsure" ("water_unsure") is a candidate the analysis did not dare to call, for a
        sentence that asks for it by name.
    depth_source, segmentation_source: the providers, as a plan records them ("classical", "onnx",
        "deeplab" or a model file's path), so that the same analysis can be asked for again.
    notes: what the analysis left out and why, in plain words (the plan's explanation shows them).
    """

    depth: np.ndarray
    subject: np.ndarray
    sky: np.ndarray
    faces: list[Face] = field(default_factory=list)
    regions: dict[str, np.ndarray] = field(default_factory=dict)
    depth_source: str = "classical"
    segmentation_source: str = "classical"
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the maps."""
        return self.depth.shape[1], self.depth.shape[0]

    def mask(self, name: str) -> np.ndarray | None:
        """A named soft mask: "sky", "subject", a region name, or None when unknown."""
        if name == "sky":
            return self.sky
        if name == "subject":
            return self.subject
        return self.regions.get(name)


@dataclass
class Segmentation:
    """Soft masks (H x W float32 in 0..1) per scene class; a class a provider cannot tell is absent.

    unsure: candidates the provider did not dare to call (the classical water without evidence),
    for the director to use only when a sentence asks for them. notes: what was left out and why,
    in plain words, for the plan's explanation.
    """

    masks: dict[str, np.ndarray]
    source: str
    unsure: dict[str, np.ndarray] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, name: str) -> np.ndarray | None:
        return self.masks.get(name)
