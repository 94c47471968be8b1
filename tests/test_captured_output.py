"""Two threads running instructor code at once each get their own prints, and nothing of
theirs reaches the real stdout: `grader check` computes the reference's traces in its probing
thread while its main thread computes the variants' (CI once printed a variant's trace as
the command's JSON output, from two interleaved `redirect_stdout`s)."""

import sys
import threading
from pathlib import Path

import pytest

from grader.spec import reference
from grader.spec.captured import captured_stdout


def test_interleaved_captures_keep_their_own_prints(capsys) -> None:
    """Two threads capturing at once (in `grader grade`, the hidden checks' pytest session
    in the main thread and a sandbox thread computing a budget's reference trace), and a
    third printing meanwhile: each keeps its own, and the third's reaches the real stdout."""
    first_printed, second_printed, first_done = (threading.Event() for _ in range(3))
    captured: dict[str, str] = {}

    def first() -> None:
        with captured_stdout() as buffer:
            print("first one")
            first_printed.set()
            second_printed.wait(5)
            print("first two")
        captured["first"] = buffer.getvalue()
        first_done.set()

    def second() -> None:
        with captured_stdout() as buffer:
            first_printed.wait(5)
            print("second one")
            second_printed.set()
            first_done.wait(5)  # the first capture has ended meanwhile
            print("second two")
        captured["second"] = buffer.getvalue()

    threads = [threading.Thread(target=run) for run in (first, second)]
    for thread in threads:
        thread.start()
    first_printed.wait(5)
    print("the command's own output")  # the main thread, while both capture
    for thread in threads:
        thread.join(10)
    assert captured == {"first": "first one\nfirst two\n", "second": "second one\nsecond two\n"}
    sys.stdout.flush()
    assert capsys.readouterr().out == "the command's own output\n"


def test_the_command_prints_while_a_reference_trace_is_computed(tmp_path: Path, capsys):
    """`grader check`: the probing thread computes a reference trace while the main thread
    prints; the trace holds the reference's lines only, the output the command's only."""
    path = tmp_path / "slow_reference.py"
    path.write_text("import threading\nhalfway, resume = threading.Event(), threading.Event()\n"
                    "def solve(x):\n    print('step one')\n    halfway.set()\n"
                    "    resume.wait(5)\n    print('step two')\n", encoding="utf-8")
    module = reference.load_module(path)
    printed: list[str] = []
    thread = threading.Thread(
        target=lambda: printed.append(reference.printed_output(path, "solve", (1.0,))))
    thread.start()
    assert module.halfway.wait(5)  # the trace is half printed, its capture open
    print('{"score": 10}')
    module.resume.set()
    thread.join(10)
    assert printed == ["step one\nstep two\n"]
    assert capsys.readouterr().out == '{"score": 10}\n'


def test_a_capture_inside_a_capture_keeps_each_its_own(tmp_path: Path) -> None:
    path = tmp_path / "nested_reference.py"
    path.write_text("from grader.spec import reference\nimport pathlib\n"
                    "def inner(x):\n    print('inner')\n"
                    "def outer(x):\n    print('before')\n"
                    "    print(reference.printed_output(pathlib.Path(__file__), 'inner', (x,)),"
                    " end='')\n    print('after')\n", encoding="utf-8")
    assert reference.printed_output(path, "outer", (2.0,)) == "before\ninner\nafter\n"


def test_what_a_reference_prints_past_sys_stdout_fails_instead_of_leaking(tmp_path: Path,
                                                                        capfd) -> None:
    """While capturing, sys.stdout's other attributes are the capture's: `buffer` or a file
    descriptor would otherwise write to the real stdout, into `check --json`'s output."""
    path = tmp_path / "binary_reference.py"
    path.write_text("import sys\nimport os\n"
                    "def raw(x):\n    sys.stdout.buffer.write(b'leaked')\n"
                    "def fd(x):\n    os.write(sys.stdout.fileno(), b'leaked')\n"
                    "def tty(x):\n    print(sys.stdout.isatty())\n", encoding="utf-8")
    for name in ("raw", "fd"):
        with pytest.raises((AttributeError, OSError)):
            reference.printed_output(path, name, (1.0,))
    assert reference.printed_output(path, "tty", (1.0,)) == "False\n"  # the same on a terminal
    assert "leaked" not in capfd.readouterr().out


def test_what_a_reference_module_prints_on_loading_is_dropped(tmp_path: Path, capfd) -> None:
    path = tmp_path / "chatty_reference.py"
    path.write_text("print('loading the reference')\ndef f(x):\n    print(x)\n",
                    encoding="utf-8")
    assert reference.printed_output(path, "f", (3.0,)) == "3.0\n"
    assert "loading the reference" not in capfd.readouterr().out


def test_two_threads_asking_for_one_trace_get_one_computation(tmp_path: Path) -> None:
    """A reference with state (a counter, a random generator) must not be run twice for one
    trace by two threads at once, the last run's trace then cached for everyone."""
    path = tmp_path / "counting_reference.py"
    path.write_text("import time\nruns = 0\n"
                    "def f(x):\n    global runs\n    runs += 1\n    time.sleep(0.2)\n"
                    "    print(runs)\n", encoding="utf-8")
    printed: list[str] = []
    threads = [threading.Thread(target=lambda: printed.append(
        reference.printed_output(path, "f", (1.0,)))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert printed == ["1\n"] * 3
    assert reference.load_module(path).runs == 1
