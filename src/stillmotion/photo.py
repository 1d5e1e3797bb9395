"""Loading a photo: any common format in, one RGB uint8 array out, checked at the edge."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import PhotoError

DEFAULT_MAX_PIXELS = 100_000_000  # refuse anything larger (decompression-bomb guard)
DEFAULT_MAX_SIDE = 4096  # photos are downscaled once, early, to at most this long side


@dataclass(frozen=True, eq=False)
class Photo:
    """A loaded photo: RGB uint8 pixels (EXIF orientation applied), its source and content hash."""

    pixels: np.ndarray  # H x W x 3, uint8, RGB
    sha256: str  # hash of the file's bytes: the cache key for analysis
    path: Path | None = None
    original_size: tuple[int, int] | None = None  # (width, height) before downscaling

    @property
    def width(self) -> int:
        return self.pixels.shape[1]

    @property
    def height(self) -> int:
        return self.pixels.shape[0]

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def load_photo(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS, max_side: int = DEFAULT_MAX_SIDE) -> Photo:
    """Load a photo file; raises PhotoError with a one-line reason when it cannot be used."""
    from PIL import Image, ImageOps

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PhotoError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise PhotoError(f"{path}: is a folder, not a photo") from None
    except OSError as exc:
        raise PhotoError(f"{path}: cannot read ({exc.strerror})") from None
    if not data:
        raise PhotoError(f"{path}: file is empty")
    import io

    try:
        image = Image.open(io.BytesIO(data))
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
    except Exception as exc:  # Pillow raises many types for bad data
        raise PhotoError(f"{path}: not a readable image ({exc.__class__.__name__})") from None
    original = image.size
    if max(original) > max_side:
        scale = max_side / max(original)
        image = image.resize((max(1, round(original[0] * scale)), max(1, round(original[1] * scale))), Image.LANCZOS)
    pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
    return Photo(pixels=pixels, sha256=hashlib.sha256(data).hexdigest(), path=path, original_size=original)


def photo_from_array(pixels: np.ndarray, name: str = "array") -> Photo:
    """Wrap an RGB uint8 array (tests, the studio) as a Photo with a content hash."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise PhotoError(f"{name}: expected an H x W x 3 uint8 RGB array, got {pixels.dtype} {pixels.shape}")
    pixels = np.ascontiguousarray(pixels)
    return Photo(pixels=pixels, sha256=hashlib.sha256(pixels.tobytes()).hexdigest(), path=None, original_size=(pixels.shape[1], pixels.shape[0]))
