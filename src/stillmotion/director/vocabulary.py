"""The words the director knows, as plain tables.

Each table maps a phrase (one or more words, written as users write them) to what it means.
Phrases are matched on stems (see words.stem), so "raining", "rains" and "rain" are one
entry; a phrase written with a leading "=" matches the exact word form only (to tell "waving"
a hand from "waves" of the sea). A trailing ":0.8" gives a phrase its own strength
("drizzle" is light rain, "downpour" heavy rain).

Adding a word: put it in the right table. Adding an effect: one entry in EFFECT_PHRASES.
"""

from __future__ import annotations

# --- effects -----------------------------------------------------------------------------
# Strong phrases: they ask for the effect wherever they appear.
EFFECT_PHRASES: dict[str, tuple[str, ...]] = {
    "water": (
        "water", "waves", "wave", "ripples", "rippling", "waterfall", "waterfalls", "cascade", "=stream", "=streams", "creek",
        "brook", "current", "tide", "surf", "flowing water", "running water", "water running", "water flowing",
        "river flowing", "river flows", "river runs", "stream runs", "rushing water", "water rushing", "lapping",
        "waves crashing", "crashing waves", "splashing", "fountain", "shimmering water", "rapids", "whitewater",
        "swell", "flowing river", "stormy sea:0.8", "stormy ocean:0.8", "rough sea:0.75", "rough seas:0.75",
        "choppy water:0.7", "choppy sea:0.7",
    ),
    "clouds": (
        "clouds", "cloud", "cloudy", "moving sky", "sky moving", "sky moves", "drifting sky", "sky drifting",
        "rolling sky", "overcast", "storm clouds", "timelapse sky", "time lapse sky", "sky timelapse",
    ),
    "foliage": (
        "foliage", "leaf movement", "leaves moving", "leaves rustling", "rustling leaves", "rustle", "rustling",
        "leaves swaying", "leaves", "leaf", "sway", "swaying", "branches moving", "grass moving", "grass swaying",
        "trees swaying", "swaying trees", "trees moving", "flowers swaying", "flowers moving", "flowers nodding",
        "blowing grass", "wheat", "reeds", "dancing leaves", "leaves dancing",
    ),
    "fire": (
        "fire", "flames", "flame", "fireplace", "campfire", "bonfire", "blaze", "burning", "candle flame",
        "candle flames", "embers", "torch", "fire crackling", "dancing flames", "flames dancing", "flame dances",
        "flame dancing", "dancing flame", "flames dance", "crackling fire", "log fire", "flickering flames", "flames flickering",
        "flickering fire", "fire flickering", "flickering flame", "flame flickering",
    ),
    "hair": (
        "hair", "hair blowing", "hair moving", "hair flowing", "hair in the wind", "hair in the breeze",
        "hair waving", "=locks", "strands",
    ),
    "rain": (
        "rain", "raining", "rainy", "rainfall", "rain drops", "raindrops", "drizzle:0.25", "drizzling:0.25",
        "sprinkle:0.2", "downpour:0.85", "pouring:0.8", "pouring rain:0.85", "it is pouring:0.85", "showers",
        "storm:0.7", "stormy:0.7", "rainstorm:0.75", "monsoon:0.9", "torrent:0.9", "sleet:0.5",
        "thunderstorm:0.75", "cats and dogs:0.9",
    ),
    "snow": (
        "snow", "snowing", "snowfall", "snowflakes", "snowflake", "flurries:0.3", "blizzard:0.9", "snowstorm:0.8",
        "snowy", "flakes",
    ),
    "fog": (
        "fog", "foggy", "mist", "misty", "haze", "hazy", "smog", "fog rolling", "low clouds", "mist rising",
        "morning mist", "dreamy haze", "atmospheric haze",
    ),
    "steam": (
        "steam", "steaming", "steamy", "vapor", "vapour", "steam rising", "rising steam", "hot coffee", "hot tea",
        "hot soup", "hot drink", "street vents", "steam vents", "vents",
    ),
    "smoke": (
        "smoke", "smoky", "smoking", "chimney smoke", "incense", "smoke rising", "wisps of smoke", "exhaust",
    ),
    "sparkle": (
        "sparkle", "sparkles", "sparkling", "sparkly", "glitter", "glittering", "glint", "glints", "glinting",
        "glimmer", "glimmering", "twinkle", "twinkling", "shimmer", "shimmering", "glisten", "glistening",
        "stars twinkling", "twinkling stars", "dancing light", "light dancing", "dancing lights", "bokeh", "jewellery shining",
        "jewelry shining", "shiny",
        "diamonds", "sparkling eyes", "shine", "shining", "starry", "fireworks", "firework", "sparks",
    ),
    "dust": (
        "dust", "dusty", "dust motes", "motes", "particles", "floating particles", "pollen", "specks",
        "dust in the light", "dust particles", "floating dust", "fireflies:0.4", "spores",
    ),
    "petals": (
        "petals", "petal", "falling petals", "petals falling", "falling leaves", "leaves falling", "leaves fall",
        "cherry blossoms", "blossoms falling", "falling blossoms", "sakura", "confetti", "autumn leaves falling",
        "falling flowers", "petals drifting", "autumn leaves", "swirling leaves", "leaves swirling", "flying leaves",
        "leaves flying", "leaves blowing across", "leaves drifting", "drifting leaves",
    ),
    "flicker": (
        "flicker", "flickering", "flickers", "neon", "neon lights", "neon sign", "neon signs", "buzzing neon",
        "lights flicker", "flickering lights", "lights flickering", "film flicker", "old film", "projector",
        "candlelight", "candle light", "candles", "candle", "lamp flickering", "strobe", "blinking lights",
        "lights blinking", "flashing lights", "lights flashing", "lanterns",
    ),
    "light_sweep": (
        "light sweep", "sweep of light", "sheen", "light passing", "light moving across", "light moves across",
        "glare moving", "reflection moving", "moving reflection", "gleam", "gleaming", "highlight moving",
        "sweeping light", "light sweeping", "shine moving", "glossy", "sheen moving", "lens flare", "flare",
        "light leak", "light leaks",
    ),
    "lightning": (
        "lightning", "lightning strike", "lightning bolt", "lightning flash", "thunder", "thunderstorm",
        "lightning storm", "electric storm",
    ),
    "light_rays": (
        "light rays", "rays of light", "sun rays", "sunrays", "sunbeams", "sunbeam", "god rays", "crepuscular rays",
        "beams of light", "light beams", "rays", "volumetric light", "light shafts", "shafts of light",
        "sunlight streaming", "sun shining through", "light streaming", "streaming light", "streaming sunlight",
    ),
    "blink": (
        "blink", "blinks", "blinking", "eyes blink", "=wink", "=winks", "=winking", "eyes closing",
        "eyes opening", "open her eyes", "open his eyes", "opens her eyes", "opens his eyes", "open eyes",
    ),
    "smile": (
        "smile", "smiling", "smiles", "grin:0.75", "grinning:0.75", "smirk:0.3", "happy expression",
        "laugh:0.7", "laughing:0.7", "laughs:0.7", "cheerful expression",
    ),
    "breathe": (
        "breathe", "breathing", "breath", "breaths", "chest rising", "breathes", "inhale", "exhale", "alive breathing",
    ),
    "head_turn": (
        "head turn", "turn head", "turns head", "turn her head", "turn his head", "turns her head", "turns his head",
        "turning her head", "turning his head", "head turning", "turns to the side", "nod", "nods", "nodding",
        "tilt her head", "tilt his head", "tilts her head", "tilts his head", "head tilt", "tilts head", "tilt head",
        "looks left", "looks right", "looks up", "looks down", "look left", "look right", "look up", "look down",
        "looks around", "look around", "looking around", "glance", "glances", "looks to the left",
        "looks to the right", "looks to the side", "looking to the side", "looks away", "looking left",
        "looking right", "looks over", "head movement", "head moves", "moves his head", "moves her head",
        "slight turn of the head",
    ),
}

# Weak nouns: they name where something is, and ask for its motion only when nothing else in
# the same clause is asked for ("the river" alone: water; "pan across the river": only a pan).
WEAK_PHRASES: dict[str, tuple[str, ...]] = {
    "water": ("sea", "ocean", "lake", "river", "pond", "flowing", "flow", "beach", "shore", "bay", "lagoon"),
    "clouds": ("sky", "skies"),
    "foliage": ("trees", "tree", "grass", "branches", "plants", "flowers", "bushes", "forest", "wind", "windy",
                "breeze", "breezy", "gust", "palms", "palm trees", "garden", "vines", "ivy"),
    "flicker": ("=lights", "lamp", "lamps", "street lights", "streetlights", "sign", "signs", "bulb"),
    "sparkle": ("stars", "city lights", "jewellery", "jewelry", "necklace", "earrings", "ring", "sequins",
                "crystal", "diamond", "sunlight on the water", "glow", "glowing"),
    "steam": ("coffee", "tea", "cup", "mug", "soup", "kettle", "ramen", "dish", "pot", "teacup"),
    "smoke": ("chimney", "cigarette", "cigar", "pipe"),
    "breathe": ("chest",),
    # Not an effect: the face effects as a whole ("don't animate the faces"; "animate her face").
    "faces": ("face", "faces", "the person", "the people", "expression", "expressions", "eyes"),
    "fire": ("hearth",),
}

GRADE_PHRASES: dict[str, tuple[str, ...]] = {
    "golden_hour": ("golden hour", "golden", "sunset glow", "golden light", "sunset light", "golden hour lighting",
                    "magic hour", "golden glow", "sunset tones", "golden tones"),
    "warm": ("warm", "warmer", "warm tones", "warm light", "warm glow", "warm colors", "warm colours", "cozy"),
    "cool": ("cool tones", "cool colors", "cool colours", "cold tones", "blue tones", "blue tint", "cold", "cool",
             "icy", "wintry", "teal"),
    "moody": ("moody", "dramatic", "dark and moody", "cinematic", "gloomy", "noir", "somber", "sombre",
              "mysterious", "brooding"),
    "vintage": ("vintage", "retro", "sepia", "faded", "film look", "old photo look", "nostalgic", "polaroid",
                "old movie", "old movies", "silent movie", "silent film", "old fashioned", "old timey",
                "analog", "analogue", "70s", "1970s"),
    "black_and_white": ("black and white", "black & white", "b&w", "bw", "monochrome", "greyscale", "grayscale",
                        "grey scale", "gray scale", "desaturated"),
}
# When several looks are named, the most specific wins (one grade per plan).
GRADE_PRIORITY = ("black_and_white", "golden_hour", "vintage", "moody", "cool", "warm")

# --- camera ------------------------------------------------------------------------------
# A camera verb; its move is read from the direction words that follow (or precede) it.
CAMERA_VERBS: dict[str, dict[str | None, str]] = {
    "zoom": {None: "zoom_in", "in": "zoom_in", "out": "zoom_out"},
    "push": {None: "dolly_in", "in": "dolly_in", "out": "dolly_out"},
    "pull": {None: "dolly_out", "in": "dolly_in", "out": "dolly_out"},
    "dolly": {None: "dolly_in", "in": "dolly_in", "out": "dolly_out", "left": "pan_left", "right": "pan_right"},
    "move": {"in": "dolly_in", "out": "dolly_out", "left": "pan_left", "right": "pan_right", "up": "tilt_up",
             "down": "tilt_down"},
    "pan": {None: "pan_right", "left": "pan_left", "right": "pan_right", "up": "tilt_up", "down": "tilt_down"},
    "track": {None: "pan_right", "left": "pan_left", "right": "pan_right", "in": "dolly_in", "out": "dolly_out"},
    "truck": {None: "pan_right", "left": "pan_left", "right": "pan_right"},
    "slide": {"left": "pan_left", "right": "pan_right"},
    "tilt": {None: "tilt_up", "up": "tilt_up", "down": "tilt_down"},
    "crane": {None: "tilt_up", "up": "tilt_up", "down": "tilt_down"},
    "pedestal": {None: "tilt_up", "up": "tilt_up", "down": "tilt_down"},
    "approach": {None: "dolly_in"},
    "drift": {None: "ken_burns", "in": "dolly_in", "out": "dolly_out", "left": "pan_left", "right": "pan_right"},
    "glide": {None: "ken_burns", "in": "dolly_in", "out": "dolly_out", "left": "pan_left", "right": "pan_right"},
}
# Verbs that name a camera move only when the clause also names the camera ("the camera moves
# left"; "clouds drifting left" is about the clouds).
CAMERA_VERBS_NEED_NOUN = ("move", "drift", "glide", "slide", "track")
# Whole phrases that fix the move by themselves.
CAMERA_PHRASES: dict[str, tuple[str, ...]] = {
    "dolly_zoom": ("dolly zoom", "vertigo effect", "vertigo shot", "zolly", "hitchcock zoom", "trombone shot"),
    "orbit": ("orbit", "orbits", "orbiting", "circle around", "circles around", "circling", "arc shot", "arc around",
              "rotate around", "rotating around", "360", "revolve around", "parallax orbit"),
    "ken_burns": ("ken burns", "kenburns", "slow drift", "gentle drift", "drifting camera",
                  "parallax", "3d effect", "3d photo", "3d parallax", "floating camera"),
    "dolly_in": ("push in", "push-in", "move closer", "moves closer", "get closer", "come closer", "comes closer",
                 "close in", "closes in", "move towards", "move toward", "moves towards", "moves toward",
                 "push forward", "moving closer", "creep in", "fly in", "fly into", "push into"),
    "dolly_out": ("pull back", "pull out", "pulls back", "pulling back", "pull away", "move away", "moves away",
                  "back away", "reveal", "pulls away", "fly out", "widen", "widening"),
    "zoom_in": ("zoom in", "zooms in", "zooming in", "zoom into", "zooms into", "close up", "closeup", "close-up"),
    "zoom_out": ("zoom out", "zooms out", "zooming out"),
    "static": ("static", "still camera", "static camera", "locked off", "locked-off", "tripod", "fixed camera",
               "stationary camera", "steady camera", "locked camera", "camera locked", "no camera move",
               "no camera movement", "no camera motion", "camera static", "camera fixed", "without camera movement",
               "without camera motion", "without moving the camera", "camera stays still", "camera still",
               "keep the camera still", "keep camera still", "keep the camera static", "camera does not move",
               "do not move the camera", "hold the camera still", "no camera"),
}
CAMERA_NOUNS = ("camera", "cam", "shot", "view", "lens", "frame", "viewpoint")

# Direction words and what they mean.
DIRECTION_WORDS: dict[str, str] = {
    "left": "left", "leftward": "left", "leftwards": "left", "west": "left",
    "right": "right", "rightward": "right", "rightwards": "right", "east": "right",
    "up": "up", "upward": "up", "upwards": "up", "rising": "up", "rise": "up", "skyward": "up", "upwardly": "up",
    "down": "down", "downward": "down", "downwards": "down", "falling": "down", "fall": "down",
    "in": "in", "into": "in", "inward": "in", "forward": "in", "forwards": "in", "toward": "in", "towards": "in",
    "closer": "in",
    "out": "out", "outward": "out", "away": "out", "back": "out", "backward": "out", "backwards": "out",
}
# Words that name which way a camera move goes without being one ("to the left").
MOTION_DIRECTIONS = ("left", "right", "up", "down")

# --- modifiers ---------------------------------------------------------------------------
# Intensity words -> strength. Ordered: the map is monotone in how strong the word is.
INTENSITY_WORDS: dict[str, float] = {
    "barely": 0.1, "faint": 0.15, "faintly": 0.15, "hint": 0.15, "tiny": 0.15, "minimal": 0.15, "trace": 0.15,
    "subtle": 0.2, "subtly": 0.2, "slight": 0.2, "slightly": 0.2, "little": 0.25, "bit": 0.25, "touch": 0.25,
    "delicate": 0.25, "small": 0.25,
    "light": 0.3, "lightly": 0.3, "gentle": 0.3, "gently": 0.3, "soft": 0.3, "softly": 0.3, "calm": 0.3,
    "mild": 0.3, "weak": 0.3, "quiet": 0.3, "low": 0.3, "peaceful": 0.3, "tranquil": 0.3,
    "less": 0.3, "weaker": 0.3, "softer": 0.3, "lighter": 0.3, "calmer": 0.3,
    "some": 0.45, "moderate": 0.5, "medium": 0.5, "normal": 0.5, "natural": 0.5,
    "noticeable": 0.6, "visible": 0.6, "lively": 0.6,
    "strong": 0.75, "strongly": 0.75, "heavy": 0.75, "heavily": 0.75, "thick": 0.75, "dense": 0.75,
    "more": 0.7, "stronger": 0.8, "heavier": 0.8, "bigger": 0.8,
    "big": 0.75, "lots": 0.75, "lot": 0.75, "plenty": 0.75, "hard": 0.75, "deep": 0.7, "bold": 0.75, "wild": 0.8,
    "intense": 0.85, "intensely": 0.85, "powerful": 0.85, "huge": 0.85, "dramatic": 0.8, "fierce": 0.85,
    "violent": 0.9, "torrential": 0.95, "extreme": 0.95, "massive": 0.9, "raging": 0.9, "crazy": 0.9,
}
# Words that push the next intensity or speed word further from the middle.
BOOSTERS = ("very", "really", "extremely", "super", "so", "incredibly", "quite", "too", "ultra", "most")
SPEED_WORDS: dict[str, float] = {
    "slow": 0.5, "slowly": 0.5, "leisurely": 0.5, "lazy": 0.5, "lazily": 0.5, "unhurried": 0.5,
    "gradual": 0.6, "gradually": 0.6, "steady": 0.8, "steadily": 0.8,
    "fast": 1.8, "quick": 1.8, "quickly": 1.8, "rapid": 2.0, "rapidly": 2.0, "rushing": 1.8, "racing": 2.0,
    "swift": 1.8, "swiftly": 1.8, "speedy": 1.8, "brisk": 1.5, "hurried": 1.8, "whipping": 2.2, "snappy": 1.8,
}

# --- negation and clauses ----------------------------------------------------------------
NEGATIONS = ("no", "not", "without", "never", "nothing", "none", "stop", "avoid", "neither", "nor", "minus",
             "excluding", "zero", "skip", "remove", "disable")
# Words after which a negation no longer applies ("no rain, just fog"; "no rain only snow").
SCOPE_ENDS = ("just", "only", "instead", "rather", "but", "except", "apart", "besides")
# Words that, after a thing, ask for it to stay still ("keep the camera still", "the sky stays frozen").
FREEZE_WORDS = ("still", "static", "frozen", "freeze", "steady", "motionless", "fixed", "stationary", "locked",
                "unmoving")
CLAUSE_WORDS = ("and", "but", "while", "whilst", "as", "then", "plus", "also", "meanwhile", "whereas", "when")

# --- timing --------------------------------------------------------------------------------
# Phrases that place an effect in time, as a share of the clip: (start or end, share).
TIMING_PHRASES: dict[str, tuple[str, float]] = {
    "at the end": ("start", 0.6), "toward the end": ("start", 0.6), "towards the end": ("start", 0.6),
    "near the end": ("start", 0.6), "by the end": ("start", 0.6), "later": ("start", 0.5),
    "later on": ("start", 0.5), "eventually": ("start", 0.6), "finally": ("start", 0.6),
    "halfway": ("start", 0.5), "halfway through": ("start", 0.5), "midway": ("start", 0.5),
    "in the middle": ("start", 0.5), "half way": ("start", 0.5),
    "at first": ("end", 0.4), "at the start": ("end", 0.4), "at the beginning": ("end", 0.4),
    "in the beginning": ("end", 0.4), "initially": ("end", 0.4),
}
# Words before a number of seconds: "after 3 seconds" starts then, "for 4 s" / "until 5 s" ends then.
START_WORDS = ("after", "from", "starting", "starts", "start", "begins", "beginning")
END_WORDS = ("for", "until", "till", "during")
SECOND_WORDS = ("s", "sec", "secs", "second", "seconds")

# --- unsupported actions -----------------------------------------------------------------
# What needs generated content (new pixels, a body in motion): kept in plan.unsupported.
UNSUPPORTED_PHRASES: dict[str, tuple[str, ...]] = {
    "kiss": ("kiss", "kisses", "kissing", "smooch", "peck on the cheek", "make out"),
    "hug": ("hug", "hugs", "hugging", "embrace", "embraces", "embracing", "cuddle", "cuddling", "hold each other"),
    "dance": ("dance", "dances", "dancing", "twirl", "twirling", "spin around", "spins around", "pirouette"),
    "walk": ("walk", "walks", "walking", "stroll", "strolling", "walks away", "walk toward", "step forward",
             "steps forward", "=marching", "people walking", "crowd moving", "pedestrians"),
    "run": ("=run", "=runs", "=running", "=ran", "jog", "jogging", "sprint", "sprinting"),
    "jump": ("jump", "jumps", "jumping", "leap", "leaps", "leaping", "=hop", "=hops", "=hopping", "lands the trick", "land the trick",
             "completes the jump", "complete the jump", "ollie", "kickflip", "backflip", "somersault"),
    "flex": ("flex", "flexes", "flexing", "flex bicep", "show muscle", "lift weights", "lifting weights"),
    "wave hand": ("=waving", "wave hello", "waves hello", "wave goodbye", "waves goodbye", "wave at", "waves at",
                  "wave to", "waves to", "waving at", "waving to", "wave his hand", "wave her hand", "waves his hand",
                  "waves her hand", "hand waving", "wave hand", "waving hand", "waves hand", "raise hand",
                  "raises his hand", "raises her hand", "raise his arm", "raise her arm", "raises his arm",
                  "raises her arm", "high five", "thumbs up"),
    "talk": ("talk", "talks", "talking", "speak", "speaks", "speaking", "say", "says", "saying", "sing", "sings",
             "singing", "lip sync", "lipsync", "whisper", "whispers", "chat", "chatting", "conversation"),
    "clap": ("clap", "claps", "clapping", "applause", "applaud"),
    "eat": ("eat", "eats", "eating", "=drinks", "=drinking", "sip", "sips", "sipping", "=bite", "=bites", "=biting",
            "chew", "chewing"),
    "fly": ("=fly", "=flies", "=flying", "=flew", "birds flying", "bird flying", "flap", "flapping", "soar", "soaring",
            "take off", "takes off"),
    "swim": ("swim", "swims", "swimming", "dive", "dives", "diving"),
    "ride": ("=ride", "=rides", "=riding", "=drive", "=drives", "=driving", "=cycling", "skate", "skating",
             "skateboard", "skateboarding", "ski", "skiing", "cars passing", "traffic moving", "car moving",
             "cars moving", "train moving", "boat sailing", "=sailing", "paddle", "paddling", "rowing"),
    "gesture": ("=pointing", "points at", "point at", "=bowing", "bows down", "shake hands", "shaking hands",
                "hold hands", "holding hands", "reach out", "reaches out", "wag", "wags", "wagging", "bark",
                "barking", "play guitar", "playing guitar", "play the piano", "playing the piano", "=playing",
                "typing", "writing", "throw", "throws", "throwing", "catch", "catches", "catching", "kick", "kicks",
                "kicking", "punch", "punches", "punching", "fight", "fighting", "cheer", "cheering", "salute",
                "salutes", "=stretching", "yawn", "yawns", "yawning", "shrug", "shrugs",
                "wave arms", "waving arms", "move arms", "moving arms", "arms moving", "pick up", "picks up",
                "put down", "open the door", "opens the door", "lean in", "leans in", "leaning in", "leans forward",
                "turn around", "turns around", "turning around", "stand up", "stands up", "standing up",
                "sit down", "sits down", "get up", "gets up", "climb", "climbs", "climbing", "cry", "cries",
                "crying", "tears", "tear rolling", "crawl", "crawling", "pour coffee", "pours coffee", "blow out",
                "blows out", "blowing out the candles", "blow a kiss", "blows a kiss", "wink at", "hand moving",
                "hands moving", "fingers moving", "tail wagging", "=scratching", "=shake", "=shakes",
                "=shaking", "spin", "spins", "spinning", "roll over", "hold up", "holds up", "grab", "grabs"),
}
# Library words, no CLI flags: the shells add how to ask for a neural engine.
# The soundtrack: words that ask for silence, and nouns that name the sound ("with the sound of
# rain" asks for it, "no sound" or "without audio" for silence). Read by reading._sound.
SILENCE_WORDS = ("silent", "silence", "silently", "mute", "muted", "soundless", "noiseless")
SOUND_WORDS = ("sound", "sounds", "audio", "soundtrack", "ambience")
# The water's sound (plan.audio.water): a named place decides first ("waves on the lake" laps),
# motion words only when no place is named. Read by reading.water_sound.
WATER_SOUND_PLACES = {
    "surf": r"sea|seas|ocean|beach|shore|shoreline|coast|coastline|seaside|bay",
    "stream": r"river|stream|creek|brook|rapids|waterfall|cascade|whitewater|torrent",
    "lapping": r"lake|pond|pool|lagoon|canal|harbou?r|marina|pier|dock|jetty",
}
WATER_SOUND_MOTION = {
    "surf": r"waves?|surf|tide|breakers|swell",
    "stream": r"rushing|babbling|gushing|flowing|tumbling",
    "lapping": r"lapping|ripples?|rippling|still|calm",
}

UNSUPPORTED_NOTE = "needs generated motion that the CPU engine cannot fake; a neural engine can do it"
# Flow verbs that are not a person's action when a water word is in the same clause ("the river runs").
FLOW_VERBS = ("run", "runs", "running", "ran", "rush", "rushing", "fall", "falls", "falling", "pour", "pouring")
# Verbs that describe a thing's motion when a thing is their subject ("the flames dance", "sparks fly").
FIGURATIVE_VERBS = ("dance", "dances", "dancing", "jump", "jumps", "jumping", "leap", "leaps", "leaping", "fly",
                    "flies", "flying", "spin", "spins", "spinning", "twirl", "twirling", "play", "plays", "=playing",
                    "playing", "wave", "waves", "waving", "walk", "walks", "shake", "shakes", "shaking")

# Vague wishes: no effect of their own, they ask for "some life" (the photo's defaults).
VAGUE_WORDS = ("move", "moving", "motion", "movement", "animate", "animated", "animation", "alive", "life",
               "living", "live", "magic", "magical", "cinemagraph", "dynamic", "surprise", "something",
               "anything", "nice", "cool effect", "awesome", "beautiful", "bring", "breathe life", "come alive",
               "come to life", "back to life", "wake up", "subtle motion", "gentle motion", "natural motion")

# Words so common that a typo-matcher must never turn them into a motion word ("main" is not
# "rain", "ran" is not "rain", "cloth" is not "cloud").
COMMON_WORDS = frozenset("""
a about above across after again against all almost along already also although always am among an and another
any anyone anything are around as at away back be beautiful because been before behind being below beside best
better between beyond big both bright brother but by can cannot cat city cloth clothes coat cold color colour
colors come could couple dad daughter day did do does dog done door down dress during each early either else
enough even evening ever every everything eye eyes face family father feel few field find fine first five for
four friend friends from front full girl give go going gone good great green grey gray ground group had hair
half hand hands happy has have he head her here hers him his home house how i if image in inside into is it its
just keep kid kids kind lady last late left let life like line little long look looking lot low made main make
man many may me men middle might mine mom more morning most mother move much must my near need never new next
nice night nine no none nor not nothing now of off often old on once one only onto or other our out outside over
own people person photo photograph picture place please portrait pretty rather ready real red right road room
round said same scene second see seem seven she should show side since six sister slightly so some someone
something sometimes son soon still street such sun take ten than that the their them then there these they thing
things think this those three through time to too top toward towards town tree two under until up upon us very
wall want was way we well were what when where which while white who whole why will wind window wine with within
without woman women would yes yet you young your yours zero main rainbow lane mane mint hint raise ruin rail
rind wand mind kind find line lime wide wife wine wire pain paint plain plan skin sand sane lake late lace
lame cake came fame game name same tame flake fake
""".split())

# Words that never carry meaning here (kept out of the "ignored words" note).
FILLER_WORDS = frozenset("""
a an the of to in on at by for from with into onto over under is are was were be been being it its it's this
that these those there their his her him she he they them we us you your i me my our some any all please make
let lets have has had do does did can could would should will just very really so too add adding give show
while as and or but then also some bit little kind sort like feel feeling look looking photo picture
image scene shot video clip effect effects lighting light around across through behind up down left right
slightly much many
""".split())
