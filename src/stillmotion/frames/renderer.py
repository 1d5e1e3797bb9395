"""Frame composition: frame(i) is a pure function of (photo, analysis, plan, i).

Order per frame: scene and face motion in canvas space -> camera reprojection with depth
parallax -> atmosphere and light in screen space.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np

from ..analysis.types import Analysis, Face
from ..motion import renderer_class
from ..motion.base import Scene, View
from ..photo import Photo
from ..plan import Plan, family_of
from .camera import CameraPath
from ..canvas import crop_and_resize, crop_pixels, fit_blur, output_size
from .parallax import ParallaxWarp

log = logging.getLogger("stillmotion")

PRE_CAMERA = ("scene", "face")


class Renderer:
    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis):
        self.plan = plan
        canvas = plan.canvas
        crop = crop_pixels(canvas.crop, photo.size)
        self.size = output_size(canvas, (crop[2], crop[3]))
        self.frame_count = canvas.frame_count
        self.fps = canvas.fps
        image, depth, faces, analysis_crop, photo_rect = self._canvas_inputs(photo, analysis, crop)
        self.scene = Scene(plan=plan, image=image, depth=depth, analysis=analysis, faces=faces, crop=analysis_crop,
                           photo_rect=photo_rect)
        self.warnings: list[str] = []
        self.pre_camera, self.post_camera = self._build_effects()

        target = plan.camera.target or (0.5, 0.5)
        tx, ty = int(target[0] * (self.size[0] - 1)), int(target[1] * (self.size[1] - 1))
        subject_depth = float(depth[ty, tx])
        scale = max(self.size) / 2
        target_norm = ((target[0] - 0.5) * self.size[0] / scale, (target[1] - 0.5) * self.size[1] / scale)
        far_depth = float(np.percentile(depth[::8, ::8], 2))
        self.path = CameraPath(plan.camera, canvas.duration, plan.loop, target_norm, subject_depth, far_depth)
        self.warp = None
        if plan.camera.type != "static" and plan.camera.strength > 0:
            self.warp = ParallaxWarp(image, depth, target, reach=self._reach())
        self._source = np.empty_like(image)
        self._identity_map = None  # screen-to-canvas map of a still camera, made on first use

    def _canvas_inputs(self, photo: Photo, analysis: Analysis, crop):
        """The photo, depth and faces as the canvas sees them (cropped or fitted, resized)."""
        aw, ah = analysis.size
        pw, ph = photo.size
        a_crop = (round(crop[0] * aw / pw), round(crop[1] * ah / ph), max(1, round(crop[2] * aw / pw)), max(1, round(crop[3] * ah / ph)))
        if self.plan.canvas.fit == "blur" and self.plan.canvas.aspect != "original":
            image, inner = fit_blur(photo.pixels, self.size)
            depth = np.zeros(self.size[::-1], np.float32)
            x, y, w, h = inner
            depth[y:y + h, x:x + w] = cv2.resize(analysis.depth, (w, h), interpolation=cv2.INTER_LINEAR)
            frame_rect = (x / self.size[0], y / self.size[1], w / self.size[0], h / self.size[1])
            faces = [_face_in(f, (0, 0, 1, 1), frame_rect) for f in analysis.faces]
            return image, depth, faces, (0, 0, aw, ah), inner
        image = crop_and_resize(photo.pixels, crop, self.size)
        depth = crop_and_resize(analysis.depth, a_crop, self.size).astype(np.float32)
        norm_crop = (crop[0] / pw, crop[1] / ph, crop[2] / pw, crop[3] / ph)
        faces = [_face_in(f, norm_crop, (0, 0, 1, 1)) for f in analysis.faces]
        faces = [f for f in faces if f is not None]
        return image, depth, faces, a_crop, (0, 0, self.size[0], self.size[1])

    def _build_effects(self):
        pre, post = [], []
        for index, spec in enumerate(self.plan.effects):
            cls = renderer_class(spec.type)
            if cls is None:
                message = f"effect {spec.type!r} is not implemented in this version yet; skipped"
                self.warnings.append(message)
                log.warning(message)
                continue
            effect = cls(spec, self.scene, index)
            (pre if family_of(spec.type) in PRE_CAMERA else post).append((spec, effect))
        return pre, post

    def _reach(self) -> float:
        """The largest parallax displacement along the path, in normalised units."""
        reach = 0.0
        for k in range(33):
            pose = self.path.pose(self.plan.canvas.duration * k / 32)
            reach = max(reach, abs(pose.shift_x) + abs(pose.shift_y) + abs(pose.push) * 1.5)
        return reach

    def frame(self, index: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frame `index` as an RGB uint8 array (written into `out` when given)."""
        if out is None:
            out = np.empty_like(self.scene.image)
        t = index / self.fps
        source = self.scene.image
        if self.pre_camera:
            source = self._source
            np.copyto(source, self.scene.image)
            for spec, effect in self.pre_camera:
                if _active(spec, t):
                    effect.apply(source, t, None)
        if self.warp is None:
            np.copyto(out, source)
            view_depth, view_map = None, None
        else:
            pose = self.path.pose(t)
            view_depth, view_map = self.warp.warp(pose, source, out)
        if self.post_camera:
            view = self._view(t, index, view_depth, view_map)
            for spec, effect in self.post_camera:
                if _active(spec, t):
                    effect.apply(out, t, view)
        return out

    def _view(self, t: float, index: int, depth_lo, coords) -> View:
        w, h = self.size
        if depth_lo is None:
            depth = self.scene.depth
        else:
            depth = cv2.resize(depth_lo, (w, h), interpolation=cv2.INTER_LINEAR)
        if coords is None:
            screen_to_canvas, scale = self._still_view_map()
        else:
            u, v = coords
            screen_to_canvas = np.dstack([u * self.warp.scale + self.warp.cx, v * self.warp.scale + self.warp.cy]).astype(np.float32)
            scale = self.warp.map_scale
        return View(t=t, index=index, depth=depth, screen_to_canvas=screen_to_canvas, map_scale=scale)


    def _still_view_map(self) -> tuple[np.ndarray, float]:
        """The identity screen-to-canvas map at a quarter of the size (a still camera), made once."""
        if self._identity_map is None:
            w, h = self.size
            gw, gh = max(8, w // 4), max(8, h // 4)
            xs = (np.arange(gw, dtype=np.float32) + 0.5) * w / gw - 0.5
            ys = (np.arange(gh, dtype=np.float32) + 0.5) * h / gh - 0.5
            self._identity_map = (np.dstack(np.meshgrid(xs, ys)).astype(np.float32), gw / w)
        return self._identity_map


def _active(spec, t: float) -> bool:
    return t >= spec.start and (spec.end is None or t <= spec.end)


def _face_in(face: Face, crop, frame_rect) -> Face | None:
    """A face in normalised photo coordinates, re-expressed in normalised canvas coordinates."""
    cx, cy, cw, ch = crop
    fx, fy, fw, fh = frame_rect
    x, y, w, h = face.box
    nx, ny = (x - cx) / cw * fw + fx, (y - cy) / ch * fh + fy
    nw, nh = w / cw * fw, h / ch * fh
    if nx + nw < 0 or ny + nh < 0 or nx > 1 or ny > 1:
        return None  # cropped out
    landmarks = None
    if face.landmarks is not None:
        landmarks = face.landmarks.copy()
        landmarks[:, 0] = (landmarks[:, 0] - cx) / cw * fw + fx
        landmarks[:, 1] = (landmarks[:, 1] - cy) / ch * fh + fy
    return Face(box=(nx, ny, nw, nh), score=face.score, landmarks=landmarks)
