"""Colour: the encoder's YUV conversion and tags, and wide-gamut photos (Display P3, Adobe RGB) brought to sRGB.

The tags are read back with PyAV (what ffprobe shows); the decoded frames are compared with the
photo with the decoder told nothing but what the file says. The ICC profiles are written by the
test itself (matrix/TRC ICC v2 profiles from the colour spaces' published primaries).
"""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image

from colour_card import psnr, saturated_card
from stillmotion.encode import VIDEO_COLOUR, EncoderSettings, VideoWriter
from stillmotion.photo import load_photo

SRGB_PRIMARIES = ((0.64, 0.33), (0.30, 0.60), (0.15, 0.06))
P3_PRIMARIES = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))
ADOBE_PRIMARIES = ((0.64, 0.33), (0.21, 0.71), (0.15, 0.06))
D65 = (0.3127, 0.3290)
D50_XYZ = np.array([0.9642, 1.0, 0.8249])


def plane_of(frame, index: int) -> np.ndarray:
    plane = frame.planes[index]
    return np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)[: plane.height, : plane.width]


def first_frame(path):
    """(frame 0 as RGB, decoded as the file's own tags say; the stream's codec context)."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frame = next(container.decode(stream))
        context = stream.codec_context
        tags = (context.colorspace, context.color_primaries, context.color_trc, context.color_range)
        rgb = frame.reformat(format="rgb24", src_colorspace=frame.colorspace, src_color_range=frame.color_range).to_ndarray()
    return rgb, tags, (frame.colorspace, frame.color_range)


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
@pytest.mark.parametrize("size", [(1280, 720), (848, 480)])
def test_tags_and_colours_survive_the_encoder(tmp_path, suffix, size):
    card = saturated_card(*size)
    path = tmp_path / f"card{suffix}"
    with VideoWriter(path, size, 30) as writer:
        for _ in range(3):
            writer.write(card)
    decoded, tags, frame_tags = first_frame(path)
    # matrix BT.601 (SMPTE 170M = 6), primaries and transfer BT.709 (1), limited range (1): ffprobe's
    # color_space=smpte170m, color_primaries=bt709, color_transfer=bt709, color_range=tv.
    assert tags == (6, 1, 1, 1) == (VIDEO_COLOUR.matrix, VIDEO_COLOUR.primaries, VIDEO_COLOUR.transfer, VIDEO_COLOUR.range)
    assert frame_tags == (6, 1)
    assert psnr(decoded, card) >= 40, psnr(decoded, card)
    patches = [decoded[40, 40], decoded[40, size[0] // 6 + 40], decoded[40, size[0] // 3 + 40]]
    assert np.abs(np.array(patches, int) - [(255, 0, 0), (0, 255, 0), (0, 0, 255)]).max() <= 4


def test_frames_are_encoded_with_the_tagged_matrix(tmp_path):
    """The encoder's luma is BT.601 limited range, as the tags say (decoded before any chroma is involved)."""
    import av

    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    path = tmp_path / "noise.mp4"
    with VideoWriter(path, (96, 64), 30, EncoderSettings(crf=0)) as writer:  # crf 0: lossless, the conversion alone
        writer.write(rgb)
    with av.open(str(path)) as container:
        luma = plane_of(next(container.decode(video=0)), 0)  # the Y plane as stored
    kr, kb = VIDEO_COLOUR.kr, VIDEO_COLOUR.kb
    exact = 16 + 219 / 255 * (rgb @ np.array([kr, 1 - kr - kb, kb]))
    assert np.abs(luma - exact).max() <= 1.0 and abs(float(np.mean(luma - exact))) < 0.1


def test_gif_palette_holds_the_srgb_values(tmp_path):
    card = saturated_card(640, 360)
    path = tmp_path / "card.gif"
    with VideoWriter(path, (640, 360), 15) as writer:
        writer.write(card)
    decoded = np.asarray(Image.open(path).convert("RGB"))
    for y, x in ((40, 40), (40, 150), (40, 260), (150, 40), (150, 370)):
        assert np.abs(decoded[y - 8 : y + 8, x - 8 : x + 8].reshape(-1, 3).mean(0) - card[y, x]).max() <= 2, (y, x)


# --- wide-gamut photos ---------------------------------------------------------------------------
def rgb_to_xyz(primaries, white=D65) -> np.ndarray:
    """The RGB -> XYZ matrix of a colour space from its primaries' and white's xy chromaticities."""
    def column(x, y):
        return np.array([x / y, 1.0, (1 - x - y) / y])

    m = np.stack([column(*p) for p in primaries], axis=1)
    scale = np.linalg.solve(m, column(*white))
    return m * scale


def bradford_to_d50(white=D65) -> np.ndarray:
    bradford = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])
    source = bradford @ (np.array([white[0] / white[1], 1.0, (1 - white[0] - white[1]) / white[1]]))
    target = bradford @ D50_XYZ
    return np.linalg.inv(bradford) @ np.diag(target / source) @ bradford


def icc_profile(name: str, primaries, curve: bytes) -> bytes:
    """A minimal ICC v2 RGB display profile: desc, wtpt, the D50-adapted colorants and one curve for all three."""
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    text = name.encode("ascii") + b"\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * 12 + b"\0" * 67
    colorants = bradford_to_d50() @ rgb_to_xyz(primaries)
    tags = [(b"desc", desc), (b"wtpt", xyz(D50_XYZ)), (b"rXYZ", xyz(colorants[:, 0])), (b"gXYZ", xyz(colorants[:, 1])),
            (b"bXYZ", xyz(colorants[:, 2])), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
            (b"cprt", b"text\0\0\0\0" + b"no copyright, made in a test\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = [], b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table.append(signature + struct.pack(">II", offset + len(body), len(data)))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp"
              + b"APPL" + b"\0" * 4 + b"\0" * 8 + b"\0" * 8 + b"\0" * 4 + b"".join(s15(v) for v in D50_XYZ) + b"lcms")
    header += b"\0" * (128 - len(header))
    return header + struct.pack(">I", len(tags)) + b"".join(table) + body


SRGB_CURVE = b"para\0\0\0\0" + struct.pack(">HH", 3, 0) + b"".join(
    struct.pack(">i", round(v * 65536)) for v in (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045))
ADOBE_CURVE = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563)  # gamma 563/256 = 2.19921875


def srgb_decode(values: np.ndarray) -> np.ndarray:
    v = values / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(linear: np.ndarray) -> np.ndarray:
    v = np.clip(linear, 0, 1)
    return 255 * np.where(v <= 0.0031308, 12.92 * v, 1.055 * v ** (1 / 2.4) - 0.055)


@pytest.mark.parametrize("name, primaries, curve, decode", [
    ("Display P3", P3_PRIMARIES, SRGB_CURVE, srgb_decode),
    ("Adobe RGB (1998)", ADOBE_PRIMARIES, ADOBE_CURVE, lambda v: (v / 255.0) ** (563 / 256)),
])
def test_wide_gamut_photos_are_converted_to_srgb(tmp_path, name, primaries, curve, decode):
    from PIL import ImageCms

    profile = icc_profile(name, primaries, curve)
    assert ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile))).strip() == name
    # In-gamut colours of both spaces (so no clipping decides the answer), plus grey.
    colours = np.array([[200, 120, 80], [60, 150, 90], [70, 90, 180], [128, 128, 128], [230, 200, 170], [40, 40, 40]], np.uint8)
    pixels = np.repeat(np.repeat(colours[None], 8, axis=0), 8, axis=1)  # 8 x 48, 8 x 8 per colour
    path = tmp_path / "wide.png"
    Image.fromarray(pixels).save(path, icc_profile=profile)

    loaded = load_photo(path).pixels[0, ::8].astype(np.float64)
    linear = decode(colours.astype(np.float64)) @ rgb_to_xyz(primaries).T  # to XYZ (D65)
    expected = srgb_encode(linear @ np.linalg.inv(rgb_to_xyz(SRGB_PRIMARIES)).T)
    assert np.abs(loaded - expected).max() <= 2.5, (loaded, expected.round())
    assert np.abs(colours - expected).max() >= 8  # left as they were, they would be visibly off


def test_srgb_photos_are_left_as_they_are(tmp_path):
    from PIL import ImageCms

    pixels = np.random.default_rng(2).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "srgb.png"
    Image.fromarray(pixels).save(path, icc_profile=profile)
    assert np.array_equal(load_photo(path).pixels, pixels)
