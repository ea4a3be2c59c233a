"""`invoke serve`: the live preview an author keeps open while editing."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
from pathlib import Path

import pytest
import yaml
from previewing import Served, fetch, first_question, task_in
from servers import wait_for
from support import copy_project


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "site")


@pytest.fixture
def served(project_copy):
    server = Served(project_copy)
    yield server
    server.stop()


def test_serve_rebuilds_and_survives_a_broken_file(served):
    question, front_matter = first_question(served.root)
    first_words = front_matter["title"].split()[0]
    wait_for(lambda: first_words in served.page(), details=served.log)
    # Said once, and at once, even into a file.
    assert served.log().count("Serving on") == 1, served.log()
    assert f"Serving on http://127.0.0.1:{served.port}/" in served.log()

    good = question.read_text(encoding="utf-8")
    question.write_text(re.sub(r"(?m)^position: \d+$", "position: cinq", good))
    wait_for(lambda: "position: expected a whole number" in served.log(), details=served.log)
    # Every page answers with the problems, naming the file; the last good
    # site stays in output/, and its stylesheet is still served for the error page.
    status, body = fetch(served.url + "contact.html")
    assert status == 500
    assert f"content/faq/{question.name}:" in body
    assert "position: expected a whole number" in body
    assert first_words in (served.root / "output" / "index.html").read_text(encoding="utf-8")
    stylesheet = re.search(r'<link rel="stylesheet" href="/([^"]+)"', body)
    assert stylesheet, body
    assert fetch(served.url + stylesheet.group(1))[0] == 200

    question.write_text(good.replace(f"anchor: {front_matter['anchor']}", "anchor: [oups"))
    problem = re.compile(
        rf"content/faq/{re.escape(question.name)}:\d+: front matter is not valid YAML"
    )
    wait_for(lambda: problem.search(served.log()), details=served.log)
    assert len(problem.findall(served.log())) == 1, served.log()

    question.write_text(good + "\nNos [factures](/factures.html) sont mensuelles.\n")
    line = len((good + "\nNos").split("\n"))
    wait_for(lambda: "Nos <a" in served.text(), details=served.log)
    # The fast checks run after the rebuild and name the source of the broken link.
    finding = f"content/faq/{question.name}:{line}: links: /factures.html: no file"
    wait_for(lambda: finding in served.log(), details=served.log)
    # The page shows it too, and only the served page: output/ is the built site.
    wait_for(lambda: finding in served.text(), details=served.log)
    built = (served.root / "output" / "index.html").read_text(encoding="utf-8")
    assert "Nos <a" in built
    assert finding not in built
    assert "data-preview-version" not in built


def published(folder: Path) -> list[dict]:
    """The front matter of each file of a content folder that the site shows."""
    front_matters = [
        yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        for path in sorted(folder.glob("*.md"))
    ]
    return [fm for fm in front_matters if fm.get("status", "published") != "draft"]


def test_serve_says_what_each_rebuild_did(served):
    question, _ = first_question(served.root)
    wait_for(lambda: "Serving on" in served.log(), details=served.log)
    questions = [
        fm for fm in published(served.root / "content" / "faq") if fm.get("status") != "hidden"
    ]
    pages = published(served.root / "content" / "pages")

    good = question.read_text(encoding="utf-8")
    question.write_text(good + "\nUne phrase de plus.\n", encoding="utf-8")
    said = re.compile(
        rf"(?m)^\d\d:\d\d:\d\d content/faq/{re.escape(question.name)} changed: "
        rf"built in \d+\.\d\d s, {len(questions)} questions, {len(pages)} pages\n0 findings$"
    )
    wait_for(lambda: said.search(served.log()), details=served.log)
    # What serve says replaces Pelican's summary and the gate's list of links.
    assert "Processed" not in served.log()
    assert "External links" not in served.log()

    # A problem in the answer is one of the answer, not of the front matter.
    question.write_text(good + "\nUn prix {prix_inconnu} ici.\n", encoding="utf-8")
    line = len((good + "\nUn prix").split("\n"))
    problem = (
        f"content/faq/{question.name}:{line}: in the body: {{prix_inconnu}}: not a placeholder"
    )
    wait_for(lambda: problem in served.log(), details=served.log)
    assert "problem in FAQ front matter" not in served.log()


def test_serve_refuses_a_named_pipe_and_keeps_rebuilding(served):
    question, _ = first_question(served.root)
    wait_for(lambda: "Serving on" in served.log(), details=served.log)
    pipe = served.root / "content" / "extra" / "tube"
    os.mkfifo(pipe)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    wait_for(
        lambda: "content/extra/tube: a named pipe, not a file" in served.log(), details=served.log
    )
    status, body = fetch(served.url)
    assert status == 500
    assert "content/extra/tube" in body

    pipe.unlink()
    question.write_text(
        question.read_text(encoding="utf-8") + "\nRelu après le tube.\n", encoding="utf-8"
    )
    wait_for(lambda: "Relu après le tube" in served.text(), details=served.log)
    assert fetch(served.url)[0] == 200


PAGE = """\
---
title: Une page d'essai
summary: Une page pour l'essai.
reviewed: 2026-11-26
---

Le texte de la page d'essai.
"""


def test_serve_answers_unknown_paths_with_the_404_page_and_drops_removed_pages(project_copy):
    server = Served(project_copy, "--bind", "127.0.0.2", bind="127.0.0.2")
    try:
        wait_for(lambda: server.page(), details=server.log)
        # Only the address given listens.
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()

        status, body = fetch(server.url + "pas-ici.html")
        not_found = (project_copy / "output" / "404.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", not_found).group(1)
        assert status == 404
        assert f"<title>{title}</title>" in body

        page = project_copy / "content" / "pages" / "essai.md"
        page.write_text(PAGE)
        wait_for(
            lambda: "page d\u2019essai" in fetch(server.url + "essai.html")[1], details=server.log
        )
        page.write_text(PAGE.replace("reviewed: 2026-11-26", "reviewed: 2026-11-26\nstatus: draft"))
        wait_for(lambda: fetch(server.url + "essai.html")[0] == 404, details=server.log)
        assert not (project_copy / "output" / "essai.html").exists()

        page.write_text(PAGE)
        wait_for(lambda: fetch(server.url + "essai.html")[0] == 200, details=server.log)
        page.unlink()
        wait_for(lambda: fetch(server.url + "essai.html")[0] == 404, details=server.log)
    finally:
        server.stop()


def test_serve_shows_a_new_day_rate_from_the_settings(served):
    settings = served.root / "pelicanconf.py"
    text = settings.read_text(encoding="utf-8")
    rate = int(re.search(r"(?m)^DAY_RATE = (\d+)", text).group(1))
    old, new = (f"{r:,}".replace(",", "\u202f") + "\u00a0€" for r in (rate, rate + 50))
    wait_for(lambda: old in served.page(), details=served.log)
    settings.write_text(re.sub(r"(?m)^DAY_RATE = .*$", f"DAY_RATE = {rate + 50}", text))
    wait_for(lambda: new in served.page(), details=served.log)
    assert old not in served.page()


def test_serve_on_a_busy_port_says_which_port_to_try(project_copy):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            task_in("serve", "--port", str(port)),
            cwd=project_copy,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert re.search(rf"port {port} is in use; try --port \d+", result.stderr), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "Serving on" not in result.stdout


def test_serve_builds_with_an_edited_plugin(served):
    wait_for(lambda: "Serving on" in served.log(), details=served.log)
    plugin = served.root / "plugins" / "cimw" / "templating.py"
    code = plugin.read_text(encoding="utf-8")
    date_line = re.search(r'(?m)^    return f"\{day\}.*$', code)
    assert date_line, "french_date's return line moved: update this test"
    plugin.write_text(
        code.replace(
            date_line.group(0), date_line.group(0).replace("return ", 'return "Édité " + ')
        ),
        encoding="utf-8",
    )
    # The new code runs (not the module imported when serve started), and
    # the pages cached with the old one are made again.
    wait_for(lambda: "Édité " in served.text(), details=served.log)
    plugin.write_text(code, encoding="utf-8")
    wait_for(lambda: "Édité " not in served.text(), details=served.log)
    assert "Could not save cache" not in served.log()


def test_serve_starts_with_broken_settings_and_builds_once_they_are_fixed(project_copy):
    settings = project_copy / "pelicanconf.py"
    good = settings.read_text(encoding="utf-8")
    settings.write_text(good + "\nDAY_RATE = = 300\n", encoding="utf-8")
    server = Served(project_copy)
    try:
        wait_for(lambda: "Serving on" in server.log(), seconds=60, details=server.log)
        status, body = fetch(server.url)
        assert status == 500
        assert "pelicanconf.py" in body
        assert "Traceback" not in server.log()
        settings.write_text(good, encoding="utf-8")
        wait_for(lambda: fetch(server.url)[0] == 200, details=server.log)
    finally:
        server.stop()


def test_serve_shows_an_edited_template_in_pages_it_had_cached(served):
    # The price table is rendered into the answers as they are read, and
    # cached with them: an edited template must not leave the old table.
    template = served.root / "theme" / "templates" / "_price_table.html"
    text = template.read_text(encoding="utf-8")
    assert "<caption>Tarifs</caption>" in text, "the price table's caption moved: update this test"
    wait_for(lambda: "<caption>Tarifs</caption>" in served.text(), details=served.log)
    template.write_text(text.replace("<caption>Tarifs</caption>", "<caption>Nos tarifs</caption>"))
    wait_for(lambda: "<caption>Nos tarifs</caption>" in served.text(), details=served.log)


def test_serve_starts_again_over_a_cache_cut_short(project_copy):
    first = Served(project_copy)
    try:
        wait_for(lambda: "0 findings" in first.log(), seconds=60, details=first.log)
    finally:
        first.stop()
    cached = [path for path in (project_copy / "cache").rglob("*") if path.is_file()]
    assert cached, "serve wrote no content cache"
    for path in cached:
        path.write_bytes(b"")  # as a server stopped while writing it leaves it
    again = Served(project_copy)
    try:
        wait_for(lambda: "Serving on" in again.log(), seconds=60, details=again.log)
        assert "build failed" not in again.log()
        assert fetch(again.url)[0] == 200
    finally:
        again.stop()


def test_serve_leaves_nothing_running_when_it_is_killed(served):
    wait_for(lambda: "Serving on" in served.log(), seconds=60, details=served.log)
    group = served.process.pid
    os.kill(group, signal.SIGKILL)  # the server alone, not its process group
    served.process.wait(timeout=10)

    def group_gone() -> bool:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        return False

    wait_for(group_gone, seconds=10, what="the gate's process ending with the server")


def page_version(served) -> str:
    """The preview version a served page was made for."""
    found = re.search(r'data-preview-version="([^"]+)"', served.text())
    assert found, served.text()[:500]
    return found.group(1)


def socket_messages(served, seen: str, count: int, then=None) -> list[str]:
    """The first `count` messages of a page's reload socket opened as a page of `seen`."""
    import asyncio

    from tornado.websocket import websocket_connect

    from preview import RELOAD_SOCKET

    async def read() -> list[str]:
        address = f"ws://127.0.0.1:{served.port}{RELOAD_SOCKET}?seen={seen}"
        connection = await websocket_connect(address)
        try:
            if then is not None:
                then()
            return [await asyncio.wait_for(connection.read_message(), 60) for _ in range(count)]
        finally:
            connection.close()

    return asyncio.run(read())


def test_a_page_made_before_a_change_reloads_even_if_it_connects_after_it(served):
    question, front_matter = first_question(served.root)
    wait_for(lambda: front_matter["title"].split()[0] in served.text(), details=served.log)
    before = page_version(served)
    good = question.read_text(encoding="utf-8")
    question.write_text(good + "\nUne phrase de plus.\n", encoding="utf-8")
    wait_for(lambda: "Une phrase de plus" in served.text(), details=served.log)
    # The news went out before this page's socket opened: it is told at once.
    [told] = socket_messages(served, before, 1)
    assert told != before
    current = page_version(served)
    # A page of the current version hears of the next change, not before.
    [next_version] = socket_messages(
        served, current, 1, then=lambda: question.write_text(good, encoding="utf-8")
    )
    assert next_version != current
    wait_for(lambda: "Une phrase de plus" not in served.text(), details=served.log)
    # What it was told is the version of the page as the change left it.
    assert page_version(served) == next_version
