"""Nothing executes, in a real browser: every hostile article opened in headless Chromium.

Serves a site whose articles each hold one vector of
``tests/fixtures/hostile/xss_vectors.txt`` (and one of ``metadata_vectors.txt``)
with the real ``feedsvc serve``, then opens every article page twice:

- with the page's Content-Security-Policy switched off (``bypass_csp``), so
  the sanitiser alone must make it inert: after load, every element gets
  mouse, focus, error, load and toggle events, and no payload may have run
  (``window.__pwned`` unset, no dialog);
- as served, with CSP on: no CSP violation may even be reported (nothing
  tried to run) and no request may leave 127.0.0.1.

Every request to another host is aborted and recorded, so nothing leaves the
machine whatever a vector does; only images an article shows may point
elsewhere (a page's images live on its own host; CSP ``img-src http: https:``). Same skip rules as ``tests/integration/test_browser.py``:
skipped without Chromium or Playwright, a failure under CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from support.hostile_vectors import BODY_VECTORS, METADATA_VECTORS, article_page, metadata_page
from support.servers import feedsvc_serve
from support.sites import blank_site

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000
# Fire what inline handlers listen for; a click only where it cannot navigate away.
PROVOKE = """() => {
  const kinds = ["mouseover", "mouseenter", "mousemove", "focus", "focusin", "blur", "error", "load",
                 "toggle", "animationstart", "transitionend", "pointerover", "beforetoggle", "close"];
  for (const element of document.querySelectorAll("*")) {
    for (const kind of kinds) {
      try { element.dispatchEvent(new Event(kind)); } catch (error) {}
    }
    if (!element.closest("a, form")) {
      try { element.dispatchEvent(new MouseEvent("click", {bubbles: false})); } catch (error) {}
    }
  }
  return document.querySelectorAll("*").length;
}"""


@dataclass
class Site:
    base: str
    slugs: dict[str, str]  # slug -> vector id


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    # base_url names this machine: the links follow the port the server picks
    base = "http://127.0.0.1:8000"
    content = blank_site(
        tmp_path_factory.mktemp("xss-browser") / "content",
        f'title = "Hostile"\nbase_url = "{base}"\nid_authority = "example.org,2024"\ndefault_author = "Desk"\n'
        "entries_per_feed = 1000\nfeed_max_bytes = 100000000\narticles_per_page = 1000\n",  # all on the index
    )
    articles = content / "articles"
    slugs: dict[str, str] = {}
    for number, vector in enumerate(BODY_VECTORS, 1):
        slug = f"body-{number:03d}"
        slugs[slug] = vector.id
        (articles / f"{slug}.html").write_text(article_page(vector.body, f"Vector {number}"), encoding="utf-8")
        (articles / f"{slug}.toml").write_text("published = 2024-03-05T09:30:00Z\n", encoding="utf-8")
    for number, vector in enumerate(METADATA_VECTORS, 1):
        slug = f"meta-{number:03d}"
        slugs[slug] = vector.id
        page, sidecar = metadata_page(vector)
        (articles / f"{slug}.html").write_text(page, encoding="utf-8")
        (articles / f"{slug}.toml").write_text(sidecar, encoding="utf-8")
    with feedsvc_serve(content, content.parent / "serve.log") as served:
        yield Site(served.url, slugs)


@dataclass
class Seen:
    dialogs: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # requests to anywhere but the server, not images (aborted)
    images: list[str] = field(default_factory=list)  # images of the articles' own hosts (aborted too)
    csp: list[str] = field(default_factory=list)  # CSP violations the page reported
    errors: list[str] = field(default_factory=list)


def open_context(browser: Browser, base: str, bypass_csp: bool) -> tuple[Page, Seen]:
    context = browser.new_context(bypass_csp=bypass_csp, java_script_enabled=True)
    seen = Seen()
    origin = urlsplit(base).netloc

    def guard(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == origin:
            route.continue_()
            return
        if route.request.resource_type == "image":
            # an <img> the article shows (its own host, or the one its <base href> named):
            # allowed content (CSP img-src http: https:), aborted here all the same
            seen.images.append(url)
        else:
            seen.left.append(f"{route.request.resource_type} {url}")
        route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on(
        "console",
        lambda message: seen.csp.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page, seen


def test_no_vector_runs_even_without_csp(browser: Browser, site: Site) -> None:
    page, seen = open_context(browser, site.base, bypass_csp=True)
    ran: dict[str, object] = {}
    for slug, vector in site.slugs.items():
        response = page.goto(f"{site.base}/articles/{slug}", wait_until="load")
        assert response is not None and response.status == 200, slug
        page.evaluate(PROVOKE)
        page.wait_for_timeout(30)  # timers, animations and toggles fire asynchronously
        flag = page.evaluate("() => window.__pwned")
        if flag is not None:
            ran[vector] = flag
    page.context.close()
    assert ran == {}, f"payloads ran: {ran}"
    assert seen.dialogs == [], seen.dialogs
    assert seen.left == [], f"requests left 127.0.0.1: {seen.left}"


def test_as_served_nothing_even_tries_to_run_or_load(browser: Browser, site: Site) -> None:
    page, seen = open_context(browser, site.base, bypass_csp=False)
    for path in ["/", "/feed.atom", *(f"/articles/{slug}" for slug in site.slugs)]:
        response = page.goto(f"{site.base}{path}", wait_until="load")
        assert response is not None and response.status == 200, path
        if path.startswith("/articles/"):
            assert "script-src" not in (response.headers.get("content-security-policy") or "x")
            assert "default-src 'none'" in response.headers["content-security-policy"]
    page.context.close()
    assert seen.csp == [], f"the CSP had to block something: {seen.csp}"
    assert seen.dialogs == [] and seen.errors == []
    assert seen.left == [], f"requests left 127.0.0.1: {seen.left}"
