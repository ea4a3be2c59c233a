"""Fill `{{ name }}` placeholders wherever the text of a page reaches a visitor.

Content never writes a derived fact such as an amount: it writes a
placeholder, and the plugin that owns the fact gives its value
(`cimw.pricing`). There is one syntax, `{{ name }}`: two braces, one space, a
lowercase name, one space, two braces. An inline placeholder becomes a phrase
(HTML, rendered by the theme); a block placeholder (the price table) stands
alone in its paragraph and becomes the HTML its template renders.

Placeholders are filled as each file is read, so the result is stored in
Pelican's content cache with the rest of the page:

- in the Markdown text and the `summary` (which the reader converts with the
  same Markdown instance), by this module's Markdown extension: an inline
  pattern and a block processor;
- in the `title`, by the reader, before Pelican typogrifies it.

So the page, its title, the table of contents, the meta description, the
sharing cards and the JSON-LD all show the value. A brace anywhere else in a
file (`{ day_rate }`, `{{ day_rate }`, `{{ day_rate | upper }}`,
`{{ 7 * 7 }}`, `{{ tarif }}`) stops the build, naming the file, the line,
the token and the placeholders the site knows; braces are for placeholders
only.

The site's reader (`reader.SiteReader`) registers the extension and checks
every brace of a file with `placeholder_problems` before converting it, then
with `leftover_problems` after; the values are rendered with the theme's
templates, filters and tests, as the pages are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

from cimw import pricing
from cimw.facts import Facts
from cimw.frontmatter import FrontMatterError

logger = logging.getLogger(__name__)

NAME = r"[a-z][a-z0-9_]*"
PLACEHOLDER_RE = re.compile(r"\{\{ (?P<name>" + NAME + r") \}\}")
# Anything with a brace: braces around something on one line, or a run of
# braces with what touches it. Every match that is not a known placeholder
# is a problem.
# The last branch starts only where a run of non-space text starts, and its
# runs are possessive: it is tried once per run, not at every position (linear
# on a line of 200,000 letters).
BRACES_RE = re.compile(
    r"\{+[^{}\n]*\}+|\{+[ \t]*[^{}\s]*|(?<![^{}\s])[^{}\s]*+(?<![ \t])[ \t]*+\}+"
)


class PlaceholderError(FrontMatterError):
    """A placeholder that is broken, unknown, or where it cannot be filled."""


@dataclass(frozen=True)
class Problem:
    line: int
    token: str
    why: str


@dataclass(frozen=True)
class Catalogue:
    """The placeholders of a site: those it can fill, the blocks, and those it cannot fill."""

    names: frozenset[str]
    blocks: frozenset[str] = frozenset()
    unavailable: Mapping[str, str] = field(default_factory=dict)

    def listed(self) -> str:
        return ", ".join(f"{{{{ {name} }}}}" for name in sorted(self.names))


def catalogue(facts: Facts) -> Catalogue:
    """Every placeholder of the site (the prices), for these facts."""
    unavailable = pricing.unavailable_placeholders(facts)
    names = frozenset(name for name in pricing.PLACEHOLDERS if name not in unavailable)
    return Catalogue(names, frozenset(pricing.BLOCK_PLACEHOLDERS), unavailable)


# An HTML comment, or a tag with its attributes, written in the Markdown.
MARKUP_RE = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^<>]*>", re.DOTALL)


def markup_problems(text: str) -> list[Problem]:
    """Braces inside an HTML tag or comment: a placeholder is filled in the text only."""
    problems = []
    for markup in MARKUP_RE.finditer(text):
        if "{" in markup.group(0) or "}" in markup.group(0):
            line = text.count("\n", 0, markup.start()) + 1
            problems.append(
                Problem(
                    line,
                    markup.group(0).split("\n")[0][:60],
                    "a placeholder or a brace inside an HTML tag or comment is not filled: "
                    "write it in the text",
                )
            )
    return problems


def placeholder_problems(text: str, known: Catalogue) -> list[Problem]:
    """Return every brace in `text` that is not a known placeholder where it can be filled.

    An inline placeholder can be anywhere; a block placeholder only alone on
    its line with a blank line (or the start or end of the text) on each side.
    """
    if "{" not in text and "}" not in text:
        return []
    lines = text.split("\n")
    problems = markup_problems(text)
    for number, line in enumerate(lines, start=1):
        if "{" not in line and "}" not in line:
            continue
        for match in BRACES_RE.finditer(line):
            token = match.group(0).strip()
            placeholder = PLACEHOLDER_RE.fullmatch(token)
            name = placeholder.group("name") if placeholder else None
            if placeholder is None:
                problems.append(
                    Problem(
                        number,
                        token,
                        "not a placeholder: write {{ name }}, two braces and one space on "
                        "each side of the name, with no filter or expression (braces are "
                        "for placeholders only)",
                    )
                )
            elif name in known.unavailable:
                problems.append(Problem(number, token, known.unavailable[str(name)]))
            elif name not in known.names:
                problems.append(Problem(number, token, "unknown placeholder"))
            elif name in known.blocks:
                before = lines[number - 2] if number > 1 else ""
                after = lines[number] if number < len(lines) else ""
                if line.strip() != token or before.strip() or after.strip():
                    problems.append(
                        Problem(
                            number,
                            token,
                            "must be alone in its paragraph, with a blank line before and after",
                        )
                    )
    return problems


def problem_lines(path: str, problems: Iterable[Problem], known: Catalogue) -> list[str]:
    return [
        f"{path}:{p.line}: {p.token}: {p.why}; the placeholders are {known.listed()}"
        for p in problems
    ]


def fill_text(text: str, values: Mapping[str, str], blocks: Iterable[str] = ()) -> str:
    """Replace the inline placeholders of a title with their HTML."""
    blocks = set(blocks)

    def value(match: re.Match) -> str:
        name = match.group("name")
        return values[name] if name in values and name not in blocks else match.group(0)

    return PLACEHOLDER_RE.sub(value, text)


@dataclass
class Filling:
    """What the placeholders of the document being converted become, and which it used.

    It lives on the Markdown instance (`md.placeholders`), as Markdown keeps
    per-document state; `reset()` forgets which were used.
    """

    known: Catalogue
    values: Mapping[str, str]
    used: set[str] = field(default_factory=set)


def filling_of(md: Markdown) -> Filling:
    filling: Filling = md.placeholders  # type: ignore[attr-defined]
    return filling


class InlinePlaceholders(InlineProcessor):
    """`{{ name }}` inside a paragraph, a heading, a list item...: its phrase."""

    def handleMatch(  # type: ignore[override]  # noqa: N802 (Markdown's API)
        self,
        m: re.Match[str],
        data: str,  # noqa: ARG002 (Markdown's API)
    ) -> tuple[str | None, int | None, int | None]:
        assert self.md is not None  # given at construction
        filling = filling_of(self.md)
        name = m.group("name")
        if name not in filling.known.names or name in filling.known.blocks:
            return None, None, None
        filling.used.add(name)
        # Stashed like inline HTML: put back as it is once the text is converted.
        return self.md.htmlStash.store(filling.values[name]), m.start(0), m.end(0)


class BlockPlaceholders(BlockProcessor):
    """A paragraph that is only `{{ name }}` of a block: the HTML its template renders."""

    def name(self, block: str) -> str | None:
        match = PLACEHOLDER_RE.fullmatch(block.strip())
        known = filling_of(self.parser.md).known
        return match.group("name") if match and match.group("name") in known.blocks else None

    def test(self, parent: ElementTree.Element, block: str) -> bool:  # noqa: ARG002 (Markdown's API)
        return self.name(block) in filling_of(self.parser.md).known.names

    def run(self, parent: ElementTree.Element, blocks: list[str]) -> None:
        filling = filling_of(self.parser.md)
        name = str(self.name(blocks.pop(0)))  # test() found it
        filling.used.add(name)
        paragraph = ElementTree.SubElement(parent, "p")
        # Alone in its <p>, block-level HTML is put back in place of the paragraph.
        paragraph.text = self.parser.md.htmlStash.store(filling.values[name].strip())


class PlaceholderExtension(Extension):
    """Markdown extension: fill the site's placeholders as the text is converted."""

    def __init__(self, filling: Filling, **kwargs: Any):
        self.filling = filling
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.placeholders = self.filling  # type: ignore[attr-defined]
        md.registerExtension(self)
        # After code spans (190) and escapes (180): a placeholder in code stays
        # literal, and the reader reports it.
        md.inlinePatterns.register(
            InlinePlaceholders(PLACEHOLDER_RE.pattern, md), "placeholders", 175
        )
        # Before paragraphs (10).
        md.parser.blockprocessors.register(BlockPlaceholders(md.parser), "block_placeholders", 12)

    def reset(self) -> None:
        self.filling.used.clear()


LEFTOVER_RE = re.compile(r"\{\{[^{}\n]*\}\}|\{[^{}\n]*\}|\{\{|\}\}")


def leftover_problems(source: str, html_fields: Mapping[str, str]) -> list[Problem]:
    """Braces left in converted text (in code, in an attribute, in a comment): where each was.

    Placeholders are filled in the text only: one written inside code, an HTML
    attribute or an HTML comment stays as it is, so it is refused like any
    misplaced brace.
    """
    problems = []
    lines = source.split("\n")
    for name, html in html_fields.items():
        if "{" not in html and "}" not in html:  # most text: no brace to look for
            continue
        found = LEFTOVER_RE.search(html) or re.search(r"[{}]", html)
        if found is None:
            continue
        token = found.group(0)
        line = next((n for n, text in enumerate(lines, 1) if token in text), 1)
        why = (
            f"not filled in the {name}: a placeholder is filled in the text only, not in code, "
            "an HTML attribute or an HTML comment"
        )
        problems.append(Problem(line, token, why))
    return problems
