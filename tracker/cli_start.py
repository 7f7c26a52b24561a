"""What the command line does before it imports anything heavy (issue 20).

The commands that read files start the sandbox's server first (``data_sources.sandbox_start``):
a fresh interpreter that preloads the readers on the other core while the command line
imports pandas and its own modules. ``python -m tracker`` calls this before importing
``tracker.cli``; ``tracker.cli.main`` calls it too (a second call costs nothing).

``python -m tracker summary|validate FILE…`` also starts reading the local files named
(``data_sources.files.start_reading``: the same checks and sandboxed parse, in a thread), so
the parse overlaps those imports too; the reader takes the result when it gets there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

READING_COMMANDS = frozenset({"validate", "summary", "import"})
# The commands whose files can be read early, and their options that take a value (the
# parser in tracker/cli.py and tracker/cli_inputs.py; tests/integration/test_cli_start.py
# checks that the two agree).
READ_EARLY_COMMANDS = frozenset({"validate", "summary"})
VALUE_OPTIONS = frozenset({"--fiscal-year", "--map", "--mappings"})


def start_reader_early(words: Sequence[str], read_files: bool = False) -> None:
    """Start the sandbox's server now if the command line ``words`` will read files; with
    ``read_files``, also start reading the local files it names."""
    if words and words[0] in READING_COMMANDS and "--current" not in words:
        from data_sources.sandbox_start import start_sandbox_server

        start_sandbox_server()
        if read_files and words[0] in READ_EARLY_COMMANDS:
            _start_reading(local_files(words[1:]))


def local_files(arguments: Sequence[str]) -> list[str]:
    """The existing local files among a reading command's positional ``arguments``."""
    found: list[str] = []
    takes_value = positional_only = False
    for word in arguments:
        if takes_value:
            takes_value = False
        elif word == "--" and not positional_only:
            positional_only = True
        elif word.startswith("-") and not positional_only:
            takes_value = word in VALUE_OPTIONS
        elif not word.strip().lower().startswith(("http://", "https://")) and os.path.isfile(word):
            found.append(word)
    return found


def _start_reading(paths: list[str]) -> None:
    if not paths:
        return
    import settings

    try:
        cap = settings.max_file_bytes()
    except settings.SettingError:
        return  # the command reports it
    from data_sources.files import start_reading

    for path in dict.fromkeys(paths):
        start_reading(path, cap)
