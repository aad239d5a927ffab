"""What a page's visible text says, read as its reader sees it: line by line, around the title.

The page's text as lines (one a block, as shown), the title's line among them, and what the lines
near it say: the date line under (or over) the title, a line that is only a date anywhere, and the
byline ("By …" lines, a lead-in over the names, an "Author" label, a name beside the date, authors'
cards); with the test that names read from the text are written as people's names. Its rules
have their switches in :data:`RULES` (:data:`DISABLED` turns them off for tests and trials). Pure;
:mod:`feedsvc.metadata.decide` decides when these lines count against the other sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from itertools import zip_longest
from zoneinfo import ZoneInfo

import lxml.etree
import lxml.html

from feedsvc.metadata.bylines import (
    byline_names,
    is_job_line,
    is_name_particle,
    names_an_institution,
    names_an_organisation,
)
from feedsvc.metadata.dates import find_text_date, month_date, parse_date, strip_text_dates
from feedsvc.metadata.shown_dates import has_update_label, labelled_not_published, publication_part
from feedsvc.text import dedupe, one_line

__all__ = [
    "BLOCK_TAGS",
    "BYLINE_LINE",
    "BYLINE_LINE_CHARS",
    "DISABLED",
    "INITIAL",
    "INVISIBLE_TAGS",
    "NAME_WORD",
    "RULES",
    "SHOWN_AFTER_TITLE",
    "SHOWN_BEFORE_TITLE",
    "by_line_by_title",
    "byline_by_title",
    "byline_lines",
    "date_only_line",
    "dateline",
    "headline_line",
    "labelled_month_line",
    "line_names",
    "lines",
    "lines_to_title",
    "look_like_names",
    "shown_date",
    "title_line",
    "visible_byline",
]

# The rules that keep what is no name out of the bylines read from the page, each with its own switch
# (the byline parser's own are feedsvc.metadata.bylines.RULES).
RULES: dict[str, str] = {
    "name_particles_only": "the only lower-case words of a name written as one are its particles ('van', 'de'): "
    "'Advantages of Group Music Classes' by the date is a heading",
    "far_byline_from_the_title": "a byline far from the title is read from the title's line down (and the "
    "by-line's two lines over it): over it stand the site's header and menus ('By Event Type', 'By Modality')",
    "date_then_by": "a date line by the title that names the author after the date ('Posted on July 1, 2024 by "
    "infuy', 'Published March 3, 2024 by Jane Doe') is a byline, as 'September 1st, 2023 By Emily Norwood' is",
}
# Rules switched off; only tests and the benchmark's trials set this.
DISABLED: frozenset[str] = frozenset()
# How far from the headline a visible date may be, in lines of text.
_LINES_AFTER_HEADLINE, _LINES_BEFORE_HEADLINE, _DATELINE_CHARS = 25, 5, 150
# How many of the nearest lines a shown publication may be found in after a shown update.
_UPDATE_DEFERS = 10
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table td th title tr ul".split()
)
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_ISO_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
# The lines under and over the title where a date shown to the reader stands against the machine's.
SHOWN_AFTER_TITLE, SHOWN_BEFORE_TITLE = 5, 2
# A line that is only a date, with these words around it at most, dates the page wherever it is.
_DATE_ONLY_CHARS = 50
_DATE_WORDS = re.compile(r"\b(?:posted|published|updated|last|on|date|written|first|originally)\b", re.IGNORECASE)
# A visible byline line near the headline: "By Jane Doe", "Words: Jane Doe".
BYLINE_LINE = re.compile(
    r"^(?:(?:this|the)\s+(?:post|article|story|piece|guide|review)\s+(?:was|is|has\s+been)\s+)?"
    r"(?:(?:analysis|opinion|commentary|story|text|words|written|authored|reporting|posted)\s+)?by(?:\b|(?-i:(?=[A-Z])))"
    r"|^words\s*:",
    re.IGNORECASE,
)
# What a date line holds before its "by" once the date is taken out: "Posted on  by infuy".
_BEFORE_BY = re.compile(r"^(?:(?:first\s+|originally\s+)?(?:posted|published|written)\s+)?(?:on\s+)?(?=by\b)", re.I)
# A line that is only a lead-in ("By", "Written by:"): the names are on the next line.
_LEAD_IN_LINE = re.compile(
    r"^(?:(?:written|posted|story|words|text)\s+)?by\s*:?$|^(?:author|words|text)\s*:$", re.IGNORECASE
)
# A label line over the names, anywhere on the page ("Author" / "Lisa D. Ellis"); the names line must
# look like names, as the label is also a heading of lists and forms.
_AUTHOR_LABEL_LINE = re.compile(
    r"^(?:authors?|author\(s\)|(?:(?:(?:article|post|story|blog|guide)\s+)?(?:written|posted|authored)\s+)?by)\s*:?$",
    re.IGNORECASE,
)
# An avatar's initials between the label and the name ("Author" / "CP" / "Chengcheng Pei").
_INITIALS_LINE = re.compile(r"^[A-Z]{1,3}$")
_MAX_LABELLED_NAMES = 6
# How much of a line under a lead-in ("By") the names must make: the rest is "and", "&" and commas.
_NAMES_SHARE = 0.8
# Words of separate elements run together ("OrganizationOfficeOrganizingPapers"); "McDonald", "DeVito" are names.
_GLUED_WORDS = re.compile(r"[a-z]{3}[A-Z][a-z]")
# A date line that names the author after a separator: "Dec. 19, 2025 · Niko Matsakis", "… • Mahua Das in News"
_DATE_THEN_NAME = re.compile(r"^[\s,]*[·•|–—-]\s*(?P<names>[^·•|]+?)(?:\s+in(?:\s.*)?)?\s*$")
# What separates the parts of a line of facts under a title ("date · 3 min read · By Jane Doe").
_META_SEPARATOR = re.compile(r"\s*[·•|]\s*")
_NOT_FIRST_NAMES = frozenset(
    """
    the a an all home blog blogs news related more read share download copy print email follow subscribe
    search menu contact about tags topics category categories program latest popular recent top back next
    previous see view posts articles insights resources sign log
    """.split()
)
NAME_WORD = re.compile(r"^(?!.*['’](?:s|t|re|ll|ve|d|m)$)(?:[A-Z][\w'’.-]*|[a-z]{1,3}|[A-Z]\.)$")
# A surname shortened to its initial ("Scott P", "Scott P.")
INITIAL = re.compile(r"^[A-Z]\.?$")
# Far from the title, only a line that is nothing but a byline counts ("Written by Cassidy Horton"),
# or a longer one whose names are written as names ("Posted by Colin Watson on 2025-12-18 in debusine").
_FAR_BYLINE_CHARS = 60
_FAR_SENTENCE_BYLINE_CHARS = 160
# A line that is only a name next to the title, beside a date line ("Bence Kovács" / "02-12-2025"):
# how many lines before and after the title it may be, and how far from it the date.
_NAME_BEFORE_TITLE, _NAME_AFTER_TITLE, _NAME_TO_DATE = 2, 5, 2
_NAME_LINE_CHARS = 60
# "ByDaryl Austin": inline elements' text meets without a space
_BY_GLUED = re.compile(r"^by(?=[A-Z])")
BYLINE_LINE_CHARS = 120
# Only whether a line holds a date matters there, not when in which zone.
_ANY_ZONE = ZoneInfo("UTC")


def title_line(lines: list[str], title: str | None) -> int:
    """Return the index of the line that shows the title (-1: none does; the page's start stands for it)."""
    if not title:
        return -1
    key = title.casefold()
    return next((index for index, line in enumerate(lines) if _shows_title(line, key)), -1)


def headline_line(lines: list[str], title: str | None) -> int:
    """Return the index of the line that is the title, else of the first that shows it (-1: none does).

    A menu's or a teaser's line can be a part of the title ("Best GPS Running Watches" over the
    headline "Best GPS Running Watches of 2026"): the headline itself is the line equal to it.
    """
    key = title.casefold() if title else None
    exact = next((index for index, line in enumerate(lines) if line.casefold() == key), -1)
    return exact if exact >= 0 else title_line(lines, title)


def _shows_title(line: str, key: str) -> bool:
    """Whether a line shows the title whose case-folded text is ``key`` (or a long part of it)."""
    folded = line.casefold()
    return (
        folded == key
        or (len(folded) >= max(12, len(key) / 3) and folded in key)
        or (key in folded and len(folded) < 1.5 * len(key))
    )


def lines_to_title(root: lxml.html.HtmlElement, title: str | None, after: int) -> tuple[list[str], int]:
    """Return the page's lines down to ``after`` lines under the title's, and the title's index (-1: not found)."""
    key = title.casefold() if title else None
    lines: list[str] = []
    at = -1
    for line in _iter_lines(root):
        lines.append(line)
        if at < 0 and key is not None and _shows_title(line, key):
            at = len(lines) - 1
        if at >= 0 and len(lines) > at + after:
            break
    return lines, at


def lines(root: lxml.html.HtmlElement) -> list[str]:
    """Return the page's visible text as its non-empty lines, one per block."""
    return list(_iter_lines(root))


def byline_lines(root: lxml.html.HtmlElement) -> list[str]:
    """Return the page's visible lines that are bylines ("By Jane Doe", "Posted by Andrew Hayden, Engineer")."""
    return [line for line in _iter_lines(root) if len(line) <= BYLINE_LINE_CHARS and BYLINE_LINE.match(line)]


def _iter_lines(root: lxml.html.HtmlElement) -> Iterator[str]:
    """Yield the page's visible text as its non-empty lines, one per block, as the page is walked."""
    pending: list[str] = []
    for piece in _visible_text(root):
        if "\n" not in piece:
            pending.append(piece)
            continue
        head, *middle, tail = piece.split("\n")
        pending.append(head)
        for raw in ("".join(pending), *middle):
            # most pieces between block breaks are white space only: skip them before the costlier one_line
            line = one_line(raw) if raw and not raw.isspace() else ""
            if line:
                yield line
        pending = [tail]
    last = one_line("".join(pending))
    if last:
        yield last


def visible_byline(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names of a "By …" line among the lines just after line ``at`` (the title's), else farther."""
    return byline_by_title(lines, at) or _far_byline(lines, at)


def byline_by_title(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names the reader sees by the title: a "By …" line, a date line's name, a name beside a date."""
    by_line = by_line_by_title(lines, at)
    if by_line:
        return by_line
    near = lines[at + 1 : at + 1 + _LINES_AFTER_HEADLINE]
    for line in near:
        rest = strip_text_dates(line)
        match = _DATE_THEN_NAME.match(rest) if rest != line and len(line) <= BYLINE_LINE_CHARS else None
        if match:
            names = byline_names(match["names"])
            if look_like_names(names):
                return tuple(names)
        # the date line's "By …" part: "September 1st, 2023 By Emily Norwood", "March 15, 2022 · 3 min read · By X"
        parts = _META_SEPARATOR.split(rest) if rest != line and len(line) <= BYLINE_LINE_CHARS else []
        for part in (part.strip(" ,:–—-") for part in parts):
            if "date_then_by" not in DISABLED:
                part = _BEFORE_BY.sub("", part)  # "Posted on  by infuy": the date taken out of "Posted on … by"
            if BYLINE_LINE.match(part):
                names = line_names(part)
                if names:
                    return tuple(names)
    return _name_beside_date(lines, at)


def by_line_by_title(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the names of a "By …" line under the title (or of the line under a lone "By")."""
    near = lines[at + 1 : at + 1 + _LINES_AFTER_HEADLINE]
    for index, line in enumerate(near):
        named = None  # the line under a lead-in line ("Written By" / "Nora Field"): names, not a sentence
        if _LEAD_IN_LINE.match(line) and index + 1 < len(near):
            named = near[index + 1]
            line = f"By {named}"
        if len(line) <= BYLINE_LINE_CHARS and BYLINE_LINE.match(line):
            names = byline_names(_BY_GLUED.sub("By ", line))
            if names and (named is None or _names_make(named, names)):
                return tuple(names)
    return ()


def _far_byline(lines: list[str], at: int = -1) -> tuple[str, ...]:
    """Return the names under an "Author" label, or on a line that is a byline, anywhere from the title down.

    ``at``: the title's line (-1: not found, the whole page is read). Over the title, past the two lines
    a by-line may stand over it, the site's header and menus say "By Event Type", "By Modality".
    """
    if at >= 0 and "far_byline_from_the_title" not in DISABLED:
        lines = lines[max(at - SHOWN_BEFORE_TITLE, 0) :]
    for index, line in enumerate(lines[:-1]):
        if _AUTHOR_LABEL_LINE.match(line):
            labelled = _names_under_label(lines[index + 1 : index + 1 + 2 * _MAX_LABELLED_NAMES])
            if labelled:
                return labelled
    for line in lines:
        if len(line) <= _FAR_SENTENCE_BYLINE_CHARS and BYLINE_LINE.match(line):
            names = byline_names(_BY_GLUED.sub("By ", line))
            # the whole line is the byline (nothing but the lead-in and the names), or its names are
            # written as names ("Posted by Colin Watson on 2025-12-18 in debusine")
            whole = len(line) <= _FAR_BYLINE_CHARS and len(" ".join(names)) >= len(line) - len("written by ")
            if names and (whole or look_like_names(names)):
                return tuple(names)
    return ()


def _name_beside_date(lines: list[str], at: int) -> tuple[str, ...]:
    """Return the name on a line of its own just around the title, with a date on it or beside it.

    "Bence Kovács" / "02-12-2025" under the headline, "Dec 17, 2025Julian K. Arni" over it: a
    line written as a name and nothing else, next to the page's date, signs the article.
    """
    title = lines[at].casefold() if at >= 0 else None
    for index in range(max(at - _NAME_BEFORE_TITLE, 0), min(at + 1 + _NAME_AFTER_TITLE, len(lines))):
        line = lines[index]
        if index == at or len(line) > _NAME_LINE_CHARS or line.casefold() == title:
            continue
        rest = strip_text_dates(line).strip(" ,·•|–—-")
        names = byline_names(rest) if rest else []
        if len(names) > 1 and index > at and _names_line_by_date(lines, index, rest, names):
            return tuple(names)  # "Naftali Tishby, Fernando C. Pereira, William Bialek" / "24 Apr 2000"
        # a line alone by the date names a person; "College of Social Sciences" is the section's, "Digital
        # Photo Frame" in the headline "Digital Photo Frame App Makes …" its subject, "OrganizationOfficePapers"
        # glued tags
        if len(names) != 1 or not look_like_names(names) or names_an_institution(names[0]):
            continue
        if (title is not None and names[0].casefold() in title) or _GLUED_WORDS.search(names[0]):
            continue
        person, comma, affiliation = rest.partition(", ")
        if (
            index > at
            and comma
            and person == names[0]
            and (names_an_organisation(affiliation) or is_job_line(affiliation))
        ):
            return tuple(names)  # "Shelia R. Cotten, Clemson University" under the title
        if names[0] != rest:
            continue
        if rest != line.strip():
            return tuple(names)  # the date is on the line: "Dec 17, 2025Julian K. Arni"
        # over the title, a line of its own is a section or a menu item more often than a name
        near = range(max(index - _NAME_TO_DATE, 0), min(index + 1 + _NAME_TO_DATE, len(lines)))
        if index > at and any(j != index and _is_date_line(lines[j]) for j in near):
            return tuple(names)
        # authors' cards under the title: a name, then the job ("Juliette Carreiro" / "Tech Writer"), and the next
        if index > at and index + 1 < len(lines) and is_job_line(lines[index + 1]):
            return _author_cards(lines[index:])
    return ()


def _names_line_by_date(lines: list[str], index: int, line: str, names: list[str]) -> bool:
    """Whether line ``index`` is nothing but people's names (a list) and a line beside it is a date."""
    if not look_like_names(names) or not _names_make(line, names) or any(map(names_an_institution, names)):
        return False
    near = range(max(index - _NAME_TO_DATE, 0), min(index + 1 + _NAME_TO_DATE, len(lines)))
    return any(j != index and _is_date_line(lines[j]) for j in near)


def line_names(line: str) -> list[str]:
    """Return the names of a visible byline line ("By Jane Doe", "ByJane Doe")."""
    return byline_names(_BY_GLUED.sub("By ", line))


def _names_make(line: str, names: list[str]) -> bool:
    """Whether ``names`` make most of ``line`` ("Danica Kirka and Jill Lawless"), not a sentence's first words."""
    letters = sum(ch.isalpha() for ch in line)
    return sum(ch.isalpha() for name in names for ch in name) >= _NAMES_SHARE * letters


def _author_cards(lines: list[str]) -> tuple[str, ...]:
    """Return the names of the authors' cards ``lines`` start with: [initials,] a name line, its job line; again."""
    names: list[str] = []
    index = 0
    while index + 1 < len(lines) and len(names) < _MAX_LABELLED_NAMES:
        line = lines[index]
        if _INITIALS_LINE.match(line):
            index += 1
            continue
        found = byline_names(line) if len(line) <= _NAME_LINE_CHARS else []
        if len(found) != 1 or found[0] != line.strip() or not look_like_names(found):
            break
        if not is_job_line(lines[index + 1]):
            break
        names.append(found[0])
        index += 2
    return tuple(dedupe(names))


def _is_date_line(line: str) -> bool:
    """Whether a short line holds a date ("02-12-2025", "December 17, 2025", "2022-11-23T08:10+02:00")."""
    return len(line) <= _DATE_ONLY_CHARS and (
        # either order of "02-12-2025" makes it a date
        find_text_date(line, _ANY_ZONE, numeric_day_first=True) is not None or _iso_line(line, _ANY_ZONE) is not None
    )


def _names_under_label(following: list[str]) -> tuple[str, ...]:
    """Return the names on the lines under an "Author(s)" label, one a line, past avatar initials."""
    names: list[str] = []
    cards = False  # the names are cards: each name over its job line
    for index, line in enumerate(following):
        if _INITIALS_LINE.match(line):
            continue
        found = byline_names(line) if len(line) <= _FAR_BYLINE_CHARS else []
        job_next = index + 1 < len(following) and is_job_line(following[index + 1])
        if not look_like_names(found) or len(names) >= _MAX_LABELLED_NAMES or (cards and not job_next):
            # a name's job line ("Staff Software Engineer, MongoDB") stands between two names
            if names and not cards and is_job_line(line):
                cards = True
                continue
            if cards and is_job_line(line):
                continue
            break
        names.extend(found)
    return tuple(dedupe(names))


def look_like_names(names: list[str]) -> bool:
    """Whether every one of ``names`` is written as a person's name: two to five words, capitalised.

    A name does not start with a word of the page's furniture ("Related Content", "Download pdf",
    "Home Blog", "All Insights", "The Rector"), nor holds a contraction or a possessive ("It’s Blogvent",
    "Mike Woodward's thoughts"; "O'Brien" is a name), nor a lower-case word but a particle ("Vincent
    van Gogh"; "Advantages of Group Music Classes" is a heading).
    """
    return bool(names) and all(
        2 <= len(words := name.split()) <= 5
        and words[0][0].isupper()
        and words[0].casefold() not in _NOT_FIRST_NAMES
        and all(NAME_WORD.match(w) and (not w.islower() or _names_in_lower_case(w)) for w in words)
        for name in names
    )


def _names_in_lower_case(word: str) -> bool:
    """Whether a lower-case word can be part of a name: a particle ("van", "de"), not a heading's word ("of", "on")."""
    return "name_particles_only" in DISABLED or is_name_particle(word)


def shown_date(lines: list[str], at: int, timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the date of a short line just under (or over) the title that is not marked as an update."""
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    after = range(at + 1, min(at + 1 + SHOWN_AFTER_TITLE, len(lines)))
    before = range(at - 1, max(at - SHOWN_BEFORE_TITLE, 0) - 1, -1)
    for index in (*after, *before):
        line = lines[index]
        if len(line) > _DATE_ONLY_CHARS or (labelled_not_published(lines, index) and not has_update_label(line)):
            continue
        # "Published 3 Jan 2024 · Updated 5 Mar 2025": the publication's part of the line
        text = publication_part(line) if has_update_label(line) else line
        found = find(text) or _iso_line(text, timezone)
        if found is not None:
            return found
    return None


def dateline(lines: list[str], at: int, timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the first short line of visible text near line ``at`` (the title's) that holds a date.

    ``numeric_day_first``: how the page's language orders "3/4/2026" (None: it does not say).
    """
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    after = range(at + 1, min(at + 1 + _LINES_AFTER_HEADLINE, len(lines)))
    before = range(max(at, 0) - 1, max(at - _LINES_BEFORE_HEADLINE, 0) - 1, -1)
    # nearest first, the line under the title before the one over it at the same distance
    nearest = [index for pair in zip_longest(after, before) for index in pair if index is not None]
    update: datetime | None = None
    for rank, index in enumerate(nearest):
        line = lines[index]
        if update is not None and rank >= _UPDATE_DEFERS:
            break
        if len(line) <= _DATELINE_CHARS:
            found = find(line) or _iso_line(line, timezone)
            if found is not None and labelled_not_published(lines, index):
                # "Updated: …" dates the page only where no publication is shown near it
                published = find(publication_part(line))
                if published is not None:
                    return published
                update = update or found
            elif found is not None:
                return found
    return update


def date_only_line(lines: list[str], timezone: ZoneInfo, numeric_day_first: bool | None) -> datetime | None:
    """Return the date of the first line anywhere that is little more than a date, or None.

    "Posted on April 13, 2023", "December 17, 2025"; a longer line with a date in it is prose or a caption.
    """
    find = partial(find_text_date, timezone=timezone, numeric_day_first=numeric_day_first)
    for line in lines:
        if len(line) <= _DATE_ONLY_CHARS and not _DATE_WORDS.sub("", strip_text_dates(line)).strip(" ,.:|·•-–—"):
            found = find(line)
            if found is not None:
                return found
    return None


def labelled_month_line(lines: list[str], timezone: ZoneInfo) -> datetime | None:
    """Return the first day of the month a labelled line names and nothing more ("Last Updated: June 2022"), or None.

    Only with its label: a month and year alone is an archive's link ("June 2022") as often as a date.
    """
    for line in lines:
        if len(line) <= _DATE_ONLY_CHARS and _DATE_WORDS.search(line):
            found = month_date(line, timezone)
            if found is not None and not _DATE_WORDS.sub("", found[1]).strip(" ,.:|·•-–—"):
                return found[0]
    return None


def _iso_line(line: str, timezone: ZoneInfo) -> datetime | None:
    """Return the date of a line that is an ISO 8601 date and nothing else ("2022-11-23T08:10+02:00")."""
    text = line.strip(" ,.:|·•-–—")
    return parse_date(text, timezone) if _ISO_LINE.match(text) else None


def _visible_text(root: lxml.html.HtmlElement) -> Iterable[str]:
    """Yield the page's text in document order, with a newline around each block."""
    walker = lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):
            yield element.tail or ""
            continue
        # lxml.html gives str tags; the types allow bytes and QName too
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        block = "\n" if tag in BLOCK_TAGS else ""
        if event == "end":
            yield block + (element.tail or "")
        elif tag in INVISIBLE_TAGS:
            walker.skip_subtree()
        else:
            yield block + (element.text or "")
