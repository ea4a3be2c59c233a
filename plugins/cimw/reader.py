"""The site's one Markdown reader: front matter, placeholders, then Markdown.

It replaces Pelican's Markdown reader (`readers_init`) for `.md` files, and
reads each file in this order, so that nothing is rendered before it is
checked:

1. the bytes: UTF-8 text (a bad byte is named with its line), no control
   character but tabs and newlines, Windows line endings and a byte-order
   mark read as usual;
2. every brace of the file (`placeholders.placeholder_problems`);
3. the front matter (`frontmatter.read_front_matter`), as a question for a
   file under `FAQ_PATHS`, as a page otherwise;
4. the body and the summary, converted by Markdown with the site's
   extensions, placeholders filled in; the title's placeholders are filled
   too; braces left anywhere (in code, an attribute, a comment) are refused.

Any problem stops the build naming the file and the line. A file it cannot
read for a reason nobody foresaw is still reported with its name.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from pathlib import Path
from typing import Any, ClassVar, NoReturn

from jinja2 import Environment
from markdown import Markdown
from pelican.readers import BaseReader

from cimw import placeholders, typography
from cimw.facts import facts_in
from cimw.faq import faq_paths
from cimw.frontmatter import FrontMatterError, Kind, read_front_matter
from cimw.placeholders import Filling, PlaceholderError, PlaceholderExtension

logger = logging.getLogger(__name__)

# A sentence in which Markdown finds nothing to do: no character it reads as
# markup (emphasis, code, links, HTML, references, escapes, tables, braces),
# not starting a list, a heading or a quote, on one line.
PLAIN_SENTENCE_RE = re.compile(
    r"(?![0-9]+[.)]\s)[^\s\\`*_\[\]<>&#|~{}=+>:-][^\\`*_\[\]<>&|~{}\n]*(?<![ \t])"
)
# Markdown looks for the end of a link from every "[": thousands of them take
# minutes. A real text has a few links; more than this is refused by name.
BRACKETS_MAX = 1000
# Where the placeholders' values, rendered once, wait for the build's other readers.
VALUES_KEY = "CIMW_PLACEHOLDER_VALUES"
# Added to every file's metadata as it is read: does it show a price?
QUOTES_PRICES = "quotes_prices"
# The bytes no text file has (NUL and the other C0 controls but tab and newlines).
CONTROL_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SiteReader(BaseReader):
    """Markdown with validated YAML front matter and the site's placeholders."""

    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        configured = self.settings["MARKDOWN"]
        configs = configured.get("extension_configs", {})
        self._md = Markdown(
            extensions=[*configured.get("extensions", []), *configs],
            extension_configs=configs,
            output_format=configured.get("output_format", "html5"),
        )
        self.facts = facts_in(self.settings)
        self.known = placeholders.catalogue(self.facts)
        self.environment: Environment | None = None  # lent by the generator, at generator_init
        self._values: dict[str, str] | None = None
        self.filling = Filling(self.known, _LazyValues(self))
        self._md.registerExtensions([PlaceholderExtension(self.filling)], {})

    def values(self) -> dict[str, str]:
        """The HTML of each placeholder, rendered once with the generator's templates."""
        if self._values is None:
            if self.environment is None:
                raise PlaceholderError(
                    "placeholders are rendered by the theme's templates: this reader has no "
                    "generator to lend it its Jinja environment"
                )
            from cimw import pricing

            # Rendered once a build: the readers of the pages and of the
            # questions share them through the build's settings.
            shared = self.settings.setdefault(VALUES_KEY, {})
            if not shared:
                shared.update(pricing.placeholders(self.facts, self.environment))
            self._values = dict(shared)
        return self._values

    @functools.cached_property
    def question_folders(self) -> tuple[str, ...]:
        """Each folder of FAQ_PATHS as the start of the absolute path of a file in it."""
        content = os.path.abspath(self.settings["PATH"])
        return tuple(
            os.path.join(os.path.normpath(os.path.join(content, folder)), "")
            for folder in faq_paths(self.settings)
        )

    def kind(self, source_path: str) -> Kind:
        """A question for a file under one of FAQ_PATHS, a page otherwise."""
        inside = os.path.abspath(source_path).startswith(self.question_folders)
        return "question" if inside else "page"

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = os.path.relpath(source_path)
        try:
            return self.read_checked(source_path, path)
        except FrontMatterError as error:
            self.fail(str(error))
        except RecursionError:
            self.fail(f"{path}:1: nested too deep to read (a list or quote in hundreds of levels)")
        except Exception as error:  # a case nobody foresaw is still named with its file
            self.fail(f"{path}:1: cannot be read: {type(error).__name__}: {error}")

    def read_checked(self, source_path: str, path: str) -> tuple[str, dict[str, Any]]:
        text = self.read_text(source_path, path)
        problems = placeholders.placeholder_problems(text, self.known)
        if problems:
            self.fail("\n".join(placeholders.problem_lines(path, problems, self.known)))
        front = read_front_matter(path, text, self.kind(source_path))
        if front.body.count("[") > BRACKETS_MAX:
            at = len(text) - len(front.body)
            for _ in range(BRACKETS_MAX + 1):
                at = text.index("[", at) + 1
            self.fail(
                f"{path}:{text.count(chr(10), 0, at) + 1}: more than {BRACKETS_MAX} [ in the "
                "text; expected links written [words](address), a few in a page"
            )
        header = front.header
        self._md.reset()
        content = self._md.convert(front.body)
        used = set(self.filling.used)
        summary = self.convert_summary(header.summary)
        used |= self.filling.used
        title = header.title
        if "{{" in title:
            used.update(placeholders.PLACEHOLDER_RE.findall(title))
            title = placeholders.fill_text(title, self.values(), self.known.blocks)
        leftovers = placeholders.leftover_problems(
            text, {"text": content, "summary": summary, "title": title}
        )
        if leftovers:
            self.fail("\n".join(placeholders.problem_lines(path, leftovers, self.known)))
        metadata: dict[str, Any] = {
            name: value for name, value in header.model_dump().items() if value is not None
        }
        metadata.update(title=title, summary=summary)
        metadata[QUOTES_PRICES] = bool(used)
        return content, metadata

    def convert_summary(self, summary: str) -> str:
        """The summary's HTML: most are a plain sentence, which Markdown would only wrap in <p>."""
        if PLAIN_SENTENCE_RE.fullmatch(summary):
            self.filling.used.clear()
            return str(typography.french(f"<p>{summary}</p>", mark_caps=True))
        return str(self._md.reset().convert(summary))

    def read_text(self, source_path: str, path: str) -> str:
        """The file's text; a file that is not UTF-8 text stops at its first bad byte."""
        data = Path(source_path).read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self.fail(
                f"{path}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); expected a "
                "Markdown file saved as UTF-8"
            )
        bad = CONTROL_RE.search(data)
        if bad is not None:
            line = data[: bad.start()].count(b"\n") + 1
            self.fail(
                f"{path}:{line}: control character U+{data[bad.start()]:04X}; expected text (is "
                "it a binary file?)"
            )
        return text

    @staticmethod
    def fail(message: str) -> NoReturn:
        # Pelican logs only the file name of a reader's exception: log the reason.
        logger.error(message)
        raise FrontMatterError(message)


class _LazyValues(dict[str, str]):
    """The placeholders' values, rendered the first time one is filled."""

    def __init__(self, reader: SiteReader) -> None:
        super().__init__()
        self.reader = reader

    def __getitem__(self, name: str) -> str:
        return self.reader.values()[name]


def add_reader(readers: Any) -> None:
    for extension in SiteReader.file_extensions:
        readers.reader_classes[extension] = SiteReader


def lend_environment(generator: Any) -> None:
    """Let the readers render placeholder values with this generator's templates."""
    for reader in generator.readers.readers.values():
        if isinstance(reader, SiteReader):
            reader.environment = generator.env
