"""The shared machinery of effects: warps of a region (warp.py), the screen map that keeps
atmosphere attached to the scene (screen.py), uint8 blending (blend.py), particle tracks and
their drawing (tracks.py), and small image measures and working grids (image.py)."""
