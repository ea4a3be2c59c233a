"""French typography, on the visible text: the checks of the project's rule table.

The table (`plugins/cimw/typography.toml`, passed in by the caller) states
each rule once: the typography plugin applies its fix, and this rule reports
each match of its `checks` in the built pages. It is an independent check of
the plugin's result, so a rule the plugin gets wrong is still reported.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .core import Finding, Page

NBSP, NNBSP = "\u00a0", "\u202f"
# Addresses keep their own punctuation.
ADDRESS_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\S+@\S+\.\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    """One pattern of a rule, and what to say when it matches."""

    rule: str
    pattern: re.Pattern[str]
    message: str


def load_checks(table: Path) -> list[Check]:
    """Every check of every rule of the typography table."""
    with table.open("rb") as file:
        rules = tomllib.load(file)["rule"]
    return [
        Check(rule["name"], re.compile(check["pattern"]), check["message"])
        for rule in rules
        for check in rule.get("checks", [])
    ]


def typography_findings(
    text: str, checks: list[Check], previous: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (message, excerpt) for each French typography problem in `text`.

    `previous` is the visible text just before, so that a mark at the start of
    a node is judged with the character before it.
    """
    joined = previous[-1:] + text
    for check in checks:
        for match in check.pattern.finditer(joined):
            if match.end() <= len(previous[-1:]):
                continue
            mark = match.group(0).strip()[-1:]
            start = max(match.start() - 12, 0)
            excerpt = joined[start : match.end() + 12].strip()
            yield check.message.format(mark=mark), excerpt


def check_typography(page: Page, checks: list[Check]) -> Iterator[Finding]:
    """Flag straight quotes and missing no-break spaces in the visible text."""
    previous = ""
    for text, line in page.text_nodes():
        text = ADDRESS_RE.sub(lambda m: "x" * len(m.group(0)), text)
        for message, excerpt in typography_findings(text, checks, previous):
            shown = excerpt.replace(NBSP, "⍽").replace(NNBSP, "⍽")
            yield Finding(
                page.name, line, "typography", f"{message}: “{shown}”", source_words(excerpt)
            )
        previous = text
    for text, line in page.head_texts():
        for message, excerpt in typography_findings(text, checks):
            yield Finding(
                page.name, line, "typography", f"{message}: “{excerpt}”", source_words(excerpt)
            )


def source_words(excerpt: str) -> str | None:
    """The longest run of plain words in an excerpt, to find it in the Markdown."""
    runs = re.findall(r"[^\W\d_]+(?: [^\W\d_]+)*", excerpt)
    longest = max(runs, key=len, default="")
    return longest if len(longest) >= 4 else None
