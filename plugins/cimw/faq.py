"""Assemble the FAQ from one Markdown file per question.

A generator (hooked with `get_generators`) reads `FAQ_PATHS` with the site's
readers and content cache, checks every file's front matter against
`FAQ_SCHEMA` and the entries against each other (unique positions and
anchors), and raises once with every problem. The entries, ordered by
position, go into the template context as `faq_entries`; the home template
renders the table of contents, the anchored questions and the back-to-top
links from them, so the author never types an anchor or a link.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from pelican import Pelican, signals
from pelican.contents import Page
from pelican.generators import CachingGenerator
from pelican.plugins.yaml_metadata.yaml_metadata import HEADER_RE

from cimw import frontmatter
from cimw.frontmatter import (
    REVIEWED,
    TAG_RE,
    Field,
    FrontMatterError,
    field_problems,
    is_date,
    is_position,
    is_slug,
    is_text,
    raise_problems,
)

logger = logging.getLogger(__name__)

DEFAULTS = {
    "FAQ_PATHS": ["faq"],
    "FAQ_EXCLUDES": [],
}

FAQ_SCHEMA = (
    Field("title", "the question, a non-empty text", is_text),
    Field("position", "a whole number from 1 (the order on the page)", is_position),
    Field("anchor", "a slug of lowercase letters, digits and hyphens", is_slug),
    Field("summary", "a one- or two-sentence answer in short", is_text),
    Field("reviewed", REVIEWED, is_date),
)


class FaqEntry(Page):
    """One question and its answer: shown on the home page, never written alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.override_save_as = ""
        self.override_url = f"#{self.metadata.get('anchor', '')}"


def duplicate_problems(entries: Iterable[FaqEntry], field_name: str) -> list[str]:
    """Return a problem for each value of `field_name` that several entries share."""
    by_value: defaultdict[object, list[str]] = defaultdict(list)
    for entry in entries:
        value = entry.metadata.get(field_name)
        if value is not None:
            by_value[value].append(os.path.relpath(entry.source_path))
    return [
        f"{paths[0]}: {field_name}: {value!r} is also used by {', '.join(paths[1:])}; "
        f"expected a {field_name} of its own"
        for value, paths in by_value.items()
        if len(paths) > 1
    ]


def answer_line(source_path: str) -> int:
    """The first line after the front matter, where the answer starts."""
    with open(source_path, encoding="utf-8-sig") as handle:
        text = handle.read()
    match = HEADER_RE.fullmatch(text)
    return text[: match.start("content")].count("\n") + 2 if match else 1


def answer_problems(entry: FaqEntry) -> list[str]:
    """An answer with no text (a file of front matter only) is a problem."""
    if TAG_RE.sub("", entry.content or "").strip():
        return []
    path = os.path.relpath(entry.source_path)
    return [
        f"{path}:{answer_line(entry.source_path)}: the answer is empty; expected the answer "
        "in Markdown below the front matter"
    ]


def faq_problems(entries: list[FaqEntry]) -> list[str]:
    """Return every front-matter problem of the entries, one line each."""
    problems: list[str] = []
    for entry in entries:
        problems += field_problems(
            os.path.relpath(entry.source_path), entry.metadata, FAQ_SCHEMA, {"status"}
        )
        problems += answer_problems(entry)
    for field_name in ("position", "anchor"):
        problems += duplicate_problems(entries, field_name)
    return problems


def ordered(entries: Iterable[FaqEntry]) -> list[FaqEntry]:
    """Return the published entries in page order."""
    return sorted(
        (entry for entry in entries if entry.status == "published"),
        key=lambda entry: entry.metadata["position"],
    )


class FaqGenerator(CachingGenerator):
    """Read the questions and put them in the context as `faq_entries`."""

    def generate_context(self) -> None:
        entries: list[FaqEntry] = []
        unreadable: list[str] = []  # each file's problems, as the reader found them
        for path in self.get_files(
            self.settings.get("FAQ_PATHS", DEFAULTS["FAQ_PATHS"]),
            exclude=self.settings.get("FAQ_EXCLUDES", DEFAULTS["FAQ_EXCLUDES"]),
        ):
            entry = self.get_cached_data(path, None)
            if entry is None:
                try:
                    entry = self.readers.read_file(
                        base_path=self.path,
                        path=path,
                        content_class=FaqEntry,
                        context=self.context,
                    )
                except FrontMatterError as error:
                    unreadable += str(error).split("\n")
                    continue
                self.cache_data(path, entry)
            entries.append(entry)

        raise_problems(unreadable + faq_problems(entries), "FAQ front matter")
        self.context["faq_entries"] = ordered(entries)
        logger.debug("FAQ: %d entries", len(self.context["faq_entries"]))
        self.save_cache()
        self.readers.save_cache()


def get_generators(pelican: Pelican) -> type[FaqGenerator]:
    return FaqGenerator


def register() -> None:
    # Questions are read with the front matter reader: make sure it is there,
    # whatever the order of PLUGINS.
    frontmatter.register()
    # A generator of its own: questions are read like pages but never written alone.
    signals.get_generators.connect(get_generators)
