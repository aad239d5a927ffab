"""Preview cards, seen: the article page, the card a chat app draws from its Open Graph, and /feeds, in Chromium.

Serves a copy of the sample content with ``feedsvc serve`` and opens it in
Debian's headless Chromium (tests/integration/conftest.py). The seed
article's lead image lives on its publisher's host, which a test machine
cannot reach: requests there are answered with a picture from
tests/fixtures/pictures, as a CDN would answer them. Asserts on what is
rendered (visible text, the rendered size of image elements, images that
loaded), and keeps full-page screenshots (``TEST_SCREENSHOT_DIR`` copies
them out).
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from support.paths import FIXTURES, SAMPLE_CONTENT
from support.servers import feedsvc_serve
from support.sites import copy_site

pytestmark = pytest.mark.browser

SLUG = "pashinyan-aliyev-and-putin-to-hold-summit-in-sochi"
HEADLINE = "Pashinyan, Aliyev, and Putin to hold summit in Sochi"
LEAD_HOST = "https://oc-media.org/"
# what the "CDN" answers for the lead image: a picture of the shape the page declares (1200x630), smaller
STAND_IN = FIXTURES / "pictures" / "lead-240x126.jpg"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    content = copy_site(tmp_path_factory.mktemp("cards") / "content", SAMPLE_CONTENT)
    with feedsvc_serve(content, content.parent / "serve.log") as served:
        yield served.url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    def stand_in(route: Route) -> None:
        route.fulfill(status=200, content_type="image/jpeg", body=STAND_IN.read_bytes())

    opened.route(f"{LEAD_HOST}**", stand_in)
    try:
        yield opened
        assert errors == []
    finally:
        context.close()


def _screenshot(page: Page, directory: Path, name: str) -> Path:
    path = directory / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("TEST_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def _rendered(page: Page, selector: str) -> dict[str, float]:
    """The rendered box of the first element matching ``selector`` and, for an image, its loaded pixel width."""
    element = page.locator(selector).first
    element.wait_for(state="visible")
    box = element.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    loaded = element.evaluate("e => e.complete ? e.naturalWidth : -1")
    return {"width": box["width"], "height": box["height"], "natural_width": loaded}


def _open_graph(page: Page) -> dict[str, str]:
    pairs = page.eval_on_selector_all(
        "meta[property^='og:']", "metas => metas.map(m => [m.getAttribute('property'), m.content])"
    )
    found: dict[str, str] = {}
    for name, value in pairs:
        found.setdefault(name, value)  # the first of a repeated property, as preview makers take it
    return found


def test_the_article_page_shows_its_title_lead_image_and_logo(page: Page, base: str, tmp_path: Path) -> None:
    response = page.goto(f"{base}/articles/{SLUG}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("load")
    _screenshot(page, tmp_path, "article")
    assert page.locator("article h1").inner_text() == HEADLINE
    lead = _rendered(page, "figure.lead-image img")
    assert lead["width"] > 300 and lead["height"] > 100  # laid out at its declared 1200x630, scaled to the column
    assert abs(lead["width"] / lead["height"] - 1200 / 630) < 0.02
    assert lead["natural_width"] == 240  # and the picture itself loaded
    logo = _rendered(page, ".masthead img.site-logo")
    assert logo["natural_width"] == 144 and 30 <= logo["height"] <= 48  # at most its own size, in the masthead
    assert logo["width"] / logo["height"] == 144 / 48
    og = _open_graph(page)
    assert og["og:title"] == HEADLINE
    assert og["og:image"] == page.locator("figure.lead-image img").get_attribute("src")
    assert page.locator("link[rel=icon]").get_attribute("href") == f"{base}/icon.png"


def test_the_card_a_chat_app_draws_from_its_open_graph(page: Page, base: str, tmp_path: Path) -> None:
    page.goto(f"{base}/articles/{SLUG}")
    og = _open_graph(page)
    card = f"""<!doctype html><meta charset="utf-8">
<style>body {{ font: 15px system-ui, sans-serif; margin: 24px; background: #eef0f3; }}
.card {{ width: 520px; border-radius: 10px; overflow: hidden; background: #fff; box-shadow: 0 1px 4px #0003; }}
.card img {{ display: block; width: 100%; aspect-ratio: {og["og:image:width"]} / {og["og:image:height"]}; object-fit: cover; }}
.card div {{ padding: 10px 14px; }} .site {{ color: #666; font-size: 13px; }} h1 {{ font-size: 17px; margin: 4px 0; }}
p {{ margin: 0; color: #333; }}</style>
<div class="card"><img src="{html.escape(og["og:image"])}" alt="">
<div><span class="site">{html.escape(og["og:site_name"])}</span><h1>{html.escape(og["og:title"])}</h1>
<p>{html.escape(og["og:description"])}</p></div></div>"""
    page.goto("about:blank")  # a page of its own, not under the site's Content-Security-Policy
    page.set_content(card, wait_until="load")
    _screenshot(page, tmp_path, "card")
    image = _rendered(page, ".card img")
    assert image["width"] == 520 and image["height"] > 250 and image["natural_width"] == 240
    assert page.locator(".card h1").inner_text() == HEADLINE
    assert page.locator(".card .site").inner_text() == "OC Media"
    assert page.locator(".card p").inner_text().startswith("The Kremlin has announced")


def test_the_feeds_page_shows_every_feed_url_to_copy(page: Page, base: str, tmp_path: Path) -> None:
    response = page.goto(f"{base}/feeds")
    assert response is not None and response.status == 200
    _screenshot(page, tmp_path, "feeds")
    assert page.locator("main h1").inner_text() == "Feeds"
    urls = page.locator(".feed-url")
    shown = [urls.nth(n).inner_text() for n in range(urls.count())]
    assert shown[:3] == [f"{base}/feed.atom", f"{base}/feed.rss", f"{base}/feed.json"]
    assert len(shown) == len(set(shown)) and len(shown) % 3 == 0 and len(shown) > 3  # the site, 8 tags, 1 author
    for n in range(urls.count()):
        link = urls.nth(n)
        assert link.is_visible() and link.get_attribute("href") == shown[n].removeprefix(base)
        box = link.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1200  # no URL runs off the page
    assert [page.locator("h2 a").nth(n).inner_text() for n in range(2)] == ["Tags", "Authors"]
    assert page.locator(".masthead img.site-logo").is_visible()


def test_the_tag_list_shows_each_tag_with_its_count(page: Page, base: str, tmp_path: Path) -> None:
    page.goto(f"{base}/tags")
    _screenshot(page, tmp_path, "tags")
    rows = page.locator(".facet-index li")
    texts = [" ".join(rows.nth(n).inner_text().split()) for n in range(rows.count())]
    # the seven subjects the page tags; its JSON-LD articleSection "News" is a section, no tag
    assert "Armenia 1 article · feed" in texts and len(texts) == 7
