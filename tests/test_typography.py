"""French typography, on sentences that cover each rule."""

from __future__ import annotations

import pytest

from typography import french, french_text

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
        ("<h1>L'assistance technique – la maîtrise</h1>",
         f"<h1>L’assistance technique{NBSP}– la maîtrise</h1>"),
    ],
)
def test_french_rules(before, after):
    assert french(before) == after


@pytest.mark.parametrize(
    "untouched",
    [
        "<code>a : b ; c ? 'd'</code>",
        "<pre>x = \"y\" ; z ?</pre>",
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
