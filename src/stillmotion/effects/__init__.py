"""Effects: everything that moves or changes in a frame besides the camera.

registry.py is the catalogue (one descriptor per type; classes imported lazily). base.py holds
Scene, View and the Effect base class, whose apply() is the one gate of timing (timing.py) and
calls each effect's draw(). regions.py turns a plan's region into a canvas mask; kit/ holds the
shared machinery (warps, screen map, blender, particle tracks, plumes, features, highlights);
scene/, atmosphere/, light/ and face/ hold one file per effect.
"""
