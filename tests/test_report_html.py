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
    assert html.count('<tr class="departure"') == 4
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
