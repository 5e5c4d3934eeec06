"""Charts of a case's contacts (matplotlib, Agg; PNG or SVG bytes), shared by the case report and the web UI.

Usage::

    stats = aggregate(events, tz="Asia/Shanghai")        # one pass, compact; events are ChartEvent
    png = contacts_per_day(stats)                          # calls/SMS stacked, third-party contacts marked
    svg = hour_weekday_heatmap(stats, night=(time(22), time(8)), fmt="svg")
    png = numbers_over_time(stats)                         # numbers used over time, grouped by signature/lender

:func:`events_from_rows` turns ``weiquan.store.models.Event`` rows (or anything with the
same attributes, such as the timeline's ``EventOut``) into :class:`ChartEvent`.
Only the object-oriented matplotlib API is used (no pyplot, no global figure state).
Text needs a CJK font; without one :class:`MissingComponent` is raised rather than
drawing empty boxes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - after matplotlib.use('Agg'), which must come first
from matplotlib.figure import Figure  # noqa: E402 - after matplotlib.use('Agg'), which must come first

from weiquan.errors import MissingComponent  # noqa: E402 - after matplotlib.use('Agg'), which must come first
from weiquan.ingest.numbers import display_number  # noqa: E402 - after matplotlib.use('Agg'), which must come first

Fmt = Literal["png", "svg"]
_CHART_FONTS = (
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
)
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
CHANNEL_GROUPS = {"call": "电话", "sms": "短信", "mms": "短信"}
GROUP_ORDER = ("电话", "短信", "其他")
GROUP_COLOURS = {"电话": "#3465a4", "短信": "#f57900", "其他": "#8f8f8f"}
THIRD_PARTY_COLOUR = "#cc0000"
NO_GROUP = "未署名"


@dataclass(frozen=True)
class ChartEvent:
    start: dt.datetime  # aware (UTC)
    channel: str
    recipient: str = "borrower"
    counterpart: str | None = None
    signature: str | None = None


@dataclass
class NumberUse:
    first: dt.date
    last: dt.date
    count: int = 0
    days: Counter[dt.date] = field(default_factory=Counter)
    groups: Counter[str] = field(default_factory=Counter)

    @property
    def group(self) -> str:
        named = [(n, g) for g, n in self.groups.items() if g != NO_GROUP]
        return max(named)[1] if named else NO_GROUP


@dataclass
class ContactStats:
    """Everything the charts need, aggregated in one pass (memory independent of the event count)."""

    tz: str
    total: int = 0
    per_day: dict[dt.date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    third_party_per_day: Counter[dt.date] = field(default_factory=Counter)
    heat: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    numbers: dict[str, NumberUse] = field(default_factory=dict)
    default_group: str | None = None

    @property
    def first_day(self) -> dt.date | None:
        return min(self.per_day) if self.per_day else None

    @property
    def last_day(self) -> dt.date | None:
        return max(self.per_day) if self.per_day else None


def aggregate(
    events: Iterable[ChartEvent], tz: str = "Asia/Shanghai", *, default_group: str | None = None
) -> ContactStats:
    """Aggregate events by local day, hour × weekday and number. ``default_group`` labels unsigned numbers (the lender)."""
    zone = ZoneInfo(tz)
    st = ContactStats(tz=tz, default_group=default_group)
    for e in events:
        local = e.start.astimezone(zone)
        day = local.date()
        group = CHANNEL_GROUPS.get(e.channel, "其他")
        st.total += 1
        st.per_day[day][group] += 1
        if e.recipient and e.recipient != "borrower":
            st.third_party_per_day[day] += 1
        st.heat[local.weekday()][local.hour] += 1
        if e.counterpart:
            nu = st.numbers.get(e.counterpart)
            if nu is None:
                nu = st.numbers[e.counterpart] = NumberUse(first=day, last=day)
            nu.first, nu.last = min(nu.first, day), max(nu.last, day)
            nu.count += 1
            nu.days[day] += 1
            nu.groups[_clean_signature(e.signature) or default_group or NO_GROUP] += 1
    return st


def _clean_signature(sig: str | None) -> str | None:
    if not sig:
        return None
    return sig.strip().strip("【】[]").strip() or None


def events_from_rows(rows: Iterable[Any]) -> Iterable[ChartEvent]:
    """ChartEvents from Event rows or timeline EventOut objects (lazily)."""
    for r in rows:
        yield ChartEvent(
            start=r.start,
            channel=r.channel,
            recipient=getattr(r, "recipient", None) or "borrower",
            counterpart=getattr(r, "counterpart", None),
            signature=getattr(r, "signature", None),
        )


# --------------------------------------------------------------------------- fonts and output


@cache
def chart_font() -> font_manager.FontProperties:
    available = {f.name for f in font_manager.fontManager.ttflist}
    for family in _CHART_FONTS:
        if family in available:
            return font_manager.FontProperties(family=family)
    raise MissingComponent(
        "未找到中文字体，无法绘制图表。请安装：sudo apt-get install fonts-noto-cjk fonts-wqy-microhei",
        "no CJK font found for charts; install: sudo apt-get install fonts-noto-cjk fonts-wqy-microhei",
    )


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _apply_font(fig: Figure) -> None:
    fam = chart_font().get_family()
    for t in fig.findobj(lambda o: hasattr(o, "set_fontfamily")):
        t.set_fontfamily(fam)


def _save(fig: Figure, fmt: Fmt, dpi: int) -> bytes:
    _apply_font(fig)
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    elif fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        raise ValueError(f"unknown chart format: {fmt}")
    return buf.getvalue()


_ZONE_ZH = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "Asia/Urumqi": "乌鲁木齐时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
    "UTC": "协调世界时",
}


def zone_zh(tz: str) -> str:
    """The time zone as the pages name it (北京时间), never an IANA id."""
    return _ZONE_ZH.get(tz, "当地时间")


def _day_zh(d: dt.date, *, year: bool = False) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"


def _date_axis(ax: Any, first: dt.date, last: dt.date, *, max_ticks: int = 8) -> None:
    """Day ticks written 3月5日 (the year once in the title), at most ``max_ticks``, never overlapping:
    the axis spans exactly the data's days and ticks fall on whole days a fixed step apart."""
    from matplotlib.dates import DayLocator, date2num
    from matplotlib.ticker import FuncFormatter

    span = (last - first).days + 1
    step = max(1, -(-span // max_ticks))
    ax.xaxis.set_major_locator(DayLocator(interval=step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _day_zh(_num_day(x))))
    ax.set_xlim(date2num(first) - 0.6, date2num(last) + 0.6)
    for label in ax.get_xticklabels():
        label.set_rotation(0)


def _num_day(x: float) -> dt.date:
    from matplotlib.dates import num2date

    return num2date(x).date()


def _empty(ax: Any, title: str) -> None:
    ax.set_title(title)
    ax.text(0.5, 0.5, "没有可显示的联系记录", ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_axis_off()


# --------------------------------------------------------------------------- charts


def contacts_per_day(stats: ContactStats, *, fmt: Fmt = "png", dpi: int = 150) -> bytes:
    """Bars per local day, calls/SMS/other stacked; days with third-party contacts marked in red."""
    fig, ax = _figure(9, 3.6)
    title = "每日催收联系次数"
    if not stats.per_day:
        _empty(ax, title)
        return _save(fig, fmt, dpi)
    first, last = stats.first_day, stats.last_day
    assert first is not None and last is not None
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    bottom = [0] * len(days)
    for g in GROUP_ORDER:
        vals = [stats.per_day.get(d, Counter())[g] for d in days]
        if any(vals):
            ax.bar(days, vals, bottom=bottom, width=0.85, color=GROUP_COLOURS[g], label=g)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    tp_days = [d for d in days if stats.third_party_per_day.get(d)]
    if tp_days:
        top = max(bottom) or 1
        idx = {d: i for i, d in enumerate(days)}
        ax.scatter(
            tp_days,
            [bottom[idx[d]] + top * 0.06 for d in tp_days],
            marker="v",
            color=THIRD_PARTY_COLOUR,
            s=28,
            zorder=3,
            label=f"联系第三方（共 {sum(stats.third_party_per_day.values())} 次）",
        )
        ax.set_ylim(0, top * 1.18)
    ax.set_title(
        f"{title}（{_day_zh(first, year=True)}至{_day_zh(last, year=True)}，共 {stats.total} 次，{zone_zh(stats.tz)}）"
    )
    ax.set_ylabel("次数")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts are whole numbers
    # the legend sits under the date axis, so it never covers a bar or the title
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=4, fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    _date_axis(ax, first, last)
    return _save(fig, fmt, dpi)


def _hours(t: dt.time) -> float:
    return t.hour + t.minute / 60 + t.second / 3600


def hour_weekday_heatmap(
    stats: ContactStats,
    *,
    night: tuple[dt.time, dt.time] | None = None,
    night_label: str | None = None,
    fmt: Fmt = "png",
    dpi: int = 150,
) -> bytes:
    """Contacts by hour of day × weekday (local time); the night window is shaded when given."""
    fig, ax = _figure(9, 3.4)
    title = "联系时间分布（星期 × 小时）"
    if stats.total == 0:
        _empty(ax, title)
        return _save(fig, fmt, dpi)
    from matplotlib.colors import BoundaryNorm
    from matplotlib.ticker import MaxNLocator

    top = max(1, max(max(r) for r in stats.heat))
    cmap = matplotlib.colormaps["Oranges"]
    # whole numbers of contacts: up to 8, one colour per count (0, 1, 2 …); above, a continuous scale with whole ticks
    norm = BoundaryNorm([i - 0.5 for i in range(top + 2)], cmap.N) if top <= 8 else None
    im = ax.imshow(
        stats.heat,
        aspect="auto",
        cmap=cmap,
        extent=(0, 24, 7, 0),
        interpolation="nearest",
        norm=norm,
        vmin=None if norm else 0,
        vmax=None if norm else top,
    )
    cb = fig.colorbar(im, ax=ax, pad=0.01)
    cb.locator = MaxNLocator(integer=True)
    cb.update_ticks()
    cb.set_label("次数")
    if night is not None:
        s, e = _hours(night[0]), _hours(night[1])
        spans = [(s, e)] if s < e else [(s, 24.0), (0.0, e)]
        label = night_label or f"夜间 {night[0]:%H:%M}–{night[1]:%H:%M}"
        for i, (a, b) in enumerate(spans):
            ax.axvspan(
                a,
                b,
                facecolor="none",
                edgecolor="#204a87",
                hatch="///",
                linewidth=0,
                alpha=0.55,
                label=label if i == 0 else None,
            )
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8, frameon=False)
    ax.set_xticks(range(0, 25, 2))
    ax.set_yticks([i + 0.5 for i in range(7)], WEEKDAYS_ZH)
    ax.set_xlabel(f"小时（{zone_zh(stats.tz)}）")
    ax.set_title(title)
    return _save(fig, fmt, dpi)


def numbers_over_time(stats: ContactStats, *, max_numbers: int = 40, fmt: Fmt = "png", dpi: int = 150) -> bytes:
    """One row per number: the days it contacted (dot size = contacts that day), coloured by signature/lender."""
    ranked = sorted(stats.numbers.items(), key=lambda kv: (-kv[1].count, kv[0]))[:max_numbers]
    height = min(2.2 + 0.22 * len(ranked), 11.0)
    fig, ax = _figure(9, height)
    title = "使用的号码及时间（按署名/机构分组）"
    if not ranked:
        _empty(ax, title)
        return _save(fig, fmt, dpi)
    groups = sorted({nu.group for _, nu in ranked}, key=lambda g: (g == NO_GROUP, g))
    ordered = sorted(ranked, key=lambda kv: (groups.index(kv[1].group), kv[1].first, kv[0]))
    cmap = matplotlib.colormaps["tab10"]
    colour = {g: cmap(i % 10) for i, g in enumerate(groups)}
    seen: set[str] = set()
    for y, (_number, nu) in enumerate(ordered):
        ax.plot([nu.first, nu.last], [y, y], color=colour[nu.group], alpha=0.35, linewidth=1)
        days = sorted(nu.days)
        ax.scatter(
            days,
            [y] * len(days),
            s=[min(10 + 6 * nu.days[d], 80) for d in days],
            color=colour[nu.group],
            label=None if nu.group in seen else nu.group,
            zorder=3,
        )
        seen.add(nu.group)
    ax.set_yticks(range(len(ordered)), [display_number(n) for n, _ in ordered], fontsize=7)
    ax.invert_yaxis()
    shown = f"，显示联系最多的 {len(ordered)} 个" if len(stats.numbers) > len(ordered) else ""
    ax.set_title(f"{title}（共 {len(stats.numbers)} 个号码{shown}）")
    # outside the plot on the right, so it never covers a number's dots
    ax.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="署名/机构", title_fontsize=8, frameon=False
    )
    ax.grid(axis="x", alpha=0.3)
    days = [d for _, nu in ordered for d in (nu.first, nu.last)]
    _date_axis(ax, min(days), max(days))
    return _save(fig, fmt, dpi)
