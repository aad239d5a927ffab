"""catalog/sitenames.py: a site's name learned from the segment most of its titles end or begin with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from feedsvc.catalog.prepare import prepare_source
from feedsvc.catalog.sitenames import Learned, TitleIndex, learn, strip_learned, title_ends
from feedsvc.model import ArticleSource, PageMetadata, Prepared
from support.catalog_sources import BODY, gazette

HILL = [
    "Senate passes the budget bill | TheHill",
    "Governors meet on water rights | TheHill",
    "A new poll on the midterms | TheHill",
    "Court hears the appeal today",
]


def _item(name: str, title: str, host: str = "thehill.com", own: bool = False) -> Prepared:
    """The prepared form of an imported page from ``host`` titled ``title`` (``own``: by its sidecar)."""
    metadata = PageMetadata(
        title=title, published=datetime(2024, 3, 1, tzinfo=UTC), canonical_url=f"https://{host}/{name}"
    )
    loaded = ArticleSource(
        slug=name, path=Path(f"articles/{name}.html"), html=BODY.format(text="Words of the story, a paragraph."),
        metadata=metadata, origins=(("title", "sidecar" if own else "opengraph"),),
    )  # fmt: skip
    return prepare_source(loaded, gazette(), None, lambda html, base_url=None, rules=None: str(html))


def test_a_tail_most_titles_of_a_host_end_with_is_learned() -> None:
    learned = learn(title_ends(title) for title in HILL)
    assert (learned.tail, learned.tails, learned.titles) == ("thehill", 3, 4)
    assert learned.head is None


def test_a_tail_of_two_titles_or_of_a_minority_is_not_learned() -> None:
    assert learn(title_ends(t) for t in HILL[:2]).tail is None  # two titles: fewer than three
    minority = [*HILL[:3], "One plain title", "Another plain title", "A third plain title", "And a fourth"]
    assert learn(title_ends(t) for t in minority).tail is None  # three of seven: not most


def test_a_learned_tail_comes_off_with_a_note_saying_where_it_came_from() -> None:
    learned = learn(title_ends(title) for title in HILL)
    retitled = strip_learned("Senate passes the budget bill | TheHill", learned, "thehill.com")
    assert retitled is not None and retitled.title == "Senate passes the budget bill"
    assert "'| TheHill' ends most titles from thehill.com" in retitled.note


def test_a_learned_head_comes_off_the_front() -> None:
    titles = ["IGN: Ten best games of the year", "IGN: A review of the new console", "IGN: Patch notes, explained"]
    learned = learn(title_ends(title) for title in titles)
    assert learned.head == "ign"
    retitled = strip_learned(titles[1], learned, "ign.com")
    assert retitled is not None and retitled.title == "A review of the new console"


def test_never_the_whole_title_and_never_down_to_one_word() -> None:
    learned = Learned(titles=4, tail="thehill", tails=3)
    assert strip_learned("TheHill", learned, "thehill.com") is None  # the segment is the whole title
    assert strip_learned("Opinion | TheHill", learned, "thehill.com") is None  # one word would be left
    assert strip_learned("A title without the name", learned, "thehill.com") is None


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(6)), st.permutations(range(6)))
def test_the_same_titles_in_any_order_give_the_same_titles(first: list[int], second: list[int]) -> None:
    items = [_item(f"p{n}", title) for n, title in enumerate([*HILL, "Budget talks stall again | TheHill", "X - Y"])]
    results = []
    for order in (first, second):
        index = TitleIndex()
        for n in order:
            index.put(items[n].path, items[n])
        index.relearn()
        results.append({item.path: index.retitle(item.path) for item in items})
    assert results[0] == results[1]
    assert results[0][Path("articles/p0.html")] is not None


def test_a_title_its_author_set_is_neither_counted_nor_stripped() -> None:
    index = TitleIndex()
    items = [_item(f"p{n}", title) for n, title in enumerate(HILL[:2])]
    items.append(_item("own", "Senate passes the budget bill | TheHill", own=True))
    for item in items:
        index.put(item.path, item)
    index.relearn()
    assert all(index.retitle(item.path) is None for item in items)  # two titles are not three
    index.put(Path("articles/third.html"), _item("third", "Another story from the Hill | TheHill"))
    moved = index.relearn()
    assert moved == {Path("articles/p0.html"), Path("articles/p1.html"), Path("articles/third.html")}
    assert index.retitle(Path("articles/own.html")) is None


def test_titles_of_other_hosts_teach_nothing() -> None:
    index = TitleIndex()
    for n, title in enumerate(HILL[:2]):
        index.put(Path(f"articles/a{n}.html"), _item(f"a{n}", title))
    index.put(Path("articles/b.html"), _item("b", "Another story from the Hill | TheHill", host="example.net"))
    index.relearn()
    assert index.retitle(Path("articles/a0.html")) is None


def test_the_note_names_the_host_as_its_readers_write_it() -> None:
    index = TitleIndex()
    hosts = ["www.bücher.de", "bücher.de", "www.bücher.de."]  # one site, however the canonical URL writes it
    items = [_item(f"p{n}", title, host=hosts[n % 3]) for n, title in enumerate(HILL)]
    for item in items:
        index.put(item.path, item)
    index.relearn()
    retitled = index.retitle(items[0].path)
    assert retitled is not None and "most titles from bücher.de " in retitled.note


def test_removing_titles_unlearns_and_says_which_files_change() -> None:
    index = TitleIndex()
    items = [_item(f"p{n}", title) for n, title in enumerate(HILL)]
    for item in items:
        index.put(item.path, item)
    index.relearn()
    assert index.retitle(items[0].path) is not None
    index.put(items[2].path, None)
    assert index.relearn() == {items[0].path, items[1].path}
    assert index.retitle(items[0].path) is None


# one change of a host's files: (file number, title number; None: the file is removed)
index_changes = st.lists(st.tuples(st.integers(0, 9), st.none() | st.integers(0, 5)), min_size=1, max_size=40)
TITLES = [
    "Senate passes the budget bill | TheHill",
    "Another story | TheHill",
    "IGN: a third story | TheHill",
    "IGN: the fourth one",
    "Plain title of a story",
    "Opinion | TheHill",
]


# prepared once: each change puts one of these (a new object each time a file changes, as a build gives)
ITEMS = {(number, title): _item(f"p{number}", TITLES[title]) for number in range(10) for title in range(len(TITLES))}


@settings(max_examples=80, deadline=None)
@given(index_changes)
def test_the_index_kept_up_to_date_change_by_change_learns_what_learning_afresh_does(
    changes: list[tuple[int, int | None]],
) -> None:
    index = TitleIndex()
    files: dict[Path, Prepared] = {}
    for number, title in changes:
        path = Path(f"articles/p{number}.html")
        item = ITEMS[(number, title)] if title is not None else None
        index.put(path, item)
        if item is None:
            files.pop(path, None)
        else:
            files[path] = item
        index.relearn()
        afresh = TitleIndex()
        for known, made in files.items():
            afresh.put(known, made)
        afresh.relearn()
        assert {p: index.retitle(p) for p in files} == {p: afresh.retitle(p) for p in files}
        assert {h: e.learned for h, e in index.hosts.items()} == {h: e.learned for h, e in afresh.hosts.items()}


def test_fewer_titles_can_make_a_tail_no_page_touched_most() -> None:
    index = TitleIndex()
    for number, title in enumerate([0, 1, 5, 4, 4, 4, 4]):  # three of seven end with the name: not most
        index.put(Path(f"articles/p{number}.html"), ITEMS[(number, title)])
    index.relearn()
    assert index.retitle(Path("articles/p0.html")) is None
    index.put(Path("articles/p3.html"), None)
    index.relearn()
    index.put(Path("articles/p4.html"), None)  # three of five: most, though none of the three changed
    assert index.relearn() == {Path("articles/p0.html"), Path("articles/p1.html"), Path("articles/p2.html")}
    retitled = index.retitle(Path("articles/p0.html"))
    assert retitled is not None and retitled.title == "Senate passes the budget bill"
