"""The plugins stand alone: Pelican's own command builds the site the tasks build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploying import tree_digest
from support import REPO

import pelicanconf
from project import BuildError, build

PELICAN = Path(sys.executable).with_name("pelican")


def settings_file(folder: Path, plugins: list[str]) -> Path:
    """Settings that import pelicanconf.py and list `plugins`, from another folder."""
    path = folder / "settings.py"
    path.write_text(
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom pelicanconf import *\n"
        f"PATH = {str(REPO / 'content')!r}\nTHEME = {str(REPO / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(REPO / 'plugins')!r}]\nPLUGINS = {plugins!r}\n",
        encoding="utf-8",
    )
    return path


def pelican_cli(settings: Path, output: Path) -> subprocess.CompletedProcess:
    """Pelican's own command, in a fresh process with nothing of the project imported."""
    return subprocess.run(
        [str(PELICAN), "-s", str(settings), "-o", str(output), "--fatal", "warnings"],
        cwd=settings.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_pelican_s_pelicanconf_builds_what_invoke_build_builds(site, tmp_path):
    result = subprocess.run(
        [str(PELICAN), "-s", "pelicanconf.py", "-o", str(tmp_path / "out"), "--fatal", "warnings"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_digest(tmp_path / "out") == tree_digest(site.output)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(list(reversed(pelicanconf.PLUGINS)), id="reversed"),
        pytest.param(sorted(pelicanconf.PLUGINS, key=lambda name: name[::-1]), id="shuffled"),
        pytest.param(
            [name for name in pelicanconf.PLUGINS if name != "cimw.frontmatter"],
            id="faq-without-frontmatter-listed",
        ),
    ],
)
def test_the_order_of_plugins_does_not_change_the_site(site, tmp_path, order):
    result = pelican_cli(settings_file(tmp_path, order), tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert tree_digest(tmp_path / "out") == tree_digest(site.output)


def test_a_plugin_that_cannot_load_stops_the_build(tmp_path):
    settings = settings_file(tmp_path, [*pelicanconf.PLUGINS, "cimw.no_such_plugin"])
    result = pelican_cli(settings, tmp_path / "out")
    assert result.returncode != 0
    assert "cimw.no_such_plugin" in result.stdout + result.stderr
    with pytest.raises(BuildError, match=r"Cannot load plugin `cimw\.no_such_plugin`"):
        build(settings, {"OUTPUT_PATH": str(tmp_path / "out2")})


def test_the_output_keeps_only_the_current_fingerprinted_stylesheet(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    settings = {
        "THEME": str(theme),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "CACHE_PATH": str(tmp_path / "cache"),
        "HOSTING_PRECOMPRESS": True,
    }
    css = tmp_path / "output" / "theme" / "css"
    build(REPO / "pelicanconf.py", settings)
    first = sorted(path.name for path in css.iterdir())
    stylesheet = theme / "static" / "css" / "main.css"
    stylesheet.write_text(stylesheet.read_text() + "\n.changed { color: inherit; }\n")
    build(REPO / "pelicanconf.py", settings)
    second = sorted(path.name for path in css.iterdir())
    assert len(first) == len(second) == 3, second  # the stylesheet and its two twins
    assert not set(first) & set(second)
