"""Weighing what the page's sources say against each other, field by field.

:func:`feedsvc.metadata.page.extract_metadata` reads each source (JSON-LD, the meta tags of
:mod:`feedsvc.metadata.meta_tags`, the visible markup of :mod:`feedsvc.metadata.markup`) and hands them
here where they must be weighed rather than taken in order: the title, the dates, the authors, the
canonical URL and the picture. Each decision leaves the decided value in the source it came from and
nothing of that field in the sources before it, so ``origins`` stay true; where the page's visible
lines settle a question (the date shown under the title, the "By …" line), they are read through
:mod:`feedsvc.metadata.visible`. The contract, field by field, is the docstring of
:mod:`feedsvc.metadata.page`.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Set
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import lxml.html

from feedsvc.metadata import visible
from feedsvc.metadata.bylines import names_an_organisation
from feedsvc.metadata.dates import day_first, json_text_date, url_date
from feedsvc.metadata.images import first_real
from feedsvc.metadata.markup import headline_parts, logo_names, markup_date, texts
from feedsvc.metadata.shown_dates import shown_update
from feedsvc.metadata.summaries import summary_of, without_opening
from feedsvc.metadata.titles import choose_title, site_key
from feedsvc.metadata.xpaths import MARKED_PUBLISHED, PUBLISHED_XPATHS, SUBHEAD_XPATHS, VISIBLE_HEADLINE_XPATHS
from feedsvc.model import PageMetadata
from feedsvc.text import one_line, plain

__all__ = [
    "SOURCES",
    "agree_on_authors",
    "decide_authors",
    "decide_canonical",
    "decide_dates",
    "decide_image",
    "decide_summary",
    "decide_title",
    "read_text_near_title",
    "shown_by_line",
    "shown_byline",
]

# The sources, best first: the order extract_metadata returns them in, and their precedence.
SOURCES = ("json-ld", "opengraph", "markup")
# A date shown to the reader and the machine's one day apart agree: one day of difference is a time zone's.
_SHOWN_DATE_SLACK = timedelta(days=1)
# visible.lines_to_title of one page: (title, after) -> (lines, the title's index); its callers only read the lines
_LinesToTitle = Callable[[str | None, int], tuple[list[str], int]]


def _move(sources: dict[str, PageMetadata], field: str, winner: str | None, value: Any) -> None:
    """Leave ``value`` of ``field`` in source ``winner`` and nothing in the sources before it."""
    empty: Any = () if field in ("authors", "tags") else None
    for name in SOURCES:
        if name == winner:
            sources[name] = dataclasses.replace(sources[name], **{field: value})
            return
        sources[name] = dataclasses.replace(sources[name], **{field: empty})


def decide_title(
    sources: dict[str, PageMetadata],
    root: lxml.html.HtmlElement,
    meta: dict[str, list[str]],
    site_names: list[str],
    shown: Set[str] = frozenset(),
) -> None:
    """Choose the title among the page's headlines and meta values (:func:`~feedsvc.metadata.titles.choose_title`).

    ``meta``: the page's meta values (:func:`~feedsvc.metadata.meta_tags.meta_values`); ``site_names``:
    what the site is called, which a title does not keep; ``shown``: the markup-looking texts the page
    shows as text, which the meta values keep as the headlines do. The chosen title is left in the
    source that says it: the visible headline (markup) unless only a meta value does.
    """
    headlines = list(dict.fromkeys(texts(root, VISIBLE_HEADLINE_XPATHS)))
    # a headline may stand alone against the meta values only where the page marks it as the article's:
    # itemprop="headline", an <h1> in <article>/<main>, or the page's only <h1>
    marked = list(texts(root, VISIBLE_HEADLINE_XPATHS[:2]))
    all_h1 = root.xpath("//h1")
    trusted = marked or ([one_line(all_h1[0].text_content())] if len(all_h1) == 1 else [])
    titles = [one_line(element.text_content()) for element in root.iter("title")][:1]
    metas = [
        value
        for value in (sources["json-ld"].title, *(plain(v, shown) for v in meta.get("og:title", ())[:1]),
                      *(plain(v, shown) for v in meta.get("twitter:title", ())[:1]),
                      *(plain(v, shown) for key in ("dc.title", "dcterms.title") for v in meta.get(key, ())[:1]),
                      *titles)
        if value
    ]  # fmt: skip
    subheads = list(texts(root, SUBHEAD_XPATHS))
    # the lines of a headline that breaks into several come last: one of them may be what a meta value names
    parts = [part for part in headline_parts(root) if part not in headlines]
    chosen = choose_title([*headlines, *parts], metas, [*site_names, *logo_names(root)], trusted, subheads)
    if chosen is None:
        return
    # its origin: the headline (markup) unless only a meta value says it
    if any(chosen == one_line(h) or chosen in one_line(h) for h in headlines):
        winner = "markup"
    elif sources["json-ld"].title and chosen in sources["json-ld"].title:
        winner = "json-ld"
    elif sources["opengraph"].title and chosen in sources["opengraph"].title:
        winner = "opengraph"
    else:
        winner = "markup"
    _move(sources, "title", winner, chosen)


def decide_summary(
    sources: dict[str, PageMetadata],
    site_names: list[str],
    meta_summaries: Iterable[str] = (),
    byline_lines: Callable[[], Iterable[str]] = tuple,
) -> None:
    """Keep each source's description only where it is a summary (:func:`~feedsvc.metadata.summaries.summary_of`).

    Run after :func:`decide_title`: a description repeating the decided title is none. One that is
    none says nothing, so the next source's, else the article's opening paragraph, is the summary.
    ``meta_summaries``: every description the meta tags give, in their order
    (:func:`~feedsvc.metadata.meta_tags.meta_summaries`): where the first (``og:description``) is
    none, the meta source says the next that is one (``description``, ``twitter:description``).
    ``byline_lines``: the byline lines the page shows (:func:`~feedsvc.metadata.visible.byline_lines`), read
    only for a description that opens like one: such an opening is no part of the summary.
    """
    title = next((sources[name].title for name in SOURCES if sources[name].title), None)
    for name in SOURCES:
        summary = sources[name].summary
        if not summary:
            continue
        kept = summary_of(summary, title, site_names)
        if kept is None and name == "opengraph":
            kept = next(filter(None, (summary_of(text, title, site_names) for text in meta_summaries)), None)
        if kept and visible.BYLINE_LINE.match(kept):
            kept = without_opening(kept, byline_lines())
        sources[name] = dataclasses.replace(sources[name], summary=kept)


def read_text_near_title(
    sources: dict[str, PageMetadata],
    root: lxml.html.HtmlElement,
    near_title: _LinesToTitle,
    timezone: ZoneInfo,
    url: str | None,
) -> None:
    """Date and sign a page from the lines around its title.

    An undated page takes the date line nearest the title, else (when its URL names no day, which
    then dates it) a line that is only a date anywhere; an unsigned one, the byline. A dated
    page whose date line just under the title shows an earlier day than its machine-readable date
    was published that day: the reader sees it, while a JSON-LD or meta date equal to a rebuild or
    a re-publication of the page is common (a later day shown is its update, left to the sources).
    So was a dated page whose markup marks (``<time pubdate>``, ``itemprop="datePublished"``) an
    earlier publication, wherever it stands. Where the sources disagree on the publication, the
    day shown under the title (not as an update or a reprint) settles it: the source that says it
    wins, unless its date is some source's update too.
    """
    undated = all(sources[name].published is None for name in SOURCES)
    unsigned = all(not sources[name].authors for name in SOURCES)
    title = next((sources[name].title for name in SOURCES if sources[name].title), None)
    if undated or unsigned:
        lines = visible.lines(root)
        at = visible.title_line(lines, title)
    else:
        # only the lines down to just under the title are needed: reading the rest would cost
        # a pass over the whole page for every dated, signed one
        lines, at = near_title(title, visible.SHOWN_AFTER_TITLE)
    language = next((sources[name].language for name in SOURCES if sources[name].language), "")
    numeric_day_first = day_first(language or "")
    markup = sources["markup"]
    if undated:
        shown = visible.dateline(lines, at, timezone, numeric_day_first)
        if shown is None and _url_day(sources, timezone, url) is None:
            # far from the title a date line is as often a related article's as the page's own
            shown = (
                _json_text_date(root, timezone)
                or visible.date_only_line(lines, timezone, numeric_day_first)
                or visible.labelled_month_line(lines, timezone)
            )
        markup = dataclasses.replace(markup, published=shown)
    if unsigned:
        markup = dataclasses.replace(markup, authors=visible.visible_byline(lines, at))
    if all(sources[name].updated is None for name in SOURCES):
        # the update the reader sees by the title ("Updated: …"), where no source gives one (where one
        # does, it is the day shown; its time is more precise); decide_dates keeps it only at or
        # after the publication
        markup = dataclasses.replace(markup, updated=shown_update(lines, at, timezone, numeric_day_first))
    sources["markup"] = markup
    if not undated and at >= 0:
        machine = next(sources[name].published for name in SOURCES if sources[name].published is not None)
        shown = visible.shown_date(lines, at, timezone, numeric_day_first)
        if shown is not None and machine is not None and shown.date() < machine.date() - _SHOWN_DATE_SLACK:
            _move(sources, "published", "markup", shown)
            return
        if shown is not None and machine is not None and abs(machine.date() - shown.date()) > _SHOWN_DATE_SLACK:
            agreeing = _agreeing_publication(sources, shown)
            if agreeing is not None:
                _move(sources, "published", agreeing, sources[agreeing].published)
    if not undated:
        machine = next(sources[name].published for name in SOURCES if sources[name].published is not None)
        # the page's markup marks its publication (itemprop="datePublished", <time pubdate>) earlier than
        # the JSON-LD or meta date says: those were re-stamped
        marked = markup_date(root, PUBLISHED_XPATHS[:MARKED_PUBLISHED], timezone)
        if marked is not None and machine is not None and marked.date() < machine.date() - _SHOWN_DATE_SLACK:
            _move(sources, "published", "markup", marked)


def _json_text_date(root: lxml.html.HtmlElement, timezone: ZoneInfo) -> datetime | None:
    """Return the ``"datePublished"`` a script or a meta value of the page holds as JSON text, if only one day."""
    texts = [script.text or "" for script in root.iter("script")]
    texts += [content for content in root.xpath("//meta/@content") if "datePublished" in content]
    return json_text_date((text for text in texts if "datePublished" in text), timezone)


def _agreeing_publication(sources: dict[str, PageMetadata], shown: datetime) -> str | None:
    """Return the source whose publication is the day the page shows under its title, or None.

    The sources disagree on the publication: the one the reader's date agrees with wins. A
    publication that is some source's update too (a ``<time>`` stamped at the last edit) agrees
    with a shown update, not with a publication.
    """
    updates = [found.updated.date() for found in sources.values() if found.updated is not None]
    for name in SOURCES:
        moment = sources[name].published
        if moment is None or abs(moment.date() - shown.date()) > _SHOWN_DATE_SLACK:
            continue
        if not any(abs(moment.date() - update) <= _SHOWN_DATE_SLACK for update in updates):
            return name
    return None


def decide_authors(
    sources: dict[str, PageMetadata],
    root: lxml.html.HtmlElement,
    not_people: Iterable[str],
    organisations: Iterable[str],
) -> None:
    """Prefer people to the site itself or an organisation (``not_people``: their names).

    An author that is only the site's name or an organisation yields to a person another source
    names, else to a person the page shows by its title ("GlossGenius" in JSON-LD, "Shauna Mitchell"
    under the headline); with nobody else, the organisation stays.
    """
    keys = {site_key(name) for name in not_people} - {""}
    typed = set(organisations)
    signed = [name for name in SOURCES if sources[name].authors]
    if not signed:
        return

    def nobody(authors: Iterable[str]) -> bool:
        return all(site_key(author) in keys for author in authors)

    def names_nobody(names: list[str]) -> bool:
        return bool(names) and nobody(names)

    def personal_site(authors: tuple[str, ...]) -> bool:
        # a site named after a person ("Derek Seaman" at derekseaman.com) is signed by that person
        return visible.look_like_names(list(authors)) and not any(
            a in typed or names_an_organisation(a) for a in authors
        )

    if not nobody(sources[signed[0]].authors):
        return
    person = next((name for name in signed[1:] if not nobody(sources[name].authors)), None)
    if person is None:
        title = next((sources[name].title for name in SOURCES if sources[name].title), None)
        # the site's own byline shown ("byClemson News") is passed over for the person's under it
        lines = [
            line for line in visible.lines(root)
            if not (len(line) <= visible.BYLINE_LINE_CHARS and visible.BYLINE_LINE.match(line) and names_nobody(visible.line_names(line)))
        ]  # fmt: skip
        at = visible.title_line(lines, title)
        # a site named like a person ("One Tree Planted") yields only to the byline by the title
        if personal_site(sources[signed[0]].authors):
            shown = visible.by_line_by_title(lines, at)
        else:
            shown = visible.visible_byline(lines, at)
        # people, written as names ("a mystery man" is a comment's, "using HomeAdvisor" a sentence's)
        if not visible.look_like_names(list(shown)) or nobody(shown):
            return
        sources["markup"] = dataclasses.replace(sources["markup"], authors=shown)
        person = "markup"
    if person is not None:
        _move(sources, "authors", person, sources[person].authors)


def agree_on_authors(
    sources: dict[str, PageMetadata],
    said: dict[str, tuple[str, ...]],
    shown: Callable[[], tuple[str, ...]],
    not_people: Iterable[str],
    shown_by_line: Callable[[], tuple[str, ...]],
) -> None:
    """Let what each source says on its own vote on the decided authors.

    ``said``: the names each source gives before the decisions across sources; ``shown``: the
    byline the reader sees by the title (read only where it can change the outcome: another source
    disagrees, or a name is shortened). Where the decided names are said by
    one source at most and two or more agree on other names, those win (a JSON-LD person
    against the "Everfit Team" of a byline marked up as the author and shown by the headline:
    often one element, both what the page marks and what the reader sees; a meta list of three
    against the one name of the byline): unless they name only the site or an organisation,
    which yield to a person (:func:`decide_authors`). Then a "By …" line just under the title
    or just over it (``shown_by_line``, read on every page: it costs the lines down to the title only) that names
    people none of the decided names is what the reader reads as the byline, and wins: JSON-LD and
    meta tags often name the CMS account that posted the piece ("KatieS", an editor). Then a name
    shortened to an initial ("Scott P") is written in full where a source says it so ("Scott Pletcher").
    """
    winner = next((name for name in SOURCES if sources[name].authors), None)
    if winner is None:
        return
    decided = sources[winner].authors
    keys = {site_key(name) for name in not_people} - {""}
    by_line = shown_by_line()
    if not (visible.look_like_names(list(by_line)) and not all(site_key(name) in keys for name in by_line)):
        by_line = ()
    disputed = any(names and _names_key(names) != _names_key(decided) for names in said.values())
    if not disputed and not by_line and not any(visible.INITIAL.match(name.split()[-1]) for name in decided):
        return
    said = {**said, "shown": shown()}
    votes = Counter(_names_key(names) for names in said.values() if names)
    ranked = votes.most_common(2)
    if votes[_names_key(decided)] <= 1 and ranked:
        best, count = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0
        if count >= 2 and runner_up < count and not all(name in keys for name in best):
            voter = next(name for name, names in said.items() if names and _names_key(names) == best)
            winner = "markup" if voter == "shown" else voter
            decided = said[voter]
            _move(sources, "authors", winner, decided)
    # the "By …" line just under the headline is what the reader reads as the byline: a CMS account's name
    # in JSON-LD or meta tags ("KatieS", the editor who posted it) yields to it
    if by_line and _names_key(by_line).isdisjoint(_names_key(decided)):
        winner, decided = "markup", by_line
        _move(sources, "authors", winner, decided)
    full = _in_full(decided, [name for names in said.values() for name in names])
    if full != decided:
        sources[winner] = dataclasses.replace(sources[winner], authors=full)


def shown_by_line(near_title: _LinesToTitle, title: str | None) -> tuple[str, ...]:
    """Return the names of the "By …" line nearest the title: a few lines under it, or just over it.

    At the same distance the line under the title is read first. ``near_title``: the page's
    :func:`~feedsvc.metadata.visible.lines_to_title`.
    """
    lines, at = near_title(title, visible.SHOWN_AFTER_TITLE)
    if at < 0:
        return ()
    for distance in range(1, visible.SHOWN_AFTER_TITLE + 1):
        under = visible.by_line_by_title(lines[: at + 1 + distance], at)
        if under:
            return under
        over = lines[at - distance] if distance <= visible.SHOWN_BEFORE_TITLE and at - distance >= 0 else ""
        if len(over) <= visible.BYLINE_LINE_CHARS and visible.BYLINE_LINE.match(over):
            names = visible.line_names(over)
            if names:
                return tuple(names)
    return ()


def shown_byline(root: lxml.html.HtmlElement, title: str | None) -> tuple[str, ...]:
    """Return the names of the byline the page shows by its headline (the line equal to the title)."""
    lines = visible.lines(root)
    at = visible.headline_line(lines, title)
    return visible.byline_by_title(lines, at) if at >= 0 else ()


def _names_key(names: Iterable[str]) -> frozenset[str]:
    """Return names as compared across sources: letters and digits only, case-folded."""
    return frozenset(site_key(name) for name in names)


def _in_full(names: tuple[str, ...], others: list[str]) -> tuple[str, ...]:
    """Return ``names`` with a name shortened to an initial ("Scott P") as ``others`` write it in full."""
    written = []
    for name in names:
        *head, last = name.split()
        if head and visible.INITIAL.match(last):
            start = " ".join(head) + " " + last.rstrip(".")
            name = next(
                (other for other in others if other.startswith(start) and len(other.split()) == len(head) + 1
                 and visible.NAME_WORD.match(other.split()[-1]) and len(other.split()[-1]) > 2),
                name,
            )  # fmt: skip
        written.append(name)
    return tuple(written)


def _url_day(sources: dict[str, PageMetadata], timezone: ZoneInfo, url: str | None) -> datetime | None:
    """Return the day the page's URL names in its path: its canonical URL's, else the one it was fetched from."""
    canonical = next((sources[name].canonical_url for name in SOURCES if sources[name].canonical_url), None)
    return next(filter(None, (url_date(address, timezone) for address in (canonical, url) if address)), None)


def decide_dates(sources: dict[str, PageMetadata], timezone: ZoneInfo, url: str | None) -> None:
    """Decide the publication and the update: the first source's publication, and an update not before it.

    A page no source dates takes the day its URL names, else its first update. ``url``: where the
    page was fetched from, if known.
    """
    winner = next((name for name in SOURCES if sources[name].published is not None), None)
    if winner is None:
        day = _url_day(sources, timezone, url)
        if day is not None:
            sources["markup"] = dataclasses.replace(sources["markup"], published=day)
            winner = "markup"
    if winner is None:
        # Only an update dates the page: it was published then at the latest, nearer the truth
        # than the day it is first seen.
        winner = next((name for name in SOURCES if sources[name].updated is not None), None)
        if winner is None:
            return
        sources[winner] = dataclasses.replace(sources[winner], published=sources[winner].updated)
    published = sources[winner].published
    assert published is not None
    updates = [sources[name].updated for name in SOURCES]
    own = sources[winner].updated
    if own is not None and own >= published:
        updated: datetime | None = own
    else:
        # the sources disagree: the latest update that is not before the publication, or none
        later = [moment for moment in updates if moment is not None and moment >= published]
        updated = max(later) if later else None
    _move(sources, "published", winner, published)
    _move(sources, "updated", winner, updated)
    # the update is decided: a source after the winner must not fill in one earlier than the publication
    for name in SOURCES[SOURCES.index(winner) + 1 :]:
        sources[name] = dataclasses.replace(sources[name], updated=None)


def decide_canonical(sources: dict[str, PageMetadata]) -> None:
    """Decide the canonical URL: the meta tags' (``<link rel="canonical">``, ``og:url``) over JSON-LD's."""
    # <link rel="canonical"> (read with the meta tags) says what the page is; a JSON-LD url or @id
    # often names a node ("…#webpage") or an AMP twin
    if sources["opengraph"].canonical_url:
        _move(sources, "canonical_url", "opengraph", sources["opengraph"].canonical_url)


def decide_image(sources: dict[str, PageMetadata]) -> None:
    """Complete the JSON-LD picture with what the Open Graph tags say of the same one (its size, type, alt)."""
    ld, og = sources["json-ld"].image, sources["opengraph"].image
    if ld is not None and og is not None:
        chosen = first_real([ld, og])
        if chosen is not None and chosen.origin == "json-ld":
            sources["json-ld"] = dataclasses.replace(sources["json-ld"], image=chosen)
