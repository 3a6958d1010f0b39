"""Charts drawn by the server as inline SVG: no script, no style attribute (the site's CSP
allows neither), readable without the picture. Each chart is an <svg role="img"> with a
<title> and a <desc> that says its figures; pages put the same figures in a table beside
it for screen readers and for copying.

Colours are presentation attributes (fill), not styles, so the strict CSP holds; the
stylesheet may still override them through the classes given."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str = ""  # what the bar's end says; the value when empty


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str = "",
    width: int = 560,
    label_width: int = 200,
    bar_height: int = 22,
    gap: int = 8,
    css_class: str = "chart",
) -> SafeString:
    """One bar per row, longest value spanning the plot; labels before the bars, values
    after them. In a right-to-left page the browser mirrors nothing inside an SVG, so
    the labels stay at the start of each row as drawn (the figures read the same)."""
    plot = width - label_width - 60
    top = max((bar.value for bar in bars), default=0) or 1
    height = len(bars) * (bar_height + gap) + gap
    rows = []
    for index, bar in enumerate(bars):
        y = gap + index * (bar_height + gap)
        length = max(0.0, bar.value) / top * plot
        baseline = f"{y + bar_height * 0.7:.1f}"
        rows.append(
            (
                label_width - 8,
                baseline,
                bar.label,
                label_width,
                y,
                f"{length:.1f}",
                bar_height,
                f"{label_width + length + 6:.1f}",
                baseline,
                bar.text or _number(bar.value),
            )
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" class="chart-bar" fill="#1f5f99"/>'
        '<text x="{}" y="{}" class="chart-value">{}</text>',
        rows,
    )
    summary = description or "; ".join(
        f"{bar.label}: {bar.text or _number(bar.value)}" for bar in bars
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" role="img" viewBox="0 0 {} {}"'
        ' width="{}" height="{}" font-size="13" font-family="sans-serif">'
        "<title>{}</title><desc>{}</desc>{}</svg>",
        css_class,
        width,
        height,
        width,
        height,
        title,
        summary,
        body,
    )


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
