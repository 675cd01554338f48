"""BM25 retrieval and recall@k against hand computation on a four-passage corpus."""

from __future__ import annotations

import math

import pytest

from harness.errors import HarnessError
from harness.metrics import get_metric
from harness.metrics.outcome import ItemOutcome
from harness.metrics.recall_at_k import recall_at_k
from harness.tasks.retrieval import PassageIndex

CORPUS = [
    "Paris is the capital of France.",
    "The Nile is a river in Africa.",
    "Paris is the capital of France.",  # a second question on the same passage
    "Bread rises because yeast makes gas.",
    "The Amazon is a river in South America, longer than rivers of Europe.",
]


@pytest.fixture(scope="module")
def index() -> PassageIndex:
    return PassageIndex(CORPUS)


def test_the_corpus_keeps_each_passage_once_in_first_seen_order(index: PassageIndex) -> None:
    assert index.passages == [CORPUS[0], CORPUS[1], CORPUS[3], CORPUS[4]]
    assert index.position(CORPUS[2]) == 0
    with pytest.raises(HarnessError, match="not in the retrieval corpus"):
        index.position("Rome is in Italy.")


def test_bm25_scores_match_the_lucene_formula_by_hand(index: PassageIndex) -> None:
    # Tokens (bm25s' English stopwords gone, no stemming): [paris capital france],
    # [nile river africa], [bread rises because yeast makes gas],
    # [amazon river south america longer than rivers europe]: lengths 3, 3, 6, 8.
    # bm25s' Lucene variant: idf * tf / (tf + k1 * (1 - b + b * len / avgdl)), with
    # idf = ln(1 + (N - df + 0.5) / (df + 0.5)); like Lucene 8 it drops the (k1 + 1) factor.
    k1, b, avgdl = 1.5, 0.75, 5.0

    def term(df: int, length: int) -> float:
        return math.log(1 + (4 - df + 0.5) / (df + 0.5)) / (1 + k1 * (1 - b + b * length / avgdl))

    assert index.scores("river").tolist() == pytest.approx(
        [0.0, term(2, 3), 0.0, term(2, 8)], rel=1e-6
    )
    assert index.scores("Does the Amazon river flow in Africa?").tolist() == pytest.approx(
        [0.0, term(2, 3) + term(1, 3), 0.0, term(2, 8) + term(1, 8)], rel=1e-6
    )


def test_search_ranks_by_score_and_breaks_ties_by_corpus_order(index: PassageIndex) -> None:
    assert index.search("Which river is in Africa?", 2) == [1, 3]
    assert index.search("capital of France", 1) == [0]
    # no word in common: every score is 0, so the ranking is the corpus order
    assert index.search("zebra", 3) == [0, 1, 2]


def test_recall_at_k_by_hand(index: PassageIndex) -> None:
    questions = [  # (query, its gold passage)
        ("Is Paris the capital of France?", CORPUS[0]),  # only passage 0 matches: 1st
        ("Is the Nile a river?", CORPUS[1]),  # nile + river beat the Amazon's river: 1st
        ("Does the Amazon river flow in Africa?", CORPUS[4]),  # Nile (river, africa) 1st: 2nd
        ("What is the biggest jungle?", CORPUS[4]),  # no word in common: corpus order, 4th
    ]
    ranked = [index.search(q, 3) for q, _ in questions]
    golds = [index.position(g) for _, g in questions]
    assert golds == [0, 1, 3, 3]
    assert ranked == [[0, 1, 2], [1, 3, 0], [1, 3, 0], [0, 1, 2]]
    by_hand = {1: [1.0, 1.0, 0.0, 0.0], 3: [1.0, 1.0, 1.0, 0.0]}
    for k, expected in by_hand.items():
        assert [recall_at_k(r, g, k) for r, g in zip(ranked, golds, strict=True)] == expected
        outcomes = [
            ItemOutcome(retrieved=tuple(r), gold_passage=g)
            for r, g in zip(ranked, golds, strict=True)
        ]
        assert get_metric(f"recall_at_{k}").summarize(outcomes).value == sum(expected) / 4


def test_recall_at_k_needs_k_retrieved_passages() -> None:
    with pytest.raises(HarnessError, match=r"retrieve\.k to 3"):
        recall_at_k([4], 4, 3)


def test_the_rag_suite_asks_the_same_questions_with_the_passages_bm25_found() -> None:
    from harness.data.root import resolve_data_root
    from harness.tasks.suite import load_suite
    from harness.tasks.task import Task

    root = resolve_data_root(None)
    tasks = {c.task: Task(c, root) for c in load_suite("rag").tasks}
    items = {name: task.build_items(4) for name, task in tasks.items()}
    assert len({tuple(i.doc_id for i in its) for its in items.values()}) == 1
    k3 = tasks["rag_retrieved_k3"]
    assert k3.corpus is not None and len(k3.corpus.passages) == 2939  # of 3,270 questions
    for item in items["rag_retrieved_k3"]:
        assert item.retrieved is not None and len(item.retrieved) == 3
        passages = [k3.corpus.passages[i] for i in item.retrieved]
        assert item.prompt == "\n".join(passages) + f"\nQuestion: {item.doc['question']}?\nAnswer:"
        assert k3.corpus.passages[item.gold_passage or 0] == item.doc["passage"]
    closed = items["rag_closed_book"][0]
    assert closed.retrieved is None and closed.prompt.startswith("Question: ")
