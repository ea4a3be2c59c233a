"""Nothing of the live preview reaches a built site: it lives in the server's answers."""

from __future__ import annotations

from pathlib import Path

import pytest

import preview

# What the preview adds to the pages it serves.
# (The site's only script is its structured data, which is not a program.)
DEV_MARKS = ("data-preview-version", preview.RELOAD_SOCKET, "dev-findings", "dev-errors", "<dialog")


def preview_marks(output: Path) -> list[str]:
    """Each file of a built site that holds something of the preview, with what."""
    return [
        f"{path.relative_to(output)}: {mark}"
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.suffix in {".html", ".css", ".xml", ".txt", ".js"}
        for mark in DEV_MARKS
        if mark in path.read_text(encoding="utf-8", errors="replace")
    ]


def test_the_production_build_has_nothing_of_the_preview(release_build):
    assert preview_marks(release_build.output) == []
    assert not list(release_build.output.rglob("dev*"))


def test_the_development_build_has_nothing_of_the_preview(site):
    assert preview_marks(site.output) == []


def test_a_served_page_would_be_caught(tmp_path, site):
    served = tmp_path / "output"
    served.mkdir()
    state = preview.Preview(output=served, findings={"index.html": ("a.md:1: links: x",)})
    pages = preview.DevPages(state)
    (served / "index.html").write_bytes(pages.page(site.html().encode(), "index.html"))
    assert preview_marks(served) == [
        "index.html: data-preview-version",
        f"index.html: {preview.RELOAD_SOCKET}",
        "index.html: dev-findings",
        "index.html: dev-errors",
        "index.html: <dialog",
    ]


@pytest.mark.parametrize("name", ["dev-error.html", "dev-findings.html", "dev-head.html"])
def test_the_preview_templates_are_not_the_sites(name):
    # Pelican renders only the templates the settings and the content name.
    template = preview.THEME / "templates" / name
    assert template.is_file()
    others = [
        path
        for path in (preview.THEME / "templates").glob("*.html")
        if not path.name.startswith("dev-")
    ]
    assert all(name not in path.read_text(encoding="utf-8") for path in others)
