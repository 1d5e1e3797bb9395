"""The render-and-encode pipeline shares few cores well: the encoder stands back for the renderer,
and OpenCV keeps off the encoder's cores while frames are made (then is as it was)."""

import os
import sys
import threading

import cv2
import pytest

import stillmotion
from stillmotion.encode import VideoWriter
from stillmotion.frames import video
from stillmotion.frames.renderer import Renderer


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def test_opencv_threads_are_kept_off_the_encoders_cores_then_restored():
    before = cv2.getNumThreads()
    expected = max(1, min(before, cores() - video.ENCODER_CORES))
    with video._opencv_beside_encoder():
        assert cv2.getNumThreads() == expected
        with video._opencv_beside_encoder():  # a second video written at the same time
            assert cv2.getNumThreads() == expected
        assert cv2.getNumThreads() == expected  # the first is still writing
    assert cv2.getNumThreads() == before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is Linux's")
def test_a_thread_that_stands_back_lowers_only_its_own_priority():
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = []

    def worker():
        video._stand_back()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [min(19, own + video.ENCODER_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # this thread is untouched


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own priority is Linux's")
def test_a_render_encodes_at_low_priority_and_renders_beside_it(photo_file, tmp_path, monkeypatch):
    encoding, rendering = [], []
    write, frame = VideoWriter.write, Renderer.frame

    def recording_write(self, rgb):
        encoding.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        write(self, rgb)

    def recording_frame(self, index, out=None):
        rendering.append(cv2.getNumThreads())
        return frame(self, index, out)

    monkeypatch.setattr(VideoWriter, "write", recording_write)
    monkeypatch.setattr(Renderer, "frame", recording_frame)
    before = cv2.getNumThreads()
    main_priority = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    out = stillmotion.animate(photo_file, tmp_path / "out.mp4", "", camera="dolly_in", duration=1, resolution=480, fps=24)
    assert out.exists() and len(encoding) == len(rendering) == 24
    assert set(encoding) == {min(19, main_priority + video.ENCODER_NICENESS)}
    assert set(rendering) == {max(1, min(before, cores() - video.ENCODER_CORES))}
    assert cv2.getNumThreads() == before
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_priority
