"""The secrets the app makes for itself on first start (the session key, the IIN key)."""

from __future__ import annotations

import stat
import threading

from course.config import secret_in_file


def _read_at_once(path, count):
    barrier = threading.Barrier(count)
    seen: list[str] = []

    def read():
        barrier.wait()
        seen.append(secret_in_file(path))

    threads = [threading.Thread(target=read) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return seen


def test_many_first_readers_at_once_all_get_the_one_secret(tmp_path):
    for round_ in range(20):
        seen = _read_at_once(tmp_path / f"secret-{round_}", 8)
        assert len(seen) == 8
        assert len(set(seen)) == 1, seen
        assert len(seen[0]) == 64, seen
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"secret-{i}" for i in range(20))
    assert stat.S_IMODE((tmp_path / "secret-0").stat().st_mode) == 0o600


def test_a_secret_once_made_is_kept(tmp_path):
    path = tmp_path / "secret"
    path.write_text("made-before\n")
    assert secret_in_file(path) == "made-before"
