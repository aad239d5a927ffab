"""TOML files people write by hand (sidecars, ``site.toml``): every syntax mistake at once, by line and key.

Pure. :mod:`tomllib` stops at the first mistake and names only a line and
column; :func:`parse_toml` names the line, the key on it and the likely fix,
then looks past that line for more, so one save reports all of them.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

__all__ = ["joined", "parse_toml", "parse_toml_keys"]

_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.-]+|\"[^\"]*\")\s*=\s*(.*)$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
MAX_PROBLEMS = 10  # a file garbled throughout needs no more to be recognised as such


def joined(problems: list[str]) -> str:
    """Return one message for all the problems of one file."""
    if len(problems) == 1:
        return problems[0]
    # one full stop after each (a setting's help ends with its own)
    return f"{len(problems)} problems: " + " ".join(f"({n}) {p.rstrip('.')}." for n, p in enumerate(problems, start=1))


def _describe(reason: str, number: int, line: str) -> str:
    """Say what is wrong on one line, naming its key and the fix."""
    text = line.strip()
    match = _KEY.match(text)
    if match is None:
        return f"invalid TOML: line {number} `{text}`: {reason.lower()}; write it as key = value (text in quotes)"
    key, value = match.group(1).strip('"'), match.group(2).strip()
    if _DATE_LIKE.match(value):
        return (
            f"invalid TOML: line {number}: '{key}' = {value} is not a valid date; write it as 2024-05-01 or "
            "2024-05-01T09:30:00+04:00 (no spaces, a month from 1 to 12, a day that exists)"
        )
    if value.startswith(("[", "{")) and value.count(value[0]) > value.count("]" if value[0] == "[" else "}"):
        closing = "]" if value[0] == "[" else "}"
        return f"invalid TOML: line {number}: the value of '{key}' ({value}) is never closed; end it with {closing}"
    quote = value[:1]
    if quote in ('"', "'") and not value.startswith(quote * 3) and value.replace("\\" + quote, "").count(quote) % 2:
        # an opening quote without its closing one: the text runs into the line's end
        return f"invalid TOML: line {number}: the text of '{key}' ({value}) is never closed; end it with {quote}"
    if not value:
        return (
            f"invalid TOML: line {number}: '{key}' has no value; give one after the = (text in quotes) "
            "or remove the line"
        )
    return (
        f"invalid TOML: line {number}: the value of '{key}' ({value}) is not valid ({reason.lower()}); "
        f'put text in double quotes, such as {key} = "{value.strip(chr(34) + chr(39))}"'
    )


def _unclosed(lines: list[str]) -> int | None:
    """Return the line number of the last key whose array or table is opened and never closed."""
    for index in range(len(lines) - 1, -1, -1):
        match = _KEY.match(lines[index].strip())
        if match:
            value = match.group(2)
            if value.startswith("[") and value.count("[") > value.count("]"):
                return index + 1
            if value.startswith("{") and value.count("{") > value.count("}"):
                return index + 1
    return None


def parse_toml(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse ``text``; return its data and [] or, with mistakes, the data of the lines that parse and every mistake.

    The data is None when no reading of the file without the bad lines parses.
    """
    data, problems, _ = parse_toml_keys(text)
    return data, problems


def parse_toml_keys(text: str) -> tuple[dict[str, Any] | None, list[str], frozenset[str]]:
    """Parse ``text`` as :func:`parse_toml` does; also return the keys written on the lines left out as mistakes.

    A key written on a bad line is not missing: a file that requires it must not say so as well.
    """
    lines = text.splitlines(keepends=True)
    broken: set[str] = set()
    problems: list[str] = []
    skipped: set[int] = set()
    while len(problems) < MAX_PROBLEMS:
        try:
            return tomllib.loads("".join(lines)), problems, frozenset(broken)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = _WHERE.search(message)
            reason = _WHERE.sub("", message).replace(" (at end of document)", "")
            number = int(found.group(1)) if found else _unclosed(lines)
            if number is None or number in skipped or number > len(lines):
                problems.append(f"invalid TOML: {message}; fix the syntax there")
                return None, problems, frozenset(broken)
            problems.append(_describe(reason, number, lines[number - 1]))
            if match := _KEY.match(lines[number - 1].strip()):
                broken.add(match.group(1).strip('"'))
            skipped.add(number)
            lines[number - 1] = "\n"  # look past this line for more mistakes
    return None, problems, frozenset(broken)
