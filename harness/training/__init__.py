"""What the training recipes share: sessions, config loading and sections, the Trainer loop,
run folders, data builders (DialogSum/Alpaca examples, preference pairs, RL prompts,
corpora), rewards, adapters and the scaling sweep.

The recipes themselves are the modules of :mod:`harness.recipes`; nothing here imports
them. Importing this package stays cheap: each module loads its heavy libraries itself.
"""
