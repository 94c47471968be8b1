"""Two threads running instructor code at once each get their own prints, and nothing of
theirs reaches the real stdout: `grader check` computes the reference's traces in its probing
thread while its main thread computes the variants' (CI once printed a variant's trace as
the command's JSON output, from two interleaved `redirect_stdout`s)."""

import sys
import threading
from pathlib import Path

from grader.spec import reference

MODULE = '''
import threading
import time

first_printed = threading.Event()
second_printed = threading.Event()
first_done = threading.Event()


def first(x):
    print("first one")
    first_printed.set()
    second_printed.wait(5)
    print("first two")
    first_done.set()


def second(x):
    first_printed.wait(5)
    print("second one")
    second_printed.set()
    first_done.wait(5)
    time.sleep(0.2)  # the first thread leaves its capture meanwhile
    print("second two")
'''


def test_interleaved_captures_keep_their_own_prints(tmp_path: Path, capsys) -> None:
    path = tmp_path / "interleaved_reference.py"
    path.write_text(MODULE, encoding="utf-8")
    printed: dict[str, str] = {}

    def run(name: str) -> None:
        printed[name] = reference.printed_output(path, name, (1.0,))

    threads = [threading.Thread(target=run, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    reference.load_module(path).first_printed.wait(5)
    print("the command's own output")  # the main thread, while both capture
    for thread in threads:
        thread.join(10)
    assert printed == {"first": "first one\nfirst two\n", "second": "second one\nsecond two\n"}
    sys.stdout.flush()
    assert capsys.readouterr().out == "the command's own output\n"


def test_a_capture_inside_a_capture_keeps_each_its_own(tmp_path: Path) -> None:
    path = tmp_path / "nested_reference.py"
    path.write_text("from grader.spec import reference\nimport pathlib\n"
                    "def inner(x):\n    print('inner')\n"
                    "def outer(x):\n    print('before')\n"
                    "    print(reference.printed_output(pathlib.Path(__file__), 'inner', (x,)),"
                    " end='')\n    print('after')\n", encoding="utf-8")
    assert reference.printed_output(path, "outer", (2.0,)) == "before\ninner\nafter\n"
