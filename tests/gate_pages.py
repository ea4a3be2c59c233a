"""Pages for the gate's tests: a complete French page around a body, and the old page."""

from __future__ import annotations

from support import REPO

from sitecheck import Page

NNBSP, NBSP = "\u202f", "\u00a0"


def page(body: str, name: str = "index.html", head: str = "") -> Page:
    """A complete, valid French page around `body`."""
    return Page(
        name,
        (
            '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
            f'<title>Titre</title>\n<meta name="description" content="Une page.">\n{head}'
            f"</head>\n<body>\n<main>\n<h1>Titre</h1>\n{body}\n</main>\n</body>\n</html>\n"
        ),
    )


def old_page() -> Page:
    """The old hand-written page, as it was served: broken references included."""
    text = (REPO / "tests" / "fixtures" / "old-site.txt").read_text(encoding="utf-8")
    body = "\n".join(f"<p>{line.strip()}</p>" for line in text.splitlines() if line.strip())
    return Page("old.html", page(body).html)
