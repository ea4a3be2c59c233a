"""A synthetic site in French Markdown: N questions and N pages, about 500 words each."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "assistance",
    "technique",
    "prestation",
    "client",
    "système",
    "information",
    "entreprise",
    "réseau",
    "serveur",
    "données",
    "sécurité",
    "sauvegarde",
    "dépannage",
    "étude",
    "besoin",
    "qualité",
    "contrat",
    "feuille",
    "route",
    "responsable",
    "projet",
    "engagement",
    "moyens",
    "semaine",
    "protocole",
    "validation",
    "objectif",
    "tarification",
    "facturation",
    "compte",
    "rendu",
    "activité",
    "assurance",
    "garantie",
    "recours",
    "sinistre",
    "conséquence",
    "comité",
    "suivi",
    "intervalle",
    "régulier",
    "norme",
    "exigence",
    "règle",
    "art",
    "confidentialité",
    "exposition",
    "machine",
    "logiciel",
    "antivirus",
    "pare-feu",
    "programme",
    "attaque",
    "poste",
    "travail",
    "application",
    "bureau",
    "service",
    "protocole",
    "accès",
    "local",
    "privé",
    "virtuel",
    "navigateur",
    "identifiant",
    "document",
    "papier",
    "numérique",
    "dossier",
    "coffre-fort",
    "courriel",
    "pièce",
    "jointe",
    "origine",
    "authenticité",
    "support",
    "amovible",
    "fichier",
    "mot",
    "passe",
    "délai",
    "mission",
    "facture",
    "mois",
    "journée",
    "heure",
    "expertise",
    "compétence",
    "formation",
    "urgence",
    "blocage",
    "agenda",
    "approche",
    "problème",
    "solution",
    "méthode",
    "outil",
    "procédure",
    "contrôle",
]
LINKERS = ["et", "ou", "pour", "avec", "dans", "sur", "par", "sans", "selon", "chez"]
ENDINGS = [".", ".", ".", " ?", " !", " :"]


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) if i % 3 else rng.choice(LINKERS) for i in range(words)]
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + rng.choice(ENDINGS)


def paragraph(rng: random.Random, words: int = 50) -> str:
    out, left = [], words
    while left > 0:
        size = min(left, rng.randint(8, 16))
        out.append(sentence(rng, size))
        left -= size
    return " ".join(out)


def body(rng: random.Random, index: int, total: int, heading: str) -> str:
    """About 500 words: paragraphs, a heading, a list, links, prices."""
    other = (index % total) + 1
    blocks = [
        paragraph(rng),
        paragraph(rng),
        f"{heading} {sentence(rng, 5).rstrip(' .?!:')}",
        paragraph(rng),
        paragraph(rng),
    ]
    blocks.append("\n".join(f"- {sentence(rng, 12)}" for _ in range(5)))
    blocks.append(
        # A link to the page's URL: the site refuses braces but its placeholders'.
        f"Voir aussi [la page {other}](/page-{other:04d}.html) et "
        f"[le site de la CNIL](https://www.cnil.fr/). Le prix du jour est de "
        f"{{{{ day_rate }}}}, le dépannage facturé {{{{ by_the_hour }}}}."
    )
    blocks += [paragraph(rng) for _ in range(4)]
    return "\n\n".join(blocks) + "\n"


def front_matter(**fields) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{lines}---\n\n"


def write_site(content: Path, count: int, seed: int = 1) -> Path:
    """Write `count` questions and `count` pages, plus a home page, under `content`."""
    rng = random.Random(seed)
    (content / "faq").mkdir(parents=True, exist_ok=True)
    (content / "pages").mkdir(parents=True, exist_ok=True)
    (content / "pages" / "index.md").write_text(
        front_matter(
            title="Accueil",
            summary="La page d'accueil du site synthétique.",
            reviewed="2026-11-26",
            template="home",
            save_as="index.html",
            url='""',
        )
        + paragraph(rng)
        + "\n",
        encoding="utf-8",
    )
    for index in range(1, count + 1):
        (content / "faq" / f"q-{index:04d}.md").write_text(
            front_matter(
                title=f'"Question numéro {index} sur la prestation ?"',
                position=index,
                anchor=f"question-{index}",
                summary=f'"{sentence(rng, 12)}"',
                reviewed="2026-11-26",
            )
            + body(rng, index, count, "###"),
            encoding="utf-8",
        )
        (content / "pages" / f"page-{index:04d}.md").write_text(
            front_matter(
                title=f"Page numéro {index}",
                summary=f'"{sentence(rng, 12)}"',
                reviewed="2026-11-26",
            )
            + body(rng, index, count, "##"),
            encoding="utf-8",
        )
    return content
