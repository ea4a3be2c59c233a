"""Serving a built site on 127.0.0.1 to real browsers, and what they all check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO
from servers import free_port, require, stop, wait_for_port

from artwork import CHROMIUM_FLAGS

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["index.html", "contact.html", "mentions-legales.html", "confidentialite.html", "404.html"]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# The project's Chromium flags for Playwright, which adds its own headless mode.
PLAYWRIGHT_CHROMIUM_ARGS = [flag for flag in CHROMIUM_FLAGS if flag != "--headless"]

# axe.run with the WCAG 2.1 A and AA rules: a promise of the violations.
AXE_VIOLATIONS = (
    "axe.run(document, {runOnly: {type: 'tag', values: %s}})"
    ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.map(n => n.target.join(' '))})))"
) % WCAG_TAGS
AXE_RUN = f"return {AXE_VIOLATIONS};"
# The same for an asynchronous WebDriver script, which calls back when done.
AXE_RUN_ASYNC = f"const done = arguments[arguments.length - 1]; {AXE_VIOLATIONS}.then(done);"

# Where an element's top is, relative to the viewport; and how far the page scrolled.
TOP_OF = "return Math.round(document.getElementById(arguments[0]).getBoundingClientRect().top);"
SCROLL_Y = "return Math.round(window.scrollY);"


class StaticServer:
    """`python -m http.server` on the built folder, stopped by its process id."""

    def __init__(self, folder: Path, log: Path):
        self.port = free_port()
        self.log = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        wait_for_port(self.port, self.process, log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process)


def png_colour_count(path: Path, rows: int = 300) -> int:
    """How many distinct byte values the first `rows` rows of a PNG decode to (1 = blank)."""
    import struct
    import zlib

    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width = struct.unpack(">I", data[16:20])[0]
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return len(set(pixels[: width * 4 * rows]))


def axe_source() -> str:
    require(str(AXE_JS))
    return AXE_JS.read_text(encoding="utf-8")


def format_violations(violations) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'][:3])}" for v in violations
    )
