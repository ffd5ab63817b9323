"""A save killed mid-way (SIGKILL, no clean-up) leaves the content valid: each file is
either its old or its new self, never half-written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest

from course.core.content import check_content, load_course

# The child process writes a lesson through the editor's atomic write, and stops for good
# inside the first fsync (the new text is in the temporary file, not yet renamed).
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from course.core import files

    def stuck(fd):
        print("writing", flush=True)
        time.sleep(120)

    if sys.argv[3] == "stuck":
        files.os.fsync = stuck
    target = Path(sys.argv[1])
    text = sys.argv[2]
    print("start", flush=True)
    while True:  # in "loop" mode: save again and again until killed
        files.atomic_write(target, text * 20000)
        if sys.argv[3] == "stuck":
            break
    """
)


def _run(target, text, mode):
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(target), text, mode],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_save_killed_before_the_rename_leaves_the_old_file(content):
    target = content / "ru/alpha/first.md"
    before = target.read_bytes()
    child = _run(target, "---\nid: first\ntitle: Сломано", "stuck")
    assert child.stdout.readline().strip() == "start"
    assert child.stdout.readline().strip() == "writing"  # the new text is being flushed now
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert target.read_bytes() == before
    leftovers = [p.name for p in target.parent.iterdir() if p.name.startswith(".tmp-")]
    assert len(leftovers) == 1  # the interrupted temporary file, ignored by the loader
    assert check_content(content) == []
    assert load_course(content).lesson("alpha", "first").title["ru"] == "Первый урок"


@pytest.mark.slow
def test_saves_killed_at_random_moments_never_leave_a_partial_file(content):
    target = content / "kk/alpha/first.md"
    old = target.read_text("utf-8")
    new_body = old.replace("Бірінші сабақ", "Жаңартылған сабақ")
    rng = random.Random(7)
    for _ in range(5):
        child = _run(target, new_body, "loop")
        assert child.stdout.readline().strip() == "start"
        child_kill_after = rng.uniform(0.05, 0.3)
        try:
            child.wait(timeout=child_kill_after)
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        child.stdout.close()
        found = target.read_text("utf-8")
        assert found in (old, new_body * 20000)
