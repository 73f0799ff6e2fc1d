"""Word lists of the surrogate heuristic: fake names to draw from, and words that are not names.

Kept apart from the logic so that the lists can grow without touching it.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn",
    "Cameron", "Drew", "Robin", "Sam", "Charlie", "Dana", "Emerson", "Finley", "Harper",
    "Jesse", "Kendall", "Logan", "Reese", "Rowan", "Sage", "Skyler", "Blake", "Elliot",
    "Hayden", "Kai", "Marlowe",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Lee", "Brown", "Garcia", "Miller", "Davis", "Martin", "Clark",
    "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker",
    "Adams", "Nelson", "Carter", "Mitchell", "Turner", "Phillips", "Campbell", "Evans",
    "Edwards", "Collins", "Stewart", "Morris",
)  # fmt: skip

PLACES: tuple[str, ...] = (
    "Springfield", "Riverton", "Fairview", "Greenville", "Madison", "Georgetown", "Franklin",
    "Clinton", "Salem", "Oakdale", "Lakewood", "Ashland", "Bristol", "Dover", "Milton",
    "Newport", "Kingston", "Burlington", "Clayton", "Hudson", "Marion", "Lexington",
    "Arlington", "Auburn", "Dayton", "Camden", "Fremont", "Glendale", "Hillsboro", "Weston",
)  # fmt: skip

ORGANISATIONS: tuple[str, ...] = (
    "Acme Corp", "Globex Inc", "Initech LLC", "Umbrella Ltd", "Hooli Inc", "Vandelay Industries",
    "Stark Labs", "Wayne Group", "Tyrell Corp", "Soylent Co", "Cyberdyne Systems", "Wonka Ltd",
    "Oceanic Group", "Nakatomi Corp", "Massive Dynamic", "Aperture Labs", "Monarch Co",
    "Virtucon Inc", "Dunder Mifflin", "Prestige Worldwide",
)  # fmt: skip

TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx"})

# Words just before a span that say it is a place / a person.
# ("to" and "from" are left out: "email to Ann Lee" is as common as "fly to Paris".)
PLACE_CUES = frozenset({"in", "at", "near", "visit", "visiting", "around", "towards", "via"})
PERSON_CUES = frozenset(
    {"dear", "hi", "hello", "hey", "named", "thanks", "cc", "contact", "ask", "tell", "meet"}
)
# Words of a JSON key that say what its string value names.
PLACE_KEYS = ("location", "city", "place", "address", "country", "state", "destination", "origin")
PERSON_KEYS = ("name", "person", "user", "customer", "employee", "contact", "author", "recipient")

# A span whose last word is one of these is an organisation, or a place.
ORG_SUFFIXES = frozenset(
    {"Inc", "Corp", "Corporation", "LLC", "Ltd", "Limited", "Company", "Co", "Bank", "Group"}
)
PLACE_SUFFIXES = frozenset(
    {"City", "County", "Street", "St", "Avenue", "Ave", "Road", "Rd", "Lake", "River",
     "Island", "Bay", "Beach", "Valley", "Heights", "Boulevard", "Square"}
)  # fmt: skip

# Capitalised words that are almost never (part of) a name: sentence starters,
# pronouns, days, months, greetings, and a few languages and technologies that
# follow "in" as often as cities do.
NOT_NAMES = frozenset(
    """
    A An And Are As At Be But By Can Could Did Do Does For From Get Give Has Have He Her
    Here His How I If In Is It Its Let List Make May Me My No Not Now Of Ok Okay On Or Our
    Please Return Set Show She So Some Tell Thank Thanks That The Their Then There These
    They This Those To Use Was We What When Where Which Who Why Will With Would Yes You
    Your Find Search Check Call Create Update Delete Send Book Compute Calculate Write Answer
    Question Task Note User Assistant System Tool Result Error Output Input Example Step
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    June July August September October November December Today Tomorrow Yesterday
    Hello Hi Hey Dear Sure Sorry Also However Otherwise First Second Next Finally Total
    English French Spanish German Italian Chinese Japanese Portuguese Russian Arabic Hindi
    Python Java JavaScript TypeScript Rust Go Ruby Excel Markdown Linux Windows
    Celsius Fahrenheit True False None Null
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
