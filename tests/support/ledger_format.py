"""The revisions ledger's text as the hand-written serialiser wrote it, kept as the format's reference.

``feedsvc.catalog.revisions.dump_ledger`` once built this text block by
block for speed; it now calls ``json.dumps``. The tests compare the two on
ledgers of every shape, so a ledger written before the change is not
rewritten (nor shown as changed in a backup or a diff) after it;
``bench/ledger.py`` times the two.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from feedsvc.catalog.revisions import LEDGER_VERSION
from feedsvc.model import Revision

__all__ = ["hand_written_ledger", "news_ledger"]

WORDS = ("budget", "élection", "río", "Ünterwegs", "city-hall", "weather", "下雨", "court", "vote", "port")


def hand_written_ledger(ledger: Mapping[str, Revision]) -> str:
    """Return the ledger text exactly as the former hand-written ``dump_ledger`` did."""
    blocks = []
    for slug, entry in sorted(ledger.items()):
        fields = [("fingerprint", entry.fingerprint), ("since", _utc(entry.since))]
        if entry.withdrawn:
            fields.append(("withdrawn", _utc(entry.withdrawn)))
        if entry.first_seen:
            fields.append(("first_seen", _utc(entry.first_seen)))
        inner = ",\n".join(f"   {_json(name)}: {_json(value)}" for name, value in fields)
        blocks.append(f"  {_json(slug)}: {{\n{inner}\n  }}")
    articles = "{\n" + ",\n".join(blocks) + "\n }" if blocks else "{}"
    return f'{{\n "version": {LEDGER_VERSION},\n "articles": {articles}\n}}\n'


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def news_ledger(entries: int) -> dict[str, Revision]:
    """Return a ledger shaped like a news site's: dated slugs, some non-ASCII, some withdrawn, some undated."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    ledger = {}
    for number in range(entries):
        day = start + timedelta(hours=7 * number)
        slug = f"{day:%Y-%m-%d}-{WORDS[number % len(WORDS)]}-{WORDS[number * 7 % len(WORDS)]}-{number}"
        ledger[slug] = Revision(
            fingerprint=hashlib.sha256(slug.encode()).hexdigest()[:32],
            since=day + timedelta(minutes=number % 90),
            withdrawn=day + timedelta(days=3) if number % 10 == 0 else None,
            first_seen=day if number % 5 == 0 else None,
        )
    return ledger
