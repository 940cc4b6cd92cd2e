"""Inline SVG charts rendered on the server: nothing to ship to the browser, nothing to fetch."""

from __future__ import annotations

from collections.abc import Sequence

from agentel.ui.markup import Markup, escape, join, render

CHAR_PX = 7.0  # an upper bound of an 11px sans-serif character's advance (ui.css: svg .axis)
LABEL_CHARS = 24  # longer axis labels are cut with "…"; the whole label is in the tooltip


def fit(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters, the cut marked with "…"."""
    text = str(text)
    return text if len(text) <= chars else text[: max(chars - 1, 1)] + "…"


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str, unit: str = "") -> Markup:
    """A vertical bar chart of ``values`` with a label under each bar and the value in its tooltip.

    Labels never overlap: they are cut to LABEL_CHARS (the whole label in a tooltip); when the
    longest no longer fits under its bar they are turned upright (the chart grows downward to
    hold them), and when even upright ones would touch, only every k-th bar is labelled.
    """
    width, height, pad, top = 720, 220, 40, 24
    n = max(len(values), 1)
    peak = max([v for v in values if v is not None] + [0.0]) or 1.0
    slot = (width - 2 * pad) / n
    shown = [fit(str(label), LABEL_CHARS) for label in labels]
    longest = max((len(t) for t in shown), default=0) * CHAR_PX
    upright = longest > slot - 4
    line = 14.0  # an upright label's thickness, with a gap
    step = max(1, -(-int(line) // max(int(slot), 1))) if upright else 1
    below = (longest + 12) if upright else 18
    base = height - pad
    bars = []
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        v = v or 0.0
        h = (height - top - pad) * (v / peak)
        x = pad + i * slot + slot * 0.1
        y = base - h
        bars.append(
            render(
                '<rect class="bar" x="$x" y="$y" width="$w" height="$h"><title>$label: $v$unit</title></rect>',
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                w=f"{slot * 0.8:.1f}",
                h=f"{h:.1f}",
                label=label,
                v=f"{v:.6g}",
                unit=unit,
            )
        )
        if i % step:
            continue
        cx = x + slot * 0.4
        if upright:
            bars.append(
                render(
                    '<text class="axis" x="$x" y="$y" text-anchor="end" transform="rotate(-90 $x $y)">'
                    "<title>$label</title>$text</text>",
                    x=f"{cx + 4:.1f}",
                    y=base + 6,
                    label=label,
                    text=shown[i],
                )
            )
        else:
            bars.append(
                render(
                    '<text class="axis" x="$x" y="$y" text-anchor="middle"><title>$label</title>$text</text>',
                    x=f"{cx:.1f}",
                    y=base + 14,
                    label=label,
                    text=shown[i],
                )
            )
    total_h = int(base + below + 4)
    return render(
        '<svg class="chart" role="img" viewBox="0 0 $w $h" width="$w" height="$h">'
        '<title>$title</title><text class="chart-title" x="$pad" y="16">$title (max $peak$unit)</text>'
        '<line class="axis-line" x1="$pad" y1="$base" x2="$right" y2="$base"/>$bars</svg>',
        w=width,
        h=total_h,
        title=title,
        pad=pad,
        peak=f"{peak:.6g}",
        unit=unit,
        base=base,
        right=width - pad,
        bars=join(bars),
    )


def timeline(rows: Sequence[tuple[int, str, int, int, bool]], *, t0: int, total_ns: int) -> Markup:
    """A span timeline: one bar per (depth, name, start_ns, duration_ns, is_error) row, in order."""
    width, row_h, label_w = 900, 22, 300
    total = max(total_ns, 1)
    scale = (width - label_w - 10) / total
    parts = []
    for i, (depth, name, start, dur, err) in enumerate(rows):
        y = i * row_h
        indent = min(depth, 12) * 14
        x = label_w + (start - t0) * scale
        parts.append(
            render(
                '<text class="span-label" x="$lx" y="$ty"><title>$name</title>$short</text>'
                '<rect class="$cls" x="$x" y="$y" width="$w" height="14">'
                "<title>$name: $ms ms</title></rect>",
                lx=4 + indent,
                ty=y + 13,
                name=name,
                short=fit(name, max(int((label_w - 12 - indent) / CHAR_PX), 4)),
                cls="span-bar error" if err else "span-bar",
                x=f"{x:.1f}",
                y=y + 2,
                w=f"{max(dur * scale, 1.0):.1f}",
                ms=f"{dur / 1e6:.1f}",
            )
        )
    return render(
        '<svg class="timeline" role="img" viewBox="0 0 $w $h" width="$w" height="$h">$parts</svg>',
        w=width,
        h=max(len(rows), 1) * row_h + 4,
        parts=join(parts),
    )


__all__ = ["bar_chart", "escape", "timeline"]
