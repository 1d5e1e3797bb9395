"""Scene effects: the photo's own pixels move (water, clouds, foliage, fire, hair), in canvas space,
before the camera."""
