"""web/cards.py: Open Graph, Twitter cards and schema.org JSON-LD, read back from served pages by extruct."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask, render_template
from flask.testing import FlaskClient
from markupsafe import Markup

from feedsvc.app import create_app
from feedsvc.web.cards import article_card, og_locale, script_json
from support.factories import make_article, make_site
from support.paths import FIXTURES, SAMPLE_CONTENT
from support.sites import copy_site
from support.structured_data import article_problems, schema_problems, structured_data

BASE = "https://news.example.org"
LIBRARY = "article-with-sidecar-overrides"  # Grace Hopper and Alan Turing, tag Culture
# what a plain-text title may hold once the loader has taken markup out of it (text.strip_markup)
HOSTILE_TITLE = 'Why 2 < 3 & 5 > 4: "quoted" <3'


@pytest.fixture
def client(content_dir: Path) -> FlaskClient:
    """The fixture site with an icon and a logo, a lead image on one article and a title written to break out."""
    shutil.copy(FIXTURES / "pictures" / "icon-128.png", content_dir / "icon.png")
    shutil.copy(FIXTURES / "pictures" / "logo-144x48.png", content_dir / "logo.png")
    with (content_dir / "site.toml").open("a", encoding="utf-8") as toml:
        toml.write('icon = "icon.png"\nlogo = "logo.png"\n')
    with (content_dir / "articles" / f"{LIBRARY}.toml").open("a", encoding="utf-8") as sidecar:
        sidecar.write('image = "https://news.example.org/media/library.jpg"\n')
    (content_dir / "articles" / "hostile.html").write_text(
        "<article><h1>x</h1><p>A paragraph long enough to be published as the opening of an article.</p></article>",
        encoding="utf-8",
    )
    (content_dir / "articles" / "hostile.toml").write_text(
        f"title = {json.dumps(HOSTILE_TITLE)}\npublished = 2024-03-01T09:00:00\n", encoding="utf-8"
    )
    return create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()


def _read(client: FlaskClient, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    return structured_data(response.get_data(as_text=True), BASE + path)


def test_an_article_page_is_a_complete_news_article_for_google_and_schema_org(client: FlaskClient) -> None:
    data = _read(client, f"/articles/{LIBRARY}")
    (item,) = data["json-ld"]
    assert article_problems(item) == []
    assert schema_problems(item) == []
    assert item["@type"] == "NewsArticle"
    assert item["headline"] == "Library extends its opening hours"
    assert item["description"] == "Longer weekday hours and a homework club."
    assert item["image"] == [{"@type": "ImageObject", "url": "https://news.example.org/media/library.jpg"}]
    # site.toml's timezone is Europe/London: the sidecar's 08:00 in February is +00:00
    assert item["datePublished"] == "2024-02-10T08:00:00+00:00"
    assert item["author"] == [
        {"@type": "Person", "name": "Grace Hopper", "url": f"{BASE}/authors/grace-hopper"},
        {"@type": "Person", "name": "Alan Turing", "url": f"{BASE}/authors/alan-turing"},
    ]
    assert item["publisher"] == {
        "@type": "Organization",
        "name": "Example Gazette",
        "url": f"{BASE}/",
        "logo": {"@type": "ImageObject", "url": f"{BASE}/logo.png", "width": 144, "height": 48},
    }
    assert item["mainEntityOfPage"] == {"@type": "WebPage", "@id": f"{BASE}/articles/{LIBRARY}"}
    assert (item["inLanguage"], item["keywords"]) == ("en", "Culture")


def test_an_article_page_has_open_graph_and_a_large_image_twitter_card(client: FlaskClient) -> None:
    data = _read(client, f"/articles/{LIBRARY}")
    og = data["og"]
    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["Library extends its opening hours"]
    assert og["og:description"] == ["Longer weekday hours and a homework club."]
    assert og["og:url"] == [f"{BASE}/articles/{LIBRARY}"]
    assert og["og:image"] == ["https://news.example.org/media/library.jpg"]
    assert (og["og:site_name"], og["og:locale"]) == (["Example Gazette"], ["en"])
    assert og["article:published_time"] == ["2024-02-10T08:00:00+00:00"]
    assert og["article:modified_time"] == [data["json-ld"][0]["dateModified"]]
    assert og["article:author"] == [f"{BASE}/authors/grace-hopper", f"{BASE}/authors/alan-turing"]
    assert og["article:tag"] == ["Culture"]
    assert data["twitter"] == {"twitter:card": "summary_large_image"}


def test_an_article_without_a_lead_image_gets_a_summary_card_with_the_logo(client: FlaskClient) -> None:
    data = _read(client, "/articles/article-oldest-with-time-element")
    assert data["twitter"] == {"twitter:card": "summary"}
    assert data["og"]["og:image"] == [f"{BASE}/logo.png"]
    assert (data["og"]["og:image:width"], data["og"]["og:image:height"]) == (["144"], ["48"])
    assert data["og"]["og:image:alt"] == ["Example Gazette"]
    assert "image" not in data["json-ld"][0]  # the site's logo is not the article's picture


def _script(html: str) -> str:
    head = html.split("</head>", 1)[0]
    assert head.count("<script") == 1
    return head.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]


def test_a_lead_image_gives_its_size_and_alt_text_where_the_page_says_them(client: FlaskClient) -> None:
    data = _read(client, "/articles/article-with-jsonld-tags-and-author")  # its body's figure, with alt and caption
    og = data["og"]
    assert og["og:image"] == ["https://news.example.org/images/bridge.jpg"]
    assert og["og:image:alt"] == ["The reopened bridge"]
    assert "og:image:width" not in og  # the page does not say it: never guessed
    assert data["twitter"] == {"twitter:card": "summary_large_image", "twitter:image:alt": "The reopened bridge"}
    (item,) = data["json-ld"]
    assert item["image"] == [
        {"@type": "ImageObject", "url": "https://news.example.org/images/bridge.jpg", "caption": "The bridge at dawn."}
    ]
    assert article_problems(item) == [] and schema_problems(item) == []


def test_json_ld_escapes_angle_brackets_and_ampersands_of_a_served_title(client: FlaskClient) -> None:
    html = client.get("/articles/hostile").get_data(as_text=True)
    script = _script(html)
    assert "<" not in script and ">" not in script and "&" not in script  # each a \\u escape
    (item,) = structured_data(html, f"{BASE}/articles/hostile")["json-ld"]
    assert item["headline"] == HOSTILE_TITLE  # the same text, back through a JSON parser


def test_a_title_holding_a_script_end_tag_cannot_break_out_of_the_json_ld(app: Flask) -> None:
    # The loader never lets markup into a title; the page must hold even if something else did.
    title = 'Bridge </script><script>alert("x")</script> <!-- & </SCRIPT >'
    site = make_site(title="</script><b>Gazette</b>")
    article = make_article("breakout", 3, title=title, summary="</script><script>alert(1)</script>")
    with app.test_request_context("/articles/breakout"):
        html = render_template(
            "article.html", site=site, article=article, body=lambda: (Markup("<p>Body</p>"), None),
            card=article_card(article, site), feeds=(),
        )  # fmt: skip
    page = BeautifulSoup(html, "html.parser")
    assert [s.get("type") for s in page.find_all("script")] == ["application/ld+json"]
    (item,) = structured_data(html, f"{BASE}/articles/breakout")["json-ld"]
    assert item["headline"] == title
    assert item["description"] == "</script><script>alert(1)</script>"
    assert item["publisher"]["name"] == "</script><b>Gazette</b>"


def test_script_json_escapes_what_html_script_data_may_not_hold() -> None:
    text = script_json({"t": "</script><!--&"})
    assert str(text) == '{"t":"\\u003c/script\\u003e\\u003c!--\\u0026"}'
    assert json.loads(str(text)) == {"t": "</script><!--&"}


def test_the_home_page_is_the_website_listing_its_articles(client: FlaskClient) -> None:
    data = _read(client, "/")
    (item,) = data["json-ld"]
    assert schema_problems(item) == []
    assert (item["@type"], item["name"], item["url"]) == ("WebSite", "Example Gazette", f"{BASE}/")
    assert item["publisher"]["logo"]["url"] == f"{BASE}/logo.png"
    listed = item["mainEntity"]["itemListElement"]
    assert {f"{BASE}/articles/hostile", f"{BASE}/articles/{LIBRARY}"} <= {entry["url"] for entry in listed}
    assert [entry["position"] for entry in listed] == list(range(1, len(listed) + 1))
    assert data["og"]["og:type"] == ["website"]
    assert data["og"]["og:url"] == [f"{BASE}/"]
    assert data["twitter"] == {"twitter:card": "summary"}


@pytest.mark.parametrize(
    ("path", "name", "listed"),
    [
        ("/tags/culture", "Culture", [f"{BASE}/articles/{LIBRARY}"]),
        ("/authors/alan-turing", "Articles by Alan Turing", [f"{BASE}/articles/{LIBRARY}"]),
        ("/authors", "Authors · Example Gazette", None),
        ("/tags", "Tags · Example Gazette", None),
        ("/feeds", "Feeds · Example Gazette", None),
    ],
)
def test_list_pages_are_collection_pages_of_the_website(
    client: FlaskClient, path: str, name: str, listed: list[str] | None
) -> None:
    data = _read(client, path)
    (item,) = data["json-ld"]
    assert schema_problems(item) == []
    assert (item["@type"], item["name"], item["url"]) == ("CollectionPage", name, BASE + path)
    assert item["isPartOf"]["@type"] == "WebSite"
    urls = [entry["url"] for entry in item["mainEntity"]["itemListElement"]]
    assert urls == listed if listed is not None else urls and all(url.startswith(BASE) for url in urls)
    assert data["og"]["og:type"] == ["website"]
    assert data["og"]["og:url"] == [BASE + path]


def test_an_imported_articles_card_points_where_its_canonical_link_does(content_dir: Path) -> None:
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content_dir)}).test_client()
    response = client.get("/articles/article-with-jsonld-tags-and-author")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    canonical = page.find("link", rel="canonical")["href"]
    data = structured_data(response.get_data(as_text=True), BASE)
    assert data["og"]["og:url"] == [canonical]
    assert data["json-ld"][0]["url"] == data["json-ld"][0]["mainEntityOfPage"]["@id"] == canonical


@pytest.mark.parametrize(
    ("language", "locale"), [("en", "en"), ("en-GB", "en_GB"), ("sr-Latn-RS", "sr_RS"), ("zh-Hant", "zh")]
)
def test_open_graph_locale_is_language_and_territory(language: str, locale: str) -> None:
    assert og_locale(language) == locale


def test_the_sample_sites_seed_article_carries_a_complete_card(tmp_path: Path) -> None:
    content = copy_site(tmp_path / "content", SAMPLE_CONTENT)
    client = create_app({"TESTING": True, "CONTENT_DIR": str(content)}).test_client()
    site = client.application.extensions["feedsvc"].snapshot.catalog.site
    (article,) = client.application.extensions["feedsvc"].snapshot.catalog.articles
    response = client.get(f"/articles/{article.slug}")
    data = structured_data(response.get_data(as_text=True), site.url(f"/articles/{article.slug}"))
    (item,) = data["json-ld"]
    assert article_problems(item) == [] and schema_problems(item) == []
    assert item["image"][0]["url"] == data["og"]["og:image"][0] == article.image.url
    assert (data["og"]["og:image:width"], data["og"]["og:image:height"]) == (["1200"], ["630"])
    assert item["image"][0]["width"] == 1200 and item["image"][0]["height"] == 630
    assert item["publisher"]["logo"] == {"@type": "ImageObject", "url": site.url("/logo.png"), "width": 144,
                                         "height": 48}  # fmt: skip
    assert data["twitter"]["twitter:card"] == "summary_large_image"
    assert data["og"]["article:published_time"] == ["2021-11-23T00:00:00+04:00"]
