"""French typography, on sentences that cover each rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cimw.typography import french, french_text

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('<p>Il a dit "bonjour".</p>', f"<p>Il a dit «{NBSP}bonjour{NBSP}».</p>"),
        ("<p>Vraiment ?</p>", f"<p>Vraiment{NNBSP}?</p>"),
        ("<p>Vraiment?</p>", f"<p>Vraiment{NNBSP}?</p>"),
        ("<p>Attention !</p>", f"<p>Attention{NNBSP}!</p>"),
        ("<p>un ; deux</p>", f"<p>un{NNBSP}; deux</p>"),
        ("<p>Note : ceci</p>", f"<p>Note{NBSP}: ceci</p>"),
        ("<p>300 €</p>", f"<p>300{NBSP}€</p>"),
        ("<p>20 %</p>", f"<p>20{NBSP}%</p>"),
        ("<p>l'assistance</p>", "<p>l’assistance</p>"),
        (
            "<h1>L'assistance technique – la maîtrise</h1>",
            f"<h1>L’assistance technique{NBSP}– la maîtrise</h1>",
        ),
    ],
)
def test_french_rules(before, after):
    assert french(before) == after


@pytest.mark.parametrize(
    "untouched",
    [
        "<code>a : b ; c ? 'd'</code>",
        '<pre>x = "y" ; z ?</pre>',
        '<a href="https://exemple.fr/?a=1&amp;b=2" title="l\'a : b">lien</a>',
        "<pre>a – b</pre>",
        '<a title="a – b" href="#">x</a>',
    ],
)
def test_code_urls_and_attributes_stay_untouched(untouched):
    assert french(untouched) == untouched


def test_plain_text_for_titles_and_attributes():
    assert french_text("Combien ça coûte ?") == f"Combien ça coûte{NNBSP}?"
    assert french_text("CIMW – Accueil") == f"CIMW{NBSP}– Accueil"
    assert french_text("l'œuvre") == "l’œuvre"


# -- polytypo, the reference ---------------------------------------------------


def reference(kind: str, text: str) -> str:
    """polytypo's French typesetting, plus the dash rule polytypo leaves out."""
    from polytypo import html as polytypo_html
    from polytypo import text as polytypo_text

    typeset = (polytypo_html if kind == "html" else polytypo_text).transform(text, locale="fr")
    return re.sub(r" ([–—]) ", NBSP + r"\1 ", typeset)


def test_the_site_text_is_typeset_as_polytypo_does(tmp_path, monkeypatch):
    from conftest import build_real_site

    from cimw import typography

    seen = set()
    html_filter, text_filter = typography.french, typography.french_text

    def record_html(html, locale="fr"):
        seen.add(("html", str(html)))
        return html_filter(html, locale)

    def record_text(text, locale="fr"):
        seen.add(("text", str(text)))
        return text_filter(text, locale)

    monkeypatch.setattr(typography, "french", record_html)
    monkeypatch.setattr(typography, "french_text", record_text)
    build_real_site(tmp_path)
    assert len(seen) > 30  # every title, summary, answer and page text
    for kind, source in sorted(seen):
        # Content is typeset before its price placeholders are filled; polytypo
        # would squeeze the spaces inside {{ }}, so compare with amounts in place.
        source = with_amounts(source)
        ours = str(html_filter(source) if kind == "html" else text_filter(source))
        assert ours == reference(kind, source), source[:200]


def with_amounts(text: str) -> str:
    return (
        text.replace("{{ day_rate }}", "300 €")
        .replace("{{ hourly_rate }}", "43 €")
        .replace("<p>{{ price_table }}</p>", "<table><tr><td>1 300 €</td></tr></table>")
    )


def test_placeholders_pass_through_untouched():
    html = "<p>de {{ day_rate }} hors taxes ({{ hourly_rate }})</p>\n<p>{{ price_table }}</p>"
    assert str(french(html)) == html


@pytest.mark.parametrize("seed", range(20))
def test_synthetic_french_is_typeset_as_polytypo_does(seed):
    import random
    import sys

    import markdown

    sys.path.insert(0, str(Path(__file__).parent / "benchmarks"))
    from synthetic import body

    html = with_amounts(markdown.markdown(body(random.Random(seed), 1, 10, "##")))
    html += '<p>Il a dit "bonjour" ... puis "au revoir" !</p>'
    assert str(french(html)) == reference("html", html)
