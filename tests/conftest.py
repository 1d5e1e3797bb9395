"""Shared fixtures: an isolated cache, small synthetic photos, and the shared photos when present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own analysis cache: no test sees another's (or the user's) cache."""
    monkeypatch.setenv("STILLMOTION_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def scene_image(width: int = 320, height: int = 240, seed: int = 0) -> np.ndarray:
    """A small synthetic 'landscape': smooth blue sky, textured ground, a near textured block."""
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.uint8)
    horizon = height * 2 // 5
    sky = np.linspace(200, 150, horizon)[:, None]
    img[:horizon] = np.stack([sky * 0.6, sky * 0.8, sky + 40], axis=-1).clip(0, 255).astype(np.uint8)
    ground = rng.integers(60, 140, (height - horizon, width, 1))
    img[horizon:] = np.concatenate([ground, ground * 0.9 + 20, ground * 0.5], axis=-1).clip(0, 255).astype(np.uint8)
    x0, x1, y0, y1 = width * 2 // 5, width * 3 // 5, height // 3, height * 4 // 5
    block = rng.integers(150, 255, (y1 - y0, x1 - x0, 1))
    img[y0:y1, x0:x1] = np.concatenate([block, block // 3, block // 4], axis=-1).astype(np.uint8)
    return img


@pytest.fixture
def photo_file(tmp_path) -> Path:
    """A small synthetic photo saved as PNG."""
    from PIL import Image

    path = tmp_path / "scene.png"
    Image.fromarray(scene_image()).save(path)
    return path


@pytest.fixture
def shared_photos() -> Path:
    """The shared photo folder; tests that need it skip on machines without it."""
    if not SHARED_PHOTOS.is_dir():
        pytest.skip("../shared/photos is not available on this machine")
    return SHARED_PHOTOS
