"""Serving a built site on 127.0.0.1 to real browsers, and what they all check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from servers import StaticServer, require
from support import REPO

__all__ = ["StaticServer"]

from artwork import CHROMIUM_FLAGS

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["index.html", "contact.html", "mentions-legales.html", "confidentialite.html", "404.html"]
# The page that shows the questions and the prices: what the author edits most.
CONTENT_PAGES = ["index.html"]

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# The project's Chromium flags for Playwright, which adds its own headless mode.
PLAYWRIGHT_CHROMIUM_ARGS = [flag for flag in CHROMIUM_FLAGS if flag != "--headless"]

# axe.run with the WCAG 2.1 A and AA rules: a promise of the violations.
AXE_VIOLATIONS = (
    f"axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG_TAGS}}}}})"
    ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.map(n => n.target.join(' '))})))"
)
AXE_RUN = f"return {AXE_VIOLATIONS};"
# The same for an asynchronous WebDriver script, which calls back when done.
AXE_RUN_ASYNC = f"const done = arguments[arguments.length - 1]; {AXE_VIOLATIONS}.then(done);"

# How far a link left an element from the top of the viewport: 0 when it is
# there, or when the page is scrolled to its end with the element in view (a
# short last answer cannot reach the top); and how far the page scrolled.
TOP_OF = (
    "const top = document.getElementById(arguments[0]).getBoundingClientRect().top;"
    "const root = document.documentElement;"
    "const atEnd = Math.ceil(window.scrollY + window.innerHeight) >= root.scrollHeight - 1;"
    "return atEnd && top >= 0 && top < window.innerHeight ? 0 : Math.round(top);"
)
SCROLL_Y = "return Math.round(window.scrollY);"


def pages_marked() -> list:
    """PAGES for parametrize, the content pages marked `content`."""
    return [
        pytest.param(name, marks=pytest.mark.content) if name in CONTENT_PAGES else name
        for name in PAGES
    ]


def png_colour_count(path: Path, rows: int = 300) -> int:
    """How many distinct colours the top `rows` rows of a picture hold (1 = blank)."""
    from PIL import Image

    with Image.open(path) as picture:
        top = picture.convert("RGB").crop((0, 0, picture.width, min(rows, picture.height)))
        return len(top.getcolors(maxcolors=top.width * top.height) or ())


def hex_to_rgb(colour: str) -> str:
    """'#c2410c' -> 'rgb(194, 65, 12)', as getComputedStyle writes it."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def stylesheet_colours(scheme: str) -> dict[str, str]:
    """The stylesheet's colour custom properties in a colour scheme, as computed rgb()."""
    css = (REPO / "theme" / "static" / "css" / "main.css").read_text(encoding="utf-8")
    declaration = re.compile(r"(--color-[\w-]+):\s*(#[0-9a-fA-F]{6})\s*;")
    light = css[: css.index("@media (prefers-color-scheme: dark)")]
    dark = css[css.index("@media (prefers-color-scheme: dark)") :]
    dark = dark[: dark.index("}\n}") + 1]
    colours = dict(declaration.findall(light))
    if scheme == "dark":
        colours.update(declaration.findall(dark))
    return {name: hex_to_rgb(value) for name, value in colours.items()}


def axe_source() -> str:
    require(str(AXE_JS))
    return AXE_JS.read_text(encoding="utf-8")


def format_violations(violations) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'][:3])}" for v in violations
    )
