"""Light effects: the scene's light changes (flicker, light_sweep, lightning, light_rays, grade),
after the camera."""
