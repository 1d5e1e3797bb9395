"""The text a diffusion model reads, written from the plan (the director stays the brain).

Video models follow long, concrete, present-tense descriptions better than terse ones: the
user's words come first, then the camera, the plan's motion, and what the analysis saw.
"""

from __future__ import annotations

from ..effects.registry import descriptor
from ..plan import Plan

CAMERA_WORDS = {
    "static": "The camera is locked off and still.",
    "zoom_in": "The camera slowly zooms in.",
    "zoom_out": "The camera slowly zooms out.",
    "dolly_in": "The camera dollies slowly forward.",
    "dolly_out": "The camera dollies slowly backward.",
    "pan_left": "The camera pans slowly to the left.",
    "pan_right": "The camera pans slowly to the right.",
    "tilt_up": "The camera tilts slowly upward.",
    "tilt_down": "The camera tilts slowly downward.",
    "orbit": "The camera orbits gently around the subject.",
    "dolly_zoom": "A subtle dolly zoom: the background stretches while the subject stays the same size.",
    "ken_burns": "A slow, gentle push toward the subject.",
}

GRADE_WORDS = {
    "golden_hour": "warm golden-hour light",
    "warm": "warm colours",
    "cool": "cool colours",
    "moody": "moody, low-key light",
    "vintage": "a faded vintage look",
    "black_and_white": "black and white",
}

NEGATIVE_PROMPT = (
    "static image, frozen frame, flicker, colour shift, overexposed, underexposed, blurry, low quality, "
    "jpeg artifacts, distorted faces, deformed hands, extra fingers, extra limbs, morphing, warped background, "
    "text, subtitles, watermark, logo, cartoon, scene cut, sudden camera jump"
)


def _subjects(faces: int) -> str:
    if faces == 0:
        return ""
    if faces == 1:
        return "One person is in the frame; their face and body keep the same identity and proportions."
    return f"{faces} people are in the frame; each keeps the same face, identity and proportions."


def write_prompt(plan: Plan, faces: int = 0) -> str:
    """A detailed prompt: the user's words and unsupported actions, camera, motion, subjects, look."""
    parts: list[str] = []
    words = plan.prompt.strip().rstrip(".")
    if words:
        parts.append(words[0].upper() + words[1:] + ".")
    asked = [u.phrase for u in plan.unsupported if u.phrase.lower() not in words.lower()]
    if asked:
        parts.append("The motion shows " + "; ".join(asked) + ".")
    motions = [descriptor(e.type).prompt for e in plan.effects if descriptor(e.type).prompt]  # the grade has none
    if motions:
        motions = list(dict.fromkeys(motions))  # each once, in plan order
        parts.append(motions[0][0].upper() + motions[0][1:] + "".join(f", {m}" for m in motions[1:]) + ".")
    parts.append(CAMERA_WORDS.get(plan.camera.type, ""))
    parts.append(_subjects(faces))
    looks = [GRADE_WORDS[e.style] for e in plan.effects if e.type == "grade" and e.style in GRADE_WORDS]
    look = f", {looks[0]}" if looks else ""
    parts.append(f"Photorealistic, natural motion, consistent lighting{look}, faithful to the original photo.")
    return " ".join(p for p in parts if p)


def negative_prompt() -> str:
    return NEGATIVE_PROMPT
