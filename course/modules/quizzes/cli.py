"""`course stats questions`: item statistics on the command line, as a table or CSV."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from course.core import spreadsheets
from course.core.content import LANGUAGES
from course.modules.quizzes import services

stats = AppGroup("stats", help="Statistics for trainers.")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _options(counts) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))


@stats.command("questions")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
def question_stats(fmt: str) -> None:
    """Attempts, facility, discrimination and option choices of every question, per language."""
    header = ["quiz", "question", "answers", "facility_percent", "discrimination"]
    for lang in LANGUAGES:
        header += [f"answers_{lang}", f"facility_percent_{lang}", f"options_chosen_{lang}"]
    header.append("options_chosen")
    rows = []
    for s in sorted(services.item_statistics(), key=lambda s: (s.quiz_id, s.question_id)):
        row = [
            s.quiz_id,
            s.question_id,
            s.overall.answers,
            _percent(s.overall.facility),
            "" if s.discrimination is None else f"{s.discrimination:.2f}",
        ]
        for lang in LANGUAGES:
            tally = s.by_lang.get(lang)
            row += [
                tally.answers if tally else 0,
                _percent(tally.facility if tally else None),
                _options(tally.options) if tally else "",
            ]
        row.append(_options(s.overall.options))
        rows.append(row)
    if fmt == "csv":
        spreadsheets.write(sys.stdout, header, rows)
        return
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
