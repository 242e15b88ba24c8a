"""Write the labelled personal-data set (``privacy/eval/messages.jsonl``) used by the benchmark.

The set was generated once, before the detector was tuned, and is committed; re-running this
script with the same seed writes the same file. Templates and value pools are split in two
disjoint halves: ``tune`` messages use one half, ``heldout`` messages the other, so the held-out
score measures phrasings and values the detector was never tuned on.

Labelling rules (one ``spans`` entry per piece of personal data, ``kind`` and exact ``text``):

- ``person``: a private individual's name (first name alone counts when given as a name);
  names of places, services, schools or streets that contain a name do not.
- ``address``: a house number (or flat) followed by a street; a street without a number does not.
- ``postcode``: a full UK postcode; ``date_of_birth``: a date given as someone's birth date;
  ``phone``, ``email``, ``ni_number``, ``card_number`` (Luhn-valid), ``bank_details`` (sort code
  and/or account number).
- The council's own published number and reference numbers are not personal data.

Run: ``.venv/bin/python -m privacy.eval.build_set``
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

OUT = Path(__file__).with_name("messages.jsonl")
SEED = 20261203

NAMES = {
    "tune": ["Jane Smith", "Tom Okafor", "Priya Patel", "Gareth Lewis", "Aisha Rahman",
             "Michael O'Brien", "Sophie Turner", "Daniel Kowalski", "Fatima Hussain",
             "Ewan McLeod", "Grace Adeyemi", "Oliver Bennett", "Zara Ahmed", "Liam Murphy",
             "Hannah Clarke", "Rhys Morgan"],
    "heldout": ["Sarah Thompson", "David Nwosu", "Emily Davies", "Mohammed Ali", "Chloe Evans",
                "James Wilson", "Anita Sharma", "Connor Walsh", "Megan Hughes", "Samuel Green",
                "Olivia Wright", "Kwame Mensah", "Lucy Robinson", "Harry Edwards",
                "Niamh Kelly", "Ben Carter"],
}
FIRST = {"tune": ["Jane", "Priya", "Tom", "Gareth", "Aisha", "Sophie"],
         "heldout": ["Sarah", "Emily", "David", "Megan", "Anita", "Harry"]}
STREETS = {
    "tune": ["Acacia Avenue", "Mill Lane", "Station Road", "Church Street", "Orchard Close",
             "Park View", "Kingsway", "Willow Crescent", "Elm Grove", "Queens Drive"],
    "heldout": ["Victoria Road", "Beech Way", "Meadow Lane", "Chapel Street", "Oak Terrace",
                "Riverside Walk", "York Place", "Hawthorn Gardens", "Brook Street",
                "Cedar Court"],
}
POSTCODES = {"tune": ["MB1 2AB", "MB4 7QT", "LS6 3HF", "M14 5RL", "B23 6JP", "SW1A 1AA"],
             "heldout": ["MB2 9XD", "MB7 1LN", "CF10 3NQ", "EH3 9DR", "NE1 4ST", "BS8 1TH"]}
PHONES = {"tune": ["07700 900123", "07700900456", "01632 960321", "+44 7700 900789",
                   "0161 496 0123", "+1 202 555 0143"],
          "heldout": ["07700 900982", "(01632) 960 555", "+44 (0)7700 900 314",
                      "020 7946 0872", "0113 496 0991", "+33 1 70 36 39 50"]}
EMAILS = {"tune": ["jane.smith@example.com", "tom_o@mail.example.co.uk", "priya88@example.org",
                   "g.lewis@example.net"],
          "heldout": ["sarah.t@example.co.uk", "dnwosu@example.com", "megan+bins@example.org",
                      "h.edwards@example.net"]}
NI = {"tune": ["QQ 12 34 56 C", "AB123456C", "JG 10 37 71 A"],
      "heldout": ["QQ123456B", "NP 98 76 54 D", "ce 45 12 09 a"]}
CARDS = {"tune": ["4111 1111 1111 1111", "5500-0000-0000-0004", "4012888888881881"],
         "heldout": ["4242 4242 4242 4242", "5105105105105100", "3782 822463 10005"]}
BANK = {"tune": [("12-34-56", "12345678"), ("20-00-00", "55779911")],
        "heldout": [("40-47-84", "70872490"), ("09-01-28", "31926819")]}
DOBS = {"tune": ["14/03/1985", "3rd March 1972", "1990-07-21", "5 June 1948"],
        "heldout": ["22/11/1979", "9th September 1961", "12.04.2001", "30 January 1955"]}

# Templates: {name} {first} {street} {num} {postcode} {phone} {email} {ni} {card} {sort}
# {account} {dob}; every placeholder is personal data of the kind it names.
PII_TEMPLATES = {
    "tune": [
        "my name is {name} and my bin wasn't collected",
        "Hi, it's {name}, can someone call me back on {phone}",
        "I live at {num} {street}, {postcode} and the recycling was missed again",
        "please email me at {email} about my council tax",
        "my NI number is {ni}, do I qualify for help with rent",
        "can I pay with card {card}",
        "my sort code is {sort} and account number {account}, can you set up a direct debit",
        "date of birth {dob}, I want to check my housing application",
        "{first} here, I'm locked out of my account",
        "the fly-tipping is outside {num} {street}",
        "ring me on {phone} please, it's about the pothole",
        "I'm {name}, born {dob}, applying for a Blue Badge",
        "our address is {num} {street} {postcode}",
        "contact me: {email} or {phone}",
        "reference for my claim - NI {ni}",
        "my mum {name} needs a carer assessment, she lives at {num} {street}",
        "postcode {postcode}, when is my bin day",
        "send the form to {email}",
        "card number {card} expiry 09/28",
        "account {account} sort code {sort}",
        "my phone is {phone} and my name is {first}",
        "I was born on {dob}",
        "can you update my details: {name}, {num} {street}, {postcode}",
        "this is {name} speaking, I reported a leak last week",
        "my name's {first} and I need a new green bin",
    ],
    "heldout": [
        "hello I'm {name}, the streetlight outside my house is broken",
        "you can reach me on {phone} any time after 3",
        "we moved to {num} {street} last month, how do I update council tax",
        "my email address is {email}",
        "National Insurance number: {ni}",
        "I paid with {card} but the payment failed",
        "bank details for the refund: {sort} {account}",
        "DOB {dob}",
        "Thanks, {first}",
        "the bins at {num} {street} have been missed three weeks running",
        "please text {phone} when it's done",
        "{name}, date of birth {dob}, I want to register to vote",
        "new address: {num} {street}, {postcode}",
        "best way to contact me is {email} or ring {phone}",
        "ni no {ni} for the housing benefit claim",
        "my neighbour {name} at {num} {street} is burning rubbish",
        "what day is collection for {postcode}",
        "you can write to me at {email} instead",
        "take the payment from {card} please",
        "sort code {sort}, account number {account}",
        "my son {first} was born {dob} and needs a school place",
        "it's {name}, my number is {phone}",
        "full details: {name}, {num} {street}, {postcode}, {phone}",
        "I am {name} and I want to complain about noise",
        "my daughter {name} is starting school in September",
    ],
}

LOOKALIKES = {
    "tune": [
        "there's a huge pothole on High Street outside the bakery",
        "the streetlight on Mill Lane near the school has been out for a week",
        "how do I apply for a Blue Badge",
        "I get Universal Credit, can I get help with council tax",
        "when is the recycling collected in Millbrook",
        "my reference number is MB-2026-004512",
        "case ref 48213377, any update?",
        "I was charged £1,234.56 for council tax this year",
        "my bin was due on Tuesday 14/01/2027 but nobody came",
        "the next garden waste collection is 03/02/2027",
        "is Millbrook Leisure Centre open on Sundays",
        "fly-tipping behind the shops on Station Road",
        "how much is a parking permit, is it £45",
        "the library on Church Street closes at 5",
        "St Mary's Primary School admissions",
        "Victoria Park toilets are closed again",
        "I need to renew my Blue Badge before 31 March",
        "Universal Credit stopped my housing payment",
        "what are the opening hours of Millbrook Town Hall",
        "invoice 2026/7781 for the bulky waste collection",
        "can I pay my council tax in 10 instalments",
        "the Kingsway roundabout has a broken sign",
        "reference CT-00991823",
        "I was told to quote 1234 5678 when I call",
        "is the tip at Orchard Way open on bank holidays",
        "council tax band D is £2,104.30",
        "the 7.30am collection on 12/12 was missed",
        "Queen Elizabeth Road has flooding again",
        "where do I take a sofa in Millbrook",
        "why was my Blue Badge application refused",
        "Jubilee Gardens has broken glass in the play area",
        "how do I report graffiti on Park View bridge",
        "Housing Benefit or Universal Credit, which one applies to me",
        "my rent is £650 a month",
        "order number 100245879 for a new bin",
        "what's the number for Millbrook Council",
        "I put in a claim on 2 November 2026",
        "Lord Street car park is full every day",
        "pothole at the junction of Church Street and Station Road",
        "the Millbrook Community Hub newsletter",
        "ward councillor surgery in Eastfield",
        "what is the Household Support Fund",
        "can I get a Disabled Facilities Grant",
        "the road by Kings Meadow is flooded",
        "bin day changed from Monday to Thursday",
        "I paid 250.00 on 01-12-2026 by direct debit",
        "Permit number PP-77120 has expired",
        "is Saint Andrew's church hall available for hire",
        "the number 42 bus stop on Mill Lane is damaged",
        "George Street is closed for resurfacing until 15 January",
        "my application ID is 9087-2231-44",
        "What does Council Tax Reduction cover",
        "is there a charge for the green bin, £52 a year",
        "Elm Grove allotments waiting list",
        "Millbrook Food Bank opening times",
        "the crossing outside Acacia Avenue school is broken",
        "Penalty charge notice MB12345678",
        "I need Local Welfare Assistance",
        "collection calendar for 2027 please",
        "my bin has been missed twice in November",
        "Tell me about the Warm Homes Discount",
        "where is the Citizens Advice office in Millbrook",
        "the Old Market Square fountain is leaking",
        "planning application 26/01234/FUL",
        "Is the Winter Fuel Payment automatic",
        "Are Wednesday collections running on 24 December",
        "what time do the bin men come on Station Road",
        "Abbey Road bridge weight limit",
        "who fixes the lights on Queens Drive",
        "Blue Badge renewal costs £10",
        "I need a new recycling box for flat 3",
        "does Millbrook have a park and ride",
        "Carer's Allowance and council tax discount",
        "bulky waste collection costs £35 for 3 items",
        "Is Riverside Library open",
        "Housing Register band B",
        "the 5 bus doesn't stop on Chapel Street any more",
        "reported on 11/11/2026, reference 55123",
        "Ask about Free School Meals",
    ],
    "heldout": [
        "the pavement on High Street is cracked near the post office",
        "broken bench in Millbrook Park",
        "how long does a Blue Badge take",
        "can I claim Universal Credit and Council Tax Support together",
        "my reference is MB-2025-118820",
        "ticket number 77381920",
        "I owe £312.40 from last year",
        "collections moved to Friday 02/01/2027 because of the holiday",
        "the food waste was due 19/12/2026",
        "Millbrook Swimming Pool prices",
        "there's a dead fox on Victoria Road",
        "Meadow Lane recycling centre hours",
        "Jubilee Library is closing early today",
        "St John's Nursery admissions",
        "Prince Albert Road gritting",
        "Blue Badge for my child with autism",
        "my Universal Credit payment date",
        "Millbrook Council Tax band checker",
        "Direct debit reference 00451123",
        "Is Beech Way on the gritting route",
        "I got a £70 parking fine",
        "reference BW-99812",
        "overflowing litter bin on Chapel Street",
        "collection was 3 weeks ago on 10 November",
        "Oak Terrace has a burst water main",
        "where do I buy a Millbrook bus pass",
        "York Place flats bin store is full",
        "Council Tax Reduction form",
        "Hawthorn Gardens play area swings broken",
        "cost of a replacement bin is £25.50",
        "claim number 2026-0007781",
        "Brook Street is closed for the market",
        "Riverside Walk is flooded near the bridge",
        "Cedar Court car park barrier is stuck",
        "Discretionary Housing Payment",
        "Pension Credit and council tax",
        "Sunday 4 January is the next collection",
        "potholes all along Kingsley Road",
        "is there an event at Millbrook Town Hall on Saturday",
        "the Mayor's charity fund",
        "fee of £185 for a premises licence",
        "booking ref HWRC-22914",
        "how to report a missed bin on Beech Way",
        "Queen's Park cafe opening hours",
        "Elizabeth House reception",
        "Victoria Road bin day",
        "grit bin on Meadow Lane is empty",
        "my invoice 300045 is wrong",
        "Millbrook Youth Centre activities",
        "Blue Badge parking bays on York Place",
        "is Universal Credit counted as income for free school meals",
        "the 9.15 train from Millbrook station",
        "street cleaning on Oak Terrace",
        "Winter Fuel Payment date",
        "Attendance Allowance form",
        "I paid £99 on 05/11/2026",
        "bins on Hawthorn Gardens every other Tuesday",
        "Cedar Court sheltered housing waiting list",
        "council tax arrears of £1,020",
        "Highways reference HW/2026/331",
        "Brook Street car park prices",
        "Millbrook Carnival road closures",
        "Church Street roadworks finish 28 February",
        "waste permit WP-1182",
        "Riverside Walk lighting",
        "Chapel Street post box",
        "Blue Badge holder parking in Millbrook",
        "electoral roll registration deadline 15 January",
        "rent account 4410092",
        "Station Road bridge closure",
        "Social care assessment",
        "Christmas collections on 27/12/2026",
        "Sefton Road potholes",
        "George Street library",
        "Housing Options appointment on 8 December",
        "parking suspension fee £40 per day",
        "Is the Blue Badge free",
        "Millbrook Market opening days",
        "Universal Credit housing element",
    ],
}

FIELDS = re.compile(r"\{(\w+)\}")
KIND_OF = {"name": "person", "first": "person", "phone": "phone", "email": "email",
           "ni": "ni_number", "card": "card_number", "sort": "bank_details",
           "account": "bank_details", "dob": "date_of_birth", "postcode": "postcode"}


def fill(template: str, split: str, rng: random.Random) -> dict[str, object]:
    """Fill one template with values from the split's pools; label each value."""
    sort_code, account = rng.choice(BANK[split])
    values = {"name": rng.choice(NAMES[split]), "first": rng.choice(FIRST[split]),
              "street": rng.choice(STREETS[split]), "num": str(rng.choice([3, 7, 14, 22, 105])),
              "postcode": rng.choice(POSTCODES[split]), "phone": rng.choice(PHONES[split]),
              "email": rng.choice(EMAILS[split]), "ni": rng.choice(NI[split]),
              "card": rng.choice(CARDS[split]), "sort": sort_code, "account": account,
              "dob": rng.choice(DOBS[split])}
    text = FIELDS.sub(lambda m: values[m.group(1)], template)
    spans: list[dict[str, str]] = []
    for field in FIELDS.findall(template):
        if field == "num":
            spans.append({"kind": "address", "text": f"{values['num']} {values['street']}"})
        elif field in KIND_OF:
            spans.append({"kind": KIND_OF[field], "text": values[field]})
    return {"text": text, "spans": spans}


def build() -> list[dict[str, object]]:
    """Every message of the set, tune first, then held-out."""
    rng = random.Random(SEED)
    rows: list[dict[str, object]] = []
    for split in ("tune", "heldout"):
        seen: set[str] = set()
        for template in PII_TEMPLATES[split]:
            for _ in range(9):
                row = fill(template, split, rng)
                if row["text"] not in seen:  # a template with few values repeats itself
                    seen.add(str(row["text"]))
                    rows.append({"split": split, **row})
        for text in LOOKALIKES[split]:
            rows.append({"split": split, "text": text, "spans": []})
    return rows


def main() -> None:
    """Write the set and print its size."""
    rows = build()
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    clean = sum(1 for row in rows if not row["spans"])
    print(f"{len(rows)} messages, {clean} without personal data -> {OUT}")


if __name__ == "__main__":
    main()
