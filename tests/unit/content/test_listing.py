"""content/listing.py: a listing kept current from the paths the system reports equals a full scan of the folder."""

from __future__ import annotations

from pathlib import Path

from feedsvc.content.listing import refreshed, relevant, scan
from support.factories import write_article


def test_reported_paths_bring_a_listing_to_what_a_full_scan_sees(content_dir: Path) -> None:
    root = content_dir.resolve()
    before = scan(content_dir)
    articles = root / "articles"
    added = write_article(content_dir, "new-story", "2024-05-02T10:00:00")
    edited = sorted(p for p in articles.glob("*.html") if p != added)[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "<p>An added paragraph.</p>", encoding="utf-8")
    removed = sorted(p for p in articles.glob("*.html") if p not in (added, edited))[0]
    removed.unlink()
    (articles / "a-folder.html").mkdir()  # not a file: listed among the others, as scan() does
    (root / "site.toml").write_text((root / "site.toml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    paths = [added, added.with_suffix(".toml"), edited, removed, articles / "a-folder.html", root / "site.toml"]
    after = refreshed(before, root, [str(p) for p in paths])
    assert after is not None
    assert after == scan(content_dir)  # every signature, the site's, the others
    assert "new-story.html" in after.units and removed.name not in after.units
    assert after.units[edited.name] != before.units[edited.name]


def test_a_path_reported_but_unchanged_or_not_an_input_changes_nothing(content_dir: Path) -> None:
    root = content_dir.resolve()
    before = scan(content_dir)
    (root / "articles" / ".story.html.swp").write_text("editor state", encoding="utf-8")
    paths = [root / "articles" / ".story.html.swp", root / ".feedsvc" / "cache" / "x", root / "elsewhere.txt"]
    page = sorted((root / "articles").glob("*.html"))[0]
    assert refreshed(before, root, [*map(str, paths), str(page), "/not/in/the/folder"]) == before


def test_a_folder_itself_changing_asks_for_a_full_scan(content_dir: Path) -> None:
    root = content_dir.resolve()
    listing = scan(content_dir)
    for folder in (root, root / "articles", root / "rules"):
        assert refreshed(listing, root, [str(folder)]) is None
    broken = scan(root / "missing")  # a listing with faults is never patched: a folder was unreadable
    assert broken.faults and refreshed(broken, root / "missing", [str(root / "missing" / "site.toml")]) is None


def test_only_inputs_are_relevant_not_the_builds_own_files(tmp_path: Path) -> None:
    assert relevant(tmp_path, str(tmp_path / "site.toml"))
    assert relevant(tmp_path, str(tmp_path / "articles" / "story.html"))
    assert relevant(tmp_path, str(tmp_path / "rules" / "example.org.toml"))
    assert relevant(tmp_path, str(tmp_path / "articles"))
    assert not relevant(tmp_path, str(tmp_path / "notes.txt"))
    assert not relevant(tmp_path, str(tmp_path / ".feedsvc" / "cache" / "build.sqlite"))
    assert not relevant(tmp_path, str(tmp_path / "articles" / ".hidden" / "x.html"))
    assert not relevant(tmp_path, str(tmp_path / "articles" / "deeper" / "x.html"))
    assert not relevant(tmp_path, "/elsewhere/site.toml")
