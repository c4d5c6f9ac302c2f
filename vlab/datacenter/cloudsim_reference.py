"""CloudSim's own results on the included days: the reference vlab's simulator is checked against.

Measured for vlab by building CloudSim 5.0 (git tag ``5.0`` of github.com/Cloudslab/cloudsim:
the ``cloudsim`` core and ``examples/power/planetlab``, compiled with OpenJDK 17 ``javac``
against Apache Commons Math 3.6.1) and running its PlanetLab examples
(``PlanetLabRunner``: 800 hosts, MMT selection, the examples' parameters) on the trace
directories packed here.  CloudSim took the files in ``File.listFiles()`` order, the
``listing`` recorded in each ``cpu.npz``; compare with
``simulate(load_day(day, order="directory"), policy, cloudsim=True)``.

Values: energy (kWh), VM migrations, SLATAH and PDM (fractions), as CloudSim's
``Helper.printResults`` prints them (SLATAH and PDM to two decimals of a percent).
"""

from __future__ import annotations

#: day -> policy -> (energy kWh, migrations, SLATAH, PDM)
CLOUDSIM_5_0: dict[str, dict[str, tuple[float, int, float, float]]] = {
    "20110303": {
        "dvfs": (764.96, 0, 0.0, 0.0),
        "thr": (198.08, 27728, 0.0500, 0.0007),
        "iqr": (193.63, 27592, 0.0502, 0.0007),
        "mad": (189.79, 27781, 0.0509, 0.0007),
        "lr": (167.83, 27649, 0.0572, 0.0008),
        "lrr": (167.83, 27649, 0.0572, 0.0008),
    },
    "20110306": {
        "dvfs": (618.28, 0, 0.0, 0.0),
        "thr": (150.70, 21575, 0.0521, 0.0008),
        "iqr": (147.93, 21748, 0.0531, 0.0008),
        "mad": (145.85, 22129, 0.0540, 0.0008),
        "lr": (127.98, 21661, 0.0599, 0.0008),
        "lrr": (127.98, 21661, 0.0599, 0.0008),
    },
}
