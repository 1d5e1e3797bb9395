"""The director: a photo's analysis, a sentence and options become a Plan.

    plan = direct(photo, analysis, "heavy rain, neon flickering, slow push in")

compose.py is the planner (canvas, crop, camera, effects, explanation); reading.py reads the
sentence (clauses, scopes, negation, intents) with the word tools of words.py and the tables of
vocabulary.py; grounding.py looks at the photo and places each effect; defaults.py fills an
empty or vague prompt; semantic.py (optional) matches wording by meaning. What the director
knows about each effect type (where it goes, whether a direction steers it) comes from the
effects registry.
"""

from .compose import OPTION_NAMES, default_resolution, direct, subject_focus

__all__ = ["OPTION_NAMES", "default_resolution", "direct", "subject_focus"]
