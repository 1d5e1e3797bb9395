"""Atmosphere effects: drawn over the scene after the camera, in depth (rain, snow, fog, steam,
smoke, sparkle, dust, petals)."""
