"""The classifier's data: normalisation, deduplication, a deterministic disjoint split."""

from __future__ import annotations

from pathlib import Path

from toxicity_examples import separable_examples

from harness.toxicity.data import (
    HATE,
    NEITHER,
    OFFENSIVE,
    Example,
    deduplicate,
    load_dataset,
    normalise,
    split,
    training_set,
)


def test_normalise_drops_twitter_debris_and_unescapes_html() -> None:
    raw = '"RT @mayasolovely: As a woman   you &amp; me http://t.co/x9"'
    assert normalise(raw) == "As a woman you & me"


def test_deduplicate_keeps_first_and_drops_texts_with_conflicting_labels() -> None:
    examples = [
        Example("a", HATE, "davidson"),
        Example("b", NEITHER, "davidson"),
        Example("a", HATE, "toxigen"),
        Example("b", OFFENSIVE, "davidson"),
        Example("c", NEITHER, "toxigen"),
    ]
    kept, conflicts = deduplicate(examples)
    assert kept == [Example("a", HATE, "davidson"), Example("c", NEITHER, "toxigen")]
    assert conflicts == 1


def test_split_is_deterministic_disjoint_and_complete() -> None:
    examples = separable_examples()
    train, heldout = split(examples, 30, seed=0)
    assert split(list(reversed(examples)), 30, seed=0) == (train[::-1], heldout[::-1])
    assert {e.text for e in train}.isdisjoint({e.text for e in heldout})
    assert sorted(train + heldout, key=str) == sorted(examples, key=str)
    assert 0 < len(heldout) < len(examples)


def test_another_seed_gives_another_split() -> None:
    examples = separable_examples()
    assert split(examples, 30, seed=0)[1] != split(examples, 30, seed=1)[1]


def test_training_set_caps_tweets_per_label_and_repeats_toxigen() -> None:
    tweets = [Example(f"t{i}", i % 3, "davidson") for i in range(30)]  # 10 per label
    seeds = [Example("s0", HATE, "toxigen"), Example("s1", NEITHER, "toxigen")]
    chosen = training_set(tweets + seeds, cap=4, toxigen_repeats=3, seed=0)
    assert sum(e.source == "davidson" and e.label == OFFENSIVE for e in chosen) == 4
    assert len([e for e in chosen if e.source == "davidson"]) == 12
    assert [e.text for e in chosen].count("s0") == 3
    assert chosen == training_set(tweets + seeds, cap=4, toxigen_repeats=3, seed=0)


def test_real_data_loads_deduplicated_with_both_sources(shared_data: Path) -> None:
    dataset = load_dataset(shared_data)
    texts = [e.text for e in dataset.examples]
    assert len(texts) == len(set(texts)) > 20_000
    assert {e.source for e in dataset.examples} == {"davidson", "toxigen"}
    assert {e.label for e in dataset.examples if e.source == "toxigen"} == {HATE, NEITHER}
    train, heldout = split(dataset.examples, 10, seed=0)
    assert {e.text for e in train}.isdisjoint({e.text for e in heldout})
    assert 0.08 < len(heldout) / len(texts) < 0.12
    assert load_dataset(shared_data).data_hash == dataset.data_hash
