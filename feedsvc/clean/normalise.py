"""Stage 4 of cleaning: normalise the article tree.

Absolute URLs (against the page URL, or an http(s) ``<base href>``), lazy
images resolved, embedded players turned into plain links (and an embedded
social post whose text the judging passes removed: :func:`mark_social_posts`
marks each before they run), tracking
parameters dropped from links, ``<xmp>`` shown as code, and text-bearing
wrapper ``<div>``s turned into paragraphs so that sanitising (which unwraps
divs) keeps blocks apart. What a reader would see wrong goes too, each rule
switched by its ``RULES`` name: images that are not the article's (tracking
pixels, icons, template images, small square headshots, the same picture twice,
calls to action, controls' icons, award badges, authors' photos: :func:`drop_furniture_images`),
a width or height of 0, headings' permalink
marks ("#", "¶"), tables of one cell, list items that lost their list,
an image linked to its own file, a block that is one separator mark.
The URL a page resolves against is read from it before any stage cuts it
(:func:`effective_base`); :func:`declared_url` is the URL a saved page
says it came from, for tools handed a file without one.

Pure; a stage of ``feedsvc.clean``: it imports only the leaves below it
(``dom``, ``policy``, the ``explain`` recorder), never another stage.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feedsvc.clean.dom import block_holders, collapsed, parse, remove, text_chars, text_content
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    AD_IMAGE,
    AUDIO_LINK_LABEL,
    AUTHOR_PHOTO_BOX,
    AUTHOR_PHOTO_BOX_TEXT_MAX,
    AUTHOR_PHOTO_DEPTH,
    BADGE_IMAGE,
    BADGE_IMAGE_MAX,
    BLOCK_TAGS,
    CONTROL_IMAGE_MAX,
    CONTROL_IMAGE_NAME,
    CTA_IMAGE_ALT,
    CTA_IMAGE_LINK,
    CTA_IMAGE_SRC,
    EMBED_HOSTS,
    EMBED_TAGS,
    FILE_NAME_ALT,
    LAZY_SRC_ATTRS,
    LAZY_SRCSET_ATTRS,
    PLACEHOLDER_ALT,
    PLACEHOLDER_SRC,
    PLAYER_TITLE,
    RAW_TEXT_TAGS,
    SITE_TRACKING_PARAMS,
    SLUG_ALT,
    SLUG_TAIL,
    SOCIAL_POST_CLASSES,
    SOCIAL_POST_HOSTS,
    SOCIAL_POST_URL_ATTRS,
    SQUARE_IMAGE_MAX,
    TEMPLATE_IMAGE,
    TINY_IMAGE_MAX,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
    VIDEO_LINK_LABEL,
)
from feedsvc.same_picture import PictureSet
from feedsvc.text import plain, without_userinfo

__all__ = [
    "DISABLED",
    "RULES",
    "absolute",
    "best_from_srcset",
    "declared_address",
    "declared_url",
    "drop_furniture_images",
    "drop_lone_marks",
    "effective_base",
    "embed_link",
    "mark_social_posts",
    "markup_as_text",
    "normalise",
    "paragraphs_from_wrappers",
    "raw_text_as_code",
    "readable_alt",
    "resolve_image",
    "strip_tracking",
    "unlink_self_images",
    "unmark_text_attributes",
    "unset_zero_sizes",
    "unwrap_one_cell_tables",
    "wrap_orphan_items",
]

RULES: dict[str, str] = {
    "tiny_images": "an image declared 24 px or less on a side (tracking pixel, spacer, icon, button), outside tables",
    "template_images": "an image from the site's template (theme or plugin folder, icons, avatars), outside tables",
    "small_square_images": "a square image declared 120 px or less (a headshot or logo left by a byline or bio), "
    "outside tables, when the article has at most 3",
    "ad_images": "an advertisement's image (an ads folder, or a banner size such as 728x90 in its URL), outside tables",
    "repeated_images": "an image shown in 3 or more places apart in the article (an icon beside every item), outside tables",
    "same_picture": "a later copy of a picture the article already shows, at any size (a copy for another screen), outside tables",
    "zero_size": "an image's width or height of 0 is taken off (its layout sized it; a reader would show nothing)",
    "anchor_mark": "a link that is only '#', '¶' or '§' to a place on the page itself (a heading's permalink)",
    "one_cell_table": "a table of one cell is the box it draws: its content, not a table",
    "orphan_items": "list items with no list around them (torn from it by the depth limit) get a <ul> back",
    "image_self_link": "a link whose only content is an image, to that image's own file, is taken off the image",
    "lone_marks": "a block whose whole text is one separator or punctuation mark ('•', '|', '.'), left by removed parts",
    "markup_in_alt": "an image's alt or title written as HTML (<small>Photo by <a href=…>…</a></small>) is the text it marks up",
    "call_to_action_images": "an image that asks the reader to act (a CTA in its src or alt, or a link to a sign-up, "
    "demo or contact page), outside tables",
    "control_icons": "an SVG or an image declared 100 px or less whose name or alt says control or icon (arrow, "
    "chevron, icon, button), outside tables",
    "award_badges": "an SVG or an image declared 200 px or less named for an award badge (editors-choice.svg, "
    "'Top Pick Award'), outside tables",
    "author_photos": "an author's photo or avatar: an image in a small box (a bio's text at most) classed for an "
    "author, an avatar or a byline, or an image classed an avatar, outside tables",
    "home_logo": "the site's logo: an image that is all of a link to the home page of the article's own site "
    "('/', 'https://www.site/?lang=en'), before any of the article's text, outside tables",
    "file_name_alt": "an image's alt text that is only a file name ('12-IMG_3886.jpg') is emptied: it describes nothing",
    "placeholder_alt": "an image's alt text that only says a picture is there ('image', 'Photo 2', 'Thumbnail', "
    "'IMG_2671', 'null', 'Bild', '图片') is emptied: it describes nothing",
    "slug_alt": "an image's alt text written as a slug ('the-mayor-speaks-at-city-hall-2') becomes its words "
    "('the mayor speaks at city hall'), as a reader would say them",
    "image_titles": "an image's title (its tooltip) is read as its alt text is: a file name or a placeholder "
    "('12-IMG_3886.jpg') goes, a slug ('Presets-on-Adobe-Lightroom') becomes its words",
    "social_posts": "an embedded social post (a blockquote classed twitter-tweet, instagram-media, …) whose text the "
    "judging passes removed becomes a link to the post, as a player does",
}

# Rules switched off; only the benchmark's ablation sets this.
DISABLED: frozenset[str] = frozenset()

_SAFE_SCHEMES = ("http", "https", "mailto")
# The first LAZY_SRC_ATTRS (data-src, data-lazy-src, data-original,
# data-lazy) are set only by lazy loaders, so they win over any src; the
# others (WordPress's data-orig-file...) also sit on images already loaded.
_LAZY_FIRST = 4


def markup_as_text(value: str) -> str | None:
    """Return the text an attribute value written as HTML marks up (``feedsvc.text.plain``), or None if it is no HTML.

    Some sites put their caption's HTML into the image's alt too (``Can you spot it?<br><small>Photo by
    <a href="…">…</a></small>``): a reader shown the alt would see the tags.
    """
    if "</" not in value or not _PAIRED_TAGS.search(value):
        return None
    return plain(value)


def unmark_text_attributes(img: HtmlElement) -> None:
    """Replace ``img``'s alt and title written as HTML by the text they mark up."""
    for name in _TEXT_ATTRIBUTES:
        value = img.get(name)
        text = markup_as_text(value) if value else None
        if text is not None:
            img.set(name, text)


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
            # A saved page's <base href="https://user:pass@host/">: its links resolve to the host, not the secret.
            return without_userinfo(candidate)
        break
    return base


def declared_url(html: str) -> str | None:
    """Return the http(s) URL a saved page says it came from (canonical link, else og:url), or None.

    For tools that are handed a file without its URL (``feedsvc clean``);
    ``clean_html`` itself never guesses a base.
    """
    root = parse(html) if isinstance(html, str) and html.strip() else None
    return None if root is None else declared_address(root)


def declared_address(root: HtmlElement) -> str | None:
    """Return the http(s) URL the page ``root`` says it lives at (canonical link, else og:url), or None.

    Without a ``user:password@`` the page declares with it: ``feedsvc clean`` resolves links against it.
    """
    candidates = [
        link.get("href") for link in root.iter("link") if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [m.get("content") for m in root.iter("meta") if (m.get("property") or "").lower() == "og:url"]
    for url in candidates:
        url = (url or "").strip()
        if url.lower().startswith(("http://", "https://")):
            return without_userinfo(url)  # the address, never a user and password it was saved with
    return None


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""


# Control characters (not tab or line breaks) that an attribute may hold as the page is parsed
# but XML may not: a share link's text with a backspace in it (wcxb-dev/0121) made setting
# the href raise, and the whole page came out uncleaned. Browsers percent-encode them in a URL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _percent(match: re.Match[str]) -> str:
    return f"%{ord(match.group(0)):02X}"


# An absolute URL that urljoin gives back as it is, whatever the base (one urlsplit reads, as
# effective_base's are): a lower-case scheme, a host, no parameters (";"), no empty query or fragment
# and no white space (which splitting and joining it again would change). Most URLs of a page are
# such, and joining one costs more than the rest of absolute(): urljoin parses the base and the URL,
# and joins the URL's parts again.
_PLAIN_ABSOLUTE = re.compile(r"[a-z][a-z0-9+.-]*://[^/?#;\s\[\]]+(?:/[^?#;\s]*)?(?:\?[^#\s]+)?(?:#\S+)?")


def absolute(url: str, base: str | None) -> str | None:
    """Return ``url`` made absolute and stripped of tracking, or None if it is unsafe or unusable.

    Without a base, a relative URL is returned as it is (still relative):
    the caller that knows the page's URL passes it as ``base_url``.
    """
    url = _CONTROL.sub(_percent, url.strip())
    if not url:
        return None
    try:
        joined = urljoin(base, url) if base and not _PLAIN_ABSOLUTE.fullmatch(url) else url
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
    """Return ``url`` without its tracking query parameters (utm_*, fbclid, X's ref_src, ...)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    site = _site_tracking(parts.hostname or "")
    kept = [(k, v) for k, v in pairs if not _is_tracking(k) and k.lower() not in site]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _site_tracking(host: str) -> frozenset[str]:
    """Return the query parameters that only track on ``host``'s addresses (none for most hosts)."""
    return _by_host(host.lower(), SITE_TRACKING_PARAMS) or frozenset()


def readable_alt(alt: str) -> str:
    """Return an image's alt text as a reader should hear it: "" for a file name or a placeholder, a slug's words.

    ``file_name_alt``, ``placeholder_alt`` and ``slug_alt``; any other alt is returned as it is.
    """
    value = alt.strip()
    if "file_name_alt" not in DISABLED and FILE_NAME_ALT.fullmatch(value):
        return ""
    if "placeholder_alt" not in DISABLED and PLACEHOLDER_ALT.fullmatch(value):
        return ""
    if "slug_alt" not in DISABLED and SLUG_ALT.fullmatch(value) and not FILE_NAME_ALT.fullmatch(value):
        parts = re.split(r"[-_]", value)
        if any(_PICTURE_TYPE.fullmatch(part) for part in parts):
            return ""  # a file name spelt as a slug ("image-png-Jan-17-2021-…", a pasted picture's)
        while len(parts) > 1 and SLUG_TAIL.fullmatch(parts[-1]):
            parts.pop()  # "city-hall-2": the CMS's second copy of the name, no word of it
        words = " ".join(parts)
        return "" if "placeholder_alt" not in DISABLED and PLACEHOLDER_ALT.fullmatch(words) else words
    return alt


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


_POST_HOSTS = {**EMBED_HOSTS, **SOCIAL_POST_HOSTS}
# The attribute of the iframe mark_social_posts puts after an embedded post (taken off in stage 4).
_POST_MARK = "data-feedsvc-post"


_Value = TypeVar("_Value")


def _by_host(host: str, table: Mapping[str, _Value]) -> _Value | None:
    """Return the value of the first host suffix of ``table`` that ``host`` (lower case) is or lies under."""
    return next((value for suffix, value in table.items() if host == suffix or host.endswith("." + suffix)), None)


def _post_url(quote: HtmlElement, base: str | None) -> str | None:
    """Return the address of the post an embed ``quote`` shows, or None if it names none on a known host."""
    candidates = [quote.get(name) or "" for name in SOCIAL_POST_URL_ATTRS]
    candidates += reversed([a.get("href") or "" for a in quote.iter("a")])
    for candidate in candidates:
        url = absolute(candidate, base) if candidate else None
        host = (urlsplit(url).hostname or "").lower() if url else ""
        if host and _by_host(host, _POST_HOSTS) is not None:
            return url
    return None


def mark_social_posts(article: HtmlElement, base: str | None) -> None:
    """Put an iframe to each embedded social post's address right after its blockquote (``social_posts``).

    Run before the passes that judge text: they may drop the post's text (the truths leave it out), and an
    iframe has none to judge, so it stays where the post was. Stage 4 takes it off when the post's text is
    still there, and makes it a link ("View on X") like any player's when it is not: what the site's script
    shows in a browser is such a player, and a sentence that introduces the post ("Watch the highlights:")
    is not left over nothing.
    """
    if "social_posts" in DISABLED:
        return
    for quote in list(article.iter("blockquote")):
        if SOCIAL_POST_CLASSES.isdisjoint((quote.get("class") or "").split()) or quote.getparent() is None:
            continue
        url = _post_url(quote, base)
        if url is None:
            continue
        mark = lxml.html.Element("iframe", src=url)
        mark.set(_POST_MARK, "")
        mark.tail, quote.tail = quote.tail, None
        quote.addnext(mark)


def _post_still_shown(mark: HtmlElement) -> bool:
    """Return True if the blockquote just before a post's mark still holds the post's text."""
    quote = mark.getprevious()
    return quote is not None and quote.tag == "blockquote" and bool(collapsed(text_content(quote)))


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
    label = _by_host(host, _POST_HOSTS if el.get(_POST_MARK) is not None else EMBED_HOSTS)
    if label is None and el.tag in ("video", "audio"):
        label = VIDEO_LINK_LABEL if el.tag == "video" else AUDIO_LINK_LABEL
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
        if el.get(_POST_MARK) is not None and _post_still_shown(el):
            el.drop_tree()  # the post's own text and links stand: no link to add (drop_tree keeps the tail)
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
        if "markup_in_alt" not in DISABLED:
            unmark_text_attributes(img)
        alt = img.get("alt")
        if alt:
            readable = readable_alt(alt)
            if readable != alt:
                img.set("alt", readable)
        title = img.get("title")
        if title and "image_titles" not in DISABLED:
            readable = readable_alt(title)
            if not readable:
                del img.attrib["title"]  # a tooltip that names the file says nothing
            elif readable != title:
                img.set("title", readable)
    drop_furniture_images(article, rec, base)
    if "zero_size" not in DISABLED:
        unset_zero_sizes(article)

    for a in list(article.iter("a")):
        href = a.get("href")
        if href and "anchor_mark" not in DISABLED and _anchor_mark(a, href, base):
            _drop_mark(a, rec)
            continue
        url = absolute(href, base) if href else None
        if url is None:
            a.attrib.pop("href", None)
        else:
            a.set("href", url)
    if "image_self_link" not in DISABLED:
        unlink_self_images(article)

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
    if "one_cell_table" not in DISABLED:
        unwrap_one_cell_tables(article)
    if "orphan_items" not in DISABLED:
        wrap_orphan_items(article)
    paragraphs_from_wrappers(article)
    if "lone_marks" not in DISABLED:
        drop_lone_marks(article, rec)  # after wrappers became paragraphs: a <div>•</div> is a <p> by then


_STAGE = "normalise"
# An attribute value written as HTML: a tag pair around text (<small>…</small>, <a href="…">…</a>). A
# lone tag is not enough: "30 Years of <br> Tags" names the tag it shows.
_PAIRED_TAGS = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>.*?</\1\s*>", re.DOTALL)
# The attributes a reader is shown as text: alt in place of a picture not loaded (feed readers that
# block remote images, screen readers), title as its tooltip.
_TEXT_ATTRIBUTES = ("alt", "title")
# An image shown in this many places (text between them) is an icon beside each item, not a picture.
_REPEATED_MIN = 3
# An article with more small square images than this shows a grid of them, not headshots.
_SQUARES_MAX = 3
_PX = re.compile(r"^\s*(\d+)(?:\.\d+)?\s*(?:px)?\s*$", re.IGNORECASE)
_STYLE_PX = re.compile(r"(?:^|;)\s*(?:width|height)\s*:\s*(\d+)(?:\.\d+)?px", re.IGNORECASE)
_PICTURE_EXT = re.compile(r"\.(?:jpe?g|png|webp|avif|gif)$", re.IGNORECASE)
# A picture format's name, as one part of a slug.
_PICTURE_TYPE = re.compile(r"jpe?g|png|webp|avif|gif|svg", re.IGNORECASE)
# A link's whole text that only marks a place to link to (a heading's permalink).
_ANCHOR_MARKS = frozenset({"#", "¶", "§", "🔗"})


def drop_furniture_images(article: HtmlElement, rec: Recorder | None = None, base: str | None = None) -> None:
    """Drop the images of ``article`` that are not the article's pictures; srcs must be resolved (absolute) first.

    Each rule has its ``RULES`` name. Images in a table cell all stay (a
    check mark there is the cell's value). ``base`` is what an image's link
    resolves against (where it goes tells a call to action).
    """
    images = [img for img in article.iter("img") if img.getparent() is not None]
    if not images:
        return
    in_cells = {img for img in images if any(a.tag in ("td", "th") for a in img.iterancestors())}
    # Where an image sits tells only for a src shown in 3+ places (repeated_images), so in as many
    # images: on most pages no src is, and the article's text is not walked.
    shown_most = max(Counter(img.get("src") or "" for img in images).values())
    places = _text_before(article) if shown_most >= _REPEATED_MIN else None

    def text_before() -> dict[HtmlElement, int]:
        """The walk of ``_text_before``, made once, when first needed (most pages need it for no image)."""
        nonlocal places
        if places is None:
            places = _text_before(article)
        return places

    spread: dict[str, set[int]] = {}
    for img in images:
        spread.setdefault(img.get("src") or "", set()).add(places.get(img, 0) if places is not None else 0)
    # A byline's or bio's headshot comes alone or in twos and threes; more small squares are a grid the
    # article shows (thumbnails, a team, logos of what it compares): they stay.
    squares = "small_square_images" not in DISABLED and (
        sum(1 for img in images if img not in in_cells and _small_square(img)) <= _SQUARES_MAX
    )
    shown = PictureSet()
    for img in images:
        if img in in_cells:
            continue
        src = img.get("src") or ""
        reason = (
            _furniture(img, src, len(spread[src]), squares)
            or _interface(img, src, base)
            or _author_photo(img, article)
            or _home_logo(img, base, text_before)
        )
        if reason is None and src in shown and "same_picture" not in DISABLED:
            reason = "the same picture again (another size or copy of one shown before)"
        if reason is not None:
            remove(img, rec, _STAGE, reason)
            continue
        shown.add(src)


def _text_before(article: HtmlElement) -> dict[HtmlElement, int]:
    """Map each image of ``article`` to the characters of text before it (copies in a row share one number)."""
    # One visit per element in page order (not a walk with a start and an end event for each):
    # each element's text and tail are counted when it is reached, and an image's ancestors' tails,
    # counted by then but lying after it, are taken back off. Elements only: the text after a
    # comment was never counted, and is not now.
    places: dict[HtmlElement, int] = {}
    chars = 0
    for el in article.iter(lxml.etree.Element):
        if el.tag == "img":
            ahead = 0
            for above in el.iterancestors() if el is not article else ():
                if above is article:
                    break
                ahead += len((above.tail or "").strip())
            places[el] = chars - ahead
        chars += len((el.text or "").strip())
        if el is not article:
            chars += len((el.tail or "").strip())
    return places


def _furniture(img: HtmlElement, src: str, places: int, squares: bool = True) -> str | None:
    """Why the image ``img`` (outside a table) is page furniture, or None.

    ``places``: where its src is shown apart; ``squares``: whether small square images are headshots here.
    """
    if "tiny_images" not in DISABLED and _tiny(img):
        return f"an image declared {TINY_IMAGE_MAX} px or less on a side (pixel, spacer, icon)"
    if "template_images" not in DISABLED:
        try:
            parts = urlsplit(src)
        except ValueError:
            parts = None
        if parts is not None and TEMPLATE_IMAGE.search(parts.netloc + parts.path):
            return "an image from the site's template (theme, plugin, icon or avatar folder)"
    if squares and "small_square_images" not in DISABLED and _small_square(img):
        return f"a square image declared {SQUARE_IMAGE_MAX} px or less (an author's headshot, an avatar, a logo)"
    if "ad_images" not in DISABLED and AD_IMAGE.search(_path_of(src)):
        return "an advertisement's image (ads folder or banner size)"
    if "repeated_images" not in DISABLED and places >= _REPEATED_MIN:
        return f"the same image in {places} places of the article (an icon beside each item)"
    return None


def _interface(img: HtmlElement, src: str, base: str | None) -> str | None:
    """Why the image ``img`` (outside a table) is the page's interface rather than a picture, or None.

    A call to action, a control's icon, an award badge.
    """
    name = _path_of(src).rsplit("/", 1)[-1]
    if "call_to_action_images" not in DISABLED and _asks_to_act(img, src, base):
        return "an image that asks the reader to act (a call to action: sign up, book a demo, contact us)"
    alt = img.get("alt") or ""
    if "control_icons" not in DISABLED and _named_and_small(img, name, alt, CONTROL_IMAGE_NAME, CONTROL_IMAGE_MAX):
        return "an icon or control of the page (named an arrow, icon or button)"
    if "award_badges" not in DISABLED and _named_and_small(img, name, alt, BADGE_IMAGE, BADGE_IMAGE_MAX):
        return "an award badge (editors' choice, top pick)"
    return None


def _home_logo(img: HtmlElement, base: str | None, text_before: Callable[[], Mapping[HtmlElement, int]]) -> str | None:
    """Why ``img`` (outside a table) is the site's logo, or None: all of a link home, before any of the article's text.

    A page's masthead logo links home; when the container holds the masthead, the logo opens the
    article. A picture further down that links home (a screenshot of the site's own product in a
    list of products) is the article's.
    """
    if "home_logo" in DISABLED or not _links_home(img, base):
        return None
    if text_before().get(img, 0):
        return None
    return "the site's logo (all of a link to the site's home page, before the article's text)"


def _links_home(img: HtmlElement, base: str | None) -> bool:
    """True if ``img`` is all of a link to the home page of the site ``base`` is on.

    An image linking to another site's home page (a shop's product photo) is not the site's own;
    without a base, only a relative link (``/``) is known to stay on the site.
    """
    link = _link_of(img)
    if link is None or collapsed(text_content(link)):
        return False
    href = absolute(link.get("href") or "", base)
    if not href:
        return False
    try:
        there, here = urlsplit(href), urlsplit(base or "")
    except ValueError:
        return False
    if there.path not in ("", "/") or there.fragment:
        return False
    if not there.netloc:
        return True
    return bool(here.hostname) and _site_host(there.hostname) == _site_host(here.hostname)


def _site_host(host: str | None) -> str:
    """Return ``host`` without a leading ``www.``: the site www.example.org and example.org are one."""
    return (host or "").lower().removeprefix("www.")


def _author_photo(img: HtmlElement, article: HtmlElement) -> str | None:
    """Why ``img`` (outside a table) is an author's photo or avatar, or None.

    Bylines and bios are cut by their text (``edges.remove_author_boxes``, the
    byline lines); a photo beside them, in a box of its own, is left, at any
    size (an unsized 250 px Gravatar, a 90 px crop), so no size tells. Its box
    does: a class or id word of an author, an avatar or a byline, a few
    levels up, on a box holding at most a bio's text; or the image's own
    class (WordPress's ``avatar``).
    """
    if "author_photos" in DISABLED:
        return None
    for depth, box in enumerate(img.iterancestors()):
        if box is article or depth >= AUTHOR_PHOTO_DEPTH:
            break
        names = (box.get("class") or "") + " " + (box.get("id") or "")
        if AUTHOR_PHOTO_BOX.search(names) and text_chars(box) <= AUTHOR_PHOTO_BOX_TEXT_MAX:
            return "an author's photo or avatar (in a byline's or bio's box)"
    if AUTHOR_PHOTO_BOX.search(img.get("class") or ""):
        return "an author's photo or avatar (classed so)"
    return None


def _named_and_small(img: HtmlElement, name: str, alt: str, words: re.Pattern[str], most: int) -> bool:
    """True if ``img``'s file ``name`` or ``alt`` holds one of ``words`` and it is an SVG or declared ``most`` px or less.

    An SVG of an interface is drawn at the size of its box, which it seldom declares; a photo that
    shares the words ("AI-Chatbot-Icons.jpg") is a raster drawn larger.
    """
    if not (words.search(name) or words.search(alt)):
        return False
    return name.lower().endswith(".svg") or _declared_within(img, most)


def _link_of(img: HtmlElement) -> HtmlElement | None:
    """Return the link ``img`` sits in, or None."""
    return next((a for a in img.iterancestors("a")), None)


def _asks_to_act(img: HtmlElement, src: str, base: str | None) -> bool:
    """True if ``img`` is a call to action: by its src's path, its alt, or where its link goes."""
    if CTA_IMAGE_SRC.search(_path_of(src)) or CTA_IMAGE_ALT.match(img.get("alt") or ""):
        return True
    link = _link_of(img)
    href = absolute(link.get("href") or "", base) if link is not None else None
    if not href:
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return bool(CTA_IMAGE_SRC.search(parts.netloc + parts.path) or CTA_IMAGE_LINK.search(parts.path))


def _declared_within(img: HtmlElement, most: int) -> bool:
    """True if ``img`` declares a width or height and none of them is over ``most`` pixels."""
    sizes = [size for size in _declared_sizes(img) if size is not None]
    return bool(sizes) and max(sizes) <= most


def _path_of(src: str) -> str:
    try:
        return urlsplit(src).path
    except ValueError:
        return ""


def _declared_sizes(img: HtmlElement) -> tuple[int | None, int | None]:
    """The whole pixels of ``img``'s width and height attributes ("40", "40px", "40.5"), None where not declared so."""
    width, height = (_PX.match(img.get(attr) or "") for attr in ("width", "height"))
    return (int(width.group(1)) if width else None, int(height.group(1)) if height else None)


def _tiny(img: HtmlElement) -> bool:
    """True if ``img`` declares a width or height of at most ``TINY_IMAGE_MAX`` pixels (attributes or inline style)."""
    found = [size for size in _declared_sizes(img) if size is not None]
    found += [int(m.group(1)) for m in _STYLE_PX.finditer(img.get("style") or "")]
    return any(0 < size <= TINY_IMAGE_MAX for size in found)  # 0: a layout that sizes it (Next.js "fill")


def _small_square(img: HtmlElement) -> bool:
    """True if ``img`` declares an equal width and height over ``TINY_IMAGE_MAX``, at most ``SQUARE_IMAGE_MAX`` pixels.

    A thumbnail linking a larger picture (a gallery's) is not one: its link shows the picture.
    """
    width, height = _declared_sizes(img)
    if width is None or width != height:
        return False
    if not TINY_IMAGE_MAX < width <= SQUARE_IMAGE_MAX:
        return False  # a smaller one is tiny_images' (a pixel, an icon)
    link = _link_of(img)
    return link is None or not _PICTURE_EXT.search(_path_of(link.get("href") or ""))


def unset_zero_sizes(article: HtmlElement) -> None:
    """Take off an image's width or height of 0: its page's layout sized it, a reader would show nothing."""
    for img in article.iter("img"):
        for attr, size in zip(("width", "height"), _declared_sizes(img), strict=True):
            if size == 0:
                del img.attrib[attr]


def _anchor_mark(a: HtmlElement, href: str, base: str | None) -> bool:
    """True if ``a`` is only a mark ('#', '¶', '§', '🔗') linking to a place on the page itself."""
    if collapsed(text_content(a)) not in _ANCHOR_MARKS or next(a.iter("img"), None) is not None:
        return False
    href = href.strip()
    if href.startswith("#"):
        return True
    try:
        here, there = urlsplit(base or ""), urlsplit(urljoin(base or "", href))
    except ValueError:
        return False
    return bool(there.fragment) and (there.netloc, there.path) == (here.netloc, here.path)


def _drop_mark(a: HtmlElement, rec: Recorder | None) -> None:
    """Remove a permalink mark, and the space before it when nothing follows it."""
    parent, before = a.getparent(), a.getprevious()
    last = not (a.tail or "").strip() and a.getnext() is None
    remove(a, rec, _STAGE, "a heading's permalink mark ('#', '¶') to a place on the page itself")
    if last and before is not None and before.tail:
        before.tail = before.tail.rstrip()
    elif last and before is None and parent is not None and parent.text:
        parent.text = parent.text.rstrip()


def unwrap_one_cell_tables(article: HtmlElement) -> None:
    """Turn a table of one cell (no caption) into the box it draws: its cell's content, not a table."""
    for table in list(article.iter("table")):
        cells = list(table.iter("td", "th"))
        parent = table.getparent()
        if len(cells) != 1 or parent is None or table.find("caption") is not None:
            continue
        if next(cells[0].iter("table"), None) is not None:
            continue
        box = cells[0]
        box.tag = "div"
        box.attrib.clear()
        box.tail = table.tail
        parent.replace(table, box)


_LISTS = frozenset({"ul", "ol", "menu"})


def wrap_orphan_items(article: HtmlElement) -> None:
    """Put each run of sibling ``<li>`` with no list above them into a ``<ul>``.

    A page nested deeper than the parser's limit has its deepest elements
    put side by side (as browsers do), which parts list items from their
    ``<ul>``; a reader given a bare ``<li>`` draws it however it likes (no
    bullet, no indent, or joined to the paragraph before). Text between two
    items ends the run: a list does not hold loose text.
    """
    made: set[HtmlElement] = set()  # the lists made (the set holds their proxies: identity tests hold)
    for li in list(article.iter("li")):
        parent = li.getparent()
        if parent is None or parent.tag in _LISTS or any(a.tag in _LISTS for a in parent.iterancestors()):
            continue  # in a list, perhaps under a wrapper the sanitiser unwraps (<ul><div><li>)
        previous = li.getprevious()
        if previous is not None and previous in made and not (previous[-1].tail or "").strip():
            previous.append(li)  # the run goes on (its tail goes with it; moved out after the last item)
            continue
        box = lxml.html.Element("ul")
        li.addprevious(box)
        box.append(li)
        made.add(box)
    for box in made:
        if box[-1].tail is not None:
            box.tail, box[-1].tail = box[-1].tail, None


def unlink_self_images(article: HtmlElement) -> None:
    """Take the link off an image that links to its own file: it opens what the reader already sees.

    Only the same URL counts; a link to a larger copy (``-300x200`` shown,
    the full size linked) stays, it shows more. Hrefs and srcs must be absolute.
    """
    for a in list(article.iter("a")):
        href = a.get("href")
        if not href or not len(a) or (a.text or "").strip():
            continue  # no image in it, or text before one
        images = list(a.iter("img"))
        if len(images) != 1 or images[0].get("src") != href or text_content(a).strip():
            continue
        if a.getparent() is not None:
            a.drop_tag()  # the image stays where the link was


# What a line of byline or share parts is joined by, and the punctuation that stays when the parts
# around it go ("Jane Doe • 5 min read" without its name and time). Dashes and asterisks are not here:
# "—", "* * *" and "***" alone are authors' section breaks.
_LONE_MARKS = frozenset("•·|.,;:")
_MARK_BLOCKS = ("p", "li", "dt", "dd", "figcaption", "h2", "h3", "h4", "h5", "h6")
_MEDIA = ("img", "picture", "svg", "video", "audio", "iframe", "object", "embed", "math")


def drop_lone_marks(article: HtmlElement, rec: Recorder | None = None) -> None:
    """Drop the blocks whose whole text is one separator or punctuation mark: what removed parts left between them.

    A reader sees a paragraph of "•" or "." where a byline, a share bar or
    a widget was. A block holding a picture or a player stays, and so do
    the cells of a table (a "." or "|" there may be the cell's value).
    """
    for el in list(article.iter(*_MARK_BLOCKS)):
        if len(el) > 2 or len((el.text or "").strip()) > 1 or el.getparent() is None:
            continue  # more than two children, or more than a character before them: more than a mark
        if text_content(el).strip() not in _LONE_MARKS:
            continue
        if next(el.iter(*_MEDIA), None) is not None or any(a.tag in ("td", "th") for a in el.iterancestors()):
            continue
        remove(el, rec, _STAGE, "a block whose whole text is one separator mark (left by parts removed around it)")


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
        _wrap_inline_runs(el, holders)


def _is_leaf_inline(el: HtmlElement) -> bool:
    """True if no block sits under the inline element ``el`` (a <span> holding an <h3> is a wrapper of blocks)."""
    return next(el.iterdescendants(*BLOCK_TAGS), None) is None


def _wrap_inline_runs(el: HtmlElement, holders: set[HtmlElement] | None = None) -> None:
    """Wrap each run of ``el``'s text and inline children in a ``<p>``; an inline child holding a block ends a run.

    ``holders``: the elements known to hold a block (:func:`block_holders`, read before the
    loop of :func:`paragraphs_from_wrappers`: a child's own descendants have not changed since);
    without it, each inline child is searched.
    """
    children = list(el)
    run: list[HtmlElement] = []
    lead = el.text
    el.text = None

    def flush(before: HtmlElement | None) -> None:
        nonlocal lead, run
        if (lead and lead.strip()) or any(text_content(c).strip() or c.tag in ("img", "br") for c in run):
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
        if isinstance(child.tag, str) and (
            child.tag in BLOCK_TAGS or (child in holders if holders is not None else not _is_leaf_inline(child))
        ):
            flush(child)
            lead = child.tail
            child.tail = None
        else:
            run.append(child)
    flush(None)
