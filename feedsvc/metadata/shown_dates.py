"""The dates a page shows its reader by the title, told apart by their labels: publication or update.

Pure. A page's lines of visible text go in (one string per block, as the metadata reader walks
them); what comes out is what a reader would take from them: "Updated: 4 Dec 2025" is the
page's update, "Published 3 Jan 2024 · Updated 5 Mar 2025" gives both, "Last updated:" on its
own line labels the date on the next. Labels are read in English and, where one word or two
say it, in the other languages whose month names :mod:`feedsvc.metadata.dates` reads.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from feedsvc.metadata.dates import find_text_date

__all__ = [
    "UPDATE_LABEL",
    "has_update_label",
    "labelled_not_published",
    "line_update",
    "publication_part",
    "shown_update",
]

# Where an English label begins and ends: at a word's edge, or glued to the words around it as inline
# elements' texts meet ("By Jane DoeUpdated: …", "UpdatedJanuary 25").
_GLUED_BEFORE = r"(?:\b|(?-i:(?<=[a-z])(?=[A-Z])))"
_GLUED_AFTER = r"(?:\b|(?-i:(?=[A-Z])))"
# Labels of an update. German "Stand:" ("as of") only with its colon; CJK words have no word edges.
_ENGLISH_UPDATE = r"updated?|modified|revised"
_FOREIGN_UPDATE = (
    r"aktualisiert|geändert|stand(?=\s*:)|mise?\s+à\s+jour|modifiée?|actualizad[oa]|actualización|modificad[oa]"
    r"|aggiornat[oa]|aggiornamento|modificat[oa]|atualizad[oa]|atualização|bijgewerkt|gewijzigd"
    r"|zaktualizowan[oay]|aktualizacja|aktualizováno|обновлен[оаы]?|обновлён|изменен[оа]?|оновлено"
    r"|güncellendi|güncelleme|uppdaterad|opdateret|oppdatert"
)
_CJK_UPDATE = r"更新|수정|업데이트"
UPDATE_LABEL = re.compile(
    rf"{_GLUED_BEFORE}(?:{_ENGLISH_UPDATE}){_GLUED_AFTER}|(?<!\w)(?:{_FOREIGN_UPDATE})(?!\w)|{_CJK_UPDATE}",
    re.IGNORECASE,
)
# A date under these words is no publication either, nor an update of the text: a review, a later
# printing ("Reprinted …"), an edit credit, "Last …".
_OTHER_LABEL = re.compile(
    rf"{_GLUED_BEFORE}(?:reviewed|edited|last|re-?printed|re-?published|re-?posted){_GLUED_AFTER}", re.IGNORECASE
)
# Labels of the publication: a date after one of these on an update's line is the publication.
_PUBLICATION_LABEL = re.compile(
    rf"{_GLUED_BEFORE}(?:published|posted|released){_GLUED_AFTER}"
    r"|(?<!\w)(?:veröffentlicht|erschienen|publiée?|publicad[oa]|pubblicat[oa]|gepubliceerd|geplaatst"
    r"|opublikowan[oy]|опубликовано|опубліковано|yayınlandı|yayınlanma|publicerad|udgivet|publisert)(?!\w)"
    r"|公開|发布|發佈|게시",
    re.IGNORECASE,
)
# How far after its label an update's date may begin ("Last updated on Monday, December 19, 2025").
_LABEL_TO_DATE_CHARS = 40
# A line longer than this is prose, not a line of facts under a title.
_LINE_CHARS = 150
# A line holding only a label ("Last updated:") dates nothing itself: the date is on the next line,
# which must be short.
_NEXT_LINE_CHARS = 50
_LABEL_ONLY_REST = " \t:,.|·•–—-"
# The lines under and over the title read for its shown update.
_AFTER_TITLE, _BEFORE_TITLE = 5, 2


def has_update_label(line: str) -> bool:
    """Whether a line labels a date as not the publication: an update, a review, a reprint ("Updated …")."""
    return bool(UPDATE_LABEL.search(line) or _OTHER_LABEL.search(line))


def labelled_not_published(lines: list[str], index: int) -> bool:
    """Whether line ``index`` labels its date as no publication, or is the date under a line that only labels it.

    "Updated: May 3, 2025"; "Last updated:" over "May 3, 2025"; "Reviewed May 3, 2025".
    """
    if has_update_label(lines[index]):
        return True
    if index <= 0 or not has_update_label(lines[index - 1]):
        return False
    return not any(text.strip(_LABEL_ONLY_REST) for _, text in _parts(lines[index - 1]))


def _labels(line: str) -> list[tuple[int, int, str]]:
    """Return the labels in a line as (start, end, kind), kind "update", "other" or "publication", in order."""
    found = [(m.start(), m.end(), "update") for m in UPDATE_LABEL.finditer(line)]
    found += [(m.start(), m.end(), "other") for m in _OTHER_LABEL.finditer(line)]
    found += [(m.start(), m.end(), "publication") for m in _PUBLICATION_LABEL.finditer(line)]
    found.sort()
    # "Last updated": one label, the update's; the words of one label overlap no other
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in found:
        if merged and start <= merged[-1][1] + 1 and line[merged[-1][1] : start].strip() == "":
            previous = merged[-1]
            merged[-1] = (previous[0], max(end, previous[1]), "update" if "update" in (kind, previous[2]) else kind)
            continue
        merged.append((start, end, kind))
    return merged


def _parts(line: str) -> list[tuple[str, str]]:
    """Return a line cut at its labels: (kind, the text after the label up to the next one).

    The text before the first label is kind "unlabelled".
    """
    labels = _labels(line)
    if not labels:
        return [("unlabelled", line)]
    parts = [("unlabelled", line[: labels[0][0]])]
    for (_, end, kind), following in zip(labels, [*labels[1:], (len(line), len(line), "")], strict=True):
        parts.append((kind, line[end : following[0]]))
    return parts


def line_update(
    line: str, next_line: str | None, timezone: ZoneInfo, numeric_day_first: bool | None
) -> datetime | None:
    """Return the date a line gives as an update ("Updated on Jul 4, 2024"), or None.

    A line that is only its label ("Last updated:") takes the date of ``next_line`` when that is a
    short line with no label of its own.
    """
    if len(line) > _LINE_CHARS:
        return None
    for kind, text in _parts(line):
        if kind != "update":
            continue
        if not text.strip(_LABEL_ONLY_REST):
            if next_line is not None and len(next_line) <= _NEXT_LINE_CHARS and not _labels(next_line):
                return find_text_date(next_line, timezone, numeric_day_first=numeric_day_first)
            return None
        # a date that opens the text after the label, not one further on ("Updated to add … on May 3")
        found = find_text_date(text[:_LABEL_TO_DATE_CHARS], timezone, numeric_day_first=numeric_day_first)
        if found is not None:
            return found
    return None


def publication_part(line: str) -> str:
    """Return the part of a line that may give the publication: all of it but what labels an update or a review.

    "Published 3 Jan 2024 · Updated 5 Mar 2025" -> "Published 3 Jan 2024 · "; a line with no label is
    itself; "Updated 5 Mar 2025" -> "".
    """
    return "".join(text for kind, text in _parts(line) if kind in ("unlabelled", "publication"))


def shown_update(
    lines: list[str], at: int, timezone: ZoneInfo, numeric_day_first: bool | None = None
) -> datetime | None:
    """Return the update a page shows just under (or over) its title, line ``at`` (-1: none found), or None.

    The nearest labelled one: "Updated: December 4, 2025", "By Jane DoeUpdated Sep 17, 2025",
    "Dernière mise à jour : 3 mars 2025", "Last updated:" over "August 19, 2025".
    """
    after = range(at + 1, min(at + 1 + _AFTER_TITLE, len(lines)))
    before = range(at - 1, max(at - 1 - _BEFORE_TITLE, -1), -1)
    for index in (*after, *before):
        following = lines[index + 1] if index + 1 < len(lines) else None
        found = line_update(lines[index], following, timezone, numeric_day_first)
        if found is not None:
            return found
    return None
