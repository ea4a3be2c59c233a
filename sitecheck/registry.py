"""The gate's rules, as one table: each rule's name, check, speed and the tools it runs.

Everything that lists rules reads this table: `check_site`, the fast rules of
`invoke serve`, the tools `invoke check --rules` installs (toolchain.py) and
the task's help. The table imports nothing heavy: each check imports its
module when it runs, so that reading the table costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .inputs import GateInputs

if TYPE_CHECKING:
    from .core import Finding, Site

Check = Callable[["Site", GateInputs], Iterable["Finding"]]


@dataclass(frozen=True)
class Rule:
    """One rule of the gate.

    `check` reads the whole built site and the gate's inputs; `fast` rules run
    after every rebuild of `invoke serve`; `tools` are what the rule runs
    (a command on the PATH or a file, with the Debian package that installs
    it), `node_packages` what it needs from package-lock.json.
    """

    name: str
    summary: str
    check: Check = field(repr=False)
    fast: bool = False
    tools: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    node_packages: tuple[str, ...] = ()


def needed(path: Path | None, rule: str, what: str) -> Path:
    """An input a rule cannot run without, or a clear error naming it."""
    if path is None:
        raise ValueError(f"the {rule} rule needs the path of {what}")
    return path


def _entities(site: Site, _inputs: GateInputs) -> Iterator[Finding]:
    from .rules import check_entities

    for page in site.pages.values():
        yield from check_entities(page)


def _spelling(site: Site, inputs: GateInputs) -> Iterable[Finding]:
    from .spelling import check_spelling

    word_list = inputs.word_list if inputs.word_list and inputs.word_list.is_file() else None
    return check_spelling(list(site.pages.values()), word_list)


def _grammar(site: Site, inputs: GateInputs) -> Iterable[Finding]:
    from .grammar import check_grammar

    return check_grammar(list(site.pages.values()), inputs.grammar_exceptions)


def _typography(site: Site, inputs: GateInputs) -> Iterator[Finding]:
    from .typography import check_typography, load_checks

    checks = load_checks(needed(inputs.typography_table, "typography", "the typography table"))
    for page in site.pages.values():
        yield from check_typography(page, checks)


def _links(site: Site, inputs: GateInputs) -> Iterator[Finding]:
    from .rules import check_links

    for page in site.pages.values():
        yield from check_links(page, site, inputs.site_netloc)


def _document(site: Site, inputs: GateInputs) -> Iterator[Finding]:
    from .rules import check_document

    for page in site.pages.values():
        yield from check_document(page, inputs.site_netloc)


def _validity(site: Site, inputs: GateInputs) -> Iterable[Finding]:
    from .validity import check_validity

    jar = needed(inputs.jar, "validity", "vnu.jar")
    return check_validity(site.root, jar, inputs.validity_cache)


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        rule.name: rule
        for rule in (
            Rule("entities", "broken character references", _entities, fast=True),
            Rule(
                "spelling",
                "French spelling (hunspell)",
                _spelling,
                tools=MappingProxyType(
                    {"hunspell": "hunspell", "/usr/share/hunspell/fr_FR.dic": "hunspell-fr"}
                ),
            ),
            Rule(
                "grammar",
                "French grammar (Grammalecte)",
                _grammar,
                # Grammalecte runs in Debian's Python, not the project's environment.
                tools=MappingProxyType(
                    {
                        "/usr/lib/python3/dist-packages/grammalecte/__init__.py": (
                            "python3-grammalecte"
                        )
                    }
                ),
            ),
            Rule("typography", "French typography", _typography, fast=True),
            Rule("links", "internal links and their ids", _links, fast=True),
            Rule(
                "document",
                "structure as a browser parses it, metadata, what the CSP forbids",
                _document,
                fast=True,
            ),
            Rule(
                "validity",
                "HTML and CSS validity (the Nu HTML Checker)",
                _validity,
                tools=MappingProxyType({"java": "default-jre-headless"}),
                node_packages=("vnu-jar",),
            ),
        )
    }
)
# Fast enough to run after every rebuild of `invoke serve`.
FAST_RULES = tuple(name for name, rule in RULES.items() if rule.fast)


def rules_help() -> str:
    """The rules, one phrase each, for a task's help."""
    return "; ".join(f"{name}: {rule.summary}" for name, rule in RULES.items())
