"""Python's cycle collector paused while a start builds the site's state, and running while pages are cleaned.

An edge: the collector is the interpreter's, one per process. A warm start of
100,000 articles makes about 1.7 million long-lived objects (entries, articles,
indexes) and almost no garbage that holds a cycle; the collector, which looks
again at every surviving object each time they grow by a quarter, walked them
thirteen times during the build (4.2 s of a 22 s warm start on a quiet machine).
:func:`paused` turns it off for a builder's first build and, at the end,
freezes what the process holds (:func:`gc.freeze`): the start's state is the
long-lived heap of a publisher, and no later collection walks it again. A full
collection there instead cost 1.9 s of a 19.5 s warm start at 100,000 articles
(the issue's bench, where the cold build's state is still alive beside it), and
would find only the few objects in cycles the start left (79 at 100,000
articles), which a frozen heap keeps: a bounded cost, paid once per start. :func:`running` turns it back on inside a paused block for the
cleaning: the cleaner leaves some garbage in cycles (about 40 objects a page),
and pool processes forked from this one inherit the collector's state.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused", "running"]

_paused = 0  # paused() blocks open that turned the collector off (it was on when they began)


@contextmanager
def paused() -> Iterator[None]:
    """Keep the cycle collector off in the block (if it is on); turn it back on and freeze the heap after."""
    global _paused
    if not gc.isenabled():
        yield  # off already (by the caller, or an enclosing block): left as it is
        return
    gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        gc.enable()
        # the start's objects out of the collector's reach: otherwise the next full collection, one walk
        # over the whole state, would come within the first publishes (and a collection here costs the same)
        gc.freeze()


@contextmanager
def running() -> Iterator[None]:
    """Let the cycle collector run in the block if a :func:`paused` block turned it off; off again after."""
    if _paused == 0 or gc.isenabled():
        yield
        return
    gc.enable()
    try:
        yield
    finally:
        if _paused:  # (a generator closed late, after the paused block ended, leaves the collector on)
            gc.disable()
