"""Take the README's screenshots of the home page: desktop and mobile, in Debian's Chromium.

Run: uv run invoke screenshots. Writes tests/screenshots/desktop.png and mobile.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "benchmarks")]

from browsing import CHROMIUM, PLAYWRIGHT_CHROMIUM_ARGS, StaticServer  # noqa: E402
from sites import REPO, pelican_build  # noqa: E402

SHOTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 375, "height": 812}}


def main() -> int:
    from playwright.sync_api import sync_playwright

    folder = HERE / "screenshots"
    folder.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "output"
        pelican_build(
            REPO / "pelicanconf.py",
            {"OUTPUT_PATH": str(output), "CACHE_PATH": str(Path(scratch) / "cache")},
        )
        server = StaticServer(output, Path(scratch) / "server.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=PLAYWRIGHT_CHROMIUM_ARGS
                )
                for name, viewport in SHOTS.items():
                    page = browser.new_page(viewport=viewport)
                    page.goto(f"{server.url}/")
                    page.screenshot(path=str(folder / f"{name}.png"))
                    print(f"Wrote tests/screenshots/{name}.png ({viewport['width']} px wide)")
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
