"""French typography for rendered text: a Markdown extension and Jinja filters.

Content is typeset as it is read: the `cimw.typography` Markdown extension
(in MARKDOWN's extension_configs) runs as the last postprocessor of every
conversion, answers, pages and summaries alike, so the result is stored in
Pelican's content cache with the HTML and a warm rebuild does not redo it.
The theme passes the rest (titles, settings, its own text) through the `typo`
filter (HTML) or `typo_text` (plain text, for `<title>` and attributes).

The rules are those of `typography.toml`, beside this file: each with its
pattern, its examples, and the check the quality gate runs on the result.
HTML is parsed (html.parser) into tags and text; only the text is typeset,
in one pass over all of it, each tag standing as a SEAM character so the
rules see the text on both sides of a tag. Tags, attributes, character
references, code and addresses (URLs, e-mail) are left untouched.

The rules marked `polytypo` follow polytypo's French locale, which the test
suite keeps as the reference. They are compiled regular expressions because
polytypo's HTML mode costs about 30 ms per page, several times the rest of
the build.

The filters are added to each generator's Jinja environment at
`generator_init`; a template that uses them without the plugin fails to build.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markupsafe import Markup
from pelican import Pelican

logger = logging.getLogger(__name__)

RULES_FILE = Path(__file__).with_name("typography.toml")
HOLE = "\ue000"  # a private-use character standing for an untouched part
SEAM = "\x00"  # stands for a tag, or for code, between two runs of text
VERBATIM = frozenset({"code", "pre", "kbd", "samp", "script", "style", "textarea"})
# What is never typeset: character references, URLs, e-mail addresses.
UNTOUCHED_RE = re.compile(
    r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
    r"|\b[a-z][a-z0-9+.-]*://[^\s<>\"]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Rule:
    """One rule of typography.toml, as the fixer applies it."""

    name: str
    triggers: tuple[str, ...]
    fix: re.Pattern[str]
    replace: str | Callable[[re.Match[str]], str]
    alternate: tuple[str, ...] = ()


def load_rules(path: Path = RULES_FILE) -> list[dict[str, Any]]:
    """The rules of the table, as written."""
    with path.open("rb") as table:
        rules: list[dict[str, Any]] = tomllib.load(table)["rule"]
    return rules


def fixer_rules(table: list[dict[str, Any]]) -> list[Rule]:
    return [
        Rule(
            name=row["name"],
            triggers=tuple(row["triggers"]),
            fix=re.compile(row["fix"]),
            replace=row.get("replace", ""),
            alternate=tuple(row.get("alternate", ())),
        )
        for row in table
    ]


RULES = fixer_rules(load_rules())


class _Alternate:
    """Each match becomes the next of its marks, in turn: " gives « then »."""

    def __init__(self, marks: tuple[str, ...]):
        self.marks = marks
        self.count = 0

    def __call__(self, match: re.Match[str]) -> str:
        mark = self.marks[self.count % len(self.marks)]
        self.count += 1
        return mark


def _typeset(text: str, rules: list[Rule] = RULES) -> str:
    """Apply the rules to a run of text, in which SEAM marks where tags were."""
    saved: list[str] = []

    def hold(match: re.Match[str]) -> str:
        saved.append(match.group(0))
        return HOLE

    if "&" in text or "@" in text or "://" in text:
        text = UNTOUCHED_RE.sub(hold, text)
    for rule in rules:
        if any(trigger in text for trigger in rule.triggers):
            replace = _Alternate(rule.alternate) if rule.alternate else rule.replace
            text = rule.fix.sub(replace, text)
    pieces = iter(saved)
    return re.sub(HOLE, lambda _: next(pieces), text) if saved else text


class _Tokens(HTMLParser):
    """Split HTML into its exact source pieces, each marked as text or not."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0]
        for index, char in enumerate(html):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.starts: list[tuple[int, bool]] = []  # (offset, is text to typeset)
        self.verbatim = 0

    def _mark(self, is_text: bool) -> None:
        line, column = self.getpos()
        self.starts.append((self.line_starts[line - 1] + column, is_text))

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._mark(False)
        self.verbatim += tag in VERBATIM

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self._mark(False)

    def handle_endtag(self, tag: str) -> None:
        self._mark(False)
        self.verbatim -= tag in VERBATIM and self.verbatim > 0

    def handle_data(self, data: str) -> None:
        self._mark(self.verbatim == 0)

    def handle_entityref(self, name: str) -> None:
        self._mark(self.verbatim == 0)

    def handle_charref(self, name: str) -> None:
        self._mark(self.verbatim == 0)

    def handle_comment(self, data: str) -> None:
        self._mark(False)

    def handle_decl(self, decl: str) -> None:
        self._mark(False)

    def handle_pi(self, data: str) -> None:
        self._mark(False)

    def unknown_decl(self, data: str) -> None:
        self._mark(False)

    def pieces(self) -> Iterator[tuple[str, bool]]:
        """Every piece of the source in order: (its exact text, is text to typeset)."""
        self.feed(self.html)
        self.close()
        bounds = [*self.starts, (len(self.html), False)]
        if not self.starts or self.starts[0][0] > 0:  # what the parser held back
            bounds.insert(0, (0, False))
        for (start, is_text), (end, _) in pairwise(bounds):
            if end > start:
                yield self.html[start:end], is_text


def french(html: str, rules: list[Rule] = RULES) -> Markup:
    """Return `html` with French typography applied to its text.

    All the text is typeset in one pass, each tag (and each piece of code)
    replaced by a SEAM character, so the rules see the text on both sides of
    a tag; the tags are then put back.
    """
    html = str(html)
    if "<" not in html and "&" not in html:
        return Markup(_typeset(html, rules))
    kept: list[str] = []  # tags, and the text inside code, in order
    runs: list[str] = []
    for piece, is_text in _Tokens(html).pieces():
        if is_text:
            runs.append(piece)
        else:
            kept.append(piece)
            runs.append(SEAM)
    typeset = _typeset("".join(runs), rules).split(SEAM)
    pieces = [typeset[0]]
    for tag, after in zip(kept, typeset[1:], strict=True):
        pieces += [tag, after]
    return Markup("".join(pieces))


def french_text(text: str, rules: list[Rule] = RULES) -> str:
    """Return plain `text` (a title or an attribute value) with French typography.

    The result is a plain string, so the template still escapes it.
    """
    return _typeset(str(text).replace(SEAM, ""), rules)


class FrenchPostprocessor(Postprocessor):
    """Typeset the HTML Markdown produced."""

    def run(self, text: str) -> str:
        return str(french(text))


class FrenchTypographyExtension(Extension):
    """Markdown extension: French typography on the converted HTML."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # Priority 1: after raw HTML is put back (30) and & is restored (20).
        md.postprocessors.register(FrenchPostprocessor(md), "french_typography", 1)


def makeExtension(**kwargs: object) -> FrenchTypographyExtension:  # noqa: N802 (Markdown's name)
    return FrenchTypographyExtension(**kwargs)


def validate_settings(settings: dict) -> None:
    """Raise ValueError unless content is typeset as it is read (the language is the facts')."""
    extensions = settings.get("MARKDOWN", {}).get("extension_configs", {})
    if __name__ not in extensions:
        raise ValueError(
            f"MARKDOWN['extension_configs'] must include {__name__!r}: {{}} so that content "
            "is typeset as it is read"
        )


def check_settings(pelican: Pelican) -> None:
    validate_settings(pelican.settings)
