"""Rendering: canvas, camera, parallax, effects composition, and streaming to the encoder."""
