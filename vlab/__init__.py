"""vlab: a course on virtualization that runs.

Every level of virtualization (Hwang, Dongarra & Fox, *Distributed and Cloud
Computing*, 2011, ch. 3) is a sub-package, and all of them run on one modeled
host:

- :mod:`vlab.host`        the modeled physical machine (memory, bus, devices, cost ledger)
- :mod:`vlab.isa`         level 1, instruction set: RV32 table, assembler, interpreter, DBT
- :mod:`vlab.hardware`    level 2, hardware abstraction: hypervisors, shadow/nested paging
- :mod:`vlab.os`          level 3, operating system: host kernel and containers
- :mod:`vlab.library`     level 4, user-level API: hooks, WINE-like and vCUDA-like layers
- :mod:`vlab.application` level 5, application: an HLL VM and application sandboxing
- :mod:`vlab.datacenter`  consolidation, growth and cost models
- :mod:`vlab.lab`         what the chapters use, by topic: plots, widgets, experiments
- :mod:`vlab.course`      course infrastructure: notebook execution, self-check, grading

Arrows point down: a level may use the host and the levels below it, never
above; :mod:`vlab.lab` sits on top of all of them (ARCHITECTURE.md).
"""

__version__ = "0.1.0"
