"""Connectors: read spreadsheets safely into RawTable (cells as text + provenance).

Importing this package changes nothing in the process: the entry points (the app, the command
line, the sandbox child, the benchmarks) choose Arrow's allocator with
``data_sources.memory.use_system_allocator``.
"""
