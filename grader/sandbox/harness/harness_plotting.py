"""matplotlib's backend inside the sandbox (MPLBACKEND=module://harness_plotting, set by
grader.sandbox.packages): Agg, which needs no display, and a `show()` that does nothing, so
a plot at the end of a submission neither blocks nor warns. Imported by matplotlib only,
when the student's code uses pyplot."""

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args, **kwargs) -> None:
    return None
