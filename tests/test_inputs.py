"""Any content file and any setting: a site, or a clear error naming the file or the setting.

The contract: a build ends with every published question on the page and
nothing raw (no `{{`, no Python value where text belongs), or stops with a
message that names the file (and line) or the setting, never a traceback.
Properties over generated front matter, bodies and settings hold it (a fixed
seed, bounded examples); named cases hold the inputs a careless author or a
hostile contributor writes.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from types import SimpleNamespace

import pytest
import yaml
from gate_sites import TinySite, question
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import Environment, FileSystemLoader
from support import REPO, outcome

import project
from cimw import templating
from cimw.facts import SETTINGS_KEY, parse_facts
from cimw.frontmatter import FrontMatterError, Question, read_front_matter
from cimw.reader import SiteReader
from project import BuildError

PATH_LINE = re.compile(r"^content/(faq|pages)/[\w.-]+\.md:\d+: ", re.MULTILINE)


def fails(site: TinySite, *words: str) -> str:
    with pytest.raises(BuildError) as stopped:
        site.build()
    message = str(stopped.value)
    assert "Traceback" not in message
    for word in words:
        assert word in message, f"{word!r} not in:\n{message}"
    return message


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> TinySite:
    # Messages name files relative to the folder the build runs in.
    monkeypatch.chdir(tmp_path)
    site = TinySite(tmp_path)
    site.write("faq/01-une.md", question(1, "une", "La réponse."))
    return site


# -- files ------------------------------------------------------------------------


def test_no_questions_folder_is_an_error(tiny):
    (tiny.content / "faq" / "01-une.md").unlink()
    (tiny.content / "faq").rmdir()
    fails(tiny, "content/faq: missing; expected the questions' folder")


def test_an_empty_questions_folder_is_an_error(tiny):
    (tiny.content / "faq" / "01-une.md").unlink()
    fails(tiny, "content/faq: no published question; expected at least one")


@pytest.mark.parametrize(
    "name", ["06-question.MD", "06-question.markdown", "06-question.txt", "06-question"]
)
def test_a_question_file_that_is_not_md_is_refused_by_name(tiny, name):
    tiny.write(f"faq/{name}", question(6, "six", "Six."))
    fails(
        tiny, f"content/faq/{name}: not read; a page or a question is a Markdown file ending in .md"
    )


@pytest.mark.parametrize(
    "name", [".06-question.md", ".#05-x.md", "05-x.md~", ".05-x.md.swp", "#05-x.md#"]
)
def test_hidden_and_editor_files_are_never_read_nor_published(tiny, name):
    tiny.write(f"faq/{name}", question(6, "cachee", "Cachée."))
    tiny.write(f"extra/{name}", "brouillon")
    site = tiny.build()
    assert "cachee" not in site.pages["index.html"].html
    assert not any(tiny.output.rglob(name)), name


def test_crlf_line_endings_and_a_byte_order_mark_are_read(tiny):
    text = "\ufeff" + question(2, "deux", "La deuxième réponse.").replace("\n", "\r\n")
    (tiny.content / "faq" / "02-deux.md").write_bytes(text.encode("utf-8"))
    html = tiny.build().pages["index.html"].html
    assert 'id="deux"' in html
    assert "La deuxième réponse." in html


def test_a_named_pipe_is_refused_by_name(tiny):
    pipe = tiny.content / "extra" / "pipe"
    pipe.parent.mkdir(parents=True)
    os.mkfifo(pipe)
    # Reading a pipe would wait forever: the build must refuse it before.
    result: list[BaseException | None] = []
    worker = threading.Thread(target=lambda: result.append(catch(tiny)), daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the build waited on the pipe"
    assert isinstance(result[0], BuildError)
    assert "content/extra/pipe: a special file (pipe, socket or device)" in str(result[0])


def catch(site: TinySite) -> BaseException | None:
    try:
        site.build()
    except BaseException as error:  # handed to the test's thread
        return error
    return None


@pytest.mark.parametrize("data", [b"", b"pas une icone", b"\x89PNG\r\n\x1a\n"])
def test_a_favicon_that_is_not_an_ico_is_refused(tiny, data):
    icon = tiny.content / "extra" / "favicon.ico"
    icon.parent.mkdir(parents=True)
    icon.write_bytes(data)
    fails(tiny, "content/extra/favicon.ico: not an ICO icon")


def test_a_stray_file_in_the_content_folder_is_named(tiny):
    tiny.write("notes.txt", "à faire")
    fails(tiny, "content/notes.txt: not part of the site")


# -- values -----------------------------------------------------------------------

HEADER = (
    "title: Une question ?\nposition: 1\nanchor: une\nsummary: La réponse en bref.\n"
    "reviewed: 2026-11-26\n"
)


def with_field(field: str, line: str) -> str:
    kept = [f for f in HEADER.splitlines() if not f.startswith(f"{field}:")]
    return "---\n" + "\n".join([*kept, line]) + "\n---\n\nLa réponse.\n"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("summary: yes", "summary: expected a one- or two-sentence answer in short"),
        ("summary: 1.0e+400", "got inf"),
        ("summary: 0x10", "got 16"),
        ("summary: [a, b]", "got ['a', 'b']"),
        ("title: *Pourquoi* faire appel à CIMW ?", "front matter"),
        ("reviewed: 2026-02-30", "reviewed: not a valid value"),
        ("reviewed: 2026-11-26 10:00", "reviewed: expected the date of the last review"),
        ("position: !!int abc", "position: not a valid value"),
        ("1: x", "1: a field name must be text"),
        ("anchor: [a, b]", "anchor: expected a slug"),
        ("anchor: {a: b}", "{a: b}: not a placeholder"),
        ("anchor: haut", "anchor: expected a slug"),
        ("anchor: sommaire", "anchor: expected a slug"),
        ("status: []", "status: expected one of published, hidden, draft"),
        ("Title: Autre ?", "Title: set twice (also on line 2)"),
        ("title: " + "x" * 301, "title: expected the question, a non-empty text of at most 300"),
    ],
)
def test_a_bad_front_matter_value_is_named_with_its_file_and_line(tiny, line, words):
    tiny.write("faq/01-une.md", with_field(line.split(":")[0], line))
    message = fails(tiny, "content/faq/01-une.md:", words)
    assert PATH_LINE.search(message), message


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("template: htaccess", "template: expected one of the page templates"),
        ("template: absent", "template: expected one of the page templates"),
        ("save_as: ''", "save_as: expected the path of an HTML file"),
        ("reviewed: 2026-02-30", "reviewed: not a valid value"),
        ("2: x", "2: a field name must be text"),
        ("title: [Autre]", "title: expected the question or the page title"),
    ],
)
def test_a_bad_page_value_is_named_with_its_file_and_line(tiny, line, words):
    fields = {
        "title": "title: Autre",
        "summary": "summary: Une page.",
        "reviewed": "reviewed: 2026-11-26",
    }
    fields[line.split(":")[0]] = line
    tiny.write("pages/autre.md", "---\n" + "\n".join(fields.values()) + "\n---\n\nTexte.\n")
    fails(tiny, "content/pages/autre.md:", words)


def test_a_nul_byte_is_named_with_its_line(tiny):
    (tiny.content / "faq" / "01-une.md").write_bytes(question(1, "une", "La\x00 réponse.").encode())
    fails(tiny, "content/faq/01-une.md:9: control character U+0000")


@pytest.mark.parametrize(
    "html",
    ['<abbr title="{{ day_rate }}">prix</abbr>', "<!-- {{ day_rate }} -->", "`{{ day_rate }}`"],
)
def test_a_placeholder_where_it_cannot_be_filled_stops_the_build(tiny, html):
    tiny.write("faq/01-une.md", question(1, "une", f"Le prix : {html}."))
    fails(tiny, "content/faq/01-une.md:", "not filled")


# -- properties -------------------------------------------------------------------


def reader_settings() -> dict:
    settings = project.load_settings(project.DEV_SETTINGS, {"PATH": str(REPO / "content")})
    settings[SETTINGS_KEY] = parse_facts(settings)
    return settings


@functools.cache
def site_reader() -> SiteReader:
    """The site's reader as a build makes it, its placeholders rendered with the theme."""
    settings = reader_settings()
    env = Environment(
        loader=FileSystemLoader(str(REPO / "theme" / "templates")), autoescape=templating.autoescape
    )
    templating.add_template_context(SimpleNamespace(env=env, settings=settings))
    reader = SiteReader(settings)
    reader.environment = env
    return reader


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.text(max_size=20),
        st.dates(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
field_names = st.one_of(
    st.sampled_from(
        ["title", "position", "anchor", "summary", "reviewed", "status", "Title", "template"]
    ),
    st.text(max_size=8),
)
raw_lines = st.text(alphabet=st.sampled_from(list("ab :*&!|>-[]{}'\"#\n\t1é")), max_size=60)


@settings(
    max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    fields=st.dictionaries(field_names, yaml_values, max_size=7),
    raw=st.one_of(st.none(), raw_lines),
)
def test_any_front_matter_gives_a_question_or_a_message_naming_the_file(fields, raw):
    header = raw if raw is not None else yaml.safe_dump(fields, allow_unicode=True)
    text = f"---\n{header}\n---\n\nLa réponse.\n"
    front = outcome(read_front_matter, "content/faq/01-x.md", text, "question")
    if isinstance(front, FrontMatterError):
        for line in str(front).split("\n"):
            assert re.match(r"content/faq/01-x\.md:\d+: \S", line), line
        return
    assert isinstance(front.header, Question)
    assert isinstance(front.header.title, str)
    assert isinstance(front.header.summary, str)


markdown_bodies = st.text(
    alphabet=st.sampled_from(list("ab é?!:;«»'\"*_`[]()<>&#{}\n-1.\u00a0\ue000")), max_size=200
)


@settings(
    max_examples=500, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    body=markdown_bodies,
    title=st.text(alphabet=st.sampled_from(list("ab ?{}'&<")), min_size=1, max_size=30),
)
def test_any_body_is_read_or_refused_naming_the_file(tmp_path_factory, body, title):
    folder = tmp_path_factory.mktemp("read") / "faq"
    folder.mkdir()
    path = folder / "01-x.md"
    path.write_text(
        f"---\ntitle: {title!r}\nposition: 1\nanchor: x\nsummary: En bref.\n"
        f"reviewed: 2026-11-26\n---\n\n{body}\n",
        encoding="utf-8",
    )
    reader = site_reader()
    relative = os.path.relpath(path)
    read = outcome(reader.read, str(path))
    if isinstance(read, FrontMatterError):
        assert str(read).startswith(relative + ":"), str(read)
        return
    assert isinstance(read, tuple), read
    content, metadata = read
    # Nothing raw reaches a visitor: every brace was a placeholder, and was filled.
    for text in (content, metadata["title"], metadata["summary"]):
        assert "{{" not in text
        assert "}}" not in text
    assert isinstance(metadata["title"], str)
    assert metadata["position"] == 1


@settings(max_examples=500, derandomize=True, deadline=None)
@given(
    summary=st.text(
        alphabet=st.sampled_from(list("aaaaZZéé    ,.;:!?'\"«»()11-+=#>*_&<[]`\\|~\u00a0")),
        min_size=1,
        max_size=60,
    ).map(str.strip)
)
def test_a_plain_summary_reads_as_markdown_would_read_it(summary):
    """The reader's short way for a plain sentence gives what Markdown gives."""
    from cimw.reader import PLAIN_SENTENCE_RE

    reader = site_reader()
    if not summary or not PLAIN_SENTENCE_RE.fullmatch(summary):
        return
    assert reader.convert_summary(summary) == reader._md.reset().convert(summary)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[" * 50_000, "content/faq/01-une.md:9: more than 1000 [ in the text"),
        ("".join(f"{'  ' * depth}- niveau\n" for depth in range(500)), "content/faq/01-une.md:"),
    ],
    ids=["brackets", "nested-list"],
)
def test_a_pathological_answer_is_refused_by_name(tiny, body, words):
    tiny.write("faq/01-une.md", question(1, "une", body))
    fails(tiny, words)


@pytest.mark.parametrize(
    "body",
    ["x" * 200_000, "\n\n".join(["Un paragraphe."] * 20_000), "*" * 50_000, " " * 100_000 + "?"],
    ids=["long-word", "many-paragraphs", "stars", "spaces"],
)
def test_a_huge_answer_is_read_in_linear_time(tiny, body):
    tiny.write("faq/01-une.md", question(1, "une", body))
    assert 'id="une"' in tiny.build().pages["index.html"].html
