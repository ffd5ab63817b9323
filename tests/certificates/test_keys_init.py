"""Making the keys the first time, when several requests or workers ask at once, and after
a process was killed half-way (CI once saw a service worker's parallel fetches of a fresh
server race to make the root: one of them answered 500)."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime

from course.modules.certificates import keys

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
ISSUER = "https://course.example"


def _init_many_threads(folder, count):
    barrier = threading.Barrier(count)
    made, errors = [], []

    def one():
        barrier.wait()
        try:
            made.append(keys.Keyring(folder).init(NOW, ISSUER))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return made, errors


def _assert_one_whole_ring(folder):
    ring = keys.Keyring(folder)
    assert ring.exists
    entries = ring.entries()
    assert [e.status for e in entries] == [keys.ACTIVE]
    assert sorted(p.name for p in folder.glob("signing-*.pem")) == [f"signing-{entries[0].kid}.pem"]
    assert keys.verify_key_list(ring.published(), ring.root_public())
    ring.active()


def test_threads_that_find_no_keys_at_once_make_one_root(tmp_path):
    folder = tmp_path / "keys"
    made, errors = _init_many_threads(folder, 12)
    assert errors == []
    assert sorted(made) == [False] * 11 + [True]
    _assert_one_whole_ring(folder)


def _init_in_process(folder, start, results):
    start.wait()
    try:
        results.put(keys.Keyring(folder).init(NOW, ISSUER))
    except Exception as error:
        results.put(repr(error))


def test_workers_that_find_no_keys_at_once_make_one_root(tmp_path):
    folder = tmp_path / "keys"
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(target=_init_in_process, args=(folder, start, results)) for _ in range(6)
    ]
    for worker in workers:
        worker.start()
    start.set()
    answers = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(answers, key=str) == [False] * 5 + [True]
    _assert_one_whole_ring(folder)


def test_a_ring_begun_by_a_killed_process_before_any_signing_key_is_made_again(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "root.pem").write_text("cut short")
    (folder / "signing-00.pem").write_text("cut short")
    assert keys.Keyring(folder).init(NOW, ISSUER) is True
    _assert_one_whole_ring(folder)


def test_a_ring_killed_before_its_list_was_signed_keeps_its_keys_and_signs_the_list(tmp_path):
    folder = tmp_path / "keys"
    keys.Keyring(folder).init(NOW, ISSUER)
    ring = keys.Keyring(folder)
    kid, root = ring.entries()[0].kid, ring.root_public()
    (folder / "course-keys.json").unlink()
    assert not ring.exists
    assert ring.init(NOW, ISSUER) is False
    _assert_one_whole_ring(folder)
    assert ring.entries()[0].kid == kid
    assert keys.b64(keys.cose.raw_public_key(ring.root_public())) == keys.b64(
        keys.cose.raw_public_key(root)
    )
