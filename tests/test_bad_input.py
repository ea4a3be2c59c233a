"""Broken content and settings: each stops the build with a message naming the culprit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import good_faq


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
        "3 problems in the questions",
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
        "content/faq/one.md:11: {{ hourly_rate }}: needs HOURLY_RATE",
        "{{ by_the_hour }}",
    )


def test_unknown_placeholder_names_file_and_token(tiny_site):
    tiny_site.write(
        "content/faq/one.md", good_faq() + "\nPrix : {{ day_rat }} et {{ price_table }}.\n"
    )
    assert_fails(
        tiny_site.build(),
        "content/faq/one.md:11: {{ day_rat }}: unknown placeholder",
        "{{ day_rate }}",
    )


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("DAY_RATE = '300'", ["DAY_RATE: expected a number of euros", "got '300'"]),
        ("del DAY_RATE", ["DAY_RATE: missing from the settings"]),
        ("PRICING_DAYS_PER_WEEK = [1, 8]", ["PRICING_DAYS_PER_WEEK: expected whole numbers"]),
        ("VAT_REGIME = 'HT'", ["VAT_REGIME: expected 'charged'", "got 'HT'"]),
        ("DEFAULT_LANG = 'de'", ["DEFAULT_LANG: expected 'fr'", "got 'de'"]),
        ("HOURLY_RATE = float('nan')", ["HOURLY_RATE: expected a finite number", "got nan"]),
        ("DAY_RATE = 10**30", ["DAY_RATE: expected a number of euros greater than 0 and up to"]),
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
    # A page writes an HTML file: anything else is refused by its front matter.
    refused = [
        *GENERATED,
        "favicon.ico",
        "theme/css/main.css",
        ".manifest.sha256",
        "contact.html.gz",
        "",
    ]
    for n, save_as in enumerate(refused):
        tiny_site.write(f"content/pages/piege-{n}.md", hidden_page(f"{n}", repr(save_as)))
    tiny_site.write("content/pages/style.md", hidden_page("style", "theme/css/index.html"))
    tiny_site.write("content/pages/un.md", hidden_page("un", "double.html"))
    tiny_site.write("content/pages/deux.md", hidden_page("deux", "double.html"))
    tiny_site.write("content/faq/one.md", good_faq())
    result = tiny_site.build()
    assert_fails(
        result,
        *(
            f"content/pages/piege-{n}.md:6: save_as: expected the path of an HTML file inside "
            f"the site, such as 'contact.html', got {save_as!r}"
            for n, save_as in enumerate(refused)
        ),
    )
    # Once each page writes an HTML file of its own, a clash is named too.
    for n in range(len(refused)):
        (tiny_site.root / f"content/pages/piege-{n}.md").unlink()
    assert_fails(
        tiny_site.build(),
        "content/pages/style.md: writes theme/css/index.html, inside the theme's folder",
        "content/pages/deux.md, content/pages/un.md: all write double.html",
    )


def test_each_problem_is_said_once(tiny_site):
    tiny_site.write("content/faq/broken.md", "---\ntitle: a\nposition: 1\nanchor: b: c\n---\n")
    result = tiny_site.build()
    assert_fails(result, "content/faq/broken.md:4:")
    assert (result.stdout + result.stderr).count("content/faq/broken.md:4:") == 1


@pytest.mark.parametrize("where", ["faq", "pages"])
def test_an_unknown_status_is_refused(tiny_site, where):
    if where == "faq":
        text = good_faq().replace("reviewed: 2026-11-26", "reviewed: 2026-11-26\nstatus: brouillon")
    else:
        text = (
            "---\ntitle: Titre\nsummary: Résumé.\nreviewed: 2026-11-26\nstatus: brouillon\n"
            "---\n\nTexte.\n"
        )
    tiny_site.write(f"content/{where}/one.md", text)
    if where == "pages":
        tiny_site.write("content/faq/two.md", good_faq(2, "deux"))
    line = text.split("\n").index("status: brouillon") + 1
    assert_fails(
        tiny_site.build(),
        f"content/{where}/one.md:{line}: status: expected one of published, hidden, draft, "
        "got 'brouillon'",
    )


def test_a_field_written_twice_is_refused(tiny_site):
    tiny_site.write(
        "content/faq/one.md", good_faq().replace("position: 1", "position: 1\ntitle: Autre ?")
    )
    assert_fails(tiny_site.build(), "content/faq/one.md:4: ", "title: set twice")


def test_a_question_of_front_matter_only_is_refused(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq().replace("La réponse.\n", ""))
    assert_fails(tiny_site.build(), "content/faq/one.md:8: the answer is empty")


@pytest.mark.parametrize(
    ("bad", "got"), [("title: 123", "got 123"), ("title: [a, b]", "got ['a', 'b']")]
)
def test_a_title_that_is_not_text_is_refused(tiny_site, bad, got):
    tiny_site.write("content/faq/one.md", good_faq().replace("title: Une question ?", bad))
    assert_fails(tiny_site.build(), "content/faq/one.md:2: title: expected the question", got)


def test_a_page_without_title_names_the_file_and_the_field(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq())
    tiny_site.write(
        "content/pages/sans-titre.md", "---\nsummary: Oui.\nreviewed: 2026-11-26\n---\n\nTexte.\n"
    )
    result = tiny_site.build()
    assert_fails(result, "content/pages/sans-titre.md:1: title: missing; expected")
    assert "Skipping" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("data", "line", "byte"),
    [
        (
            good_faq()
            .replace("La réponse.", "La r\udce9ponse.")
            .encode("utf-8", "surrogateescape"),
            9,
            "0xe9",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "0x89"),
    ],
)
def test_a_file_that_is_not_utf8_names_the_file_and_line(tiny_site, data, line, byte):
    path = tiny_site.write("content/faq/one.md", "")
    path.write_bytes(data)
    assert_fails(tiny_site.build(), f"content/faq/one.md:{line}: not UTF-8 text (byte {byte})")


def test_an_unclosed_quote_is_reported_where_it_opens(tiny_site):
    tiny_site.write(
        "content/faq/one.md", good_faq().replace("title: Une question ?", 'title: "Une question ?')
    )
    assert_fails(
        tiny_site.build(), "content/faq/one.md:2: front matter is not valid YAML:", "never closed"
    )


def test_a_yaml_alias_bomb_is_refused_at_once(tiny_site):
    levels = ["a: &a [" + ", ".join(['"lol"'] * 9) + "]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb = "\n".join(levels)
    assert len(bomb) < 1500
    # Nine to the ninth strings in the summary, if it were expanded.
    text = good_faq().replace("summary: La réponse en bref.", "summary: *i")
    text = text.replace("reviewed: 2026-11-26", "reviewed: 2026-11-26\n" + bomb)
    tiny_site.write("content/faq/one.md", text)
    result = tiny_site.build()
    assert_fails(result, "content/faq/one.md:5: front matter uses a YAML alias")


def test_problems_of_unreadable_and_readable_questions_are_reported_together(tiny_site):
    tiny_site.write(
        "content/faq/a.md", good_faq(1, "a").replace("title: Une question ?", "title: 123")
    )
    tiny_site.write("content/faq/b.md", good_faq(2, "b").replace("position: 2", "position: deux"))
    assert_fails(
        tiny_site.build(),
        "2 problems in the questions",
        "content/faq/a.md:2: title",
        "content/faq/b.md:3: position",
    )


def test_a_template_syntax_error_names_the_template_and_line(tiny_site):
    import shutil

    from support import REPO

    shutil.copytree(REPO / "theme", tiny_site.root / "theme")
    page = tiny_site.root / "theme" / "templates" / "page.html"
    lines = page.read_text().split("\n")
    number = next(n for n, line in enumerate(lines, 1) if "{% block content %}" in line)
    page.write_text(page.read_text().replace("{% block content %}", "{% block content }"))
    tiny_site.write("content/faq/one.md", good_faq())
    assert_fails(
        tiny_site.build("THEME = 'theme'\n"),
        f"theme/templates/page.html:{number}: TemplateSyntaxError",
    )
