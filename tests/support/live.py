"""A live server on 127.0.0.1 (a free port) for tests that talk to the app over HTTP:
the browser's, the independent verifiers', `course serve`'s."""

from __future__ import annotations

import socket
import threading

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", app.config["LIVE_PORT"], app, threaded=True)
        self.url = f"http://127.0.0.1:{app.config['LIVE_PORT']}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.running = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(make_app) -> LiveServer:
    """An app whose base URL is the live server's own address, serving."""
    port = free_port()
    return LiveServer(make_app(LIVE_PORT=port, COURSE_BASE_URL=f"http://127.0.0.1:{port}"))
