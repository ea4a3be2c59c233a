"""Broken content and settings: each stops the build with a message naming the culprit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import good_faq


def assert_fails(result, *words):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"


def test_a_good_tiny_site_builds(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq())
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr
    assert "Une question" in (tiny_site.root / "output/index.html").read_text()


def test_malformed_yaml_names_file_and_line(tiny_site):
    tiny_site.write(
        "content/faq/broken.md",
        """\
        ---
        title: Une question ?
        position: 1
        anchor: [une-question
        summary: La réponse.
        reviewed: 2026-11-26
        ---

        Texte.
        """,
    )
    assert_fails(tiny_site.build(), "content/faq/broken.md:", "front matter is not valid YAML")


def test_malformed_yaml_line_number_is_the_file_line(tiny_site):
    tiny_site.write("content/faq/broken.md", "---\ntitle: a\nposition: 1\nanchor: b: c\n---\n")
    assert_fails(tiny_site.build(), "content/faq/broken.md:4:")


def test_missing_front_matter(tiny_site):
    tiny_site.write("content/faq/bare.md", "Une question sans en-tête.\n")
    assert_fails(tiny_site.build(), "content/faq/bare.md:1: no YAML front matter")


def test_missing_field_names_file_field_and_expectation(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq().replace("summary: La réponse en bref.\n", ""))
    assert_fails(
        tiny_site.build(),
        "content/faq/one.md",
        "summary: missing",
        "expected a one- or two-sentence answer",
    )


@pytest.mark.parametrize(
    ("line", "bad", "words"),
    [
        ("position: 1", "position: premier", ["position: expected a whole number", "'premier'"]),
        ("position: 1", "position: 0", ["position: expected a whole number"]),
        (
            "anchor: une-question",
            "anchor: Une Question",
            ["anchor: expected a slug", "'Une Question'"],
        ),
        ("anchor: une-question", "anchor: une_question", ["anchor: expected a slug"]),
        (
            "reviewed: 2026-11-26",
            "reviewed: 26/11/2026",
            ["reviewed: expected the date", "YYYY-MM-DD"],
        ),
        ("title: Une question ?", "title: ''", ["title: expected the question"]),
        ("reviewed: 2026-11-26", "reviewed: 2026-11-26\npositon: 2", ["positon: unknown field"]),
    ],
)
def test_wrongly_typed_field(tiny_site, line, bad, words):
    path = tiny_site.write("content/faq/one.md", good_faq().replace(line, bad))
    assert bad in path.read_text()
    assert_fails(tiny_site.build(), "content/faq/one.md:", *words)


def test_field_problem_points_at_its_line(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq().replace("position: 1", "position: -3"))
    assert_fails(tiny_site.build(), "content/faq/one.md:3: position")


def test_duplicate_position_and_anchor(tiny_site):
    tiny_site.write("content/faq/a.md", good_faq(1, "meme-ancre"))
    tiny_site.write("content/faq/b.md", good_faq(1, "meme-ancre"))
    assert_fails(
        tiny_site.build(),
        "position: 1 is also used by",
        "anchor: 'meme-ancre' is also used by",
        "content/faq/a.md",
        "content/faq/b.md",
    )


def test_every_problem_is_reported_in_one_run(tiny_site):
    tiny_site.write(
        "content/faq/a.md", good_faq(1, "a").replace("summary: La réponse en bref.\n", "")
    )
    tiny_site.write("content/faq/b.md", good_faq(2, "B B"))
    tiny_site.write(
        "content/faq/c.md", good_faq(3, "c").replace("reviewed: 2026-11-26", "reviewed: hier")
    )
    result = tiny_site.build()
    assert_fails(
        result,
        "3 problems in FAQ front matter",
        "content/faq/a.md:1: summary",
        "content/faq/b.md:4: anchor",
        "content/faq/c.md:6: reviewed",
    )


def test_page_without_summary(tiny_site):
    tiny_site.write("content/pages/contact.md", "---\ntitle: Contact\n---\n\nTexte.\n")
    assert_fails(tiny_site.build(), "content/pages/contact.md:1: summary: missing")


def test_an_hourly_rate_placeholder_without_the_setting_names_it(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq() + "\nDépannage : {{ hourly_rate }}.\n")
    assert_fails(
        tiny_site.build("HOURLY_RATE = None\n"),
        "content/faq/one.md: {{ hourly_rate }} needs HOURLY_RATE",
        "{{ by_the_hour }}",
    )


def test_unknown_placeholder_names_file_and_token(tiny_site):
    tiny_site.write(
        "content/faq/one.md", good_faq() + "\nPrix : {{ day_rat }} et {{ price_table }}.\n"
    )
    assert_fails(tiny_site.build(), "content/faq/one.md: unknown placeholder {{ day_rat }}")


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("DAY_RATE = '300'", ["DAY_RATE must be a number", "'300'"]),
        ("DAY_RATE = 0", ["DAY_RATE must be a number of euros greater than zero, got 0"]),
        ("DAY_RATE = -300", ["DAY_RATE must be", "got -300"]),
        ("DAY_RATE = None", ["DAY_RATE must be", "got None"]),
        ("del DAY_RATE", ["DAY_RATE is missing"]),
        ("PRICING_HOURS_PER_DAY = 0", ["PRICING_HOURS_PER_DAY must be"]),
        ("PRICING_DAYS_PER_WEEK = [1, 8]", ["PRICING_DAYS_PER_WEEK must be"]),
        ("VAT_REGIME = 'HT'", ["VAT_REGIME must be 'charged'", "'HT'"]),
        ("VAT_REGIME = 'charged'", ["VAT_REGIME = 'charged' needs VAT_RATE"]),
        ("HOURLY_RATE = 'auto'", ["HOURLY_RATE must be None", "'auto'"]),
        ("PRICING_BILLABLE_DAYS_PER_YEAR = 0", ["PRICING_BILLABLE_DAYS_PER_YEAR must be"]),
        ("SECURITY_TXT_LANGUAGES = 'fr, en'", ["SECURITY_TXT_LANGUAGES must be a list"]),
        ("PRIVACY_TRANSFERS = ['États-Unis']", ["PRIVACY_TRANSFERS must be ()"]),
        ("DEFAULT_LANG = 'de'", ["DEFAULT_LANG is 'de'", "French rules only"]),
    ],
)
def test_bad_setting_names_the_setting(tiny_site, setting, words):
    tiny_site.write("content/faq/one.md", good_faq())
    result = tiny_site.build(setting + "\n")
    assert_fails(result, *words)
    assert not (tiny_site.root / "output" / "index.html").exists()


def test_a_plugin_that_fails_to_import_fails_the_build(tiny_site):
    result = tiny_site.build("PLUGINS = PLUGINS + ['no_such_plugin']\n")
    assert_fails(result, "no_such_plugin")


def test_symlinks_out_of_the_sources_stop_the_build(tiny_site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "page.md").write_text("---\ntitle: Dehors\n---\n\nDehors.\n")
    (outside / "folder").mkdir()
    (outside / "folder" / "secret.txt").write_text("secret\n")
    extra = tiny_site.root / "content" / "extra"
    extra.mkdir(parents=True)
    (extra / "notes.txt").symlink_to("/etc/passwd")
    (extra / "more").symlink_to(outside / "folder")
    (extra / "gone.txt").symlink_to(tiny_site.root / "nothing-here")
    (tiny_site.root / "content" / "pages" / "dehors.md").symlink_to(outside / "page.md")
    # A link that stays inside the content is fine.
    (extra / "copy.txt").write_text("texte\n")
    (extra / "same.txt").symlink_to("copy.txt")
    result = tiny_site.build()
    assert_fails(
        result,
        "4 symlinks point outside the site's sources",
        "content/extra/notes.txt -> /etc/passwd",
        f"content/extra/more -> {outside / 'folder'}",
        "content/extra/gone.txt",
        "points to nothing",
        f"content/pages/dehors.md -> {outside / 'page.md'}",
    )
    assert "same.txt" not in result.stdout + result.stderr
    assert not (tiny_site.root / "output" / "extra" / "notes.txt").exists()


def test_pelicans_own_command_refuses_too(tiny_site):
    (tiny_site.root / "content" / "extra").mkdir(parents=True)
    (tiny_site.root / "content" / "extra" / "notes.txt").symlink_to("/etc/passwd")
    tiny_site.build()  # writes settings.py
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "-s", "settings.py"],
        cwd=tiny_site.root,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
    )
    assert_fails(result, "content/extra/notes.txt -> /etc/passwd")


GENERATED = [".htaccess", "version.txt", "robots.txt", "sitemap.xml", ".well-known/security.txt"]


def hidden_page(name: str, save_as: str) -> str:
    return (
        f"---\ntitle: Piège {name}\nsummary: Un piège.\nreviewed: 2026-01-01\nstatus: hidden\n"
        f"save_as: {save_as}\n---\n\nDu texte.\n"
    )


def test_content_written_over_generated_files_stops_the_build(tiny_site):
    claims = {
        **{f"piege-{n}.md": path for n, path in enumerate(GENERATED)},
        "icone.md": "favicon.ico",
        "style.md": "theme/css/main.css",
        "cache.md": ".manifest.sha256",
        "jumeau.md": "contact.html.gz",
        "un.md": "double.html",
        "deux.md": "double.html",
    }
    for name, save_as in claims.items():
        tiny_site.write(f"content/pages/{name}", hidden_page(name, save_as))
    tiny_site.write("content/extra/favicon.ico", "icône")
    result = tiny_site.build()
    assert_fails(
        result,
        *(
            f"content/pages/piege-{n}.md: writes {p}, a file the site generates"
            for n, p in enumerate(GENERATED)
        ),
        "content/extra/favicon.ico, content/pages/icone.md: all write favicon.ico",
        "content/pages/style.md: writes theme/css/main.css, inside the theme's folder",
        "content/pages/cache.md: writes .manifest.sha256, a hidden file",
        "content/pages/jumeau.md: writes contact.html.gz, reserved for the compressed twins",
        "content/pages/deux.md, content/pages/un.md: all write double.html",
    )
