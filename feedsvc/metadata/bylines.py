"""Read people's names out of a byline: "By DANICA KIRKA and JILL LAWLESS, Associated Press".

Pure. :func:`byline_names` takes the text of a byline (or of one author
value: a meta tag, a JSON-LD name) and returns the names in it, in order:
the lead-in ("By", "Analysis by", "Words:", "Par", "Von") dropped, a list
split on commas, "and" and "&", what follows a name after a comma when it is a
role, a credential or an agency ("AP National Security Writer", "PhD",
"CNN", "Privacy and Digital Security Expert"), e-mail addresses, @handles, URLs and dates dropped, and names
written in capitals only put in title case (a name with any lower case is kept as written).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "DISABLED",
    "RULES",
    "byline_names",
    "credits_someone_else",
    "is_job_line",
    "is_name",
    "is_name_particle",
    "names_an_institution",
    "names_an_organisation",
    "opens_a_clause",
    "organisation_name",
]

# The parser's rules that keep words which are no name out of a byline, each with its own switch.
RULES: dict[str, str] = {
    "running_text": "a lead-in that opens a clause of running text ('By the way, …', 'By clicking Submit you agree "
    "to the Privacy Policy', 'By following the tips below') is no byline: nothing after it is a name",
    "account_names": "a name holding a CMS account's word ('NOC Admin', 'Site Administrator', 'Webmaster Team') "
    "names an account that posted the piece, not a writer",
    "jobs_after_a_comma": "a piece after a comma that names a job outside the newsroom ('Software Engineer on Google "
    "Play', 'Registered Dietitian') is the role of the name before it, not a second person",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()

# Lead-ins of a byline, in the languages of the pages feedsvc is measured on; matched at the start only.
_LEAD_IN = re.compile(
    r"^(?:(?:this|the)\s+(?:post|article|story|piece|guide|review|blog\s+post)\s+(?:was|is|has\s+been)\s+)?"
    r"(?:(?:an?\s+)?(?:analysis|commentary|opinion|review|interview|essay|story|text|words|reporting|"
    r"written|authored|posted|published|photos?|photographs|video|compiled|edited|updated|produced)\s+)?"
    r"(?:by|from)\s*[:\-–]?\s+|^(?:words|text|author|authors|byline|written by|autor|auteur|autore)\s*:\s*"
    r"|^(?:par|von|por|di|door|av|af)\s+(?=\S)"
    # a link to the author's page: "View all posts by Craig Randall", "More articles by Jane Doe"
    r"|^(?:(?:view|see|read)\s+)?(?:all|more)\s+(?:posts|articles|stories)\s+(?:by|from)\s+",
    re.IGNORECASE,
)
# Where the people who did not write the piece start: "By Shelby Loos, DVM. Reviewed by Molly Price",
# "Written by Rob Ewaschuk Edited by Betsy Beyer"; what follows is dropped.
_NOT_WRITERS = re.compile(
    r"[.,;|]?\s*\b(?:(?:medically|expert|fact[-\s]?)?\s*(?:reviewed|edited|checked|fact[-\s]?checked|"
    r"illustrated|translated|verified)\s+by)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
# "ByDaryl Austin", "Written byAAA": the lead-in's element and the name's meet without a space
# (case-sensitive: "Byron" and "BYRON" are names)
_GLUED_LEAD_IN = re.compile(r"^(?:(?:[Ww]ritten|[Pp]osted)\s+)?[Bb]y(?=[A-Z])")
# Where a byline stops holding names: a pipe, a bullet, a line break, " - ", " — ", a "|" of a date
# or "on" and a date ("Posted by Colin Watson on 2025-12-18 in debusine")
_CUT = re.compile(
    r"\s*(?:[|•·\n\t]|\s[-–—]\s|\bupdated\b|\bpublished\b|\bposted\b|\bon\s+\w+day\b"
    r"|\son\s+(?=\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d))\s*",
    re.IGNORECASE,
)
_COMMA = re.compile(r"\s*[,;]\s*")
_LIST = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|\bwith\b)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"\(?\b(?:https?://|www\.)\S+\)?", re.IGNORECASE)
_PARENTHESES = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*")
_DIGIT = re.compile(r"\d")
# Letters, marks, spaces, dots, apostrophes and hyphens make a name; a symbol ("®", "#", "/") does not.
_NOT_NAME_CHAR = re.compile(r"[^\w\s.'’\-]|_")
# Words that make a comma-separated piece a role, a credential or an organisation rather than a
# person: "Senior Autos Reporter", "AP National Security Writer", "CNN Editor-at-large".
_ROLE_WORDS = frozenset(
    """
    writer writers reporter reporters editor editors correspondent correspondents contributor contributors
    columnist columnists journalist journalists staff analyst analysts producer producers photographer
    photographers critic critics director manager founder cofounder co-founder ceo cto cfo president
    chief senior junior associate assistant deputy executive managing contributing special national
    international political business science sports technology autos health lead principal head officer
    fellow professor lecturer researcher scientist expert specialist consultant coordinator intern
    editor-at-large at-large team desk bureau newsroom agency press wire service services news media
    times post journal magazine daily weekly herald tribune gazette today network radio television tv
    group inc llc ltd corp company university institute college school association foundation council
    writer-at-large columnist-at-large host anchor presenter
    """.split()
)
# Nouns of a job, as opposed to a desk ("News Desk", "Podium Staff" sign as a byline; "Senior Autos
# Reporter" alone is nobody's name).
_JOB_NOUNS = frozenset(
    """
    writer reporter editor correspondent contributor columnist journalist analyst producer photographer
    critic director manager founder cofounder co-founder ceo cto cfo president officer professor lecturer
    researcher scientist expert specialist consultant coordinator intern editor-at-large writer-at-large
    columnist-at-large host anchor presenter
    """.split()
)
# Jobs written after a name without a comma ("Rachel MacDonald Writer"); "Luxury Travel Expert" is a name.
_NEWSROOM_JOBS = frozenset("writer reporter editor correspondent contributor columnist journalist producer".split())
_WEEKDAYS_AND_MONTHS = frozenset(
    """
    mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat saturday sun sunday
    jan january feb february mar march apr april may june july aug august sep sept september oct october
    nov november dec december today yesterday
    """.split()
)
# Agencies and credentials written as capitals or short tokens, recognised alone after a comma.
_AGENCIES = frozenset({"ap", "afp", "reuters", "upi", "dpa", "efe", "ansa", "pa", "cnn", "bbc", "ians", "pti", "tass"})
_CREDENTIAL = re.compile(
    r"^(?:ph\.?\s?d\.?|m\.?d\.?|[A-Z][A-Za-z]?\.?[A-Z]{1,4}\.?|[A-Z]{2,6}(?:[-\s]?[A-Z0-9]{1,5})*)$"
)
_NOT_NAMES = frozenset(
    {"by", "and", "the", "admin", "administrator", "anonymous", "unknown", "guest", "author", "authors"}
)
# A word that ends a sentence inside a piece: three letters or more and a dot, not a title ("Mrs.", "Jr.").
_SENTENCE_END = re.compile(r"^(?!(?:mrs|jr|sr|dr|prof|rev|hon|st|esq)\.$)\w*[a-z]{3}\.$", re.IGNORECASE)
_MAX_NAME_WORDS = 6
# Words of a CMS account's name: whoever posts as "NOC Admin" or "Webmaster" is nobody readers know.
_ACCOUNT_WORDS = frozenset({"admin", "administrator", "webmaster", "sysadmin"})
_INSTITUTION_WORDS = frozenset(
    """
    university college school institute department faculty association foundation council society
    hospital clinic museum library church company inc llc ltd corp
    """.split()
)
_ORGANISATION_WORDS = frozenset(
    """
    trust lab labs studio studios society club clinic hospital center centre church museum library bank
    partners capital solutions systems software labs blog magazine review project foundation collective
    awards award int international world global online digital academy shop store market hub road street
    """.split()
)
# Jobs that are no newsroom's, written on an author's card under the name.
_MORE_JOBS = frozenset(
    """
    engineer developer designer architect marketer strategist attorney lawyer physician doctor nurse dietitian
    nutritionist therapist coach trainer instructor teacher winemaker chef pharmacist veterinarian
    """.split()
)
_MAX_JOB_LINE_WORDS = 10
_OTHER_CREDIT_BEFORE = re.compile(
    r"\b(?:reviewed|edited|checked|illustrated|translated|verified|photos?|photographs?)\s+by\s*:?\s*$", re.IGNORECASE
)
_MAX_NAME_CHARS = 80
# Lower-case words a name may start with ("van der Berg", "de la Cruz", "bin Talal").
_NAME_PARTICLES = frozenset(
    "van von der den de del della dei di da du dos das do la le les al el bin ibn ben ter ten zu af av y e".split()
)
_ARTICLES = frozenset({"the", "a", "an"})


def byline_names(text: str) -> list[str]:
    """Return the people named in a byline or author value, in order, without roles, agencies and contacts."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        return []
    text = _NOT_WRITERS.sub("", _URL.sub(" ", _EMAIL.sub(" ", text)))
    names: list[str] = []
    for chunk in _CUT.split(text):
        # ", USA TODAY": the name before the comma is missing, what is left is an affiliation
        after_comma = chunk.lstrip().startswith(",")
        chunk = chunk.strip(" ,;:")
        if not chunk:
            continue
        led = _LEAD_IN.sub("", _GLUED_LEAD_IN.sub("", chunk)).strip(" ,;:")
        led = _LEAD_IN.sub("", led).strip(" ,;:")  # "By: Written by …" repeats it
        if led != chunk and "running_text" not in DISABLED and opens_a_clause(led):
            return []  # "By the way, …": the text is prose, and its capitalised words ("Privacy Policy") no names
        chunk = led
        chunk = _PARENTHESES.sub(" ", _HANDLE.sub(" ", chunk)).strip(" ,;:")
        chunk = _before_role_segment(chunk, after_comma)
        pieces = [piece.strip(" .,;:'\"") for piece in _LIST.split(chunk)]
        for index, piece in enumerate(pieces):
            if not piece:
                continue
            # a role or agency after a comma belongs to the name before it: drop it and what follows
            if (index > 0 or after_comma) and (_is_role(piece) or (names and piece.islower() and len(piece) > 3)):
                # the rest is the affiliation ("…, Sr. Director of Operations, Atlas Van Lines",
                # "Vanessa Mendez, MD, gastroenterologist, Parkview Health")
                break
            piece = _without_job_title(piece)
            if not is_name(piece):
                continue
            names.append(_title_case(piece) if _capitals_only(piece) else piece)
        if names:
            break  # the first chunk that names someone is the byline; the rest is a date or a caption
    return names


def opens_a_clause(text: str) -> bool:
    """Say whether the words after a lead-in ("By …") open a clause rather than name someone.

    "following the tips below", "clicking “Submit,” you agree …", "the way, …": a lower-case word
    (not a particle of a name, "van der Berg") followed by another word, or an article followed by a
    lower-case word. "the Associated Press" and a lone handle ("jdoe") name someone.
    """
    words = text.split()
    if len(words) < 2 or not words[0][:1].islower() or words[0] in _NAME_PARTICLES:
        return False
    return words[0] not in _ARTICLES or words[1][:1].islower()


def is_name_particle(word: str) -> bool:
    """Say whether a lower-case word is a particle of a name ("van", "de", "bin"), as opposed to a word of a phrase."""
    return word in _NAME_PARTICLES


def credits_someone_else(text_before: str) -> bool:
    """Say whether the text just before a name gives it another credit than the writing ("Reviewed by")."""
    return bool(_OTHER_CREDIT_BEFORE.search(text_before))


def is_job_line(line: str) -> bool:
    """Say whether a short line is someone's job ("Tech Writer", "Staff Software Engineer, MongoDB")."""
    words = [word.casefold().strip(".,;:()") for word in line.split()]
    return 0 < len(words) <= _MAX_JOB_LINE_WORDS and any(word in _JOB_NOUNS or word in _MORE_JOBS for word in words)


def organisation_name(text: str) -> str | None:
    """Return an organisation's name as one author ("Morgan & Morgan", "Contributors to Wikimedia projects").

    None for what names nobody: an agency (a wire is no author), a lead-in, an address, a long text.
    """
    name = _PARENTHESES.sub(" ", unicodedata.normalize("NFC", text or "")).strip(" ,;:")
    if not name or len(name) > _MAX_NAME_CHARS or "\n" in name or _EMAIL.search(name) or _URL.search(name):
        return None
    if not any(ch.isalpha() for ch in name) or name.casefold() in _AGENCIES | _NOT_NAMES:
        return None
    return name


def names_an_institution(name: str) -> bool:
    """Say whether a name is an institution's or a part of one ("College of Social Sciences"), not a desk's."""
    return any(word.casefold().strip(".,") in _INSTITUTION_WORDS for word in name.split())


def names_an_organisation(name: str) -> bool:
    """Say whether a name holds a word of an organisation, a desk or a medium ("Clemson News", "Heart Trust")."""
    return any(word.casefold().strip(".,") in _ROLE_WORDS | _ORGANISATION_WORDS for word in name.split())


def is_name(piece: str) -> bool:
    """Say whether a piece of a byline can be a person's (or a desk's) name."""
    words = piece.split()
    if not words or len(words) > _MAX_NAME_WORDS or len(piece) > _MAX_NAME_CHARS:
        return False
    if _DIGIT.search(piece) or not any(ch.isalpha() for ch in piece) or _NOT_NAME_CHAR.search(piece):
        return False
    lowered = piece.casefold()
    if lowered in _NOT_NAMES or lowered in _AGENCIES or lowered in _WEEKDAYS_AND_MONTHS:
        return False
    if "by" in words[:-1] or words[-1].casefold() in ("by", "from"):  # "Articles by Juliette", "Written by"
        return False
    if _CREDENTIAL.match(piece) and len(words) == 1:
        return False
    if "account_names" not in DISABLED and any(word.casefold().strip(".") in _ACCOUNT_WORDS for word in words):
        return False  # "NOC Admin": the account that posted the piece
    if "." in piece and len(words) == 1 and piece.islower():  # a template's placeholder: page.head.author
        return False
    if any(_SENTENCE_END.match(word) for word in words[:-1]):  # "Lydia Marie Child. See"
        return False
    if lowered.startswith("about the "):  # a heading: "About the author"
        return False
    folded = [word.casefold().strip(".") for word in words]
    # "Senior Autos Reporter" is a job title; "News Desk" and "Podium Staff" are desks that sign
    return not (all(word in _ROLE_WORDS for word in folded) and any(word in _JOB_NOUNS for word in folded))


def _without_job_title(piece: str) -> str:
    """Return a name without the job title written after it with no comma ("Rachel MacDonald Writer")."""
    words = piece.split()
    if len(words) >= 3 and words[-1].casefold().strip(".") in _NEWSROOM_JOBS:
        head = [word for word in words[:2] if word.casefold() not in _ROLE_WORDS]
        if len(head) == 2:
            return " ".join(head)
    return piece


def _before_role_segment(chunk: str, after_comma: bool) -> str:
    """Return a byline up to the comma-separated segment that ends with a role ("Home and Digital Security Expert").

    "Brett Cruz, Privacy and Digital Security Expert": the "and" joins two fields of one job, not two people.
    """
    segments = _COMMA.split(chunk)
    for index, segment in enumerate(segments):
        last = _LIST.split(segment)[-1].strip(" .,;:'\"")
        if (index > 0 or after_comma) and last and _is_role(last):
            return ", ".join(segments[:index])
    return chunk


def _is_role(piece: str) -> bool:
    """Say whether a piece after a comma is a role or an organisation ("Senior Autos Reporter", "The Hill")."""
    words = [word.casefold().strip(".") for word in piece.split()]
    if words[0] == "the" or any(word in _ROLE_WORDS for word in words):
        return True
    # "Posted by Andrew Hayden, Software Engineer on Google Play": the jobs of authors' cards are roles here too
    if "jobs_after_a_comma" not in DISABLED and any(word in _MORE_JOBS for word in words):
        return True
    return any(word in _AGENCIES for word in words)


def _capitals_only(name: str) -> bool:
    """Say whether a name is written in capitals only ("ROBERT BURNS"), so it needs title case."""
    letters = [ch for ch in name if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def _title_case(name: str) -> str:
    """Return a capitals-only name in title case, keeping "Mc", "O'" and hyphens right."""
    words = []
    for word in name.split():
        if not word.isupper():
            words.append(word)
            continue
        cased = "-".join(part[:1] + part[1:].lower() for part in word.split("-"))
        cased = re.sub(r"^(Mc|O')(\w)", lambda m: m[1] + m[2].upper(), cased)
        words.append(cased)
    return " ".join(words)
