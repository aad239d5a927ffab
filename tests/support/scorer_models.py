"""Hand-made block scorer models for tests (feedsvc.clean.scorer's model format)."""

from __future__ import annotations

from typing import Any

from feedsvc.clean.blocks import FEATURES

LINK_SHARE = FEATURES.index("link_share")
WORD = len(FEATURES)  # the first vocabulary word's input


def link_model(threshold: float = 0.5) -> dict[str, Any]:
    """A model that calls link text junk (-3 log-odds) and prose article text (+3), less 1 for class word 'related'."""
    return {
        "format": 1,
        "features": list(FEATURES),
        "vocabulary": ["related"],
        "threshold": threshold,
        "trees": [
            {
                "feature": [LINK_SHARE],
                "threshold": [0.5],
                "left": [-1],
                "right": [-2],
                "leaf": [3.0, -3.0],
                "node_value": [0.0],
            },
            {
                "feature": [WORD],
                "threshold": [0.5],
                "left": [-1],
                "right": [-2],
                "leaf": [0.0, -1.0],
                "node_value": [-0.2],
            },
        ],
        "about": {"trained_on": "a hand-made test model"},
    }
