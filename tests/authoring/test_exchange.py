"""PO export and import for translators, through the same checks and alignment as the
editor; and the `course content export --format po` / `course content import` commands."""

from __future__ import annotations

import io

from babel.messages.pofile import read_po, write_po

from course.cli import main
from course.core.content import load_course
from course.core.db import db
from course.modules.authoring import exchange, services
from course.modules.authoring import units as u

AUTHOR = services.Author(None, "Тренер")
BODY = "lesson:alpha/first:body"
PROMPT = "question:a-single:prompt"


def change_ru(d, key: str, text: str) -> None:
    services.save(
        d, AUTHOR, [services.Edit(key, "ru", text, u.fingerprint(d.units[key].text["ru"]))]
    )


def catalog(data: bytes):
    return read_po(io.BytesIO(data))


def po_bytes(cat) -> bytes:
    out = io.BytesIO()
    write_po(out, cat, width=0)
    return out.getvalue()


def test_export_has_one_entry_per_text_with_outdated_ones_fuzzy(app):
    with app.app_context():
        change_ru(services.draft(), PROMPT, "Новая формулировка вопроса?")
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        assert str(cat.locale) == "kk"
        entry = cat.get("Новая формулировка вопроса?", context=PROMPT)
        assert entry.fuzzy
        assert entry.string  # the old translation, for the translator to review
        body = cat.get(services.draft().units[BODY].text["ru"], context=BODY)
        assert not body.fuzzy
        assert body.string.startswith("## Бірінші сабақ")
        assert len([m for m in cat if m.id]) == len(services.draft().units)


def test_import_of_a_translation_brings_the_text_in_step(app, content):
    with app.app_context():
        change_ru(services.draft(), PROMPT, "Новая формулировка вопроса?")
        db.session.commit()
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        entry = cat.get("Новая формулировка вопроса?", context=PROMPT)
        entry.string, entry.flags = "Сұрақтың жаңа тұжырымы?", set()
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        db.session.commit()
        assert (report.errors, report.changed, report.still_flagged) == ([], 1, 0)
        d = services.draft()
        assert d.units[PROMPT].text["kk"] == "Сұрақтың жаңа тұжырымы?"
        assert services.translation_gaps(d) == []
        assert load_course(content).question("a-single").prompt["kk"] == "Сұрақтың жаңа тұжырымы?"
        [revision] = [r for r in services.history("question:a-single") if r.source == "import"]
        assert revision.author_name == "Тренер"


def test_a_fuzzy_entry_is_imported_but_stays_flagged(app):
    with app.app_context():
        change_ru(services.draft(), PROMPT, "Новая формулировка?")
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        entry = cat.get("Новая формулировка?", context=PROMPT)
        entry.string = "Жаңа тұжырым (тексерілмеген)?"  # still marked fuzzy by the translator
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        assert report.still_flagged == 1
        d = services.draft()
        assert d.units[PROMPT].text["kk"] == "Жаңа тұжырым (тексерілмеген)?"
        assert [(g.unit.key, g.lang) for g in services.translation_gaps(d)] == [(PROMPT, "kk")]


def test_a_translation_of_a_source_that_changed_since_the_export_stays_flagged(app):
    with app.app_context():
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        change_ru(services.draft(), PROMPT, "Формулировка изменилась после выгрузки?")
        entry = next(m for m in cat if m.context == PROMPT)
        entry.string = "Аударма ескі мәтіннен жасалды?"
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        assert report.errors == []
        gaps = services.translation_gaps(services.draft())
        assert [(g.unit.key, g.lang, g.state) for g in gaps] == [(PROMPT, "kk", services.OUTDATED)]


def test_an_import_never_overwrites_a_text_changed_after_the_export(app, content):
    with app.app_context():
        cat = catalog(exchange.export_po(services.draft(), "ru"))
        d = services.draft()
        services.save(
            d,
            AUTHOR,
            [
                services.Edit(
                    PROMPT, "ru", "Правка тренера?", u.fingerprint(d.units[PROMPT].text["ru"])
                )
            ],
        )
        db.session.commit()
        entry = next(m for m in cat if m.context == PROMPT)
        entry.string = "Правка переводчика?"
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        db.session.rollback()
        assert report.errors == [
            f"{PROMPT}: changed in the course after the export; merge it in the editor"
        ]
        assert services.draft().units[PROMPT].text["ru"] == "Правка тренера?"


def test_an_import_that_would_break_the_content_writes_nothing(app, content):
    with app.app_context():
        before = (content / "kk/alpha/first.md").read_bytes()
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        entry = next(m for m in cat if m.context == BODY)
        entry.string = "## Сабақ\n\n[сынған сілтеме](nowhere.md)"
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        assert any("broken link 'nowhere.md'" in e for e in report.errors)
        assert (content / "kk/alpha/first.md").read_bytes() == before


def test_unknown_texts_and_unreadable_files_are_refused(app):
    with app.app_context():
        cat = catalog(exchange.export_po(services.draft(), "kk"))
        cat.add("Source", "Аударма", context="question:no-such:prompt")
        report = exchange.import_po(services.draft(), po_bytes(cat), AUTHOR)
        assert report.errors == ["question:no-such:prompt: no such text in the course"]
        assert exchange.import_po(services.draft(), b'msgid "x\n', AUTHOR).errors


def test_the_commands_export_and_import_a_po_file(app, content, tmp_path):
    runner = app.test_cli_runner()
    exported = tmp_path / "kk.po"
    result = runner.invoke(
        main, args=["content", "export", "--format", "po", "--lang", "kk", "-o", str(exported)]
    )
    assert result.exit_code == 0, result.output
    cat = read_po(io.BytesIO(exported.read_bytes()))
    [entry] = [m for m in cat if m.context == PROMPT]
    entry.string = "Аудармашының нұсқасы?"
    exported.write_bytes(po_bytes(cat))
    result = runner.invoke(main, args=["content", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "1 text(s) changed" in result.output
    assert load_course(content).question("a-single").prompt["kk"] == "Аудармашының нұсқасы?"
    broken = tmp_path / "broken.po"
    broken.write_text('msgctxt "question:nope:prompt"\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    result = runner.invoke(main, args=["content", "import", "--lang", "kk", str(broken)])
    assert result.exit_code == 1
    assert "no such text" in result.output
