"""French typography for rendered text: a Markdown extension and Jinja filters.

Content is typeset as it is read: the `cimw.typography` Markdown extension
(in MARKDOWN's extension_configs) runs as the last postprocessor of every
conversion, answers, pages and summaries alike, so the result is stored in
Pelican's content cache with the HTML and a warm rebuild does not redo it.
The theme passes the rest (titles, settings, its own text) through the `typo`
filter (HTML) or `typo_text` (plain text, for `<title>` and attributes).

The rules are those of `typography.toml`, beside this file: each with its
pattern, its examples, and the check the quality gate runs on the result.
HTML is split into tags and text as html.parser reads it, by one linear
scan (html.parser itself is quadratic on some inputs, such as a run of `<a `);
only the text is typeset, in one pass over all of it, each tag standing as a
SEAM character so the rules see the text on both sides of a tag. Tags,
attributes, character references, code and addresses (URLs, e-mail) are left
untouched.

The rules marked `polytypo` follow polytypo's French locale, which the test
suite keeps as the reference. They are compiled regular expressions because
polytypo's HTML mode costs about 30 ms per page, several times the rest of
the build.

The filters are added to each generator's Jinja environment at
`generator_init`; a template that uses them without the plugin fails to build.
"""

from __future__ import annotations

import functools
import logging
import re
import string
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
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
    r"|\b[a-z][a-z0-9+.-]*://[^\s<>\"\x00]+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SpaceBefore:
    """A rule's `scan`: the space before a mark, found from the mark.

    At each match of `mark`, a character of `spaces` just before it becomes
    `put` when the character before that space matches `after`; with no space
    there, `put` is inserted when the character before the mark matches
    `after`. This is what the rule's `fix` does (`(?<=after)[spaces]?(mark)`,
    replaced by `put` and the mark), but Python's engine tries that pattern at
    every position of the text, or at every space; marks are rare, so
    starting from them is several times faster. The tests hold the two equal.
    """

    mark: re.Pattern[str]
    after: re.Pattern[str]
    spaces: frozenset[str]
    put: str

    def sub(self, text: str) -> str:
        out: list[str] = []
        last = 0
        for match in self.mark.finditer(text):
            start = match.start()
            space = start - 1 if start and text[start - 1] in self.spaces else start
            if space > 0 and self.after.match(text, space - 1):
                out += (text[last:space], self.put)
                last = start
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)


@dataclass(frozen=True)
class Rule:
    """One rule of typography.toml, as the fixer applies it."""

    name: str
    triggers: tuple[str, ...]
    fix: re.Pattern[str]
    replace: str | Callable[[re.Match[str]], str]
    alternate: tuple[str, ...] = ()
    scan: SpaceBefore | None = None


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
            scan=space_before(row["scan"]) if "scan" in row else None,
        )
        for row in table
    ]


def space_before(scan: dict[str, str]) -> SpaceBefore:
    return SpaceBefore(
        mark=re.compile(scan["mark"]),
        after=re.compile(scan["after"]),
        spaces=frozenset(scan["spaces"]),
        put=scan["put"],
    )


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


# The theme typesets the same short strings on every page (the tagline, the
# footer, the labels): their results are kept, the site's rules being fixed.
# Only the input decides the result, so nothing carries over between builds.
SHORT = 1000


@functools.lru_cache(maxsize=4096)
def _typeset_short(text: str) -> str:
    return _apply(text, RULES)


def _typeset(text: str, rules: list[Rule] = RULES) -> str:
    """Apply the rules to a run of text, in which SEAM marks where tags were."""
    if rules is RULES and len(text) <= SHORT:
        return _typeset_short(text)
    return _apply(text, rules)


def _apply(text: str, rules: list[Rule]) -> str:
    saved: list[str] = []

    def hold(match: re.Match[str]) -> str:
        saved.append(match.group(0))
        return HOLE

    if "&" in text or "@" in text or "://" in text:
        text = UNTOUCHED_RE.sub(hold, text)
    for rule in rules:
        if not any(trigger in text for trigger in rule.triggers):
            continue
        if rule.scan is not None:
            text = rule.scan.sub(text)
        else:
            replace = _Alternate(rule.alternate) if rule.alternate else rule.replace
            text = rule.fix.sub(replace, text)
    pieces = iter(saved)
    return re.sub(HOLE, lambda _: next(pieces), text) if saved else text


# A start or end tag, read as html.parser reads one: its name, then attribute
# names and values (a quoted value may hold < and >) up to the closing >. Each
# character can be read one way only and every quantifier is possessive, so an
# attempt stops at the first < or > outside a quoted value, with no
# backtracking: the scan stays linear (html.parser's own is quadratic on a run
# of unclosed tags).
TAG_RE = re.compile(
    r"""<(?P<end>/?)(?P<name>[A-Za-z][^\s/<>]*+)"""
    r"""(?:\s++|/|=\s*+(?:"[^"]*+"|'[^']*+'|[^\s<>"'][^\s<>]*+)?+|[^\s/<>=]++)*+>"""
)
ASCII_LETTERS = frozenset(string.ascii_letters)
# TAG_RE as one group, to split HTML into its text and its tags.
TAG_SPLIT_RE = re.compile(f"({re.sub(r'[(][?]P<[a-z]+>', '(?:', TAG_RE.pattern)})")
# Elements whose content is raw text up to their end tag, as html.parser reads them.
RAW_TEXT = ("script", "style")


def beyond_tags_re(elements: Iterable[str]) -> re.Pattern[str]:
    """What only `html_pieces` reads right: comments, declarations, processing
    instructions, bogus comments, and the start tags of `elements`."""
    names = "|".join(sorted(elements))
    return re.compile(rf"<(?:[!?]|/(?![A-Za-z])|(?:{names})(?![^\s/<>]))", re.IGNORECASE)


# What only the scanner reads right for typesetting: also the elements whose text is not typeset.
SCANNED_RE = beyond_tags_re(VERBATIM)


def html_pieces(html: str) -> Iterator[tuple[str, bool]]:
    """Split HTML into its exact source pieces: (text, is text to typeset).

    Tags, comments, declarations and processing instructions are not text,
    nor is anything inside code and the other VERBATIM elements. A < that
    starts none of those is text; a comment or a declaration never closed
    runs to the end, as browsers read it. Unlike html.parser, a
    tag stops at a < outside its quoted values (`<a <b>` is the text `<a `
    and the tag `<b>`), as Markdown reads raw HTML.
    """
    verbatim = 0
    text_start = cursor = 0
    size = len(html)
    while (start := html.find("<", cursor)) >= 0:
        tag = None
        after = html[start + 1 : start + 3]
        if after[:1] in ("!", "?") or (after[:1] == "/" and after[1:] not in ASCII_LETTERS):
            # A comment, a declaration, a processing instruction, or what
            # html.parser reads as a bogus comment (</ without a name); left
            # open, it runs to the end, as browsers read it.
            closer = "-->" if html.startswith("<!--", start) else ">"
            found = html.find(closer, start + 2)
            end = size if found < 0 else found + len(closer)
        elif tag := TAG_RE.match(html, start):
            end = tag.end()
        else:
            cursor = start + 1
            continue
        if start > text_start:
            yield html[text_start:start], verbatim == 0
        yield html[start:end], False
        text_start = cursor = end
        if tag is None:
            continue
        name = tag["name"].lower()
        if tag["end"]:
            verbatim -= name in VERBATIM and verbatim > 0
        elif not tag.group(0).endswith("/>"):
            verbatim += name in VERBATIM
            if name in RAW_TEXT:  # its text runs to its end tag, unparsed
                closing = re.compile(f"</{name}", re.IGNORECASE).search(html, end)
                text_start = cursor = size if closing is None else closing.start()
                if text_start > end:
                    yield html[end:text_start], False
    if text_start < size:
        yield html[text_start:], verbatim == 0


def split_tags(html: str) -> tuple[list[str], str]:
    """Return what is not text (tags, code) in order, and the text with a SEAM for each.

    HTML of tags and text only, as most of what Markdown writes, is split at
    its tags in one call; the rest is read by `html_pieces`. Both give the
    same result, as the tests hold.
    """
    if SCANNED_RE.search(html):
        return scanned_split(html)
    parts = TAG_SPLIT_RE.split(html)
    return parts[1::2], SEAM.join(parts[0::2])


def scanned_split(html: str) -> tuple[list[str], str]:
    kept: list[str] = []
    runs: list[str] = []
    for piece, is_text in html_pieces(html):
        if is_text:
            runs.append(piece)
        else:
            kept.append(piece)
            runs.append(SEAM)
    return kept, "".join(runs)


def french(html: str, rules: list[Rule] = RULES, mark_caps: bool = False) -> Markup:
    """Return `html` with French typography applied to its text.

    All the text is typeset in one pass, each tag (and each piece of code)
    replaced by a SEAM character, so the rules see the text on both sides of
    a tag; the tags are then put back. With `mark_caps`, the acronyms of the
    text are marked in the same pass (see `caps`).
    """
    html = str(html)
    if mark_caps and CAPS_SPAN in html:  # marked by hand already: the careful scan
        return Markup(caps(str(french(html, rules))))
    if "<" not in html and "&" not in html:
        typeset_text = _typeset(html, rules)
        return Markup(_mark_caps(typeset_text) if mark_caps else typeset_text)
    kept, text = split_tags(html)
    joined = _typeset(text, rules)
    typeset = (_mark_caps(joined) if mark_caps else joined).split(SEAM)
    pieces = [typeset[0]]
    for tag, after in zip(kept, typeset[1:], strict=True):
        pieces += [tag, after]
    return Markup("".join(pieces))


def french_text(text: str, rules: list[Rule] = RULES) -> str:
    """Return plain `text` (a title or an attribute value) with French typography.

    The result is a plain string, so the template still escapes it.
    """
    return _typeset(str(text).replace(SEAM, ""), rules)


# An acronym: two capitals or more, digits and & allowed after the first
# (RGPD, CNIL, TVA, W3C, R&D), as a whole word. The pattern starts with the
# capital (the word boundary before it is looked behind from there), so the
# regular expression engine skips to the capitals of a text instead of trying
# every position: several times faster on a page.
CAPS_RE = re.compile(
    r"[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ](?<![\w&].)(?:[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ0-9]|&(?=[A-Z]))+(?![\w&])"
)
CAPS_SPAN = '<span class="caps">'


def caps(html: str) -> str:
    """Mark each acronym of the text with <span class="caps">, for its letter spacing.

    Text in code, in attributes and already marked is left as it is.
    """
    if not any(letter.isupper() for letter in html):
        return html
    out: list[str] = []
    marked = False
    for piece, is_text in html_pieces(html):
        if not is_text:
            marked = piece.startswith(CAPS_SPAN) or (marked and not piece.startswith("</span"))
            out.append(piece)
        elif marked:
            out.append(piece)
        else:
            out.append(CAPS_RE.sub(lambda m: f"{CAPS_SPAN}{m.group(0)}</span>", piece))
    return "".join(out)


def _mark_caps(text: str) -> str:
    if not any(letter.isupper() for letter in text):
        return text
    return CAPS_RE.sub(lambda m: f"{CAPS_SPAN}{m.group(0)}</span>", text)


class FrenchPostprocessor(Postprocessor):
    """Typeset the HTML Markdown produced, and mark its acronyms."""

    def run(self, text: str) -> str:
        return str(french(text, mark_caps=True))


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
