"""What the user is told, in Thai and English (a leaf: imports nothing of the project's).

- ``i18n``: the catalogues (``locales/[feature.]th.json`` and ``en.json``, same keys) and ``t``;
- ``codes``: the registry: every code, what it is (issue or refusal), its severity, its key;
- ``problems``: the one ``Issue`` (a finding about the data) and the one ``Refusal``
  (something not done), both carrying a code and its parameters, rendered only for display.
"""
