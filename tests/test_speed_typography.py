"""The typography pass's own HTML scanner: it reads HTML as html.parser does.

The scanner replaced html.parser, which is quadratic on some inputs (a run of
`<a `); `tests/benchmarks/pathological.py` times both shapes. Here the result
must be html.parser's on every HTML that Markdown writes, raw tags included.
"""

from __future__ import annotations

from html.parser import HTMLParser
from itertools import pairwise

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cimw import typography
from cimw.seo import BLOCKS, SPACES_RE, plain_text, scanned_plain_text
from cimw.typography import VERBATIM, french

NNBSP, NBSP = "\u202f", "\u00a0"


class ReferencePieces(HTMLParser):
    """html.parser's split of HTML into pieces: (exact source, is text to typeset)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [i + 1 for i, char in enumerate(html) if char == "\n"]
        self.starts: list[tuple[int, bool]] = []
        self.verbatim = 0

    def mark(self, is_text: bool) -> None:
        line, column = self.getpos()
        self.starts.append((self.line_starts[line - 1] + column, is_text))

    def handle_starttag(self, tag, attrs):
        self.mark(False)
        self.verbatim += tag in VERBATIM

    def handle_startendtag(self, tag, attrs):
        self.mark(False)

    def handle_endtag(self, tag):
        self.mark(False)
        self.verbatim -= tag in VERBATIM and self.verbatim > 0

    def handle_data(self, data):
        self.mark(self.verbatim == 0)

    handle_entityref = handle_charref = handle_data

    def handle_comment(self, data):
        self.mark(False)

    handle_decl = handle_pi = unknown_decl = handle_comment

    def pieces(self):
        self.feed(self.html)
        self.close()
        bounds = [*self.starts, (len(self.html), False)]
        if not self.starts or self.starts[0][0] > 0:
            bounds.insert(0, (0, False))
        for (start, is_text), (end, _) in pairwise(bounds):
            if end > start:
                yield self.html[start:end], is_text


def joined_text(pieces) -> list[tuple[str, bool]]:
    """The pieces, each run of text in one piece (html.parser splits at references)."""
    joined: list[tuple[str, bool]] = []
    for piece, is_text in pieces:
        if is_text and joined and joined[-1][1]:
            joined[-1] = (joined[-1][0] + piece, True)
        else:
            joined.append((piece, is_text))
    return joined


def french_by_html_parser(html: str) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typography, "html_pieces", lambda html: ReferencePieces(html).pieces())
        return str(french(html))


# What an author writes in an answer: words, punctuation, Markdown, raw HTML.
ATOMS = [
    *["mot", "l'assistance", " ", " ", "\n", "\n\n", "- ", "1. ", "    ", "> ", "## "],
    *['"', "'", ":", "?", "!", ";", "«", "»", "...", " – ", "10 €", "1 000", "3 jours", "n° 3"],
    *["<", ">", "&", "&amp;", "&#8217;", "*", "**", "`", "_", "[", "](https://x.fr/a?b=1)"],
    *["https://exemple.fr/a?b", "contact@exemple.fr", "10:30", "{{ day_rate }}"],
    *["<em>", "</em>", "<code>", "</code>", "<pre>", "</pre>", "<br/>", "<br />", "<kbd>"],
    *['<abbr title="a > b">', "</abbr>", "<a href='x?y'>", '<a href="/b" title="l\'a : b">'],
    *["</a>", "<p>", "</p>", "<div>", "</div>", "<!-- c : d ? -->", "<script>", "</script>"],
]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=40).map("".join))
def test_markdown_html_is_typeset_as_with_html_parser(text):
    html = markdown.markdown(text, extensions=["markdown.extensions.extra"])
    assert str(french(html)) == french_by_html_parser(html)


@pytest.mark.parametrize(
    "html",
    [
        '<p><abbr title="a > b">AB</abbr> dit "oui" ?</p>',
        "<p>a <!-- b : c ? --> d ?</p><!DOCTYPE html><?xml x ?>",
        '<script>if (a < b && c > "d") { e(); }</script><p>f ?</p>',
        "<STYLE>p > a { x: y }</STYLE><P>Vraiment ?</P>",
        "<pre><code>a : b ?</code></pre><p>c ?</p>",
        "<p>un</p>\n<p>deux ?</p>",
        "<p>&lt;a et &amp; ou &#8217; ?</p>",
        "<img src=x.png alt='a ? b'/> c ?",
    ],
)
def test_well_formed_html_is_split_as_html_parser_splits_it(html):
    assert joined_text(typography.html_pieces(html)) == joined_text(ReferencePieces(html).pieces())
    assert str(french(html)) == french_by_html_parser(html)


def test_a_run_of_unclosed_tags_is_text():
    # html.parser reads "<a <a ... ?" as one tag, and so left the ? as typed.
    assert french("<p><a <a <a Vraiment ?</p>") == f"<p><a <a <a Vraiment{NNBSP}?</p>"


def test_a_comment_left_open_runs_to_the_end():
    assert french("<p>a ? <!-- b ?</p>") == f"<p>a{NNBSP}? <!-- b ?</p>"


def test_an_address_ends_at_a_tag():
    # The address must not swallow the text after the tag that ends it.
    html = '<p><a href="https://x.fr/">https://x.fr/a?b</a>: vraiment ?</p>'
    assert french(html) == (
        f'<p><a href="https://x.fr/">https://x.fr/a?b</a>{NBSP}: vraiment{NNBSP}?</p>'
    )


class ReferenceText(HTMLParser):
    """html.parser's text of a fragment, a space after each block: the reference of plain_text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = False

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)

    def handle_endtag(self, tag):
        self.hidden = self.hidden and tag not in ("script", "style")
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append(" ")

    def handle_starttag(self, tag, attrs):
        self.hidden = self.hidden or tag in ("script", "style")
        if tag == "br":
            self.parts.append(" ")

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        parser.close()
        return SPACES_RE.sub(" ", "".join(parser.parts)).strip()


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=40).map("".join))
def test_the_plain_text_of_markdown_html_is_html_parsers(text):
    html = str(french(markdown.markdown(text, extensions=["markdown.extensions.extra"])))
    assert plain_text(html) == ReferenceText.of(html)


# Pieces of HTML, some that only the scanner reads (comments, scripts, bogus
# comments), some that look like them and are not (<scripts>, </ >).
HTML_ATOMS = [
    *["mot", " ", "\n", "&amp;", "&am", "p;", "&#8217;", "<", ">", "</", "</ ", "<!-- c -->"],
    *["<p>", "</p>", "<li>", "</li>", "<br>", "<br/>", "<em>", "</em>", '<a href="a>b">', "</a>"],
    *["<script>", "</script>", "<Style >", "<scripts>", "</scripts>", "<?x?>", "<!x>", "<td>"],
]


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(HTML_ATOMS), max_size=16).map("".join))
def test_the_plain_text_split_at_tags_is_the_scanners(html):
    assert plain_text(html) == scanned_plain_text(html)


# The patterns as first written, each lookbehind first: the clearer form, kept
# here as the reference for the faster form the plugin uses.
CAPITALS = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
REFERENCE_PATTERNS = {
    "caps": rf"(?<![\w&])[{CAPITALS}](?:[{CAPITALS}0-9]|&(?=[A-Z]))+(?![\w&])",
    "unit": r"(?<=\d) (?=(?:jours?|heures?|h|min|semaines?|mois|ans?|Ko|Mo|Go|To|km)\b)",
    "digit-groups": r"(?<=\d)[ \u00a0](?=\d{3}(?!\d))",
}
# Characters and words the patterns turn on, and some they do not.
PATTERN_ATOMS = [
    "a", "é", "_", "&", "R", "É", "G", "3", "0", "AB", " ", NBSP, NNBSP, ";", "!", "?", ":",
    "«", "»", "(", "[", "\ue000", "\x00", "jours", "h", "Ko", "min", "mois", "\n", "€", "%",
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(REFERENCE_PATTERNS))
@settings(max_examples=400, derandomize=True, deadline=None)
@given(text=st.lists(st.sampled_from(PATTERN_ATOMS), max_size=24).map("".join))
def test_the_fast_patterns_match_as_their_reference(name, text):
    import re

    fast = (
        typography.CAPS_RE
        if name == "caps"
        else next(rule.fix for rule in typography.RULES if rule.name == name)
    )
    reference = re.compile(REFERENCE_PATTERNS[name])
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in reference.finditer(text)]
    assert [m.groups() for m in fast.finditer(text)] == [
        m.groups() for m in reference.finditer(text)
    ]


SCANNED = [rule for rule in typography.RULES if rule.scan is not None]


def test_the_rules_that_put_a_space_before_a_mark_are_scanned():
    assert {rule.name for rule in SCANNED} >= {"high-punctuation", "colon", "currency-and-percent"}


@pytest.mark.parametrize("rule", SCANNED, ids=lambda rule: rule.name)
@settings(max_examples=400, derandomize=True, deadline=None)
@given(text=st.lists(st.sampled_from(PATTERN_ATOMS), max_size=24).map("".join))
def test_a_scanned_rule_fixes_as_its_pattern(rule, text):
    assert rule.scan is not None
    assert rule.scan.sub(text) == rule.fix.sub(rule.replace, text)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(
    st.lists(
        st.sampled_from([*HTML_ATOMS, "<code>", "</code>", "<pre >", "<codes>"]), max_size=16
    ).map("".join)
)
def test_html_split_at_its_tags_is_split_as_the_scanner_splits_it(html):
    assert typography.split_tags(html) == typography.scanned_split(html)
