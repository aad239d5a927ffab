"""Stage 3 of cleaning: boilerplate blocks inside the article, and its headline.

Works in place on the article element that stage 1 or 2 chose: donation
and membership appeals, "[Read more: ...]" promos, link lists, share and
tag lines (:func:`remove_boilerplate`); and the headline that the page
template prints anyway (:func:`page_title` reads the title it repeats
before any stage cuts the page, :func:`remove_headline` removes it). The
furniture at the article's two ends is the next pass,
``feedsvc.clean.edges``.

Pure; a stage of ``feedsvc.clean``: it imports only the leaves below it
(``dom``, ``policy``, the ``explain`` recorder), never another stage.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

from lxml.html import HtmlElement

from feedsvc.clean.dom import HEADING_TAGS, leaf_blocks, letters_and_digits, remove, text_chars, text_of
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    APPEAL_CUE_TABLE,
    APPEAL_CUES,
    APPEAL_FOLLOW_CUES,
    APPEAL_GIFT_CUES,
    APPEAL_MAX_CHARS,
    APPEAL_PRICE_CUES,
    APPEAL_STEMS,
    BOILERPLATE_LINE,
    CALL_TO_ACTION,
    LINK_DENSITY_MAX,
    LINKED_ITEM_TAGS,
    LINKED_ITEMS_MAX_DENSITY,
    PROMO_LABEL,
)

__all__ = [
    "DISABLED",
    "RULES",
    "appeal_cues",
    "appeal_phrases",
    "is_call_to_action",
    "is_linked_items",
    "is_linked_sentence",
    "is_prose_led_list",
    "link_chars",
    "page_title",
    "remove_appeals",
    "remove_boilerplate",
    "remove_furniture_lines",
    "remove_headline",
    "remove_link_lists",
    "remove_promos",
]

# Generic rules of this stage that bench/extraction.py --ablate can switch off one at a
# time (through DISABLED, a module global the benchmark alone sets), as those of chrome.
RULES: dict[str, str] = {
    "prose_paragraph": "a <p> that reads as a sentence is prose, not a link list, while under 80% of it is links",
    "title_line_leaves": "the title line is looked for among the article's innermost blocks (through <main>/<span> wrappers)",
    "prose_led_list": "a list of links a paragraph of prose leads into, with the article going on after it, is the article's",
    "linked_items": "a <li>, a list or a <p> that is no sentence, under 80% links, names the article's linked items, not a link list",
    "linked_headings": "a link or button holding a heading, right after an appeal, is the next section's heading, not its button",
    "price_with_ask": "a price ('as little as $10', '$5 a month') is an appeal cue only beside a cue that asks for something",
    "appeal_next_to_appeal": "a block with one appeal cue, too long to be an appeal alone, is one right before or after an appeal",
    "gift_asks": "asks for a gift to the site's own cause ('support this webcam', 'by making a gift to …', 'your gift helps') are appeal cues",
    "follow_asks": "asks to follow the writer or the site on social media ('follow me on Instagram', 'let's hang out on "
    "Instagram') or to 'sign up below' are appeal cues",
}
DISABLED: frozenset[str] = frozenset()

# Blocks that are judged whole: an appeal, promo or link list is one of these.
_JUDGED_TAGS = frozenset(
    "p div section aside li ul ol dl blockquote h2 h3 h4 h5 h6 table figure center details".split()
)
# A block with one appeal cue is an appeal only when it is this short.
_ONE_CUE_MAX_CHARS = 400
# A container whose other text is at most this share of it goes with the
# appeal it holds.
_CONTAINER_SLACK = 0.25
# After an appeal at the end of an article, at most this much text in lines
# of at most this length is taken for its sign-off.
_TRAILING_MAX_CHARS = 400
_TRAILING_LINE_MAX_CHARS = 160
# A block holding one of these is a container of blocks, judged by its leaves.
_INNER_BLOCK_TAGS = frozenset("p div section aside ul ol dl blockquote table figure h2 h3 h4 h5 h6".split())


def remove_boilerplate(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove appeals, promos, link lists and furniture lines from ``article``, in that order."""
    remove_appeals(article, rec)
    remove_promos(article, rec)
    remove_link_lists(article, rec)
    remove_furniture_lines(article, rec)


def _judged_blocks(article: HtmlElement) -> list[HtmlElement]:
    # lxml picks the tags in C: a Python test of every element costs more than the passes' own tests.
    return [el for el in article.iter(*_JUDGED_TAGS) if el is not article]


def _judged_leaves(article: HtmlElement) -> list[HtmlElement]:
    """The judged blocks without an inner block among their children, in page order.

    Read once per pass, before it cuts: a cut changes only the children of
    blocks before it in page order (its ancestors), never of those after it.
    """
    blocks = _judged_blocks(article)
    # The list keeps each block's proxy alive, so a parent found here is the same object as in it.
    holders = {el.getparent() for el in article.iter(*_INNER_BLOCK_TAGS)}
    return [el for el in blocks if el not in holders]


def _has_inner_block(el: HtmlElement) -> bool:
    return any(isinstance(c.tag, str) and c.tag in _INNER_BLOCK_TAGS for c in el)


def remove_appeals(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove donation, membership and newsletter appeals, with their heading and button.

    An appeal is a leaf block holding two appeal cues, or one cue when it
    is short; the container around it goes too when the appeal is most of
    its text, and so do a short heading just before it and call-to-action
    lines just after it.
    """
    # The leaves short enough to be one, and their texts (read for the passes after this one too).
    leaves: list[HtmlElement] = []
    texts: list[str] = []
    for el in _judged_leaves(article):
        text = text_of(el)
        if text and len(text) <= APPEAL_MAX_CHARS:
            leaves.append(el)
            texts.append(text)
    # The stems are looked for in all those texts at once, lower-cased and joined (a NUL between two,
    # which no stem holds), not leaf by leaf: most leaves hold none, and only those that hold one are
    # searched for cues, and then only for the stems the whole holds. Most articles hold a few.
    lows = [text.lower() for text in texts]
    low = "\x00".join(lows)
    starts = list(itertools.accumulate((len(text) + 1 for text in lows), initial=0))  # where each text is
    stems: list[str] = []
    holders: set[int] = set()
    for stem in APPEAL_STEMS:
        at = low.find(stem)
        if at >= 0:
            stems.append(stem)
        while at >= 0:
            index = bisect.bisect_right(starts, at) - 1
            holders.add(index)
            at = low.find(stem, starts[index + 1])  # the next leaf's text on: one hit a leaf is enough
    appeals: list[HtmlElement] = []
    longer: list[HtmlElement] = []  # one cue, too long to be an appeal alone
    found = tuple(stems)
    for index in sorted(holders):
        text = texts[index]
        cues = appeal_cues(text, found)
        if cues >= 2 or (cues == 1 and len(text) <= _ONE_CUE_MAX_CHARS):
            appeals.append(leaves[index])
        elif cues == 1:
            longer.append(leaves[index])
    if longer and appeals and "appeal_next_to_appeal" not in DISABLED:
        appeals.extend(_joined_appeals(appeals, longer))
    for el in appeals:
        if el.getparent() is None:
            continue
        target = _appeal_container(el, article)
        why = ""
        if rec is not None:
            why = "appeal (" + "; ".join(repr(p) for p in appeal_phrases(text_of(el))) + ")"
        _remove_neighbours(target, rec)
        _remove_trailing_lines(target, article, rec)
        remove(target, rec, "boilerplate", why)


def _joined_appeals(appeals: list[HtmlElement], longer: list[HtmlElement]) -> list[HtmlElement]:
    """Return the blocks of ``longer`` (one cue each) that stand right before or after an appeal, or one of these.

    An appeal written over two paragraphs ("… exclusive to our subscribers …", then "to help us keep bringing
    you …, click here") asks in both: the longer one is an appeal by its neighbour.
    """
    near = set(appeals)
    joined: list[HtmlElement] = []
    grew = True
    while grew:
        grew = False
        for el in longer:
            if el not in near and (el.getprevious() in near or el.getnext() in near):
                near.add(el)
                joined.append(el)
                grew = True
    return joined


def _appeal_container(el: HtmlElement, article: HtmlElement) -> HtmlElement:
    """Return the outermost ancestor of ``el`` that is still mostly the appeal."""
    target = el
    appeal_len = len(text_of(el))
    while True:
        parent = target.getparent()
        if parent is None or parent is article or parent.tag not in _JUDGED_TAGS:
            return target
        total = len(text_of(parent))
        if total > APPEAL_MAX_CHARS:
            return target
        other = total - appeal_len
        extra = sum(
            len(text_of(c))
            for c in parent
            if c is not target
            and isinstance(c.tag, str)
            and (c.tag in HEADING_TAGS or is_call_to_action(c) or appeal_cues(text_of(c)))
        )
        if other - extra > _CONTAINER_SLACK * total:
            return target
        target, appeal_len = parent, total


def _remove_neighbours(target: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove the short heading before an appeal and the calls to action around it."""
    prev = target.getprevious()
    while prev is not None and isinstance(prev.tag, str) and is_call_to_action(prev):
        doomed, prev = prev, prev.getprevious()
        remove(doomed, rec, "boilerplate", "call to action next to an appeal")
    if prev is not None and isinstance(prev.tag, str):
        text = text_of(prev)
        heading = prev.tag in HEADING_TAGS or (
            prev.tag == "p" and len(prev) == 1 and prev[0].tag in ("strong", "b") and text == text_of(prev[0])
        )
        if heading and 0 < len(text) <= 80:
            remove(prev, rec, "boilerplate", "heading of an appeal")
    nxt = target.getnext()
    while nxt is not None and isinstance(nxt.tag, str) and (is_call_to_action(nxt) or _is_short_button(nxt)):
        doomed, nxt = nxt, nxt.getnext()
        remove(doomed, rec, "boilerplate", "call to action next to an appeal")


def _is_short_button(el: HtmlElement) -> bool:
    """Return True if ``el`` is a link or button of 40 characters or less, as a "Sign up" after an appeal is.

    A link around a heading ("<a href=#what-is-it><h2>What is a smart home
    hub?</h2></a>", a section's own anchor) is the next section's heading.
    """
    if el.tag not in ("a", "button") or len(text_of(el)) > 40:
        return False
    return "linked_headings" in DISABLED or next(el.iter(*HEADING_TAGS), None) is None


def _remove_trailing_lines(target: HtmlElement, article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove what follows an appeal at the end of the article when it is only short lines.

    Appeals often close with a sign-off ("Thank you.", a name, a title) or
    a republishing note; none of it is the article.
    """
    following: list[HtmlElement] = []
    node: HtmlElement | None = target
    while node is not None and node is not article:
        following.extend(s for s in node.itersiblings() if isinstance(s.tag, str))
        node = node.getparent()
    texts = [text_of(s) for s in following]
    if not following or sum(len(t) for t in texts) > _TRAILING_MAX_CHARS:
        return
    if any(len(t) > _TRAILING_LINE_MAX_CHARS or _is_sentence(t) for t in texts):
        return
    for el in following:
        remove(el, rec, "boilerplate", "short lines after an appeal at the end (its sign-off)")


def _is_sentence(text: str) -> bool:
    """Return True if ``text`` reads as a sentence of prose rather than a line of furniture."""
    return len(text.split()) >= 8 and text.rstrip().endswith((".", "!", "?", '"', "”", "’"))


def remove_promos(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove "[Read more: ...]"-style promos of other stories."""
    for el in _judged_leaves(article):
        if el.getparent() is None:
            continue
        text = text_of(el)
        if not text or len(text) > 300:
            continue
        label = PROMO_LABEL.match(text.lstrip("[(").strip())
        bracketed = text.startswith("[") and text.endswith("]")
        if not label and not bracketed:
            continue  # most leaves: their links are not counted
        links = link_chars(el)
        squeezed = max(_squeezed_len(text), 1)
        if (label and (links / squeezed >= 0.3 or len(text) < 120)) or (bracketed and links / squeezed >= 0.5):
            why = (
                f"promo of another story ({label.group(0).strip(' :|-–—')!r} label)"
                if label
                else "promo of another story (a bracketed link)"
            )
            remove(el, rec, "boilerplate", why)


def remove_link_lists(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove blocks that are mostly links: related stories, tag clouds, share bars."""
    # What went with a list removed before it (page order: a list's blocks come right after it),
    # known by a set test rather than by climbing from every block that follows.
    gone: set[HtmlElement] = set()
    for el in _judged_blocks(article):
        if el.getparent() is None or el.tag in HEADING_TAGS:
            continue
        if el in gone:
            continue  # went with a list around it
        # Counting links is cheaper than reading the text: test it first.
        if el.tag not in ("ul", "ol") and _fewer_links_than_two(el):
            continue
        # The text's characters are counted, not read (most of these blocks are containers, and
        # few are mostly links): its words are read only for a block that is.
        squeezed = text_chars(el)
        if not squeezed:
            continue
        density = link_chars(el) / squeezed
        if (
            density > LINK_DENSITY_MAX
            and not _is_prose_list(el)
            and not _is_introduced_list(el)
            and not ("prose_led_list" not in DISABLED and is_prose_led_list(el))
            and not ("prose_paragraph" not in DISABLED and is_linked_sentence(el, text_of(el), density))
            and not ("linked_items" not in DISABLED and is_linked_items(el, text_of(el), density))
        ):
            gone.update(el.iterdescendants())
            remove(el, rec, "boilerplate", f"link list ({density:.0%} of its text is links)")


def _fewer_links_than_two(el: HtmlElement) -> bool:
    links = el.iter("a")
    return next(links, None) is None or next(links, None) is None


def _is_prose_list(el: HtmlElement) -> bool:
    """Return True for link-heavy blocks that still read as prose (long items with sentences)."""
    text = text_of(el)
    return len(text) > 400 and text.count(". ") >= 3 and link_chars(el) / max(len(text), 1) < 0.8


# A paragraph of prose may be mostly links (a sentence naming five co-authors, each linked), but not this much.
_LINKED_SENTENCE_MAX_DENSITY = 0.8


def is_linked_sentence(el: HtmlElement, text: str, density: float) -> bool:
    """Return True if ``el`` is a paragraph that reads as a sentence however many of its words are links.

    "A 2010 paper with Martin Demaine, Andrea Hawksley, … considers the
    problem …!", "Plus, I've grown fond of sourdough discard recipes. When
    I'm not baking, I'm making muffins, crepes …": a writer links the
    names, products and sources a sentence mentions, and the sentence is
    still the article's. A <p> of eight words or more that ends a sentence
    is such prose while at most 80% of its text is links; a related-links
    line ("Related: …", "Tags: a, b"), a share bar or a "Shop at …" line
    does not end a sentence, and a one-link promo ("Order your copy
    today!") is all link.
    """
    return el.tag == "p" and density <= _LINKED_SENTENCE_MAX_DENSITY and _is_sentence(text)


def is_linked_items(el: HtmlElement, text: str, density: float) -> bool:
    """Return True if ``el`` is a text block of the article's linked items, however many of its words are links.

    "Buying options: Amazon (DeWalt) Home Depot (Milwaukee)", "Nemo Disco
    Sleeping Bag (if shoulder season …). Budget: REI Trailmade 20", a
    checklist of gear each linked to its review, "Recommendations: Canon EOS
    M50, Sony a7R III": a writer links the things a line names, and the words
    around the links (what it is, which shop, the price, the use) are the
    article's. A <li>, <ul>, <ol> or a <p> that is no sentence (a sentence is
    ``is_linked_sentence``'s) with a fifth of its text or more outside links
    is such a block; related-story lists, tag lines and share bars are links
    nearly throughout, and a box (a <div>) of teasers is still judged as a
    link list.
    """
    if el.tag not in LINKED_ITEM_TAGS or density > LINKED_ITEMS_MAX_DENSITY:
        return False
    return el.tag != "p" or not _is_sentence(text)


def _is_introduced_list(el: HtmlElement) -> bool:
    """Return True for a list the article introduces and then goes on after: the writer's links, not furniture.

    "I'd suggest digging in with the following:", "Top picks:" then a list
    of links, then more of the article: the colon makes the list part of
    the sentence before it. A list (or a box holding only a list) whose
    previous block or leading text ends with a colon, and with article text
    after it among its siblings, is left for the learned scorer to judge.
    On the tuning folds nine in ten such lists were annotated article
    text; without text after them (the "You might also like:" at an
    article's end) most were not, and those still go.
    """
    if not _list_with_text_after(el):
        return False
    before = _previous_with_text(el)
    if before is not None:
        lead = text_of(before)
    else:
        parent = el.getparent()
        lead = (parent.text or "") if parent is not None else ""
    return lead.rstrip().endswith((":", "："))


def _list_with_text_after(el: HtmlElement) -> bool:
    """True for a list (or a box holding only a list) with text among its siblings after it."""
    children = [c for c in el if isinstance(c.tag, str)]
    if el.tag not in ("ul", "ol") and not (len(children) == 1 and children[0].tag in ("ul", "ol")):
        return False
    return any(text_of(s) for s in el.itersiblings() if isinstance(s.tag, str))


def _previous_with_text(el: HtmlElement) -> HtmlElement | None:
    """The nearest element before ``el`` among its siblings that holds text, if any."""
    before = el.getprevious()
    while before is not None and (not isinstance(before.tag, str) or not text_of(before)):
        before = before.getprevious()
    return before


# The paragraph that leads into a list is prose with at most this share of its text in links.
_LEAD_LINK_SHARE = 0.5


def is_prose_led_list(el: HtmlElement) -> bool:
    """Return True for a list that the paragraph before it leads into, with the article going on after it.

    "The FAO elearning Academy offers 100+ free courses in food and
    nutrition security …" then the list of those courses, then the next
    section's heading: a writer's list (the courses, the recipes, the
    guides the paragraph speaks of) sits between paragraphs of the article.
    A related-stories box or a tag list in the text is led by a label or a
    heading ("Related", "Read more"), not by a sentence of the article, and
    one at the end has no article text after it. So a list (or a box
    holding only a list) whose previous block is a <p> reading as a
    sentence, mostly not links, with text among its siblings after it, is
    left for the learned scorer to judge.
    """
    if not _list_with_text_after(el):
        return False
    before = _previous_with_text(el)
    if before is None or before.tag != "p":
        return False
    lead = text_of(before)
    return _is_sentence(lead) and link_chars(before) <= _LEAD_LINK_SHARE * max(_squeezed_len(lead), 1)


def remove_furniture_lines(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Remove short blocks whose whole text is a furniture line ("Share this", "Advertisement")."""
    for el in _judged_leaves(article):
        if el.getparent() is None:
            continue
        text = text_of(el)
        if len(text) <= 100 and (BOILERPLATE_LINE.fullmatch(text) or CALL_TO_ACTION.fullmatch(text)):
            remove(el, rec, "boilerplate", "furniture line" if BOILERPLATE_LINE.fullmatch(text) else "call to action")


def link_chars(el: HtmlElement) -> int:
    """Return how many characters of ``el``'s text sit inside links."""
    return sum(_squeezed_len(text_of(a)) for a in el.iter("a"))


def _squeezed_len(text: str) -> int:
    """The length of ``text_of``'s text without its spaces (the only spaces are those between words)."""
    return len(text) - text.count(" ")


def appeal_cues(text: str, stems: tuple[str, ...] = APPEAL_STEMS) -> int:
    """Return how many distinct appeal cues ``text`` holds (a price only beside a cue that asks).

    ``stems``: the ``APPEAL_STEMS`` that a text holding ``text`` holds (the
    others cannot be in it, so they are not looked for).
    """
    low = text.lower()
    # The stems in the text, found once: a substring test each costs less than one search for any
    # of them, an empty set rules out almost every block, and each cue then needs one set test.
    present = {stem for stem in stems if stem in low}
    if not present:
        return 0
    found = [cue for keys, cue in APPEAL_CUE_TABLE if not present.isdisjoint(keys) and cue.search(text)]
    if "gift_asks" in DISABLED:
        found = [cue for cue in found if cue not in APPEAL_GIFT_CUES]
    if "follow_asks" in DISABLED:
        found = [cue for cue in found if cue not in APPEAL_FOLLOW_CUES]
    if "price_with_ask" not in DISABLED and all(cue in APPEAL_PRICE_CUES for cue in found):
        # A price alone asks nothing: a guide's paragraph on what things cost names one too.
        return 0
    return len(found)


def appeal_phrases(text: str) -> list[str]:
    """Return the appeal phrases found in ``text``, as written there: for explanations."""
    found = []
    for cue in APPEAL_CUES:
        m = cue.search(text)
        if m:
            found.append(" ".join(m.group(0).split()).strip(" .!?"))
    return found


def is_call_to_action(el: HtmlElement) -> bool:
    """Return True if ``el`` is only a short call to action, such as "Support Us"."""
    text = text_of(el)
    return 0 < len(text) <= 40 and CALL_TO_ACTION.fullmatch(text) is not None


# --- the headline ---------------------------------------------------------

_HEADLINE = "the headline (the page template prints the title)"


def page_title(root: HtmlElement) -> str | None:
    """Return the page's own title (og:title, else <title>), or None: what its headline repeats."""
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in ("og:title", "twitter:title"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    title = root.find(".//title")
    if title is not None:
        text = " ".join(title.text_content().split())
        if text:
            return text
    return None


def remove_headline(article: HtmlElement, title: str | None, rec: Recorder | None = None) -> None:
    """Remove the article's <h1> headline (the page template prints the title).

    With a known page title, every <h1> whose text is part of it goes;
    without one, the first <h1> goes when no paragraph comes before it.
    Other <h1>s become <h2>, since the headline is the page's only <h1>.
    """
    wanted = letters_and_digits(title) if title else ""
    for index, h1 in enumerate(list(article.iter("h1"))):
        text = letters_and_digits(text_of(h1))
        if not text:
            remove(h1, rec, "boilerplate", "empty <h1>")
        elif (wanted and (text in wanted or wanted in text)) or (
            not wanted
            and index == 0
            and not any(p.text_content().strip() for p in h1.itersiblings("p", preceding=True))
        ):
            remove(h1, rec, "boilerplate", _HEADLINE)
        else:
            h1.tag = "h2"
    if wanted and len(wanted) >= 15:
        _remove_title_line(article, wanted, rec)


def _remove_title_line(article: HtmlElement, wanted: str, rec: Recorder | None) -> None:
    """Remove the first of the article's first four lines that repeats the page title (not always an <h1>).

    A line is an innermost block, however its blocks are wrapped: a page
    builder's ``<div><main><div><h2>Title</h2>…`` holds its blocks under a
    ``<main>`` or a ``<span>``, and read by its children alone the wrapper
    was one 5,000-character line, so the title under it was never reached
    (with ``title_line_leaves`` off, the judged blocks with no block inside).
    """
    lines = leaf_blocks(article) if "title_line_leaves" not in DISABLED else _judged_lines(article)
    seen = 0
    for el in lines:
        text = text_of(el)
        if not text:
            continue
        seen += 1
        if seen > 4 or len(text) > 250:
            return
        folded = letters_and_digits(text)
        if len(folded) >= 15 and (folded == wanted or folded in wanted):
            remove(el, rec, "boilerplate", _HEADLINE)
            return


def _judged_lines(article: HtmlElement) -> Iterator[HtmlElement]:
    """The article's judged blocks (and paragraphs and <h1>s) with no block inside, in page order."""
    for el in article.iter():
        if el is article or not isinstance(el.tag, str) or (el.tag not in _JUDGED_TAGS and el.tag not in ("p", "h1")):
            continue
        if not _has_inner_block(el):
            yield el
