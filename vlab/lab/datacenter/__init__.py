"""Chapter 11's experiments: data-center growth and cost, server consolidation.

- :mod:`.growth_chart`: the lecture's growth-and-cost chart, redrawn from cited numbers;
- :mod:`.consolidation_view`: Beloglazov & Buyya's policies on a PlanetLab day, the
  host power-model slider, utilization before and after consolidation.

The models are in :mod:`vlab.datacenter`; here are only runs, plots and descriptions.
"""
