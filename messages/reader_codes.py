"""Codes of the readers' refusals: a file or a source that cannot be read at all.

Each maps to its catalogue key (messages/locales/read.*.json); ``messages.codes`` merges them
into the one registry. A code names one failure for good (tests, the sync report and the logs
use it). Where the readers tell that one failure in more than one sentence (the upload cap and
the CSV reader's row cap are both ``too_large``), the other sentences are its variants: key
``read.<code>.<variant>``, chosen by the parameter ``variant`` (data_sources.base).
"""

READER_REFUSALS: dict[str, str] = {
    # sources.toml, service-account credentials and a live source (tracker.live), an upload
    # of a type the page does not take (tracker.publish)
    "sources_missing": "read.sources_missing",
    "sources_invalid": "read.sources_invalid",
    "credentials_invalid": "read.credentials_invalid",
    "type_not_allowed": "read.type_not_allowed",
    "source_internal": "read.source_internal",
    # what the file is, and what must not be opened (data_sources.inspection)
    "empty_file": "read.empty_file",
    "too_large": "read.too_large",
    "not_a_spreadsheet": "read.not_a_spreadsheet",
    "macro_enabled": "read.macro_enabled",
    "encrypted": "read.encrypted",
    "zip_bomb": "read.zip_bomb",
    "xml_attack": "read.xml_attack",
    "not_found": "read.not_found",
    # parsing (data_sources.csv_file, excel, files) and the sandbox (data_sources.sandbox)
    "parse_failed": "read.parse_failed",
    "bad_encoding": "read.bad_encoding",
    "cell_too_long": "read.cell_too_long",
    "out_of_memory": "read.out_of_memory",
    "timeout": "read.timeout",
    # Google Sheets (data_sources.gsheets)
    "gsheets_bad_url": "read.gsheets_bad_url",
    "gsheets_auth": "read.gsheets_auth",
    "gsheets_forbidden": "read.gsheets_forbidden",
    "gsheets_api_disabled": "read.gsheets_api_disabled",
    "gsheets_not_found": "read.gsheets_not_found",
    "gsheets_worksheet_missing": "read.gsheets_worksheet_missing",
    "gsheets_unavailable": "read.gsheets_unavailable",
    "gsheets_timeout": "read.gsheets_timeout",
    "gsheets_error": "read.gsheets_error",
    "gsheets_not_published": "read.gsheets_not_published",
    "gsheets_not_csv": "read.gsheets_not_csv",
    # http(s) URLs (data_sources.http_source)
    "http_private_address": "read.http_private_address",
    "http_bad_url": "read.http_bad_url",
    "http_bad_redirect": "read.http_bad_redirect",
    "http_forbidden": "read.http_forbidden",
    "http_not_found": "read.http_not_found",
    "http_unavailable": "read.http_unavailable",
    "http_error": "read.http_error",
    "http_too_many_redirects": "read.http_too_many_redirects",
    "http_timeout": "read.http_timeout",
    "http_too_large": "read.http_too_large",
    "http_html": "read.http_html",
    "http_not_table": "read.http_not_table",
}

# The other sentences of a code (key ``<its key>.<variant>``).
READER_VARIANTS: dict[str, tuple[str, ...]] = {
    "sources_invalid": ("encoding", "toml"),
    "too_large": ("csv_rows", "csv_columns"),
    "not_a_spreadsheet": (
        "binary",
        "markup",
        "renamed",
        "other_opendocument",
        "zip",
        "xlsb",
        "other_office",
    ),
    "macro_enabled": ("found",),
    "encrypted": ("workbook_password",),
    "zip_bomb": ("unpacked", "ratio", "big_part", "expands"),
    "parse_failed": ("reader_stopped", "csv", "workbook", "workbook_sheet", "in_process"),
    "gsheets_auth": ("no_detail", "no_credentials"),
    "http_unavailable": ("no_connection",),
}


def reader_key(code: str, variant: str | None = None) -> str:
    """The catalogue key of a reader's refusal (a variant's when given); ValueError if unknown."""
    if code not in READER_REFUSALS:
        raise ValueError(f"{code!r} is not a reader's refusal: add it to messages/reader_codes.py")
    if variant is None:
        return READER_REFUSALS[code]
    if variant not in READER_VARIANTS.get(code, ()):
        raise ValueError(f"{code} has no variant {variant!r}: add it to messages/reader_codes.py")
    return f"{READER_REFUSALS[code]}.{variant}"
