"""The summary's chart: the day's customer types and moods and the 7-day trend, as a PNG for a phone.

Headless (Agg canvas on a ``matplotlib.figure.Figure``; pyplot and its global state are never used).
Chinese labels need a CJK font: the Noto Sans CJK SC file shipped in the ``mplfonts`` package is
registered with matplotlib's font manager (without running mplfonts' own set-up, which rewrites
matplotlib's configuration), else an installed CJK system font is used. Rendering takes a few hundred
milliseconds of CPU: callers run it in a thread (:func:`render_chart` is thread-safe).
"""

from __future__ import annotations

import importlib.util
import io
import logging
import threading
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import Texts
from bot.summary import DaySummary
from strategies.models import Lang
from strategies.playbook import Playbook

log = logging.getLogger(__name__)

BUNDLED_FONT = "NotoSansCJKsc-Regular.otf"
SYSTEM_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Noto Sans CJK JP",
)
LATIN_FALLBACK = "DejaVu Sans"
#: 900 × 1300 px: fills a phone screen's width, text stays legible without zooming.
SIZE_INCHES = (9.0, 13.0)
DPI = 100
BAR = "#3B7DD8"
TREND_BARS = "#A9C8F0"
TREND_LINE = "#1F4E8C"
MOOD_COLOURS = {
    "angry": "#D64545",
    "dissatisfied": "#F08C3A",
    "hesitant": "#E8C547",
    "neutral": "#9AA5B1",
    "positive": "#4CAF7A",
}
TYPES_SHOWN = ("behavior", "personality")

_font_lock = threading.Lock()
_render_lock = threading.Lock()
_families: list[str] | None = None


def _bundled_font() -> Path | None:
    # find_spec locates the package without importing it (importing mplfonts runs its set-up code).
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / BUNDLED_FONT
        if path.is_file():
            return path
    return None


def font_families() -> list[str]:
    """The font family list for chart text: a CJK font first, then matplotlib's default for Latin."""
    global _families
    with _font_lock:
        if _families is None:
            _families = _find_families()
        return list(_families)


def _find_families() -> list[str]:
    path = _bundled_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return [font_manager.FontProperties(fname=str(path)).get_name(), LATIN_FALLBACK]
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in SYSTEM_CJK_FONTS:
        if name in installed:
            return [name, LATIN_FALLBACK]
    log.warning("no CJK font found (install mplfonts): Chinese chart labels will be missing")
    return [LATIN_FALLBACK]


def _clip(label: str, width: int = 22) -> str:
    """Cut a label to about ``width`` Latin letters (a CJK character is as wide as two)."""
    used = 0
    for n, ch in enumerate(label):
        used += 2 if ord(ch) > 0x2E80 else 1
        if used > width:
            return label[: max(n - 1, 1)] + "…"
    return label


class _Fonts:
    def __init__(self) -> None:
        families = font_families()
        self.families = families
        self.title = font_manager.FontProperties(family=families, size=25)
        self.panel = font_manager.FontProperties(family=families, size=20)
        self.label = font_manager.FontProperties(family=families, size=17)
        self.value = font_manager.FontProperties(family=families, size=16)
        self.small = font_manager.FontProperties(family=families, size=14)


def _bars(
    ax: Axes, f: _Fonts, title: str, rows: list[tuple[str, int]], colours: list[str], empty: str
) -> None:
    """Horizontal bars, one per type, the count written at the end of each bar."""
    names = [_clip(n) for n, _ in rows]
    counts = [c for _, c in rows]
    positions = list(range(len(rows)))[::-1]  # first row at the top
    bars = ax.barh(positions, counts, color=colours, height=0.7)
    ax.set_yticks(positions, labels=names, fontproperties=f.label)
    ax.set_title(title, fontproperties=f.panel, loc="left", pad=10)
    ax.bar_label(bars, labels=[str(c) for c in counts], padding=6, fontproperties=f.value)
    ax.set_xlim(0, max([*counts, 1]) * 1.18)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if not any(counts):
        ax.text(0.5, 0.5, empty, transform=ax.transAxes, ha="center", va="center", fontproperties=f.label)


def _trend(ax: Axes, f: _Fonts, s: DaySummary, texts: Texts, lang: Lang) -> None:
    days = [f"{d[4:6]}-{d[6:8]}" for d, _, _ in s.trend]
    messages = [m for _, m, _ in s.trend]
    customers = [c for _, _, c in s.trend]
    x = list(range(len(days)))
    bars = ax.bar(x, messages, color=TREND_BARS, width=0.65, label=texts.get("chart.messages", lang))
    ax.bar_label(bars, labels=[str(m) for m in messages], padding=3, fontproperties=f.small)
    ax.plot(
        x,
        customers,
        color=TREND_LINE,
        marker="o",
        linewidth=3,
        markersize=8,
        label=texts.get("chart.customers", lang),
    )
    top = max([*messages, *customers, 1])
    for xi, m, c in zip(x, messages, customers, strict=True):
        # the customers' count sits above its point, or below when the bar's own label is that close
        below = m and c > 0.85 * m
        ax.annotate(
            str(c),
            (xi, c),
            xytext=(0, -14 if below else 10),
            textcoords="offset points",
            ha="center",
            va="top" if below else "bottom",
            color=TREND_LINE,
            fontproperties=f.small,
        )
    ax.set_xticks(x, labels=days, fontproperties=f.small)
    ax.set_ylim(0, top * 1.2)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(texts.get("chart.trend", lang), fontproperties=f.panel, loc="left", pad=10)
    ax.legend(prop=f.small, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, ncols=2)


def render_chart(s: DaySummary, *, playbook: Playbook, texts: Texts, lang: Lang) -> bytes:
    """The summary's chart as PNG bytes."""
    f = _Fonts()
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    heights = [len(playbook.types[d]) for d in TYPES_SHOWN] + [len(MOOD_COLOURS), 5]
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights, hspace=0.55)
    grid.update(left=0.3, right=0.95, top=0.91, bottom=0.05)
    date = f"{s.day[:4]}-{s.day[4:6]}-{s.day[6:]}"
    fig.suptitle(texts.get("chart.title", lang, date=date), fontproperties=f.title, x=0.05, ha="left")
    empty = texts.get("chart.empty", lang)
    for row, dim in enumerate(TYPES_SHOWN):
        counts = dict(s.distributions.get(dim, []))
        rows = [(playbook.type_name(dim, t, lang), counts.get(t, 0)) for t in playbook.types[dim]]
        _bars(
            fig.add_subplot(grid[row]), f, playbook.dimensions[dim].get(lang), rows, [BAR] * len(rows), empty
        )
    moods = dict(s.distributions.get("mood", []))
    mood_rows = [(playbook.type_name("mood", m, lang), moods.get(m, 0)) for m in MOOD_COLOURS]
    _bars(
        fig.add_subplot(grid[len(TYPES_SHOWN)]),
        f,
        playbook.dimensions["mood"].get(lang),
        mood_rows,
        list(MOOD_COLOURS.values()),
        empty,
    )
    trend_ax = fig.add_subplot(grid[-1])
    box = trend_ax.get_position()  # the trend has no long labels on the left: use the full width
    trend_ax.set_position((0.06, box.y0, 0.89, box.height))
    _trend(trend_ax, f, s, texts, lang)
    buffer = io.BytesIO()
    with _render_lock:  # matplotlib's font caches are shared between threads
        # fast zlib level: a slightly bigger file (~100 kB) for a third less CPU
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
