"""Real English words that lie one or two letters from a vocabulary word ("streaks" is not
"streams", "following" is not "flowing"): the typo corrector leaves them alone.

Generated once by listing the words of a general English word list that the corrector would
otherwise change; regenerate the same way when the vocabulary grows.
"""

REAL_WORDS = frozenset("""
alice alike analogous atmosphere backyard baird baking banking barak barley barns beads beans bears beats
beech bench binds blade blake blame blending blind blinding blinds block blogs boarding boeing boring bowling
bowls boxing braking branding breached breadth breaking breathless breeding brick brock broom brushes burnt
bursting burying buses cards carr cast casts catcher chandler changing chant chanting charging charming chart
charting check checking chess choosing chose clans clasp class claus claws clearing clicking clinging clips
clone clones closest clothing clover clutches clutching coats codes comet comets compete competed competes
complexes cones conservation conversion cores covering cracking crank crate crest cried crimes crises crowe
crown crows crushing currency dancer dancers danes dangling dante dazzling dedicated delegate denise derive
derives dining diver divers dividing divine draft drafting drank driven driver drivers drove drunk duplicate
earnings easing eclectic electrical electron electronic emirates expressing expressive faced failing famed
fated faust feast fibre figuring filed files filling fined flare flaws fleeing fleming flesh flicked flicking
flight fling flint flipping flirting flown flush flushing followers following fontaine forearms forecast
foremost forestry foreword forrest fries fright frowning garde gardener gentry glass glider graduate grain
grasp grind grinding gripping groaning groin gross growing growling guest guide guts hazel health healy heard
heart hearts heath heavenly holdings holes hurriedly immensely increase intended intensity intensive intently
knicks knocking lacked lacks lanes launching leapt learn learning learns leases leave lena licked likely
limiting listing listings livery loans locker lockheed locus loops lost lotus lough lovely marco marrying
marsh match matching mates midst missy moderator moist monument motel moths movies mysteries mysteriously
norma norman nostalgia noticeably openings overcame owens packs painting paintings paints palma pants parallel
passions pausing paying pedal penal pills pinch piper pitching placing planes planets planning plans pleading
pleasing plush polled polling polls pound praising praying pressing prick print printing prints projected
projection projects prosecutor protector psalm psalms puddle pulsing quilt raids railing raion ramon ranging
rani rann raped rattling raven reacher react reacting reads realises reefs reelection refining reflecting
reflective regaining reich reigning rejection relating remaining repeal residing resolve resolved retaining
reversal revolver rider riders ridge ridges ringo ripping risen risking rites rivera roach rollins rotation
rotting rounding rover ruins rumbling sands saving scala scalp scare scars score scores scream screaming
screams scroll scrolling searing sears seating seine shade shades shaken shall shame shandong shape shapes
shaping shares shave sheer shell shift shifting shifts shipping ships shivering shooters shopping short shove
shrine shrub shrubs sighs sight singh sinking sinks skater sketches skier slade slamming slapping slate sleek
sleeping slept slice sling slipping slips slits smashing smelling smooth snail snake snakes sneak sneaking
sober solar sonar songs sounding spain spanning spans sparsely spawning speakers spear spears speed speedway
spell spelling splitting spoke sports sprawling spring sprinter spying squinting stabbing stairs stake stakes
stale stall standings stark starr start startling starts state stating statutes steal stealing stemming stems
sterling sting stinging stitches stoke stores storey story strangely streak streaks stricken stride strife
striker strikers string stripe stripping strive strode stronger strung subset suits sundays swimmer swimmers
swing swinging swings swiss swore taken taluk tamil tanks tapes tasks taxes teams thanking thinking threw
thriving throbbing thrown tied tiles tingling tonnes torah torment tough trade trait trance tries trunk tunes
tuning turin turing turks twain twisting tying unmarried valor vantage venus vimes violence violet visibly
waiter waiting wakes walls walter warner wasps wastewater weave weaving weighs wendy whimper wider winery
wines wings winning wives wrapping writhing writings yearning
""".split())
