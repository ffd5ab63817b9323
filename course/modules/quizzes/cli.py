"""`course stats`: item statistics on the command line, as a table or CSV.

`questions` gives each answered question's facility, discrimination and option choices,
with its key's length rank in each language; `cues` checks the whole question bank for
give-away cues (the key's length rank and position, the share of "true" keys), from the
content files, with no app or database (see course.modules.quizzes.cues)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from course.config import content_dir
from course.core import spreadsheets
from course.core.content import LANGUAGES, ContentError, Course, load_course
from course.core.content.published import current_course
from course.modules.quizzes import cues, services

stats = AppGroup("stats", help="Statistics for trainers.")


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _options(counts) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(counts.items()))


def _table(header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    for row in [header, *rows]:
        click.echo("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())


def _totals(course: Course) -> None:
    click.echo("")
    for found in cues.reports(course).values():
        for line in cues.describe(found):
            click.echo(line)


@stats.command("questions")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
def question_stats(fmt: str) -> None:
    """Attempts, facility, discrimination and option choices of every question, per language,
    each single-choice key's length rank (1 = the longest option), and the bank's cue totals
    (see `stats cues`)."""
    course = current_course()
    header = ["quiz", "question", "answers", "facility_percent", "discrimination"]
    for lang in LANGUAGES:
        header += [f"answers_{lang}", f"facility_percent_{lang}", f"options_chosen_{lang}"]
    header.append("options_chosen")
    header += [f"key_rank_{lang}" for lang in LANGUAGES]
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
        question = course.question(s.question_id)
        item = cues.BankItem(s.quiz_id, question) if question else None
        for lang in LANGUAGES:
            cue = cues.key_cue(item, lang) if item else None
            row.append(cue.rank if cue else "")
        rows.append(row)
    if fmt == "csv":
        spreadsheets.write(sys.stdout, header, rows)
        return
    _table(header, rows)
    _totals(course)


@stats.command("cues", with_appcontext=False)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
@click.option("--path", type=click.Path(path_type=Path), default=None, help="Content folder.")
def cue_stats(fmt: str, path: Path | None) -> None:
    """Give-away cues in the question bank: each single-choice key's position and length
    rank (1 = the longest option) per language, each true/false key, and the totals."""
    try:
        course = load_course(path or content_dir())
    except ContentError as e:
        for problem in e.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    header = ["quiz", "question", "type", "key", "options", "key_position"]
    for lang in LANGUAGES:
        header += [f"key_length_{lang}", f"longest_other_{lang}", f"key_rank_{lang}"]
    rows = []
    for item in cues.bank(course):
        question = item.question
        if question.type not in ("single", "true_false"):
            continue
        by_lang = {lang: cues.key_cue(item, lang) for lang in LANGUAGES}
        first = by_lang[LANGUAGES[0]]
        row = [
            item.quiz_id,
            question.id,
            question.type,
            " ".join(question.correct),
            len(question.options),
            first.position if first else "",
        ]
        for lang in LANGUAGES:
            cue = by_lang[lang]
            row += [cue.key_length, cue.longest_other, cue.rank] if cue else ["", "", ""]
        rows.append(row)
    if fmt == "csv":
        spreadsheets.write(sys.stdout, header, rows)
        return
    _table(header, rows)
    _totals(course)
