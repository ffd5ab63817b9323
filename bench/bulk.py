"""The seeded learners' rows, made batch by batch from a fixed random seed (the same data on
SQLite and PostgreSQL, but for the signatures: each instance has its own keys).

Every learner has read every lesson, taken a module quiz or two and passed the final exam,
so each holds the current certificate of the edition; a few hold an older one too, replaced
by it (a corrected name), and a few have theirs revoked. Values are what the app itself
would store: answers graded with quizzes.grading, option orders from quizzes.selection,
codes with codes.check_symbol, QR texts signed with cose.sign under the active key, one
real PDF's bytes. Needs an app context.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from course.core.content.published import current_course
from course.modules.accounts import services as accounts
from course.modules.certificates import codes, cose, verification
from course.modules.certificates import services as certificates
from course.modules.quizzes import grading, selection

SEEDED_EMAIL = "learner-{:06d}@bench.example.kz"
TABLES = ("users", "progress", "attempts", "answers", "completions", "certificates", "replaced")
EPOCH = datetime(2025, 1, 6, 4, 0, tzinfo=UTC)
KK = (["Әсел", "Айгүл", "Ерлан", "Нұрлан", "Ғалымжан", "Жанар", "Дәурен", "Сәуле", "Бауыржан",
       "Гүлнар", "Қайрат", "Мөлдір", "Арман", "Динара", "Ербол", "Ұлжан"],
      ["Нұрланова", "Сәтбаева", "Жақсылықов", "Омаров", "Қасымов", "Әбенова", "Серікбаев",
       "Тоқтарова", "Үсенбаев", "Мұратова", "Есенов", "Бекова"])  # fmt: skip
RU = (["Иван", "Анна", "Сергей", "Ольга", "Дмитрий", "Елена", "Алексей", "Наталья", "Андрей",
       "Татьяна", "Максим", "Ирина", "Павел", "Юлия"],
      ["Иванов", "Петрова", "Сидоров", "Смирнова", "Кузнецов", "Попова", "Ким", "Васильев",
       "Морозова", "Новиков", "Ли", "Фёдорова"])  # fmt: skip


def full_name(rng: random.Random, locale: str) -> str:
    first, last = KK if locale == "kk" else RU
    return f"{rng.choice(first)} {rng.choice(last)}"


def wrong_choice(question, rng: random.Random) -> list[str]:
    """A wrong answer of the question's type (the grader says so)."""
    ids = [o.id for o in question.options]
    right = list(question.correct)
    if question.type == "ordering":
        order = ids[:]
        while order == right:
            rng.shuffle(order)
        return order
    if question.type == "multiple":
        while True:
            chosen = [i for i in ids if rng.random() < 0.5]
            if chosen and set(chosen) != set(right):
                return chosen
    return [rng.choice([i for i in ids if i not in right])]


def some_answer(question, rng: random.Random, p_right: float) -> list[str]:
    return list(question.correct) if rng.random() < p_right else wrong_choice(question, rng)


class Bulk:
    """Rows for learners `first`…`last - 1`, as {table key: [row dicts]} (see TABLES)."""

    def __init__(self, counts, free_indexes: list[int], used_codes: set[str], next_ids: dict,
                 password_hash: str, pdf: bytes):  # fmt: skip
        self.rng = random.Random(20261202)
        self.course = current_course()
        self.quizzes = [m.quiz for m in self.course.modules if m.quiz]
        self.exam = self.course.final_exam
        self.issuer = certificates.issuer()
        entry, self.key = certificates.keyring().active()
        self.kid = entry.kid
        self.password_hash, self.pdf = password_hash, pdf
        self.codes = used_codes
        self.ids = dict(next_ids)
        self.indexes = iter(free_indexes)
        total = min(counts.certificates, len(free_indexes))
        replaced = min(counts.replaced, total // 2)
        self.holders = min(total - replaced, counts.learners)  # learners 0…holders-1
        self.revoked = set(self.rng.sample(range(self.holders), min(counts.revoked, self.holders)))
        self.with_replaced = set(self.rng.sample(range(self.holders), replaced))
        # Answer rows: each holder's final exam, the rest as module-quiz attempts.
        module_rows = max(0, counts.answers - self.holders * self.exam.size)
        attempts = module_rows // len(self.quizzes[0].questions)
        self.per_learner, self.extra = divmod(attempts, max(1, counts.learners))
        self.first_user = self.ids["users"]
        # Current certificates get ids first_certificate + n, replaced ones come after them.
        self.first_certificate = self.ids["certificates"]
        self.ids["replaced"] = self.first_certificate + self.holders

    def rows(self, first: int, last: int) -> dict[str, list[dict]]:
        rows: dict[str, list[dict]] = {key: [] for key in TABLES}
        for n in range(first, last):
            self._learner(n, rows)
        return rows

    def _next(self, key: str) -> int:
        self.ids[key] += 1
        return self.ids[key] - 1

    def _learner(self, n: int, rows: dict) -> None:
        rng = self.rng
        uid = self.first_user + n
        locale = "kk" if rng.random() < 0.6 else "ru"
        name = full_name(rng, locale)
        joined = EPOCH + timedelta(minutes=rng.randrange(600 * 24 * 60))
        clock = joined + timedelta(minutes=5)
        for lesson in self.course.lessons:
            clock += timedelta(minutes=rng.randrange(5, 90))
            read = clock + timedelta(minutes=12)
            rows["progress"].append({
                "id": self._next("progress"), "user_id": uid, "module_id": lesson.module_id,
                "lesson_id": lesson.id, "first_viewed_at": clock, "last_viewed_at": read,
                "completed_at": read,
            })  # fmt: skip
        for k in range(self.per_learner + (n < self.extra)):
            quiz = self.quizzes[k % len(self.quizzes)]
            clock += timedelta(hours=rng.randrange(1, 48))
            questions = list(quiz.questions)
            rng.shuffle(questions)
            self._attempt(rows, uid, "module", quiz, questions, clock, locale)
        locked = None
        if n < self.holders:
            clock += timedelta(hours=rng.randrange(1, 72))
            locked = self._completion(n, uid, name, clock, locale, rows)
        rows["users"].append({
            "id": uid, "email": SEEDED_EMAIL.format(n), "full_name": name,
            "password_hash": self.password_hash, "session_token": f"{rng.getrandbits(128):032x}",
            "role": "learner", "locale": locale, "consent_version": accounts.CONSENT_VERSION,
            "consent_at": joined, "name_locked_at": locked, "created_at": joined,
        })  # fmt: skip

    def _attempt(self, rows, uid, kind, quiz, questions, clock, locale, wrong=None) -> dict:
        """A submitted attempt and its graded answers; `wrong`: the positions answered
        wrongly (else each answer is right with probability 0.85)."""
        rng = self.rng
        attempt_id = self._next("attempts")
        correct = 0
        for position, question in enumerate(questions, start=1):
            if wrong is None:
                chosen = some_answer(question, rng, 0.85)
            elif position in wrong:
                chosen = wrong_choice(question, rng)
            else:
                chosen = list(question.correct)
            right = grading.grade(question.type, question.correct, chosen)
            correct += right
            rows["answers"].append({
                "id": self._next("answers"), "attempt_id": attempt_id, "position": position,
                "question_id": question.id, "module_id": question.module_id,
                "option_order": selection.option_order(question, rng), "chosen": chosen,
                "correct": right,
            })  # fmt: skip
        attempt = {
            "id": attempt_id, "public_id": f"{rng.getrandbits(128):032x}", "user_id": uid,
            "kind": kind,
            "quiz_id": quiz.id, "module_id": getattr(quiz, "module_id", None),
            "edition": self.course.edition, "pass_mark": quiz.pass_mark, "status": "submitted",
            "started_at": clock, "expires_at": clock + timedelta(minutes=quiz.time_limit_minutes),
            "finished_at": clock + timedelta(minutes=rng.randrange(4, quiz.time_limit_minutes)),
            "lang": locale, "correct_count": correct, "question_count": len(questions),
            "passed": grading.Score(correct, len(questions), quiz.pass_mark).passed,
        }  # fmt: skip
        rows["attempts"].append(attempt)
        return attempt

    def _completion(self, n, uid, name, clock, locale, rows) -> datetime:
        """The passed final exam, the completion and the certificate(s); returns when."""
        rng, exam = self.rng, self.exam
        drawn = selection.draw_final_exam(
            exam.pool, [m.id for m in self.course.modules], exam.size, exam.per_module_min,
            set(), rng,
        )  # fmt: skip
        most = exam.size * (100 - exam.pass_mark) // 100  # wrong answers that still pass
        wrong = set(rng.sample(range(1, exam.size + 1), rng.randint(0, most)))
        final = self._attempt(rows, uid, "final", exam, drawn, clock, locale, wrong)
        done = final["finished_at"]
        score = final["correct_count"] * 100 // final["question_count"]
        completion = self._next("completions")
        rows["completions"].append({
            "id": completion, "user_id": uid, "edition": self.course.edition, "completed_at": done,
            "final_attempt_id": final["id"], "final_score": score,
        })  # fmt: skip
        current = {
            "id": self.first_certificate + n, "code": self._code(), "user_id": uid,
            "completion_id": completion, "edition": self.course.edition,
            "status_as_of": self.course.law_as_of, "holder_name": name, "completed_at": done,
            "final_score": score, "issued_at": done.replace(microsecond=0),
            "status_index": next(self.indexes), "signing_kid": self.kid, "qr_text": "",
            "pdf": self.pdf,
            "iin_hmac": None, "iin_key_version": None, "iin_tag": None,
            "private_mode": rng.random() < 0.03, "revoked_at": None, "revoked_reason": None,
            "revoked_note": None, "replaced_at": None, "replaced_by_id": None,
        }  # fmt: skip
        if n in self.with_replaced:
            # First issued with a misspelt name; replaced three days later by `current`.
            first, last = name.split(" ", 1)
            old = dict(
                current, id=self._next("replaced"), code=self._code(),
                holder_name=f"{first} {last[:-1]}ь", status_index=next(self.indexes),
                replaced_at=current["issued_at"] + timedelta(days=3), replaced_by_id=current["id"],
            )  # fmt: skip
            old["qr_text"] = self._qr(old)
            current["issued_at"] = old["replaced_at"].replace(microsecond=0)
            rows["replaced"].append(old)
        if n in self.revoked:
            current["revoked_at"] = current["issued_at"] + timedelta(days=30)
            current["revoked_reason"] = rng.choice(certificates.REVOCATION_REASONS)
        current["qr_text"] = self._qr(current)
        rows["certificates"].append(current)
        return done

    def _code(self) -> str:
        while True:
            body = "".join(self.rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH))
            code = body + codes.check_symbol(body)  # the app's check symbol
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _qr(self, c: dict) -> str:
        """The QR text the app would sign for this certificate (issuing.sign_and_render)."""
        claims = verification.make_claims(
            self.issuer, c["issued_at"], c["code"], c["holder_name"], c["edition"],
            certificates.local_date(c["completed_at"]), c["status_index"], c["iin_tag"],
        )  # fmt: skip
        return verification.qr_text(self.issuer, cose.sign(claims, self.key))
