"""When a conversational intent is meant, so that the dialogue never steals a guidance question.

The NLU classifier is trained on short formulas ("hi", "thanks", "no", "speak to a person",
"my bin wasn't collected") and, given a short guidance question it has not seen, it sometimes
picks one of them with high confidence: "taxi licence" → thank, "homeless help" → greet,
"i have nowhere to sleep tonight" → goodbye, "single person discount" → request_human,
"when is my recycling bin collected this week" → report_missed_bin, "reception place
application" → choose_article. Each of those replies steals a question guidance answers.

The feedback intents steal the same way: "is no fault eviction still allowed" → not helpful,
"report a dog that is being neglected" → not what I asked.

``bot/nlu_gate.py`` therefore lets these intents stand only when the message is what the intent
means; anything else goes to guidance, where knowledge decides (calibrated) whether to answer,
ask "did you mean" or say it has no guidance. Pure Python (3.10 and 3.11).
"""

from __future__ import annotations

import re

from actions.form_exits import is_question

SMALL_TALK_INTENTS = frozenset({"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge"})
CAPABILITIES_INTENT = "ask_capabilities"
CHOOSE_ARTICLE_INTENT = "choose_article"
REQUEST_HUMAN_INTENT = "request_human"
REPORT_MISSED_BIN_INTENT = "report_missed_bin"
REQUEST_CALLBACK_INTENT = "request_callback"
FEEDBACK_INTENTS = frozenset({"feedback_helpful", "feedback_not_helpful", "not_what_i_asked"})
# Intents only the gateway sends (Rasa's trigger_intent, never through the NLU): a typed message
# the classifier gives one of them ("he's back. scared." → handback) is never one.
GATEWAY_ONLY_INTENTS = frozenset({"handback", "handoff_unavailable"})
MAX_SMALL_TALK_WORDS = 10
MAX_FEEDBACK_WORDS = 12

# Words that small talk is made of: greetings, thanks, goodbyes, yes/no, and asking whether
# this is a bot. A message made only of these (and at most MAX_SMALL_TALK_WORDS long) is small
# talk; a message with any other word is about something.
_SMALL_TALK_TEXT = """
    hi hii hiya hey heya hello helo hallo howdy yo greetings morning afternoon evening day night
    good great lovely brilliant perfect fab super nice fine cool excellent wonderful fantastic
    thanks thank thx ty ta cheers many much very lot million so kindly appreciated appreciate
    mate star helpful help helps helped kind really that thats that's it its it's is was this be
    been
    bye goodbye cheerio farewell later laters see ya ra gotta go have to now done finished all
    everything nothing else leave there will for signing off then end close chat talk catch
    yes yeah yep yup aye ya y ok okay sure of course correct right absolutely definitely indeed
    certainly alright agree works go ahead please do on send sounds would i i'm im i'd i'll do
    no nope nah n not never way don't dont wrong incorrect negative need rather want at the
    moment today thinking think are you u r a an am me my to with talking speaking chatting
    bot robot human person real computer machine program automated automatic ai artificial
    intelligence chatgpt chatbot who what kind thing name anyone anybody someone typing
    reply replying replies answers written by run on other there here again council millbrook
    assistant how doing hear working place can your you're you've you'll been nice one or
    program aren't isn't these that'd
"""
_SMALL_TALK_WORDS = frozenset(_SMALL_TALK_TEXT.split())
# Small talk's words that ask ("how are you", "who are you"); alone they ask about the answer.
_QUESTION_WORDS = frozenset({"how", "what", "when", "where", "why", "who", "which"})
# Words that feedback on an answer is made of, beside small talk's: the answer and the question
# themselves, whether it helped, was clear or understood, and which of the offered choices. A
# message with any other word names a topic, and a topic is a question for guidance.
_FEEDBACK_TEXT = """
    answer answers answered answering reply question questions ask asks asked asking query
    meant mean means meaning wanted wanting looking needed after info information
    understand understood understanding misunderstood misunderstand misread misheard
    help helped helping helpful unhelpful useful useless use no good bad poor rubbish terrible
    awful pointless clear unclear sense confused confusing lost sorted solved spot exactly
    perfect great brilliant answered about different something anything else another other
    topic subject relevant irrelevant none neither either those them these options option ones
    did didn't does doesn't do don't was wasn't is isn't were weren't got get still know
    made makes make at all quite bit really just what which there
    sorry oops whoops wow listen listening utterly totally completely hopeless nonsense button
"""
_FEEDBACK_WORDS = _SMALL_TALK_WORDS | frozenset(_FEEDBACK_TEXT.split())
# Words of frustration and insult at the assistant ("stupid bot", "this is shit", "f*** off"):
# with feedback's words, a message made only of these is a remark about the service.
_FRUSTRATION_TEXT = """
    stupid idiot idiotic dumb thick pathetic ridiculous joke pointless shit shite
    crap crappy fuck fucking fk f ffs bloody damn hell off bot thing piece absolute total
    annoying frustrating
"""
_REMARK_WORDS = _FEEDBACK_WORDS | frozenset(_FRUSTRATION_TEXT.split())
# Words that asking what the assistant can do is made of, beside small talk's. A message that
# also names a topic ("what can you do about fly-tipping") is a question for guidance.
_CAPABILITY_TEXT = """
    can could able do does help helping ask answer answers question questions know tell
    use used for about things thing stuff sort sorts kind kinds options services service
    exactly actually so get here chat this assistant people work works
"""
_CAPABILITY_WORDS = _SMALL_TALK_WORDS | frozenset(_CAPABILITY_TEXT.split())
# Words that point back at what the conversation is about ("what will you do about it", "can
# you help with that") or ask who, not what ("who can help me"). Such a message is a follow-up
# for guidance, which has the conversation's article, never the capabilities reply.
_POINTS_BACK = frozenset({"it", "its", "it's", "that", "thats", "that's", "them", "those"})
_REFERS_BACK = _POINTS_BACK | {"who"}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_REPEATED = re.compile(r"([^\W\d_])\1{2,}")
_ASKS_FOR_PERSON = re.compile(
    r"\b(?:real|actual|live|proper) (?:person|human|people|adviser|advisor)"
    r"|\b(?:speak|talk|chat|get through)(?:ing)? (?:to|with)\b"
    r"|\bhumans?\b|\badvis[eo]rs?\b|\bagents?\b|\boperators?\b|\bofficers?\b"
    r"|\b(?:some|any)(?:one|body)\b|\ba person\b|\bstaff\b|\bcolleague\b"
    r"|\bcustomer services?\b|\bput me through\b|\bconnect me\b|\bescalate\b"
    r"|\btransfer me\b|\bcall me\b|\bphone me\b|\bring me\b",
    re.IGNORECASE,
)
_ORDINAL = re.compile(
    r"^\W*(?:the |option |number |no\.? )?(?:first|second|third|top|last|1st|2nd|3rd|one|two|"
    r"three|1|2|3)(?: one| option)?\W*$",
    re.IGNORECASE,
)
# Which offered choice an ordinal names ("the first one", "option 2", "the last one").
_ORDINAL_INDEX = {
    "first": 0, "top": 0, "1st": 0, "1": 0, "second": 1, "2nd": 1, "two": 1, "2": 1,
    "third": 2, "3rd": 2, "three": 2, "3": 2, "last": -1,
}
# Asking in so many words to talk to a person ("I want to talk to someone about my housing
# situation"): a request for a person whatever topic it names. "am I talking to a human" asks
# what the assistant is.
_WANTS_A_PERSON = re.compile(
    r"(?<!\bam i )(?<!\bare you )\b(?:speak|talk|chat)(?:ing)?\s+(?:to|with)\s+"
    r"(?:someone|somebody|anyone|anybody|a\s+(?:real\s+)?(?:person|human)|an?\s+advis[eo]r"
    r"|a\s+member\s+of\s+staff|staff|a\s+human\s+being)\b",
    re.IGNORECASE,
)
# Asking to be called: "call me back", "ring me", "a callback", "give me a ring", "a phone call
# from an adviser". "who do i call" or "can I call you" asks for a number (guidance).
_ASKS_TO_BE_CALLED = re.compile(
    r"\b(?:call(?:ed)?|ring|rang|phoned?)\s+(?:me|us)\b|\bcall[\s-]?backs?\b|\bring\s+back\b"
    r"|\bgive\s+(?:me|us)\s+a\s+(?:call|ring|bell)\b|\bphone\s+call\b|\ba\s+call\b",
    re.IGNORECASE,
)
_REPORTS = re.compile(r"\b(?:report|log)\b", re.IGNORECASE)
# A missed collection in so many words: the bin (or rubbish, recycling…) not collected or
# emptied, or missed.
_MISSED_COLLECTION = re.compile(
    r"\b(?:bins?|rubbish|recycling|waste|caddy|box)\b[\w\s']{0,20}?"
    r"\b(?:wasn't|wasnt|weren't|werent|hasn't|hasnt|haven't|havent|not|never)\s+"
    r"(?:been\s+|got\s+|be(?:en)?\s+)?(?:collected|emptied|picked up|taken)\b"
    r"|\b(?:missed|skipped|forgot(?:ten)?)\s+(?:my|our|the|us)\b"
    r"|\b(?:bins?|collection)\s+(?:was|were|has been|have been|got|is)\s+missed\b",
    re.IGNORECASE,
)
# Asking for another language: "do you speak polish", "in urdu please", "an interpreter".
_LANGUAGES = (
    "polish|urdu|punjabi|panjabi|bengali|bangla|arabic|romanian|portuguese|spanish|french|german"
    "|italian|chinese|mandarin|cantonese|gujarati|somali|turkish|lithuanian|hindi|tamil|farsi"
    "|persian|dari|kurdish|pashto|russian|ukrainian|tigrinya|bulgarian|latvian|slovak|czech"
    "|hungarian|albanian|vietnamese|welsh|sign language|bsl"
)
_ASKS_FOR_LANGUAGE = re.compile(
    rf"\b(?:speak|speaks|talk|understand|reply|write|chat|help|answer)\w*\s+(?:me\s+|to me\s+)?"
    rf"(?:in\s+)?(?:{_LANGUAGES})\b|\bin\s+(?:{_LANGUAGES})\b"
    rf"|\b(?:need|want|get|have|book|is there|any)\s+(?:an?\s+)?(?:interpreter|translator)s?\b",
    re.IGNORECASE,
)
MAX_LANGUAGE_WORDS = 8
# A report already made: asking after it ("what's happening with my missed bin report", "I
# reported it yesterday", "any update on my case") is a question for guidance (what happens
# next), not a new report.
_REPORT_MADE = re.compile(
    r"\breported\b|\balready (?:told|rang|phoned|called)\b"
    r"|\b(?:my|the|our|that) (?:[\w']+ ){0,3}(?:report|case|complaint)\b(?! (?:a|an|my|the|it)\b)"
    r"|\b(?:status|progress|update|reference)\b",
    re.IGNORECASE,
)
# What a missed collection is of: a bin, box or caddy, rubbish, recycling, a collection, a crew.
_WASTE = re.compile(
    r"\b(?:(?:wheelie ?)?bins?|binm[ae]n|box(?:es)?|caddy|caddies|rubb?ish|recycl\w*|waste"
    r"|refuse|collect\w*|colection|crews?|lorry|lorries|dustm[ae]n|collectors?)\b",
    re.IGNORECASE,
)
# What a report of a missed collection says: that something did not happen ("wasn't
# collected", "missed", "nobody came", "left behind", "still full"). A bare topic ("bulky
# waste collection", "bin collection calendar for my street") says nothing of the kind.
_NOT_DONE = re.compile(
    r"\b(?:miss(?:ed|d|ing)?|skip(?:ped)?|forg[eo]t(?:ten)?|never|not|no ?one|nobody|left"
    r"|still|un(?:collected|emptied)|\w+n't|(?:did|was|were|has|have|is|are|wo|ca)nt)\b",
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    """The words of a message, lower case, letters typed three or more times once ("heyyy")."""
    return _WORD.findall(_REPEATED.sub(r"\1", text.lower()))


def _made_of(text: str, vocabulary: frozenset[str], most: int) -> bool:
    """True when ``text`` has 1 to ``most`` words, every one of them in ``vocabulary``."""
    found = words(text)
    return 0 < len(found) <= most and all(w in vocabulary for w in found)


def is_small_talk(text: str) -> bool:
    """True when a message is only greeting, thanks, goodbye, yes/no or "are you a bot". A bare
    question word ("how?", "where"), or a question that points back at the answer ("who can do
    it", "what is that"), is not: right after an answer it is a follow-up."""
    found = words(text)
    if found and all(w in _QUESTION_WORDS for w in found):
        return False
    if found and found[0] in _QUESTION_WORDS and _POINTS_BACK.intersection(found):
        return False  # "who can do it", "what is that": about the answer, not small talk
    return _made_of(text, _SMALL_TALK_WORDS, MAX_SMALL_TALK_WORDS)


def is_feedback(text: str) -> bool:
    """True when a message is only about the answer given: whether it helped or answered what
    was asked ("that's not what I meant", "useless", "none of these"), naming no topic."""
    if text.lstrip().startswith("/"):  # a button's payload
        return True
    return _made_of(text.replace("\u2019", "'"), _FEEDBACK_WORDS, MAX_FEEDBACK_WORDS)


def ordinal_index(text: str) -> int | None:
    """The position a typed choice names ("the first one" 0, "option 2" 1, "the last one"
    -1), or None when the message is not such a choice."""
    if not _ORDINAL.search(text):
        return None
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    named = [_ORDINAL_INDEX[t] for t in tokens if t in _ORDINAL_INDEX]
    return named[0] if named else 0  # "one", "number one"


def names_no_topic(text: str) -> bool:
    """True when a message is made only of small talk and words about asking for help ("I
    need help", "who can help me", "what can you do"): it names nothing guidance could be
    about."""
    return _made_of(text.replace("\u2019", "'"), _CAPABILITY_WORDS, MAX_SMALL_TALK_WORDS)


def is_remark(text: str) -> bool:
    """True when a message is only a remark about the answer or the service, frustration and
    insults included ("stupid bot", "this is shit"), naming no topic."""
    return _made_of(text.replace("\u2019", "'"), _REMARK_WORDS, MAX_FEEDBACK_WORDS)


def asks_what_it_can_do(text: str) -> bool:
    """True when a message only asks what the assistant can do ("what can you help with"),
    naming no topic and pointing back at none ("what will you do about it" is a follow-up)."""
    return names_no_topic(text) and not _REFERS_BACK.intersection(
        words(text.replace("\u2019", "'"))
    )


def asks_for_person(text: str) -> bool:
    """True when a message asks for a person ("speak to someone", "adviser", "human")."""
    return bool(_ASKS_FOR_PERSON.search(text))


def wants_a_person(text: str) -> bool:
    """True when a message asks in so many words to talk to a person ("can I speak to someone
    about my rent"), whatever else it names."""
    return bool(_WANTS_A_PERSON.search(text))


def asks_to_be_called(text: str) -> bool:
    """True when a message asks for a call back ("can someone ring me", "a callback please")."""
    return bool(_ASKS_TO_BE_CALLED.search(text))


def reports_missed_bin(text: str) -> bool:
    """True when a message about bins asks to report a missed collection or says one was missed.

    "my bin wasn't collected", "they missed my recycling" and "can I report a missed bin"
    start the report; questions ("when is my recycling collected this week", "when will you
    come back for a missed bin"), bare topics ("bulky waste collection", "bin collection
    calendar for my street"), other reports ("the repairman didn't turn up", "how do I
    report a pothole") and asking after a report already made ("what's happening with my
    missed bin report", "I reported it yesterday and nobody came") are for guidance.
    """
    if not _WASTE.search(text) or _REPORT_MADE.search(text.replace("\u2019", "'")):
        return False
    if _REPORTS.search(text):
        return True
    return not is_question(text) and bool(_NOT_DONE.search(text.replace("\u2019", "'")))


def asks_for_language(text: str) -> bool:
    """True when a short message asks for help in another language or for an interpreter ("do
    you speak polish", "I need an interpreter", "can I have it in urdu"): where that help is
    (``utter_other_language``), not guidance."""
    cleaned = text.replace("\u2019", "'")
    return len(words(cleaned)) <= MAX_LANGUAGE_WORDS and bool(_ASKS_FOR_LANGUAGE.search(cleaned))


def says_bin_was_missed(text: str) -> bool:
    """True when a message says in so many words that a collection was missed ("… my bin
    wasn't emptied", "the crew missed our recycling"), and neither asks a question nor asks
    after a report already made: a report, however much else it says."""
    cleaned = text.replace("\u2019", "'")
    return (not is_question(cleaned) and bool(_MISSED_COLLECTION.search(cleaned))
            and reports_missed_bin(cleaned))


def stands(intent: str, text: str) -> bool:
    """Whether the classifier's ``intent`` may stand for ``text`` (False: send to guidance)."""
    if intent in GATEWAY_ONLY_INTENTS:
        return False
    if intent in SMALL_TALK_INTENTS:
        return is_small_talk(text)
    if intent == CHOOSE_ARTICLE_INTENT:  # a did-you-mean button, or "the first one"
        return text.lstrip().startswith("/") or bool(_ORDINAL.search(text))
    if intent == REQUEST_HUMAN_INTENT:
        return asks_for_person(text)
    if intent == REQUEST_CALLBACK_INTENT:
        return asks_to_be_called(text)
    if intent == REPORT_MISSED_BIN_INTENT:
        return reports_missed_bin(text)
    if intent in FEEDBACK_INTENTS:
        return is_feedback(text)
    if intent == CAPABILITIES_INTENT:
        return asks_what_it_can_do(text)
    return True
