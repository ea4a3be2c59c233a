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

The reader (`PlaceholderReader`, which extends the front-matter reader)
replaces Pelican's Markdown reader at `readers_init`; at `generator_init` each
generator lends it its Jinja environment, so that the values are rendered
with the theme's templates, filters and tests, as the pages are.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

from jinja2 import Environment
from markdown import Markdown
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from pelican import signals

from cimw import frontmatter, pricing
from cimw.frontmatter import FrontMatterError, FrontMatterReader

logger = logging.getLogger(__name__)

DEFAULTS: dict[str, object] = {}

# The plugins that give placeholders. Each has PLACEHOLDERS (the names),
# BLOCK_PLACEHOLDERS (those alone in a paragraph), USED_FLAG (the attribute
# set on a content that uses them), placeholders(settings, env) -> {name: HTML}
# and unavailable_placeholders(settings) -> {name: why the settings cannot fill it}.
PROVIDERS: tuple[ModuleType, ...] = (pricing,)

NAME = r"[a-z][a-z0-9_]*"
PLACEHOLDER_RE = re.compile(r"\{\{ (?P<name>" + NAME + r") \}\}")
# Anything with a brace: braces around something on one line, or a run of
# braces with what touches it. Every match that is not a known placeholder
# is a problem.
BRACES_RE = re.compile(r"\{+[^{}\n]*\}+|\{+[ \t]*[^{}\s]*|[^{}\s]*[ \t]*\}+")


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


def catalogue(settings: Mapping[str, Any]) -> Catalogue:
    """Every placeholder of the site, from every provider, for these settings."""
    names: set[str] = set()
    blocks: set[str] = set()
    unavailable: dict[str, str] = {}
    for provider in PROVIDERS:
        missing = provider.unavailable_placeholders(settings)
        unavailable.update(missing)
        names.update(name for name in provider.PLACEHOLDERS if name not in missing)
        blocks.update(provider.BLOCK_PLACEHOLDERS)
    return Catalogue(frozenset(names), frozenset(blocks), unavailable)


def placeholder_problems(text: str, known: Catalogue) -> list[Problem]:
    """Return every brace in `text` that is not a known placeholder where it can be filled.

    An inline placeholder can be anywhere; a block placeholder only alone on
    its line with a blank line (or the start or end of the text) on each side.
    """
    lines = text.split("\n")
    problems = []
    for number, line in enumerate(lines, start=1):
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


class InlinePlaceholders(InlineProcessor):
    """`{{ name }}` inside a paragraph, a heading, a list item...: its phrase."""

    def __init__(self, reader: PlaceholderReader, md: Markdown):
        super().__init__(PLACEHOLDER_RE.pattern, md)
        self.reader = reader

    def handleMatch(  # type: ignore[override]  # noqa: N802 (Markdown's API)
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int | None, int | None]:
        name = m.group("name")
        if name not in self.reader.known.names or name in self.reader.known.blocks:
            return None, None, None
        self.reader.used.add(name)
        # Stashed like inline HTML: put back as it is once the text is converted.
        assert self.md is not None  # given at construction
        return self.md.htmlStash.store(self.reader.values()[name]), m.start(0), m.end(0)


class BlockPlaceholders(BlockProcessor):
    """A paragraph that is only `{{ name }}` of a block: the HTML its template renders."""

    def __init__(self, parser: BlockParser, reader: PlaceholderReader):
        super().__init__(parser)
        self.reader = reader

    def name(self, block: str) -> str | None:
        match = PLACEHOLDER_RE.fullmatch(block.strip())
        known = self.reader.known
        return match.group("name") if match and match.group("name") in known.blocks else None

    def test(self, parent: ElementTree.Element, block: str) -> bool:
        return self.name(block) in self.reader.known.names

    def run(self, parent: ElementTree.Element, blocks: list[str]) -> None:
        name = str(self.name(blocks.pop(0)))  # test() found it
        self.reader.used.add(name)
        paragraph = ElementTree.SubElement(parent, "p")
        # Alone in its <p>, block-level HTML is put back in place of the paragraph.
        paragraph.text = self.parser.md.htmlStash.store(self.reader.values()[name].strip())


class PlaceholderExtension(Extension):
    """Markdown extension: fill the site's placeholders as the text is converted."""

    def __init__(self, reader: PlaceholderReader, **kwargs: Any):
        self.reader = reader
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's API)
        # After code spans (190) and escapes (180): a placeholder in code stays
        # literal, and the reader reports it.
        md.inlinePatterns.register(InlinePlaceholders(self.reader, md), "placeholders", 175)
        # Before paragraphs (10).
        md.parser.blockprocessors.register(
            BlockPlaceholders(md.parser, self.reader), "block_placeholders", 12
        )


def leftover_problems(text: str, fields: Mapping[str, object]) -> list[Problem]:
    """Placeholders left in read text (in code, where they are not filled): where each was."""
    problems = []
    for name, value in fields.items():
        if isinstance(value, str) and ("{" in value or "}" in value):
            found = BRACES_RE.search(value) or re.search(r"[{}]", value)
            token = found.group(0) if found else "{"
            line = next((n for n, line in enumerate(text.split("\n"), 1) if token in line), 1)
            why = f"not filled in the {name} (placeholders in code stay as they are)"
            problems.append(Problem(line, token, why))
    return problems


class PlaceholderReader(FrontMatterReader):
    """The front-matter reader, filling placeholders in the text, the summary and the title."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.known = catalogue(self.settings)
        self.environment: Environment | None = None  # lent by the generator, at generator_init
        self.used: set[str] = set()
        self._values: dict[str, str] | None = None
        self._md.registerExtensions([PlaceholderExtension(self)], {})

    def values(self) -> dict[str, str]:
        """The HTML of each placeholder, rendered once with the generator's templates."""
        if self._values is None:
            if self.environment is None:
                raise PlaceholderError(
                    "placeholders are rendered by the theme's templates: this reader has no "
                    "generator to lend it its Jinja environment"
                )
            self._values = {}
            for provider in PROVIDERS:
                self._values.update(provider.placeholders(self.settings, self.environment))
        return self._values

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = os.path.relpath(source_path)
        text = self.read_text(source_path)
        problems = placeholder_problems(text, self.known)
        if problems:
            self._fail("\n".join(problem_lines(path, problems, self.known)))
        self.used = set()
        content, metadata = self.read_markdown(source_path, text)
        if isinstance(metadata.get("title"), str) and "{{" in metadata["title"]:
            self.used.update(PLACEHOLDER_RE.findall(metadata["title"]))
            metadata["title"] = fill_text(metadata["title"], self.values(), self.known.blocks)
        fields = {
            "text": content,
            "title": metadata.get("title"),
            "summary": metadata.get("summary"),
        }
        problems = leftover_problems(text, fields)
        if problems:
            self._fail("\n".join(problem_lines(path, problems, self.known)))
        # Each provider marks the contents that use its placeholders.
        for provider in PROVIDERS:
            metadata[provider.USED_FLAG] = bool(self.used & set(provider.PLACEHOLDERS))
        return content, metadata


def add_reader(readers: Any) -> None:
    for extension in PlaceholderReader.file_extensions:
        readers.reader_classes[extension] = PlaceholderReader


def lend_environment(generator: Any) -> None:
    for reader in generator.readers.readers.values():
        if isinstance(reader, PlaceholderReader):
            reader.environment = generator.env


def register() -> None:
    # This reader extends the front-matter reader: connect that one first, so
    # that this one replaces it whatever the order of PLUGINS.
    frontmatter.register()
    signals.readers_init.connect(add_reader)
    # The values are rendered with the templates, filters and tests of the pages.
    signals.generator_init.connect(lend_environment)
