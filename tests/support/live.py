"""A live server on 127.0.0.1 (a free port) for tests that talk to the app over HTTP:
the browser's, the independent verifiers', `course serve`'s."""

from __future__ import annotations

import socket
import threading

from werkzeug.serving import make_server


class _Gate:
    """The app behind a gate that knows how many requests are inside it. Once shut, a
    request (a browser's keep-alive connection outlives the listening socket) is answered
    503 without reaching the app, and `shut` waits for those inside to finish: otherwise a
    request already accepted could check a connection out of the app's pool after the test
    disposed of it, and the new pool, never disposed, would leave that connection to the
    garbage collector, whose ResourceWarning fails whatever test runs then."""

    def __init__(self, app):
        self.app = app
        self.inside = 0
        self.shut_now = False
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            if self.shut_now:
                start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
                return [b"the test server has stopped"]
            self.inside += 1
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._left()
            raise
        return _Closing(body, self._left)

    def _left(self) -> None:
        with self.changed:
            self.inside -= 1
            self.changed.notify_all()

    def shut(self, timeout: float = 15.0) -> None:
        with self.changed:
            self.shut_now = True
            self.changed.wait_for(lambda: self.inside == 0, timeout)


class _Closing:
    """A response body that tells the gate when the server has closed it (sent, or the
    client went away)."""

    def __init__(self, body, done):
        self.body, self.done, self.closed = body, done, False

    def __iter__(self):
        return iter(self.body)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.gate = _Gate(app)
        self.server = make_server("127.0.0.1", app.config["LIVE_PORT"], self.gate, threaded=True)
        self.url = f"http://127.0.0.1:{app.config['LIVE_PORT']}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(5)
            self.gate.shut()
            self.running = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(make_app) -> LiveServer:
    """An app whose base URL is the live server's own address, serving."""
    port = free_port()
    return LiveServer(make_app(LIVE_PORT=port, COURSE_BASE_URL=f"http://127.0.0.1:{port}"))
