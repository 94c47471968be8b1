"""The trace reader: traces as people print them, read by whole names, in bounded work.

In-process on the real reader module (the one shipped to students), with the shipped spec's
format; bounded work is proven by counting what the reader examines, never by a clock.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.kinds.function import trace as reader
from grader.kinds.function.diagnosis import trace_format
from grader.kinds.function.trace import Format, Trace, Work, parse_trace
from grader.spec.loader import load_assignment

SOLVER = load_assignment(ROOT / "exercises" / "linear-backprop").by_id["two-variable-solver"]
FMT = trace_format(SOLVER)
STATE = "w=3.000000,b=4.000000,z=162.000000,delta_z=12.000000"
STEP = "factor_b=63.000000, factor_w=18.000000, delta_b=0.095238, delta_w=0.333333"


def read(text: str) -> Trace:
    return parse_trace(text, FMT)


def test_the_module_is_standard_library_only_and_runs_without_the_grader():
    tree = ast.parse((ROOT / "grader/kinds/function/trace.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "io", "math", "re", "dataclasses", "typing"}
    # -I -S: no site-packages (no pydantic, no grader), as on a student's bare Python
    script = ("import importlib.util, sys; s = importlib.util.spec_from_file_location('t', "
              f"{str(ROOT / 'grader/kinds/function/trace.py')!r}); m = "
              "importlib.util.module_from_spec(s); sys.modules['t'] = m; s.loader.exec_module(m);"
              "f = m.Format(('w', 'b')); r = m.parse_trace('w=1 b=2', f);"
              "print(m.judge(r, r, f, 1e-4).full)")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.strip() == "True", proc.stderr


def test_the_grader_format_converts_from_the_spec_model():
    assert FMT.iteration_keys == ("w", "b", "z", "delta_z")
    assert [p.name for p in FMT.parts] == ["states", "steps", "finals"]
    assert Format.from_dict(FMT.to_dict()) == FMT
    assert FMT.final_key("final b") == "b" and FMT.final_key("b") is None


@pytest.mark.parametrize(("line", "keys"), [
    ("Δz=12, delta=3, x=2w+3b=17.05", {}),  # whole names: none of these is z, delta_z, b
    ("∂z/∂b=63, ∂z/∂w=18, 2*w=6", {}),
    ("w: 3.0 b: 4.0 z: 162 delta_z: 12", {"w": 3, "b": 4, "z": 162, "delta_z": 12}),
    ("0 w: 3.0 b: 4.0 162.0 12.0", {"w": 3, "b": 4}),  # print(i, "w:", w, "b:", b, z)
    ("w 3 b 4", {"w": 3, "b": 4}),
    ("z = 162.0, delta_z = 1.2e+01, w=3, b=4.", {"z": 162, "delta_z": 12, "w": 3, "b": 4}),
    ("{'w': 3.0, 'b': 4.0}", {"w": 3, "b": 4}),
    ("w=np.float64(3.0) b= [4.]", {"w": 3, "b": 4}),
    ("<b>w=3</b>,b=4", {"w": 3, "b": 4}),
    ("第1次迭代: w=3 b=4", {"w": 3, "b": 4}),
])
def test_keys_are_whole_names_with_any_separator(line, keys):
    trace = read(line)
    got = trace.iterations[0] if trace.iterations else {}
    assert {k: v for k, v in got.items() if k in {"w", "b", "z", "delta_z"}} == keys


def test_nan_and_infinities_are_numbers_and_json_is_strict():
    trace = read("w=nan, b=-inf, z=inf, delta_z=1")
    data = json.loads(json.dumps(trace.to_dict(), allow_nan=False))
    assert data["iterations"][0]["w"] == "nan" and Trace.from_dict(data).iterations[0]["z"] > 0


def test_lines_before_the_first_iteration_are_ignored_not_an_iteration():
    trace = read(f"start: t=150.000000\nsingle variable: b -----\n{STATE}\n{STEP}\ndone!")
    assert len(trace.iterations) == 1 and trace.iterations[0]["factor_b"] == 63
    assert trace.ignored == ("start: t=150.000000",)


def test_an_iteration_starts_at_the_state_key_whatever_else_is_on_the_line():
    text = "\n".join([
        "i=0 w: 3 b: 4 162",  # no z, no delta_z: still an iteration
        "  delta_b: 0.1 delta_w: 0.3",
        "x=2w+3b=17.05, some explanation",
        "z=150.18, delta_z=0.18, w=2.67, b=3.9, factor_b=60.5",  # reordered, state+step
        "debug: z=999",  # a debug line: joins the iteration, the first z stays
    ])
    trace = read(text)
    assert [it["w"] for it in trace.iterations] == [3, 2.67]
    assert trace.iterations[0]["delta_w"] == 0.3 and trace.iterations[1]["z"] == 150.18


def test_without_the_first_state_key_the_next_one_starts_iterations():
    trace = read("b=4 z=162\ndelta_b=0.1\nb=3.9 z=150\ndelta_b=0.0")
    assert [it["b"] for it in trace.iterations] == [4, 3.9]


@pytest.mark.parametrize(("text", "finals"), [
    ("final b=3.9\nfinal w=2.6", {"b": 3.9, "w": 2.6}),
    ("Final b: 3.9\nfinal w = 2.6", {"b": 3.9, "w": 2.6}),
    ("final b is 3.9\nfinal w is 2.6", {"is": 3.9}),  # prose: no final b or w is read
    ("final b=3.9, final w=2.6", {"b": 3.9, "w": 2.6}),
    ("done! final result: b = 3.9, w = 2.6", {"b": 3.9, "w": 2.6}),
])
def test_final_lines_in_their_usual_wordings(text, finals):
    trace = read(f"{STATE}\n{text}")
    assert trace.finals == finals and len(trace.iterations) == 1
    assert trace.iterations[0]["w"] == 3  # a final w never opens an iteration


def test_the_chapter_traces_read_as_printed():
    blocks = (ROOT / "tests" / "data" / "seed_traces.txt").read_text().split("\n\n")
    counts = [len(read(block).iterations) for block in blocks]
    assert counts == [6, 4, 5, 4]
    assert read(blocks[3]).finals == {"b": 3.903263, "w": 2.661517}


def test_a_million_character_line_is_not_read_and_costs_nothing_per_character():
    work = Work()
    trace = parse_trace(f"{STATE}\n" + "a=" + "1" * 10**6 + "x\n" + "q" * 40000, FMT, work)
    assert len(trace.iterations) == 1 and len(trace.ignored) == 2
    assert work.chars == len(STATE) * 1 and work.tokens < 20
    assert len(trace.ignored[0]) <= reader.SHOWN + 1


def test_many_keys_are_capped_but_never_crowd_out_graded_ones():
    junk = " ".join(f"k{i}=1" for i in range(400))
    trace = read(f"{STATE}\n{junk}\n{STEP}\n" + "\n".join([junk] * 50))
    (only,) = trace.iterations
    assert only["factor_b"] == 63 and only["delta_w"] == 0.333333
    assert len(only) == 8 + reader.MAX_KEYS


def test_iterations_kept_are_capped_and_the_rest_counted_as_more():
    trace = read(f"{STATE}\n" * (reader.MAX_ITERATIONS + 5))
    assert len(trace.iterations) == reader.MAX_ITERATIONS and trace.more


# Student text drawn from the characters traces and attacks are made of.
TEXT = st.text(alphabet=st.sampled_from(list("wbz_delta=:.,;e+-0123456789 \n\tΔ∂'\"[(finalis")),
               max_size=3000)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_work_is_linear_and_results_bounded_on_any_text(text):
    work = Work()
    trace = parse_trace(text, FMT, work)
    # each character is handed to the tokenizer at most once, plus once per quiet pattern
    assert work.chars <= len(text) * (1 + len(FMT.quiet_lines))
    assert work.tokens <= work.chars
    assert work.lines <= text.count("\n") + text.count("\r") + 1
    assert len(trace.iterations) <= reader.MAX_ITERATIONS
    assert all(len(it) <= len(FMT.known_keys()) + reader.MAX_KEYS for it in trace.iterations)
    assert len(trace.ignored) <= reader.MAX_IGNORED
    assert len(trace.finals) <= len(FMT.known_keys()) + reader.MAX_KEYS
    json.dumps(trace.to_dict(), allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["1", "a", "w=", "1.", "1e", "Δ", "=", " "]),
       st.integers(1, 5000), st.sampled_from(["", "x", "=", ".", "e"]))
def test_repeated_pieces_are_tokenized_once_each(piece, times, tail):
    """The shapes that made the old regex backtrack: tokens partition the line exactly."""
    line = (piece * times + tail)[: reader.MAX_LINE]
    tokens = [m.group() for m in reader._TOKEN.finditer(line)]
    assert "".join(tokens) == line  # every character in exactly one token, none re-read
    work = Work()
    parse_trace(line, FMT, work)
    assert work.chars <= len(line.strip()) * (1 + len(FMT.quiet_lines))
