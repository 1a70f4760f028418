"""Render scan findings as SARIF 2.1.0 (for code-scanning dashboards and CI)."""
import os
import pathlib
from typing import Iterable

from azext_tokenguard.hygiene.scan import RULES

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "tokenguard"
FINGERPRINT_KEY = "tokenguard/v1"
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "none"}


def to_sarif(findings: Iterable[dict], tool_version: str) -> dict:
    """A SARIF log with one run: every rule of tokenguard, one result per finding."""
    findings = list(findings)
    rule_ids = sorted(set(RULES) | {f.get("id", "TG000") for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": str(tool_version),
                                "semanticVersion": str(tool_version),
                                "rules": [_rule(rule_id) for rule_id in rule_ids]}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for f in findings],
        }],
    }


def _rule(rule_id: str) -> dict:
    rule = RULES.get(rule_id)
    if rule is None:                    # a finding from a newer/unknown rule still validates
        return {"id": rule_id, "name": "unknown", "shortDescription": {"text": rule_id},
                "defaultConfiguration": {"level": "warning"}}
    return {"id": rule_id, "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.title + "."},
            "help": {"text": rule.fix},
            "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
            "properties": {"security-severity": _security_severity(rule.severity),
                           "tags": ["security", "credentials"]}}


def _result(finding: dict, index: dict) -> dict:
    rule_id = finding.get("id", "TG000")
    result = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": LEVELS.get(finding.get("severity"), "warning"),
        "message": {"text": finding.get("message") or rule_id},
        "partialFingerprints": {FINGERPRINT_KEY: str(finding.get("fingerprint", ""))},
        "properties": {"severity": finding.get("severity"), "fix": finding.get("fix", "")},
    }
    path = finding.get("path")
    if path:
        result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": path_to_uri(path)}}}]
    return result


def path_to_uri(path: str) -> str:
    """file:// URI for an absolute path; a relative path becomes a relative URI reference."""
    if os.path.isabs(path):
        return pathlib.Path(path).as_uri()
    return pathlib.PurePath(path).as_posix()


def _security_severity(severity: str) -> str:
    # GitHub code scanning reads this 0-10 score to sort alerts
    return {"high": "8.0", "medium": "5.0", "low": "2.0"}.get(severity, "0.0")
