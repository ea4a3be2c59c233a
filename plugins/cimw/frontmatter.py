"""Read Markdown files with YAML front matter, and check their fields.

The reader extends pelican-yaml-metadata: where that plugin logs a malformed
header and carries on with no metadata, this one stops the build with the file,
the line and what is wrong: a file that is not UTF-8, YAML that cannot be
parsed (a quote left open is reported where it opens), a field written twice,
a YAML alias (refused: one line of aliases can expand to gigabytes), and the
fields Pelican needs before it can make a page at all (`title`, `status`).

`field_problems` is the pure schema check shared by the faq plugin (one schema
for questions) and by this plugin for pages, run at `page_generator_finalized`
so that every problem of every page is reported in one message.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pelican import signals
from pelican.plugins.yaml_metadata.yaml_metadata import HEADER_RE, YAMLMetadataReader

logger = logging.getLogger(__name__)

# libyaml's loader when PyYAML has it: several times faster than the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TAG_RE = re.compile(r"<[^>]+>")

# Fields Pelican itself understands on a page; allowed everywhere.
PELICAN_FIELDS = frozenset({"slug", "save_as", "url", "template", "status"})
# Added to every file as it is read, not written by the author: by Pelican,
# and by the placeholders reader (each provider's USED_FLAG).
IMPLICIT_FIELDS = frozenset({"reader", "quotes_prices"})


class FrontMatterError(Exception):
    """Front matter that cannot be read or does not match its schema."""


@dataclass(frozen=True)
class Field:
    """One front-matter field: its name, what it must be, and the check."""

    name: str
    expected: str
    is_valid: Callable[[object], bool]
    required: bool = True


def is_text(value: object) -> bool:
    return isinstance(value, str) and bool(TAG_RE.sub("", value).strip())


def is_position(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def is_slug(value: object) -> bool:
    return isinstance(value, str) and SLUG_RE.fullmatch(value) is not None


def is_date(value: object) -> bool:
    return isinstance(value, datetime.date)


def is_status(value: object) -> bool:
    return value in STATUSES


# Pelican's own statuses: shown, kept out of the sitemap and menus, or not built.
STATUSES = ("published", "hidden", "draft")
TEXT = "a non-empty text"
TITLE = "the question or the page title, a non-empty text"
STATUS = "one of " + ", ".join(STATUSES)
REVIEWED = "the date of the last review, as YYYY-MM-DD"
PAGE_SCHEMA = (
    Field("title", TEXT, is_text),
    Field("summary", "a one- or two-sentence text (the meta description)", is_text),
    Field("reviewed", REVIEWED, is_date),
)


def field_line(source_path: str, name: str) -> int:
    """Return the line of the file where field `name` is set, or 1."""
    pattern = re.compile(rf"^{re.escape(name)}\s*:", re.IGNORECASE)
    try:
        with open(source_path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if pattern.match(line):
                    return number
    except OSError:
        pass
    return 1


def field_problems(
    source_path: str,
    metadata: Mapping[str, object],
    schema: Iterable[Field],
    extra_allowed: Iterable[str] = PELICAN_FIELDS,
) -> list[str]:
    """Return one `file:line: field: problem` message per field that breaks `schema`."""
    schema = tuple(schema)
    problems = []  # (line, message), sorted by line at the end
    for field in schema:
        if field.name not in metadata:
            if field.required:
                problems.append((1, f"{field.name}: missing; expected {field.expected}"))
            continue
        value = metadata[field.name]
        if not field.is_valid(value):
            problems.append(
                (
                    field_line(source_path, field.name),
                    f"{field.name}: expected {field.expected}, got {value!r}",
                )
            )
    known = {field.name for field in schema} | set(extra_allowed)
    for name in sorted(set(metadata) - known - IMPLICIT_FIELDS):
        problems.append(
            (
                field_line(source_path, name),
                f"{name}: unknown field; expected one of {', '.join(sorted(known))}",
            )
        )
    return [f"{source_path}:{line}: {message}" for line, message in sorted(problems)]


def raise_problems(problems: list[str], what: str) -> None:
    """Raise one FrontMatterError listing every problem, if there is any."""
    if problems:
        count = len(problems)
        raise FrontMatterError(
            f"{count} problem{'s' if count > 1 else ''} in {what}:\n" + "\n".join(problems)
        )


class StrictLoader(SAFE_LOADER):  # type: ignore[misc,valid-type]
    """The safe YAML loader, refusing a field written twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                twice = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class says so
                break
            if twice:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{key}: set twice; expected each field once", key_node.start_mark
                )
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


# What YAML reports in its context when something opened is never closed.
OPENED = {"quoted scalar": "the quote", "flow sequence": "the [", "flow mapping": "the {"}


def yaml_error_line(error: yaml.YAMLError) -> tuple[int, str]:
    """Return the line (from 0, in the YAML text) and the description of a YAML error.

    A quote or bracket left open is found only further down: then the line
    is the one where it was opened.
    """
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    for construct, opener in OPENED.items():
        if context_mark is not None and construct in context:
            return context_mark.line, f"{opener} opened on this line is never closed ({problem})"
    return (mark.line if mark else 0), problem


def alias_lines(text: str) -> list[int]:
    """Return the lines (from 0) of the YAML aliases (*name) in `text`."""
    if "*" not in text:
        return []
    return [
        token.start_mark.line
        for token in yaml.scan(text, Loader=SAFE_LOADER)
        if isinstance(token, yaml.AliasToken)
    ]


def read_problems(source_path: str, metadata: Mapping[str, object]) -> list[str]:
    """Problems that stop Pelican from making a page of the file at all."""
    problems = []
    if "title" not in metadata:
        problems.append(f"{source_path}:1: title: missing; expected {TITLE}")
    elif not is_text(metadata["title"]):
        line = field_line(source_path, "title")
        problems.append(f"{source_path}:{line}: title: expected {TITLE}, got {metadata['title']!r}")
    if "status" in metadata and not is_status(metadata["status"]):
        line = field_line(source_path, "status")
        problems.append(
            f"{source_path}:{line}: status: expected {STATUS}, got {metadata['status']!r}"
        )
    return problems


class FrontMatterReader(YAMLMetadataReader):
    """Markdown reader that refuses a missing or malformed YAML header."""

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        return self.read_markdown(source_path, self.read_text(source_path))

    def read_text(self, source_path: str) -> str:
        """Return the file's text; a file that is not UTF-8 stops at its first bad byte."""
        data = Path(source_path).read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self._fail(
                f"{os.path.relpath(source_path)}:{line}: not UTF-8 text (byte "
                f"0x{data[error.start]:02x}); expected a Markdown file saved as UTF-8"
            )

    def read_markdown(self, source_path: str, text: str) -> tuple[str, dict[str, Any]]:
        """Return the HTML and the metadata of a Markdown file's text."""
        path = os.path.relpath(source_path)
        match = HEADER_RE.fullmatch(text)
        if not match:
            self._fail(
                f"{path}:1: no YAML front matter; the file must start "
                "with a line '---', then the fields, then a line '---'"
            )
        self._header_line = text[: text.index("---")].count("\n") + 1
        metadata = self._load_yaml_metadata(match.group("metadata"), source_path)
        problems = read_problems(path, metadata)
        if problems:
            self._fail("\n".join(problems))
        return self._md.reset().convert(match.group("content")), metadata

    def _load_yaml_metadata(self, text: str, source_path: str) -> dict[str, Any]:
        path = os.path.relpath(source_path)
        aliases = alias_lines(text)
        if aliases:
            self._fail(
                f"{path}:{self._header_line + aliases[0]}: front matter uses a YAML alias "
                "(*name); expected each value written out"
            )
        try:
            metadata = yaml.load(text, Loader=StrictLoader)
        except yaml.YAMLError as error:
            line, problem = yaml_error_line(error)
            # A value that starts with { is a YAML mapping, not text.
            if "{" in [*text.split("\n"), ""][line]:
                problem += '; a value with a placeholder must be in quotes: title: "… {{ name }} …"'
            self._fail(
                f"{path}:{self._header_line + line}: front matter is not valid YAML: {problem}"
            )
        if not isinstance(metadata, dict):
            self._fail(
                f"{path}:{self._header_line}: front matter must be "
                f"'field: value' lines, got {type(metadata).__name__}"
            )
        parsed: dict[str, Any] = self._parse_yaml_metadata(metadata, source_path)
        return parsed

    @staticmethod
    def _fail(message: str) -> NoReturn:
        # Pelican logs only the file name of a reader's exception: log the reason.
        logger.error(message)
        raise FrontMatterError(message)


def add_reader(readers: Any) -> None:
    for extension in FrontMatterReader.file_extensions:
        readers.reader_classes[extension] = FrontMatterReader


def check_pages(generator: Any) -> None:
    problems = []
    for page in generator.pages + generator.hidden_pages + generator.draft_pages:
        path = os.path.relpath(page.source_path)
        problems += field_problems(path, page.metadata, PAGE_SCHEMA)
    raise_problems(problems, "page front matter")


def register() -> None:
    # Replace the Markdown reader before any file is read.
    signals.readers_init.connect(add_reader)
    # Pages are all read by then, so every problem is reported at once.
    signals.page_generator_finalized.connect(check_pages)
