"""Quizzes: module quizzes and the final exam, graded on the server; completion; statistics."""

from flask import Flask


def init_app(app: Flask) -> None:
    from course.modules.learning.signals import course_activities, module_activities
    from course.modules.quizzes import receivers, views

    app.register_blueprint(views.bp)
    module_activities.connect(receivers.module_quizzes)
    course_activities.connect(receivers.final_exam)
