"""The HTML report: written by the real CLI, escaped, and drawn by a real browser.

The browser is Debian's headless Chromium: the DOM it builds is dumped to check the page's
structure, and a screenshot shows the plot's two lines on screen (their colours are used
nowhere else in the page). Skipped, with the reason, only where Chromium is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SUBMISSIONS, run_grader
from PIL import Image

from grader.reports.html import render_html
from grader.reports.plot import REFERENCE_COLOR, STUDENT_COLOR, delta_z_svg
from grader.results import Report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """`grader check --json --html` on a submission that writes markup everywhere it can."""
    page = tmp_path_factory.mktemp("report") / "report.html"
    proc = run_grader("check", "--json", "--html", str(page),
                      str(SUBMISSIONS / "html_injection.py"))
    assert proc.returncode == 1, proc.stderr
    return page, json.loads(proc.stdout)


def browser(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def test_the_page_holds_every_score_message_and_trace(hostile):
    page, report = hostile
    html = page.read_text(encoding="utf-8")
    assert "1 / 10 points" in html
    for exercise, score in (("derive-dz-db", "0 / 2"), ("iterate-by-hand", "1 / 2"),
                            ("two-variable-solver", "0 / 6")):
        assert f"{exercise}: {score}" in html
    for test in report["tests"]:
        first_line = test["output"].splitlines()[0]
        assert _escaped(first_line) in html
    assert html.count('<figure class="plot"') == 4  # one per solver case
    assert html.count('<tr class="yours departure"') == 4  # one departure row per case
    assert "Likely cause:</strong> fixed factors 63 and 18" in html


def _escaped(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def test_everything_the_student_wrote_is_escaped(hostile):
    html = hostile[0].read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<h1 id=" not in html
    assert "<style>body" not in html and "<b>" not in html
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in html  # DZ_DB
    assert "&lt;h1 id=&#39;injected&#39;&gt;injected heading&lt;/h1&gt;" in html  # a print
    assert "onerror=" in html and "&lt;img src=x onerror=" in html  # HAND_ITERATIONS


def test_the_page_forbids_scripts_and_loads_nothing_from_outside(hostile):
    html = hostile[0].read_text(encoding="utf-8")
    assert "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_element_ids_are_unique_among_several_plots(hostile):
    ids = re.findall(r'\bid="([^"]+)"', hostile[0].read_text(encoding="utf-8"))
    assert ids and len(ids) == len(set(ids))


def test_render_html_is_a_pure_function_of_the_report(hostile):
    report = Report.from_dict(hostile[1])
    assert render_html(report) == render_html(report)
    visible = render_html(report, show_hidden=False)
    assert "target-above-start" not in visible and "chapter-example" in visible


def test_the_plot_is_a_log_scale_svg_of_both_traces():
    svg = delta_z_svg([12, 0.18, 0.005, 0.0002], [12, 0.18, 4e-5, 0.0], departure=2, salt="t")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "DOCTYPE" not in svg
    assert svg.count("<path") > 10
    assert STUDENT_COLOR in svg and REFERENCE_COLOR in svg


def test_plain_check_does_not_import_matplotlib():
    code = ("import sys; from grader.cli import main\n"
            "try:\n    main(['check', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('matplotlib' in sys.modules, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, str(SUBMISSIONS / "correct_fstrings.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.stderr.strip().splitlines()[-1] == "False", proc.stderr


def test_an_unwritable_report_is_exit_2_with_one_line(tmp_path):
    proc = run_grader("check", "--html", str(tmp_path / "no" / "such" / "dir" / "r.html"),
                      str(SUBMISSIONS / "correct_fstrings.py"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("grader: ") and "cannot write the report" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@needs_chromium
def test_chromium_builds_the_page_with_the_plots_and_no_injected_markup(hostile, tmp_path):
    proc = browser("--dump-dom", hostile[0].as_uri(), profile=tmp_path / "profile")
    dom = proc.stdout
    assert "<main>" in dom, proc.stderr[-2000:]
    assert re.search(r"<title>linear-backprop: 1 / 10 points</title>", dom)  # no script ran
    assert 'id="injected"' not in dom and "<script" not in dom
    figures = re.findall(r'<figure class="plot".*?</figure>', dom, re.DOTALL)
    assert len(figures) == 4
    for figure in figures:
        assert "<svg" in figure and figure.count("<path") > 10


@needs_chromium
def test_chromium_draws_the_plot_visibly(tmp_path):
    page = tmp_path / "report.html"
    proc = run_grader("check", "--html", str(page), str(SUBMISSIONS / "fixed_factors.py"))
    assert proc.returncode == 1, proc.stderr
    shot = tmp_path / "shot.png"
    proc = browser(f"--screenshot={shot}", "--window-size=1280,1800", page.as_uri(),
                   profile=tmp_path / "profile")
    assert shot.is_file(), proc.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    for color in (STUDENT_COLOR, REFERENCE_COLOR):
        box = _bounding_box(image, color)
        assert box is not None, f"no {color} pixels: the plot is not drawn"
        left, top, right, bottom = box
        assert right - left > 150 and bottom - top > 60, (color, box)  # lines, not a speck


def _bounding_box(image: Image.Image, color: str) -> tuple[int, int, int, int] | None:
    """The box around the pixels close to `color` (anti-aliasing allowed)."""
    target = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    mask = Image.new("1", image.size)
    width, height = image.size
    pixels, marks = image.load(), mask.load()
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            if sum(abs(a - b) for a, b in zip(pixels[x, y], target, strict=True)) < 40:
                marks[x, y] = 1
    return mask.getbbox()


# --- the student's view, the heading, bounded and responsive pages --------------------------

from datetime import UTC, datetime, timedelta  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader.reports import html as html_report  # noqa: E402
from grader.reports.view import for_student, heading  # noqa: E402
from grader.results import CheckResult  # noqa: E402

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _check(name: str, visibility: str, **detail) -> CheckResult:
    return CheckResult(f"ex: {name}", "ex", 0.0, 1.0, False, f"secret output of {name}",
                       visibility, f"secret diagnosis of {name}", detail)


def _mixed() -> Report:
    return Report("demo", tuple(_check(v, v, case=v) for v in
                                ("visible", "hidden", "after_due_date", "after_published")))


def test_a_student_sees_what_each_visibility_allows_before_the_due_date():
    report = _mixed()
    shown = for_student(report, due=NOW + timedelta(days=1), now=NOW)
    by_name = {t.name: t for t in shown.tests}
    assert "ex: hidden" not in by_name  # hidden: nothing at all
    assert by_name["ex: visible"] == report.tests[0]
    for name in ("ex: after_due_date", "ex: after_published"):  # only the score
        test = by_name[name]
        assert (test.score, test.max_score) == (0.0, 1.0)
        assert "secret" not in test.output + test.diagnosis and test.detail == {}
    assert any("1 hidden check" in n for n in shown.notices)
    assert report == _mixed()  # a pure function: the record itself is unchanged


def test_after_the_due_date_a_student_sees_the_details_and_without_one_never():
    report = _mixed()
    after = for_student(report, due=NOW - timedelta(seconds=1), now=NOW)
    assert [t.name for t in after.tests] == ["ex: visible", "ex: after_due_date",
                                             "ex: after_published"]
    assert all("secret output" in t.output for t in after.tests)
    naive_due = datetime(2026, 12, 1, 11, 0)  # no time zone: UTC
    assert for_student(report, due=naive_due, now=NOW).tests == after.tests
    never = for_student(report, due=None, now=NOW)
    assert not any("secret" in t.output for t in never.tests if t.visibility != "visible")


def test_both_pages_carry_the_student_the_title_and_the_grading_time():
    top = heading("s<b>1", "Chapter 2.1", NOW)
    for report in (_mixed(), for_student(_mixed(), due=None, now=NOW)):
        page = render_html(report, heading=top)
        assert "s&lt;b&gt;1" in page and "Chapter 2.1" in page
        assert 'datetime="2026-12-01T12:00:00+00:00"' in page
    student_page = render_html(for_student(_mixed(), due=None, now=NOW), heading=top)
    assert "secret output of hidden" not in student_page
    assert "secret output of after_due_date" not in student_page
    assert "secret output of hidden" in render_html(_mixed(), heading=top)  # the instructor's


def test_check_for_student_withholds_after_due_details(tmp_path):
    page = tmp_path / "student.html"
    proc = run_grader("check", "--json", "--for-student", "--student", "alice", "--html",
                      str(page), str(SUBMISSIONS / "no_abs.py"))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["student"] == "alice" and report["title"].startswith("Chapter 2.1")
    assert datetime.fromisoformat(report["graded_at"]).tzinfo is not None
    late = [t for t in report["tests"] if t["visibility"] == "after_due_date"]
    assert late and all(t["output"].startswith("Details are shown after the due date")
                        for t in late)
    assert not any(t["diagnosis"] for t in late)
    html = page.read_text(encoding="utf-8")
    assert "alice" in html and "no abs()" not in html.split("target-above-start", 1)[1]
    instructor = json.loads(run_grader("check", "--json", str(SUBMISSIONS / "no_abs.py")).stdout)
    assert any("no abs()" in t["diagnosis"] for t in instructor["tests"]
               if t["visibility"] == "after_due_date")


def _trace_check(iterations: list[dict], ignored: tuple[str, ...] = ()) -> CheckResult:
    reference = [{"w": 3.0, "b": 4.0, "z": 162.0, "delta_z": 12.0}] * 5
    detail = {"case": "c", "student": {"iterations": iterations, "finals": {},
                                       "ignored": list(ignored)},
              "reference": {"iterations": reference, "finals": {"b": 3.9}},
              "departure": {"iteration": 1, "key": "w", "message": "m"},
              "student_iterations": len(iterations), "tolerance": 1e-4}
    return CheckResult("ex: c", "ex", 0.0, 1.0, False, "out", "visible", "", detail)


def test_a_line_of_110000_distinct_keys_is_one_bounded_row():
    """Defect 2: 110 000 keys made --html run minutes and GBs. Work and size are counted."""
    keys = {f"k{i}": float(i) for i in range(110_000)}
    check = _trace_check([keys] * 3)
    trace = html_report._trace(check.detail)
    assert len(trace["keys"]) == html_report.MAX_KEYS and trace["extra_keys"] >= 100
    page = render_html(Report("demo", (check,)))
    assert len(page.encode()) < 400_000
    assert page.count("<td") < 200  # cells rendered: rows x MAX_KEYS, not x 110 000
    assert "more key(s) the reference does not print" in page


def test_a_diverging_trace_is_summarised_not_sixty_rows_of_inf():
    inf = float("inf")
    rows = [{"w": 3.0, "b": 4.0, "z": 162.0, "delta_z": 12.0}]
    rows += [{"w": inf, "b": inf, "z": inf, "delta_z": inf}] * 60
    page = render_html(Report("demo", (_trace_check(rows),)))
    assert "iterations 2–61: your values are all inf or nan" in page
    assert page.count(">inf<") <= 4 * 4  # a few rows at most (the last ones), not 60


@settings(max_examples=12, deadline=None)
@given(rows=st.integers(0, 400), width=st.integers(0, 3000),
       name=st.text(min_size=1, max_size=300), line=st.text(max_size=5000))
def test_pages_are_bounded_whatever_the_trace(rows, width, name, line):
    iterations = [{f"{name}{k}": float(k * r) for k in range(width)} for r in range(rows)]
    check = _trace_check(iterations, ignored=(line,) * 50)
    trace = html_report._trace(check.detail)
    assert len(trace["keys"]) <= html_report.MAX_KEYS
    # the head, the tail, one row for the gap and the departure
    assert len(trace["rows"]) <= html_report.HEAD_ROWS + html_report.TAIL_ROWS + 2
    assert len(trace["ignored"]) <= html_report.MAX_IGNORED
    page = render_html(Report("demo", (check,)))
    assert len(page.encode()) < 600_000


@needs_chromium
def test_chromium_fits_the_page_to_the_window(tmp_path):
    """Nothing is cut off at any usual window width (the page once was at 1200 px)."""
    from selenium import webdriver

    page = tmp_path / "report.html"
    proc = run_grader("check", "--html", str(page), str(SUBMISSIONS / "wrong_sign.py"))
    assert proc.returncode == 1, proc.stderr
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        for width in (800, 1200, 1600):
            driver.set_window_size(width, 900)
            driver.get(page.as_uri())
            overflow = driver.execute_script(
                "const edge = document.documentElement.clientWidth + 1;"
                "return [...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > edge)"
                ".map(e => e.tagName + '.' + e.className).slice(0, 5);")
            assert overflow == [], (width, overflow)
    finally:
        driver.quit()


def test_grade_html_dir_writes_each_student_their_own_view(tmp_path):
    folder, pages = tmp_path / "class", tmp_path / "pages"
    (folder / "bob").mkdir(parents=True)
    (folder / "bob" / "linear_backprop.py").write_bytes((SUBMISSIONS / "no_abs.py").read_bytes())
    proc = run_grader("grade", str(folder), "--db", str(tmp_path / "gb.sqlite"),
                      "--html-dir", str(pages))
    assert proc.returncode == 0, proc.stderr
    page = (pages / "bob.html").read_text(encoding="utf-8")
    assert '<strong id="student">bob</strong>' in page and "Chapter 2.1" in page
    assert 'id="graded-at" datetime="' in page
    late = page.split("target-above-start", 1)[1]  # the first after_due_date check
    assert "Details are shown after the due date" in late and "no abs()" not in late
