"""Keys added for the benchmark suites leave the content hashes of older tasks unchanged.

Stored runs identify a task by this hash; a new optional key at its default must not make
yesterday's MMLU and DialogSum runs incomparable with today's.
"""

from harness.tasks import load_suite

# content_hash() of these tasks before the suite keys existed (commit 48b1667)
MMLU_ABSTRACT_ALGEBRA = "60c44c60c69c2afd0472ce5a94cc26850b32f475d281ab02102647ad4cc22890"
DIALOGSUM_0SHOT = "d7839b3db63ed50c7912e86eff8900e634d10ec813244459dde24afa16fb6e51"


def test_mmlu_task_hash_is_unchanged() -> None:
    (config,) = load_suite("mmlu").select(["mmlu_abstract_algebra"])
    assert config.content_hash() == MMLU_ABSTRACT_ALGEBRA


def test_dialogsum_task_hash_is_unchanged() -> None:
    (config,) = load_suite("dialogsum").select(["dialogsum_0shot"])
    assert config.content_hash() == DIALOGSUM_0SHOT


def test_a_new_key_in_use_changes_the_hash() -> None:
    (config,) = load_suite("mmlu").select(["mmlu_abstract_algebra"])
    stratified = config.model_copy(update={"stratify_by": "{{ answer }}"})
    assert stratified.content_hash() != MMLU_ABSTRACT_ALGEBRA
