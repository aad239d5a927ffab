"""What the meta and link tags say (the "opengraph" source), through ``extract_metadata``."""

from __future__ import annotations

from datetime import datetime

from feedsvc.model import Image, PageMetadata
from support.page_sources import TBILISI, fixture, plus, sources


def test_opengraph_and_meta_tags() -> None:
    found = fixture("article_with_opengraph.html")["opengraph"]
    assert found == PageMetadata(
        title="Pashinyan, Aliyev & Putin to hold summit in Sochi",
        published=datetime(2021, 11, 23, 15, 30, tzinfo=plus(4)),
        updated=datetime(2021, 11, 23, 18, 0, tzinfo=TBILISI),
        authors=("Ana Tsurtsumia",),  # article:author is a profile URL, not a name
        summary="The Kremlin has announced a tripartite meeting.",
        tags=("Armenia", "Azerbaijan"),  # article:tag wins over keywords; "armenia" is a repeat
        canonical_url="https://oc-media.org/pashinyan-aliyev-and-putin-to-hold-summit-in-sochi/",
        language="ka",  # <html lang> wins over og:locale
        image=Image("https://oc-media.org/images/sochi.jpg", origin="opengraph"),
    )


def test_opengraph_falls_back_to_og_url_and_og_locale() -> None:
    html = (
        '<html><head><meta property="og:url" content="https://oc-media.org/x/">'
        '<meta property="og:locale" content="en_GB"><meta name="description" content="Plain"></head></html>'
    )
    found = sources(html)["opengraph"]
    assert (found.canonical_url, found.language, found.summary) == ("https://oc-media.org/x/", "en-GB", "Plain")


def test_relative_canonical_and_image_urls_are_dropped() -> None:
    html = '<head><link rel="canonical" href="/x/"><meta property="og:image" content="/a.jpg"></head>'
    found = sources(html)["opengraph"]
    assert (found.canonical_url, found.image) == (None, None)
