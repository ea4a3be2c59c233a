"""French grammar with Grammalecte, on the visible text of every page, block by block.

Each block (a paragraph, list item, heading, table cell, the title, the meta
description) is checked as the reader sees it: the text of its inline
elements joined, runs of spaces and line breaks made one space, no-break
spaces kept as they are. A placeholder shown in development
(`<span class="placeholder">[adresse du siège]</span>`) is replaced by a
neutral stand-in, so that its words are not checked and its sentence still is.

Grammalecte is Debian's package python3-grammalecte. It runs in Debian's own
Python, the interpreter the package is installed for, as one process per
gate run (sitecheck/grammalecte_worker.py) that gets every distinct block at
once: starting it costs about 0.1 s, checking the site about 0.2 s.

Grammalecte also checks spelling and typography. Spelling stays with hunspell
(the `spelling` rule: the same dictionary, and the project word list) and is
not asked for; the typography that the `typography` rule checks is turned off
here (OPTIONS_OFF, RULES_OFF), so that no defect is reported twice.

The project's exception list (content/grammar-exceptions.txt) allows a
deliberate phrase: each line is a rule id, as the findings show it, and the
exact words the finding is about, with enough around them to say where. An
entry that allows nothing on the site is reported, so the list cannot rot.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from .core import NOT_PROSE, Finding, Page

PACKAGE = "python3-grammalecte"
# The interpreter python3-grammalecte is installed for (not the project's virtualenv).
DEBIAN_PYTHON = Path("/usr/bin/python3")
WORKER = Path(__file__).with_name("grammalecte_worker.py")

# Grammalecte's options (groups of rules) turned off, and why.
OPTIONS_OFF = {
    # Plain-text layout, not language: HTML has no line starts, and the
    # blocks are given with their spaces already collapsed.
    "esp": "spaces at the start or end of a line, runs of spaces: plain-text layout",
    "tab": "tabulations: plain-text layout",
    # French typography: the `typography` rule reports these; the typography
    # plugin sets them when the site is built.
    "apos": "the typographic apostrophe: the typography rule reports a straight one",
    "nbsp": "no-break spaces before : ; ! ? » and after «: the typography rule",
    "unit": "a no-break space between a number and its unit: the typography rule",
}
# Single rules turned off, and why.
RULES_OFF = {
    # A straight double quote, three dots or more: the typography rule reports them.
    "typo_guillemets_typographiques_doubles_ouvrants": "a straight quote: the typography rule",
    "typo_guillemets_typographiques_doubles_fermants": "a straight quote: the typography rule",
    "typo_points_suspension1": "three to five dots for …: the typography rule",
    "typo_points_suspension2": "six dots or more, three of them for …: the typography rule",
    "typo_virgules_points": "a comma before dots: the typography rule reports the dots",
    # Identifiers are written without groups of digits (postal codes, SIREN,
    # the CNIL's TSA number); amounts are grouped by Babel.
    "num_grand_nombre_soudé": "postal codes, SIREN and TSA numbers have no digit groups",
    # The spaces inside a number are French typography, like those around
    # punctuation: the typography plugin and rule own them.
    "num_grand_nombre_avec_espaces": "no-break spaces between digit groups: typography",
}

# What stands for a placeholder in a checked sentence: a name Grammalecte accepts anywhere.
PLACEHOLDER_CLASS = "placeholder"
STAND_IN = "X"
# A placeholder in an attribute (title, meta description), where no element can mark it.
BRACKETED_RE = re.compile(r"\[[^\[\]]*\]")

# Elements that start and end a block of text: anything else is inline and joined.
BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main",
        "nav", "ol", "option", "p", "section", "summary", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Collapsed like a browser does; NBSP and NNBSP are not among them and stay.
SPACES = " \t\n\r\f"
SPACES_RE = re.compile(f"[{SPACES}]+")
NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
# A word for the needle: letters and digits, with the apostrophes and hyphens inside it.
WORD_RE = re.compile(r"\w+(?:['\u2019-]\w+)*")
# How many words point at an error's line: enough to be found once in the content.
NEEDLE_WORDS = 4
# Words and the spaces between them, without punctuation.
TYPED_RUN_RE = re.compile(r"[\w'\u2019\- \u00a0\u202f]+")


class GrammarUnavailable(RuntimeError):  # noqa: N818, RUF100 (named for the state)
    """Grammalecte cannot run here; the message says what to install."""


@dataclass(frozen=True)
class Block:
    """A block of text as the reader sees it, with the built page's line of each character."""

    text: str
    lines: tuple[int, ...]

    def line_at(self, offset: int) -> int:
        return self.lines[min(offset, len(self.lines) - 1)]


def _block(chars: list[tuple[str, int]]) -> Block | None:
    """Collapse the spaces of raw characters into a Block; None if there is no text."""
    text: list[str] = []
    lines: list[int] = []
    for char, line in chars:
        if char in SPACES:
            if not text or text[-1] == " ":
                continue
            char = " "
        text.append(char)
        lines.append(line)
    while text and text[-1] == " ":
        text.pop()
        lines.pop()
    return Block("".join(text), tuple(lines)) if text else None


class _BlockReader:
    """Walks a page's body in document order, cutting its text into blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.chars: list[tuple[str, int]] = []
        self.line = 1

    def flush(self) -> None:
        block = _block(self.chars)
        if block is not None:
            self.blocks.append(block)
        self.chars.clear()

    def text(self, node: NavigableString) -> None:
        for char in str(node):
            self.chars.append((char, self.line))
            self.line += char == "\n"

    def walk(self, tag: Tag) -> None:
        for node in tag.children:
            if isinstance(node, NavigableString):
                if not isinstance(node, NOT_TEXT):
                    self.text(node)
            elif isinstance(node, Tag) and node.name not in NOT_PROSE:
                self.element(node)

    def element(self, node: Tag) -> None:
        if node.has_attr("hidden"):
            return
        self.line = node.sourceline or self.line
        if PLACEHOLDER_CLASS in (node.get("class") or []):
            self.chars.extend((char, self.line) for char in STAND_IN)
        elif node.name in BLOCK_ELEMENTS:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            self.walk(node)


def page_blocks(page: Page) -> list[Block]:
    """Return the blocks of visible text of a page, then its title and meta description."""
    reader = _BlockReader()
    body = page.soup.body
    if body is not None:
        reader.walk(body)
        reader.flush()
    blocks = reader.blocks
    for text, text_line in page.head_texts():
        block = _block([(char, text_line) for char in BRACKETED_RE.sub(STAND_IN, text)])
        if block is not None:
            blocks.append(block)
    return blocks


def grammalecte_errors(
    texts: list[str],
    python: Path = DEBIAN_PYTHON,
    options_off: tuple[str, ...] = tuple(OPTIONS_OFF),
    rules_off: tuple[str, ...] = tuple(RULES_OFF),
) -> list[list[dict]]:
    """Return Grammalecte's errors for each text, with OPTIONS_OFF and RULES_OFF off."""
    if not texts:
        return []
    if not Path(python).is_file():
        raise GrammarUnavailable(
            f"{python} is missing: Grammalecte runs in Debian's Python; apt-get install {PACKAGE}"
        )
    request = {"options_off": sorted(options_off), "rules_off": sorted(rules_off), "texts": texts}
    result = subprocess.run(
        [str(python), "-I", str(WORKER)],
        input=json.dumps(request, ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0:
        missing = "grammalecte module is missing" in result.stderr
        raise GrammarUnavailable(
            f"Grammalecte is not installed: apt-get install {PACKAGE}"
            if missing
            else f"Grammalecte failed: {result.stderr.strip()[-2000:]}"
        )
    answer = json.loads(result.stdout)
    unknown = answer["unknown_options"] + answer["unknown_rules"]
    if unknown:
        raise GrammarUnavailable(
            f"Grammalecte {answer['version']} has no option or rule {', '.join(unknown)}: "
            "update OPTIONS_OFF or RULES_OFF in sitecheck/grammar.py"
        )
    errors: list[list[dict]] = answer["errors"]
    return errors


# -- the exception list ------------------------------------------------------


def as_typed(text: str) -> str:
    """Text as an author types it: straight apostrophe, plain spaces."""
    return text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ")


@dataclass
class AllowedPhrase:
    """One line of the exception list: this rule may report nothing on these words."""

    line: int
    rule: str
    words: str
    used: bool = False

    def allows(self, rule: str, text: str, start: int, end: int) -> bool:
        if rule != self.rule:
            return False
        typed = as_typed(text)
        found = typed.find(self.words)
        while found != -1:
            if found <= start and end <= found + len(self.words):
                return True
            found = typed.find(self.words, found + 1)
        return False


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_exceptions(path: Path | None) -> tuple[list[AllowedPhrase], list[Finding]]:
    """Return the entries of the exception list, and a finding for each malformed line."""
    if path is None or not Path(path).is_file():
        return [], []
    entries, problems = [], []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rule, _, words = line.strip().partition(" ")
        words = SPACES_RE.sub(" ", as_typed(words)).strip()
        if not words:
            problems.append(
                Finding(
                    _shown(Path(path)),
                    number,
                    "grammar",
                    f"exception {line.strip()!r}: expected a rule id, a space, then the words",
                )
            )
            continue
        entries.append(AllowedPhrase(number, rule, words))
    return entries, problems


# -- the rule ----------------------------------------------------------------


def _needle(text: str, start: int, end: int) -> tuple[str | None, int]:
    """The words of an error as an author typed them, to find its line; where it starts in them.

    The word before the error (« on » of « on besoin »), the error, and words
    after it up to NEEDLE_WORDS, never across punctuation (the typography
    plugin may have changed it).
    """
    run = next((m for m in TYPED_RUN_RE.finditer(text) if m.start() <= start < m.end()), None)
    words = list(WORD_RE.finditer(text, run.start(), run.end())) if run else []
    first = next((i for i, word in enumerate(words) if word.end() > start), len(words))
    if first == len(words):
        return None, 0
    last = next((i for i, word in enumerate(words) if word.end() >= end), len(words) - 1)
    first = max(first - 1, 0)
    last = min(max(last, first + NEEDLE_WORDS - 1), len(words) - 1)
    first = max(min(first, last - NEEDLE_WORDS + 1), 0)
    needle = as_typed(text[words[first].start() : words[last].end()])
    return (needle, max(start - words[first].start(), 0)) if len(needle) >= 3 else (None, 0)


def _describe(error: dict, text: str) -> str:
    words = text[error["start"] : error["end"]]
    suggestions = " | ".join(error["suggestions"][:3])
    shown = f"« {words} » → {suggestions}" if suggestions else f"« {words} »"
    return f"{error['message']} ({shown}) [{error['rule']}]"


def check_grammar(
    pages: list[Page], exceptions: Path | None = None, python: Path = DEBIAN_PYTHON
) -> list[Finding]:
    """Flag what Grammalecte finds in each block of each page, but what the exception list allows.

    An entry of the exception list that allows nothing is reported too.
    """
    blocks = {page.name: page_blocks(page) for page in pages}
    texts = sorted({block.text for in_page in blocks.values() for block in in_page})
    errors = dict(zip(texts, grammalecte_errors(texts, python), strict=True))
    entries, findings = read_exceptions(exceptions)
    for name, in_page in blocks.items():
        for block in in_page:
            for error in errors[block.text]:
                allowed = [
                    entry
                    for entry in entries
                    if entry.allows(error["rule"], block.text, error["start"], error["end"])
                ]
                for entry in allowed:
                    entry.used = True
                if allowed:
                    continue
                needle, needle_at = _needle(block.text, error["start"], error["end"])
                findings.append(
                    Finding(
                        name,
                        block.line_at(error["start"]),
                        "grammar",
                        _describe(error, block.text),
                        needle,
                        needle_at,
                    )
                )
    for entry in entries:
        if not entry.used:
            findings.append(
                Finding(
                    _shown(Path(str(exceptions))),
                    entry.line,
                    "grammar",
                    f"exception “{entry.rule} {entry.words}” allows nothing on the site: "
                    "remove it, or correct its rule id or words",
                )
            )
    return findings
