"""A real player: headless Chromium shows frame 0 of our videos with the photo's colours, and decodes their sound.

Each video is served by a small local HTTP server, played by a <video> element, drawn to a canvas
at its first presented frame and read back as PNG; the result must be within 40 dB PSNR of the
test card it was made from (the GIF: within 2 levels per patch, dithering aside). The sound is
fetched and decoded by Web Audio. The launch flags are the studio browser test's.
"""

from __future__ import annotations

import base64
import functools
import io
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image
from test_studio_browser import headless_chromium

from colour_card import psnr, saturated_card

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"1080p": (1920, 1080), "720p": (1280, 720), "480p": (848, 480)}

FIRST_FRAME = """async (src) => {
  const video = document.createElement('video');
  video.muted = true;
  document.body.appendChild(video);
  await new Promise((done, fail) => {
    video.onerror = () => fail(new Error('cannot play ' + src + ': ' + (video.error && video.error.message)));
    video.requestVideoFrameCallback(() => { video.pause(); done(); });
    video.src = src;
    video.play();
  });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth; canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas.toDataURL('image/png');
}"""
IMAGE = """async (src) => {
  const image = new Image(); image.src = src; await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas.toDataURL('image/png');
}"""
SOUND = """async (src) => {
  const bytes = await (await fetch(src)).arrayBuffer();
  const audio = await new OfflineAudioContext(2, 48000, 48000).decodeAudioData(bytes);
  const left = audio.getChannelData(0);
  let energy = 0; for (const x of left) energy += x * x;
  return {channels: audio.numberOfChannels, rate: audio.sampleRate, duration: audio.duration,
          rms: Math.sqrt(energy / left.length)};
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(folder, base URL): files written to the folder are served on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "index.html").write_text("<!doctype html><title>player</title><body></body>")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def page(served):
    with headless_chromium() as browser:
        page = browser.new_page()
        page.goto(served[1] + "/index.html")
        yield page


def shown(page, script: str, url: str) -> np.ndarray:
    data = page.evaluate(script, url)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGB"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_chromium_shows_the_photos_colours(page, served, size, suffix):
    from stillmotion.encode import VideoWriter

    folder, base = served
    card = saturated_card(*SIZES[size])
    name = f"card-{size}{suffix}"
    with VideoWriter(folder / name, SIZES[size], 30) as writer:
        for _ in range(3):
            writer.write(card)
    frame = shown(page, FIRST_FRAME, f"{base}/{name}")
    assert frame.shape == card.shape
    quality = psnr(frame, card)
    print(f"chromium {suffix} {size}: {quality:.2f} dB")
    assert quality >= 40, f"{suffix} at {size}: {quality:.2f} dB in Chromium"


@pytest.mark.parametrize("size", SIZES)
def test_chromium_shows_the_gif_palette_as_srgb(page, served, size):
    import cv2

    from stillmotion.encode import VideoWriter

    folder, base = served
    card = saturated_card(*SIZES[size])
    name = f"card-{size}.gif"
    with VideoWriter(folder / name, SIZES[size], 15) as writer:
        writer.write(card)
    frame = shown(page, IMAGE, f"{base}/{name}")
    small = cv2.resize(card, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_AREA)
    print(f"chromium .gif {size}: {psnr(frame, small):.2f} dB")
    step = frame.shape[1] / card.shape[1]
    for x in (0.05, 0.2, 0.38, 0.55, 0.72, 0.9):
        y, column = int(0.12 * frame.shape[0]), int(x * frame.shape[1])
        patch = frame[y - 4 : y + 4, column - 4 : column + 4].reshape(-1, 3).mean(axis=0)
        expected = card[int(0.12 * card.shape[0]), int(column / step)]
        assert np.abs(patch - expected).max() <= 2, (size, x, patch, expected)


@pytest.mark.parametrize("suffix", [".mp4", ".webm"])
def test_chromium_decodes_the_sound(page, served, photo_file, suffix):
    import stillmotion

    folder, base = served
    out = stillmotion.animate(photo_file, folder / f"rain{suffix}", prompt="heavy rain, clouds drifting",
                              duration=2.0, resolution=480, force=True)
    sound = page.evaluate(SOUND, f"{base}/{out.name}")
    print(f"chromium {suffix} sound: {sound}")
    assert sound["channels"] == 2 and sound["rate"] == 48000
    assert abs(sound["duration"] - 2.0) <= 1 / 30, sound["duration"]  # the video's length, to the frame
    assert sound["rms"] > 0.01
