"""The quality gate: checks on a built site that catch what the old page shipped.

One set of checks serves the test suite, `invoke check`, `invoke serve` (the
fast rules, after each rebuild) and the publish gate. The rules are one table,
`RULES` (name, check, speed, tools); each check is a pure function from built
pages to findings; `check_site` runs the rules over an output folder with the
files and address of one `GateInputs`, and `format_report` prints
`path:line: rule: message` lines grouped by rule, with a count.

This package is not a Pelican plugin (it is not in PLUGINS): it reads what
Pelican wrote. The table and the inputs import nothing heavy, so that a task's
help can list the rules; the rest is imported when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from .inputs import GateInputs
from .registry import FAST_RULES, RULES, Rule, rules_help

if TYPE_CHECKING:
    from .core import Finding, Page, Site, format_report, locate_in_sources
    from .runner import canonical_address, check_site, external_links, run_gate

# Each name that parsing and running need, with the module that defines it.
_LAZY = {
    "Finding": "core",
    "Page": "core",
    "Site": "core",
    "format_report": "core",
    "locate_in_sources": "core",
    "canonical_address": "runner",
    "check_site": "runner",
    "external_links": "runner",
    "run_gate": "runner",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FAST_RULES",
    "RULES",
    "Finding",
    "GateInputs",
    "Page",
    "Rule",
    "Site",
    "canonical_address",
    "check_site",
    "external_links",
    "format_report",
    "locate_in_sources",
    "rules_help",
    "run_gate",
]
