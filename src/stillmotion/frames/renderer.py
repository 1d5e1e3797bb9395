"""Frame composition: frame(i) is a pure function of (photo, analysis, plan, i).

Order per frame: scene and face motion in canvas space -> camera reprojection with depth
parallax -> atmosphere and light in screen space.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..analysis.faces import head_zone
from ..analysis.types import Analysis
from ..effects.base import Scene, View, build_effects
from ..effects.registry import BEFORE_CAMERA, descriptor
from ..photo import Photo
from ..plan import Plan
from .camera import CameraPath, move_pivot, steady_leading_edge
from .parallax import HAIR_FALLS, ParallaxWarp, steady_outline_depth


class Renderer:
    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis):
        self.plan = plan
        canvas = plan.canvas
        self.scene = Scene.build(plan, photo, analysis)
        self.size = self.scene.size
        self.frame_count = canvas.frame_count
        self.fps = canvas.fps
        effects = build_effects(plan, self.scene)
        self.pre_camera = [e for e in effects if descriptor(e.spec.type).family in BEFORE_CAMERA]
        self.post_camera = [e for e in effects if descriptor(e.spec.type).family not in BEFORE_CAMERA]

        image, depth = self.scene.image, self.scene.depth
        target = plan.camera.target or (0.5, 0.5)
        tx, ty = int(target[0] * (self.size[0] - 1)), int(target[1] * (self.size[1] - 1))
        subject_depth = float(depth[ty, tx])
        scale = max(self.size) / 2
        target_norm = ((target[0] - 0.5) * self.size[0] / scale, (target[1] - 0.5) * self.size[1] / scale)
        far_depth, near_depth = (float(q) for q in np.percentile(depth[::8, ::8], [2, 98]))
        half_size = ((self.size[0] - 1) / 2 / scale, (self.size[1] - 1) / 2 / scale)
        # A loop's path closes on the frame after the last; a clip's ends on its last frame.
        span = canvas.duration if plan.loop else max(self.frame_count - 1, 1) / self.fps
        self.path = CameraPath(plan.camera, span, plan.loop, target_norm, subject_depth, far_depth, half_size, near_depth)
        self.warp = None
        if plan.camera.type != "static" and plan.camera.strength > 0:
            person = self.scene.mask_at_canvas("person") if self.scene.faces else None  # hair grows round faces
            camera_depth = steady_leading_edge(steady_outline_depth(depth, person, self.scene.faces), plan.camera.type)
            pivot = move_pivot(plan.camera.type, target)  # zooms head the subject's way from near the centre
            hair = head_zone(self.scene.faces, self.size, HAIR_FALLS) > 0 if self.scene.faces else None
            self.warp = ParallaxWarp(image, camera_depth, pivot, self.path.poses(), hair)
        self._source = np.empty_like(image)
        self._identity_map = None  # screen-to-canvas map of a still camera, made on first use

    def frame(self, index: int, out: np.ndarray | None = None) -> np.ndarray:
        """Frame `index` as an RGB uint8 array (written into `out` when given)."""
        if out is None:
            out = np.empty_like(self.scene.image)
        t = index / self.fps
        source = self.scene.image
        if self.pre_camera:
            source = self._source
            np.copyto(source, self.scene.image)
            for effect in self.pre_camera:
                effect.apply(source, t, None)
        if self.warp is None:
            np.copyto(out, source)
            view_depth, coords = None, None
        else:
            view_depth, coords = self.warp.warp(self.path.pose(t), source, out)
        if self.post_camera:
            view = self._view(t, index, view_depth, coords)
            for effect in self.post_camera:
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
            screen_to_canvas, scale = self.warp.screen_to_canvas(coords), self.warp.map_scale
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
