"""`invoke serve`: the live preview an author keeps open while editing."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from servers import free_port, wait_for
from support import copy_project


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def task_in(*args: str) -> list[str]:
    """A task of the project whose folder is the working directory (a copy)."""
    return [sys.executable, "-m", "invoke", *args]


def unbuffered_environment() -> dict:
    """The environment of an author's shell: Python buffers what goes into a file."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}


class Served:
    """A copy of the project served by `invoke serve`, stopped by its process id."""

    def __init__(self, root: Path, *flags: str, bind: str = "127.0.0.1"):
        self.root = root
        self.port = free_port()
        self.url = f"http://{bind}:{self.port}/"
        self.log_path = root / "serve.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            task_in("serve", "--port", str(self.port), *flags),
            cwd=root,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=unbuffered_environment(),
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def page(self, path: str = "") -> str:
        status, body = fetch(self.url + path)
        assert status == 200, (status, path)
        return body

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture
def project_copy(tmp_path) -> Path:
    return copy_project(tmp_path / "site")


@pytest.fixture
def served(project_copy):
    server = Served(project_copy)
    yield server
    server.stop()


def first_question(root: Path) -> tuple[Path, dict]:
    path = sorted((root / "content" / "faq").glob("*.md"))[0]
    return path, yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


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
    assert first_words in served.page(), "the last good site is still served"

    question.write_text(good.replace(f"anchor: {front_matter['anchor']}", "anchor: [oups"))
    anchor_line = good.split("\n").index(f"anchor: {front_matter['anchor']}") + 1
    problem = f"content/faq/{question.name}:{anchor_line}: front matter is not valid YAML"
    wait_for(lambda: problem in served.log(), details=served.log)
    assert served.log().count(problem) == 1, served.log()

    question.write_text(good + "\nNos [factures](/factures.html) sont mensuelles.\n")
    line = len((good + "\nNos").split("\n"))
    wait_for(lambda: "Nos <a" in served.page(), details=served.log)
    # The fast checks run after the rebuild and name the source of the broken link.
    wait_for(
        lambda: (
            f"content/faq/{question.name}:{line}: links: /factures.html: no file" in served.log()
        ),
        details=served.log,
    )


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
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()

        status, body = fetch(server.url + "pas-ici.html")
        not_found = (project_copy / "output" / "404.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", not_found).group(1)
        assert status == 404
        assert f"<title>{title}</title>" in body

        page = project_copy / "content" / "pages" / "essai.md"
        page.write_text(PAGE)
        wait_for(lambda: "page d’essai" in fetch(server.url + "essai.html")[1], details=server.log)
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
