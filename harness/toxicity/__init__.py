"""Our own toxicity classifier: MiniLM fine-tuned on Davidson's tweets and ToxiGen's seeds.

``load_classifier()`` returns a ``ToxicityClassifier`` whose ``score(texts)`` gives each
text's probability of being toxic (hate or offensive), built and cached on first use;
``harness models build toxicity`` builds it ahead and prints its held-out metrics. Torch
loads only when a classifier is built or loaded.
"""

from harness.toxicity.build import (
    BuildResult,
    build_classifier,
    cache_folder,
    classifier_key,
    load_classifier,
    load_from_folder,
)
from harness.toxicity.config import DEFAULT_CONFIG, ClassifierConfig
from harness.toxicity.info import ClassifierInfo

__all__ = [
    "DEFAULT_CONFIG",
    "BuildResult",
    "ClassifierConfig",
    "ClassifierInfo",
    "build_classifier",
    "cache_folder",
    "classifier_key",
    "load_classifier",
    "load_from_folder",
]
