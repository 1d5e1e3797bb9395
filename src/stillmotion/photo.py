"""Loading a photo: any common format in, one RGB uint8 array out, checked at the edge.

`load_photo` works in this order, each step cheap before the next costly one:

1. read the file's bytes once: they are hashed (the analysis cache key) and decoded from memory;
2. parse the header only and refuse an image over the pixel limit before anything is decoded;
3. decode, at reduced scale for large JPEGs (libjpeg's DCT scaling through Pillow's draft mode),
   and fully: a truncated or corrupt file is an error, never a half-grey photo;
4. bring the pixels to 8 bits: 16-bit and float data are scaled (not clipped), palettes expanded;
5. flatten: alpha composited over white (what image viewers show behind a transparent photo),
   CMYK to RGB (through its ICC profile when it has one);
6. downscale once to `max_side` (long side; or a rule's answer for the header's size, so a
   caller loads what it will show) by area averaging (OpenCV INTER_AREA);
7. a non-sRGB RGB profile (Display P3, Adobe RGB) converted to sRGB, on the smaller image;
8. grey to RGB, and the EXIF orientation applied last, where it is cheapest.

Animated GIF/WebP and multi-page TIFF: the first frame is the photo.
Every failure is a PhotoError (or MissingDependency) whose message is one line for the user.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import cv2
import numpy as np
from PIL import Image, ImageCms

from .errors import PhotoError, missing

DEFAULT_MAX_PIXELS = 100_000_000  # refuse anything larger (decompression-bomb guard)
DEFAULT_MAX_SIDE = 4096  # photos are downscaled once, early, to at most this long side
MAX_PIXELS_ENV = "STILLMOTION_MAX_PIXELS"
BACKGROUND = (255, 255, 255)  # what shows through transparent pixels

# Pillow format names we accept. Others Pillow could parse (EPS, PDF, ICO, ...) are refused:
# fewer parsers facing untrusted uploads, and none that shells out.
SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "TIFF", "BMP", "DIB", "GIF", "HEIF", "AVIF", "PPM"})
SUPPORTED_TEXT = "JPEG, PNG, WebP, TIFF, BMP, GIF or HEIC"

# First bytes of the formats we accept, to tell "corrupt JPEG" from "not an image at all".
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
# ISO-BMFF brands of HEIF/HEIC stills and sequences (AVIF is read by Pillow itself).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})

_ORIENTATION_TAG = 0x0112  # EXIF orientation: 1 upright, 2-8 flips and quarter turns

_heif_registered = False

# The long side to load at: a number, or a rule of the photo's upright (width, height) from its
# header, so a caller can size the load by what it will show (api.working_side) in one decode.
SideRule = int | Callable[[tuple[int, int]], int]


@dataclass(frozen=True, eq=False)
class Photo:
    """A loaded photo: RGB uint8 pixels (EXIF orientation applied), its source and content hash."""

    pixels: np.ndarray  # H x W x 3, uint8, RGB (read-only when loaded from a file)
    sha256: str  # hash of the file's bytes: the cache key for analysis
    path: Path | None = None
    original_size: tuple[int, int] | None = None  # (width, height) upright, before downscaling

    @property
    def width(self) -> int:
        return self.pixels.shape[1]

    @property
    def height(self) -> int:
        return self.pixels.shape[0]

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def max_pixels_from_env() -> int:
    """The pixel limit: $STILLMOTION_MAX_PIXELS if set (200000000, 200_000_000 or 2e8), else the default."""
    text = os.environ.get(MAX_PIXELS_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_PIXELS
    try:
        value = int(float(text.replace("_", "")))
    except (ValueError, OverflowError):
        raise PhotoError(f"{MAX_PIXELS_ENV}={text!r} is not a number of pixels; use e.g. {MAX_PIXELS_ENV}=200000000") from None
    if value < 1:
        raise PhotoError(f"{MAX_PIXELS_ENV}={text!r} must be at least 1 pixel")
    return value


def load_photo(path: str | Path, *, max_pixels: int | None = None, max_side: SideRule = DEFAULT_MAX_SIDE) -> Photo:
    """Load a photo file as upright 8-bit RGB, at most `max_side` pixels on its long side.

    `max_side` may also be a rule: a function of the photo's upright (width, height), read from
    its header, that gives the long side (a JPEG then decodes at the scale the rule asks for).
    `max_pixels` (default: $STILLMOTION_MAX_PIXELS, else 100 million) refuses larger images from
    their header, before decoding. Raises PhotoError with a one-line reason when the file cannot
    be used, or MissingDependency for a HEIC photo without pillow-heif.
    """
    path = Path(path)
    if max_pixels is None:
        max_pixels = max_pixels_from_env()
    if max_pixels < 1 or (not callable(max_side) and max_side < 1):
        raise PhotoError(f"max_pixels and max_side must be at least 1, got {max_pixels} and {max_side}")
    data = _read_bytes(path)
    pixels, original = decode_photo(data, str(path), max_pixels=max_pixels, max_side=max_side)
    return Photo(pixels=pixels, sha256=hashlib.sha256(data).hexdigest(), path=path, original_size=original)


@dataclass(frozen=True)
class PhotoHeader:
    """What a photo file's header says, read without decoding its pixels."""

    format: str  # Pillow's name for it: JPEG, PNG, WEBP, ...
    width: int  # upright: the EXIF orientation applied
    height: int
    orientation: int  # EXIF orientation, 1 (upright) to 8

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height


def read_header(path: str | Path, *, max_pixels: int | None = None) -> PhotoHeader:
    """A photo's format, upright size and EXIF orientation from its header alone: no pixel is decoded.

    Cheap enough to check an upload with (a server that must not decode), and refuses what
    load_photo would refuse from the header: not a supported photo, no pixels, over the pixel
    limit (`max_pixels` as for load_photo). Pixels corrupt past the header pass here and fail
    in load_photo. A PNG's EXIF stored after its pixels is not read (orientation 1).
    """
    path = Path(path)
    if max_pixels is None:
        max_pixels = max_pixels_from_env()
    with _file_errors(path), open(_regular(path), "rb") as stream:
        head = stream.read(64)
        if not head:
            raise PhotoError(f"{path}: file is empty (0 bytes)")
        stream.seek(0)
        if _looks_like_heif(head):
            _register_heif_opener(str(path))
        _allow_up_to(max_pixels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open(head, str(path), max_pixels, stream=stream)
            orientation = _header_orientation(image)
            fmt, size = image.format, _upright(image.size, orientation)
    return PhotoHeader(format=fmt, width=size[0], height=size[1], orientation=orientation)


def photo_from_array(pixels: np.ndarray, name: str = "array") -> Photo:
    """Wrap an RGB uint8 array (tests, the studio) as a Photo with a content hash."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise PhotoError(f"{name}: expected an H x W x 3 uint8 RGB array, got {pixels.dtype} {pixels.shape}")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise PhotoError(f"{name}: the array has no pixels ({pixels.shape[1]} x {pixels.shape[0]})")
    pixels = np.ascontiguousarray(pixels)
    return Photo(pixels=pixels, sha256=hashlib.sha256(pixels.tobytes()).hexdigest(), path=None,
                 original_size=(pixels.shape[1], pixels.shape[0]))


def _read_bytes(path: Path) -> bytes:
    """The whole file, once; one clear line for each way that can fail."""
    with _file_errors(path):
        data = _regular(path).read_bytes()
    if not data:  # emptied between stat and read
        raise PhotoError(f"{path}: file is empty (0 bytes)")
    return data


@contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    """Reading a file's bytes: one clear line for each way that can fail."""
    try:
        yield
    except FileNotFoundError:
        raise PhotoError(f"{path}: file not found") from None
    except PermissionError:
        raise PhotoError(f"{path}: cannot read the file (permission denied)") from None
    except IsADirectoryError:
        raise PhotoError(f"{path}: is a folder, not a photo") from None
    except OSError as exc:
        raise PhotoError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _regular(path: Path) -> Path:
    """The path, once it is known to be a non-empty regular file (a FIFO would block, a device never end)."""
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise PhotoError(f"{path}: is a folder, not a photo")
    if not stat.S_ISREG(info.st_mode):
        raise PhotoError(f"{path}: not a regular file")
    if info.st_size == 0:
        raise PhotoError(f"{path}: file is empty (0 bytes)")
    return path


def decode_photo(data: bytes, name: str = "photo", *, max_pixels: int | None = None,
                 max_side: SideRule = DEFAULT_MAX_SIDE) -> tuple[np.ndarray, tuple[int, int]]:
    """Encoded image bytes -> (H x W x 3 uint8 RGB upright pixels, upright (width, height) before downscaling).

    `name` is only used in messages. `max_pixels` and `max_side` as for load_photo.
    """
    if max_pixels is None:
        max_pixels = max_pixels_from_env()

    if _looks_like_heif(data):
        _register_heif_opener(name)
    _allow_up_to(max_pixels)
    with warnings.catch_warnings():
        # Pillow's metadata warnings ("Corrupt EXIF data", ...) would be noise on stderr; its
        # decompression-bomb warning must stop the load instead.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, name, max_pixels)
        width, height = image.size
        fmt = image.format or "image"
        target = _fit((width, height), _side(max_side, image, name))
        if target != (width, height) and fmt in ("JPEG", "MPO"):
            image.draft("RGB", target)  # libjpeg decodes at 1/2, 1/4 or 1/8 scale: no larger than needed
        try:
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large(name, _pixels_in(exc), max_pixels) from None
        except MemoryError:
            raise
        except Exception as exc:  # Pillow's decoders raise OSError, ValueError, SyntaxError, ...
            raise PhotoError(f"{name}: truncated or corrupt {fmt} file ({_reason(exc)})") from None
        orientation = _orientation(image)
        icc = image.info.get("icc_profile")
        mode = image.mode
        try:
            image, icc_pending = _flatten(_to_8bit(image), icc)
            pixels = np.asarray(image)
            if image.size != target:
                import cv2  # area averaging: the right filter for shrinking, and fast

                pixels = cv2.resize(pixels, target, interpolation=cv2.INTER_AREA)
            if icc_pending:
                pixels = _icc_to_srgb(pixels, icc_pending)
        except MemoryError:
            raise
        except Exception as exc:
            raise PhotoError(f"{name}: cannot convert its {mode} pixels to RGB ({_reason(exc)})") from None
    pixels = _orient(_to_rgb(pixels), orientation)
    original = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    pixels.setflags(write=False)  # a Photo is identified by its hash: its pixels never change
    return pixels, original


def _open(data: bytes, name: str, max_pixels: int, stream=None):
    """Parse the header only (Pillow opens lazily) and check format, size and pixel count.

    data: the file's bytes, or only its first bytes when `stream` (an open file) is given."""
    try:
        image = Image.open(stream if stream is not None else io.BytesIO(data))
    except Image.UnidentifiedImageError:
        known = _signature(data)
        declared = _declared_size(data)
        if declared and min(declared) <= 0:
            raise PhotoError(f"{name}: the image has no pixels (its header says {declared[0]} x {declared[1]})") from None
        if known:
            raise PhotoError(f"{name}: truncated or corrupt {known} file (its header cannot be read)") from None
        raise PhotoError(f"{name}: not a photo (unrecognised file format; use {SUPPORTED_TEXT})") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(name, _declared_size(data) or _pixels_in(exc), max_pixels) from None
    except MemoryError:
        raise
    except Exception as exc:
        raise PhotoError(f"{name}: truncated or corrupt {_signature(data) or 'image'} file ({_reason(exc)})") from None
    if image.format not in SUPPORTED_FORMATS:
        raise PhotoError(f"{name}: {image.format} files are not supported; use {SUPPORTED_TEXT}")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise PhotoError(f"{name}: the image has no pixels ({width} x {height})")
    if width * height > max_pixels:
        raise _too_large(name, (width, height), max_pixels)
    return image


def _too_large(name: str, size: tuple[int, int] | int | None, limit: int) -> PhotoError:
    if isinstance(size, tuple):
        count = size[0] * size[1]
        what = f"{size[0]} x {size[1]} = {count:,} pixels"
    elif size:
        count, what = size, f"{size:,} pixels"
    else:
        count, what = limit + 1, "the image"
    return PhotoError(
        f"{name}: {what} is over the limit of {limit:,} pixels (a guard against decompression bombs); "
        f"if you trust the file, raise it with {MAX_PIXELS_ENV}={count} or load_photo(..., max_pixels={count})"
    )


def _pixels_in(exc: Exception) -> int | None:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    return int(match.group(1)) if match else None


def _allow_up_to(max_pixels: int) -> None:
    """Let our limit decide: raise Pillow's global guard (never lower it) to at least max_pixels."""
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """The size with its long side at most max_side (exactly max_side when it was longer), aspect kept."""
    width, height = size
    long_side = max(width, height)
    if long_side <= max_side:
        return size
    scale = max_side / long_side
    if width >= height:
        return max_side, max(1, round(height * scale))
    return max(1, round(width * scale)), max_side


def _side(rule: SideRule, image, name: str) -> int:
    """The long side to load an opened (not yet decoded) image at: the number given, or the
    rule's answer for the photo's upright size."""
    if not callable(rule):
        return rule
    side = rule(_upright(image.size, _header_orientation(image)))
    if side < 1:
        raise PhotoError(f"{name}: the long side to load at must be at least 1, got {side}")
    return side


def _header_orientation(image) -> int:
    """The EXIF orientation as the header tells it, before any pixel is decoded: a PNG's EXIF
    stored after its pixels is not read (Pillow would decode them all to find it)."""
    exif_in_header = image.format != "PNG" or "exif" in image.info
    return _orientation(image) if exif_in_header else 1


def _upright(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """(width, height) once the EXIF orientation is applied: quarter turns swap them."""
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _orientation(image) -> int:
    """The EXIF orientation (1 to 8); a photo is never refused for broken metadata."""
    try:
        value = int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return 1
    return value if 1 <= value <= 8 else 1


def _to_8bit(image):
    """Any decoded mode -> an 8-bit mode that resizes well: L, LA, RGB, RGBA or CMYK."""
    mode = image.mode
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if mode.startswith("I;16") or mode in ("I", "F"):
        return Image.fromarray(_scale_to_uint8(np.asarray(image), mode), mode="L")
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode in ("La", "RGBa"):  # premultiplied alpha
        return image.convert("LA" if mode == "La" else "RGBA")
    if mode == "1":
        return image.convert("L")
    return image.convert("RGB")  # YCbCr, RGBX, HSV, LAB, ... (Pillow raises for what it cannot)


def _scale_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
    """16-bit, 32-bit and float grey to 0..255 by scaling, never by clipping.

    16-bit data (and 32-bit integer data within 0..65535) maps 65535 to 255; float data within
    0..1 maps 1.0 to 255; anything else is stretched from its own minimum to its maximum.
    """
    if mode.startswith("I;16") or (mode == "I" and values.size and values.min() >= 0 and values.max() <= 65535):
        wide = values.astype(np.uint32)
        return ((wide * 255 + 32767) // 65535).astype(np.uint8)
    values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    if mode == "F" and low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    span = high - low or 1.0
    return np.clip(np.rint((values - low) * (255.0 / span)), 0, 255).astype(np.uint8)


def _flatten(image, icc: bytes | None):
    """8-bit L/LA/RGB/RGBA/CMYK -> (L or RGB image, the ICC profile still to apply after resizing).

    Alpha is composited over BACKGROUND before resizing: compositing is linear, so this equals
    resizing premultiplied colour, without dark fringes from the colour of transparent pixels.
    CMYK goes to RGB here, through its profile when it has one (CMYK photos are rare; RGB ones
    get their profile applied after resizing, on fewer pixels).
    """
    if image.mode in ("LA", "RGBA"):
        grey = image.mode == "LA"
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, BACKGROUND)
        image.paste(rgba, mask=rgba.getchannel("A"))  # a masked paste blends: a * photo + (1 - a) * background
        if grey:
            return image.convert("L"), None
    if image.mode == "CMYK":
        converted = _icc_transform(image, icc) if icc else None
        return (converted or image.convert("RGB")), None
    if image.mode == "RGB" and icc and not _is_srgb(icc):
        return image, icc
    return image, None


def _is_srgb(icc: bytes) -> bool:
    try:
        return "srgb" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).lower()
    except Exception:
        return True  # unreadable profile: nothing to convert with, keep the pixels as they are


def _icc_transform(image, icc: bytes):
    """The image converted to sRGB RGB through its embedded profile; None when that fails."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except Exception:  # a broken or mismatched profile: keep the pixels as they are
        return None


def _icc_to_srgb(pixels: np.ndarray, icc: bytes) -> np.ndarray:
    converted = _icc_transform(Image.fromarray(pixels, mode="RGB"), icc)
    return pixels if converted is None else np.asarray(converted)


def _to_rgb(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2:
        return np.repeat(pixels[:, :, None], 3, axis=2)
    return pixels


def _orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation (2 to 8) so the photo stands upright; 1 and others: unchanged."""
    if orientation == 2:
        return cv2.flip(pixels, 1)
    if orientation == 3:
        return cv2.rotate(pixels, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(pixels, 0)
    if orientation == 5:
        return cv2.transpose(pixels)
    if orientation == 6:
        return cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.rotate(cv2.transpose(pixels), cv2.ROTATE_180)
    if orientation == 8:
        return cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return pixels


def _signature(data: bytes) -> str | None:
    for magic, fmt in _SIGNATURES:
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp":
        return "AVIF" if data[8:12] in (b"avif", b"avis") else "HEIC"
    return None


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the fixed-place headers of PNG, GIF and BMP, for messages only."""
    try:
        if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return struct.unpack("<HH", data[6:10])
        if data.startswith(b"BM") and struct.unpack("<I", data[14:18])[0] >= 40:
            width, height = struct.unpack("<ii", data[18:26])
            return width, abs(height)  # negative height: rows stored top-down
    except struct.error:
        return None
    return None


def _looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _register_heif_opener(name: str) -> None:
    """Teach Pillow HEIC/HEIF (iPhone photos) on first need, so other loads never import pillow-heif."""
    global _heif_registered
    if _heif_registered:
        return
    try:
        import pillow_heif
    except ImportError:
        raise missing("pillow-heif", needed_for=f"{name}: HEIC/HEIF photos") from None
    pillow_heif.register_heif_opener()
    _heif_registered = True


def _reason(exc: Exception) -> str:
    """An exception as a short, single-line reason."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text if len(text) <= 120 else text[:117] + "..."
