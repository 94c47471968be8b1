"""The |delta_z| plot of the HTML report: student and reference per iteration, log scale.

Matplotlib is imported here only, when a report is written (`grader check` stays fast), with
the Agg/SVG backends through `Figure` directly: no pyplot global state, no display needed.
The SVG is inlined in the page, so the report is one file that works offline.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

# |delta_z| = 0 has no logarithm; a %f trace prints anything under 5e-7 as 0, so zeros are
# drawn just below that resolution instead of being dropped
FLOOR = 1e-7
# colours used nowhere else in the page, so a screenshot can tell the plot is drawn
REFERENCE_COLOR = "#2166ac"
STUDENT_COLOR = "#e66101"
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)  # XML declaration and DOCTYPE
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'\b((?:xlink:)?href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def magnitudes(values: Sequence[float]) -> list[tuple[int, float]]:
    """(1-based iteration, |value|) for the finite values, floored for the log scale."""
    return [(number, max(abs(v), FLOOR)) for number, v in enumerate(values, start=1)
            if math.isfinite(v)]


def delta_z_svg(student: Sequence[float], reference: Sequence[float], *,
                departure: int | None = None, label: str = "delta_z", salt: str = "") -> str:
    """An inline <svg> element; `salt` keeps element ids unique among several plots."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, NullFormatter

    # Fixed margins and plain-text tick labels: layout engines and mathtext ("10^-2")
    # measure every label and made a plot cost a third of a second; class grading makes many.
    figure = Figure(figsize=(5.6, 2.8), dpi=96)
    figure.subplots_adjust(left=0.14, right=0.97, top=0.95, bottom=0.17)
    axes = figure.add_subplot()
    lines = ((reference, "reference", {"color": REFERENCE_COLOR, "marker": "o"}),
             (student, "yours", {"color": STUDENT_COLOR, "marker": "x", "linestyle": "--"}))
    for values, name, style in lines:
        points = magnitudes(values)
        if points:
            axes.plot(*zip(*points, strict=True), label=name, linewidth=1.6, **style)
    if departure:
        axes.axvline(departure, color="#888888", linewidth=1, linestyle=":",
                     label=f"first departure ({departure})")
    axes.set_yscale("log")
    axes.set_xlabel("iteration")
    axes.set_ylabel(f"|{label}|")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
    axes.yaxis.set_minor_formatter(NullFormatter())
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt or "report", "svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _prefix_ids(_PROLOGUE.sub("", buffer.getvalue(), count=1), salt)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make every id (and every reference to one) unique to this plot: matplotlib numbers
    them from 1 in each figure, and duplicate ids in one page break the later plots' glyphs."""
    if not prefix:
        return svg
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)
    return _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)
