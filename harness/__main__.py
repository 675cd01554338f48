"""``python -m harness``: the same command line as ``harness``."""

from harness.cli.main import main

raise SystemExit(main())
