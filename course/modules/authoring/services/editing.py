"""Which app server edits the course. The draft (`content/`) and the lock file that
serialises saves are files on one server, so with several app servers the editor works
on one of them only: the first whose editor is used takes a row naming it (host and
instance folder), and every other server's editor refuses until an administrator moves
it (`course content editor --release` on the editing server, or anywhere once that server
is gone)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import IntegrityError

from course.core.db import db
from course.modules.authoring.models import EditingServer

SCOPE = "course"


@dataclass(frozen=True)
class Server:
    host: str  # COURSE_SERVER_NAME, or the machine's host name
    instance_path: str

    def __str__(self) -> str:
        return f"{self.host} ({self.instance_path})"


class EditedElsewhere(Exception):
    """The course is edited on another server; `server` names it."""

    def __init__(self, server: Server):
        self.server = server
        super().__init__(f"the course is edited on {server}")


def this_server() -> Server:
    name = current_app.config.get("COURSE_SERVER_NAME") or socket.gethostname()
    return Server(name, current_app.instance_path)


def editing_server() -> Server | None:
    row = db.session.get(EditingServer, SCOPE)
    return Server(row.host, row.instance_path) if row is not None else None


def claim_editor(person_id: int | None) -> bool:
    """This server edits the course: taken now if no server does (True: the caller
    commits); EditedElsewhere if another server does. The primary key decides between
    two servers taking it at once."""
    here = this_server()
    holder = editing_server()
    if holder is None:
        row = EditingServer(
            scope=SCOPE, host=here.host, instance_path=here.instance_path, taken_by_id=person_id
        )
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            holder = editing_server()  # another server took it a moment ago
        else:
            return True
    if holder != here:
        raise EditedElsewhere(holder)
    return False


def release_editor() -> Server | None:
    """No server edits the course any more (the next editor used takes it); the caller
    commits. Returns the server that did, if any."""
    row = db.session.get(EditingServer, SCOPE)
    if row is None:
        return None
    held = Server(row.host, row.instance_path)
    db.session.delete(row)
    return held
