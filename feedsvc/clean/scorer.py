"""Stage 3, last pass: the learned block scorer drops blocks the heuristics kept but it is sure are not the article.

The model is a small set of gradient-boosted regression trees over the
features of ``feedsvc.clean.blocks``, trained offline with LightGBM by
``bench/train_scorer.py`` (``make train-scorer``) and shipped as JSON
beside this module (``scorer_model.json``). Here it is only evaluated, no
LightGBM: a page's blocks all at once with numpy (``probabilities``: the
trees as flat arrays, one step down every tree for every block at a time),
one block in plain Python (``probability``, the trees compiled to nested
comparisons). Both make the same numbers, on every machine: the same
comparisons of the same doubles, the leaves summed in the same order.

:func:`score_blocks` runs on the article of a whole page after the other
stage-3 passes: each innermost block gets the probability that it is
article text, and a block goes when that probability is below the
model's threshold (fitted by cross-validation with the trees; 0.5 in the
shipped model), unless the article's shape says it belongs (``RULES``: a
heading over its kept section, an item of a list mostly kept, a code
listing between kept text, the caption saying what a kept picture without
alt text shows). The scorer only takes away from what the heuristics kept,
never adds: alone, it does worse than they do (docs/cleaner.md). With a
recorder, each removal says the probability and the inputs that weighed
most against the block.

Pure; a stage of ``feedsvc.clean``: it imports ``blocks`` and the leaves
below it. ``MODEL`` is read once, lazily; the benchmark swaps it (and only
the benchmark) to score held-out folds with models trained on the others.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, cast

import numpy as np
from lxml.html import HtmlElement

from feedsvc.clean.blocks import FEATURES, Block, article_blocks
from feedsvc.clean.dom import (
    HEADING_TAGS,
    alt_says_nothing,
    class_and_id,
    holders_of,
    is_within,
    quote_of,
    remove,
    text_of,
)
from feedsvc.clean.explain import Recorder
from feedsvc.clean.policy import (
    BYLINE_LEAD_IN,
    CAPTION_CREDIT,
    CAPTION_CREDIT_SLASH_MAX_WORDS,
    CAPTION_FIGURE_MAX_OTHER_CHARS,
    CAPTION_MIN_WORDS,
    CHROME_LINE,
    GALLERY_NAME,
    ITEM_KEPT_SHARE,
    ITEM_MIN_SIBLINGS,
)

__all__ = [
    "DISABLED",
    "ENABLED",
    "MODEL",
    "MODEL_FILE",
    "RULES",
    "BlockModel",
    "ModelError",
    "Tree",
    "load_model",
    "read_model",
    "score_blocks",
    "shipped_model",
]

MODEL_FILE = "scorer_model.json"
_FORMAT = 1
_STAGE = "boilerplate"
# The most blocks the trees are walked for at once (raw_scores): arrays of about a megabyte each.
_ROWS_AT_ONCE = 1024


class ModelError(ValueError):
    """A model file that cannot be used: says which file and what is wrong."""


class _NotATree(ValueError):
    """Tree ``tree``'s lists do not make a tree: ``why`` says how (``load_model`` names the file)."""

    def __init__(self, tree: int, why: str) -> None:
        # Raised from a BlockModel built in Python too, where no file is named: say which tree and how to build one.
        super().__init__(
            f"tree {tree} is malformed ({why}); a tree has one feature, threshold, left, right and node_value "
            "per split and one leaf more, a child c >= 0 is split c and c < 0 leaf ~c of the same tree"
        )
        self.tree = tree
        self.why = why


@dataclass(frozen=True)
class Tree:
    """One regression tree as flat lists.

    Internal node ``i`` sends a row left when ``row[feature[i]] <= threshold[i]``;
    a child index ``c >= 0`` is another internal node, ``c < 0`` is leaf ``~c``.
    ``node_value`` is the value at each internal node (for explanations).
    A tree without splits has no internal nodes and one leaf.
    """

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    leaf: tuple[float, ...]
    node_value: tuple[float, ...]

    def path(self, row: Sequence[float]) -> list[int]:
        """Return the nodes a row visits: internal indexes, then the leaf as ``~index``.

        :raises ValueError: when the walk passes every split and reaches no leaf (its child indexes loop).
        """
        node = 0 if self.feature else -1
        visited = []
        # A Tree is not checked when built: load_model and BlockModel check a model's trees all at once, and
        # checking each Tree as it is made would add a fifth to reading the shipped model, which every process
        # does (docs/notebook/cleaner.md, session 38). So a walk stops after as many splits as the tree has, rather than
        # loop for ever on a Tree built by hand whose child points back at an ancestor.
        for _ in self.feature:
            if node < 0:
                break
            visited.append(node)
            node = self.left[node] if row[self.feature[node]] <= self.threshold[node] else self.right[node]
        if node >= 0:
            raise ValueError(
                f"a walk down this tree passed its {len(self.feature)} splits and reached no leaf: its child "
                "indexes do not make a tree; read models with load_model, which refuses such trees"
            )
        visited.append(node)
        return visited


@dataclass(frozen=True)
class BlockModel:
    """A block scorer: trees over ``features`` plus one 0/1 feature per ``vocabulary`` word, and its threshold."""

    features: tuple[str, ...]
    vocabulary: tuple[str, ...]
    trees: tuple[Tree, ...]
    threshold: float
    about: dict[str, Any]
    _word_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _flat: _FlatTrees = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = len(self.features)
        index = {w: base + i for i, w in enumerate(self.vocabulary)}
        object.__setattr__(self, "_word_index", index)
        object.__setattr__(self, "_flat", _FlatTrees(self.trees, base + len(self.vocabulary)))

    # The trees compiled to Python, made on first use: the pipeline scores with the flat arrays only
    # (``probabilities``), and compiling the 120 trees twice was nine tenths of reading the model, a
    # sixth of a second paid by every process on its first page (docs/notebook/cleaner.md, session 36).
    @functools.cached_property
    def _raw(self) -> Callable[[Sequence[float]], float]:
        return _compile(self.trees)

    @functools.cached_property
    def _block_raw(self) -> Callable[[Sequence[float], frozenset[str]], float]:
        # The same trees read straight from a block: its features and its class words, no row built.
        # A repeated vocabulary word sets only its last input, as in row().
        words = {i: w for w, i in self._word_index.items()}
        return _compile_for_blocks(self.trees, len(self.features), words)

    def row(self, block: Block) -> list[float]:
        """Return the model's input row for ``block``: its features, then its class/id words as 0/1."""
        row = [*block.features, *([0.0] * len(self.vocabulary))]
        index = self._word_index
        for word in block.words:
            i = index.get(word)
            if i is not None:
                row[i] = 1.0
        return row

    def raw(self, row: Sequence[float]) -> float:
        """Return the sum of the trees' leaves for ``row`` (log-odds that it is article text)."""
        return self._raw(row)

    def probability(self, block: Block) -> float:
        """Return the probability that ``block`` is article text."""
        return _sigmoid(self._block_raw(block.features, block.words))

    def probabilities(self, blocks: Sequence[Block]) -> list[float]:
        """Return ``probability(block)`` for each of ``blocks``, the trees evaluated for all of them at once."""
        return [_sigmoid(raw) for raw in self.raw_scores(blocks)]

    def raw_scores(self, blocks: Sequence[Block]) -> list[float]:
        """Return the sum of the trees' leaves (log-odds) for each of ``blocks``, all of them at once.

        ``bench/scorer_cv.py`` averages several models' log-odds with it.
        """
        inputs: dict[frozenset[str], list[int]] = {}  # blocks under one ancestry share their words
        scores: list[float] = []
        # At most _ROWS_AT_ONCE blocks a batch: the walk's arrays are blocks x trees and the rows blocks x
        # inputs, so a page of 60,000 blocks (a hostile table) made arrays of 60 MB each, seven times over,
        # and their memory, not the walk, grew faster than the page. A page's blocks are a few dozen to a
        # few hundred, one batch; each row's sum is the same in any batch.
        for start in range(0, len(blocks), _ROWS_AT_ONCE):
            scores.extend(self._raw_batch(blocks[start : start + _ROWS_AT_ONCE], inputs))
        return scores

    def _raw_batch(self, blocks: Sequence[Block], inputs: dict[frozenset[str], list[int]]) -> list[float]:
        """``raw_scores`` of one batch of blocks; ``inputs`` holds the word columns of the words seen so far."""
        base, index, count = len(self.features), self._word_index, len(blocks)
        rows = np.zeros((count, base + len(self.vocabulary)))
        # The features read as one run of floats (a list of tuples is converted a value at a time, slower).
        features = itertools.chain.from_iterable(block.features for block in blocks)
        rows[:, :base] = np.fromiter(features, dtype=float, count=count * base).reshape(count, base)
        per_block = []
        for block in blocks:
            cols = inputs.get(block.words)
            if cols is None:
                cols = inputs[block.words] = sorted({index[w] for w in block.words if w in index})
            per_block.append(cols)
        # Block i's word columns, all blocks' in one array: a block has dozens, a page thousands.
        counts = np.fromiter(map(len, per_block), dtype=np.intp, count=count)
        hit_rows = np.repeat(np.arange(count, dtype=np.intp), counts)
        hit_cols = np.fromiter(itertools.chain.from_iterable(per_block), dtype=np.intp, count=len(hit_rows))
        rows[hit_rows, hit_cols] = 1.0  # as row(): a repeated vocabulary word sets only its last input
        return cast(list[float], self._flat.raw(rows).tolist())

    def reasons(self, block: Block, top: int = 2) -> list[tuple[str, float]]:
        """Return the ``top`` inputs that lowered ``block``'s score most, with their values.

        Each split on a block's path moves its score from the node's value to
        the child's; the move is credited to the split's input.
        """
        row = self.row(block)
        names = (*self.features, *(f"class word {w!r}" for w in self.vocabulary))
        credit: dict[int, float] = {}
        for tree in self.trees:
            visited = tree.path(row)
            for node, child in itertools.pairwise(visited):
                after = tree.node_value[child] if child >= 0 else tree.leaf[~child]
                feature = tree.feature[node]
                credit[feature] = credit.get(feature, 0.0) + after - tree.node_value[node]
        worst = sorted((v, f) for f, v in credit.items() if v < 0)[:top]
        return [(names[f], row[f]) for _, f in worst]


class _FlatTrees:
    """The trees as flat numpy arrays, to walk every tree for many rows at once.

    Tree ``t``'s nodes sit at ``t * width`` on: its internal nodes, then its
    leaves. A leaf's split sends every row back to itself (it compares with
    +inf, and both children are the leaf), so ``depth`` steps take every
    row of every tree to its leaf. A row goes to the right child exactly
    when ``not row[feature] <= threshold``, as in ``Tree.path`` (a NaN goes
    right), and the leaves are summed tree by tree from the first, as the
    compiled function adds them to ``0.0``.
    """

    def __init__(self, trees: Sequence[Tree], inputs: int) -> None:
        count = len(trees)
        width = max((len(t.feature) + len(t.leaf) for t in trees), default=1)
        size = count * width
        self.feature = np.zeros(size, dtype=np.intp)
        self.threshold = np.full(size, np.inf)
        self.children = np.zeros(2 * size, dtype=np.intp)  # left at 2 * node, right at 2 * node + 1
        self.leaf = np.zeros(size)
        self.roots = np.arange(count, dtype=np.intp) * width  # node 0, or a split-less tree's leaf
        self.depth = 0
        # Laid out with numpy over every tree's lists joined, not node by node in Python: this is most of
        # reading a model, which every process does on its first page (a tenth of a small page's time).
        inner = np.fromiter(map(len, (t.feature for t in trees)), dtype=np.intp, count=count)
        leaves = np.fromiter(map(len, (t.leaf for t in trees)), dtype=np.intp, count=count)
        # load_model checks a file's trees one by one before this; a BlockModel built in Python is checked only
        # here, where a list of the wrong length would shift the next trees' values or end in a numpy error.
        sized = leaves == inner + 1
        for name in ("threshold", "left", "right", "node_value"):
            sized &= np.fromiter(map(len, (getattr(t, name) for t in trees)), dtype=np.intp, count=count) == inner
        if (unsized := np.flatnonzero(~sized)).size:
            raise _NotATree(int(unsized[0]), "its lists' lengths do not match")

        def joined(name: str, dtype: type, total: int) -> np.ndarray:
            values = itertools.chain.from_iterable(getattr(t, name) for t in trees)
            return np.fromiter(values, dtype=dtype, count=total)

        def placed(sizes: np.ndarray, past: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """Each item's tree, and its place: its tree's start, ``past`` further, then its index in the tree."""
            tree = np.repeat(np.arange(count, dtype=np.intp), sizes)
            index = np.arange(len(tree), dtype=np.intp) - (np.cumsum(sizes) - sizes)[tree]
            return tree, self.roots[tree] + past[tree] + index

        total_inner = int(inner.sum())
        of_node, nodes = placed(inner, np.zeros(count, dtype=np.intp))

        def indexes(name: str) -> np.ndarray:
            try:
                return joined(name, np.intp, total_inner)
            except OverflowError:  # an index past what numpy holds: far out of range
                limit = np.iinfo(np.intp).max
                big = next(i for i, t in enumerate(trees) if any(abs(v) > limit for v in getattr(t, name)))
                raise _NotATree(big, f"its {name} holds an index out of range") from None

        feature, left, right = indexes("feature"), indexes("left"), indexes("right")
        # Indexes in range, or a child past its tree's nodes lands in the next tree's (or past the arrays), and
        # an input past the row reads the next row's: wrong sums, or a numpy error that names no tree.
        splits, tips = inner[of_node], leaves[of_node]  # c >= 0: internal node c; c < 0: leaf ~c

        def split(at: int) -> str:
            return f"split {int(nodes[at] - self.roots[of_node[at]])}"

        if (wild := np.flatnonzero((left >= splits) | (~left >= tips) | (right >= splits) | (~right >= tips))).size:
            at = int(wild[0])
            child = int(left[at]) if left[at] >= splits[at] or ~left[at] >= tips[at] else int(right[at])
            raise _NotATree(
                int(of_node[at]),
                f"{split(at)}'s child {child} is out of range: the tree has {splits[at]} splits and {tips[at]} leaves",
            )
        if (wild := np.flatnonzero((feature < 0) | (feature >= inputs))).size:
            at = int(wild[0])
            raise _NotATree(
                int(of_node[at]),
                f"{split(at)} reads input {feature[at]}, but the model has {inputs} (its features, then its vocabulary)",
            )
        self.feature[nodes] = feature
        self.threshold[nodes] = joined("threshold", float, total_inner)
        start, first_leaf = self.roots[of_node], self.roots[of_node] + inner[of_node]
        for side, children in ((0, left), (1, right)):
            self.children[2 * nodes + side] = np.where(children >= 0, start + children, first_leaf + ~children)
        _, at_leaves = placed(leaves, inner)
        # A tree: every node but the root is the child of exactly one split. Then a walk down from a root
        # never comes back to a node it passed; a child pointing back at an ancestor (a hand-edited or
        # damaged file) made the walk below loop for ever. Checked here for all trees at once: node by
        # node in Python it would add a third to reading the model.
        parents = np.bincount(self.children[np.concatenate((2 * nodes, 2 * nodes + 1))], minlength=size)
        once = np.zeros(size, dtype=np.intp)
        once[nodes] = once[at_leaves] = 1
        once[self.roots] = 0
        if (wrong := np.flatnonzero(parents != once)).size:
            raise _NotATree(int(wrong[0]) // width, "a node is not the child of exactly one split")
        self.leaf[at_leaves] = joined("leaf", float, int(leaves.sum()))
        self.children[2 * at_leaves] = self.children[2 * at_leaves + 1] = at_leaves
        # The most splits on a path from a root to a leaf: the levels of internal nodes, root level first.
        internal = np.zeros(size, dtype=bool)
        internal[nodes] = True
        level = self.roots[inner > 0]
        while len(level):
            self.depth += 1
            internal[level] = False  # reached: what stays True below is out of every root's reach
            below = self.children.take(np.concatenate((2 * level, 2 * level + 1)))
            level = below[internal.take(below)]
        if (unreached := np.flatnonzero(internal)).size:
            raise _NotATree(int(unreached[0]) // width, "a split is out of reach of its root (a loop of splits)")

    def raw(self, rows: np.ndarray) -> np.ndarray:
        """Return the sum of the trees' leaves for each row of ``rows`` (one model input row each)."""
        count, width = rows.shape
        if not len(self.roots):
            return np.zeros(count)
        # A page's blocks are a few dozen: numpy's calls, not the walk, are much of the time, so each step
        # is the fewest calls, with the arrays in locals (and no broadcast_to or np.cumsum wrappers).
        flat = rows.ravel()
        offsets = np.arange(0, count * width, width, dtype=np.intp)[:, None]
        node = np.empty((count, len(self.roots)), dtype=np.intp)
        node[:] = self.roots
        feature, threshold, children = self.feature, self.threshold, self.children
        for _ in range(self.depth):
            go_left = flat.take(offsets + feature.take(node)) <= threshold.take(node)
            node = children.take(2 * node + ~go_left)
        return self.leaf.take(node).cumsum(axis=1)[:, -1]


def _compile(trees: Sequence[Tree]) -> Callable[[Sequence[float]], float]:
    """Return the trees' sum as one Python function of a row: nested comparisons, no loop per node.

    Walking the flat lists costs five times more per block; the source is
    made only of the trees' integers and floats (checked finite on load).
    """
    return cast(Callable[[Sequence[float]], float], _emit(trees, "raw(x)", lambda f, t: f"x[{f}] <= {t!r}", ()))


def _compile_for_blocks(
    trees: Sequence[Tree], base: int, words: dict[int, str]
) -> Callable[[Sequence[float], frozenset[str]], float]:
    """Return the trees' sum as a function of a block's features ``f`` and class words ``w``.

    The same sum, in the same order, as ``_compile``'s function of the row
    ``BlockModel.row`` would build, without building it: each feature the
    trees read is bound to a local once, and a split on vocabulary input
    ``i`` (1.0 when its word is in ``w``, else 0.0) becomes a membership test,
    its outcome for 0.0 and 1.0 worked out here. Input ``i`` with no word
    (a repeated vocabulary word's earlier copy) is always 0.0.
    """

    def test(feature: int, threshold: float) -> str:
        if feature < base:
            return f"f{feature} <= {threshold!r}"
        absent_left, present_left = threshold >= 0.0, threshold >= 1.0
        word = words.get(feature)
        if word is None or absent_left == present_left:
            return repr(absent_left)
        return f"{word!r} {'not in' if absent_left else 'in'} w"

    used = sorted({f for tree in trees for f in tree.feature if f < base})
    prologue = tuple(f" f{f} = f[{f}]" for f in used)
    return cast(Callable[[Sequence[float], frozenset[str]], float], _emit(trees, "raw(f, w)", test, prologue))


def _emit(trees: Sequence[Tree], signature: str, test: Callable[[int, float], str], prologue: Sequence[str]) -> Any:
    """Return the compiled function ``signature`` summing the trees' leaves, each split written by ``test``."""
    lines = [f"def {signature}:", *prologue, " t = 0.0"]

    def emit(tree: Tree, node: int, indent: str) -> None:
        if node < 0:
            lines.append(f"{indent}t += {tree.leaf[~node]!r}")
            return
        lines.append(f"{indent}if {test(tree.feature[node], tree.threshold[node])}:")
        emit(tree, tree.left[node], indent + " ")
        lines.append(f"{indent}else:")
        emit(tree, tree.right[node], indent + " ")

    for tree in trees:
        emit(tree, 0 if tree.feature else -1, " ")
    lines.append(" return t")
    scope: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<feedsvc block scorer>", "exec"), scope)
    return scope["raw"]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# What a model file holds (bench/train_scorer.py's export writes them all; "about" may be left out).
_KEYS = ("format", "features", "vocabulary", "threshold", "trees")
_TREE_KEYS = ("feature", "threshold", "left", "right", "leaf", "node_value")


def load_model(data: dict[str, Any], source: str = MODEL_FILE) -> BlockModel:
    """Return the model described by ``data`` (a parsed model file); ``source`` names it in errors.

    :raises ModelError: when the format, a key, the feature list, the threshold or a tree is not what
        this code evaluates (a hand-edited or damaged file, or one from another trainer version).
    """

    def unusable(what: str) -> ModelError:
        return ModelError(f"{source}: {what}; retrain with make train-scorer")

    if not isinstance(data, dict):
        raise unusable(f"a JSON {type(data).__name__}, not a model (an object with {', '.join(_KEYS)})")
    if missing := [k for k in _KEYS if k not in data]:
        raise unusable(f"no {', '.join(missing)}")
    if data["format"] != _FORMAT:
        raise unusable(f"format {data['format']!r}, expected {_FORMAT}")
    features = data["features"]
    if not isinstance(features, list) or tuple(features) != FEATURES:
        raise unusable("trained on other block features than feedsvc.clean.blocks.FEATURES")
    vocabulary = data["vocabulary"]
    if not isinstance(vocabulary, list) or not all(isinstance(w, str) for w in vocabulary):
        raise unusable("the vocabulary is not a list of words")
    threshold = data["threshold"]
    # a probability: NaN, a string or a bool would make every comparison with it quietly the same
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0.0 <= threshold <= 1.0:
        raise unusable(f"threshold {threshold!r} is not a probability between 0 and 1")
    if not isinstance(data["trees"], list):
        raise unusable("trees is not a list")
    trees = []
    for i, t in enumerate(data["trees"]):
        # Read with map(), the lists' lengths and indexes checked by BlockModel for all trees at once: every
        # process reads the shipped model's 120 trees on its first page, and generators per value (or min()
        # and max() per tree) made this milliseconds of it. operator.index
        # takes whole numbers only (int() would cut 2.7 to 2), and isfinite() is asked of the file's own
        # values, not float()'s (which reads "0.5"): a wrong file is refused, not guessed at.
        try:
            tree = Tree(
                feature=tuple(map(operator.index, t["feature"])),
                threshold=tuple(map(float, t["threshold"])),
                left=tuple(map(operator.index, t["left"])),
                right=tuple(map(operator.index, t["right"])),
                leaf=tuple(map(float, t["leaf"])),
                node_value=tuple(map(float, t["node_value"])),
            )
            finite = all(map(math.isfinite, itertools.chain(t["threshold"], t["leaf"], t["node_value"])))
        except (KeyError, TypeError, ValueError):
            if not isinstance(t, dict) or any(k not in t for k in _TREE_KEYS):
                raise unusable(f"tree {i} is malformed (not an object with {', '.join(_TREE_KEYS)})") from None
            raise unusable(f"tree {i} is malformed (its lists must hold numbers, its indexes whole ones)") from None
        if not finite:
            raise unusable(f"tree {i} holds a value that is not a finite number")
        trees.append(tree)
    try:
        return BlockModel(
            tuple(features), tuple(vocabulary), tuple(trees), float(threshold), dict(data.get("about", {}))
        )
    except _NotATree as e:  # the lists' lengths and indexes, checked for all trees at once as they are laid out flat
        raise unusable(f"tree {e.tree} is malformed ({e.why})") from None


_shipped: BlockModel | None = None


def shipped_model() -> BlockModel:
    """Return the model shipped in the package (read once)."""
    global _shipped
    if _shipped is None:
        text = resources.files("feedsvc.clean").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        _shipped = read_model(text, f"feedsvc/clean/{MODEL_FILE}")
    return _shipped


def read_model(text: str, source: str) -> BlockModel:
    """Return the model in ``text`` (a model file's JSON); ``source`` names the file in errors.

    :raises ModelError: when ``text`` is not JSON (a file cut short or hand-edited) or not a model.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:  # say which file, not only the line and column
        raise ModelError(f"{source}: not JSON ({e}); restore it from git or retrain with make train-scorer") from None
    return load_model(data, source)


# The model score_blocks uses (None: the shipped one), and whether the
# pipeline runs this stage at all. Only the benchmark sets them: held-out
# folds are scored with models of the other folds, and the heuristics alone
# with the stage off (module globals, so clean_html stays a pure function).
MODEL: BlockModel | None = None
ENABLED = True

# The structure's say over the scorer's decisions: the scorer reads each block with a few
# neighbours' numbers, not the shape a reader sees, and leaves holes in it (a section's heading
# dropped while its paragraphs stay, so the section runs into the one before; one item of a list
# missing; a tutorial's commands gone from between its paragraphs). The opposite hole, a heading kept over a section dropped whole, is left: dropping
# such headings did not hold on the held-out folds (docs/notebook/cleaner.md, session 33).
RULES: dict[str, str] = {
    "heading_of_kept_section": "a heading the scorer doubts stays when the block after it is kept and text before it is kept",
    "item_of_kept_list": "a list item the scorer doubts stays when most of the other items of its list are kept",
    "code_in_kept_text": "a code listing (<pre>) the scorer doubts stays when kept text lies before and after it",
    "lead_in_left": "a byline's lead-in left alone (“Written by”, “By:”) when the scorer removed the names after it goes too",
    "caption_of_kept_picture": "a figure's caption the scorer doubts stays when its picture is kept, has no alt text, and the caption says what it shows (not a credit, a label or a name alone)",
    "caption_when_alt_says_nothing": "for caption_of_kept_picture, an alt text that is only a file name or a placeholder ('IMG_2671.jpg', 'image') is no alt text: normalising empties it, and the caption is all that describes the picture",
    "credit_of_kept_quote": "a short line the scorer doubts inside a quote (a <blockquote>, or the <figure> around one) whose other text is kept stays: the name and job of who said it",
}

# Rules switched off; only the benchmark's ablation and tests set this.
DISABLED: frozenset[str] = frozenset()

_IN_LIST = FEATURES.index("in_list")


def _is_heading(block: Block) -> bool:
    return block.element.tag in HEADING_TAGS


def _headings_of_kept_sections(blocks: Sequence[Block], keep: list[bool]) -> None:
    """A dropped heading whose next block is kept, with kept text before it, is that section's title: it stays.

    Text kept before it: the page's own headline at the article's top is
    left to the scorer (annotations leave the title out).
    """
    seen_kept = False
    for i, block in enumerate(blocks):
        if (
            not keep[i]
            and seen_kept
            and i + 1 < len(blocks)
            and keep[i + 1]
            and not _is_heading(blocks[i + 1])
            and _is_heading(block)
        ):
            keep[i] = True
        seen_kept = seen_kept or keep[i]


def _code_in_kept_text(blocks: Sequence[Block], keep: list[bool]) -> None:
    """A dropped code listing (a ``<pre>``) with kept text before and after it is the article's: it stays.

    A listing reads to the scorer as junk (few stopwords, no sentence ends,
    symbols), so it doubts long ones between a tutorial's paragraphs; a
    listing among the kept text is that text's example.
    """
    kept = [i for i, k in enumerate(keep) if k]
    if not kept:
        return
    first, last = kept[0], kept[-1]
    for i in range(first + 1, last):
        if not keep[i] and blocks[i].element.tag == "pre":
            keep[i] = True


def _items_of_kept_lists(blocks: Sequence[Block], keep: list[bool]) -> None:
    """A dropped list item stays when at least ``ITEM_KEPT_SHARE`` of the other items of its list (``ITEM_MIN_SIBLINGS`` at least) are kept.

    Only items of one block (a line of text in an ``<li>``, or one paragraph
    in it): an item of several blocks is a card (a teaser's blurb, its
    reading time, its date), whose parts the scorer judges one by one.
    """
    items: dict[HtmlElement, list[int]] = {}  # per <li>, the indexes of its blocks
    for i, block in enumerate(blocks):
        if not block.features[_IN_LIST]:  # no list above it: no climb
            continue
        el = block.element
        item = el if el.tag == "li" else next(el.iterancestors("li"), None)
        if item is not None:
            items.setdefault(item, []).append(i)
    lists: dict[HtmlElement, list[int]] = {}  # per list, the one block of each of its items of one block
    for item, found in items.items():
        parent = item.getparent()
        if len(found) == 1 and parent is not None:
            lists.setdefault(parent, []).append(found[0])
    rescued = []
    for members in lists.values():
        kept = sum(keep[i] for i in members)
        others = len(members) - 1
        if others >= ITEM_MIN_SIBLINGS:
            rescued += [i for i in members if not keep[i] and kept >= ITEM_KEPT_SHARE * others]
    for i in rescued:
        keep[i] = True


# A quote's credit line is a name, a job or a work's title: at most this many words.
_CREDIT_MAX_WORDS = 12


def _credits_of_kept_quotes(article: HtmlElement, blocks: Sequence[Block], keep: list[bool]) -> None:
    """A dropped short line of a quote whose other text is kept is who said it ("Carey Cranston" / "Museum President"): it stays.

    A reader needs who said a quote; the scorer reads a name alone, or a job,
    as page furniture (wcxb-dev/0199's pull quote lost "Carey Cranston").
    Only where the quote's words stay: a quote dropped whole is left to the
    scorer.
    """
    if next(article.iter("blockquote"), None) is None:  # most articles quote nothing: no climb per block
        return
    quotes: dict[HtmlElement, list[int]] = {}
    for i, block in enumerate(blocks):
        quote = quote_of(block.element)
        if quote is not None:
            quotes.setdefault(quote, []).append(i)
    for members in quotes.values():
        if not any(keep[i] for i in members):
            continue
        for i in members:
            if not keep[i] and len(_WORDS.findall(blocks[i].text)) <= _CREDIT_MAX_WORDS:
                keep[i] = True


# What shows a figure's picture, and the caption markup: <figcaption>, or a class or id naming a caption
# ("wp-caption-text"; not <caption>, a table's). A caption is looked for this many steps up from a block,
# its picture as many steps up from the caption: further up is the article's layout, not one figure.
_PICTURE_TAGS = ("img", "picture", "video")
_CAPTION_CLIMB = 3
_WORDS = re.compile(r"\w+")


def _caption_of(el: HtmlElement, article: HtmlElement) -> HtmlElement | None:
    """Return the caption ``el`` is (or is in): a ``<figcaption>`` or an element classed as a caption; else None."""
    node: HtmlElement | None = el
    for _ in range(_CAPTION_CLIMB):
        if node is None or node is article or node.tag in ("caption", "figure"):
            return None
        if node.tag == "figcaption" or "caption" in class_and_id(node).lower():
            return node
        node = node.getparent()
    return None


def _figure_of(caption: HtmlElement, article: HtmlElement, pictured: set[HtmlElement]) -> HtmlElement | None:
    """Return the nearest element above ``caption`` (the article left out) that holds a picture, or None."""
    node = caption.getparent()
    for _ in range(_CAPTION_CLIMB):
        if node is None or node is article:
            return None
        if node in pictured:
            return node
        if node.tag == "figure":  # a figure without its picture: the caption of nothing shown
            return None
        node = node.getparent()
    return None


def _not_a_description(text: str) -> str:
    """Return why a caption's ``text`` does not say what its picture shows ("" when it does)."""
    words = _WORDS.findall(text)
    if CAPTION_CREDIT.match(text) or (len(words) <= CAPTION_CREDIT_SLASH_MAX_WORDS and ("/" in text or "|" in text)):
        return "a credit"
    if CHROME_LINE.fullmatch(text):
        return "a control label"
    if len(words) < CAPTION_MIN_WORDS:
        return f"under {CAPTION_MIN_WORDS} words"
    if all(w[0].isupper() or w[0].isdigit() for w in words) and len(words) <= 4:
        return "a name alone"
    return ""


def _captions_of_kept_pictures(
    article: HtmlElement, blocks: Sequence[Block], keep: list[bool]
) -> dict[HtmlElement, str]:
    """Keep each dropped caption whose figure's picture stays, without alt text, and whose text says what it shows.

    The dev truths leave most captions out (349 of 377, docs/notebook/cleaner.md), so
    the scorer learnt that a caption is junk; a reader loses what the picture
    is of ("Harvard CS50 free certificate" under a certificate whose alt is
    empty). Not kept: a credit, a control label or a name alone, the caption
    of a picture that is gone (removed before, or in a block the scorer
    drops), of a gallery or of a teaser (a picture or caption that links
    elsewhere), of a picture whose alt text describes it.

    :returns: the dropped captions left to go, each with why (for ``--explain``).
    """
    pictured: set[HtmlElement] | None = None  # found on the first caption: most pages' dropped blocks hold none
    dropped = {blocks[i].element for i, k in enumerate(keep) if not k}
    why_not: dict[HtmlElement, str] = {}
    for i, block in enumerate(blocks):
        if keep[i]:
            continue
        caption = _caption_of(block.element, article)
        if caption is None:
            continue
        if pictured is None:
            pictured = holders_of(article, *_PICTURE_TAGS)
        figure = _figure_of(caption, article, pictured)
        why = _caption_verdict(block, caption, figure, article, dropped) if figure is not None else "no picture"
        if why:
            why_not[block.element] = why
        else:
            keep[i] = True
    return why_not


def _caption_verdict(
    block: Block, caption: HtmlElement, figure: HtmlElement, article: HtmlElement, dropped: set[HtmlElement]
) -> str:
    """Return why ``block`` (in ``caption`` of ``figure``) goes all the same ("" when it stays)."""
    # A picture in a dropped block goes with it (the doubted caption's own, when it holds its picture:
    # the rule brings back captions, not pictures).
    kept = [p for p in figure.iter(*_PICTURE_TAGS) if not any(up in dropped for up in _up_to(p, figure))]
    if not kept:
        return "its picture goes"
    if len(text_of(figure)) - len(text_of(caption)) > CAPTION_FIGURE_MAX_OTHER_CHARS:
        return "not one figure (its picture sits with other text)"
    if any(GALLERY_NAME.search(class_and_id(node)) for node in _up_to(figure, article)):
        return "a gallery's"
    if all(any(up.tag == "a" and _links_away(up) for up in _up_to(p, article)) for p in kept):
        return "a teaser's (its picture links to another page)"
    if 2 * sum(len(text_of(a)) for a in caption.iter("a")) > len(block.text):
        return "a teaser's (its text is a link)"
    if why := _not_a_description(block.text):
        return why
    # Only the captions of pictures nothing else describes: a picture with alt text is described to
    # whoever cannot see it, and keeping every caption cost more than the metric allows (docs/notebook/cleaner.md,
    # session 41: the truths leave captions out); a picture with an empty alt and no caption is unexplained.
    if any(_describes(img.get("alt") or "") for p in kept for img in p.iter("img")):
        return "its picture has alt text"
    return ""


def _describes(alt: str) -> bool:
    """True when ``alt`` describes its picture: not empty, and (``caption_when_alt_says_nothing``) not a file name or a placeholder."""
    if "caption_when_alt_says_nothing" in DISABLED:
        return bool(alt.strip())
    return bool(alt.strip()) and not alt_says_nothing(alt)


def _up_to(el: HtmlElement, top: HtmlElement) -> Iterator[HtmlElement]:
    """Yield ``el`` and its ancestors below ``top`` (``top`` left out)."""
    node: HtmlElement | None = el
    while node is not None and node is not top:
        yield node
        node = node.getparent()


def _links_away(a: HtmlElement) -> bool:
    """True when link ``a`` goes to a page, not to a bigger copy of its picture."""
    href = (a.get("href") or "").split("?")[0].split("#")[0].lower()
    return bool(href) and not href.endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"))


def score_blocks(
    article: HtmlElement,
    title: str | None = None,
    rec: Recorder | None = None,
    model: BlockModel | None = None,
    description: str | None = None,
) -> list[tuple[Block, float]]:
    """Remove from ``article`` the blocks the model is confident are not article text (never one holding a kept block).

    ``title`` and ``description`` are the page's own (read before the head is pruned).

    :returns: every block scored, with its probability, in page order
        (removed ones included), for the benchmark and ``--explain``.
    """
    model = model or MODEL or shipped_model()
    blocks = article_blocks(article, title, description)
    scored = list(zip(blocks, model.probabilities(blocks), strict=True))
    keep = [p >= model.threshold for _, p in scored]
    # The structure's rules, items first: a heading is judged with the items after it back.
    if "item_of_kept_list" not in DISABLED:
        _items_of_kept_lists(blocks, keep)
    if "code_in_kept_text" not in DISABLED:
        _code_in_kept_text(blocks, keep)
    if "credit_of_kept_quote" not in DISABLED:
        _credits_of_kept_quotes(article, blocks, keep)
    if "heading_of_kept_section" not in DISABLED:
        _headings_of_kept_sections(blocks, keep)
    # Last, so that a caption brought back does not bring back the heading over its figure.
    not_kept = {} if "caption_of_kept_picture" in DISABLED else _captions_of_kept_pictures(article, blocks, keep)
    # A block can hold others (text of its own beside nested blocks): one whose nested text is kept
    # stays, or removing it would take article text with it.
    # Each kept block's climb stops at the first ancestor already held: that one's ancestors are all held
    # already (every climb went to the root or to such an ancestor), and the kept paragraphs of one body
    # share every ancestor above their parent.
    holding: set[HtmlElement] = set()
    for (block, _), k in zip(scored, keep, strict=True):
        if k:
            for up in block.element.iterancestors():
                if up in holding:
                    break
                holding.add(up)
    emptied: list[HtmlElement] = []
    for (block, p), k in zip(scored, keep, strict=True):
        if not k and block.element not in holding:
            why = ""
            if rec is not None:
                most = ", ".join(f"{name}={value:.2f}" for name, value in model.reasons(block))
                why = f"learned block scorer: content probability {p:.2f} < {model.threshold:.2f} ({most})"
                if block.element in not_kept:  # say why the caption rule let it go
                    why += f"; a caption not kept: {not_kept[block.element]}"
            if (parent := block.element.getparent()) is not None and parent is not article:
                emptied.append(parent)
            remove(block.element, rec, _STAGE, why)
    if "lead_in_left" not in DISABLED:
        _remove_lead_ins_left(article, emptied, rec)
    return scored


def _remove_lead_ins_left(article: HtmlElement, emptied: list[HtmlElement], rec: Recorder | None) -> None:
    """Remove each of ``emptied`` (parents of removed blocks) whose text is now only a byline's lead-in.

    A byline whose names sit in a block of their own (``<li>Written by
    <address>The Team</address></li>``) can lose the names to the scorer and
    keep the words that led to them: a reader then sees "Written by" and
    nothing after it.
    """
    for parent in dict.fromkeys(emptied):  # a parent of several removed blocks is read once
        if is_within(parent, article) and BYLINE_LEAD_IN.fullmatch(" ".join(parent.text_content().split())):
            remove(parent, rec, _STAGE, "a byline's lead-in whose names the learned block scorer removed")
