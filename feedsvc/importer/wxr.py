"""WordPress exports (WXR 1.0-1.2): published posts with their metadata.

Pure: the export's bytes in, :class:`WxrExport` out, or :class:`WxrError`.
Only published, public posts are kept; everything else (drafts, pages,
attachments, private or password-protected posts, …) is counted by reason.
Post bodies get WordPress's paragraph rule (see :func:`autop`), since
WordPress stores them without ``<p>`` and adds those only when it renders.
A post's featured image (its ``_thumbnail_id``) is looked up among the
export's attachments, wherever they stand in it: its URL, and what WordPress
records of it (size, file size, alt text, caption, credit).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from datetime import timezone as fixed_offset
from html import escape
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from lxml import etree

from feedsvc.metadata.dates import parse_date
from feedsvc.model import Image
from feedsvc.text import absolute_url, dedupe, plain

__all__ = [
    "CONTENT_NS",
    "DC_NS",
    "IGNORED_CATEGORIES",
    "WxrError",
    "WxrExport",
    "WxrPost",
    "autop",
    "expand_shortcodes",
    "parse_wxr",
]

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# WordPress's default category says nothing about a post.
IGNORED_CATEGORIES = frozenset({"uncategorized"})
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_WP_DATE = "%Y-%m-%d %H:%M:%S"


class WxrError(ValueError):
    """Bytes that are not a WordPress export; the message says why."""


@dataclass(frozen=True)
class WxrPost:
    """One published post, ready to become an article and its sidecar."""

    title: str
    link: str | None  # the permalink on the WordPress site
    guid: str | None  # WordPress's id for the post (its own feeds' <guid>), if it is a URI
    slug_hint: str  # wp:post_name, decoded
    published: datetime | None
    updated: datetime | None
    authors: tuple[str, ...]
    tags: tuple[str, ...]  # categories, then tags
    summary: str | None
    html: str  # the post body as HTML, paragraphs made
    image: Image | None = None  # the featured image


@dataclass(frozen=True)
class WxrExport:
    title: str
    posts: tuple[WxrPost, ...]
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> count


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _find(element: etree._Element, namespace: str, name: str) -> str:
    """Return the text of the first child ``name`` in ``namespace`` ("wp", "excerpt", a URI or "")."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        qname = etree.QName(child)
        uri = qname.namespace or ""
        if qname.localname != name:
            continue
        if namespace == "wp" and not (uri.startswith("http://wordpress.org/export/") and "excerpt" not in uri):
            continue
        if namespace == "excerpt" and not (uri.startswith("http://wordpress.org/export/") and "excerpt" in uri):
            continue
        if namespace not in ("wp", "excerpt") and uri != namespace:
            continue
        return child.text or ""
    return ""


def parse_wxr(data: bytes, timezone: ZoneInfo) -> WxrExport:
    """Parse a WordPress export; dates that carry no offset are taken in ``timezone``."""
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise WxrError(f"is not well-formed XML ({error})") from None
    channel = root.find("channel") if root is not None and root.tag == "rss" else None
    if channel is None or not any(
        (etree.QName(child).namespace or "").startswith("http://wordpress.org/export/")
        for child in channel
        if isinstance(child.tag, str)
    ):
        raise WxrError("is not a WordPress export (WXR): expected <rss><channel> with wp: elements")
    authors = {
        _find(author, "wp", "author_login").strip(): plain(_find(author, "wp", "author_display_name"))
        for author in channel
        if isinstance(author.tag, str) and etree.QName(author).localname == "author"
    }
    posts: list[WxrPost] = []
    skipped: Counter[str] = Counter()
    images = {
        _find(item, "wp", "post_id").strip(): image
        for item in channel.iterfind("item")
        if _find(item, "wp", "post_type").strip() == "attachment" and (image := _attachment_image(item)) is not None
    }
    for item in channel.iterfind("item"):
        reason = _skip_reason(item)
        if reason:
            skipped[reason] += 1
            continue
        post = _post(item, authors, timezone)
        image = images.get(_postmeta(item).get("_thumbnail_id", "").strip())
        posts.append(replace(post, image=image) if image else post)
    return WxrExport(plain(channel.findtext("title") or ""), tuple(posts), skipped)


def _skip_reason(item: etree._Element) -> str | None:
    post_type = _find(item, "wp", "post_type").strip() or "post"
    if post_type != "post":
        return post_type  # page, attachment, nav_menu_item, …
    status = _find(item, "wp", "status").strip() or "publish"
    if status != "publish":
        return {"future": "scheduled", "trash": "trashed", "auto-draft": "draft", "pending": "draft"}.get(
            status, status
        )
    if _find(item, "wp", "post_password"):
        return "password-protected"
    return None


def _post(item: etree._Element, authors: dict[str, str], timezone: ZoneInfo) -> WxrPost:
    title = plain(item.findtext("title") or "")
    published = _wp_date(_find(item, "wp", "post_date"), _find(item, "wp", "post_date_gmt"), timezone)
    if published is None and item.findtext("pubDate"):
        published = parse_date(item.findtext("pubDate") or "", timezone)
    updated = _wp_date(_find(item, "wp", "post_modified"), _find(item, "wp", "post_modified_gmt"), timezone)
    login = _find(item, DC_NS, "creator").strip()
    categories = [
        (element.get("domain"), plain(element.text or ""), element.get("nicename", ""))
        for element in item.iterfind("category")
    ]
    tags = dedupe(
        name
        for domain in ("category", "post_tag")
        for kind, name, nicename in categories
        if kind == domain and name and nicename.lower() not in IGNORED_CATEGORIES
    )
    guid = (item.findtext("guid") or "").strip()
    return WxrPost(
        title=title,
        link=absolute_url(item.findtext("link") or ""),
        guid=guid if _URI.match(guid) else None,
        slug_hint=unquote(_find(item, "wp", "post_name").strip()) or title,
        published=published,
        updated=updated if updated and published and updated > published else None,
        authors=(authors.get(login) or login,) if login else (),
        tags=tags,
        summary=plain(_find(item, "excerpt", "encoded")) or None,
        html=autop(expand_shortcodes(_find(item, CONTENT_NS, "encoded"))),
    )


def _postmeta(item: etree._Element) -> dict[str, str]:
    """Return an item's ``wp:postmeta`` as key -> value (the first value of a repeated key)."""
    meta: dict[str, str] = {}
    for child in item:
        if isinstance(child.tag, str) and etree.QName(child).localname == "postmeta":
            meta.setdefault(_find(child, "wp", "meta_key").strip(), _find(child, "wp", "meta_value"))
    return meta


# What WordPress names an image file's type after its extension (wp_get_mime_types), for the images it takes.
_IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png", "gif": "image/gif",
                "webp": "image/webp", "avif": "image/avif"}  # fmt: skip


def _attachment_image(item: etree._Element) -> Image | None:
    """Return what an attachment item records of its image, or None if it is not an image with a URL."""
    url = absolute_url(_find(item, "wp", "attachment_url") or item.findtext("guid") or "")
    if url is None:
        return None
    extension = url.split("?", 1)[0].rsplit(".", 1)[-1].lower()
    kind = _IMAGE_TYPES.get(extension)
    if kind is None:
        return None  # a PDF, a video, or a file WordPress would not call an image
    meta = _postmeta(item)
    sizes = _php_ints(meta.get("_wp_attachment_metadata", ""), ("width", "height", "filesize"))
    return Image(
        url=url,
        width=sizes.get("width"),
        height=sizes.get("height"),
        type=kind,
        alt=plain(meta.get("_wp_attachment_image_alt", "")) or None,
        caption=plain(_find(item, "excerpt", "encoded")) or None,  # WordPress keeps a caption as the excerpt
        length=sizes.get("filesize"),
        credit=plain(_php_string(meta.get("_wp_attachment_metadata", ""), "credit")) or None,
        origin="sidecar",  # written to the sidecar by the import
    )


# In PHP's serialize() format: 's:5:"width";i:1200;' is the key "width" with the integer 1200.
_PHP_INT = re.compile(r's:\d+:"(\w+)";i:(\d+);')


def _php_ints(serialized: str, keys: tuple[str, ...]) -> dict[str, int]:
    """Return the integers of ``keys`` at the top of WordPress's attachment metadata (before its resized copies)."""
    top = serialized.split('s:5:"sizes";', 1)[0]
    found: dict[str, int] = {}
    for key, value in _PHP_INT.findall(top):
        if key in keys and int(value) > 0:
            found.setdefault(key, int(value))
    return found


def _php_string(serialized: str, key: str) -> str:
    """Return the string value of ``key`` in a PHP-serialized array, read by its declared length ("" if none)."""
    marker = f's:{len(key)}:"{key}";s:'
    at = serialized.find(marker)
    if at < 0:
        return ""
    length, _, rest = serialized[at + len(marker) :].partition(':"')
    if not length.isdigit():
        return ""
    # PHP counts bytes, not characters
    return rest.encode("utf-8")[: int(length)].decode("utf-8", errors="ignore")


def _wp_date(local: str, gmt: str, timezone: ZoneInfo) -> datetime | None:
    """Return a post date with its real offset: WordPress stores local time and UTC side by side."""
    try:
        moment = datetime.strptime(local.strip(), _WP_DATE)
    except ValueError:
        return None  # also "0000-00-00 00:00:00", WordPress's "never"
    try:
        offset = moment - datetime.strptime(gmt.strip(), _WP_DATE)
    except ValueError:
        return moment.replace(tzinfo=timezone)
    if abs(offset) >= timedelta(hours=24) or offset % timedelta(minutes=1):
        return moment.replace(tzinfo=timezone)
    return moment.replace(tzinfo=fixed_offset(offset))


# --- post bodies -------------------------------------------------------------

_BLOCK_TAGS = (
    r"(?:address|article|aside|blockquote|details|div|dl|dd|dt|figure|figcaption|footer|form|h[1-6]|header|hr|"
    r"iframe|li|main|nav|ol|p|pre|section|table|thead|tbody|tfoot|tr|td|th|ul|video|audio)"
)
_BLOCK_OPEN = re.compile(rf"(<{_BLOCK_TAGS}[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</{_BLOCK_TAGS}>)", re.IGNORECASE)
_BLOCK_START = re.compile(rf"^(?:<!--|\x00|</?{_BLOCK_TAGS}[\s/>])", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre\s*>", re.IGNORECASE | re.DOTALL)
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
_CAPTION = re.compile(r"\[(?:wp_)?caption\b[^\]]*\](.*?)\[/(?:wp_)?caption\]", re.IGNORECASE | re.DOTALL)
_CAPTION_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.IGNORECASE | re.DOTALL)
_EMBED = re.compile(r"\[embed\b[^\]]*\]\s*(\S+?)\s*\[/embed\]", re.IGNORECASE)
# WordPress's core shortcodes without a text of their own: dropped, whatever they enclose kept.
_CORE_SHORTCODE = re.compile(r"\[/?(?:gallery|audio|video|playlist)\b[^\]]*\]", re.IGNORECASE)


def expand_shortcodes(text: str) -> str:
    """Replace WordPress core shortcodes: [caption] becomes a figure, [embed] a link, others go."""

    def caption(match: re.Match[str]) -> str:
        inner = _CAPTION_MEDIA.match(match.group(1))
        if inner is None:
            return match.group(1)
        text = inner.group(2).strip()
        figcaption = f"<figcaption>{text}</figcaption>" if text else ""
        return f"<figure>{inner.group(1)}{figcaption}</figure>"

    def embed(match: re.Match[str]) -> str:
        url = absolute_url(match.group(1))
        return f'<p><a href="{escape(url)}">{escape(url)}</a></p>' if url else ""

    return _CORE_SHORTCODE.sub("", _EMBED.sub(embed, _CAPTION.sub(caption, text)))


def autop(text: str) -> str:
    """Make paragraphs as WordPress does when it renders a post.

    Blank-line separated runs of text become ``<p>`` elements and single
    line breaks inside them ``<br>``; runs that already start with a block
    element (or a block editor comment) are left as they are, and so is
    everything inside ``<pre>``.
    """
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = _PRE.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    # every block element on its own, so text between blocks becomes a paragraph of its own
    text = _BLOCK_CLOSE.sub("\\1\n\n", _BLOCK_OPEN.sub("\n\n\\1", text))
    blocks = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk):
            blocks.append(chunk)
        else:
            blocks.append("<p>" + re.sub(r"[ \t]*\n[ \t]*", "<br>\n", chunk) + "</p>")
    return _PLACEHOLDER.sub(lambda match: kept[int(match.group(1))], "\n".join(blocks))
