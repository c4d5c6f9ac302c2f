"""Growth and cost of data centers: the numbers behind the lecture's chart.

The lecture (after Hwang, Dongarra & Fox, *Distributed and Cloud Computing*, 2011,
sec. 3.5, which redraws an IDC chart) shows customer spending on servers, on power and
cooling, and on management growing over the years beside the installed base of
servers.  We redraw it only from numbers we can cite; each row names its source and
says whether the value is published, a forecast, or derived here (and how):

- Scaramella, *Worldwide Server Power and Cooling Expense 2006-2010 Forecast*, IDC
  #203598, Sept. 2006: "In 2005, $26.1 billion was spent to power and cool the
  worldwide installed base of servers ... more than double the cost from 10 years ago
  of $10.3 billion"; forecast: 11.2 % a year to $44.5 billion in 2010, "equal to 70 %
  of the overall new server spending in 2010", growing four times faster than new
  server spending.
- Koomey, *Estimating total power consumption by servers in the U.S. and the world*,
  LBNL, 2007 (from IDC's installed-base data): 14.1 million servers worldwide in 2000,
  27.3 million in 2005.

Management and administration, the third and largest bar of IDC's chart, has no
published figure in these sources, so it is not drawn (the chapter says so).
"""

from __future__ import annotations

from dataclasses import dataclass

SCARAMELLA = "Scaramella, IDC #203598 (2006)"
KOOMEY = "Koomey, LBNL (2007), from IDC data"


@dataclass(frozen=True)
class Figure:
    """One number: ``series`` in ``unit`` for ``year``; ``kind`` is published/forecast/derived."""

    series: str
    year: int
    value: float
    unit: str
    kind: str
    source: str


#: Power-and-cooling growth rate the forecast uses (per year).
POWER_COOLING_CAGR = 0.112
#: Ratio of the two growth rates in the forecast (power and cooling / new servers).
GROWTH_RATIO = 4.0

_SERVER_2010 = 44.5 / 0.70
_SERVER_CAGR = POWER_COOLING_CAGR / GROWTH_RATIO

TABLE: tuple[Figure, ...] = (
    Figure("power and cooling", 1995, 10.3, "$B", "published", SCARAMELLA),
    Figure("power and cooling", 2005, 26.1, "$B", "published", SCARAMELLA),
    Figure("power and cooling", 2010, 44.5, "$B", "forecast", SCARAMELLA),
    Figure("new server spending", 2005, round(_SERVER_2010 / (1 + _SERVER_CAGR) ** 5, 1), "$B",
           "derived: 2010 value over (1 + 11.2 %/4)^5", SCARAMELLA),
    Figure("new server spending", 2010, round(_SERVER_2010, 1), "$B",
           "derived: $44.5B / 0.70", SCARAMELLA),
    Figure("installed servers", 2000, 14.1, "million", "published", KOOMEY),
    Figure("installed servers", 2005, 27.3, "million", "published", KOOMEY),
)


def series(name: str) -> list[Figure]:
    """The rows of one series, by year."""
    rows = sorted((f for f in TABLE if f.series == name), key=lambda f: f.year)
    if not rows:
        known = sorted({f.series for f in TABLE})
        raise KeyError(f"no series {name!r}; known: {', '.join(known)}")
    return rows


def sources() -> list[str]:
    return sorted({f.source for f in TABLE})


def growth_factor(name: str, start: int, end: int) -> float:
    """How many times a series grew between two years of the table."""
    by_year = {f.year: f.value for f in series(name)}
    return by_year[end] / by_year[start]
