#!/usr/bin/env python3
"""Generate a content folder of N realistic article pages for benchmarks.

    python bench/make_corpus.py N DIR [--seed S] [--base-url URL] [--kind pages|fragments]

Deterministic: the same N and seed give the same bytes. Pages follow four
templates seen on real news sites (a CMS page with JSON-LD, an OpenGraph-only
blog page, a page with only visible dates, a bare body fragment with a TOML
sidecar), are 20-150 KB like saved news pages (menus, inline scripts and
styles, ad slots), and carry the boilerplate the cleaner must remove:
donation appeals, "[Read more: ...]" promos, share bars, newsletter boxes.
The text is synthetic (word salad from a fixed vocabulary), not news.

``--kind fragments`` (or ``--fragments``): every article a small fragment
instead, as a site that stores its articles rather than saved pages has
them: 2-5 KB of the article's own markup (a headline, a byline, a date, 3-8
paragraphs of varied text: links, emphasis, a quote, a list, a subheading,
sometimes a figure; and the share bar and appeal the cleaner removes) and a
TOML sidecar with its title, date, authors and tags. Article i is the same
at any N (each article has its own random stream). 10,000 fragments (3.3 KB
on average) took 23 s to write on the project's busy 2-core machine and
take 89 MB of disk (35 MB of bytes in two files an article, each a 4 KB
block or more): 100,000 take about 4 minutes and 0.9 GB.
"""

from __future__ import annotations

import argparse
import html
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

VOCABULARY = (
    "council minister report budget election river bridge market school hospital court police "
    "village city region border trade energy water farmers workers union strike vote parliament "
    "president mayor village road railway port harbour airport museum library festival season "
    "winter summer spring autumn year month week morning evening night officials residents "
    "journalists lawyers doctors teachers students investors company factory mine pipeline "
    "agreement talks meeting summit decision plan project law reform protest statement interview "
    "said announced reported confirmed denied expected planned approved rejected opened closed "
    "new old local national regional international public private small large early late "
    "first second third last several many few most some other same different important"
).split()
TAGS = [
    "Politics",
    "Economy",
    "Culture",
    "Environment",
    "Health",
    "Education",
    "Transport",
    "Justice",
    "Energy",
    "Sport",
    "Science",
    "Media",
    "Armenia",
    "Georgia",
    "Azerbaijan",
]
AUTHORS = [
    "Ana Beridze",
    "Levon Sargsyan",
    "Aysel Mammadova",
    "Giorgi Kapanadze",
    "Mariam Petrosyan",
    "Rustam Aliyev",
    "Nino Tsereteli",
    "Tigran Hovhannisyan",
    "Leyla Huseynova",
    "David Abashidze",
]
APPEAL = (
    '<div class="support-box"><h3>Fierce, independent journalism</h3><p>Every day we are accused of '
    "serving the enemy. Our journalists have been harassed, arrested, beaten, and exiled. You can support "
    'us today for as little as $1 a month.</p><a class="button" href="/support/">Support Us</a></div>'
)
SHARE = (
    '<div class="share-bar"><a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a>'
    '<a href="https://twitter.com/intent/tweet?url={url}">Twitter</a><a href="mailto:?body={url}">Email</a></div>'
)
NEWSLETTER = (
    '<aside class="newsletter-signup"><h4>Get our newsletter</h4><form action="/subscribe">'
    '<input type="email" name="email" placeholder="Your email"><button>Subscribe</button></form></aside>'
)


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def padding(rng: random.Random, target: int) -> str:
    """Inline scripts, styles and menus that real pages carry around the article."""
    parts: list[str] = []
    size = 0
    while size < target:
        kind = rng.randrange(3)
        if kind == 0:
            state = {f"k{i}": sentence(rng, 3, 8) for i in range(40)}
            block = f"<script>window.__STATE__ = {json.dumps(state)};</script>\n"
        elif kind == 1:
            rules = "".join(
                f".c{rng.randrange(10**6)}{{margin:{rng.randrange(40)}px;color:#{rng.randrange(16**6):06x}}}"
                for _ in range(60)
            )
            block = f"<style>{rules}</style>\n"
        else:
            items = "".join(
                f'<li><a href="/section/{rng.choice(VOCABULARY)}-{i}/">{rng.choice(VOCABULARY).title()}</a></li>'
                for i in range(40)
            )
            block = f'<nav class="mega-menu"><ul>{items}</ul></nav>\n'
        parts.append(block)
        size += len(block)
    return "".join(parts)


def article_body(rng: random.Random, slug: str) -> tuple[str, str]:
    """Return (body HTML with inline promo, first paragraph text)."""
    paragraphs = [paragraph(rng) for _ in range(rng.randint(5, 18))]
    blocks = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if len(blocks) > 3:
        promo = (
            f'<p><strong>[Read more: <a href="/{slug}-background/">{html.escape(sentence(rng, 4, 8))}</a>]</strong></p>'
        )
        blocks.insert(rng.randint(2, len(blocks) - 1), promo)
    if rng.random() < 0.5:
        blocks.insert(rng.randint(1, len(blocks) - 1), f"<h2>{html.escape(sentence(rng, 3, 6))}</h2>")
    if rng.random() < 0.4:
        blocks.insert(
            rng.randint(1, len(blocks) - 1),
            f'<figure><img src="/uploads/{slug}.jpg" alt="{html.escape(sentence(rng, 3, 6))}">'
            f"<figcaption>{html.escape(sentence(rng, 5, 10))}</figcaption></figure>",
        )
    return "\n".join(blocks), paragraphs[0]


def fragment_body(rng: random.Random, slug: str) -> str:
    """Return the body of a small fragment: 3-8 blocks of varied text, sometimes a figure."""
    blocks = []
    for _ in range(rng.randint(3, 8)):
        kind = rng.random()
        words = html.escape(paragraph(rng))
        if kind < 0.15:  # a linked phrase and emphasis inside the paragraph
            cut = words.find(" ", len(words) // 3)
            link = f'<a href="/{rng.choice(VOCABULARY)}-{rng.randrange(1000)}/">{html.escape(sentence(rng, 2, 4))}</a>'
            blocks.append(f"<p>{words[:cut]} {link} <em>{html.escape(sentence(rng, 2, 5))}</em>{words[cut:]}</p>")
        elif kind < 0.25:
            blocks.append(f"<blockquote><p>{html.escape(sentence(rng, 10, 20))}</p></blockquote>")
        elif kind < 0.32:
            items = "".join(f"<li>{html.escape(sentence(rng, 4, 9))}</li>" for _ in range(rng.randint(2, 5)))
            blocks.append(f"<ul>{items}</ul>")
        elif kind < 0.4:
            blocks.append(f"<h2>{html.escape(sentence(rng, 3, 6).rstrip('.'))}</h2>")
            blocks.append(f"<p>{words}</p>")
        else:
            blocks.append(f"<p>{words}</p>")
    if rng.random() < 0.3:
        blocks.insert(
            rng.randint(1, len(blocks)),
            f'<figure><img src="/uploads/{slug}.jpg" alt="{html.escape(sentence(rng, 3, 6))}" width="800" '
            f'height="450"><figcaption>{html.escape(sentence(rng, 5, 10))}</figcaption></figure>',
        )
    return "\n".join(blocks)


def make_fragment(index: int, rng: random.Random, base_url: str) -> tuple[str, str, str]:
    """Return (slug, fragment HTML, sidecar TOML) for small article ``index``."""
    title = sentence(rng, 5, 11).rstrip(".")
    slug = f"{index:05d}-" + "-".join(title.lower().split()[:6])
    published = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
    authors = rng.sample(AUTHORS, rng.choice([1, 1, 1, 2]))
    tags = rng.sample(TAGS, rng.randint(1, 4))
    url = f"{base_url}/{slug}/"
    sidecar = (
        f"title = {json.dumps(title)}\npublished = {published.isoformat()}\n"
        f"author = {json.dumps(authors)}\ntags = {json.dumps(tags)}\n"
    )
    furniture = SHARE.format(url=url) + (APPEAL if rng.random() < 0.5 else "")
    page = (
        f"<article>\n<h1>{html.escape(title)}</h1>\n"
        f'<p class="byline">By {html.escape(" and ".join(authors))}</p>\n'
        f'<time datetime="{published.isoformat()}">{published:%d %B %Y}</time>\n'
        f"{fragment_body(rng, slug)}\n{furniture}\n</article>\n"
    )
    return slug, page, sidecar


def make_page(index: int, rng: random.Random, base_url: str) -> tuple[str, str, str | None]:
    """Return (slug, page HTML, sidecar TOML or None) for saved page ``index``."""
    title = sentence(rng, 5, 11).rstrip(".")
    slug = f"{index:05d}-" + "-".join(title.lower().split()[:6])
    published = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(10 * 365 * 24 * 60))
    authors = rng.sample(AUTHORS, rng.choice([1, 1, 1, 2]))
    tags = rng.sample(TAGS, rng.randint(1, 4))
    body, first = article_body(rng, slug)
    url = f"{base_url}/{slug}/"
    target = rng.randint(20_000, 150_000)
    template = index % 4
    furniture = SHARE.format(url=url) + APPEAL + NEWSLETTER
    if template == 3:  # a bare fragment, metadata in the sidecar
        sidecar = (
            "\n".join(
                [
                    f"title = {json.dumps(title)}",
                    f"published = {published.isoformat()}",
                    f"author = {json.dumps(authors)}",
                    f"tags = {json.dumps(tags)}",
                ]
            )
            + "\n"
        )
        page = f"<article>\n<h1>{html.escape(title)}</h1>\n{body}\n{furniture}\n</article>\n" + padding(
            rng, target // 3
        )
        return slug, page, sidecar
    head = [f"<title>{html.escape(title)} | Example Daily</title>", f'<link rel="canonical" href="{url}">']
    byline = f'<p class="byline">By <a rel="author" href="/author/{slug}">{html.escape(" and ".join(authors))}</a></p>'
    date_markup = f'<time datetime="{published.isoformat()}">{published:%d %B %Y}</time>'
    if template == 0:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published.isoformat(),
            "author": [{"@type": "Person", "name": a} for a in authors],
            "keywords": tags,
            "description": first[:200],
        }
        head.append(f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    elif template == 1:
        head += [
            f'<meta property="og:title" content="{html.escape(title)}">',
            f'<meta property="article:published_time" content="{published.isoformat()}">',
            f'<meta name="author" content="{html.escape(", ".join(authors))}">',
        ]
        head += [f'<meta property="article:tag" content="{t}">' for t in tags]
    else:  # visible markup only
        date_markup = f'<span class="date">{published:%d %B %Y}</span>'
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        + "\n".join(head)
        + "\n"
        + padding(rng, target // 2)
        + '</head>\n<body>\n<header class="site-header">'
        + padding(rng, target // 4)
        + '</header>\n<main><article class="post">\n'
        + f'<h1>{html.escape(title)}</h1>\n{byline}\n{date_markup}\n<div class="entry-content">\n{body}\n</div>\n'
        + furniture
        + '\n</article>\n<section class="related"><h3>Related</h3><ul>'
        + "".join(
            f'<li><a href="/{rng.choice(VOCABULARY)}-{i}/">{html.escape(sentence(rng, 4, 8))}</a></li>'
            for i in range(6)
        )
        + '</ul></section></main>\n<footer class="site-footer"><p>© Example Daily</p></footer>\n'
        + padding(rng, target // 4)
        + "</body>\n</html>\n"
    )
    return slug, page, None


KINDS = ("pages", "fragments")


def write_corpus(count: int, target: Path, seed: int, base_url: str, kind: str = "pages") -> None:
    """Write site.toml and ``count`` articles under ``target``."""
    articles = target / "articles"
    articles.mkdir(parents=True, exist_ok=True)
    (target / "site.toml").write_text(
        'title = "Example Daily"\n'
        'subtitle = "A generated corpus for benchmarks"\n'
        f'base_url = "{base_url}"\n'
        'id_authority = "daily.example.org,2015"\n'
        'language = "en"\n'
        'timezone = "Asia/Tbilisi"\n'
        'default_author = "Example Daily"\n'
        "entries_per_feed = 50\n",
        encoding="utf-8",
    )
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")  # per-article stream: article i is the same at any N
        make = make_fragment if kind == "fragments" else make_page
        slug, page, sidecar = make(index, rng, "https://daily.example.org")
        (articles / f"{slug}.html").write_text(page, encoding="utf-8")
        if sidecar:
            (articles / f"{slug}.toml").write_text(sidecar, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many articles")
    parser.add_argument("target", type=Path, help="content folder to write (created)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="site.toml base_url")
    parser.add_argument("--kind", choices=KINDS, default="pages", help="saved pages (default) or small fragments")
    parser.add_argument("--fragments", action="store_const", const="fragments", dest="kind", help="--kind fragments")
    args = parser.parse_args()
    write_corpus(args.count, args.target, args.seed, args.base_url, args.kind)
    print(f"wrote {args.count} articles to {args.target}")


if __name__ == "__main__":
    main()
