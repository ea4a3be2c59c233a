"""w3m: the home page reads in order, with all its text, in a text browser."""

from __future__ import annotations

import re
import subprocess

import pytest
from servers import require

pytestmark = pytest.mark.content


def dump(url: str) -> str:
    require("w3m")
    result = subprocess.run(
        ["w3m", "-dump", "-cols", "100", "-O", "UTF-8", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    # One line per paragraph, plain spaces: compare words, not layout.
    return re.sub(r"[\s\u00a0\u202f]+", " ", result.stdout)


def words(html_text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", html_text).strip()


def test_home_page_reads_in_order_with_all_its_text(site, served):
    text = dump(f"{served.url}/")
    soup = site.soup()
    order = [
        "Aller au contenu",
        "Accueil",
        "Contact",
        words(soup.h1.get_text()),
        words(soup.select_one(".intro p").get_text())[:60],
        "Sommaire",
        *(words(a.get_text()) for a in soup.select("nav.toc a")),
    ]
    for section in soup.select("section.faq-entry"):
        order.append(words(section.h2.get_text()))
        for block in section.select("p, li, td"):
            order.append(words(block.get_text()))
    order += ["Mentions légales", "Confidentialité"]
    position = 0
    for expected in order:
        found = text.find(expected, position)
        assert found >= 0, f"missing or out of order: {expected!r}"
        position = found + len(expected)


def test_the_skip_link_comes_first(served):
    assert dump(f"{served.url}/").lstrip().startswith("Aller au contenu")
