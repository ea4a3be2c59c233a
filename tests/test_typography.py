"""French typography: every rule of the table, its fixer and its check."""

from __future__ import annotations

import random

import markdown
import pytest

from cimw.typography import RULES, caps, fixer_rules, french, french_text, load_rules
from project import TYPOGRAPHY_TABLE
from sitecheck.typography import load_checks, typography_findings

NNBSP, NBSP = "\u202f", "\u00a0"
TABLE = load_rules(TYPOGRAPHY_TABLE)
CHECKS = load_checks(TYPOGRAPHY_TABLE)
EXAMPLES = [
    pytest.param(rule["name"], written, typeset, id=f"{rule['name']}-{index}")
    for rule in TABLE
    for index, (written, typeset) in enumerate(rule["examples"])
]


def test_every_rule_has_a_fix_a_check_and_an_example():
    for rule in TABLE:
        assert rule["fix"], rule["name"]
        assert rule["checks"], rule["name"]
        assert rule["examples"], rule["name"]
        assert rule.get("replace") is not None or rule.get("alternate"), rule["name"]
    assert [rule.name for rule in RULES] == [rule["name"] for rule in TABLE]


@pytest.mark.parametrize(("name", "written", "typeset"), EXAMPLES)
def test_the_fixer_typesets_each_example(name, written, typeset):
    assert french_text(written) == typeset, name
    assert french(f"<p>{written}</p>") == f"<p>{typeset}</p>"


@pytest.mark.parametrize(("name", "written", "typeset"), EXAMPLES)
def test_the_check_reports_each_example_as_written_and_passes_it_typeset(name, written, typeset):
    own = [check for check in CHECKS if check.rule == name]
    assert list(typography_findings(written, own)), f"{name}: {written!r} is not reported"
    assert list(typography_findings(typeset, CHECKS)) == []


@pytest.mark.parametrize(
    "untouched",
    [
        "<code>a : b ; c ? 'd'</code>",
        '<pre>x = "y" ; z ?</pre>',
        '<a href="https://exemple.fr/?a=1&amp;b=2" title="l\'a : b">lien</a>',
        "<pre>a – b</pre>",
        '<a title="a – b" href="#">x</a>',
        "<p>10:30, https://exemple.fr/a?b=1, contact@exemple.fr</p>",
    ],
)
def test_code_urls_and_attributes_stay_untouched(untouched):
    assert french(untouched) == untouched


def test_a_tag_whose_attribute_holds_a_greater_than_sign_stays_whole():
    html = '<p><abbr title="a > b">AB</abbr> dit "oui" ?</p>'
    assert french(html) == (f'<p><abbr title="a > b">AB</abbr> dit «{NBSP}oui{NBSP}»{NNBSP}?</p>')


def test_the_rules_see_the_text_on_both_sides_of_a_tag():
    assert french('<p>Il dit "<em>oui</em>" ?</p>') == (
        f"<p>Il dit «{NBSP}<em>oui</em>{NBSP}»{NNBSP}?</p>"
    )


def test_the_plugin_refuses_a_site_whose_content_is_not_typeset():
    from cimw.typography import validate_settings

    with pytest.raises(ValueError, match=r"cimw\.typography"):
        validate_settings({"DEFAULT_LANG": "fr", "MARKDOWN": {}})
    validate_settings({"MARKDOWN": {"extension_configs": {"cimw.typography": {}}}})


# -- polytypo, the reference of the rules it shares ---------------------------

# The rules polytypo does not apply are checked by their examples above.
BEYOND_POLYTYPO = fixer_rules([rule for rule in TABLE if not rule["polytypo"]])


def reference(kind: str, text: str) -> str:
    """polytypo's French typesetting, then the table's rules polytypo leaves out."""
    from polytypo import html as polytypo_html
    from polytypo import text as polytypo_text

    if kind == "html":
        return str(french(polytypo_html.transform(text, locale="fr"), BEYOND_POLYTYPO))
    return french_text(polytypo_text.transform(text, locale="fr"), BEYOND_POLYTYPO)


def test_the_site_text_is_typeset_as_polytypo_does(tmp_path, monkeypatch):
    from support import build_real_site

    from cimw import typography

    seen = set()
    html_filter, text_filter = typography.french, typography.french_text

    def record_html(html, *args, **kwargs):
        seen.add(("html", str(html)))
        return html_filter(html, *args, **kwargs)

    def record_text(text):
        seen.add(("text", str(text)))
        return text_filter(text)

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
        .replace("{{ by_the_hour }}", "à l'heure")
        .replace("<p>{{ price_table }}</p>", "<table><tr><td>1 300 €</td></tr></table>")
    )


def test_placeholders_pass_through_untouched():
    html = "<p>de {{ day_rate }} hors taxes ({{ hourly_rate }})</p>\n<p>{{ price_table }}</p>"
    assert str(french(html)) == html


@pytest.mark.parametrize("seed", range(20))
def test_synthetic_french_is_typeset_as_polytypo_does(seed):
    from benchmarks.synthetic import body

    html = with_amounts(markdown.markdown(body(random.Random(seed), 1, 10, "##")))
    html += '<p>Il a dit "bonjour" ... puis "au revoir" !</p>'
    assert str(french(html)) == reference("html", html)


@pytest.mark.parametrize(
    ("html", "marked"),
    [
        (
            "<p>La CNIL et le RGPD</p>",
            '<p>La <span class="caps">CNIL</span> et le <span class="caps">RGPD</span></p>',
        ),
        (
            "<p>Le W3C et la TVA.</p>",
            '<p>Le <span class="caps">W3C</span> et la <span class="caps">TVA</span>.</p>',
        ),
        ("<p>Éric et ÉTÉ</p>", '<p>Éric et <span class="caps">ÉTÉ</span></p>'),
        # Left alone: code, attributes, what is marked already, a single capital.
        ("<p><code>HTML</code></p>", "<p><code>HTML</code></p>"),
        ('<p><a title="TVA">x</a> A</p>', '<p><a title="TVA">x</a> A</p>'),
        ('<p><span class="caps">RGS</span></p>', '<p><span class="caps">RGS</span></p>'),
    ],
)
def test_acronyms_are_marked_for_their_letter_spacing(html, marked):
    assert caps(html) == marked
