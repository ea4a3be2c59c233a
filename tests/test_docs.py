"""The README and docs/ name only what the code has, document every setting, and render.

Each check reads every file of the documentation; each is also shown on a
small snippet that it must pass and one that it must refuse.
"""

from __future__ import annotations

import ast
import re
import shlex

import pytest
from blinker import Signal
from documents import (
    DOCUMENTS,
    assigned_names,
    cells,
    code_blocks,
    code_spans,
    commands,
    link_problems,
    names_in,
    relative,
    section,
    setting_names,
    string_constants,
    table_problems,
    table_rows,
    task_flags,
    upper_snake_names,
)
from pelican import signals
from support import REPO

import cimw
import project
from cimw import placeholders, pricing
from cimw.facts import THEME_IDS, FactsError, SiteSettings, parse_facts
from cimw.frontmatter import FrontMatterError, PageHeader, Question, read_front_matter
from sitecheck import RULES
from sitecheck.registry import FAST_RULES

SETTINGS_DOC = REPO / "docs" / "settings.md"
CONTENT_DOC = REPO / "docs" / "content.md"
PUBLISHING_DOC = REPO / "docs" / "publishing.md"
CONF_NAMES = assigned_names(REPO / "pelicanconf.py") | assigned_names(REPO / "publishconf.py")
# What the deploy reads from the production settings and the environment.
DEPLOY_NAMES = string_constants(REPO / "deploy" / "config.py")
SETTING_NAMES = set(SiteSettings.model_fields) | CONF_NAMES | DEPLOY_NAMES
# UPPER_SNAKE names the docs write that are not settings, and the file that defines each.
OTHER_NAMES = {
    "OPTIONS_OFF": "sitecheck/grammar.py",
    "RULES_OFF": "sitecheck/grammar.py",
    "CHROME_PATH": "tests/benchmarks/lighthouse.py",
    "RULES": "sitecheck/registry.py",
    "PIPELINE": "plugins/cimw/__init__.py",
}
# Upper-case words the docs write in code that are neither: an argument to
# replace (`--path DIR`, `NN-anchor.md`, `BASE/www`), an acronym or a name.
WORDS = {"DIR", "FILE", "ID", "NN", "BASE", "CIMW", "RGPD", "FR"}
# Flags of other programs the docs show in passing, and the program.
OTHER_FLAGS = {"--check": "ruff format", "--bwlimit": "rsync", "--global": "git config"}
DOCUMENT_IDS = [relative(path) for path in DOCUMENTS]


def texts():
    return [(relative(path), path.read_text(encoding="utf-8")) for path in DOCUMENTS]


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_command_names_a_task_and_its_flags(path):
    flags = task_flags()
    for arguments in commands(path.read_text(encoding="utf-8")):
        task, *rest = arguments
        assert task in flags, f"{relative(path)} runs {shlex.join(arguments)}: no task {task}"
        for word in rest:
            if word.startswith("--") and word != "--help":
                assert word.split("=")[0] in flags[task], (
                    f"{relative(path)}: {shlex.join(arguments)}"
                )


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_flag_named_alone_is_a_flag_of_a_task(path):
    every_flag = {"--help", *set().union(*task_flags().values())}
    for span in code_spans(path.read_text(encoding="utf-8")):
        flag = span.split()[0].split("=")[0]
        if flag.startswith("--") and flag != "---":
            assert flag in every_flag or flag in OTHER_FLAGS, f"{relative(path)}: `{span}`"


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_setting_named_exists(path):
    """A setting in the facts model, in pelicanconf.py or publishconf.py, or read by the deploy."""
    named = setting_names(path.read_text(encoding="utf-8"))
    unknown = named - SETTING_NAMES - set(OTHER_NAMES) - WORDS
    assert not unknown, f"{relative(path)} names settings the code does not have: {sorted(unknown)}"


def test_the_other_names_are_where_the_docs_say():
    for name, where in OTHER_NAMES.items():
        assert name in (REPO / where).read_text(encoding="utf-8"), f"{name} is not in {where}"


def test_names_of_removed_settings_are_caught():
    old = "A month's estimate uses `PRICING_BILLABLE_DAYS_PER_YEAR` and `DAY_RATE`."
    assert upper_snake_names(old) - SETTING_NAMES == {"PRICING_BILLABLE_DAYS_PER_YEAR"}


def test_every_setting_of_the_model_is_documented_with_its_default():
    rows = {}
    for row in table_rows(SETTINGS_DOC.read_text(encoding="utf-8"), "setting"):
        for name in names_in(row[0]):
            rows[name] = row
    for name, field in SiteSettings.model_fields.items():
        assert name in rows, f"docs/settings.md does not document {name}"
        row = rows[name]
        assert len(row) == 4, f"docs/settings.md: the row of {name} is not of the model's tables"
        default, unconfirmed = row[2], row[3]
        if field.is_required():
            assert default == "required", (
                f"{name}: the model has no default, the docs say {default}"
            )
        else:
            written = names_in(default)
            assert written, f"{name}: the docs give no default, the model's is {field.default!r}"
            assert ast.literal_eval(written[0]) == field.default, f"{name}: default {default}"
        takes_unconfirmed = "Unconfirmed" in repr(field.annotation)
        assert unconfirmed == ("yes" if takes_unconfirmed else "no"), f"{name}: {unconfirmed}"


def test_every_name_of_the_settings_tables_is_a_setting():
    for row in table_rows(SETTINGS_DOC.read_text(encoding="utf-8"), "setting"):
        for name in names_in(row[0]):
            assert name in SETTING_NAMES, f"docs/settings.md documents {name}, which nothing reads"


def test_every_publishing_setting_is_documented():
    rows = table_rows(
        section(PUBLISHING_DOC.read_text(encoding="utf-8"), "Configuring the target"), "variable"
    )
    documented = {name for row in rows for name in names_in(row[0])}
    read = {name for name in DEPLOY_NAMES if name.startswith("PUBLISH_")}
    assert read <= documented, f"not in docs/publishing.md: {sorted(read - documented)}"


def test_the_first_publish_names_every_fact_production_asks_for():
    checklist = setting_names(section(PUBLISHING_DOC.read_text(encoding="utf-8"), "First publish"))
    # Every fact that may be unconfirmed, whatever pelicanconf.py holds today ...
    may_be_unconfirmed = {
        name
        for name, field in SiteSettings.model_fields.items()
        if "Unconfirmed" in repr(field.annotation)
    }
    assert may_be_unconfirmed <= checklist, sorted(may_be_unconfirmed - checklist)
    # ... and every setting the production build names on the repository's settings.
    settings = project.load_settings(project.DEV_SETTINGS, {"LEGAL_REQUIRE_REAL_VALUES": True})
    try:
        parse_facts(settings)
        asked = set()
    except FactsError as error:
        asked = upper_snake_names(str(error))
    assert asked <= checklist, sorted(asked - checklist)


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_table_renders(path):
    assert table_problems(path.read_text(encoding="utf-8"), relative(path)) == []


GOOD_TABLE = """Text.

| variable | meaning |
| --- | --- |
| `PUBLISH_SSH` | the ssh command |
| `PUBLISH_RSYNC_OPTIONS` | rsync's options, \\| escaped |

The environment is read in one place.
"""


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (
            # A sentence written between rows: GitHub ends the table there.
            GOOD_TABLE.replace(
                "| `PUBLISH_RSYNC_OPTIONS`", "Read in one place.\n| `PUBLISH_RSYNC_OPTIONS`"
            ),
            "doc.md:6: a line that is not a row breaks the table",
        ),
        (
            GOOD_TABLE.replace("\n\nThe environment", "\nThe environment"),
            "doc.md:7: a line that is not a row breaks the table",
        ),
        (GOOD_TABLE.replace("\\| escaped", "| escaped"), "doc.md:6: 3 cells, the header has 2"),
        (
            GOOD_TABLE.replace("| `PUBLISH_SSH` | the ssh command |", "| `{{ a | b }}` | code |"),
            "doc.md:5: 3 cells, the header has 2",
        ),
        (GOOD_TABLE.replace("| --- | --- |\n", ""), "doc.md:3: the header is not followed"),
        (GOOD_TABLE.replace("Text.\n\n", "Text.\n"), "doc.md:2: a table must follow a blank line"),
    ],
)
def test_a_broken_table_is_reported_at_its_line(broken, problem):
    assert table_problems(GOOD_TABLE, "doc.md") == []
    problems = table_problems(broken, "doc.md")
    assert any(p.startswith(problem) for p in problems), problems


def test_a_table_in_a_code_block_is_not_a_table():
    assert table_problems("```\n| a | b |\nnot a row\n```\n", "doc.md") == []


def test_cells_split_on_unescaped_pipes():
    assert cells("| `a` | b \\| c |") == ["`a`", "b \\| c"]


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_link_resolves(path):
    assert link_problems(path, path.read_text(encoding="utf-8")) == []


def test_a_broken_link_is_reported(tmp_path):
    page = tmp_path / "doc.md"
    page.write_text("# Title\n\n## The rules\n", encoding="utf-8")
    good = "[ok](doc.md#the-rules) [ok](#title) [web](https://example.fr/x)"
    assert link_problems(page, good) == []
    broken = "[a](missing.md)\n[b](doc.md#the-rule)\n![c](shot.png)"
    problems = link_problems(page, broken)
    assert [p.split(": ")[-1] for p in problems] == [
        "no such file",
        "no heading #the-rule in doc.md",
        "no such file",
    ], problems


def test_the_readme_is_an_entry_point():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    for path in DOCUMENTS[1:]:
        assert f"(docs/{path.name})" in readme, f"the README does not link docs/{path.name}"
    for screenshot in ("tests/screenshots/desktop.png", "tests/screenshots/mobile.png"):
        assert screenshot in readme
        assert (REPO / screenshot).is_file()
    assert {"serve", "test"} <= {arguments[0] for arguments in commands(readme)}


def example_block(path, first_words: str) -> list[str]:
    """The lines of the code block of `path` that starts with `first_words`."""
    for _, lines in code_blocks(path.read_text(encoding="utf-8")):
        if lines and lines[0].startswith(first_words):
            return lines
    raise AssertionError(f"{relative(path)}: no example starting with {first_words!r}")


QUESTION_EXAMPLE = """---
title: Combien coûte une prestation d'assistance technique ?
position: cinq
anchor: combien-ca-coute
reviewed: 2026-12-01
---

La réponse.
"""


def test_the_front_matter_example_is_what_the_build_says():
    shown = example_block(CONTENT_DOC, "Build failed: FrontMatterError")
    path = "content/faq/05-combien-ca-coute.md"
    with pytest.raises(FrontMatterError) as error:
        read_front_matter(path, QUESTION_EXAMPLE, "question")
    assert shown[0] == "Build failed: FrontMatterError: 2 problems in the questions:"
    assert str(error.value).split("\n") == shown[1:]


def test_the_placeholder_example_is_what_the_build_says():
    (shown,) = example_block(CONTENT_DOC, "content/faq/")
    path, line, token = re.match(r"(\S+?):(\d+): (\{\{ \w+ \}\})", shown).groups()
    text = "\n" * (int(line) - 1) + f"Le prix est de {token}.\n"
    known = placeholders.catalogue(parse_facts(project.load_settings(project.DEV_SETTINGS)))
    problems = placeholders.placeholder_problems(text, known)
    assert placeholders.problem_lines(path, problems, known) == [shown]


@pytest.mark.parametrize("path", [CONTENT_DOC, SETTINGS_DOC], ids=relative)
def test_the_settings_example_is_what_the_build_says(path):
    shown = example_block(path, "Build failed: FactsError: 2")
    settings = project.load_settings(project.DEV_SETTINGS, {"DAY_RATE": "300", "VAT_RATE": 19.6})
    with pytest.raises(FactsError) as error:
        parse_facts(settings)
    assert shown == [
        f"Build failed: FactsError: {line}" if i == 0 else line
        for i, line in enumerate(str(error.value).split("\n"))
    ]


ARCHITECTURE_DOC = REPO / "docs" / "architecture.md"
GATE_DOC = REPO / "docs" / "gate.md"


def test_the_pipeline_table_is_the_plugins_pipeline():
    by_signal = {value: name for name, value in vars(signals).items() if isinstance(value, Signal)}
    pipeline = [
        [by_signal[signal], f"{handler.__module__.removeprefix('cimw.')}.{handler.__name__}"]
        for signal, handler, _why in cimw.PIPELINE
    ]
    rows = table_rows(ARCHITECTURE_DOC.read_text(encoding="utf-8"), "signal")
    assert [[names_in(row[0])[0], names_in(row[1])[0]] for row in rows] == pipeline


def test_every_module_is_in_how_it_is_built():
    text = ARCHITECTURE_DOC.read_text(encoding="utf-8")
    documented = {name for row in table_rows(text, "module") for name in names_in(row[0])}
    plugin = REPO / "plugins" / "cimw"
    modules = {p.name for p in plugin.iterdir() if p.suffix in (".py", ".toml")}
    assert documented == modules - {"__init__.py"}
    spans = set(code_spans(text))
    for folder in ("sitecheck", "deploy"):
        for module in (REPO / folder).glob("*.py"):
            named = {module.name, f"{folder}/{module.name}"} & spans
            assert named or module.name == "__init__.py", f"{folder}/{module.name} is not named"


def test_the_rules_of_the_gate_are_the_rule_table():
    text = GATE_DOC.read_text(encoding="utf-8")
    rules = [names_in(row[0])[0] for row in table_rows(text, "rule")[: len(RULES)]]
    assert rules == list(RULES), "docs/gate.md lists other rules, or in another order"
    fast = re.search(r"Fast rules \(run by `serve`\): ([a-z, ]+)\.", text)
    assert fast, "docs/gate.md does not say which rules are fast"
    assert fast.group(1).split(", ") == list(FAST_RULES)
    runs = {row[0]: row[1] for row in table_rows(text, "rule")[len(RULES) :]}
    for name, rule in RULES.items():
        if rule.tools or rule.node_packages:
            shown = runs.get(f"`{name}`", "")
            for package in (*rule.tools.values(), *rule.node_packages):
                assert f"`{package}`" in shown, f"docs/gate.md: {name} runs {package}"


def test_the_placeholders_and_front_matter_fields_are_the_code_s():
    text = CONTENT_DOC.read_text(encoding="utf-8")
    shown = [names_in(row[0])[0] for row in table_rows(text, "placeholder")]
    assert sorted(shown) == sorted(f"{{{{ {name} }}}}" for name in pricing.PLACEHOLDERS)
    page_fields = {name for row in table_rows(text, "field") for name in names_in(row[0])}
    assert page_fields == set(PageHeader.model_fields)
    (question,) = [lines for info, lines in code_blocks(text) if info == "yaml"]
    written = {line.split(":")[0] for line in question if re.match(r"[a-z_]+:", line)}
    assert written | {"status"} == set(Question.model_fields)
    assert "`status`" in section(text, "A question (`content/faq/*.md`)")
    for theme_id in THEME_IDS:
        assert f"`{theme_id}`" in text, f"docs/content.md does not list the theme's id {theme_id}"
