"""The dates a page shows by its title (feedsvc/metadata/shown_dates.py): update or publication, by their labels."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from feedsvc.metadata.shown_dates import (
    has_update_label,
    labelled_not_published,
    line_update,
    publication_part,
    shown_update,
)

UTC_ZONE = ZoneInfo("UTC")
MARCH_3 = datetime(2025, 3, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    "line",
    [
        "Updated: March 3, 2025",
        "Last updated on Monday, March 3, 2025",
        "Last modified 3 March 2025",
        "By Jane DoeUpdated: Mar 3, 2025",  # glued to the byline, as inline elements meet
        "UpdatedMarch 3, 2025",
        "Jane Doe • Updated on Mar 3, 2025 • 28 min read",
        "Mis à jour le 3 mars 2025",
        "Dernière mise à jour : 3 mars 2025",
        "Aktualisiert am 3. März 2025",
        "Stand: 03.03.2025",
        "Actualizado el 3 de marzo de 2025",
        "Aggiornato il 3 marzo 2025",
        "Atualizado em 3 de março de 2025",
        "Laatst bijgewerkt op 3 maart 2025",
        "Zaktualizowano 3 marca 2025",
        "Обновлено 3 марта 2025",
        "Güncellendi 3 Mart 2025",
        "更新日 2025年3月3日",
        "Last Updated: 2025-03-03",
    ],
)
def test_an_update_label_in_many_languages_dates_the_update(line: str) -> None:
    assert line_update(line, None, UTC_ZONE, None) == MARCH_3


@pytest.mark.parametrize(
    "line",
    [
        "Published March 3, 2025",
        "March 3, 2025",
        "Reviewed by Dr. Jane Doe on March 3, 2025",  # a review is no update of the text
        "Updated to add a statement the mayor's office gave on March 3, 2025",  # the date is far from its label
        "Stand up for the ferry on March 3, 2025",  # German "Stand" labels only with its colon
        "monday.com updates, March 3, 2025",
    ],
)
def test_a_line_that_labels_no_update_gives_none(line: str) -> None:
    assert line_update(line, None, UTC_ZONE, None) is None


def test_a_line_that_is_only_the_label_takes_the_date_on_the_next() -> None:
    assert line_update("Last updated:", "March 3, 2025", UTC_ZONE, None) == MARCH_3
    # the next line labels its own date: it is not this label's
    assert line_update("Last updated:", "Published March 3, 2025", UTC_ZONE, None) is None


def test_published_and_updated_on_one_line_each_keep_their_date() -> None:
    line = "Published Jan 3, 2024 · Updated Mar 3, 2025"
    assert line_update(line, None, UTC_ZONE, None) == MARCH_3
    assert publication_part(line) == " Jan 3, 2024 · "
    assert publication_part("Updated Mar 3, 2025, first published Jan 3, 2024") == " Jan 3, 2024"
    assert publication_part("Mar 3, 2025") == "Mar 3, 2025"


@pytest.mark.parametrize(
    "line, labelled",
    [
        ("Updated: Mar 3, 2025", True),
        ("Reprinted March 3, 2025", True),
        ("Last reviewed March 2025", True),
        ("Posted March 3, 2025", False),
        ("March 3, 2025", False),
    ],
)
def test_lines_labelled_as_no_publication(line: str, labelled: bool) -> None:
    assert has_update_label(line) is labelled


def test_a_date_under_a_label_only_line_is_no_publication() -> None:
    lines = ["Title", "Last updated:", "March 3, 2025", "Posted:", "March 1, 2025"]
    assert labelled_not_published(lines, 2)
    assert not labelled_not_published(lines, 4)
    # a label line that holds its own date labels only that date
    assert not labelled_not_published(["Updated Mar 3, 2025", "March 1, 2025"], 1)


def test_the_shown_update_is_read_under_and_over_the_title_only() -> None:
    under = ["Menu", "The title", "By Jane Doe", "Updated: March 3, 2025", "Text of the article."]
    assert shown_update(under, 1, UTC_ZONE) == MARCH_3
    over = ["Updated: March 3, 2025", "The title", "Text of the article."]
    assert shown_update(over, 1, UTC_ZONE) == MARCH_3
    far = ["The title", *(f"Paragraph {n} of the article." for n in range(6)), "Updated: March 3, 2025"]
    assert shown_update(far, 0, UTC_ZONE) is None
