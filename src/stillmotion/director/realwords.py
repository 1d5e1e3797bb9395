"""Real English words that lie one or two letters from a vocabulary word ("streaks" is not
"streams", "following" is not "flowing", "stirs" is not "stars"): the typo corrector leaves
them alone.

Generated from a general English word list (and its plain inflections: -s, -ed, -ing, ...),
keeping the words the corrector would otherwise change. A new vocabulary word brings new real
words near it, so regenerate when a phrase list grows, with a local word list (Debian's
wamerican installs one): `PYTHONPATH=src python scripts/realwords.py /usr/share/dict/american-english
--write`, then run the prompt suite.
"""

REAL_WORDS = frozenset("""
alice alike analogd analogied analogous analogueer analoguees analogyer analogyes animatedd applauseer
applausees approachd approacher armsd armss armys atmosphere atmosphered atmospheres atmosphericd
atmosphericer atmosphering autumnd autumner avoidd babely backingd backings backsing backwardd backwarder
backwardsd backwardsed backwardser backwardses backwardsly backwardss backyard backyardd backyardes backyards
baely baird bairding bairds baking banely banking bankingd bankings banksing baracking barak baraking barbedly
barberly barbiely barbiing barding bardly bards bareding baredly barelyd barelyed barelyer barelyes barelyly
barelys bargeing bargely bargesly barging bariing barily barkd barkeding barkedly barkering barkerly barkingd
barkinged barkinger barkinges barkingly barkings barley barleyly barlowing barly barnesly barnetly barneyly
barnly barns barredly barreing barrelly barrely barrenly barriely barriing barrly barsing barsly barting
bartly basely bashes beachd beads beaes beaks beamd beamsd beamss beans bearding bearerly bears bearsing beats
beatsing beaus beech beinging belowing belows bench beneathes beneathing beneaths berniing berning berns
berthing biancaes binds birdd birdsd birdss biter bjorning blackd blade blaineing blaining blake blame
blancaes blanched blanchees blanches blancing blancoes blanding blanking blanks bleaking blending blewing
blews blind blinding blindingd blindings blinds blindsing blinkd blinkeding blinkeds blinkingd blinkinged
blinkinger blinkinges blinkingly blinkings blissing blitzing blizzardd blizzarder blocing block blocs bloging
blogs blogsing blooding bloodying blossomd blossomer blossomsd blossomsed blossomser blossomses blossomsly
blossomss blousing blowd blowingd blowinged blowinger blowinges blowingly blowings blowning blowns blowsd
blowsing blowss bluer blunting blusheds blushes bmwing boarding boatd bobing boeing boging boild boldd
bonfireer bonfirees boning booing boping boreding borely boring borneing borning borns bosing boting bourneing
bourning boweding bowening bowieing bowiing bowingd bowinged bowinger bowinges bowingly bowings bowld bowling
bowlingd bowlings bowls bowlsing bowsd bowsing bowss boxing boying braiding brakeing braking brakingd brakings
brams branchedd branchedes brancheds brancher branchesd branchesed brancheser brancheses branchesly branchess
brandies branding brandses brandtes brandyes breached breacheds breacher breaches breaching breachs breadth
breadthd breadthed breadther breadthes breadthing breadths breaking breakses breaksing breastes breasting
breastses breastsing breastss breathd breathedd breathedes breatheding breatheds breatheer breathees breather
breathingd breathinged breathinger breathinges breathingly breathings breathless breathsd breathsed breathser
breathses breathsing breathsly breathss breeding breely breezeer breezees brenting bresting bretting brick
bricking brinking brinks briskd broading brock brocking brodiing brodying brokeing bronxing bronzing broodingd
broodinged broodinger broodinges broodingly broodings brookd brooksing broom brooming brunoing brusheds
brushes brushesd brushess buenaing buicking bulbd buning bunnying burdening burening burens burmaing burnd
burneding burningd burninged burninger burninges burningly burnings burnsd burnsing burnss burnt burnting
burnts burring burrs bursting burting burtoning burts burying buryingd buryings burys busches buses busher
bushesd bushesed busheser busheses bushesly bushess busies bustes busyes buzzeding buzzingd buzzinged
buzzinger buzzinges buzzingly buzzings byrds byrneing byrning byroning cacheing caches caching caies callsing
calmd camer camerad cameraer camerasd camerass canadaes canales canalses canceles candaces candies candleer
candlees candlesd candlesed candleser candleses candlesly candless candyes capts caras cards careering caries
carloser carloses carlosing carls carlying carps carr carrs carsd carss carying carys cascadeer cascadees
cashing cast casts catchd catcher catcherd catcheres catchering catchers catchesd catchesed catcheser
catcheses catchesing catchesly catchess catchingd catchinged catchinger catchinges catchingly catchings
cathying catsd catss cbeer ceaseing ceciling cellsing chaer chaining chalking chancing chandler chandlers
changing chant chanting chantingd chantings chantsing charging charming chars chart charting chartingd
chartings chartsing chatd chattering chattingd chattinged chattinger chattinges chattingly chattings
cheapering cheaping check checking cheekd cheeksing cheerd cheereding cheerfuld cheerfuler cheeringd
cheeringed cheeringer cheeringes cheeringly cheerings cheersing cheeseing cheesing chefer chefsing chener
cheneying chenging cherer cherryd cherryer cherryes chess chessing chestd chestering cheter chets chevying
chewd cheweding chewer chiefing chier chies chimneyd chimneyer chimneyes chimneysd chimneyss chloeing choer
choiring choosing chose choseing choses chosing chowd chuckling chuer cigard cigaretted cigaretteer
cigarettees cigarettesd cigarettess cinematicd cinematicer circaes circaing circledd circledes circleding
circleds circleer circlees circlesd circlesed circleser circleses circlesing circlesly circless circlingd
circlinged circlinger circlinges circlingly circlings circuses circusing ciscoing civiling cladeing clads
claimsing clairing clans clapd clappeding clappingd clappinged clappinger clappinges clappingly clappings
claraing clareing clarking clashing clasp clasping clasps class clauding claus claws clays clearing clevering
clicking cliffing climating climaxing climbd climbeding climbeds climbingd climbinged climbinger climbinges
climbingly climbings climbsd climbsed climbser climbses climbsing climbsly climbss clinging clinting clips
cliveing cloaking clocking clockser clockses clocksing clone cloneing clones cloneser cloneses clonesing
cloning closeder closedes closeding closeds closeer closees closelys closerd closerer closesd closesed
closeses closesing closesly closess closest closestd closests closeter closetes closeting closets closingd
closinged closinger closinges closingly closings closures closuring clothing cloudd cloudeds cloudsd cloudsed
cloudsing cloudsly cloudss cloudyd cloudyer cloudyes clover clowning clubsing cluesing clutches clutching
coaes coats coatsing codes coeer coees coffeed coffeeed coffeeer coffeees cokes coldd coles coloning colorser
colorses colorsing colorss colourd coloureds colourer coloursd coloursed colourser colourses coloursly
colourss coltsing comaes comas combes combs comees comer comesd comess comet comets comoes comos compactes
compete competed competeds competees competes competesd competess compiledes compileres completedd completedes
completeds completeer completees completelys completesd completesed completeser completeses completesly
completess complexd complexed complexer complexes complexesd complexess complexs compliedes complies complyes
computees computes comtes cones conservation conversationd conversationer conversationsd conversationss
conversion cooksing coold copes cores coreying cories corying cotes couching coupledes couplees coupleses
covering coves cowes coxes cozyd cpies crackeding cracking crackingd crackings cracksing cradleing cradling
crank craps crasheding crashesing crashingd crashinged crashinger crashinges crashingly crashings crate crawld
crawleding crawlingd crawlinged crawlinger crawlinges crawlingly crawlings crazyd creeding creekd creepd
creing creoling crest cresting crewd creweing crewsing cried crieds criesd criess crimeing crimes crises
crisping cropd cropsing crotches crotching crowdd crowe crowed croweing crown crownd crowning crows crowsd
crueling crushing crushingd crushings crusting cryingd cryinged cryinger cryinges cryingly cryings crypting
crystald crystaler crystalsd crystalss csies cueer cumes curlying currency currentd currenter currentsd
currentss currying cybering cyclesing cyclicing cyclingd cyclinged cyclinger cyclinges cyclingly cyclings
cycloning czeching dally damond danaes danaing dancedes danceding danceds dancees dancer danceres dancering
dancers dancersd dancerss dancesd dancesed danceser danceses dancesing dancesly dancess dancingd dancinged
dancinger dancinges dancingly dancings danees daneing danes danesing dangling danies daniing daning dannying
danses dansing dante danteing dantes danting danubing darcying daringing darioing darkd daves daving dazzling
dedicated deepd delegate delicateer delicatees delly denes denise derive deriveds derivees deriveing derives
derivesd derivess deriving desmonds deves deving diaes diaing diamondd diamonder diamondsd diamondsed
diamondser diamondses diamondsly diamondss dianaing dianeing dices dicing dides diding diees dieing diges
diging diing diles diling dilly dimes diming dinamoed dines dining dipes diping dires diring dishd divaes
divaing divas divees diver divering divers dividing divine divingd divinged divinger divinges divingly divings
divining dizzying docly dodly doely doggs dogly dogsd dogss doily doinging dolld dollyd domly dongs donly
dooly dorising dosly dotly dougs doves doving dowly downwardd downwarder downwardsd downwardsed downwardser
downwardses downwardsly downwardss draft drafting draftingd draftings draftsing drainsing dramaticd dramaticer
drank dranking dranks dreamd dreamsly dries driftd drifteding driftingd driftinged driftinger driftinges
driftingly driftings drinkd drinkingd drinkinged drinkinger drinkinges drinkingly drinkings drinksd drinksed
drinkser drinkses drinksing drinksly drinkss dripes driping drips drivees driven drivenes drivening drivens
driver driveres drivering drivers driversd driverss drivesd drivesed driveser driveses drivesing drivesly
drivess drivingd drivinged drivinger drivinges drivingly drivings droneing dropd dropsd dropss drove droveing
droves droving drunk drunking drunks dryinging duaneing duplicate duringing dustd dustyd dyinging earing
earningd earninges earnings earningsd earningss earringsd earringsed earringser earringses earringsly
earringss earthing easing eastd eatening eatering eatingd eatinged eatinger eatinges eatingly eatings eatoning
eatsd eatsing eatss eclectic electrical electricd electricer electrod electron electronic electros embarkes
embarking embracedd embracedes embraceding embraceds embraceer embracees embracingd embracinged embracinger
embracinges embracingly embracings embryoes embryoing emirates estating esting etaing etas etating etats
exacting exhaledd exhaleds exhaustd exhauster expressing expressiond expressioner expressionsd expressionss
expressive extremeer extremees extremesd extremess eyess faaed fableing fabling faced facingly fadedd fadeds
fadesd fadingly faeed faied faies failing failingd failings failsing faing faintd faintlyd faintlyed faintlyer
faintlyes faintlyly faintlys faked fakes falld fallening fallingd fallinged fallinger fallinges fallingly
fallings falloning fallsing falsing famed fames faminely faned fared fastd fataling fated fats faulting faust
fayed faying fbies fdaed feast feasting feded feies felixing felling fellowing feying fiaed fibre fierceer
fiercees fifed fifthing figed fightd fightering fightingd fightinged fightinger fightinges fightingly
fightings fightsing figuring filed fileding files filesing filling fillingd fillings fillsing filmd fined
finelies finers fingerd fingereds fingerer fingersd fingersed fingerser fingerses fingersly fingerss finiting
fireplaceer fireplacees firer firmlies firsting firstlies firthing fised fited fixedd fixeds fixer flamees
flamesd flamesed flameser flameses flamesly flamess flankeds flankes flankses flapd flapsing flare flashd
flasheding flashesing flashingd flashinged flashinger flashinges flashingly flashings flating flawing flaws
fleaes fleaing fledes fleding fleees fleeing fleeingd fleeings fleesing fleming flemingd flemings flesh
fleshing flewd flewes flexd flexedes flexeding flexeds flexer flicked flickedd flickeder flickedes flickeding
flickeds flickerd flickereding flickereds flickerer flickeringd flickeringed flickeringer flickeringes
flickeringly flickerings flickes flicking flied fliesd fliesing fliess flight flighting flightsing flincher
fling flint flinting flintly flipes flipping flippingd flippings flips flirting floateding floatingd
floatinged floatinger floatinges floatingly floatings floatsing flocker floping floppying flops floraling
flowd flowedes floweding floweds flowerd flowerer flowersd flowersed flowerser flowerses flowersly flowerss
flowingd flowinged flowinger flowinges flowingly flowings flown flowning flowns flowsd flowsing flowss flues
fluffies fluing flush flushing flushingd flushings fluxes fluxing flyingd flyinged flyinger flyinges flyingly
flyings flynning foames fogly foliageer foliagees followers following fontaine forearmd forearms forecast
foremost fores forestd forester forestry forestsd forestss foreword forewords forrest forrestd forrests
forwardd forwarder forwardsd forwardsed forwardser forwardses forwardsly forwardss foughting fountaind
fountainer fountainsd fountainss foxed frailing freelies freighting freshing fries frigating fright frighting
fringees fronting frosting frowning frying fulhames fulling furries garde garded gardeing gardend gardener
gardensd gardenss gardes garioning gaunting genely genly gentleer gentlees gentlied gentlyd gentry gentryly
getly getsd getss ghenting ghently gianting glancedd glancedes glanceds glanceer glancees glancesd glancesed
glanceser glanceses glancesly glancess glandes glanding glandses glass gleamd gleameding gleamingd gleaminged
gleaminger gleaminges gleamingly gleamings glider glintd glinter glisteningd glisteninged glisteninger
glisteninges glisteningly glistenings glitterd glitterer glitteringd glitteringed glitteringer glitteringes
glitteringly glitterings globeing globing gloomd glorying glossd glosss glossyd glossyer glossyes gloveing
gloving glowd gloweding glowingd glowinged glowinger glowinges glowingly glowings godd golded goldend goldener
golder goldes goodbyed goodbyeer goodbyees grabd grabsd grabss graduald gradualer graduallyd graduallyed
graduallyer graduallyes graduallyly graduallys graduate graduately graeming grain graining grainsing gramss
granding granging grannying grasp grasps grassd grasss greasing greating greening griefing grilling grimmer
grimming grind grinding grindingd grindings grinneding grinningd grinninged grinninger grinninges grinningly
grinnings grinsing gripping gripsing gritteding groaning groin groining gross growing growingd growings
growling growsing guest guide guilting guitard guitarer guitarsd guitarss gustd guts haird handd handss harad
hardd hared harid harmd harolding harpd harried harrietd harrised hartd hazel hazyd headd health healy heard
heart heartd hearthd hearther hearts heath heavedly heavenly heavierly heavilyd heavilyed heavilyer heavilyes
heavilyly heavilys heavingly heavyd helding helds helld hellod hells highd highlightd highlighter highlightsd
highlightss hildaing hitchcockd hitchcocker holdd holdening holdering holdingd holdinged holdinger holdinges
holdingly holdings holdingsd holdingss holdsd holdsing holdss holed holeing holes holesing holing hollying
holmd holming holms holtd holting holts holyd holying holys hondaing hooding hoods hopeding hordeing hording
hounding hourd hourlied howld howleding huanging huger huggeding huggingd hugginged hugginger hugginges
huggingly huggings hughing hughs hugoing hugos hugsd hugsing hugss hunging hungried hungs hurleied hurriedd
hurrieded hurrieder hurriedes hurriedly hurrieds hurries hurryed immensely incenseer incensees increase
inhaledd inhaleds insteadd intended intendedly intender intendes intendly intendsd intendsed intendser
intendses intendsly intendss intenseer intensees intenselyd intenselyed intenselyer intenselyes intenselyly
intenselys intensity intensive intensively intented intenter intentes intently internes inversely inwardd
inwarder jewelleryd jewelleryer jewelleryes jewelly jewelryd jewelryer jewelryes jewelser jewelsly joggeding
joggingd jogginged jogginger jogginges joggingly joggings jonging jorgeing jorging jumpd jumpeding jumpering
jumpingd jumpinged jumpinger jumpinges jumpingly jumpings jumpsd jumpsing jumpss kettleer kettlees kickd
kickeding kickering kickingd kickinged kickinger kickinges kickingly kickings kicksd kicksing kickss kidses
kidsing kidss killsing kinasing kindsing kingsing kirking kirks kissd kissedes kisseding kisseds kisser
kissesd kissesed kisseser kisseses kissesing kissesly kissess kissingd kissinged kissinger kissinges kissingly
kissings kisss kitses kitsing kitss knicks knicksing knocking kriss lacked lacks lagoond lagooner laids laily
lamas lambs lames lampd lampsd lampsing lampss lanad lanas landd landsd landss laned lanes langd langeing
langs laning lanternd lanterner lanternsd lanternsed lanternser lanternses lanternsly lanternss lapsd lapser
lapss laptoping largeing latching latteres laudeing laughd laugheding laugheds laughingd laughinged laughinger
laughinges laughingly laughings laughsd laughsed laughser laughses laughsing laughsly laughss launching
lauraing lauriing lawnd lazyd leades leafd leahes leakes leaneding leaningd leaninged leaninger leaninges
leaningly leanings leansd leansing leanss leapd leapeding leapingd leapinged leapinger leapinges leapingly
leapings leapsd leapsing leapss leapt leapting leapts leares learn learning learningd learnings learns
learnsing learnting leases leave leaved leavees leavesd leavesed leaveser leaveses leavesly leavess lecturely
lehmaning leighing leightoning leisureer leisurees lelanding lemoning lena lenaing lenas lends lening lenining
lennying lenss leoneing leoning leons leunging levanting leves levining lianging licked licks liely liftd
lifteding liftingd liftinged liftinger liftinges liftingly liftings liftsing lightd lighteding lightedly
lighteds lightering lighterly lighters lightingd lightinging lightings lightlyd lightlyed lightlyer lightlyes
lightlying lightlyly lightlys lightningd lightninged lightninger lightninges lightningly lightnings lightsd
lightsed lightser lightses lightsing lightsly lightss likely limely limiting limps linely listing listingd
listings listsing liszting liting livedly livelyd livelyed livelyer livelyes livelyly livelys liverly livery
liveryly livesly livly loand loaning loans loansing loched lochs lockd lockedd lockeded lockeder lockedes
lockedly lockeds locker lockerd lockered lockheed locksd locksed lockss locoed locos locus lofting lofts
loganing loked lookd looksd lookss loops lost losts lotsd lotss lotus lough loughing loughs lovely lucaning
lucked lucks lumps lunds lymaning maching macroing magicd maild manchuing marbling marcd marceling marchd
marcheding marchesing marchingd marchinged marchinger marchinges marchingly marchings marciaing marcing marco
marcoing marcosing marcs marcusing mareking margeing mariaing marieing marining marioing marising markoing
marksing marneing marrying marsh marshing martaing marthaing martying massifed massifer massifes massiveer
massivees match matching matchingd matchings mates mediumd mediumer mercying metes midst mildd miled milkd
milld milod minimald minimaler minuss misly missy mistd mistyd mitching mites mits moates mobing moderateer
moderatees moderator moding moeing moiing moing moist moling moming monarching moning monsoond monsooner
montes monument moodd moodyd moring mortes motel motels mothes moths motiond motioner motionlesss motionsd
motionss motiving moveding moveds movees movementd movementer movementsd movementss movesd movesing movess
movieing movies moviing movingd movinged movinger movinges movingly movings mtves mtving muscledd muscleds
muscleer musclees musclesd muscless mutes mysteries mysteriess mysteriousd mysterioused mysteriouser
mysteriouses mysteriously mysteriouss naturald naturaler naturely necklaceer necklacees neond nodd noddeding
noddingd noddinged noddinger noddinges noddingly noddings nodesing nodsd nodsing nodss noird nording nords
norma normad normald normaler normaly norman normanly normas nosd noseding nostalgia nostalgiad nostalgias
noteding noticeableer noticeablees noticeablied noticeably noticeablyd noticeablyer noticeablyes oceand
oftening ogdening oldd ollies olsening opend openeding openering openingd openinged openinger openinges
openingly openings openingsd openingss openlying opensd opensing openss operaing opteding orbitaling orbitals
orbitd orbitingd orbitinged orbitinger orbitinges orbitingly orbitings orbitsd orbitsed orbitser orbitses
orbitsing orbitsly orbitss ornating ortizing outwardd outwarder ovening ovens overcame owening owens owensing
pacesing packs packsing paddeding paddleer paddlees paddying padmaing padreing padsing paduaing pagesing
painting paintingd paintings paints paintsing pairsing palacing pales palis palma palmas palmd palmsd palmsing
palmss palos pandaing paneling pants pantsing papaling parallel parising parksing paroling partialed partialer
partiales partials particleer particlees particlesd particlesed particleser particleses particlesly particless
partieses partinges partsing pashaing pasing pasoing passaging passeding passesing passingd passinged
passinger passinges passingly passings passiond passions passiving pastaing pasteing pasting patching pateling
pathsing patricees patrices patrickes patsying paulaing pauloing pauseing pausesing pausing pausingd pausings
paveling pawsing paying paysing peacefuld peacefuler peaching peaksing peckd pedal pedaling pedals pedestald
pedestaler pedestriand pedestrianer pedestriansd pedestriansed pedestrianser pedestrianses pedestriansly
pedestrianss penal penals perching petalsd petalsed petalser petalses petalsly petalss phaseing phasesing
pianod pices pickd picksd pickss pilling pills pillsing pinch pincheds pinches pinching pinks pintoing
piousing piper pissing pitching placeing placing placingd placings plaguing plaiding plaining planeing planes
planetes planets planetsd planetss planing planking planks planning plans planss plantd planteds plantsd
plantsed plantser plantses plantsly plantss plaquing plataing plateing plating platoing platting platts playd
playeding playering playingd playinged playinger playinges playingly playings playsing plazaing pleading
pleasing plentyd plentyer plentyes plush pluss poing pointd pointeding pointeds pointees pointering pointers
pointingd pointinged pointinger pointinges pointingly pointings pointsd pointsed pointser pointses pointsing
pointsly pointss pokering pokinging politing polled pollend pollener poller polles polling pollingd pollings
polls pollsing ponceing pondd pontd ponting ponts ponyd pooring poors porching poring pornd porticoes posesing
posinging posseing possing postsing posturing potenting pound pourd poureding pouringd pouringed pouringer
pouringes pouringly pourings powerfuld powerfuler powering praising praying prayingd prayings pressing prick
pricks princing print printing printingd printings prints printsing projectd projected projecter projectes
projection projectly projects projectsd projectser projectss prosecutor protecter protector protectord
protectors prouding psalm psalms psyching pucks puddle puddleing puddling pulld pulleding pullingd pullinged
pullinger pullinges pullingly pullings pullsd pullsing pullss pulping pulps pulseing pulsing pulsingd pulsings
punchd punchedd punchedes puncheding puncheds puncher punchesd punchesed puncheser puncheses punchesing
punchesly punchess punchingd punchinged punchinger punchinges punchingly punchings punishes punishing puntaing
pupiling puring purpling pushd pussying puzzling quickd quickerly quicklyd quicklyed quicklyer quicklyes
quicklyly quicklys quied quier quies quietd quilt quincyly rabbises raceding racering racesing racingd
racinged racinger racinges racinging racingly racings racismes racistes racking racksing radioing radioses
radiuses rageding ragingd raginged raginger raginges raginging ragingly ragings ragses ragsing raidly raids
raidses railes railing railingd railings railses raily raind raineding rainering rainfalld rainfaller rainingd
raininged raininger raininges rainingly rainings rainses rainsing rainyd raion raioning raisedes raiseds
raisees raisesd raisesed raiseser raiseses raisesly raisess rallying ramed ramer rames ramon ramoning ramses
ranching rangeing ranging rangingd rangings rani ranid raniing rankining rann raouling raped rapedly rapeds
rapidd rapidlyd rapidlyed rapidlyer rapidlyes rapidlyly rapidlys rapidsd rapidsed rapidser rapidsly rapidss
rases rashidly rashing raspedly ratinging ratioing ratioses ratses rattling raven ravening ravid ravineing
ravining rayoning raysd rayses rayss rbises rbising rcaing reachd reachedd reachedes reacheds reacher reacherd
reacheres reachers reachesd reachesed reacheser reacheses reachesly reachess react reacteds reactes reacting
reactses reads realises recing reding reedd reefs reelection reelectiond reelections reels reesd reess
refining reflecting reflectiond reflectioner reflectionsd reflectionss reflective regaining reging regising
reich reiches reides reiding reids reigning reining rejection relating remaining rematches repeal residing
resing resining resolve resolved resolves restsing retaining retrod reveald revealer revealsd revealss rever
reversal revolted revolter revoltes revolver revolverd revolvers revolvesd revolvess rfcing rhineing rhining
rhinoing riber ribes ribsing ricer rices ridees rider ridering riders ridesd ridess ridge ridgeing ridges
ridging ridingd ridinged ridinger ridinges ridingly ridings riger riges rigiding rimer rimes ringd ringo
ringsing rioer rioes riosing riotsing riper ripes rippedes rippeding ripping rippingd rippings rippledd
rippledes rippleding rippleds rippleer ripplees risen risening risesing risingd risinged risinger risinges
risingly risings risking riskingd riskings risksing riskying rites ritesing rivaling rivera riverd rmsing
roach roaches roaching roasting robing robining roboting rodes roeing rohaning roiing roleing rolesing rolfing
rolld rolleding rollering rollingd rollinged rollinger rollinges rollingly rollings rollins rollinsd rollinss
rollsing romaning roming roning ronniing roping rotarying rotatedd rotateding rotateds rotateer rotatees
rotatingd rotatinged rotatinger rotatinges rotatingly rotatings rotation rotationd rotations roting rotoring
rotting rottingd rottings rouening roughing rounding rouseing rover rowering rowingd rowinged rowinger
rowinges rowingly rowings rowsing roying rpging rting rubbling rubening rudes ruding ruging ruing ruins
rumbling runesing runnering runningd runninged runninger runninges runningly runnings runsd runsing runss
ruraling ruseing rusheding rushesing rushingd rushinged rushinger rushinges rushingly rushings russing
rusticing rustlingd rustlinged rustlinger rustlinges rustlingly rustlings rustly rustying ruthing rying
sableing sabling sacing saddling sadieing sading safing saging saiding saild saileding sailingd sailinged
sailinger sailinges sailingly sailings sailoring sailsing sakes sakurad sakuraer saliming salleing salling
saltes saltying saluteer salutees saming sammying samoaing sanding sands sandsing sanging sangs saning saoing
saping sasing satand sataning satiring sauling saving savinging savoying sawing saxing sayingd sayinged
sayinger sayinges sayinging sayingly sayings saysd saysing sayss scala scalp scand scansing scarcing scare
scareing scarfing scaring scars scarsing scies sciing score scores scotches scowling scratchd scratchedd
scratchedes scratcheds scratcher scratchesd scratchesed scratcheser scratcheses scratchesly scratchess scream
screames screaming screamingd screamings screams screamsd screamsing screamss scripting scroll scrolling
scrollingd scrollings scrollsing seaming seand searing searingd searings sears searsing seating seatingd
seatings seatsing seeinging seine seing seining senating sesaming sewaging sewering sewinging shackes shacking
shade shadeing shades shading shaes shaftd shaftsd shaftsed shaftser shaftses shaftsly shaftss shahes shahing
shaies shaing shakees shaken shakenes shakening shakens shakesd shakesed shakeser shakeses shakesing shakesly
shakess shakingd shakinged shakinger shakinges shakingly shakings shakyes shaleing shales shaling shall shame
shameing shames shaming shand shandong shanes shape shapeing shapes shaping shapingd shapings shares sharkes
sharking sharkly sharksly shave shaveing shaves shaving shawes shawing shayes sheed sheend sheeping sheer
sheering shees sheeting shell shening shiaing shies shift shiftering shifting shiftly shifts shiftsly shily
shimmeringd shimmeringed shimmeringer shimmeringes shimmeringly shimmerings shind shiner shing shiningd
shininged shininger shininges shiningly shinings shinyd shiping shipping shippingd shippings ships shireing
shiring shirting shiting shits shivaing shivering shoer shoneing shoning shooters shopping short shorters
shove showedes showeds showerd showereds showerer showersd showersed showerser showerses showersly showerss
showingd showings showsing shrilling shrimper shrine shrining shrinkly shrub shrubs shrugd shrugsd shrugsed
shrugser shrugses shrugsly shrugss shying sidinging siegeing sieging sienaing sighs sight signaging signd
signingd signings signsd signsing signss silasing simoning sinaiing sinceing sincing sindhing sines singd
singering singh singhing singhs singingd singinged singinger singinges singingly singings singleing singling
singsd singsing singss sinking sinkingd sinkings sinks sinksing sinoing sinos sinsing sinss sippeding sippingd
sippinged sippinger sippinges sippingly sippings sitsd sitss situs skaes skater skatering skatingd skatinged
skatinger skatinges skatingly skatings sketches sketching skier skiering skiers skiesd skiesing skiess skiingd
skiinged skiinger skiinges skiinging skiingly skiings skimmeding skines skinnying skippingd skippings skylard
skylared slacking slade slamming slapping slashing slate slateing slating sleek sleeping sleepingd sleepings
sleepsing sleepying sleeving slept slice slidd slider slied slies slightd slighter slims sling slinging slings
slipping slippingd slippings slips slipsing slits sloaning slotly slowd slowedly sloweres slowerly slowers
slowingd slowings slowlyd slowlyed slowlyer slowlyes slowlyly slowlys slunging slying smalld smashing smelling
smiledes smileding smileds smilees smilesd smilesed smileser smileses smilesing smilesly smiless smileyes
smilingd smilinged smilinger smilinges smilingly smilings smirkd smithing smokeding smokingd smokinged
smokinger smokinges smokingly smokings smokyd smooth snacking snail snailing snailsing snake snakeing snakes
snaking snatches sneak sneaking sneakingd sneakings sneaks snooping snorting snouting snowd snowfalld
snowfaller snowyd soaping soareding soaringd soaringed soaringer soaringes soaringly soarings sober sobering
sofaly softd softerly softlyd softlyed softlyer softlyes softlyly softlys soies soiles solar solaring somberd
someer sonar sonaring songing songs songsing sores soring sorrying sortly sounding soupd sourcing souring
soying spain spains spand spanning spanningd spannings spans sparedes spareding sparedly sparely spares
sparing sparkedes sparkeding sparkedly sparkeds sparkledd sparkledes sparkleding sparkleds sparkleer sparklees
sparklingd sparklinged sparklinger sparklinges sparklingly sparklings sparksed sparkser sparkses sparksing
sparksly sparsees sparseing sparsely spartaes spartaing spartakly spartaly spating spawning speakd speakering
speakers speakingd speakinged speakinger speakinges speakingly speakings speaksd speaksed speakser speakses
speaksing speaksly speakss spear spearing spears spearsing spearsly speces specs speed speedd speedsly
speedway speedyd speedyer speedyes spell spelling spiceing spicying spiesing spikeing spinaling spind
spinesing spinningd spinninged spinninger spinninges spinningly spinnings spinsd spinsing spinss spirales
spiraling spireing spires spiriting spiteing splasheding spliting splitting spoke spokeing spokes spoking
spooning sporesd sporesed sporeser sporeses sporesly sporess sportes sports sportses spotes spping spranging
sprangly sprawling spring springing springsing sprintd sprinteding sprinter sprintering sprunging sprungly
spuns spures spying squaring squashing squating squeaking squinting sries sriing stabbing stabd stacys
stadeing stading staffing stageding stageing staind staineding staineds stainsing stairs stake stakes staking
stale staleing stall stanceing stancing standd standingd standinged standinger standinges standingly standings
standingsd standingss standsd standsed standser standses standsing standsly standss staned stanes staning
stans stanzaing stareding staringd staringly starings stark starkly starks starr starrd starrly starrs starsd
starss start startling starts statd state stateding staticd staticer stating statingd statings stationaryd
stationaryer stationaryes stationer stationly stationsly statutes stayeding staysd stayss steadied steadilyd
steadilyed steadilyer steadilyes steadilyly steadilys steadyd steadyer steadyes steaks steal stealing
stealingd stealings stealsing stealsly steamd steameding steamering steamingd steaminged steaminger steaminges
steamingly steamings steeping steeps stees stefaning steming stemming stemmingd stemmings stems stemsing
stenches stenching stepd stepsd stepsing stepss sterling sterning steveing steviing stews stiles sting
stinging stingingd stingings stings stirs stitches stitching stocking stoke stokeing stoking stoleing stoneing
stonying stooding stooling stores storey storingly stormd stormsly stormyd stormyer stormyes story straineds
straines strainsd strainss strandd strandeds strander strandsd strandsed strandser strandses strandsing
strandsly strandss strangely stranges stranging strays streak streakes streaking streaks streaksd streaksing
streakss streamd streameding streameds streamer streamingd streaminged streaminger streaminges streamingly
streamings streamsd streamsed streamser streamses streamsing streamsly streamss stressing stretchd stretchedd
stretchedes stretcheding stretcheds stretcher stretchesd stretchesed stretcheser stretcheses stretchesing
stretchesly stretchess stretchingd stretchinged stretchinger stretchinges stretchingly stretchings strewning
stricken stricting stride striding strife strikeer strikees striker strikerd strikers strikesd strikess string
stringly stringsly stripe stripping strive strode strodeing strodely strokeing strokely strokingly strolld
strolleding stroller strongd stronger strongerly stronglyd stronglyed stronglyer stronglyes stronglyly
stronglys strung strungly stunting subly submitly subset subsetly subtleer subtlees subtlied subtlyd subwaying
sugaring suies suiing suing suitly suits summering sundayes sundays sundaysd sundayss sunging sungs sunlightd
sunlighter sunsed sunser sunses sunsetd sunseter surfd surnaming swaming swams swand swaning swaping swayd
swayeding swayingd swayinged swayinger swayinges swayingly swayings sweatying swedening sweepd sweepingd
sweepinged sweepinger sweepinges sweepingly sweepings sweepsing sweetiing sweeting sweetsing swelld swepting
swiftd swiftlyd swiftlyed swiftlyer swiftlyes swiftlyly swiftlys swimd swimmer swimmerd swimmering swimmers
swimmersing swimmingd swimminged swimminger swimminges swimmingly swimmings swing swinging swingingd swingings
swings swingsing swiss swissing swore swores swunging syncd synoding tabes tableing tackes tacking tackling
tacks tades tages taies taild tailsing takees taken takens taker takesd takess taleing talesing taling talkd
talkeding talkingd talkinged talkinger talkinges talkingly talkings talksd talksing talkss talling talls
tallying taloning taluk talukaing taluking taluks tames tamil tankes tanking tanks tanksing taoes tapes taping
tares taskes tasking tasks tasksing tates taues taxes tayes teaer teams teard tearsd tearss teees tenes teres
thanking thickd thinking thinksing thirding thorping threeing threes threw threwing threws thriving throating
throbbing throneing throning throwd throwingd throwinged throwinger throwinges throwingly throwings thrown
thrownes throwning throwns throwsd throwsed throwser throwses throwsing throwsly throwss thuder thumbd thumbsd
thumbsed thumbser thumbses thumbsly thumbss thumps thunderd thunderer tied tiees tiles tills tiltd tines
tingling tinly tinyd tiping tirees todes toies tomes toneds tonees toner tonesd toness tonges tongs tonies
tonis tonnes tonses tonss tonyes tonys topes toping torah torchd torees tores torment tormentd torments tornes
torning torns torreing touchd tough toursing towardd towardss towes townes toyes trackd trade trafficd
trafficer traind trait trance treees treer treesd treess treies trekes treks treses tress treyes treys
trialing trickd trickling tries triod tripd triped tripling tripolid tripsd tromboneer trombonees truckd
truees trues trunk trunking tryes tsars tulaning tunes tuning turbining turboing turfing turfs turin turing
turinging turining turins turking turks turksing turnd turneding turnering turningd turninged turninger
turninges turningly turnings turnsd turnsing turnss turtling twain twiceing twigsing twinkleer twinklees
twisting tying tynes tyning typeding typesing typingd typinged typinger typinges typingly typings tyrees
tyring tyroling unmarried uplandly upwardd upwarder upwardsd upwardsed upwardser upwardses upwardsly upwardss
vaines valor vanes vantage vantaged vantages vapord veines ventd ventsd ventss venus vertigod vertigoer vests
viaes vibes vices viees viies viles vimes vinces vinees viner vinesd viness vintageer vintagees violence
violentd violenter violet vipes vises visibleer visiblees visiblied visibly visiblyd visiblyer visiblyes vizes
vones wades wading wagesing wagoning waher wahes wahing waier waies waiing waisting waiter waiting waitingd
waitings waitsing wakes waldening waldoing waler walesing walkd walkeding walkering walkingd walkinged
walkinger walkinges walkingly walkings walksd walksing walkss walling walls wallsing wallying walshing walter
walting walts waltzing waner wanes wanging wangs waning wanter wardening warder wareer wares waring warmd
warmeder warmerd warmerer warmlyer warmther warner warper warser waryer waser wases wasing wasps wastewater
wated waterd waterfalld waterfaller waterfallsd waterfallsed waterfallser waterfallses waterfallsly
waterfallss wating watter waveding waveds wavees wavesd wavesing wavess wavies wavingd wavinged wavinger
wavinges wavingly wavings wavyes wavying wavys waxer waxes waxing wayer wayes waying weakd weave weaveing
weaves weaving weavingd weavings weigheds weighes weighs weighses weighss weightd weighteds weighter weightsd
weightsed weightser weightses weightsly weightss wendy werening westd weter wets whaleing whater wheatd
whereass whiching whilster whimper whimperd whimperes whimpers whiper whippeding whippeds whippingd whippinged
whippinger whippinges whippingly whippings whiskeys whiskyer whisperd whispereds whisperer whispersd
whispersed whisperser whisperses whispersly whisperss wided wideing widelying widend wideneding wideningd
wideninged wideninger wideninges wideningly widenings wider widering wides widowing widthing wiening wiganing
wights wildd wildering wiled wileying willd winceing wincing windd windingd windings windsing windyd wineing
winery wines winging wings wingsing wining winkd winkeding winly winniing winning winningd winnings winsing
winss winterly wipeding wireding wiresing wises wishs witer witing wives wivesing wokening womening woodening
wormer worsting wovening wrapping wrathing wrightes wrighting wrights wristing wristsing writering writesing
writhing writhingd writhings writingd writinged writinger writinges writingly writings writingsd writingss
wroteing wroting wtaer yaning yarning yarns yawneding yearning zoely zooes zooing zooly zoomd
""".split())
