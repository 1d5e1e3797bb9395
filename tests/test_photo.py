"""Photo loading: formats, orientation, pixel modes, the pixel-limit guard, downscaling, bad files.

Every image is written in-process into tmp_path; only the last test reads ../shared/photos.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import sys
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pillow_heif
import pytest
from PIL import Image

from stillmotion import photo as photo_module
from stillmotion.errors import MissingDependency, PhotoError, StillmotionError
from stillmotion.photo import Photo, decode_photo, load_photo, photo_from_array

SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"

# An upright 48 x 32 test card: four solid quadrants, so any flip or rotation is visible.
QUADRANTS = {"top_left": (220, 30, 30), "top_right": (30, 200, 40), "bottom_left": (40, 40, 210), "bottom_right": (240, 230, 40)}


def card(width: int = 48, height: int = 32) -> np.ndarray:
    pixels = np.zeros((height, width, 3), np.uint8)
    h2, w2 = height // 2, width // 2
    pixels[:h2, :w2] = QUADRANTS["top_left"]
    pixels[:h2, w2:] = QUADRANTS["top_right"]
    pixels[h2:, :w2] = QUADRANTS["bottom_left"]
    pixels[h2:, w2:] = QUADRANTS["bottom_right"]
    return pixels


def quadrant_colours(pixels: np.ndarray) -> dict[str, np.ndarray]:
    """Mean colour of the middle of each quadrant (away from JPEG ringing at the edges)."""
    h, w = pixels.shape[:2]
    ys = {"top": slice(h // 8, 3 * h // 8), "bottom": slice(5 * h // 8, 7 * h // 8)}
    xs = {"left": slice(w // 8, 3 * w // 8), "right": slice(5 * w // 8, 7 * w // 8)}
    return {f"{y}_{x}": pixels[ys[y], xs[x]].reshape(-1, 3).mean(axis=0) for y in ys for x in xs}


def assert_is_card(pixels: np.ndarray, tolerance: float = 12.0) -> None:
    found = quadrant_colours(pixels)
    for where, colour in QUADRANTS.items():
        assert np.abs(found[where] - colour).max() <= tolerance, f"{where}: {found[where]} != {colour}"


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def load(path: Path, **kwargs) -> Photo:
    photo = load_photo(path, **kwargs)
    assert photo.pixels.dtype == np.uint8 and photo.pixels.ndim == 3 and photo.pixels.shape[2] == 3
    assert photo.pixels.flags.c_contiguous
    return photo


def png_bytes(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A PNG written by hand, so its header can declare any size."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    if idat is None:
        idat = zlib.compress(b"\x00" * 100)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def error_of(path, **kwargs) -> str:
    with pytest.raises(PhotoError) as info:
        load_photo(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.strip() == message
    return message


# ---------------------------------------------------------------- formats

@pytest.mark.parametrize("fmt, suffix, options, tolerance", [
    ("JPEG", ".jpg", {"quality": 95}, 12),
    ("PNG", ".png", {}, 0),
    ("WEBP", ".webp", {"lossless": True}, 0),
    ("WEBP", ".webp", {"quality": 90}, 12),
    ("TIFF", ".tif", {}, 0),
    ("TIFF", ".tif", {"compression": "tiff_lzw"}, 0),
    ("BMP", ".bmp", {}, 0),
    ("GIF", ".gif", {}, 0),
    ("PPM", ".ppm", {}, 0),
])
def test_formats_load_as_rgb(tmp_path, fmt, suffix, options, tolerance):
    path = save(Image.fromarray(card()), tmp_path / f"card{suffix}", format=fmt, **options)
    photo = load(path)
    assert photo.size == (48, 32) and photo.original_size == (48, 32)
    assert photo.path == path
    assert_is_card(photo.pixels, tolerance)
    if tolerance == 0:
        assert np.array_equal(photo.pixels, card())


def test_mpo_first_picture(tmp_path):
    """Phones write JPEGs with extra pictures (MPO): the first one is the photo, drafted like a JPEG."""
    big = np.repeat(np.repeat(card(), 25, axis=0), 25, axis=1)  # 1200 x 800
    path = save(Image.fromarray(big), tmp_path / "phone.jpg", format="MPO", save_all=True,
                append_images=[Image.new("RGB", (1200, 800), (0, 0, 0))])
    photo = load(path, max_side=300)
    assert photo.size == (300, 200)
    assert_is_card(photo.pixels)


def test_extension_does_not_matter(tmp_path):
    """The format comes from the bytes: a PNG named .jpg still loads."""
    path = save(Image.fromarray(card()), tmp_path / "really_a_png.jpg", format="PNG")
    assert np.array_equal(load(path).pixels, card())


def test_heic_loads(tmp_path):
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build has no HEVC encoder to write a test file")
    pillow_heif.register_heif_opener()
    path = save(Image.fromarray(card(64, 48)), tmp_path / "card.heic", format="HEIF", quality=95)
    photo = load(path)
    assert photo.size == (64, 48)
    assert_is_card(photo.pixels, tolerance=20)


def test_heic_without_pillow_heif_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "phone.heic"
    path.write_bytes(struct.pack(">I", 24) + b"ftypheic" + b"\x00" * 4 + b"mif1heic" + b"\x00" * 64)
    monkeypatch.setattr(photo_module, "_heif_registered", False)
    monkeypatch.setitem(sys.modules, "pillow_heif", None)  # import now raises ImportError
    with pytest.raises(MissingDependency, match=r"pip install pillow-heif") as info:
        load_photo(path)
    assert isinstance(info.value, StillmotionError) and "\n" not in str(info.value)


def test_unsupported_format_is_refused_by_name(tmp_path):
    path = save(Image.fromarray(card()), tmp_path / "icon.ico", format="ICO")
    assert "ICO files are not supported" in error_of(path)


# ---------------------------------------------------------------- EXIF orientation

# How to store the upright card so that a viewer applying orientation N shows it upright:
# the inverse of the transpose that orientation N asks for.
STORE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # shown after ROTATE_270
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,  # shown after ROTATE_90
}


def stored_with_orientation(orientation: int) -> tuple[Image.Image, Image.Exif]:
    image = Image.fromarray(card())
    if STORE_FOR_ORIENTATION[orientation] is not None:
        image = image.transpose(STORE_FOR_ORIENTATION[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    return image, exif


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_jpeg(tmp_path, orientation):
    image, exif = stored_with_orientation(orientation)
    path = save(image, tmp_path / f"o{orientation}.jpg", format="JPEG", quality=95, exif=exif)
    photo = load(path)
    assert photo.size == (48, 32) and photo.original_size == (48, 32)
    assert_is_card(photo.pixels)


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("WEBP", ".webp"), ("TIFF", ".tif")])
@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_other_formats(tmp_path, fmt, suffix, orientation):
    image, exif = stored_with_orientation(orientation)
    options = {"lossless": True} if fmt == "WEBP" else {}
    path = save(image, tmp_path / f"o{orientation}{suffix}", format=fmt, exif=exif, **options)
    photo = load(path)
    assert np.array_equal(photo.pixels, card())


def test_rotated_and_downscaled_together(tmp_path):
    """Stored 384 x 576 with orientation 6: upright it is 576 x 384, and max_side applies to that."""
    image, exif = stored_with_orientation(6)
    image = image.resize((image.width * 12, image.height * 12), Image.Resampling.NEAREST)
    path = save(image, tmp_path / "big_rotated.jpg", format="JPEG", quality=95, exif=exif)
    photo = load(path, max_side=120)
    assert photo.original_size == (48 * 12, 32 * 12)
    assert photo.size == (120, 80)
    assert_is_card(photo.pixels)


def test_broken_orientation_values_are_ignored(tmp_path):
    for value in (0, 9, 300):
        image = Image.fromarray(card())
        exif = Image.Exif()
        exif[0x0112] = value
        path = save(image, tmp_path / f"odd{value}.png", exif=exif)
        assert np.array_equal(load(path).pixels, card())


# ---------------------------------------------------------------- pixel modes

def test_grayscale_l(tmp_path):
    grey = np.tile(np.arange(0, 256, 4, dtype=np.uint8), (16, 1))
    photo = load(save(Image.fromarray(grey, mode="L"), tmp_path / "grey.png"))
    assert photo.pixels.shape == (16, 64, 3)
    assert np.array_equal(photo.pixels[..., 0], grey) and np.array_equal(photo.pixels[..., 2], grey)


def test_bilevel(tmp_path):
    image = Image.fromarray(np.eye(16, dtype=bool))
    assert image.mode == "1"
    photo = load(save(image, tmp_path / "bits.png"))
    assert photo.pixels[3, 3].tolist() == [255, 255, 255] and photo.pixels[3, 4].tolist() == [0, 0, 0]


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_grey_is_scaled_not_clipped(tmp_path, suffix):
    values = np.array([[0, 257, 10000, 32896, 50000, 65535]], dtype=np.uint16).repeat(4, axis=0)
    image = Image.fromarray(values)  # mode I;16
    assert image.mode.startswith("I;16")
    photo = load(save(image, tmp_path / f"grey16{suffix}"))
    expected = np.rint(values / 257.0).astype(np.uint8)
    assert np.array_equal(photo.pixels[..., 1], expected)  # 10000 -> 39, not 255


def test_32_bit_integer_grey(tmp_path):
    values = np.array([[0, 1000, 40000, 65535]], dtype=np.int32).repeat(2, axis=0)
    image = Image.fromarray(values, mode="I")
    photo = load(save(image, tmp_path / "grey32.tif"))
    assert photo.pixels[0, :, 0].tolist() == np.rint(values[0] / 257.0).astype(int).tolist()


def test_32_bit_integer_grey_out_of_16_bit_range_is_stretched(tmp_path):
    values = np.array([[-100000, 0, 100000]], dtype=np.int32).repeat(2, axis=0)
    photo = load(save(Image.fromarray(values, mode="I"), tmp_path / "wide.tif"))
    assert photo.pixels[0, :, 0].tolist() == [0, 128, 255]


@pytest.mark.parametrize("values, expected", [
    ([0.0, 0.25, 0.5, 1.0], [0, 64, 128, 255]),  # 0..1 data maps 1.0 to white
    ([-1.0, 0.0, 1.0, 3.0], [0, 64, 128, 255]),  # anything else: stretched from its own range
])
def test_float_grey(tmp_path, values, expected):
    data = np.array([values], dtype=np.float32).repeat(2, axis=0)
    photo = load(save(Image.fromarray(data, mode="F"), tmp_path / "float.tif"))
    assert photo.pixels[0, :, 0].tolist() == expected


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_rgb(tmp_path, suffix):
    rgb16 = np.zeros((8, 8, 3), np.uint16)
    rgb16[..., 0], rgb16[..., 1], rgb16[..., 2] = 54975, 5280, 65535
    assert cv2.imwrite(str(tmp_path / f"rgb16{suffix}"), rgb16[..., ::-1])  # OpenCV writes BGR
    photo = load(tmp_path / f"rgb16{suffix}")
    assert np.abs(photo.pixels[4, 4].astype(int) - [214, 21, 255]).max() <= 1


@pytest.mark.parametrize("scale, max_side", [(1, 4096), (20, 160)])
def test_cmyk_jpeg_and_tiff(tmp_path, scale, max_side):
    cmyk = np.zeros((16 * scale, 32 * scale, 4), np.uint8)
    cmyk[:, : 16 * scale] = (255, 0, 0, 0)  # pure cyan ink
    cmyk[:, 16 * scale:] = (0, 0, 0, 128)  # half black ink: mid grey
    image = Image.fromarray(cmyk, mode="CMYK")
    for path in (save(image, tmp_path / "cmyk.jpg", quality=95), save(image, tmp_path / "cmyk.tif")):
        pixels = load(path, max_side=max_side).pixels.astype(int)
        assert pixels.shape == (16 * min(scale, 5), 32 * min(scale, 5), 3)
        h, w = pixels.shape[:2]
        assert np.abs(pixels[h // 2, w // 8] - [0, 255, 255]).max() <= 8, path
        assert np.abs(pixels[h // 2, 7 * w // 8] - [127, 127, 127]).max() <= 8, path


def test_srgb_profile_keeps_pixels_and_broken_profile_is_ignored(tmp_path):
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.fromarray(card())
    assert np.array_equal(load(save(image, tmp_path / "srgb.png", icc_profile=srgb)).pixels, card())
    assert np.array_equal(load(save(image, tmp_path / "junk.png", icc_profile=b"not a profile")).pixels, card())


def rgb_icc_profile(red, green, blue, description: str, gamma: float = 2.2) -> bytes:
    """A minimal ICC v2 display profile written by hand: three colorants (D50 XYZ), one gamma curve."""
    def s15(value):
        return struct.pack(">i", round(value * 65536))

    def xyz(values):
        return b"XYZ " + b"\0" * 4 + b"".join(s15(v) for v in values)
    text = description.encode("ascii") + b"\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 8 + b"\0" * 70
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve), (b"cprt", b"text" + b"\0" * 4 + b"none\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + b"\0" * 12 + b"acsp" + b"\0" * 28 + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


# sRGB's colorants adapted to D50; a profile with red and green swapped makes a conversion visible.
SRGB_RED, SRGB_GREEN, SRGB_BLUE = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)


@pytest.mark.parametrize("suffix, max_side", [(".png", 4096), (".jpg", 4096), (".jpg", 40)])
def test_non_srgb_profile_is_converted_to_srgb(tmp_path, suffix, max_side):
    swapped = rgb_icc_profile(SRGB_GREEN, SRGB_RED, SRGB_BLUE, "red and green swapped")
    image = Image.new("RGB", (96, 64), (200, 100, 50))
    photo = load(save(image, tmp_path / f"swapped{suffix}", icc_profile=swapped, quality=95), max_side=max_side)
    assert photo.size == ((96, 64) if max_side > 96 else (40, 27))
    assert np.abs(photo.pixels.reshape(-1, 3).mean(axis=0) - [100, 201, 46]).max() <= 3


def test_alpha_is_composited_over_white(tmp_path):
    rgba = np.zeros((4, 3, 4), np.uint8)
    rgba[..., :3] = (200, 40, 0)
    rgba[..., 3] = np.array([0, 128, 255], np.uint8)
    photo = load(save(Image.fromarray(rgba, mode="RGBA"), tmp_path / "alpha.png"))
    assert photo.pixels[0, 0].tolist() == [255, 255, 255]  # fully transparent -> background
    assert photo.pixels[0, 2].tolist() == [200, 40, 0]  # opaque -> itself
    assert np.abs(photo.pixels[0, 1].astype(int) - [227, 147, 127]).max() <= 2  # half -> halfway


def test_grey_with_alpha(tmp_path):
    la = np.stack([np.full((2, 2), 0, np.uint8), np.array([[0, 255], [255, 0]], np.uint8)], axis=-1)
    photo = load(save(Image.fromarray(la, mode="LA"), tmp_path / "la.png"))
    assert photo.pixels[0, 0].tolist() == [255, 255, 255] and photo.pixels[0, 1].tolist() == [0, 0, 0]


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_palette_with_transparency(tmp_path, suffix):
    image = Image.new("P", (4, 4), 1)
    image.putpalette([10, 20, 30, 200, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    photo = load(save(image, tmp_path / f"palette{suffix}", transparency=0))
    assert photo.pixels[0, 0].tolist() == [255, 255, 255]  # the transparent index
    assert photo.pixels[2, 2].tolist() == [200, 0, 0]


def test_palette_without_transparency(tmp_path):
    image = Image.fromarray(card()).convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    assert_is_card(load(save(image, tmp_path / "palette.png")).pixels, tolerance=2)


@pytest.mark.parametrize("fmt, suffix", [("GIF", ".gif"), ("WEBP", ".webp")])
def test_animated_first_frame(tmp_path, fmt, suffix):
    colours = [(250, 0, 0), (0, 250, 0), (0, 0, 250)]
    frames = [Image.new("RGB", (20, 10), colour) for colour in colours]
    options = {"lossless": True} if fmt == "WEBP" else {}
    path = save(frames[0], tmp_path / f"anim{suffix}", format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **options)
    with Image.open(path) as check:
        assert getattr(check, "n_frames", 1) == 3
    photo = load(path)
    assert photo.size == (20, 10)
    assert np.abs(photo.pixels.astype(int) - colours[0]).max() <= 4


def test_multipage_tiff_first_page(tmp_path):
    pages = [Image.new("RGB", (8, 8), (10, 20, 30)), Image.new("RGB", (8, 8), (200, 200, 200))]
    path = save(pages[0], tmp_path / "pages.tif", save_all=True, append_images=pages[1:])
    assert load(path).pixels[0, 0].tolist() == [10, 20, 30]


# ---------------------------------------------------------------- pixel limit

def test_pixel_limit_from_argument_is_checked_before_decoding(tmp_path, monkeypatch):
    path = save(Image.fromarray(card(100, 50)), tmp_path / "card.png")
    from PIL import ImageFile

    def no_decoding(self):
        raise AssertionError("decoded an image that is over the limit")
    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    message = error_of(path, max_pixels=4999)
    assert "100 x 50 = 5,000 pixels" in message and "4,999" in message
    assert "STILLMOTION_MAX_PIXELS=5000" in message and "max_pixels" in message


def test_pixel_limit_boundary(tmp_path):
    path = save(Image.fromarray(card(100, 50)), tmp_path / "card.png")
    assert load(path, max_pixels=5000).size == (100, 50)


def test_pixel_limit_from_environment(tmp_path, monkeypatch):
    path = save(Image.fromarray(card(100, 50)), tmp_path / "card.png")
    monkeypatch.setenv("STILLMOTION_MAX_PIXELS", "1000")
    assert "over the limit of 1,000 pixels" in error_of(path)
    assert load(path, max_pixels=10_000).size == (100, 50)  # the argument wins over the variable
    monkeypatch.setenv("STILLMOTION_MAX_PIXELS", "1e4")
    assert load(path).size == (100, 50)
    monkeypatch.setenv("STILLMOTION_MAX_PIXELS", "lots")
    assert "STILLMOTION_MAX_PIXELS='lots' is not a number" in error_of(path)


def test_bomb_header_is_refused_fast_without_decoding():
    """A 100000 x 100000 PNG header over 100 bytes of data: refused from the header."""
    with pytest.raises(PhotoError, match=r"100000 x 100000 = 10,000,000,000 pixels is over the limit"):
        decode_photo(png_bytes(100_000, 100_000), "bomb.png")


def test_pillow_bomb_warning_becomes_photo_error(monkeypatch):
    """Pillow's own guard (its warning range) ends in a PhotoError, and nothing leaks to stderr."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = png_bytes(40, 40, zlib.compress(b"\x00" * (40 * 3 + 1) * 40))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(PhotoError, match=r"1,600 pixels is over the limit of 500 pixels"):
            decode_photo(data, "warned.png", max_pixels=500)
    assert not caught


def test_our_limit_overrides_a_smaller_pillow_limit(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    data = png_bytes(50, 50, zlib.compress(b"\x00" * (50 * 3 + 1) * 50))  # 2,500 px: over 2x Pillow's
    pixels, size = decode_photo(data, "ok.png", max_pixels=10_000)
    assert pixels.shape == (50, 50, 3) and size == (50, 50)


# ---------------------------------------------------------------- downscaling

@pytest.mark.parametrize("size, expected", [((3000, 2000), (1000, 667)), ((2000, 3000), (667, 1000)), ((1000, 1000), (1000, 1000)),
                                            ((999, 10), (999, 10))])
def test_fit(size, expected):
    assert photo_module._fit(size, 1000) == expected


@pytest.mark.parametrize("fmt, suffix", [("JPEG", ".jpg"), ("PNG", ".png")])
def test_large_photo_downscaled_to_exact_long_side(tmp_path, fmt, suffix):
    big = np.repeat(np.repeat(card(), 50, axis=0), 50, axis=1)  # 2400 x 1600
    path = save(Image.fromarray(big), tmp_path / f"big{suffix}", format=fmt)
    photo = load(path, max_side=500)
    assert photo.size == (500, 333) and photo.original_size == (2400, 1600)
    assert_is_card(photo.pixels)


def test_jpeg_draft_mode_is_used(tmp_path, monkeypatch):
    """Large JPEGs decode at reduced scale (libjpeg DCT scaling), not in full then shrunk."""
    big = np.repeat(np.repeat(card(), 50, axis=0), 50, axis=1)  # 2400 x 1600
    path = save(Image.fromarray(big), tmp_path / "big.jpg")
    from PIL import JpegImagePlugin

    decoded_sizes = []
    real_load = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        result = real_load(self)
        decoded_sizes.append(self.size)
        return result
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    photo = load(path, max_side=500)
    assert decoded_sizes and set(decoded_sizes) == {(600, 400)}  # 1/4 scale, then resized to 500 x 333
    assert photo.size == (500, 333)


def test_small_photos_are_not_upscaled(tmp_path):
    path = save(Image.fromarray(card()), tmp_path / "small.png")
    assert load(path, max_side=4096).size == (48, 32)


# ---------------------------------------------------------------- bad files

def test_not_an_image(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some words, not a photo\n")
    assert "not a photo (unrecognised file format" in error_of(path)


def test_pdf_is_not_a_photo(tmp_path):
    path = tmp_path / "doc.jpg"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert "not a photo" in error_of(path)


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_jpeg(tmp_path, progressive, keep):
    rng = np.random.default_rng(1)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(buffer, "JPEG", quality=90, progressive=progressive)
    data = buffer.getvalue()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: int(len(data) * keep)])
    assert "truncated or corrupt JPEG" in error_of(path)


def test_jpeg_header_only(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(card()).save(buffer, "JPEG")
    path = tmp_path / "stub.jpg"
    path.write_bytes(buffer.getvalue()[:24])
    assert "truncated or corrupt JPEG" in error_of(path)


def test_truncated_png(tmp_path):
    rng = np.random.default_rng(2)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(buffer, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert "truncated or corrupt PNG" in error_of(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert error_of(path) == f"{path}: file is empty (0 bytes)"


def test_missing_file(tmp_path):
    assert error_of(tmp_path / "nope.jpg") == f"{tmp_path / 'nope.jpg'}: file not found"


def test_folder(tmp_path):
    assert error_of(tmp_path) == f"{tmp_path}: is a folder, not a photo"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.jpg")
    assert "not a regular file" in error_of(tmp_path / "pipe.jpg")


def test_permission_denied(tmp_path, monkeypatch):
    path = save(Image.fromarray(card()), tmp_path / "locked.png")
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        path.chmod(0)  # a real unreadable file (root reads anything, so then simulate it)
    else:
        def denied(self):
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(Path, "read_bytes", denied)
    assert error_of(path) == f"{path}: cannot read the file (permission denied)"


@pytest.mark.parametrize("width, height", [(0, 10), (10, 0)])
def test_zero_size_png(tmp_path, width, height):
    path = tmp_path / "zero.png"
    path.write_bytes(png_bytes(width, height))
    assert f"the image has no pixels (its header says {width} x {height})" in error_of(path)


def test_zero_width_bmp(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(card()).save(buffer, "BMP")
    data = bytearray(buffer.getvalue())
    data[18:22] = struct.pack("<i", 0)
    path = tmp_path / "zero.bmp"
    path.write_bytes(bytes(data))
    assert "the image has no pixels" in error_of(path)


def test_corrupt_middle_of_png(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(3).integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    data[200:400] = b"\x00" * 200  # scrambles the compressed stream (and its CRC)
    path = tmp_path / "broken.png"
    path.write_bytes(bytes(data))
    assert "truncated or corrupt PNG" in error_of(path)


def test_errors_are_value_errors_too(tmp_path):
    with pytest.raises(ValueError):
        load_photo(tmp_path / "missing.png")


# ---------------------------------------------------------------- identity

def test_sha256_is_of_the_file_bytes_read_once(tmp_path, monkeypatch):
    path = save(Image.fromarray(card()), tmp_path / "card.jpg", quality=90)
    reads = []
    real_read_bytes = Path.read_bytes

    def counting(self):
        reads.append(self)
        return real_read_bytes(self)
    monkeypatch.setattr(Path, "read_bytes", counting)
    photo = load(path)
    assert reads == [path]
    assert photo.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_pixels_different_bytes_different_hash(tmp_path):
    a = save(Image.fromarray(card()), tmp_path / "a.png", compress_level=1)
    b = save(Image.fromarray(card()), tmp_path / "b.png", compress_level=9)
    assert load(a).sha256 != load(b).sha256 and np.array_equal(load(a).pixels, load(b).pixels)


def test_loaded_pixels_are_read_only(tmp_path):
    photo = load(save(Image.fromarray(card()), tmp_path / "card.png"))
    with pytest.raises(ValueError):
        photo.pixels[0, 0] = 0


def test_photo_from_array():
    pixels = card()
    photo = photo_from_array(pixels, "card")
    assert photo.size == (48, 32) and photo.original_size == (48, 32) and photo.path is None
    assert photo.sha256 == hashlib.sha256(pixels.tobytes()).hexdigest()
    with pytest.raises(PhotoError, match="expected an H x W x 3 uint8 RGB array"):
        photo_from_array(pixels.astype(np.float32))
    with pytest.raises(PhotoError, match="expected an H x W x 3 uint8 RGB array"):
        photo_from_array(pixels[..., 0])
    with pytest.raises(PhotoError, match="no pixels"):
        photo_from_array(np.zeros((0, 5, 3), np.uint8))


def test_bad_arguments():
    with pytest.raises(PhotoError, match="at least 1"):
        load_photo("whatever.jpg", max_side=0)


def test_public_names():
    import stillmotion

    assert stillmotion.load_photo is load_photo
    for name in ("Photo", "load_photo", "photo_from_array", "decode_photo", "DEFAULT_MAX_PIXELS", "DEFAULT_MAX_SIDE"):
        assert hasattr(photo_module, name)


# ---------------------------------------------------------------- the shared photos

def shared_photo_files() -> list[Path]:
    if not SHARED_PHOTOS.is_dir():
        return []
    suffixes = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic"}
    return sorted(p for p in SHARED_PHOTOS.iterdir() if p.suffix.lower() in suffixes)


@pytest.fixture
def shared_photos() -> list[Path]:
    files = shared_photo_files()
    if not files:
        pytest.skip("../shared/photos is not here")
    return files


def test_every_shared_photo_loads(shared_photos):
    for path in shared_photos:
        photo = load_photo(path, max_side=1024)
        assert photo.pixels.dtype == np.uint8 and photo.pixels.ndim == 3 and photo.pixels.shape[2] == 3, path
        assert max(photo.size) == min(1024, max(photo.original_size)), path
        assert abs(photo.width / photo.height - photo.original_size[0] / photo.original_size[1]) < 0.01, path
        assert 5 < photo.pixels.mean() < 250, path  # decoded, not blank
