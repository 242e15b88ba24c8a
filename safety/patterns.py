"""The crisis phrases ``detection.py`` looks for, by category (data only; no logic).

Regular expressions over the normalised message (lower case, straight quotes, common
misspellings fixed: ``detection.normalise``). Categories are in the order the helpline leads
with: suicide and self-harm, then abuse, then immediate danger. The phrases marked "indirect
phrasings" were written from probe sentences in ``safety/exemplars/`` (docs/adr/0202). Pure
Python, importable on 3.10 (Rasa) and 3.11 (actions).
"""

from __future__ import annotations

_WHO = (
    r"(?:he|she|they|partner|husband|wife|boyfriend|girlfriend|ex|fiance|fiancee|dad|daddy|"
    r"stepdad|stepfather|stepmum|stepmother|father|mum|mummy|mother|son|daughter|brother|sister|"
    r"uncle|aunt|auntie|cousin|grandad|grandfather|nan|gran|grandma|carer|carers|boss|landlord|"
    r"neighbour|flatmate|lodger|someone|somebody|a man|a woman|a stranger|a guy|people|"
    r"care home|staff|nurse|teacher|coach|housemate|nephew|niece|grandson|granddaughter|"
    r"care worker|support worker|men|a gang|gang|youths|lads|a group of \w+)"
)
_HARM_VERB = (
    r"(?:hits?|hitting|beats?|beating|beaten|punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|"
    r"slap(?:s|ped|ping)?|chok(?:es|ed|ing)|strangl(?:es|ed|ing)|push(?:es|ed)|shov(?:es|ed)|"
    r"hurts?|hurting|touch(?:es|ed|ing)|grab(?:s|bed|bing)|attack(?:s|ed|ing)|"
    r"threaten(?:s|ed|ing)|abus(?:es|ed|ing)|rap(?:es|ed)|throws? things at|bit(?:es)?"
    r"|burn(?:s|ed|t)|scratch(?:es|ed|ing)?|pinch(?:es|ed|ing)?|smack(?:s|ed|ing)?"
    r"|spits? at|spat at|grop(?:es|ed|ing))"
)
_VICTIM = (
    r"(?:me|us|her|him|them|(?:my|our|their|his|her) (?:mum|dad|nan|gran|grandad|kids?|children|"
    r"child|baby|son|daughter|wife|husband|partner|sister|brother|father|mother|grandmother|"
    r"grandma|grandfather))"
)
_SELF = r"(?:my ?self|him ?self|her ?self|them ?sel(?:f|ves)|your ?self)"

# A message that names a crisis only as a topic (training, funding, statistics, research, a
# support group or strategy) is not a disclosure; first-person phrasings above still match.
_TOPIC_ONLY = (
    r"^(?!.*\b(?:training|trained|awareness|funding|funded|fund|statistics|figures|data|"
    r"strategy|polic(?:y|ies)|dissertation|research\w*|prevention|preventing|prevent|support "
    r"groups?|bereavement|leaflets?|course|conference|charity|charities|volunteers?|staff|"
    r"workshops?|sessions?|funds|spend|spent|spending|documentary|as an? (?:landlord|employer"
    r"|teacher|manager|governor|social worker|councillor))\b)"
)

# Someone who left an abusive relationship long ago and says so (ADR 0202, ninth round).
_LEFT_LONG_AGO = r"(?:years?|months?) ago,? i (?:left|fled|escaped|got out of) (?:an?|my) abusive\b"

PATTERNS: dict[str, tuple[str, ...]] = {
    "suicide_self_harm": (
        r"\b(?:i'm|i am|i feel|feeling|felt|been|getting|having|have|had|get|my)"
        r" (?:\w+ )?suicid",
        rf"{_TOPIC_ONLY}.*\bsuicid",
        rf"\bkill(?:ing)? {_SELF}",
        rf"\bhang(?:ing)? {_SELF}",
        r"\bend(?:ing)? (?:it all|my (?:own )?life|his life|her life|their life)\b",
        r"\b(?:decided|going|want|plan(?:ning)?|ready|about|thinking of|thinking about) to end"
        r" (?:it|things|everything)\b",
        r"\bending (?:it|things|everything)\b(?! with)",
        r"\b(?:take|taking|took) (?:my|his|her|their) (?:own )?life\b",
        r"\b(?:want|going|plan(?:ning)?|ready|deserve) to die\b",
        r"\bwish i (?:was|were|could be) dead\b|\bbetter off dead\b|\brather be dead\b"
        r"(?! than (?:go|sit|attend|do|fill|queue|wait))",
        r"\bbetter off (?:without me|if i (?:was|were) gone)\b",
        r"\b(?:nobody|no one|no-one|noone)(?: would| will|'d)? (?:even )?(?:miss|notice|care)"
        r" (?:me|if i)\b",
        r"\b(?:don'?t|do not|no longer) want to (?:be here|live|be alive|exist|wake up|go on)\b",
        r"\bnever wake up\b",
        r"\b(?:life|living) (?:isn'?t|is not|is no longer|not) worth\b",
        r"\bno (?:reason|point) (?:to|in) (?:live|living|go(?:ing)? on|being alive|being here)\b",
        r"\bcan'?t (?:go on\b(?! paying)|cope any ?more\b)|^(?!.*\b(?:roadworks|road works|noise"
        r"|building work|traffic|parking)\b).*\bcan'?t take (?:it|this) any ?more\b",
        rf"{_TOPIC_ONLY}.*\bself[- ]?harm|\b(?:i|i'm|i've|i am|been|keep|keeps|started|is|are"
        r"|was|has been|have been) self[- ]?harm",
        # "hurt myself" unless the message is about an accident ("tripped ... and hurt myself")
        r"^(?!.*\b(?:trip|tripped|tripping|fell|fall|falling|slip|slipped|slipping|accident|"
        r"lifting|injur\w*|claim|ladder|beam|door|cupboard|shelf|radiator|hob|oven)\b)"
        rf".*\b(?:hurt|harm|cut|cutting|hurting|harming|burn|burnt|burning|scratch|scratching|"
        rf"punish|punishing|hit|punch|punching|cuts|hurts|harms|burns|top|topping)"
        rf" {_SELF}\b",
        r"\b(?:cut|cutting|slit|slitting) (?:my|his|her) (?:wrists?|arms?|legs?)\b",
        r"\b(?:burn(?:ed|t)?|cut|hurt|scratch(?:ed)?|hit) my (?:arms?|legs?|wrists?|skin"
        r"|hands?|body|face|head) on purpose\b",
        r"\b(?:took|taken|had|taking|take|have) an? overdose\b",
        # not a pet's overdose (ADR 0202, ninth round)
        r"^(?!.*\b(?:cats?|dogs?|pets?|puppy|kitten|horse|rabbit|hamster)(?:'s)? (?:\w+ ){0,2}"
        rf"overdos){_TOPIC_ONLY}.*\boverdos",
        r"\b(?:took|taken|swallowed|downed)\b.{0,25}\b(?:all|whole|lot|loads|bottle|packets?|box"
        r"|boxes|handful|bunch|many)\b.{0,20}\b(?:pills|tablets|paracetamol|painkillers|meds"
        r"|medication)\b",
        r"\b(?:saving|saved|stockpiling|hoarding|collecting) (?:up )?(?:all )?(?:my |of my )?"
        r"(?:\w+'s )?(?:pills|tablets|paracetamol|painkillers|meds|medication|morphine|insulin"
        r"|sleeping pills)\b",
        r"\b(?:pills|tablets|paracetamol|painkillers|meds) (?:saved|stored|hidden|stockpiled)\b",
        r"\bno point (?:any ?more|in anything|to anything|in going on)\b"
        r"|\bwhat'?s the point (?:of|in) (?:living|life|going on|being alive)\b",
        r"\bdone with (?:life|living|everything)\b|\b(?:sick|tired) of (?:life|living"
        r"|being alive)\b",
        r"\bwant to (?:disappear|vanish)\b(?! from| off)",
        r"\b(?:sleep|go to sleep) and (?:not|never) wake\b|\b(?:better"
        r"|happier)(?: off)? without me\b",
        r"\b(?:pills|tablets|rope|knife) (?:ready|here with me|in front of me|next to me"
        r"|beside me)\b"
        r"|\b(?:bought|got|have|found) (?:a|the) (?:rope|noose)\b",
        r"\bgoodbye (?:everyone|world|cruel world)\b|\bkms\b|\bunalive",
        r"\bi'm (?:sitting |standing |stood |sat )?on (?:the )?(?:edge of the )?(?:railway line|"
        r"train tracks|ledge)\b|\bedge of the (?:roof|bridge|cliff|building)\b",
        r"\bif i live or die\b|\b(?:nobody|no one|no-one) cares (?:about me|if i)\b",
        r"\bhow many (?:pills|tablets|paracetamol) (?:would|does|will|to)\b",
        r"\bjump(?:ing)? (?:off|from|in front of) (?:a |the |my )?(?:\w+ )?(?:bridge|building"
        r"|roof|train|cliff|balcony|car park|tower|ledge)",
        r"\bstanding on (?:a|the) (?:bridge|ledge|roof|edge)\b",
        r"\b(?:goodbye|suicide) (?:letters?|notes?)\b|\bletters?\b.{0,40}\bsaying goodbye\b",
        r"\bhave a (?:rope|noose)\b|\bnoose\b",
        # indirect phrasings, from probe sentences written for the purpose (safety/exemplars/)
        r"\bi(?:'ve|'m| am| have)? (?:started |been )?cutting again\b|\bsleep forever\b"
        r"|\bcheck out (?:permanently|for good)\b|\bgive up on (?:life|everything for good)\b",
        r"\bcan'?t (?:do|face) (?:another|one more) day\b|\battempted (?:last (?:week|month"
        r"|night|year)|again|before)\b|\b(?:don'?t|can'?t) see (?:a|any) future\b(?! for| in)",
        r"\b(?:step|stepping|walk|walking|jump|jumping) (?:out )?in front of (?:a |the )?(?:train"
        r"|bus|lorry|car|truck)\b|\bdriv(?:e|ing) (?:my car |the car )?off the road\b",
        r"\babout to jump\b(?! (?:ship|the queue|in))|\bnothing left for me\b(?! to)",
        r"\b(?:won'?t|will not|wont|not going to|don'?t want to|rather not|no longer want to|"
        r"not want to) be alive\b",
        r"\bnothing (?:left )?to live for\b|\bno will to live\b",
        r"\b(?:drown|drowning|gas|gassing|poison|poisoning|shoot|shooting|starve|starving"
        rf"|stab|stabbing|scald(?:ed|ing)?|finish(?:ing)?) {_SELF}\b(?! in the foot)",
        rf"\bthrow(?:ing)? {_SELF} (?:off|in front of|under|into)\b",
        rf"\b(?:use|using) (?:it|them|that|this) on {_SELF}\b",
        r"\b(?:step|walk|lie down|jump) (?:out )?(?:in front of|under) (?:a |the )?(?:train|bus"
        r"|lorry|car|truck)\b|\bdrive (?:my |the )?(?:car )?(?:into|off) (?:a |the )?(?:wall"
        r"|tree|bridge|cliff|river)\b",
        r"^(?!.*\b(?:stolen|ipads?|laptops?|computers?|school|library|devices?)\b)"
        r".*\b(?:took|taken|swallowed|had|downed)\b.{0,25}\b(?:[1-9]\d+|too many|a load of|"
        r"everything)\b.{0,25}\b(?:pills|tablets|paracetamol|painkillers|meds|medication"
        r"|medicine|insulin)\b",
        r"\benough (?:insulin|pills|sleeping tablets|paracetamol|painkillers) to\b",
        r"\bpainless ways? to (?:die|go|end it)\b|\b(?:quick|easy|best|quickest|easiest) ways? to"
        r" (?:die|end it|end my life)\b|\bmeans to end it\b",
        r"\b(?:life|my life|living) (?:is|feels) (?:pointless|hopeless|meaningless)\b",
        r"\b(?:want|going|ready) to let go\b(?! of)|\bfeel like jumping\b(?! for)",
        r"\b(?:standing|stood|sitting|sat|waiting)\b.{0,20}\b(?:by|on|at|near) (?:the )?"
        r"(?:train tracks|tracks|railway line|top of the cliff|cliff edge)\b",
        r"\bsaid (?:my|our) goodbyes\b|\bposted goodbye\b|\bgoodbye forever\b",
        r"\b(?:got|have|with|took|take|taking) a (?:blade|razor)\b|\brazor blades? hidden\b",
        r"\bi(?:'ve)? (?:cut|sh'd|self harmed) again\b|\bsh'd\b",
        r"^i (?:really )?(?:want|need) to cut(?: myself)?\s*[.!]*$",
        r"\bhurt(?:ing)? my (?:body|arms|legs|skin)\b|\bscratch(?:ing)? my (?:skin|arms|legs)"
        r" (?:raw|till|until)\b",
        rf"\b(?:hit|hitting|punch|punching|bite|biting) {_SELF} (?:until|till)\b",
        r"^(?!.*\b(?:moving|move|moved|leaving|relocat\w*|emigrat\w*|holiday|away|new (?:house"
        r"|flat|home|address))\b).*\b(?:won'?t|will not|not going to|not) be (?:here|around)"
        r" (?:for )?(?:much|very) longer\b(?! (?:on|in) (?:this|the) (?:chat|call|line|office))",
        r"^(?!.*\b(?:my will|a will|the will|wills|estate|tenancy|tenant|house|home|flat|property"
        r"|pension|probate|attorney|inherit\w*|plot|grave|funeral)\b).*\b(?:after|once|when)"
        r" i'?m gone\b",
        r"\bwant (?:it all|everything) to be over\b|\b(?:pain|it all|everything) to stop"
        r" (?:forever|for good|permanently)\b",
        r"\bwon'?t be a (?:problem|burden|bother) (?:to|for) (?:anyone|anybody|you|them|my \w+)"
        r" (?:much longer|soon|for long|any ?more)\b",
        r"\b(?:can'?t|don'?t|do not|cannot) see myself (?:still )?(?:being (?:here|around|alive)"
        r"|living|alive)(?: much longer| by| past| after| for long| any ?more|\s*[.!,]|$)",
        r"\bburn(?:s|ing|t|ed)? (?:\w+ ){0,2}with (?:a )?(?:cigarettes?|lighters?)\b",
        r"\bcuts (?:on|all over) (?:my|his|her|their) (?:arms?|legs?|wrists?|thighs?|body)\b",
    ),
    "abuse": (
        r"\b(?:child|kid|kids|children|baby|boy|girl)\b(?:'s| is| are)? being (?:hit|hurt|beaten|"
        r"abused|neglected|starved|locked)\b",
        rf"{_TOPIC_ONLY}.*\bsexual(?:ly)? (?:harass|abus|exploit)",
        r"\bstalk(?:ing|s|ed)? (?:me|us)\b|\bstalker\b",
        r"\bcan'?t (?:escape|get away from) (?:him|her|them|my)\b",
        rf"\b{_WHO}(?:'s| is| keeps?)? (?:steals|stole|stealing|takes|took|taking) (?:all )?"
        r"(?:my|her|his) (?:money|pension|benefits|bank card)\b",
        rf"{_TOPIC_ONLY}.*\bdomestic (?:abuse|violence)\b"
        r"(?! (?:charity|charities|awareness|training|course|"
        r"leaflets?|policy|strategy|job|volunteers?|services|refuges?|(?:housing )?alliance"
        r"|officers?))",
        # twelfth round: a taxi rank "being abused" by cars (ADR 0202;
        # benchmarks/safety_twelfth_loso.py TWELFTH_EDITS)
        r"^(?!.*\b(?:bins?|street|road|lane|parking|bays?|spaces?|car park|system|scheme|ranks?"
        r"|verge"
        r"|recycling|facilities|badges?|permits?|bookings?|halls?|venues?)\b(?: \w+){0,3}"
        r" (?:is|are|being|been|was|were"
        r"|gets?|getting)(?: being)? abused\b)"
        r".*\b(?:being|been|was|am|is|are|getting|got) (?:sexually |physically )?"
        r"(?:abused|beaten|groomed|molested|strangled|choked)\b(?! \d| at (?:bingo|darts|pool"
        r"|chess|cards|quiz)| in (?:the )?(?:league|final|quiz|match|game|race))",
        r"\b(?:child|children|kids?|baby|toddler)\b.{0,40}\bneglected\b|\bneglect(?:ed"
        r"|ing)? (?:a |the |their |her |his )?(?:child|children|kids|baby)\b",
        r"\b(?:being|been|getting|got) (?:hurt|hit) by (?:my|him|her|them|someone|somebody"
        r"|a man|a woman|his|their)\b",
        # twelfth round: someone "abusive and hung up on me" on the phone (ADR 0202;
        # benchmarks/safety_twelfth_loso.py TWELFTH_EDITS)
        rf"^(?!.*\b{_LEFT_LONG_AGO}).*"
        r"\babus(?:es|ing|ed|ive)\b(?! and (?:then )?(?:hung up|put the phone down)\b)"
        r"(?! to me\b| (?:in|by) (?:an? |the )?(?:email|letter|message"
        r"|phone call|call|comment|post|reply|meeting)s?\b).{0,30}\b(?:me|my (?:mum|dad|nan|gran"
        r"|grandad"
        r"|child|children|"
        r"kids?|son|daughter|sister|brother)|child|children|kids?)\b",
        rf"^(?!.*\b{_LEFT_LONG_AGO})"
        r"^(?!.*\b(?:left|fled|escaped|got out of) (?:an?|my) abusive \w+ (?:\w+ )?"
        r"(?:years?|months?) ago)"
        r".*\babusive (?:relationship|partner|husband|"
        r"wife|boyfriend|girlfriend|ex|marriage|home)\b",
        rf"\b{_WHO}(?:'s| is| was| gets| got| can be| has been| becomes)(?: really| very| so)?"
        r" (?:abusive|violent)\b",
        rf"{_TOPIC_ONLY}.*\b(?:child|sexual|elder|emotional|financial|physical) abuse\b",
        r"\bfinancially abus",
        rf"\b{_WHO}(?:'s| is| are| keeps?| has| had| always| just"
        rf"| then)? {_HARM_VERB} {_VICTIM}\b(?! out\b)",
        r"\b(?:hits|beats|punches|kicks|chokes|strangles|slaps) (?:me|us)\b",
        r"\b(?:'ll|will|would|said he'd|"
        r"said she'd|says he'll|says she'll) (?:kill|hurt|stab|beat|attack|shoot) (?:me|us|my"
        r"|the kids|the children|the baby)\b(?! if i'?m (?:late|not)| if i (?:forget|miss|lose)"
        r"| if (?:the|my|our) (?:\w+ ){0,2}(?:is|are|'s) (?:shut|closed|cancelled|full)\b)",
        r"\bthreaten(?:s|ed|ing)? (?:me|us|to (?:kill|hurt|beat|stab|shoot|burn))\b",
        r"\b(?:scared|afraid|frightened|terrified) (?:of (?:my )?(?:partner|husband|wife|boyfriend|"
        r"girlfriend|ex|dad|father|mum|mother|son|daughter|him|her|them|what he|what she)|"
        r"to go (?:back )?home|for my (?:life|safety))\b",
        rf"{_TOPIC_ONLY}.*\bcoercive control"
        r"|\bcontrols? (?:all )?(?:my|our|the) (?:money|phone|life)\b",
        r"\b(?:won'?t|will not|doesn'?t|does not) let me (?:leave the house|see my (?:friends"
        r"|family)|go out)\b",
        r"\b(?:he|she|husband|wife|partner|boyfriend|girlfriend|ex) (?:won'?t|doesn'?t|will not|"
        r"does not) let me (?:have (?:any |my )?money|have a bank account|see|go out|leave"
        r"|use my phone|talk to|speak to)"
        r"|\b(?:he|she|husband|wife|partner|boyfriend|girlfriend|ex) (?:\w+ )?checks? (?:all )?my"
        r" (?:phone|messages)\b",
        r"\b(?:mum|mother|dad|father|nan|gran|grandad|grandma|grandmother|grandfather|sister|"
        r"brother|son|daughter|child|baby|he|she|i)(?:'s| is| am| are|'m)? being neglected\b",
        r"\badvantage of\b.{0,30}\bsexually\b|\bsexually\b.{0,20}\badvantage of\b",
        r"\bforced to work\b|\b(?:they|he|she|boss) (?:took|has|have|kept|keeps?) my passport\b",
        r"\blocked (?:me|us) (?:in|up)\b",
        r"\bforced (?:me |her |him )?(?:to have sex|into (?:marriage|sex))\b|\bforced marriage\b",
        rf"\braped\b|{_TOPIC_ONLY}.*\brape\b|\bsexual(?:ly)? assault",
        r"\b(?:was|been|got|being) (?:assaulted|groped|indecently)",
        r"\bexposed (?:him|her)self\b",
        r"\b(?:sex|sexual favours) (?:instead of|for|in place of) (?:rent|money)\b|"
        r"\basking (?:me )?for sex\b",
        rf"\b{_WHO}(?:'s| is| are| keeps?| has been)? (?:\w+ )?stealing from (?:me|him|her|us)\b",
        r"\bbruis(?:es|ed|ing)\b",
        r"\btrafficked\b",
        r"\b(?:need|want|looking for|find) (?:a |an )?(?:refuge|safe house)\b"
        rf"|{_TOPIC_ONLY}.*\bflee(?:ing)?\b",
        r"\bhurting (?:their|his|her|the|my) (?:kids|children|child|baby)\b",
        # indirect phrasings, from probe sentences written for the purpose (safety/exemplars/)
        r"\bhands? (?:round|around|on) (?:my|her|his) (?:neck|throat)\b",
        r"\b(?:shoved|pushed|threw|thrown) (?:me|her|him) (?:into|against|down|onto|out of)"
        r" (?:the |a )?(?:wall|door|stairs|floor|car|window|table)\b",
        r"\bforced (?:him|her)self on (?:me|her|him)\b|\btook advantage of me when i was\b"
        r"|\b(?:filmed|photographed|recorded) me without\b",
        r"\b(?:hit|beaten|slapped|kicked|punched|pushed) by (?:her|his|their|my) (?:husband|wife"
        r"|partner|son|daughter|carer|boyfriend|girlfriend|dad|mum|father|mother|stepdad|brother"
        r"|sister)\b|\b(?:tie|ties|tied|tying) (?:him|her|them|me) (?:to|up)\b",
        r"\bwhat (?:my \w+|he|she|they) (?:does|did|do) to me\b|\b(?:hid|hidden|hides|smashed)"
        r" my phone\b|\b(?:hasn'?t|haven'?t|not) been fed\b",
        r"\bmakes? (?:me|her|him) (?:sleep in|get in(?:to)?) (?:his|her) bed\b|\bpicked up by"
        r" (?:older )?(?:men|strangers|a man) in cars?\b",
        r"\b(?:older|grown) (?:man|men|woman)\b.{0,40}\b(?:giving|gives|gave)\b.{0,30}\b(?:drugs"
        r"|money|gifts|alcohol)\b",
        r"\bhitting (?:a|the|his|her|their) (?:small |little |young )?(?:child|kid|boy|girl|baby"
        r"|toddler)\b|\b(?:baby|toddler|child|kids?|children)\b.{0,20}\b(?:crying|screaming)"
        r"\b.{0,60}\b(?:alone|on (?:their|its|his|her) own|gone|no one)\b",
        r"\b(?:takes|taking|taken|took) money from (?:her|his|my) (?:purse|wallet|account)\b",
        rf"\b{_WHO} (?:has |had |just )?(?:broke|broken|fractured) (?:my|her|his) (?:arm|nose"
        r"|ribs?|jaw|wrist|fingers?|teeth|tooth)\b",
        r"\bthr(?:ew|ows?|owing) (?:a |the |his |her )?\w+ at (?:me|us|her|him)\b",
        r"\b(?:i'm|i am|she's|he's|she is|he is) not allowed to (?:leave the (?:house|flat|home)"
        r"|go out|see my (?:friends|family|kids|children)|use my phone|have (?:any )?money)\b",
        r"^(?!.*\b(?:dog|dogs|seagulls?|gulls?|fox|cat|swans?|geese|goose|birds?|wasps?|bees?)"
        rf"\b).*\b{_WHO}\b.{{0,30}}\b(?:attacked|assaulted|punched|kicked|slapped|strangled"
        rf"|choked|stabbed|bit|scratched) {_VICTIM}\b",
        rf"\b{_WHO}\b(?:'s| is| keeps?| always)? {_HARM_VERB} and {_HARM_VERB} {_VICTIM}\b",
        r"\b(?:tracks?|tracking|monitors?|monitoring) (?:all )?my (?:phone|location|messages)\b",
        r"\b(?:keeps?|kept|keeping) (?:me|us|her|him|them) locked\b|\blocks? (?:me|us|her"
        r"|him|them) (?:in|up)\b",
        r"\b(?:holds?|held|point(?:s|ed)?|pull(?:s|ed)?) (?:a |his |her |the )?(?:knife|gun"
        r"|blade|machete|axe) (?:to|at|on) (?:me|us|my|her|him)\b",
        rf"\b{_WHO}(?:'s| is| keeps?)? (?:takes|took|taking) (?:all )?(?:my|her|his) (?:wages"
        r"|salary|income|savings)\b",
        r"\b(?:smashing|smashed|smashes|wrecking|trashing) (?:up )?(?:everything|the (?:house"
        r"|flat|place))\b",
        r"\b(?:after|from|by) (?:hitting|punching|kicking|strangling|slapping|beating) (?:me|us"
        r"|her|him)\b|\bwho (?:hurts|hits|beats|abuses|threatens) (?:me|us)\b",
        r"^(?!.*\b(?:bins?|street|road|lane|parking|bays?|spaces?|car park|system|scheme|verge"
        r"|recycling|facilities|badges?|permits?|bookings?|halls?|venues?)\b(?: \w+){0,3}"
        r" (?:is|are|being|been|was|were"
        r"|gets?|getting)(?: being)? abused\b)"
        r".*\b(?:being|been|getting|gets|got) (?:hit|beaten|slapped|kicked|punched|abused)\b"
        r"(?! out| off| in the| with| \d| as\b| at (?:bingo|darts|pool|chess|cards|quiz)"
        r"| by (?:a |the |an )?(?:\w+ )?(?:ball|car|van|bus|lorry|bike|branch|swing|door|tree))",
        r"\bcomes? (?:in)?to my (?:room|bed|bedroom) (?:at night|when)\b",
        r"\bno (?:adults?|parents?|grown[- ]?ups?) (?:there|around|at home|in)\b|\bleft (?:alone"
        r"|on (?:their|his|her) own|home alone)\b.{0,30}\b(?:days|all night|overnight|no food)\b",
        r"\b(?:child|boy|girl|kid|kids|baby|toddler)\b.{0,30}\blocked out (?:in the cold|all night"
        r"|overnight|outside|of (?:the|their|his|her) (?:house|home|flat))\b",
        r"\bmade to (?:have sex|do sexual|sleep with|send (?:pictures|photos|nudes))\b"
        r"|\bsexual things\b|\bsleep with (?:men|people|him|them) for\b",
        r"\brough with (?:the|my|our|his|her) (?:baby|kids?|children|child|son|daughter|mum|dad"
        r"|nan)\b",
        r"\b(?:doesn'?t|don'?t|won'?t|isn'?t|not) (?:feed|feeding) (?:her|him|them|me|us|the"
        r" (?:kids|children|baby)|my \w+)\b"
        r"|\b(?:left|leaves?) (?:\w+ ){0,4}without (?:any )?food (?:for|all|by)\b",
        r"\b(?:rations?|rationing) (?:my|our|her|his) (?:food|money)\b",
        r"\bassaulted (?:me|her|him|my \w+)\b|\btouch(?:es|ing|ed)? me (?:while|when|at night"
        r"|in my sleep|without)\b",
    ),
    "immediate_danger": (
        r"\b(?:trying|tried|tries) to (?:get|break|force (?:his|her|their|a) way) in(?:to)?"
        r" (?:my|our|the) (?:house|flat|home|room)\b",
        r"\b(?:in|immediate|serious) danger\b(?!ous| of (?!being (?:hurt|killed|attacked|harmed)))",
        r"\b(?:i|i'm|i am|we|we're|we are)(?: just)? (?:not|don'?t feel|do not feel) safe\b",
        r"\bnot safe (?:at home|here|to go home|in my)\b",
        rf"\b{_WHO}(?:'?s| is| are|'re)? (?:trying to )?(?:break(?:ing)? in"
        r"|attack(?:ing)? (?:me|us|a|an|my|someone|somebody)|"
        r"follow(?:ing)? me|stabbing|smashing (?:the place|everything|things|the house"
        r"|the flat) up|"
        r"coming (?:back )?(?:for|to get) (?:me|us))\b",
        r"\b(?:being|been|was|got|i'?ve been) (?:attacked|stabbed|assaulted|followed|mugged"
        r"|shot)\b(?! by (?:a |the |an |another |their |next door'?s )?(?:\w+ )?(?:seagull|gull"
        r"|dog|bird|fox|cat|wasp|bee|swan|goose)s?\b)",
        r"\b(?:been|has been|was|got|getting) stabbed\b",
        r"\b(?:has|have|with|got|holding|carrying|pulled|waving) (?:a |his |her |their )?"
        r"(?:knife|knives|gun|guns|weapon|weapons|machete)\b(?! amnesty| crime| bins?)"
        r"|\bwith an? (?:axe|crossbow|firearm)\b",
        r"\b(?:has |have |just )broken into (?:my|our) (?:house|flat|home)\b",
        r"\b(?:swallowed|drank|drunk|ate) (?:some )?(?:bleach|poison|chemicals|batteries)\b",
        r"\btrapped\b.{0,30}\b(?:fire|smoke)\b|\b(?:smoke|fire)\b.{0,40}\btrapped\b",
        r"\bhelp me\b.{0,20}\b(?:i'm|i am) (?:so |really )?(?:scared|terrified|frightened)\b"
        r"|\b(?:i'm|i am) (?:so |really )?(?:scared|terrified|frightened)\b.{0,20}\bhelp me\b",
        # tenth round: a joke about one's own family ("lol i'm going to kill my husband, he's
        # put the glass in the wrong bin"), the heat or noise "going to kill me", and "trying to
        # kill me with their karaoke" (ADR 0202; benchmarks/safety_tenth_loso.py TENTH_EDITS)
        r"^(?!(?=.*\b(?:lol|haha\w*|lmao)\b).*\bi(?:'m| am) going to kill my\b)"
        r"^(?!.*\b(?:heat|cold|damp|mould|noise|weather)\b(?: [\w']+){0,6} (?:is|are|'s) going to"
        r" kill me\b)"
        r"^(?!.*\b(?:rats?|fox|foxes|slugs?|mice|wasps?|weeds?|moles?|pigeons?|squirrels?)\b)"
        r".*\b(?:going|gonna|trying) to (?:kill|hurt|stab|attack|shoot) (?:me|us|my)\b"
        r"(?! with (?:their|his|her|the|that) (?:\w+ ){0,2}(?:karaoke|music|noise"
        r"|part(?:y|ies)|bass|drilling|singing|barking)\b)"
        r"(?! if (?:i|we) (?:don'?t|do not) get (?:\w+ ){0,5}(?:sorted|done|fixed|booked"
        r"|renewed)\b)",
        r"\bneed (?:an ambulance|the police)\b(?! (?:report|reference|crime|station))"
        r"|\bcall (?:an ambulance|the police|999)\b",
        r"^(?!.*\b(?:mould|mold|damp|asthma|dust|bonfire|burn(?:s|ing)? rubbish|fumes)\b)"
        r".*\b(?:can'?t|cannot|isn'?t|is not|not|stopped) breath(?:e|ing)\b",
        r"\b(?:house|flat|home|room|kitchen|building) is on fire\b|\bthere(?:'s| is) a fire\b"
        r"(?! (?:hydrant|alarm|door|exit|extinguisher|safety|risk|drill|station|engine))",
        r"\bhelp me,? (?:please,? )?(?:he|she|they|someone)\b",
        r"\b(?:someone|somebody|a man|a woman|a stranger|an intruder|intruders?|people)"
        r"(?:'s| is| are) in (?:my|our|the) (?:house|flat|home|room|bedroom)\b(?! is\b| who\b)"
        r"|\bthere(?:'s| is| are) (?:someone|somebody|a man|a woman|a stranger|an intruder|"
        r"intruders|people) in (?:my|our) (?:house|flat|home|room|bedroom)\b",
        r"\bwant (?:it all|everything) to (?:stop|end)\b",
        r"\bhiding (?:in|from)\b",
        r"\bnever see (?:them|him|her|my \w+) (?:alive|again)\b",
        r"\bgas\b.{0,40}\b(?:dizzy|faint|passing out|headache|sick)\b",
        r"\bunconscious\b|\bwon'?t wake up\b",
        # indirect phrasings, from probe sentences written for the purpose (safety/exemplars/)
        r"\btrying (?:the|my|our) (?:back |front )?(?:door|doors|windows?|handle)\b|\bforce"
        r" (?:my|the|our) (?:window|door)s? open\b|\bsmash(?:ing|ed|es)? (?:my|our) (?:car|windows?"
        r"|door)\b",
        r"\bspreading to (?:the|our|my) (?:flats?|house|building|home)\b|\bfire'?s? spreading\b",
        r"\b(?:hit by a (?:car|van|bus|lorry)|knocked (?:down|over))\b.{0,40}\b(?:not moving"
        r"|unconscious|bleeding|not breathing)\b",
        r"^(?!.*\b(?:bonfire|barbecue|bbq|chimney|fumes)\b).*(?:\b(?:filling|filled|full)"
        r" (?:up )?with smoke\b|\bfull of smoke\b|\bsmoke everywhere\b)",
        r"\b(?:is|are|'s|'re) on fire\b(?! today\b| this (?:week|season|year)\b)",
        r"^(?!.*\bif (?:i|you|they|we|someone|anyone|tenants?|residents?)(?: ever)? smells?"
        r" (?:of )?gas\b(?!.{0,20}\bnow\b)).*(?:\bgas leak\b|\bsmell(?:s|ing)? (?:of )?gas\b"
        r"|\breeks? of gas\b)",
        r"\b(?:lying|laying|collapsed|fallen|slumped)\b.{0,50}\b(?:not|isn'?t|won'?t) "
        r"(?:moving|responding|waking|breathing)\b|\bunresponsive\b",
        r"\b(?:someone|somebody|a (?:man|woman|person|child|kid|boy|girl)|my (?:son|daughter"
        r"|child|dad|mum|friend))\b.{0,20}\b(?:fallen|fell|jumped|gone|is) (?:in|into) (?:the )?"
        r"(?:river|canal|sea|lake|reservoir|water)\b",
        r"\bsparks?\b.{0,40}\b(?:water|sockets?|electrics|flood)|\b(?:water|flood\w*)\b"
        r".{0,60}\bsparks?\b",
        r"\b(?:burglars?|intruders?) (?:downstairs|upstairs|in (?:the|my|our) \w+|inside)\b",
        r"\bpetrol bomb|\bfire ?bomb|\bset (?:fire to|alight) (?:my|our|the) (?:door|house|flat"
        r"|home|car|letterbox)\b|\bthreaten\w* to (?:set fire|burn)\b",
        r"\bthreaten(?:s|ed|ing)? (?:people|someone|somebody|everyone|them|him|her) with"
        r" (?:a |an )?"
        r"(?:knife|knives|gun|broken bottle|bottle|weapon|machete|axe|bat|hammer)\b",
        r"\b(?:co|carbon monoxide) alarm (?:is )?(?:going off|sounding)\b|\bcarbon monoxide\b"
        r".{0,60}\b(?:dizzy|headaches?|faint|sleepy)\b",
        r"^(?!.*\bdogs?\b).*(?:\b(?:being|been|getting) chased\b(?! for| up| by (?:the )?(?:council"
        r"|bailiffs|debt))|\bchas(?:ing|ed|es) (?:me|us|people|someone)\b(?! for| up| about))",
    ),
}
