"""report-totals.png: the histogram of totals, rendered the same to the byte on every run.

Matplotlib is used through its object API with the Agg canvas (no pyplot, no global figure
registry, no display), under matplotlib's default style (a user's matplotlibrc cannot change
the picture), at a fixed size and resolution, with the PNG's "Software" text chunk removed so no
version string is embedded (PNG gets no date unless asked). The bars are the report's own bins,
so the picture and the text table always agree. No student text is drawn.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from grader.gradebook.numbers import format_points
from grader.plot_fonts import add_bundled_fonts
from grader.report.bins import Bin

FIGURE_SIZE = (6.4, 3.6)  # inches
DPI = 100
_BAR_COLOUR = "#4c72b0"


def plots_available() -> bool:
    """Whether matplotlib (the `plots` extra) is installed; without it the report has no PNG."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def import_plotting() -> None:
    """Import what :func:`render_histogram` draws with (most of its cost), ahead of the
    drawing; needs matplotlib, the `plots` extra."""
    import matplotlib.style  # noqa: F401 - imported for the side effect
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401
    from matplotlib.ticker import MaxNLocator  # noqa: F401

    add_bundled_fonts()


def render_histogram(bins: Sequence[Bin], max_total: float, title: str) -> bytes:
    """The PNG bytes of a bar chart of `bins` (students per range of totals); needs matplotlib,
    the `plots` extra (see :func:`plots_available`)."""
    # Imported here: matplotlib is slow to import and only this renderer needs it.
    import matplotlib.style
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    add_bundled_fonts()  # when the font list is grade's seed (grader.plot_fonts)
    with rc_context(), matplotlib.style.context("default"):
        figure = Figure(figsize=FIGURE_SIZE, dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        lows = [b.low for b in bins]
        widths = [b.high - b.low for b in bins]
        axes.bar(lows, [b.count for b in bins], width=widths, align="edge",
                 color=_BAR_COLOUR, edgecolor="white")  # fmt: skip
        if bins:
            edges = [bins[0].low, *(b.high for b in bins)]
            axes.set_xlim(edges[0], edges[-1])
            axes.set_xticks(edges, [format_points(edge, places=2) for edge in edges])
        axes.set_xlabel(f"total points (of {max_total:g})")
        axes.set_ylabel("students")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(title, parse_math=False)  # a "$" in a title is text, not mathtext
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
