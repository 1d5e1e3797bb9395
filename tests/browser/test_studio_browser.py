"""End to end in a real headless Chromium: upload a photo, generate a clip, watch it progress and play.

Needs Debian's chromium (/usr/bin/chromium) and Playwright for Python; the project's set-up
installs both. Screenshots land in the test's tmp folder, or in $STILLMOTION_SCREENSHOTS.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("STILLMOTION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHARED_PHOTO = Path(__file__).resolve().parents[3] / "shared" / "photos" / "kodak16_sea_clouds.png"


@contextlib.contextmanager
def headless_chromium():
    """Debian's Chromium driven by Playwright, with a fresh profile (the test skips without them)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install 'stillmotion[browser]')")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser():
    with headless_chromium() as browser:  # a fresh profile each test: nothing carried over
        yield browser


@pytest.fixture
def studio(tmp_path):
    from stillmotion.server.launch import start_server, stop_server

    process, base = start_server(tmp_path / "data", workers=1)
    try:
        yield base
    finally:
        stop_server(process)


@pytest.fixture
def photo(tmp_path) -> Path:
    if SHARED_PHOTO.exists():
        return SHARED_PHOTO
    import numpy as np
    from PIL import Image

    # A small synthetic landscape: a sky gradient over textured ground.
    rng = np.random.default_rng(3)
    image = np.zeros((512, 768, 3), np.uint8)
    image[:200] = np.linspace([120, 170, 230], [200, 220, 245], 200)[:, None, :].astype(np.uint8)
    image[200:] = rng.integers(40, 120, (312, 768, 1)) * np.array([[[0.6, 0.9, 0.5]]])
    path = tmp_path / "landscape.png"
    Image.fromarray(image).save(path)
    return path


def screenshots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("STILLMOTION_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_generate_a_clip_in_the_browser(browser, studio, photo, tmp_path):
    shots = screenshots_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The page's Content-Security-Policy must not block anything the page itself does.
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    page.goto(studio + "/")
    page.wait_for_selector("#camera option[value=orbit]", state="attached")  # /api/info has filled the form

    page.set_input_files("#file", str(photo))
    page.wait_for_selector("#preview:not([hidden])")
    page.fill("#prompt", "gentle waves, clouds drifting")
    page.check('input[name="duration"][value="custom"]', force=True)
    page.fill("#custom-duration", "4")
    page.select_option("#resolution", "480")
    page.click("#generate")

    # The progress bar must move: collect the values it shows until the video appears.
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if page.is_visible("#video"):
            break
        value = page.get_attribute("#progress", "aria-valuenow")
        if page.is_visible("#progress-wrap") and value is not None:
            seen.append(int(value))
        page.wait_for_timeout(40)
    assert page.is_visible("#video"), (f"no video after 120 s; status: {page.text_content('#status-text')!r}, "
                                       f"error: {page.text_content('#job-error')!r}")
    moving = sorted({v for v in seen if 0 < v < 100})
    assert moving, f"the progress bar never showed a value between 0 and 100 (saw {sorted(set(seen))})"

    # The video element must actually play: time advances and a frame has been decoded.
    playing = "() => { const v = document.getElementById('video'); return v.readyState >= 2 && v.currentTime > 0.3 && !v.paused; }"
    page.wait_for_function(playing, timeout=30_000)
    size = page.evaluate("() => [document.getElementById('video').videoWidth, document.getElementById('video').videoHeight]")
    assert min(size) == 480, size
    assert page.get_attribute("#download", "href").endswith("/video?download=1")
    page.wait_for_selector(".tile .badge.done")
    page.screenshot(path=str(shots / "studio-desktop.png"), full_page=False)

    # The plan with its explanation is shown and can be rendered again, edited.
    page.click("#plan-panel summary")
    plan_text = page.input_value("#plan-json")
    assert '"canvas"' in plan_text and '"camera"' in plan_text
    page.fill("#plan-json", plan_text.replace('"seed": 0', '"seed": 7'))
    page.click("#rerender")
    page.wait_for_function("() => document.querySelectorAll('.tile').length === 2")
    page.screenshot(path=str(shots / "studio-desktop-plan.png"), full_page=True)

    # Phone width: the same page, one column, still usable.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    phone.goto(studio + "/")
    phone.wait_for_selector(".tile")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px wide)"
    phone.screenshot(path=str(shots / "studio-phone.png"), full_page=True)
    # Opening a finished job from the gallery shows its video, ready to play.
    phone.click(".tile:has(.badge.done) .open")
    phone.wait_for_selector("#video:not([hidden])")
    phone.wait_for_function("() => document.getElementById('video').readyState >= 2")
    phone.screenshot(path=str(shots / "studio-phone-result.png"), full_page=False)
    assert not errors, errors


def test_errors_are_shown_in_words(browser, studio, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 860})
    page.goto(studio + "/")
    page.click("#generate")  # no photo yet
    page.wait_for_selector("#error:not([hidden])")
    assert "Choose a photo" in page.text_content("#error")

    fake = tmp_path / "notes.jpg"
    fake.write_text("this is not a photo")
    page.set_input_files("#file", str(fake))
    page.click("#generate")
    page.wait_for_function("() => document.getElementById('error').textContent.includes('not a photo')")
    text = page.text_content("#error")
    assert "notes.jpg" in text and "Traceback" not in text

    # The keyboard alone reaches the photo picker and the Generate button.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    focused = [page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")]
    for _ in range(40):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "drop" in focused and "generate" in focused and "prompt" in focused
    page.screenshot(path=str(screenshots_dir(tmp_path) / "studio-error.png"))


ATTACK = """<!doctype html><meta charset=utf-8><title>waiting</title>
<form id=classic method=post enctype=multipart/form-data action="STUDIO/api/jobs" target=sink>
<input name=photo_from value=JOB><input name=prompt value="a form from another site"></form>
<iframe name=sink></iframe>
<script>
const bytes = Uint8Array.from(atob("PHOTO"), (c) => c.charCodeAt(0));
const form = new FormData();
form.append("photo", new Blob([bytes], { type: "image/png" }), "x.png");
form.append("prompt", "a fetch from another site");
// A DELETE needs the studio's consent (a CORS preflight it never gives): the browser stops it first.
fetch("STUDIO/api/jobs", { method: "POST", mode: "no-cors", body: form })
  .then(() => fetch("STUDIO/api/jobs/JOB", { method: "DELETE" }).catch(() => null))
  .then(() => { document.getElementById("classic").submit(); document.title = "sent"; },
        (err) => { document.title = "failed: " + err; });
</script>"""


def test_a_page_from_another_port_cannot_change_the_studio(browser, studio, tmp_path):
    """A page of another site (here: this machine, another port) posts a job and a cancel to the
    studio, as a web page can without any token: the studio refuses both, and its own page's
    same request works."""
    import base64
    import io
    import json
    import threading
    import urllib.request
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 200)).save(buffer, format="PNG")
    photo = base64.b64encode(buffer.getvalue()).decode()

    def jobs() -> dict:
        with urllib.request.urlopen(studio + "/api/jobs?limit=100") as answer:
            return json.load(answer)

    # A job of the studio's own, made by its own page: the attack then also tries to cancel it.
    page = browser.new_page()
    page.goto(studio + "/")
    own = page.evaluate("""async (photo) => {
        const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
        const form = new FormData();
        form.append("photo", new Blob([bytes], { type: "image/png" }), "x.png");
        form.append("prompt", "the studio's own page");
        form.append("duration", "20");
        const answer = await fetch("/api/jobs", { method: "POST", body: form });
        return [answer.status, (await answer.json()).id];
    }""", photo)
    assert own[0] == 202, own
    html = ATTACK.replace("STUDIO", studio).replace("PHOTO", photo).replace("JOB", own[1]).encode()

    class Attacker(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        evil = browser.new_page()
        evil.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        evil.wait_for_function("() => document.title !== 'waiting'", timeout=15_000)
        assert evil.title() == "sent"
        evil.wait_for_timeout(1000)  # the classic form's POST lands in the frame
    finally:
        server.shutdown()
    listing = jobs()
    assert [j["prompt"] for j in listing["jobs"]] == ["the studio's own page"], listing
    assert listing["jobs"][0]["status"] in ("queued", "running")  # not cancelled by the other site


def wav_file(path: Path, seconds: float = 1.5, rate: int = 22050, freq: float = 330.0) -> Path:
    import wave

    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2").tobytes())
    return path


def audio_streams(path: Path) -> list[str]:
    import av

    with av.open(str(path)) as container:
        return [stream.codec_context.name for stream in container.streams.audio]


def choose(page, name: str, value: str) -> None:
    """Pick a segmented choice as a person does: a click on it (its radio button lies over its label),
    where nothing else covers it."""
    page.check(f'input[name="{name}"][value="{value}"]')


def wait_done(page, count: int, timeout_ms: int = 180_000) -> None:
    """Until `count` gallery tiles say done (a failed one fails the test with its error)."""
    page.wait_for_function(f"() => document.querySelectorAll('.tile .badge.done').length >= {count} || "
                           "document.querySelector('.tile .badge.failed')", timeout=timeout_ms)
    assert not page.query_selector(".tile .badge.failed"), page.text_content("#job-error")


def test_sound_in_the_studio_and_a_videos_plan_edited(browser, studio, photo, tmp_path):
    import json
    import urllib.request

    def api(path: str) -> dict:
        with urllib.request.urlopen(studio + path) as answer:
            return json.load(answer)

    shots = screenshots_dir(tmp_path)
    page = browser.new_page(viewport={"width": 1360, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))

    # "The model's sound" is offered only for the neural engine with a model that makes sound, and the
    # engine only where it is installed (the info is made to say so either way).
    def info_saying(installed: bool):
        def fake_info(route):
            answer = route.fetch()
            route.fulfill(response=answer, json={**answer.json(), "neural_installed": installed})
        return fake_info

    for installed in (False, True):
        page.route("**/api/info", info_saying(installed))
        page.goto(studio + "/")
        page.wait_for_selector("#camera option[value=orbit]", state="attached")
        assert page.is_hidden("#sound-model")
        assert page.is_visible("#engine-row") is installed
        page.unroute("**/api/info")
    page.select_option("#engine", "neural")
    page.select_option("#model", "ltx-2")
    assert page.is_visible("#sound-model")
    choose(page, "sound", "model")
    page.select_option("#model", "ltx-video")  # makes no sound: the choice goes, back to automatic
    assert page.is_hidden("#sound-model") and page.is_checked('input[name="sound"][value="auto"]')
    page.select_option("#engine", "cpu")
    assert page.is_hidden("#model-wrap") and page.is_hidden("#sound-model")

    # Sound off: the job says so and its video has no audio stream.
    page.set_input_files("#file", str(photo))
    page.fill("#prompt", "gentle waves, clouds drifting")
    choose(page, "duration", "custom")
    page.fill("#custom-duration", "1")
    page.select_option("#resolution", "480")
    choose(page, "sound", "none")
    assert page.is_hidden("#volume-wrap")
    page.click("#generate")
    wait_done(page, 1)
    (silent,) = api("/api/jobs")["jobs"]
    assert silent["options"]["audio"] == "none"
    urllib.request.urlretrieve(studio + silent["video_url"], tmp_path / "silent.mp4")
    assert audio_streams(tmp_path / "silent.mp4") == []

    # My music: the file goes with the job, and the video plays it (Chromium decodes the track).
    choose(page, "sound", "file")
    page.click("#generate")
    page.wait_for_selector("#error:not([hidden])")
    assert "Choose a sound file" in page.text_content("#error")
    page.set_input_files("#audio-input", str(wav_file(tmp_path / "my song.wav")))
    assert page.text_content("#audio-name") == "my song.wav"
    page.fill("#volume", "0.5")
    page.click("#generate")
    wait_done(page, 2)
    music = api("/api/jobs")["jobs"][0]
    assert music["options"]["audio"] == f"{music['id']}-audio.wav" and music["options"]["audio_volume"] == 0.5
    assert music["plan"]["audio"]["mode"] == "file"
    video = tmp_path / "music.mp4"
    urllib.request.urlretrieve(studio + music["video_url"], video)
    assert audio_streams(video) == ["aac"]
    heard = page.evaluate("""async (url) => {
        const bytes = await (await fetch(url)).arrayBuffer();
        const audio = await new OfflineAudioContext(2, 48000, 48000).decodeAudioData(bytes);
        const left = audio.getChannelData(0);
        let sum = 0;
        for (const x of left) sum += x * x;
        return {duration: audio.duration, rms: Math.sqrt(sum / left.length)};
    }""", music["video_url"])
    assert abs(heard["duration"] - 1.0) < 0.1 and heard["rms"] > 0.01, heard
    page.screenshot(path=str(shots / "studio-sound.png"), full_page=True)

    # The video, opened on the page, gives back its plan; its photo and sound are found in the studio.
    choose(page, "sound", "auto")
    page.set_input_files("#video-input", str(video))
    page.wait_for_function("() => document.getElementById('plan-source').textContent.includes('in the gallery')")
    plan_text = page.input_value("#plan-json")
    plan = json.loads(plan_text)
    assert plan["audio"]["file"] == f"{music['id']}-audio.wav" and plan["photo_sha256"] == music["plan"]["photo_sha256"]
    page.fill("#plan-json", json.dumps({**plan, "seed": 7}, indent=2))
    page.click("#rerender")
    wait_done(page, 3)
    again = api("/api/jobs")["jobs"][0]
    assert again["plan"]["seed"] == 7 and again["plan"]["audio"]["file"] == f"{again['id']}-audio.wav"
    page.screenshot(path=str(shots / "studio-video-plan.png"), full_page=True)

    # Once the studio has neither its photo nor its sound, the video's plan asks for both.
    for job in api("/api/jobs")["jobs"]:
        page.evaluate("async (id) => { await fetch(`/api/jobs/${id}`, {method: 'DELETE'}); }", job["id"])
    page.reload()
    page.wait_for_selector("#camera option[value=orbit]", state="attached")
    page.set_input_files("#video-input", str(video))
    page.wait_for_function("() => document.getElementById('plan-source').textContent.includes('Choose its original photo')")
    assert "which this studio does not have" in page.text_content("#plan-source")
    assert page.is_checked('input[name="sound"][value="file"]') and page.is_visible("#choose-audio")
    page.click("#rerender")
    page.wait_for_function("() => document.getElementById('plan-error').textContent.includes('Choose the original photo')")
    page.set_input_files("#file", str(photo))
    page.click("#rerender")  # the plan's sound file is gone from the studio: said in words
    page.wait_for_function("() => document.getElementById('plan-error').textContent.includes(\"not one of this studio's audio files\")")
    page.set_input_files("#audio-input", str(tmp_path / "my song.wav"))
    page.click("#rerender")
    page.wait_for_function("() => document.querySelectorAll('.tile').length === 1")
    page.screenshot(path=str(shots / "studio-video-plan-asks.png"), full_page=True)
    (remade,) = api("/api/jobs")["jobs"]
    assert remade["plan"]["camera"] == plan["camera"] and remade["plan"]["audio"]["file"] == f"{remade['id']}-audio.wav"
    assert not errors, errors
