"""Counting the SQL statements a piece of code runs (a request made with the test client,
usually), so that a test can say "this page makes at most N queries": a query in a loop
over lessons, questions or rows that came back would fail it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event

from course.core.db import db

# Savepoints and their releases are bookkeeping, not lookups.
_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


class Statements(list):
    """The SQL statements seen, in order (an executemany is one), with their parameters in
    `parameters` and the number of transactions committed in `commits`."""

    def __init__(self) -> None:
        super().__init__()
        self.parameters: list = []
        self.commits = 0

    @property
    def count(self) -> int:
        return len(self)

    def writes(self) -> list[str]:
        return [s for s in self if s.upper().startswith(("INSERT", "UPDATE", "DELETE"))]

    def on(self, table: str) -> list[str]:
        """The statements that name this table (FROM, JOIN, INTO or UPDATE it)."""
        words = (f"FROM {table} ", f"JOIN {table} ", f"INTO {table} ", f"UPDATE {table} ")
        return [s for s in self if any(w in s + " " for w in words)]

    def __str__(self) -> str:
        return "\n".join(f"{n:3}. {s}" for n, s in enumerate(self, start=1))


@contextlib.contextmanager
def counting_queries(app) -> Iterator[Statements]:
    """Every SQL statement the app's engine runs inside the block (savepoints left out)."""
    with app.app_context():
        engine = db.engine
    seen = Statements()

    def before(conn, cursor, statement, parameters, context, executemany):
        text = " ".join(statement.split())
        if not text.upper().startswith(_BOOKKEEPING):
            seen.append(text)
            seen.parameters.append(parameters)

    def committed(conn):
        seen.commits += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", committed)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", committed)


def queries_of(app, client, path: str, method: str = "GET", **kwargs) -> tuple[object, Statements]:
    """(response, statements) of one request made with the test client; a streamed body
    is read inside, so that the statements made while streaming are counted too."""
    with counting_queries(app) as seen:
        response = client.open(path, method=method, **kwargs)
        response.get_data()
    return response, seen
