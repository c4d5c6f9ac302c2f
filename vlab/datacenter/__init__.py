"""Data centers: growth and cost, and server consolidation on real traces.

- :mod:`.growth`: the growth and cost breakdown of data centers (IDC figures as cited
  by Hwang et al. 2011, sec. 3.5), every number with its source;
- :mod:`.traces`: PlanetLab CPU traces as CloudSim ships them (two days included);
- :mod:`.power_models`, :mod:`.fleet`: hosts (SPECpower tables, linear models), VM types;
- :mod:`.detection`, :mod:`.placement`, :mod:`.consolidation`: the policies of
  Beloglazov & Buyya 2012 (overload detection, MMT selection, PABFD placement);
- :mod:`.migration_cost`: CloudSim's migration-time and degradation model;
- :mod:`.simulator`: one day, one policy -> energy, SLATAH, PDM, SLAV, migrations.
"""
