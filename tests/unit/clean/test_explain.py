"""clean_html_explained, the terminal explanation, the HTML report and `feedsvc clean --explain`."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from feedsvc.clean import clean_html, clean_html_explained, dom
from feedsvc.clean.explain import STAGES, format_removals
from feedsvc.clean.report import render_report
from feedsvc.cli.main import main
from support.paths import FIXTURES as FIXTURES_DIR
from support.paths import REPO

FIXTURES = FIXTURES_DIR / "clean"
SAMPLE_URL = "https://oc-media.org/pashinyan-aliyev-and-putin-to-hold-summit-in-sochi/"
FIXTURE = FIXTURES / "oc_media_article_with_appeal_and_promo.html"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_explained_output_is_clean_html_output() -> None:
    for path in sorted(FIXTURES.glob("*.html")):
        html = read(path)
        out, removals = clean_html_explained(html, SAMPLE_URL)
        assert out == clean_html(html, SAMPLE_URL), path.name
        assert all(r.stage in STAGES for r in removals)


def test_a_removed_box_is_described_by_what_a_reader_saw_of_it_not_by_its_scripts_and_styles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The footer's style and script were its text (excerpt and size), and a <nav> holding only a
    # script was listed as a visible block quoting the code; now they are what the page showed.
    code = "googletag.cmd.push(function () { googletag.display('slot-1'); });"
    prose = "".join(
        f"<p>The council met on day {i} and voted to extend the harbour wall after a debate.</p>" for i in range(8)
    )
    page = (
        f"<html><head><title>Harbour wall</title></head><body><nav><script>{code}</script></nav>"
        f"<article>{prose}</article><footer><p>Harbour News 2026</p><style>footer p {{ color: grey }}</style>"
        f"<script>{code}</script></footer></body></html>"
    )

    def pruned(tag: str) -> tuple[str, int, bool]:
        (removal,) = [r for r in clean_html_explained(page, SAMPLE_URL)[1] if r.tag == tag]
        return removal.excerpt, removal.chars, removal.visible

    assert pruned("footer") == ("Harbour News 2026", 17, True)
    assert pruned("nav") == ("", 0, False)  # summarised as never visible, with the page's scripts
    assert "not visible to readers: <head>, <nav>" in format_removals(clean_html_explained(page, SAMPLE_URL)[1])
    monkeypatch.setattr(dom, "DISABLED", frozenset({"script_text"}))
    assert pruned("footer")[0].startswith("Harbour News 2026footer p { color: grey }googletag")
    assert pruned("nav") == (code, len(code), True)


def test_explain_names_the_appeal_and_the_promo_with_their_stage() -> None:
    _, removals = clean_html_explained(read(FIXTURE), SAMPLE_URL)
    appeal = [r for r in removals if "Fierce, independent journalism" in r.excerpt]
    promo = [r for r in removals if r.excerpt.startswith("[Read more:")]
    assert [(r.stage, r.reason.split(" (")[0]) for r in appeal] == [("boilerplate", "appeal")]
    assert [(r.stage, r.reason.split(" (")[0]) for r in promo] == [("boilerplate", "promo of another story")]
    assert "as little as $" in appeal[0].reason  # the phrases that gave it away
    assert appeal[0].where.endswith("div.wp-block-group.has-background")


def test_a_removal_keeps_all_its_text_with_list_items_apart() -> None:
    items = "".join(f'<li><a href="/{i}">Older story number {i} on the harbour</a></li>' for i in range(6))
    prose = "<p>The council met on Tuesday and voted to extend the harbour wall after a long debate.</p>" * 8
    html = f"<div>{prose}<ul>{items}</ul></div>"
    _, removals = clean_html_explained(html, SAMPLE_URL)
    (links,) = [r for r in removals if r.tag == "ul"]
    assert links.text == " ".join(f"Older story number {i} on the harbour" for i in range(6))
    assert links.excerpt.endswith("…") and len(links.excerpt) < len(links.text)


def test_explain_text_groups_by_stage_and_counts() -> None:
    out, removals = clean_html_explained(read(FIXTURE), SAMPLE_URL)
    text = format_removals(removals, out)
    lines = text.splitlines()
    boiler = lines.index(next(line for line in lines if line.startswith("boilerplate:")))
    assert any("appeal (" in line and "Fierce, independent journalism" in line for line in lines[boiler:])
    assert any("promo of another story" in line and "[Read more:" in line for line in lines[boiler:])
    assert any(line.startswith("  - not visible to readers:") and "<script>" in line for line in lines)
    assert lines[-2].startswith("removed: rules 0, prune ")
    assert lines[-1] == "kept: 8 blocks, 263 words"


def test_explain_records_what_lies_outside_the_chosen_article() -> None:
    html = (
        "<html><body><div class='top'><a href='/a'>World news today</a> <a href='/b'>Local politics</a> <a href='/c'>Sport results</a></div>"
        "<div class='story'>"
        + "".join(
            f"<p>Paragraph {i} of the article, which carries the story, with commas, facts, and quotes.</p>"
            for i in range(5)
        )
        + "</div></body></html>"
    )
    _, removals = clean_html_explained(html)
    assert [(r.stage, r.where, r.outside) for r in removals if r.stage == "extract"] == [("extract", "div.top", True)]


class _Balance(HTMLParser):
    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def _report() -> str:
    html = read(FIXTURE)
    out, removals = clean_html_explained(html, SAMPLE_URL)
    return render_report(html, removals, out, source=FIXTURE.name, url=SAMPLE_URL)


def test_report_is_well_formed_inert_html() -> None:
    report = _report()
    checker = _Balance()
    checker.feed(report)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert report.startswith("<!DOCTYPE html>")
    low = report.lower()
    assert "<script" not in low and "javascript:" not in low and " on" + "click" not in low
    assert "<iframe" not in low and "<form" not in low and "<img" not in low and "<link" not in low
    root = lxml.html.document_fromstring(report)
    csp = root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]


def test_report_marks_the_appeal_and_the_promo_and_leaves_kept_text_unmarked() -> None:
    root = lxml.html.document_fromstring(_report())
    page = root.xpath("//main[@class='fs-page']")[0]
    marked = {el.get("data-fs"): " ".join(el.text_content().split()) for el in page.xpath(".//*[@data-fs]")}
    appeal = [label for label, text in marked.items() if text.startswith("Fierce, independent journalism")]
    promo = [label for label, text in marked.items() if text.startswith("[Read more:")]
    assert appeal and appeal[0].startswith("boilerplate: appeal")
    assert promo and promo[0].startswith("boilerplate: promo of another story")
    for el in page.xpath(".//*[@data-fs]"):
        assert "fs-" + el.get("data-fs").split(":")[0] in el.get("class").split()
    kept = [p for p in page.iter("p") if p.text_content().startswith("The Kremlin has announced")]
    assert kept and not any(a.get("data-fs") for a in kept[0].iterancestors()) and kept[0].get("data-fs") is None
    legend = root.xpath("//div[@class='fs-legend']")[0].text_content()
    assert all(stage in legend for stage in STAGES)


def test_report_of_nothing_still_renders() -> None:
    assert '<main class="fs-page">' in render_report("", [], "")


# --- the command ---------------------------------------------------------------


def test_cli_clean_prints_the_clean_article() -> None:
    result = CliRunner().invoke(main, ["clean", str(FIXTURE), "--url", SAMPLE_URL, "--content", str(REPO / "nowhere")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<p>The Kremlin has announced")


def test_cli_explain_lists_removals_by_stage(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        ["clean", "--explain", str(FIXTURE), "--url", SAMPLE_URL, "--content", str(tmp_path), "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    assert "site rules: none" in result.output
    assert "boilerplate: boilerplate inside the article (2)" in result.output
    assert "appeal (" in result.output and "promo of another story" in result.output
    assert report.is_file() and "fs-boilerplate" in report.read_text(encoding="utf-8")


def test_cli_explain_uses_the_site_rules_of_the_pages_host() -> None:
    page = REPO / "content" / "articles" / "pashinyan-aliyev-and-putin-to-hold-summit-in-sochi.html"
    result = CliRunner().invoke(main, ["clean", "--explain", str(page), "--content", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert f"url: {SAMPLE_URL} (from the page)" in result.output
    assert "site rules: " in result.output and "oc-media.org.toml" in result.output
    assert "strip '.donation-appeal'" in result.output
    assert "strip_text '^\\[Read more:" in result.output


def test_cli_clean_takes_a_url_that_is_no_url_as_a_page_without_site_rules(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>The ferry left at noon with every seat taken.</p></body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(page), "--url", "http://[::1", "--content", str(REPO / "content")])
    assert result.exit_code == 0, result.output
    assert "The ferry left at noon" in result.output


@pytest.mark.parametrize("flag", [[], ["--no-rules"]])
def test_cli_clean_output_keeps_the_sample_paragraphs(flag: list[str]) -> None:
    page = REPO / "content" / "articles" / "pashinyan-aliyev-and-putin-to-hold-summit-in-sochi.html"
    result = CliRunner().invoke(main, ["clean", str(page), "--content", str(REPO / "content"), *flag])
    assert result.exit_code == 0
    assert "Fierce" not in result.output and "Read more" not in result.output
    assert result.output.count("<p>") == 8
