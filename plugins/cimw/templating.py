"""What the theme's templates read: the facts, their Jinja tests, and the site's filters.

At `generator_init`, each generator's Jinja environment gets:

- `facts`, the site's facts (see `facts`), the only way templates read them;
- tests that tell the kinds of fact apart without comparing strings:
  `unconfirmed`, `company`, `sole_trader`, `vat_charged`, `vat_franchise`,
  `professionals`, `consumers`;
- the filters `typo` and `typo_text` (French typography) and `french_date`
  ("26 novembre 2026", for the "Mis à jour le" lines);
- the globals `asset_url`, `security_txt_expires` and `structured_data`.

HTML and XML templates autoescape (`JINJA_ENVIRONMENT` in the settings): a
fact such as `PUBLISHER_NAME = "A & B"` is escaped wherever it is written.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any

from babel.dates import format_date
from pelican.generators import Generator

from cimw import facts as model
from cimw import hosting, seo, typography

LOCALE = "fr_FR"


def autoescape(template_name: str | None) -> bool:
    """Escape HTML and XML templates; the text files (robots.txt, .htaccess) are written as is.

    A module-level function, so that Pelican's content cache can pickle the settings.
    """
    return template_name is not None and template_name.endswith((".html", ".xml"))


def french_date(date: datetime.date) -> str:
    """'26 novembre 2026', the day held to its month by a no-break space; the 1st is '1ᵉʳ'."""
    # The ordinal's letters raised, as French typography writes them (1ᵉʳ, not 1er).
    day = "1\u1d49\u02b3" if date.day == 1 else str(date.day)
    return f"{day}\u00a0{format_date(date, format='MMMM y', locale=LOCALE)}"


def is_instance(kind: type) -> Any:
    return partial(_is_instance, kind=kind)


def _is_instance(value: object, kind: type) -> bool:
    return isinstance(value, kind)


def add_template_context(generator: Generator) -> None:
    """Give a generator's templates the facts, the tests, the filters and the globals."""
    env = generator.env
    facts = model.facts_in(generator.settings)
    env.globals["facts"] = facts
    for name, kind in model.KINDS.items():
        env.tests[name] = is_instance(kind)
    env.filters["typo"] = typography.french
    env.filters["typo_text"] = typography.french_text
    env.filters["french_date"] = french_date
    env.globals["asset_url"] = partial(hosting.asset_url, settings=generator.settings)
    env.globals["security_txt_expires"] = partial(hosting.security_txt_expires, facts)
    env.globals["structured_data"] = partial(seo.structured_data, facts=facts)
