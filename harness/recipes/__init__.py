"""Training recipes: each turns a config (``recipes/<name>.yaml``) into a registered variant.

Recipe modules import torch, transformers, peft and trl; this package only names them, so
importing it stays cheap.
"""

from harness.recipes.run import RECIPES, sweep_recipe, train_recipe

__all__ = ["RECIPES", "sweep_recipe", "train_recipe"]
