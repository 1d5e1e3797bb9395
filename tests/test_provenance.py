"""The plan travels with the video: embedded in every format, read back, rendered again; a disclosure; no paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import stillmotion
from stillmotion.cli import main
from stillmotion.errors import PhotoError, PlanError
from stillmotion.provenance import DISCLOSURE, PLAN_TAG, embeddable_plan, provenance_for, read_plan, read_tags

FORMATS = (".mp4", ".webm", ".gif")
DAY = 1767225600  # 2026-01-01 00:00 UTC


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(DAY))
    for name in ("STILLMOTION_C2PA_CERT", "STILLMOTION_C2PA_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def album(tmp_path, photo_file) -> Path:
    """The photo in a folder whose path says something personal: it must not reach the video."""
    folder = tmp_path / "home" / "alice" / "Family album"
    folder.mkdir(parents=True)
    return Path(shutil.copy(photo_file, folder / "grandma.png"))


def decoded_frames(path: Path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_plan_round_trips_through_every_format(tmp_path, album, suffix):
    out = stillmotion.animate(album, tmp_path / f"clip{suffix}", prompt="gentle rain, slow push in", duration=1.0, resolution=480)
    plan, _, _ = stillmotion.prepare(album, "gentle rain, slow push in", duration=1.0, resolution=480)
    embedded = read_plan(out)
    assert embedded.to_dict() == plan.with_changes(photo="grandma.png").to_dict()
    assert embedded.schema_version == 1 and embedded.photo_sha256 == plan.photo_sha256
    document = json.loads(read_tags(out)[PLAN_TAG])
    assert document["stillmotion"] == stillmotion.__version__


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_metadata_holds_no_path_and_says_what_was_done(tmp_path, album, suffix):
    sound = tmp_path / "home" / "alice" / "music" / "song.wav"
    sound.parent.mkdir(parents=True)
    write_tone(sound, 1.0)
    out = stillmotion.animate(album, tmp_path / f"clip{suffix}", prompt="clouds drifting", duration=1.0, resolution=480,
                              audio=str(sound))
    tags = read_tags(out)
    data = Path(out).read_bytes()
    for private in ("alice", "Family album", str(tmp_path), "music"):
        assert private not in json.dumps(tags) and private.encode() not in data, private
    plan = json.loads(tags[PLAN_TAG])["plan"]
    assert plan["photo"] == "grandma.png" and plan["audio"]["file"] == "song.wav"
    assert tags["disclosure"] == DISCLOSURE
    assert tags["software"] == f"stillmotion {stillmotion.__version__}" and tags["date"] == "2026-01-01"
    assert tags["comment"] == f"{DISCLOSURE} (stillmotion {stillmotion.__version__}, 2026-01-01)"
    assert tags["description"] == f"made with stillmotion {stillmotion.__version__} from a photo; camera {read_plan(out).camera.type}; " \
                                  "effects clouds"


def test_other_paths_in_a_plan_are_reduced_to_file_names():
    plan = stillmotion.Plan.from_dict({
        "photo": "C:\\Users\\bob\\Pictures\\beach.jpg", "depth": "/home/bob/models/depth.onnx",
        "segmentation": "/home/bob/models/deeplab.tflite",
        "effects": [{"type": "water", "region": {"mask": "/home/bob/masks/sea.png"},
                     "freeze": {"mask": "/home/bob/masks/boat.png"}}],
        "audio": {"mode": "file", "file": "/home/bob/Music/waves.ogg"},
    })
    data = embeddable_plan(plan)
    assert data["photo"] == "beach.jpg" and data["depth"] == "depth.onnx" and data["audio"]["file"] == "waves.ogg"
    assert data["segmentation"] == "deeplab.tflite"
    assert data["effects"][0]["region"]["mask"] == "sea.png" and data["effects"][0]["freeze"]["mask"] == "boat.png"
    assert "bob" not in json.dumps(provenance_for(plan).tags)


def test_the_gif_comment_is_read_by_other_tools_too(tmp_path, album):
    out = stillmotion.animate(album, tmp_path / "clip.gif", prompt="clouds drifting", duration=1.0, resolution=480)
    with Image.open(out) as image:
        comment = image.info["comment"].decode("utf-8")
        frames = image.n_frames
    assert f"disclosure: {DISCLOSURE}" in comment and f"{PLAN_TAG}: " in comment
    assert frames == len(decoded_frames(out)) == 15  # the comment left the frames alone


@pytest.mark.slow
@pytest.mark.parametrize("suffix", FORMATS)
def test_render_of_a_video_gives_the_same_frames(tmp_path, album, suffix, monkeypatch, capsys):
    original = stillmotion.animate(album, tmp_path / f"first{suffix}", prompt="gentle rain, clouds drifting", duration=1.0,
                                   resolution=480)
    shared = tmp_path / "shared"  # the video and its photo, side by side somewhere else
    shared.mkdir()
    video = Path(shutil.copy(original, shared / f"clip{suffix}"))
    shutil.copy(album, shared / "grandma.png")
    monkeypatch.chdir(tmp_path)
    assert main(["render", str(video), "-o", str(tmp_path / f"again{suffix}"), "-q"]) == 0
    again = tmp_path / f"again{suffix}"
    assert [f.tobytes() for f in decoded_frames(again)] == [f.tobytes() for f in decoded_frames(original)]
    assert again.read_bytes() == original.read_bytes()  # sound and metadata included

    capsys.readouterr()
    assert main(["plan", str(video), "--json"]) == 0
    assert stillmotion.Plan.from_json(capsys.readouterr().out) == read_plan(video)


def test_a_wrong_photo_is_refused(tmp_path, album, capsys):
    out = stillmotion.animate(album, tmp_path / "clip.mp4", prompt="clouds drifting", duration=1.0, resolution=480)
    plan = read_plan(out)
    other = tmp_path / "grandma.png"
    Image.fromarray(np.full((240, 320, 3), 90, np.uint8)).save(other)
    with pytest.raises(PlanError, match="not the photo this plan was made from"):
        stillmotion.load_plan_photo(plan, other)
    # Found by name next to the video, but another photo: refused, not used.
    with pytest.raises(PlanError, match="grandma.png: not the photo"):
        stillmotion.load_plan_photo(plan, search=(tmp_path,))
    assert main(["render", str(out), "-o", str(tmp_path / "x.mp4"), "--photo", str(other)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not the photo this plan was made from" in err and "(--photo PHOTO)" in err
    with pytest.raises(PhotoError, match="the plan's photo was not found"):
        stillmotion.load_plan_photo(plan, search=(tmp_path / "nowhere",))
    assert stillmotion.load_plan_photo(plan, album).sha256 == plan.photo_sha256


def test_a_video_without_a_plan(tmp_path, capsys):
    from stillmotion.encode import VideoWriter

    path = tmp_path / "other.mp4"
    with VideoWriter(path, (64, 48), 30) as writer:  # no provenance: like a video from another tool
        writer.write(np.zeros((48, 64, 3), np.uint8))
    with pytest.raises(PlanError, match="carries no stillmotion plan"):
        read_plan(path)
    assert main(["plan", str(path)]) == 1
    assert "carries no stillmotion plan" in capsys.readouterr().err
    assert main(["plan", str(path), "-d", "3"]) == 1
    assert "a video's plan is printed as it is" in capsys.readouterr().err


def write_tone(path: Path, seconds: float, rate: int = 44100, freq: float = 440.0) -> Path:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=rate, layout="mono")
        t = np.arange(int(seconds * rate)) / rate
        samples = (0.3 * 32767 * np.sin(2 * np.pi * freq * t)).astype(np.int16)[None]
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


# --- C2PA (only where c2pa-python and cryptography are installed) ---------------------------------
def make_signing_chain(folder: Path) -> tuple[Path, Path]:
    """An EC P-256 test CA and a signing certificate it issued (PEM chain, PKCS8 key)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "test")])

    def usage(**on):
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
                               "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**{**flags, **on})

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def certificate(subject, public, ca, extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(name("test CA")).public_key(public)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(ca_key, hashes.SHA256())

    ca = certificate(name("test CA"), ca_key.public_key(), None, [
        (x509.BasicConstraints(ca=True, path_length=None), True), (usage(key_cert_sign=True, crl_sign=True), True),
        (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)])
    leaf = certificate(name("stillmotion test signer"), key.public_key(), ca, [
        (x509.BasicConstraints(ca=False, path_length=None), True), (usage(digital_signature=True), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)])
    chain, private = folder / "chain.pem", folder / "key.pem"
    chain.write_bytes(leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return chain, private


@pytest.mark.parametrize("suffix, media_type", [(".mp4", "video/mp4"), (".gif", "image/gif")])
def test_a_c2pa_manifest_when_configured(tmp_path, album, monkeypatch, suffix, media_type):
    c2pa = pytest.importorskip("c2pa", reason="c2pa-python is not installed (pip install 'stillmotion[c2pa]')")
    pytest.importorskip("cryptography")
    chain, key = make_signing_chain(tmp_path)
    monkeypatch.setenv("STILLMOTION_C2PA_CERT", str(chain))
    monkeypatch.setenv("STILLMOTION_C2PA_KEY", str(key))
    out = stillmotion.animate(album, tmp_path / f"signed{suffix}", prompt="clouds drifting", duration=1.0, resolution=480)
    with open(out, "rb") as stream, c2pa.Reader(media_type, stream) as reader:
        manifest = reader.get_active_manifest()
        assert reader.get_validation_state() in ("Valid", "Trusted")
    assert manifest["title"] == f"signed{suffix}" and manifest["claim_generator_info"][0]["name"] == "stillmotion"
    actions = next(a["data"]["actions"] for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))
    assert actions[0]["action"] == "c2pa.created" and actions[0]["description"] == DISCLOSURE
    assert actions[0]["digitalSourceType"].endswith("/compositeSynthetic")
    assert "alice" not in json.dumps(manifest)
    assert read_plan(out).photo == "grandma.png"  # the plain metadata is still there
    assert len(decoded_frames(out)) == (30 if suffix == ".mp4" else 15)
