"""The lecture's chart: data-center spending and installed servers over the years.

Redrawn from :mod:`vlab.datacenter.growth` only: bars for power and cooling and for
new server spending (published, forecast or derived values, marked), a line for the
installed base of servers, and the sources under the figure.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from vlab.datacenter import growth
from vlab.lab.style import HIGHLIGHT, LEVEL_COLORS, ROLE_COLORS, new_figure, styled

BAR_WIDTH = 1.6


@styled
def plot_growth() -> Figure:
    """Customer spending ($B) as bars, installed servers (millions) as a line."""
    fig, ax = new_figure("column")
    colors = {"new server spending": ROLE_COLORS["hardware"], "power and cooling": HIGHLIGHT}
    offsets = {"new server spending": -BAR_WIDTH / 2, "power and cooling": BAR_WIDTH / 2}
    for name, color in colors.items():
        rows = growth.series(name)
        for row in rows:
            hatch = "" if row.kind == "published" else "//"
            ax.bar(row.year + offsets[name], row.value, BAR_WIDTH, color=color,
                   hatch=hatch, edgecolor="#222222", linewidth=0.6)
            ax.annotate(f"{row.value:g}", (row.year + offsets[name], row.value),
                        ha="center", va="bottom", fontsize=9)
    handles = [Patch(color=color, label=f"{name} ($B)") for name, color in colors.items()]
    handles.append(Patch(facecolor="white", hatch="//", edgecolor="#222222",
                         label="forecast or derived (hatched)"))
    ax.set_ylabel("customer spending ($B)")
    ax.set_xticks([1995, 2000, 2005, 2010])
    ax.set_xlabel("year\nSources: " + "; ".join(growth.sources()), fontsize=9)
    ax.set_xlim(1992, 2013)
    ax.set_ylim(0, 80)
    servers = growth.series("installed servers")
    twin = ax.twinx()
    twin.plot([r.year for r in servers], [r.value for r in servers], "o-",
              color=LEVEL_COLORS["isa"], lw=2, label="installed servers (millions)")
    twin.set_ylabel("installed servers (millions)")
    twin.set_ylim(0, 40)
    ax.legend(handles=handles + twin.get_legend_handles_labels()[0], loc="upper left",
              fontsize=9)
    factor = growth.growth_factor("power and cooling", 1995, 2005)
    ax.set_title(f"Power and cooling: x{factor:.1f} in ten years; servers: x1.9 in five")
    return fig
