"""The author's tasks: new-faq, the tool check, and serve's live rebuild."""

from __future__ import annotations

import datetime
import os
import shutil
import signal
import subprocess
import sys
import urllib.request

import pytest
import yaml
from conftest import REPO, TinySite, copy_project, good_faq, run_invoke
from servers import free_port, wait_for

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


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


@pytest.fixture
def served_copy(tmp_path):
    """A copy of the project served by `invoke serve`, stopped by its process id."""
    copy_project(tmp_path)
    port = free_port()
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield tmp_path, f"http://localhost:{port}/", tmp_path / "serve.log"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        log.close()


def test_serve_rebuilds_and_survives_a_broken_file(served_copy):
    root, url, log = served_copy
    wait_for(lambda: "Combien ça coûte" in fetch(url), details=log.read_text)

    answer = root / "content" / "faq" / "05-combien-ca-coute.md"
    answer.write_text(answer.read_text().replace("position: 5", "position: cinq"))
    wait_for(lambda: "position: expected a whole number" in log.read_text(), details=log.read_text)
    assert "Combien ça coûte" in fetch(url), "the last good site is still served"

    answer.write_text(
        answer.read_text()
        .replace("position: cinq", "position: 5")
        .replace("Les factures sont", "Nos [factures](/factures.html) sont")
    )
    wait_for(lambda: "Nos <a" in fetch(url), details=log.read_text)
    # The fast checks run after the rebuild and name the source of the broken link.
    wait_for(
        lambda: (
            "content/faq/05-combien-ca-coute.md:25: links: /factures.html: no file"
            in log.read_text()
        ),
        details=log.read_text,
    )


def test_the_menu_lists_every_task_once_under_its_group():
    import tasks
    from invoke import Collection

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
