"""Start the sandbox's forkserver early, importing nothing heavy here.

The forkserver (``data_sources.sandbox``) is a fresh interpreter that preloads the readers
(pandas, pyarrow, fastexcel: ~0.3 s). The command line starts it first thing, so it loads
them while the command line imports its own modules on the other core, instead of after.
The sandbox is the same (same server, same limits, same protocol); only its start moves.
"""

from __future__ import annotations

import multiprocessing as mp

# What the forkserver preloads (data_sources.sandbox uses the same list): everything a child
# imports (its target, the readers, the allocator switch), so that a child forked from the
# server imports nothing on its own clock. Each costs the server once, before any child.
PRELOAD = [
    "data_sources.sandbox",
    "data_sources.excel",
    "data_sources.csv_file",
    "data_sources.memory",
]


def start_sandbox_server() -> None:
    """Start the forkserver now, in the background (returns without waiting for its preload)."""
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()
