"""The tasks: new-faq, the tool check, build, the menu and lint."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys

import yaml
from support import REPO, TinySite, copy_project, good_faq, run_invoke

import authoring
import toolchain


def test_question_anchor():
    assert authoring.question_anchor("Combien ça coûte ?") == "combien-ca-coute"
    assert authoring.question_anchor("Qu'est-ce qu'une maîtrise d'œuvre ?") == (
        "qu-est-ce-qu-une-maitrise-d-oeuvre"
    )
    assert authoring.question_anchor("Le cas_limite ?") == "le-cas-limite"


def next_position(faq_dir) -> int:
    """The position after the last question, read from the question files."""
    positions = [
        yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])["position"]
        for path in faq_dir.glob("*.md")
    ]
    return max(positions, default=0) + 1


def test_new_faq_writes_the_next_question(tmp_path):
    faq_dir = tmp_path / "faq"
    shutil.copytree(REPO / "content" / "faq", faq_dir)
    position = next_position(faq_dir)
    result = run_invoke(
        "new-faq", "Qu'est-ce qu'une maîtrise d'œuvre ?", "--directory", str(faq_dir), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    written = faq_dir / f"{position:02d}-qu-est-ce-qu-une-maitrise-d-oeuvre.md"
    _, header, body = written.read_text(encoding="utf-8").split("---")
    assert yaml.safe_load(header) == {
        "title": "Qu'est-ce qu'une maîtrise d'œuvre ?",
        "position": position,
        "anchor": "qu-est-ce-qu-une-maitrise-d-oeuvre",
        "summary": "",
        "reviewed": datetime.date.today(),
    }
    assert body.strip() == "", "no answer text that could be published by mistake"


def test_new_faq_refuses_an_anchor_already_used(tmp_path):
    faq_dir = tmp_path / "faq"
    faq_dir.mkdir()
    (faq_dir / "03-quel-prix.md").write_text(good_faq(3, "quel-prix"))
    before = sorted(faq_dir.iterdir())
    result = run_invoke("new-faq", "Quel prix ?", "--directory", str(faq_dir), cwd=tmp_path)
    assert result.returncode == 1
    assert "03-quel-prix.md already has the anchor 'quel-prix'" in result.stderr
    assert sorted(faq_dir.iterdir()) == before


def test_a_new_question_is_refused_until_its_summary_and_answer_are_written(tmp_path):
    site = TinySite(tmp_path)
    site.write("content/faq/01-une-question.md", good_faq())
    faq_dir = tmp_path / "content" / "faq"
    assert (
        run_invoke(
            "new-faq", "Une autre question ?", "--directory", str(faq_dir), cwd=tmp_path
        ).returncode
        == 0
    )
    written = faq_dir / "02-une-autre-question.md"

    refused = site.build()
    output = refused.stderr + refused.stdout
    assert refused.returncode != 0
    assert "02-une-autre-question.md:5: summary: expected" in output
    assert "02-une-autre-question.md:8: the answer is empty" in output

    written.write_text(written.read_text().replace("summary: ''", "summary: En bref."))
    refused = site.build()
    assert refused.returncode != 0
    assert "02-une-autre-question.md:8: the answer is empty" in refused.stderr + refused.stdout

    written.write_text(written.read_text() + "La réponse.\n")
    built = site.build()
    assert built.returncode == 0, built.stderr
    html = (tmp_path / "output" / "index.html").read_text()
    assert html.index('id="une-question"') < html.index('id="une-autre-question"')


def test_missing_tools_and_install_command():
    tools = {
        "sh": "dash",
        "no-such-command-here": "some-package",
        "/etc/hostname": "netbase",
        "/no/such/file.dic": "hunspell-xx",
    }
    assert toolchain.missing_tools(tools) == {
        "no-such-command-here": "some-package",
        "/no/such/file.dic": "hunspell-xx",
    }
    assert toolchain.apt_install_command(["b", "a", "b"]) == [
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        "a",
        "b",
    ]


def test_build_keeps_only_the_pages_that_exist(tiny_site):
    tiny_site.write("content/faq/one.md", good_faq())
    page = tiny_site.write(
        "content/pages/essai.md",
        "---\ntitle: Essai\nsummary: Un essai.\nreviewed: 2026-11-26\n---\n\nTexte.\n",
    )
    output = tiny_site.root / "output"
    assert tiny_site.build().returncode == 0
    assert (output / "essai.html").is_file()

    page.write_text(
        page.read_text().replace("reviewed: 2026-11-26", "reviewed: 2026-11-26\nstatus: draft")
    )
    assert tiny_site.build().returncode == 0
    assert not (output / "essai.html").exists(), "a drafted page is still in the output"

    page.write_text(page.read_text().replace("status: draft", "status: published"))
    assert tiny_site.build().returncode == 0
    page.unlink()
    assert tiny_site.build().returncode == 0
    assert not (output / "essai.html").exists(), "a deleted page is still in the output"

    tiny_site.write("content/faq/one.md", good_faq().replace("position: 1", "position: un"))
    assert tiny_site.build().returncode != 0
    assert (output / "index.html").is_file(), "a failed build leaves the last good site"
    assert not list(tiny_site.root.glob("output.*"))


def test_the_menu_lists_every_task_once_under_its_group():
    from invoke import Collection

    import tasks

    names = Collection.from_module(tasks).task_names
    listed = [t.name.replace("_", "-") for group in tasks.MENU.values() for t in group]
    assert sorted(listed) == sorted(names)
    menu = subprocess.run(
        [sys.executable, str(REPO / "tasks.py"), "--list"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line for line in menu.splitlines() if line.endswith(":")][1:] == [
        f"{group}:" for group in tasks.MENU
    ]
    for name in (
        "serve",
        "build",
        "check",
        "test",
        "new-faq",
        "publish",
        "releases",
        "rollback",
        "unlock",
    ):
        assert f"  {name} " in menu


# A careless contributor's code, one problem for each linter.
LINT_PROBLEMS = {
    "ruff check": ("sitecheck/unused_import.py", "import os\n", "F401"),
    "ruff format": ("sitecheck/unformatted.py", "PAGES = {  'index':1}\n", "would be reformatted"),
    "mypy": (
        "deploy/untyped.py",
        "def total(sizes):\n    return sum(sizes)\n",
        "error: Function is missing a type annotation",
    ),
}


def test_lint_passes_on_the_project_and_names_each_linter_that_fails(tmp_path):
    root = copy_project(tmp_path / "project")
    # mypy's cache of the project, where a lint ran already (CI lints first): mypy
    # checks each module's hash against it, so the result is the same, in a second.
    if (REPO / ".mypy_cache").is_dir():
        shutil.copytree(REPO / ".mypy_cache", root / ".mypy_cache")
    # The dev group's Python, the one running the tests, rather than a uv run in the copy.
    env = {key: value for key, value in os.environ.items() if key != "UV"}

    def lint() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "invoke", "lint"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    clean = lint()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for path, text, _ in LINT_PROBLEMS.values():
        (root / path).write_text(text, encoding="utf-8")
    broken = lint()
    assert broken.returncode != 0
    assert f"Lint failed: {', '.join(LINT_PROBLEMS)}" in broken.stderr
    output = broken.stdout + broken.stderr
    for path, _, reported in LINT_PROBLEMS.values():
        assert path in output
        assert reported in output
