from harness.tasks.fewshot import pick_fewshot

POOL = [{"i": i} for i in range(10)]


def test_first_n_takes_the_head_of_the_split() -> None:
    assert (
        pick_fewshot(POOL, 3, sampler="first_n", seed=1, doc_id=0, exclude=None, task="t")
        == POOL[:3]
    )


def test_random_sampler_is_repeatable_per_document() -> None:
    first = pick_fewshot(POOL, 3, sampler="random", seed=7, doc_id=4, exclude=None, task="t")
    again = pick_fewshot(POOL, 3, sampler="random", seed=7, doc_id=4, exclude=None, task="t")
    other_doc = pick_fewshot(POOL, 3, sampler="random", seed=7, doc_id=5, exclude=None, task="t")
    assert first == again
    assert first != other_doc


def test_the_evaluated_document_is_never_its_own_example() -> None:
    for doc_id in range(10):
        shots = pick_fewshot(
            POOL, 9, sampler="random", seed=0, doc_id=doc_id, exclude=POOL[doc_id], task="t"
        )
        assert POOL[doc_id] not in shots
