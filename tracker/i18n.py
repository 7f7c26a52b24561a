"""The catalogues live in ``messages`` (a leaf the readers can use too); this name stays for
the modules that still import it from here."""

from messages.i18n import LANGS, catalogue, t

__all__ = ["LANGS", "catalogue", "t"]
