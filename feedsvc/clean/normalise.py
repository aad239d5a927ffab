"""Stage 4 of cleaning: normalise the article tree.

Absolute URLs (against the page URL, or an http(s) ``<base href>``), lazy
images resolved, embedded players turned into plain links, tracking
parameters dropped from links, ``<xmp>`` shown as code, and text-bearing wrapper ``<div>``s turned
into paragraphs so that sanitising (which unwraps divs) keeps blocks apart.
The URL a page resolves against is read from it before any stage cuts it
(:func:`effective_base`); :func:`declared_url` is the URL a saved page
says it came from, for tools handed a file without one.

Pure; a stage of ``feedsvc.clean``: it imports only the leaves below it
(``dom``, ``policy``, the ``explain`` recorder), never another stage.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.dom import block_holders, parse, remove, text_content
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    BLOCK_TAGS,
    EMBED_HOSTS,
    EMBED_TAGS,
    LAZY_SRC_ATTRS,
    LAZY_SRCSET_ATTRS,
    PLACEHOLDER_SRC,
    PLAYER_TITLE,
    RAW_TEXT_TAGS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
)

__all__ = [
    "absolute",
    "best_from_srcset",
    "declared_url",
    "effective_base",
    "embed_link",
    "normalise",
    "paragraphs_from_wrappers",
    "raw_text_as_code",
    "resolve_image",
    "strip_tracking",
]

_SAFE_SCHEMES = ("http", "https", "mailto")
# The first LAZY_SRC_ATTRS (data-src, data-lazy-src, data-original,
# data-lazy) are set only by lazy loaders, so they win over any src; the
# others (WordPress's data-orig-file...) also sit on images already loaded.
_LAZY_FIRST = 4


def effective_base(root: HtmlElement, base_url: str | None) -> str | None:
    """Return the URL relative links resolve against: an http(s) <base href>, else ``base_url``."""
    base = base_url if base_url and _scheme(base_url) in ("http", "https") else None
    for tag in root.iter("base"):
        href = (tag.get("href") or "").strip()
        if not href:
            continue
        try:
            candidate = urljoin(base or "", href)
        except ValueError:
            continue
        if _scheme(candidate) in ("http", "https") and urlsplit(candidate).netloc:
            return candidate
        break
    return base


def declared_url(html: str) -> str | None:
    """Return the http(s) URL a saved page says it came from (canonical link, else og:url), or None.

    For tools that are handed a file without its URL (``feedsvc clean``);
    ``clean_html`` itself never guesses a base.
    """
    root = parse(html) if isinstance(html, str) and html.strip() else None
    if root is None:
        return None
    candidates = [
        link.get("href") for link in root.iter("link") if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [m.get("content") for m in root.iter("meta") if (m.get("property") or "").lower() == "og:url"]
    for url in candidates:
        url = (url or "").strip()
        if url.lower().startswith(("http://", "https://")):
            return url
    return None


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""


def absolute(url: str, base: str | None) -> str | None:
    """Return ``url`` made absolute and stripped of tracking, or None if it is unsafe or unusable.

    Without a base, a relative URL is returned as it is (still relative):
    the caller that knows the page's URL passes it as ``base_url``.
    """
    url = url.strip()
    if not url:
        return None
    try:
        joined = urljoin(base, url) if base else url
        parts = urlsplit(joined)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if not scheme and not base and not url.startswith("#"):
        return strip_tracking(joined)  # relative, and nothing to resolve it against
    if scheme not in _SAFE_SCHEMES:
        return None
    if scheme != "mailto" and not parts.netloc:
        return None
    return strip_tracking(joined)


def strip_tracking(url: str) -> str:
    """Return ``url`` without its tracking query parameters (utm_*, fbclid, ...)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def best_from_srcset(srcset: str) -> str | None:
    """Return the widest (or densest) candidate URL of a srcset value."""
    best, best_size = None, -1.0
    for item in srcset.split(","):
        bits = item.strip().split()
        if not bits:
            continue
        size = 1.0
        if len(bits) > 1:
            descriptor = bits[1].lower()
            try:
                size = float(descriptor[:-1]) if descriptor[-1:] in ("w", "x") else 1.0
            except ValueError:
                size = 1.0
        if size > best_size:
            best, best_size = bits[0], size
    return best


def resolve_image(img: HtmlElement) -> str | None:
    """Return the real source of an image, looking past lazy-loading placeholders."""
    src = (img.get("src") or "").strip()
    # A lazy-loading attribute exists only to hold the real image: whatever
    # sits in src meanwhile (a spinner gif, a 1x1 white jpg) is the placeholder.
    for attr in LAZY_SRC_ATTRS[:_LAZY_FIRST]:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    if src and not PLACEHOLDER_SRC.search(src):
        return src
    for attr in LAZY_SRC_ATTRS[_LAZY_FIRST:]:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    for attr in LAZY_SRCSET_ATTRS:
        srcset = img.get(attr)
        if srcset:
            found = best_from_srcset(srcset)
            if found and not found.startswith("data:"):
                return found
    # libxml2 does not know <source> is void, so the <img> may sit inside it.
    picture = next((a for a in img.iterancestors() if a.tag == "picture"), None)
    if picture is not None:
        for source in picture.iter("source"):
            found = best_from_srcset(source.get("srcset") or source.get("data-srcset") or "")
            if found and not found.startswith("data:"):
                return found
    return None


def embed_link(el: HtmlElement, base: str | None) -> HtmlElement | None:
    """Return a paragraph linking to what an iframe/embed shows, or None if it is not a known player."""
    src = el.get("src") or el.get("data-src") or el.get("data") or ""
    if not src and el.tag in ("video", "audio"):
        for source in el.iter("source"):
            src = source.get("src") or ""
            if src:
                break
    url = absolute(src, base)
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    label = next((text for suffix, text in EMBED_HOSTS.items() if host == suffix or host.endswith("." + suffix)), None)
    if label is None and el.tag in ("video", "audio"):
        label = "Watch the video" if el.tag == "video" else "Listen to the audio"
    if label is None:
        return None
    if "youtube" in host and "/embed/" in url:
        video = urlsplit(url).path.split("/embed/", 1)[1].split("/")[0]
        if video:
            url = f"https://www.youtube.com/watch?v={video}"
    title = " ".join((el.get("title") or "").split())
    if PLAYER_TITLE.fullmatch(title):
        title = ""  # "YouTube video player" says nothing the label does not
    p = lxml.html.Element("p")
    a = lxml.html.Element("a", href=url)
    a.text = f"{label}: {title}" if title else label
    p.append(a)
    return p


def normalise(article: HtmlElement, base: str | None, rec: Recorder | None = None) -> None:
    """Rewrite ``article`` in place: URLs, lazy images, embeds, headline levels, text wrappers."""
    linked: set[str] = set()
    for el in list(article.iter(*EMBED_TAGS)):  # lxml picks the tags in C
        parent = el.getparent()
        if parent is None:
            continue
        link = embed_link(el, base)
        if link is not None and link[0].get("href") in linked:
            # The same player again (a page that repeats one video in every section): one link says it.
            remove(el, rec, "normalise", "the same embedded player again")
        elif link is not None:
            linked.add(link[0].get("href") or "")
            link.tail = el.tail
            parent.replace(el, link)
        else:
            remove(el, rec, "normalise", f"<{el.tag!s}> that is not a known player (no link to make)")

    for img in list(article.iter("img")):
        src = resolve_image(img)
        url = absolute(src, base) if src else None
        if url is None or url.startswith("mailto:"):
            remove(img, rec, "normalise", "image without a usable source")
            continue
        img.set("src", url)

    for a in list(article.iter("a")):
        href = a.get("href")
        url = absolute(href, base) if href else None
        if url is None:
            a.attrib.pop("href", None)
        else:
            a.set("href", url)

    for q in article.iter("blockquote", "q"):
        cite = q.get("cite")
        if cite:
            url = absolute(cite, base)
            if url:
                q.set("cite", url)
            else:
                q.attrib.pop("cite", None)

    for h1 in article.iter("h1"):
        h1.tag = "h2"

    raw_text_as_code(article)
    paragraphs_from_wrappers(article)


def raw_text_as_code(article: HtmlElement) -> None:
    """Turn ``<xmp>``-style raw-text elements into ``<pre>`` (``<code>`` inside one), keeping their text.

    A browser shows an ``<xmp>``'s content as typed: ``state: >-`` reads
    ``state: >-``. Serialised, that text is escaped (``&gt;``); the
    sanitiser's parser reads an ``<xmp>`` again as raw text, so the escapes
    would reach readers as literal ``&gt;``. As ``<pre>`` it stays the text it was.
    """
    for el in list(article.iter(*RAW_TEXT_TAGS)):
        above = {a.tag for a in el.iterancestors()}
        if "code" in above and el.getparent() is not None:
            el.drop_tag()  # already code: its text joins the code around it
        else:
            el.tag = "code" if "pre" in above else "pre"


def paragraphs_from_wrappers(article: HtmlElement) -> None:
    """Turn text-bearing wrappers into paragraphs so blocks stay apart once divs are unwrapped."""
    # Which wrappers hold a block is read once, in one walk, rather than by a search under each
    # (each searches for every block tag). The loop changes no answer before it is read: an
    # element's descendants come after it in page order, and a wrapper made a <p> is still a block.
    holders = block_holders(article)
    for el in list(article.iter("div", "section", "article", "main", "header", "center")):
        if el is article:
            continue
        if el not in holders:  # no block anywhere under it (one under an inline wrapper counts)
            if text_content(el).strip():
                el.tag = "p"
            continue
        # Mixed: wrap each run of text and inline children in its own <p>.
        _wrap_inline_runs(el)


def _is_leaf_inline(el: HtmlElement) -> bool:
    """True if no block sits under the inline element ``el`` (a <span> holding an <h3> is a wrapper of blocks)."""
    return next(el.iterdescendants(*BLOCK_TAGS), None) is None


def _wrap_inline_runs(el: HtmlElement) -> None:
    children = list(el)
    run: list[HtmlElement] = []
    lead = el.text
    el.text = None

    def flush(before: HtmlElement | None) -> None:
        nonlocal lead, run
        if (lead and lead.strip()) or any(c.text_content().strip() or c.tag in ("img", "br") for c in run):
            p = lxml.html.Element("p")
            p.text = lead
            for c in run:
                p.append(c)
            if before is None:
                el.append(p)
            else:
                before.addprevious(p)
        lead, run = None, []

    for child in children:
        if isinstance(child.tag, str) and (child.tag in BLOCK_TAGS or not _is_leaf_inline(child)):
            flush(child)
            lead = child.tail
            child.tail = None
        else:
            run.append(child)
    flush(None)
