"""Lexical crisis detection: the first and deciding check for the crisis reply.

Two tiers (docs/adr/0202-crisis-detection-lexical-first.md):

- ``detect_safety_concern``: phrases that, in messages to a council, almost always mean
  suicide, self-harm, abuse or immediate danger. A match gets the helplines whatever the
  NLU classifier says. Patterns are phrases, not single words, so service questions
  ("emergency repair", "dangerous pothole", "blue badge abuse", "kill the weeds") are not
  caught.
- ``has_risk_words``: single words that only *may* mean a crisis (hurt, scared, die,
  knife...). They never trigger the crisis reply alone; the safety gate in the Rasa pipeline
  (``safety.rasa_gate``) uses them to accept the classifier's ``safety_concern`` as a second
  opinion.

Measured on ``safety/eval/`` by ``benchmarks/safety_sets.py``. Pure Python, importable on
3.10 (Rasa) and 3.11 (actions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WHO = (
    r"(?:he|she|they|partner|husband|wife|boyfriend|girlfriend|ex|fiance|fiancee|dad|daddy|"
    r"stepdad|stepfather|stepmum|stepmother|father|mum|mummy|mother|son|daughter|brother|sister|"
    r"uncle|aunt|auntie|cousin|grandad|grandfather|nan|gran|grandma|carer|carers|boss|landlord|"
    r"neighbour|flatmate|lodger|someone|somebody|a man|a woman|a stranger|a guy|people|"
    r"care home|staff|nurse|teacher|coach)"
)
_HARM_VERB = (
    r"(?:hits?|hitting|beats?|beating|beaten|punch(?:es|ed|ing)?|kick(?:s|ed|ing)?|"
    r"slap(?:s|ped|ping)?|chok(?:es|ed|ing)|strangl(?:es|ed|ing)|push(?:es|ed)|shov(?:es|ed)|"
    r"hurts?|hurting|touch(?:es|ed|ing)|grab(?:s|bed|bing)|attack(?:s|ed|ing)|"
    r"threaten(?:s|ed|ing)|abus(?:es|ed|ing)|rap(?:es|ed)|throws? things at|bit(?:es)?"
    r"|burn(?:s|ed|t))"
)
_VICTIM = (
    r"(?:me|us|her|him|them|(?:my|our|their|his|her) (?:mum|dad|nan|gran|grandad|kids?|children|"
    r"child|baby|son|daughter|wife|husband|partner|sister|brother|father|mother|grandmother|"
    r"grandma|grandfather))"
)
_SELF = r"(?:my ?self|him ?self|her ?self|them ?sel(?:f|ves)|your ?self)"

_PATTERNS: dict[str, tuple[str, ...]] = {
    "suicide_self_harm": (
        r"\bsuicid",
        rf"\bkill(?:ing)? {_SELF}",
        rf"\bhang(?:ing)? {_SELF}",
        r"\bend(?:ing)? (?:it all|my (?:own )?life|his life|her life|their life)\b",
        r"\b(?:decided|going|want|plan(?:ning)?|ready|about|thinking of|thinking about) to end"
        r" (?:it|things|everything)\b",
        r"\bending (?:it|things|everything)\b(?! with)",
        r"\b(?:take|taking|took) (?:my|his|her|their) (?:own )?life\b",
        r"\b(?:want|going|plan(?:ning)?|ready|deserve) to die\b",
        r"\bwish i (?:was|were|could be) dead\b|\bbetter off dead\b|\brather be dead\b",
        r"\bbetter off (?:without me|if i (?:was|were) gone)\b",
        r"\b(?:nobody|no one|no-one|noone)(?: would| will|'d)? (?:even )?(?:miss|notice|care)"
        r" (?:me|if i)\b",
        r"\b(?:don'?t|do not|no longer) want to (?:be here|live|be alive|exist|wake up|go on)\b",
        r"\bnever wake up\b",
        r"\b(?:life|living) (?:isn'?t|is not|is no longer|not) worth\b",
        r"\bno (?:reason|point) (?:to|in) (?:live|living|go(?:ing)? on|being alive|being here)\b",
        r"\bcan'?t (?:go on|cope any ?more|take (?:it|this) any ?more)\b",
        r"\bself[- ]?harm",
        # "hurt myself" unless the message is about an accident ("tripped ... and hurt myself")
        r"^(?!.*\b(?:trip|tripped|tripping|fell|fall|falling|slip|slipped|slipping|accident|"
        r"lifting|injur\w*|claim)\b)"
        rf".*\b(?:hurt|harm|cut|cutting|hurting|harming|burn|burnt|burning|scratch|scratching|"
        rf"punish|punishing) {_SELF}\b",
        r"\b(?:cut|cutting|slit|slitting) (?:my|his|her) (?:wrists?|arms?|legs?)\b",
        r"\b(?:burn(?:ed|t)?|cut|hurt|scratch(?:ed)?|hit) my (?:arms?|legs?|wrists?|skin"
        r"|hands?|body|face|head) on purpose\b",
        r"\boverdos",
        r"\b(?:took|taken|swallowed|downed)\b.{0,25}\b(?:all|whole|lot|loads|bottle|packets?|box"
        r"|boxes|handful|bunch|many)\b.{0,20}\b(?:pills|tablets|paracetamol|painkillers|meds"
        r"|medication)\b",
        r"\b(?:saving|saved|stockpiling|hoarding|collecting) (?:up )?(?:all )?(?:my |of my )?"
        r"(?:pills|tablets|paracetamol|painkillers|meds|medication)\b",
        r"\b(?:pills|tablets|paracetamol|painkillers|meds) (?:saved|stored|hidden|stockpiled)\b",
        r"\bno point (?:any ?more|in anything|to anything|in going on)\b"
        r"|\bwhat'?s the point (?:of|in) (?:living|life|going on|being alive)\b",
        r"\bdone with (?:life|living|everything)\b|\b(?:sick|tired) of (?:life|living"
        r"|being alive)\b",
        r"\bwant to (?:disappear|vanish)\b(?! from| off)",
        r"\b(?:sleep|go to sleep) and (?:not|never) wake\b|\b(?:better"
        r"|happier)(?: off)? without me\b",
        r"\b(?:pills|tablets|rope|knife) (?:ready|here with me|in front of me)\b"
        r"|\b(?:bought|got|have|found) a (?:rope|noose)\b",
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
    ),
    "abuse": (
        r"\b(?:child|kid|kids|children|baby|boy|girl)\b(?:'s| is| are)? being (?:hit|hurt|beaten|"
        r"abused|neglected|starved|locked)\b",
        r"\bsexual(?:ly)? (?:harass|abus|exploit)",
        r"\bstalk(?:ing|s|ed)? (?:me|us)\b|\bstalker\b",
        r"\bcan'?t (?:escape|get away from) (?:him|her|them|my)\b",
        rf"\b{_WHO}(?:'s| is| keeps?)? (?:steals|stole|stealing|takes|took|taking) (?:all )?"
        r"(?:my|her|his) (?:money|pension|benefits|bank card)\b",
        r"\bdomestic (?:abuse|violence)\b(?! (?:charity|charities|awareness|training|course|"
        r"leaflets?|policy|strategy|job|volunteers?))",
        r"\b(?:being|been|was|am|is|are|getting|got) (?:sexually |physically )?"
        r"(?:abused|beaten|groomed|molested|strangled|choked)\b",
        r"\b(?:child|children|kids?|baby|toddler)\b.{0,40}\bneglected\b|\bneglect(?:ed"
        r"|ing)? (?:a |the |their |her |his )?(?:child|children|kids|baby)\b",
        r"\b(?:being|been|getting|got) (?:hurt|hit) by (?:my|him|her|them|someone|somebody"
        r"|a man|a woman|his|their)\b",
        r"\babus(?:es|ing|ed|ive)\b.{0,30}\b(?:me|my (?:mum|dad|nan|gran|grandad|child|children|"
        r"kids?|son|daughter|sister|brother)|child|children|kids?)\b",
        r"\babusive (?:relationship|partner|husband|"
        r"wife|boyfriend|girlfriend|ex|marriage|home)\b",
        rf"\b{_WHO}(?:'s| is| was| gets| got| can be| has been| becomes)(?: really| very| so)?"
        r" (?:abusive|violent)\b",
        r"\b(?:child|sexual|elder|emotional|financial|physical) abuse\b",
        r"\bfinancially abus",
        rf"\b{_WHO}(?:'s| is| are| keeps?| has| had| always| just"
        rf"| then)? {_HARM_VERB} {_VICTIM}\b(?! out\b)",
        r"\b(?:hits|beats|punches|kicks|chokes|strangles|slaps) (?:me|us)\b",
        r"\b(?:'ll|will|would|said he'd|"
        r"said she'd|says he'll|says she'll) (?:kill|hurt|stab|beat|attack|shoot) (?:me|us|my)\b",
        r"\bthreaten(?:s|ed|ing)? (?:me|us|to (?:kill|hurt|beat|stab))\b",
        r"\b(?:scared|afraid|frightened|terrified) (?:of (?:my )?(?:partner|husband|wife|boyfriend|"
        r"girlfriend|ex|dad|father|mum|mother|son|daughter|him|her|them|what he|what she)|"
        r"to go (?:back )?home|for my (?:life|safety))\b",
        r"\bcoercive control|\bcontrols? (?:all )?(?:my|our) (?:money|phone|life)\b",
        r"\b(?:won'?t|will not|doesn'?t|does not) let me (?:leave the house|see my (?:friends"
        r"|family)|go out)\b",
        r"\b(?:he|she|husband|wife|partner|boyfriend|girlfriend|ex) (?:won'?t|doesn'?t|will not|"
        r"does not) let me (?:have (?:any |my )?money|see|go out|leave|use my phone|talk to"
        r"|speak to)"
        r"|\b(?:he|she|husband|wife|partner|boyfriend|girlfriend|ex) (?:\w+ )?checks? (?:all )?my"
        r" (?:phone|messages)\b",
        r"\b(?:mum|mother|dad|father|nan|gran|grandad|grandma|grandmother|grandfather|sister|"
        r"brother|son|daughter|child|baby|he|she|i)(?:'s| is| am| are|'m)? being neglected\b",
        r"\badvantage of\b.{0,30}\bsexually\b|\bsexually\b.{0,20}\badvantage of\b",
        r"\bforced to work\b|\b(?:they|he|she|boss) (?:took|has|have|kept|keeps?) my passport\b",
        r"\blocked (?:me|us) (?:in|up)\b",
        r"\bforced (?:me |her |him )?(?:to have sex|into (?:marriage|sex))\b|\bforced marriage\b",
        r"\braped\b|\brape\b|\bsexual(?:ly)? assault",
        r"\b(?:was|been|got|being) (?:assaulted|groped|indecently)",
        r"\bexposed (?:him|her)self\b",
        r"\b(?:sex|sexual favours) (?:instead of|for|in place of) (?:rent|money)\b|"
        r"\basking (?:me )?for sex\b",
        rf"\b{_WHO}(?:'s| is| are| keeps?| has been)? (?:\w+ )?stealing from (?:me|him|her|us)\b",
        r"\bbruis(?:es|ed|ing)\b",
        r"\btrafficked\b",
        r"\b(?:need|want|looking for|find) (?:a |an )?(?:refuge|safe house)\b|\bflee(?:ing)?\b",
        r"\bhurting (?:their|his|her|the|my) (?:kids|children|child|baby)\b",
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
        r"|shot)\b(?! by (?:a |the |an )?(?:seagull|gull|dog|bird|fox|cat|wasp|bee|swan"
        r"|goose)s?\b)",
        r"\b(?:been|has been|was|got|getting) stabbed\b",
        r"\b(?:has|have|with|got|holding|carrying|pulled|waving) (?:a |his |her |their )?"
        r"(?:knife|knives|gun|guns|weapon|weapons|machete)\b",
        r"\b(?:has |have |just )broken into (?:my|our) (?:house|flat|home)\b",
        r"\b(?:swallowed|drank|drunk|ate) (?:some )?(?:bleach|poison|chemicals|batteries)\b",
        r"\btrapped\b.{0,30}\b(?:fire|smoke)\b|\b(?:smoke|fire)\b.{0,40}\btrapped\b",
        r"\bhelp me\b.{0,20}\b(?:i'm|i am) (?:so |really )?(?:scared|terrified|frightened)\b"
        r"|\b(?:i'm|i am) (?:so |really )?(?:scared|terrified|frightened)\b.{0,20}\bhelp me\b",
        r"\b(?:going|gonna|trying) to (?:kill|hurt|stab|attack|shoot) (?:me|us|my)\b",
        r"\bneed (?:an ambulance|the police)\b|\bcall (?:an ambulance|the police|999)\b",
        r"^(?!.*\b(?:mould|mold|damp|asthma|dust|bonfire|burn(?:s|ing)? rubbish|fumes)\b)"
        r".*\b(?:can'?t|cannot|isn'?t|is not|not|stopped) breath(?:e|ing)\b",
        r"\b(?:house|flat|home|room|kitchen|building) is on fire\b|\bthere(?:'s| is) a fire\b",
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
    ),
}

_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    category: tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)
    for category, patterns in _PATTERNS.items()
}

_RISK_WORDS = re.compile(
    r"\b(?:die|dying|kill\w*|suicid\w*|hurt\w*|harm\w*|hit|hits|hitting|beat\w*|"
    r"punch\w*|kick\w*|slap\w*|abus\w*|violen\w*|scared|afraid|frightened|terrified|unsafe|"
    r"danger|threat\w*|weapon|knife|gun|attack\w*|assault\w*|rape\w*|pills|tablets|"
    r"overdose|bleed\w*|blood|cut|cutting|police|ambulance|999|fire|breath\w*|touch\w*|"
    r"bruis\w*|refuge|flee\w*|escape|trapped|goodbye|end it|disappear\w*|alone|hopeless)\b",
    re.IGNORECASE,
)

# Common misspellings and shorthand, rewritten before matching so patterns stay readable.
_SPELLING = (
    (re.compile(r"\bwanna\b"), "want to"),
    (re.compile(r"\bgonna\b"), "going to"),
    (re.compile(r"\bkil\b"), "kill"),
    (re.compile(r"\b(?:killin|kilin|kiling)\b'?"), "killing"),
    (re.compile(r"\bslef"), "self"),
    (re.compile(r"\bmy ?slef\b|\bmyselfe?\b"), "myself"),
    (re.compile(r"\b(?:sucid|suicd|suisid|suicied|sucicid|suiced)"), "suicid"),
    (re.compile(r"\bassul"), "assaul"),
    (re.compile(r"\bboyfreind"), "boyfriend"),
    (re.compile(r"\bgirlfreind"), "girlfriend"),
    (re.compile(r"\bim\b"), "i'm"),
    (re.compile(r"\bive\b"), "i've"),
    (re.compile(r"\b(there|he|she|what|that|it)s\b"), r"\1's"),
    (re.compile(r"\bu\b"), "you"),
)


@dataclass(frozen=True)
class SafetyFinding:
    """What kind of risk a message suggests and the phrase that matched."""

    category: str
    matched: str


def normalise(text: str) -> str:
    """Lower-case, straighten quotes, fix common misspellings and collapse whitespace."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"\s+", " ", text).strip()
    for pattern, replacement in _SPELLING:
        text = pattern.sub(replacement, text)
    return text


def detect_safety_concern(text: str) -> SafetyFinding | None:
    """Return a finding when ``text`` suggests suicide, self-harm, abuse or immediate danger.

    Categories are checked in order of urgency of the helpline we lead with:
    suicide and self-harm, then abuse, then immediate danger.
    """
    normalised = normalise(text)
    if not normalised:
        return None
    for category, patterns in _COMPILED.items():
        for pattern in patterns:
            match = pattern.search(normalised)
            if match:
                return SafetyFinding(category=category, matched=match.group(0))
    return None


def has_risk_words(text: str) -> bool:
    """True when ``text`` holds a word that may signal a crisis (never enough on its own)."""
    return _RISK_WORDS.search(normalise(text)) is not None
