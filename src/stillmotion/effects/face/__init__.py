"""Face effects: a person's face moves (blink, smile, breathe, head_turn), in canvas space, before
the camera; never a paste, always a warp that is exactly the photo at rest."""
