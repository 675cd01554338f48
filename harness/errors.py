"""Errors meant for people: one line that names the problem and the fix.

The CLI turns a ``HarnessError`` into that line on stderr and exit code 2; anything else
is a bug and keeps its traceback.
"""


class HarnessError(Exception):
    """A user-facing problem (bad input, missing data, unknown name) with its fix in the message."""

    exit_code = 2
