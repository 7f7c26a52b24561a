"""Checks every untrusted file before parsing, and parses it in a sandboxed child.

The work is done in two modules: ``data_sources.inspection`` (what a file is, from its content:
zip listings, OLE2 directories, XML prologs, macros, encryption) and ``data_sources.sandbox``
(the forkserver child with its memory and time limits, the shared-memory handoff). This module
keeps the names that callers import from here; patch a module's state (``HANDOFF_DIR``, the
handoff helpers) in the module that owns it.
"""

from __future__ import annotations

from data_sources.base import UnreadableFile, empty_file, refuse
from data_sources.handoff import sweep_stale_handoffs
from data_sources.inspection import (
    MAX_ZIP_ENTRIES,
    OLE_MAGIC,
    detect_kind,
    extension_of,
    ole_directory_names,
    prolog_verdict,
    too_large,
)
from data_sources.sandbox import (
    out_of_memory,
    parse_in_sandbox,
    timed_out,
    warm_up_sandbox,
)

__all__ = [
    "MAX_ZIP_ENTRIES",
    "OLE_MAGIC",
    "UnreadableFile",
    "detect_kind",
    "empty_file",
    "extension_of",
    "ole_directory_names",
    "out_of_memory",
    "parse_in_sandbox",
    "prolog_verdict",
    "refuse",
    "sweep_stale_handoffs",
    "timed_out",
    "too_large",
    "warm_up_sandbox",
]
