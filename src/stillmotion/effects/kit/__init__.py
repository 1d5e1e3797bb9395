"""The shared machinery of effects: warps of a region (warp.py: cross-faded flow, the layered flow
of water, oscillations), the screen map that keeps atmosphere attached to the scene (screen.py),
uint8 blending (blend.py), particle tracks and their drawing (tracks.py), plumes and where they
can rise from (plume.py), the compact features a flowing region must not double (features.py),
and small image measures, highlights and working grids (image.py)."""
