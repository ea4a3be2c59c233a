"""The quality gate: checks on a built site that catch what the old page shipped.

One set of checks serves the test suite, `invoke check`, `invoke serve` (the
fast rules, after each rebuild) and the publish gate. Each rule is a pure
function from a built page to findings; `check_site` runs the rules over an
output folder and `format_report` prints `path:line: rule: message` lines
grouped by rule, with a count.

This package is not a Pelican plugin (it is not in PLUGINS): it reads what
Pelican wrote.
"""

from __future__ import annotations

from .core import Finding, Page, Site, format_report, locate_in_sources
from .runner import FAST_RULES, RULES, check_site, external_links, run_gate

__all__ = [
    "FAST_RULES",
    "RULES",
    "Finding",
    "Page",
    "Site",
    "check_site",
    "external_links",
    "format_report",
    "locate_in_sources",
    "run_gate",
]
