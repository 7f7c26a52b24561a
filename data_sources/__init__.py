"""Connectors: read spreadsheets safely into RawTable (cells as text + provenance)."""
