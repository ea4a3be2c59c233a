"""The CIMW site's Pelican plugin: one package, one module per concern, wired here.

`PLUGINS = ["cimw"]` and `PLUGIN_PATHS = ["plugins"]` are all Pelican needs;
`pelican -s pelicanconf.py` builds the same site as the tasks. The modules
do not register themselves nor each other: `register()` connects every
handler below, in the order the pipeline runs them.
"""

from __future__ import annotations

from pelican import signals

from cimw import facts, faq, hosting, reader, sources, templating, typography

# (signal, handler, why this signal). Receivers are module-level functions:
# Pelican's signals hold them by weak reference.
PIPELINE = (
    (
        signals.initialized,
        facts.parse_settings,
        "every setting parsed once into the facts, every problem named, before anything is read",
    ),
    (
        signals.initialized,
        typography.check_settings,
        "content is typeset as it is read: the Markdown extension must be configured",
    ),
    (
        signals.initialized,
        hosting.check_theme_files,
        "the fingerprinted files exist before any template asks for their names",
    ),
    (
        signals.initialized,
        sources.check_sources,
        "no symlink out of the sources, no file the site would skip, before anything is read",
    ),
    (
        signals.readers_init,
        reader.add_reader,
        "the one reader: front matter, placeholders, then Markdown",
    ),
    (
        signals.get_generators,
        faq.get_generators,
        "the questions are read like pages but never written alone",
    ),
    (
        signals.generator_init,
        templating.add_template_context,
        "each generator's templates get the facts, their tests and the site's filters",
    ),
    (
        signals.generator_init,
        reader.lend_environment,
        "placeholder values are rendered with the templates of the pages",
    ),
    (
        signals.all_generators_finalized,
        sources.check_outputs,
        "every output path is known and nothing is written yet",
    ),
    (
        signals.finalized,
        hosting.finish_output,
        "everything is written: rename the fingerprinted files, compress",
    ),
)


def register() -> None:
    for signal, handler, _why in PIPELINE:
        signal.connect(handler)
