"""The course as plain data: the public shape of `course content export --format json`.

Keep at least the fields documented in content/README.md; extra fields are welcome.
"""

from __future__ import annotations

from typing import Any

from course.core.content.model import Course, Question


def course_export(course: Course) -> dict[str, Any]:
    def question(q: Question) -> dict[str, Any]:
        return {
            "id": q.id,
            "type": q.type,
            "module": q.module_id,
            "scenario_id": q.scenario_id,
            "scenario": q.scenario,
            "prompt": q.prompt,
            "options": [{"id": o.id, "text": o.text} for o in q.options],
            "correct": list(q.correct),
            "explanation": q.explanation,
            "legal_basis": q.legal_basis,
            "retired": q.retired,
        }

    return {
        "edition": course.edition,
        "published": course.published.isoformat(),
        "languages": list(course.languages),
        "title": course.title,
        "tagline": course.tagline,
        "description": course.description,
        "legal_changes": [
            {"id": c.id, "date": c.date.isoformat(), "text": c.text} for c in course.legal_changes
        ],
        "modules": [
            {
                "id": m.id,
                "title": m.title,
                "summary": m.summary,
                "status_as_of": m.status_as_of.isoformat(),
                "reviewed": m.reviewed.isoformat() if m.reviewed else None,
                "lessons": [
                    {
                        "id": x.id,
                        "title": x.title,
                        "minutes": x.minutes,
                        "status_as_of": x.status_as_of.isoformat(),
                        "body": x.body,
                    }
                    for x in m.lessons
                ],
                "quiz": None
                if m.quiz is None
                else {
                    "id": m.quiz.id,
                    "pass_mark": m.quiz.pass_mark,
                    "time_limit_minutes": m.quiz.time_limit_minutes,
                    "questions": [question(q) for q in (*m.quiz.questions, *m.quiz.retired)],
                },
            }
            for m in course.modules
        ],
        "glossary": [
            {"id": g.id, "term": g.term, "definition": g.definition} for g in course.glossary
        ],
        "final_exam": None
        if course.final_exam is None
        else {
            "id": course.final_exam.id,
            "size": course.final_exam.size,
            "pass_mark": course.final_exam.pass_mark,
            "time_limit_minutes": course.final_exam.time_limit_minutes,
            "per_module_min": course.final_exam.per_module_min,
            "pool": [question(q) for q in (*course.final_exam.pool, *course.final_exam.retired)],
        },
    }
