"""Batch on Ray: the same folder through a local Ray gives byte-identical videos to the local pool,
the same report, and the same skip rule. Ray starts once per session (2 CPUs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stillmotion.batch import Defaults, run_batch
from test_batch import make_folder  # tests/ is on sys.path (pytest rootdir-style imports)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def local_ray(tmp_path_factory):
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'stillmotion[ray]'")
    # Workers are started now, once: give them their own analysis cache (never the user's).
    cache = tmp_path_factory.mktemp("ray-cache")
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"STILLMOTION_CACHE_DIR": str(cache)}})
    yield ray
    ray.shutdown()


def _defaults() -> Defaults:
    return Defaults(options={"resolution": 480, "duration": 1.0}, depth="classical")


def _report(outdir: Path) -> dict[str, tuple[str, str | None]]:
    records = [json.loads(line) for line in (outdir / "report.jsonl").read_text().splitlines()]
    return {r["input"]: (r["status"], Path(r["output"]).relative_to(outdir).as_posix() if r["output"] else None) for r in records}


def test_ray_gives_the_same_videos_and_report_as_the_local_pool(local_ray, tmp_path):
    root = make_folder(tmp_path / "in", good=3)
    local = run_batch(root, tmp_path / "local", _defaults(), jobs=2, quiet=True)
    on_ray = run_batch(root, tmp_path / "ray", _defaults(), use_ray=True, quiet=True)
    assert on_ray.counts == local.counts == {"done": 3, "skipped": 0, "failed": 3, "cancelled": 0}
    assert _report(tmp_path / "ray") == _report(tmp_path / "local")

    videos = sorted((tmp_path / "local").rglob("*.mp4"))
    assert len(videos) == 3
    for video in videos:
        twin = tmp_path / "ray" / video.relative_to(tmp_path / "local")
        assert twin.read_bytes() == video.read_bytes(), f"{twin.name}: Ray and the local pool made different bytes"

    # The skip rule is the same: a re-run on Ray renders nothing, and so does the pool on Ray's output.
    again = run_batch(root, tmp_path / "ray", _defaults(), use_ray=True, quiet=True)
    assert again.counts["skipped"] == 3 and again.counts["done"] == 0
    pool_on_ray_output = run_batch(root, tmp_path / "ray", _defaults(), jobs=2, quiet=True)
    assert pool_on_ray_output.counts["skipped"] == 3


def test_a_bad_photo_fails_only_its_own_ray_task(local_ray, tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "empty.jpg").write_bytes(b"")
    (root / "text.jpg").write_text("not a photo")
    summary = run_batch(root, tmp_path / "out", _defaults(), use_ray=True, quiet=True)
    assert summary.counts["failed"] == 2 and local_ray.is_initialized()  # the session's Ray is left running
    assert {status for status, _ in _report(tmp_path / "out").values()} == {"failed"}
