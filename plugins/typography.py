"""French typography for rendered text, as a Jinja filter.

The theme passes every piece of text that comes from content (titles,
summaries, answers) through the `typo` filter (HTML) or `typo_text` (plain
text, for `<title>` and attributes), which apply polytypo's French
rules: « » with no-break spaces inside, a narrow no-break space before ; ! ?,
a no-break space before : and between a number and € or %, and the
typographic apostrophe; and a no-break space before a spaced dash. Tags, attributes, code and URLs are left untouched.

The filter is added to each generator's Jinja environment at `generator_init`;
a template that uses it without the plugin fails to build.
"""

from __future__ import annotations

import logging
import re
from functools import partial

from markupsafe import Markup
from pelican import signals
from polytypo import html as polytypo_html
from polytypo import text as polytypo_text

logger = logging.getLogger(__name__)

DEFAULTS = {
    "TYPOGRAPHY_LOCALE": "fr",
}


TAG_RE = re.compile(r"(<[^>]*>)")
VERBATIM_RE = re.compile(r"<(/?)(code|pre|kbd|samp|script|style)\b", re.IGNORECASE)
# An en or em dash between words: a no-break space before it keeps it off the
# start of a line ("A – B" never breaks as "A" / "– B").
DASH_RE = re.compile(r" ([–—]) ")


def dash_spacing(html: str) -> str:
    """Put a no-break space before a spaced dash, in text only (not tags, not code)."""
    parts = TAG_RE.split(html)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            match = VERBATIM_RE.match(part)
            if match:
                depth = max(depth + (-1 if match.group(1) else 1), 0)
        elif depth == 0 and " " in part:
            parts[index] = DASH_RE.sub("\u00a0\\1 ", part)
    return "".join(parts)


def french(html: str, locale: str = DEFAULTS["TYPOGRAPHY_LOCALE"]) -> Markup:
    """Return `html` with French typography applied to its text."""
    return Markup(dash_spacing(polytypo_html.transform(str(html), locale=locale)))


def french_text(text: str, locale: str = DEFAULTS["TYPOGRAPHY_LOCALE"]) -> str:
    """Return plain `text` (a title or an attribute value) with French typography.

    The result is a plain string, so the template still escapes it.
    """
    return DASH_RE.sub("\u00a0\\1 ", polytypo_text.transform(str(text), locale=locale))


def validate_settings(settings) -> None:
    """Raise ValueError if TYPOGRAPHY_LOCALE is not a locale name."""
    locale = settings.get("TYPOGRAPHY_LOCALE", DEFAULTS["TYPOGRAPHY_LOCALE"])
    try:
        polytypo_text.transform("", locale=locale)
    except Exception as error:
        raise ValueError(
            f"TYPOGRAPHY_LOCALE must be a locale polytypo knows, such as 'fr', "
            f"got {locale!r} ({error})"
        ) from error


def check_settings(pelican):
    validate_settings(pelican.settings)


def add_filter(generator):
    locale = generator.settings.get("TYPOGRAPHY_LOCALE", DEFAULTS["TYPOGRAPHY_LOCALE"])
    generator.env.filters["typo"] = partial(french, locale=locale)
    generator.env.filters["typo_text"] = partial(french_text, locale=locale)


def register():
    # The locale is checked once, before anything is read.
    signals.initialized.connect(check_settings)
    # Each generator has its own Jinja environment: give each the filter.
    signals.generator_init.connect(add_filter)
