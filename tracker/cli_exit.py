"""Ending ``python -m tracker summary|validate`` without tearing the interpreter down (issue 20).

After its last line a command line that imported pandas, numpy and pyarrow spends ~0.1 s of
CPU in Python's finalisation, freeing their modules and objects one by one: memory the
operating system takes back at once when the process ends. The commands that only read files
and print (``summary`` and ``validate`` of files: no store, nothing written) end the way the
interpreter would — non-daemon threads joined, ``atexit`` handlers run (the early read's
clean-up, multiprocessing's: the sandbox's server and its resource tracker are stopped),
stdout and stderr flushed — and then leave with ``os._exit``, skipping only that teardown.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

FAST_EXIT_COMMANDS = frozenset({"summary", "validate"})
FLUSH_FAILED = 120  # the status Python exits with when its final flush of stdout fails


def fast_exit_allowed(words: Sequence[str]) -> bool:
    """The command line ``words`` only reads files and prints (not ``--current``: the store)."""
    return bool(words) and words[0] in FAST_EXIT_COMMANDS and "--current" not in words


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` after what Python's own exit does first, in its order:
    join the non-daemon threads, run the ``atexit`` handlers, flush stdout and stderr."""
    threading._shutdown()  # type: ignore[attr-defined]  # what the interpreter calls at exit
    atexit._run_exitfuncs()
    status = code
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            if stream is sys.stdout:
                status = FLUSH_FAILED
    os._exit(status)


__all__ = ["FAST_EXIT_COMMANDS", "exit_now", "fast_exit_allowed"]
