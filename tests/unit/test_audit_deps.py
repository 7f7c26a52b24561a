"""The dependency audit's decisions, from pip-audit's JSON and PyPI's project feed (no network)."""

from __future__ import annotations

import pytest

from scripts.audit_deps import evaluate

VULN = {"id": "PYSEC-2026-1", "aliases": ["CVE-2026-1"], "fixed_in": ["2.0.1"], "summary": "bad"}


def _project(latest: str, vulns: list[dict]) -> dict:
    return {"info": {"version": latest}, "vulnerabilities": vulns}


@pytest.mark.parametrize(
    ("dependency", "feed", "findings", "checked_latest", "unchecked"),
    [
        # answered per version by pip-audit
        ({"name": "a", "version": "1.0", "vulns": []}, None, [], [], []),
        (
            {"name": "a", "version": "1.0", "vulns": [{"id": "GHSA-x", "fix_versions": ["1.1"]}]},
            None,
            [("a", "1.0", "GHSA-x")],
            [],
            [],
        ),
        # skipped by pip-audit; pinned at the latest release → the project feed decides
        (
            {"name": "b", "skip_reason": "Dependency not found on PyPI …: b (2.0)"},
            _project("2.0", []),
            [],
            ["b==2.0"],
            [],
        ),
        (
            {"name": "b", "skip_reason": "Dependency not found on PyPI …: b (2.0)"},
            _project("2.0", [VULN]),
            [("b", "2.0", "PYSEC-2026-1")],
            ["b==2.0"],
            [],
        ),
        (
            {"name": "b", "skip_reason": "… b (2.0)"},
            _project("2.0", [{**VULN, "withdrawn": "2026-01-01T00:00:00"}]),
            [],
            ["b==2.0"],
            [],
        ),
        # an older pin or no feed: unchecked (never silently "clean")
        (
            {"name": "c", "skip_reason": "… c (1.0)"},
            _project("2.0", []),
            [],
            [],
            ["c==1.0 (latest 2.0)"],
        ),
        ({"name": "c", "skip_reason": "… c (1.0)"}, None, [], [], ["c==1.0"]),
    ],
)
def test_evaluate(dependency, feed, findings, checked_latest, unchecked):
    result = evaluate({"dependencies": [dependency]}, lambda name: feed)
    assert [(f.name, f.version, f.id) for f in result.findings] == findings
    assert result.checked_latest == checked_latest
    assert result.unchecked == unchecked
