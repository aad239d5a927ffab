"""End to end: the real ``feedsvc serve`` process, read by a real headless Chromium.

Starts the service on a free local port over the repository's own sample
content (``content/``), then drives Debian's ``chromium`` through Playwright
the way a reader would: open the index, click the headline, read the article,
follow the feed link; and, on a copy of it with one article a page, page
back through "Older articles" and forward again. Asserts on what is *visible* (``inner_text``), not on
raw HTML.

Needs ``/usr/bin/chromium`` (``scripts/install-browser.sh`` installs it) or
the path in ``$CHROMIUM``, and the ``playwright`` Python package; no
Playwright-managed browser download. Without them its tests are skipped,
except under CI (``$CI`` set), where a missing browser is a failure.

Set ``TEST_SCREENSHOT_DIR`` to also keep the screenshots there.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route

from support.factories import write_article
from support.paths import SAMPLE_CONTENT
from support.servers import feedsvc_serve
from support.sites import copy_site

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000

# The sample article (content/articles/<SLUG>.html) and what a reader must see.
SLUG = "pashinyan-aliyev-and-putin-to-hold-summit-in-sochi"
SITE_TITLE = "OC Media"
HEADLINE = "Pashinyan, Aliyev, and Putin to hold summit in Sochi"
DATE_ISO = "2021-11-23"
FIRST_PARAGRAPH = (
    "The Kremlin has announced that Azerbaijani President Ilham Aliyev, Armenian Prime Minister "
    "Nikol Pashinyan, and Russian President Vladimir Putin will hold a tripartite meeting in "
    "Sochi this week."
)
LAST_PARAGRAPH = (
    "Speaking on 9 November, Kremlin spokesperson Dmitry Peskov said the meeting did not take "
    "place because of a lack of \u2018clear agreements\u2019. Russian Foreign Minister Sergey Lavrov "
    "said last week that \u2018he is sure\u2019 the meeting will take place, and that the leaders "
    "will come to an agreement."
)
# Source-site furniture the cleaner must drop: donation appeal, inline promo,
# navigation menu, share bar, related list, newsletter box, cookie notice, footer.
BOILERPLATE = (
    "Fierce, independent journalism",
    "Let\u2019s be honest, the media situation in the Caucasus is grim",
    "Support Us",
    "[Read more:",
    "Read more:",
    "Features",
    "Opinion",
    "Georgia",
    "Abkhazia",
    "South Ossetia",
    "North Caucasus",
    "Facebook",
    "Twitter",
    "More from Armenia",
    "More from Azerbaijan",
    "Latest news",
    "Get the news from the Caucasus in your inbox",
    "We use cookies",
    "Privacy policy",
    "All rights reserved",
)
ATOM_NS = "{http://www.w3.org/2005/Atom}"
MIN_SCREENSHOT_BYTES = 5_000
# The sample article's lead image (its og:image and JSON-LD image): the one request its page makes
# to another host, the article's own (pictures may come from there: CSP img-src http: https:).
LEAD_IMAGE = "https://oc-media.org/app/uploads/2021/11/pashinyan-aliyev-putin-sochi.jpg"


def _grey_png(width: int = 1200, height: int = 630) -> bytes:
    """A grey PNG of the lead image's size: what the browser gets for a picture on another host (no network)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = (b"\x00" + b"\xb0" * width) * height  # each row: filter type 0, then its grey pixels
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def squash(text: str) -> str:
    """Collapse every run of white space (NBSP included) to one space."""
    return " ".join(text.split())


# --------------------------------------------------------------------- server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run ``feedsvc serve`` on the sample content; yield its base URL; always stop it."""
    assert (SAMPLE_CONTENT / "site.toml").is_file(), f"sample content missing: {SAMPLE_CONTENT}/site.toml"
    with _serving(SAMPLE_CONTENT, tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


# Two older articles beside the sample one, one article a page: three pages.
OLDER_HEADLINES = ("Tbilisi council approves the new tram line", "Yerevan metro extends its night service")


@pytest.fixture(scope="module")
def paged_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve a copy of the sample content with two older articles and ``articles_per_page = 1``."""
    content = copy_site(tmp_path_factory.mktemp("paged") / "content", SAMPLE_CONTENT)
    with (content / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write("\narticles_per_page = 1\n")
    for (slug, published), headline in zip(
        (("tram-line", "2021-11-10T09:00:00"), ("night-metro", "2021-10-05T09:00:00")), OLDER_HEADLINES, strict=True
    ):
        write_article(content, slug, published, title=headline)
    with _serving(content, content.parent / "serve.log") as base:
        yield base


@contextmanager
def _serving(content: Path, log_path: Path) -> Iterator[str]:
    """Run ``feedsvc serve`` on ``content`` on a port it picks; yield its base URL.

    site.toml's base_url names this machine (http://127.0.0.1:8000), so the links follow the port it listens on.
    """
    with feedsvc_serve(content, log_path) as served:
        yield served.url


# -------------------------------------------------------------------- browser


@dataclass
class Watched:
    """A page plus what it did: console errors, uncaught errors, requests."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def external_requests(self, base: str) -> list[str]:
        """Requests that left this server: anything but our origin, data: and blob:."""
        origin = urlsplit(base)
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
        ]


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")

    def elsewhere(route: Route) -> None:
        # a picture on another host gets a stand-in (still seen in ``requests``); anything else is refused
        if route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=_grey_png())
        else:
            route.abort()

    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), elsewhere)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    seen = Watched(page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            seen.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def on_request_failed(request: Request) -> None:
        seen.failed.append(f"{request.method} {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.errors.append(f"page error: {error}"))
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("requestfailed", on_request_failed)
    try:
        yield seen
    finally:
        context.close()


def screenshot(page: Page, directory: Path, name: str) -> Path:
    """Save a full-page PNG; check it is a real, non-trivial image; copy it if asked."""
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 600 and height >= 400, f"{path} is only {width}x{height}"
    assert len(data) > MIN_SCREENSHOT_BYTES, f"{path} is only {len(data)} bytes: a blank page?"
    keep = os.environ.get("TEST_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def open_article_from_index(watched: Watched, base: str) -> Page:
    """Open the index and click the sample article's headline, as a reader would."""
    page = watched.page
    response = page.goto(base + "/")
    assert response is not None and response.ok, f"GET / answered {response and response.status}"
    page.wait_for_load_state("networkidle")  # the index whole, its icon too, before the click leaves it
    link = page.get_by_role("link", name=HEADLINE).first
    link.click()
    page.wait_for_url(re.compile(rf"/articles/{re.escape(SLUG)}/?$"))
    page.wait_for_load_state("load")
    return page


# ---------------------------------------------------------------------- tests


def test_index_shows_site_title_and_links_the_article(watched: Watched, server: str, tmp_path: Path) -> None:
    page = watched.page
    response = page.goto(server + "/")
    assert response is not None and response.status == 200
    text = squash(page.locator("body").inner_text())
    assert SITE_TITLE in text
    assert SITE_TITLE in page.title()

    link = page.get_by_role("link", name=HEADLINE).first
    assert link.is_visible(), "the article's headline is not a visible link on the index"
    href = link.get_attribute("href") or ""
    assert urlsplit(urljoin(server + "/", href)).path.rstrip("/") == f"/articles/{SLUG}"

    head = page.locator("head")
    for media_type, path in (("application/atom+xml", "/feed.atom"), ("application/rss+xml", "/feed.rss")):
        alternates = head.locator(f'link[rel="alternate"][type="{media_type}"]')
        assert alternates.count() >= 1, f"no autodiscovery <link> for {media_type} on /"
        assert urlsplit(alternates.first.get_attribute("href") or "").path == path

    screenshot(page, tmp_path, "index")
    assert watched.errors == [], "the browser reported errors (a /favicon.ico 404 counts: readers' browsers log it too)"
    assert watched.external_requests(server) == []


def test_reader_clicks_through_to_a_clean_article(watched: Watched, server: str, tmp_path: Path) -> None:
    page = open_article_from_index(watched, server)
    body = page.locator("body")
    text = squash(body.inner_text())

    assert page.get_by_role("heading", level=1).first.inner_text().strip() == HEADLINE
    assert HEADLINE in page.title()

    when = page.locator("time[datetime]").first
    assert when.is_visible(), "the article's date is not visible"
    assert (when.get_attribute("datetime") or "").startswith(DATE_ISO), when.get_attribute("datetime")
    assert "2021" in when.inner_text() and "23" in when.inner_text(), when.inner_text()

    assert FIRST_PARAGRAPH in text
    assert LAST_PARAGRAPH in text
    assert text.index(FIRST_PARAGRAPH) < text.index(LAST_PARAGRAPH)

    left_over = [phrase for phrase in BOILERPLATE if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)]
    assert left_over == [], f"source-site furniture still shown to readers: {left_over}"
    assert page.locator('a[href*="oc-media.org/category/"]').count() == 0, "source navigation menu kept"
    # the one script element is JSON-LD, a data block no browser runs
    assert page.locator('script:not([type="application/ld+json"])').count() == 0, "the clean page carries <script>"
    assert page.locator('head script[type="application/ld+json"]').count() == 1
    assert page.locator("form, input, iframe").count() == 0, "the clean page carries forms or frames"

    canonical = page.locator('head link[rel="canonical"]')
    assert canonical.count() == 1
    assert urlsplit(canonical.get_attribute("href") or "").scheme in ("http", "https")

    # the lead image above the article, loaded at once; the only request to another host
    lead = page.locator(".article .lead-image img")
    assert lead.is_visible(), "the lead image is not shown"
    assert lead.get_attribute("src") == LEAD_IMAGE and lead.get_attribute("loading") is None
    assert lead.evaluate("img => img.naturalWidth") == 1200, "the lead image did not load"
    assert lead.bounding_box()["y"] < page.locator(".article-body").bounding_box()["y"]  # type: ignore[index]

    screenshot(page, tmp_path, "article")
    assert watched.errors == [], "the browser reported errors (a /favicon.ico 404 counts: readers' browsers log it too)"
    assert watched.failed == []
    assert watched.external_requests(server) == [LEAD_IMAGE]


def test_article_links_its_atom_feed_which_carries_the_article(watched: Watched, server: str) -> None:
    page = open_article_from_index(watched, server)

    visible = page.locator('a[href$="/feed.atom"]')
    assert visible.count() >= 1, "no <a> to /feed.atom on the article page"
    assert visible.first.is_visible(), "the link to /feed.atom is not visible"
    autodiscovery = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert autodiscovery.count() >= 1, "no Atom autodiscovery <link> in the article's head"

    for href in (visible.first.get_attribute("href"), autodiscovery.first.get_attribute("href")):
        url = urljoin(page.url, href or "")
        assert urlsplit(url).path == "/feed.atom", url
        assert urlsplit(url).netloc == urlsplit(server).netloc, f"feed link {url} is not on this server"
        response = page.request.get(url)
        assert response.status == 200, f"GET {url} answered {response.status}"
        assert "xml" in response.headers.get("content-type", ""), response.headers.get("content-type")
        root = ET.fromstring(response.body())
        assert root.tag == f"{ATOM_NS}feed", root.tag
        titles = [squash("".join(entry.itertext())) for entry in root.iter(f"{ATOM_NS}title")]
        assert HEADLINE in titles, f"{HEADLINE!r} not among the feed's titles {titles}"

    assert watched.errors == [], "the browser reported errors (a /favicon.ico 404 counts: readers' browsers log it too)"
    assert watched.external_requests(server) == [LEAD_IMAGE]


def test_reader_pages_back_through_older_articles(watched: Watched, paged_server: str, tmp_path: Path) -> None:
    page = watched.page
    response = page.goto(paged_server + "/")
    assert response is not None and response.status == 200
    # Each page loads whole (its icon too) before the next click, as a reader's does: a click that leaves
    # while the icon is still on its way cancels it (net::ERR_ABORTED), which is the browser's doing, not ours.
    page.wait_for_load_state("networkidle")
    nav = page.get_by_role("navigation", name="Pages")
    assert nav.is_visible(), "no page navigation on a site of three pages"
    assert "Page 1 of 3" in squash(nav.inner_text())
    assert page.get_by_role("link", name=HEADLINE).is_visible()
    assert page.get_by_role("link", name="Newer articles").count() == 0

    for number, headline in ((2, OLDER_HEADLINES[0]), (3, OLDER_HEADLINES[1])):
        page.get_by_role("link", name="Older articles").click()
        page.wait_for_url(re.compile(rf"/page/{number}$"))
        page.wait_for_load_state("networkidle")
        assert f"Page {number}" in page.title()
        assert f"Page {number} of 3" in squash(page.get_by_role("navigation", name="Pages").inner_text())
        assert page.get_by_role("link", name=headline).is_visible(), f"{headline!r} is not on page {number}"
        assert page.get_by_role("link", name=HEADLINE).count() == 0, "the newest article is on an older page"
        canonical = page.locator('head link[rel="canonical"]').get_attribute("href") or ""
        assert urlsplit(canonical).path == f"/page/{number}"
    assert page.get_by_role("link", name="Older articles").count() == 0, "the last page links an older one"
    screenshot(page, tmp_path, "page-3")

    page.get_by_role("link", name="Newer articles").click()
    page.wait_for_url(re.compile(r"/page/2$"))
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name=OLDER_HEADLINES[0]).click()
    page.wait_for_url(re.compile(r"/articles/tram-line/?$"))
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).first.inner_text().strip() == OLDER_HEADLINES[0]
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Newer articles").click()
    page.wait_for_url(paged_server + "/")
    assert page.get_by_role("link", name=HEADLINE).is_visible()

    assert watched.errors == [], "the browser reported errors (a /favicon.ico 404 counts: readers' browsers log it too)"
    assert watched.failed == []
    assert watched.external_requests(paged_server) == []
