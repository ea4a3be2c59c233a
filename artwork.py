"""The PNG and ICO twins of the site's SVG images, rendered with headless Chromium."""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from project import CONTENT, IMAGES

FAVICON_ICO = CONTENT / "extra" / "favicon.ico"
# PNG twins of the SVG images: (source, PNG, width, height).
PNG_RENDERS = [
    ("cimw-card.svg", "cimw-card.png", 1200, 630),
    ("favicon.svg", "apple-touch-icon.png", 180, 180),
]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class RenderError(Exception):
    """An image could not be rendered; the message says why."""


def render_png(svg: Path, png: Path, width: int, height: int) -> None:
    """Render an SVG to a PNG of the given size with headless Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise RenderError("chromium is needed to render images: apt-get install chromium")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "render.html"
        page.write_text(
            "<!DOCTYPE html><html><head><style>html,body{margin:0;background:transparent}"
            f"img{{display:block;width:{width}px;height:{height}px}}</style></head>"
            f'<body><img src="{svg.resolve().as_uri()}" alt=""></body></html>',
            encoding="utf-8",
        )
        subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={scratch}/profile",
                "--default-background-color=00000000",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )


def ico_from_png(png: bytes) -> bytes:
    """Wrap one PNG image in an ICO file (PNG-in-ICO, read by every current browser)."""
    width, height = struct.unpack(">II", png[16:24])
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


def render_images() -> list[Path]:
    """Render every PNG twin and favicon.ico; return the files written."""
    written = []
    for source, target, width, height in PNG_RENDERS:
        render_png(IMAGES / source, IMAGES / target, width, height)
        written.append(IMAGES / target)
    with tempfile.TemporaryDirectory() as scratch:
        small = Path(scratch) / "favicon-32.png"
        render_png(IMAGES / "favicon.svg", small, 32, 32)
        FAVICON_ICO.parent.mkdir(parents=True, exist_ok=True)
        FAVICON_ICO.write_bytes(ico_from_png(small.read_bytes()))
    written.append(FAVICON_ICO)
    return written
