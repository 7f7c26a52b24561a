"""What the command line does before it imports anything heavy (issue 20).

The commands that read files start the sandbox's server first (``data_sources.sandbox_start``):
a fresh interpreter that preloads the readers on the other core while the command line
imports pandas and its own modules. ``python -m tracker`` calls this before importing
``tracker.cli``; ``tracker.cli.main`` calls it too (a second call costs nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

READING_COMMANDS = frozenset({"validate", "summary", "import"})


def start_reader_early(words: Sequence[str]) -> None:
    """Start the sandbox's server now if the command line ``words`` will read files."""
    if words and words[0] in READING_COMMANDS and "--current" not in words:
        from data_sources.sandbox_start import start_sandbox_server

        start_sandbox_server()
