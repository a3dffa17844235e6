"""The quality gate on the POA development corpus (shared/poa-dev-corpus, invented examples):
the targets of issue 11. The figures are printed at the end of the test run.

- each whole draft: at least 95 % of its listed defects flagged with a rule of the right
  category, and no finding on the words of a listed clean sentence;
- corpus.yaml: at least 90 % recall in every category, at most 2 % of the clean items flagged.

The corpus is never copied into the project; without it these tests are skipped.
"""

from __future__ import annotations

import pytest

from corpus_score import Score, corpus_dir, score

pytestmark = pytest.mark.skipif(corpus_dir() is None, reason="shared/poa-dev-corpus not found (set POA_SHARED)")


@pytest.fixture(scope="module")
def figures() -> Score:
    return score()


def test_each_draft_catches_its_defects_and_leaves_clean_sentences_alone(figures: Score) -> None:
    assert len(figures.drafts) == 8
    for name, d in figures.drafts.items():
        assert d["caught"] >= 0.95 * d["flawed"], (name, d, figures.misses)
        assert d["clean_span"] == 0, (name, [c for c in figures.clean_flagged if c.startswith(name)])


def test_recall_per_category_and_clean_items(figures: Score) -> None:
    low = {c: round(figures.recall(c), 3) for c in figures.categories() if figures.recall(c) < 0.90}
    assert not low, (low, figures.misses)
    items = [c for c in figures.clean_flagged if not c.split(":")[0].endswith(".txt") and ".txt " not in c]
    assert len(items) <= 0.02 * figures.clean_total, items
