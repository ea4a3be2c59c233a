"""Read Markdown files with YAML front matter, and check their fields.

The reader extends pelican-yaml-metadata: where that plugin logs a malformed
header and carries on with no metadata, this one stops the build with the file,
the line and what YAML could not parse.

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

import yaml
from pelican import signals
from pelican.plugins.yaml_metadata.yaml_metadata import HEADER_RE, YAMLMetadataReader
from pelican.utils import pelican_open

logger = logging.getLogger(__name__)

# libyaml's loader when PyYAML has it: several times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TAG_RE = re.compile(r"<[^>]+>")

# Fields Pelican itself understands on a page; allowed everywhere.
PELICAN_FIELDS = frozenset({"slug", "save_as", "url", "template", "status"})
# Added by Pelican to every file it reads, not written by the author.
IMPLICIT_FIELDS = frozenset({"reader"})


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


TEXT = "a non-empty text"
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


class FrontMatterReader(YAMLMetadataReader):
    """Markdown reader that refuses a missing or malformed YAML header."""

    def read(self, source_path):
        path = os.path.relpath(source_path)
        with pelican_open(source_path) as text:
            if not HEADER_RE.fullmatch(text):
                self._fail(
                    f"{path}:1: no YAML front matter; the file must start "
                    "with a line '---', then the fields, then a line '---'"
                )
            self._header_line = text[: text.index("---")].count("\n") + 1
        return super().read(source_path)

    def _load_yaml_metadata(self, text, source_path):
        try:
            metadata = yaml.load(text, Loader=SAFE_LOADER)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = self._header_line + mark.line if mark else self._header_line
            problem = getattr(error, "problem", None) or str(error)
            path = os.path.relpath(source_path)
            self._fail(f"{path}:{line}: front matter is not valid YAML: {problem}")
        if not isinstance(metadata, dict):
            self._fail(
                f"{os.path.relpath(source_path)}:{self._header_line}: front matter must be "
                f"'field: value' lines, got {type(metadata).__name__}"
            )
        return self._parse_yaml_metadata(metadata, source_path)

    @staticmethod
    def _fail(message: str):
        # Pelican logs only the file name of a reader's exception: log the reason.
        logger.error(message)
        raise FrontMatterError(message)


def add_reader(readers):
    for extension in FrontMatterReader.file_extensions:
        readers.reader_classes[extension] = FrontMatterReader


def check_pages(generator):
    problems = []
    for page in generator.pages + generator.hidden_pages + generator.draft_pages:
        path = os.path.relpath(page.source_path)
        problems += field_problems(path, page.metadata, PAGE_SCHEMA)
    raise_problems(problems, "page front matter")


def register():
    # Replace the Markdown reader before any file is read.
    signals.readers_init.connect(add_reader)
    # Pages are all read by then, so every problem is reported at once.
    signals.page_generator_finalized.connect(check_pages)
