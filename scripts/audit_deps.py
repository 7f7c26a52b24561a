"""Fail on known vulnerabilities in the pinned runtime requirements (pip-audit + PyPI's feed).

Runs ``pip-audit -r requirements.txt --vulnerability-service pypi`` (it resolves the full
dependency tree from the package index, then asks PyPI's advisory feed about each exact
version). Where the per-version feed does not answer (some PyPI mirrors serve only the
project-level JSON), a package pinned at its latest release is checked against the project
JSON's ``vulnerabilities``, which PyPI computes for the latest release. Anything still
unchecked is listed; ``--strict`` makes that a failure too.

Exit 0: no known vulnerability; 1: vulnerabilities found (or unchecked with --strict);
2: the audit itself could not run.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PYPI_PROJECT_JSON = "https://pypi.org/pypi/{name}/json"
_VERSION_IN_REASON = re.compile(r"\(([^()\s]+)\)\s*$")


@dataclass
class Finding:
    """One known vulnerability of one pinned package version."""

    name: str
    version: str
    id: str
    fix_versions: list[str]
    description: str


@dataclass
class Result:
    """What the audit found, and how each package was checked."""

    findings: list[Finding] = field(default_factory=list)
    checked_per_version: list[str] = field(default_factory=list)
    checked_latest: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def _live(vulns: list[dict]) -> list[dict]:
    return [v for v in vulns or [] if not v.get("withdrawn")]


def evaluate(report: dict, project_json: Callable[[str], dict | None]) -> Result:
    """Combine pip-audit's JSON report with the project-level feed for skipped packages."""
    result = Result()
    skipped: list[tuple[str, str]] = []
    for dep in report.get("dependencies", []):
        name = dep["name"]
        if "skip_reason" in dep:
            match = _VERSION_IN_REASON.search(dep["skip_reason"])
            version = dep.get("version") or (match.group(1) if match else "")
            skipped.append((name, version))
            continue
        result.checked_per_version.append(f"{name}=={dep['version']}")
        for v in dep.get("vulns", []):
            result.findings.append(
                Finding(
                    name,
                    dep["version"],
                    v["id"],
                    list(v.get("fix_versions", [])),
                    v.get("description", ""),
                )
            )
    with ThreadPoolExecutor(max_workers=8) as pool:
        projects = list(pool.map(lambda nv: project_json(nv[0]), skipped))
    for (name, version), data in zip(skipped, projects, strict=True):
        latest = (data or {}).get("info", {}).get("version")
        if not version or data is None or latest != version:
            result.unchecked.append(
                f"{name}=={version or '?'}" + (f" (latest {latest})" if latest else "")
            )
            continue
        result.checked_latest.append(f"{name}=={version}")
        for v in _live(data.get("vulnerabilities", [])):
            result.findings.append(
                Finding(
                    name,
                    version,
                    v.get("id", "?"),
                    list(v.get("fixed_in", [])),
                    (v.get("summary") or v.get("details") or "").replace("\n", " ")[:200],
                )
            )
    return result


def fetch_project_json(name: str, timeout: float = 30.0) -> dict | None:
    """PyPI's project-level JSON (None when it cannot be fetched)."""
    for _ in range(2):
        try:
            with urllib.request.urlopen(PYPI_PROJECT_JSON.format(name=name), timeout=timeout) as r:
                return json.load(r)
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError, OSError):
            continue
    return None


def run_pip_audit(requirements: str) -> dict:
    """pip-audit's JSON report over ``requirements`` (raises RuntimeError when it cannot run)."""
    cmd = [
        sys.executable,
        "-m",
        "pip_audit",
        "-r",
        requirements,
        "--vulnerability-service",
        "pypi",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        message = f"pip-audit failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
        raise RuntimeError(message) from None


def main(argv: list[str] | None = None) -> int:
    """Command line: audit the given requirements file; exit codes as in the module doc."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="?", default="requirements.txt")
    parser.add_argument("--strict", action="store_true", help="fail when a package is unchecked")
    args = parser.parse_args(argv)
    try:
        report = run_pip_audit(args.requirements)
    except RuntimeError as exc:
        print(f"dependency audit could not run: {exc}", file=sys.stderr)
        return 2
    result = evaluate(report, fetch_project_json)
    checked = len(result.checked_per_version) + len(result.checked_latest)
    print(
        f"dependency audit of {args.requirements}: {checked} packages checked "
        f"({len(result.checked_per_version)} per version, {len(result.checked_latest)} "
        f"at their latest release), {len(result.findings)} known vulnerabilities"
    )
    for f in result.findings:
        fixes = ", ".join(f.fix_versions) or "no fix yet"
        print(f"  VULNERABLE {f.name}=={f.version}: {f.id} (fixed in {fixes}) {f.description}")
    if result.unchecked:
        print(
            f"  not checked ({len(result.unchecked)}; the feed has no answer for these "
            f"versions): {', '.join(result.unchecked)}"
        )
    if result.findings:
        return 1
    if args.strict and result.unchecked:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
