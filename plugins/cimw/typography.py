"""French typography for rendered text: a Markdown extension and Jinja filters.

Content is typeset as it is read: the `typography` Markdown extension (in
MARKDOWN's extension_configs) runs as the last postprocessor of every
conversion, answers, pages and summaries alike, so the result is stored in
Pelican's content cache with the HTML and a warm rebuild does not redo it.
The theme passes the rest (titles, settings, its own text) through the `typo`
filter (HTML) or `typo_text` (plain text, for `<title>` and attributes).
Both apply the French rules: « » with
no-break spaces inside, a narrow no-break space before ; ! ?, a no-break space
before : and », after «, between a number and € or %, and before a spaced
dash; the typographic apostrophe; … for three dots. Tags, attributes,
character references, code and addresses (URLs, e-mail) are left untouched.

The rules follow polytypo's French locale, which the test suite keeps as the
reference: the site's text typeset here must equal polytypo's result. They
are written as a few compiled regular expressions because polytypo's HTML
mode costs about 30 ms per page, several times the rest of the build.

The filters are added to each generator's Jinja environment at
`generator_init`; a template that uses them without the plugin fails to build.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markupsafe import Markup
from pelican import signals

logger = logging.getLogger(__name__)

DEFAULTS = {
    "TYPOGRAPHY_LOCALE": "fr",
}
LOCALES = ("fr", "fr-FR", "fr_FR")

NBSP, NNBSP = "\u00a0", "\u202f"
TAG_RE = re.compile(r"(<[^>]*>)")
VERBATIM_RE = re.compile(r"<(/?)(code|pre|kbd|samp|script|style|textarea)\b", re.IGNORECASE)
# What is never typeset: character references, URLs, e-mail addresses.
UNTOUCHED_RE = re.compile(
    r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
    r"|\b[a-z][a-z0-9+.-]*://[^\s<>\"]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)
HOLE = "\ue000"  # a private-use character standing for an untouched part
SEAM = "\x00"  # stands for a tag, or for code, between two runs of text

# (triggers, pattern, replacement): a rule runs only on text holding one of its triggers.
RULES = [
    (("...",), re.compile(r"\.\.\."), "…"),
    (("'",), re.compile(r"'(?<=[^\W\d_]')"), "’"),
    # Before ; ! ? a narrow no-break space, replacing any space there.
    (
        (";", "!", "?"),
        re.compile(r"(?<=[^\s;:!?«(\[\u00a0\u202f" + HOLE + r"])[ \u00a0\u202f]?([;!?]+)"),
        NNBSP + r"\1",
    ),
    # Before : (a colon that ends a clause, not 10:30 or a URL) and », a no-break space.
    (
        (":",),
        re.compile(r"(?<=[^\s\u00a0\u202f" + HOLE + r"])[ \u202f\u00a0]?:(?=[\s\x00]|$)"),
        NBSP + ":",
    ),
    (("»",), re.compile(r"(?<=[^\s\u00a0\u202f])[ \u202f]?»"), NBSP + "»"),
    (("«",), re.compile(r"«[ \u202f]?(?=\S)"), "«" + NBSP),
    (("€", "%"), re.compile(r"(?<=\d)[ \u202f]?([€%])"), NBSP + r"\1"),
    (("–", "—"), re.compile(r" ([–—]) "), NBSP + r"\1 "),
    # After n° and § before a number.
    (("n°", "§"), re.compile(r"(?:(?<=\bn°)|(?<=§)) (?=\d)"), NBSP),
]
DOUBLE_QUOTE_RE = re.compile(r'"')


class _Quotes:
    """Straight double quotes become « and » in turn, across tags."""

    def __init__(self):
        self.open = False

    def __call__(self, match):
        self.open = not self.open
        return "«" if self.open else "»"


def _typeset(text: str, quotes: _Quotes) -> str:
    """Apply the rules to a run of text, in which SEAM marks where tags were."""
    saved = []

    def hold(match):
        saved.append(match.group(0))
        return HOLE

    if "&" in text or "@" in text or "://" in text:
        text = UNTOUCHED_RE.sub(hold, text)
    if '"' in text:
        text = DOUBLE_QUOTE_RE.sub(quotes, text)
    for triggers, pattern, replacement in RULES:
        if any(trigger in text for trigger in triggers):
            text = pattern.sub(replacement, text)
    pieces = iter(saved)
    return re.sub(HOLE, lambda _: next(pieces), text) if saved else text


def french(html: str, locale: str = DEFAULTS["TYPOGRAPHY_LOCALE"]) -> Markup:
    """Return `html` with French typography applied to its text.

    All the text is typeset in one pass, each tag (and each piece of code)
    replaced by a SEAM character, so the rules see the text on both sides of
    a tag; the tags are then put back.
    """
    parts = TAG_RE.split(str(html))
    kept = []  # tags, and the text inside code, in order
    verbatim = 0
    for index in range(1, len(parts), 2):
        match = VERBATIM_RE.match(parts[index])
        if match:
            verbatim += -1 if match.group(1) else 1
        kept.append(parts[index])
        parts[index] = SEAM
        if verbatim > 0 and parts[index + 1]:
            kept.append(parts[index + 1])
            parts[index + 1] = SEAM
    typeset = _typeset("".join(parts), _Quotes()).split(SEAM)
    pieces = [typeset[0]]
    for tag, after in zip(kept, typeset[1:]):
        pieces += [tag, after]
    return Markup("".join(pieces))


def french_text(text: str, locale: str = DEFAULTS["TYPOGRAPHY_LOCALE"]) -> str:
    """Return plain `text` (a title or an attribute value) with French typography.

    The result is a plain string, so the template still escapes it.
    """
    return _typeset(str(text).replace(SEAM, ""), _Quotes())


class FrenchPostprocessor(Postprocessor):
    """Typeset the HTML Markdown produced."""

    def __init__(self, md, locale: str):
        super().__init__(md)
        self.locale = locale

    def run(self, text: str) -> str:
        return str(french(text, self.locale))


class FrenchTypographyExtension(Extension):
    """Markdown extension: French typography on the converted HTML."""

    def __init__(self, **kwargs):
        self.config = {"locale": [DEFAULTS["TYPOGRAPHY_LOCALE"], "a French locale"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        # Priority 1: after raw HTML is put back (30) and & is restored (20).
        md.postprocessors.register(
            FrenchPostprocessor(md, self.getConfig("locale")), "french_typography", 1
        )


def makeExtension(**kwargs):  # noqa: N802 (Markdown loads extensions by this name)
    return FrenchTypographyExtension(**kwargs)


def validate_settings(settings) -> None:
    """Raise ValueError if TYPOGRAPHY_LOCALE is not French or content is not typeset."""
    locale = settings.get("TYPOGRAPHY_LOCALE", DEFAULTS["TYPOGRAPHY_LOCALE"])
    if locale not in LOCALES:
        raise ValueError(
            f"TYPOGRAPHY_LOCALE must be French, one of {', '.join(LOCALES)}, got {locale!r}"
        )
    extensions = settings.get("MARKDOWN", {}).get("extension_configs", {})
    if __name__ not in extensions:
        raise ValueError(
            f"MARKDOWN['extension_configs'] must include {__name__!r}: {{}} so that content "
            "is typeset as it is read"
        )


def check_settings(pelican):
    validate_settings(pelican.settings)


def add_filter(generator):
    locale = generator.settings.get("TYPOGRAPHY_LOCALE", DEFAULTS["TYPOGRAPHY_LOCALE"])
    generator.env.filters["typo"] = partial(french, locale=locale)
    generator.env.filters["typo_text"] = partial(french_text, locale=locale)


def register():
    # The locale is checked once, before anything is read.
    signals.initialized.connect(check_settings)
    # Each generator has its own Jinja environment: give each the filters.
    signals.generator_init.connect(add_filter)
