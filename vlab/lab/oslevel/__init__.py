"""Chapter 7's experiments: OS-level virtualization (containers), one file per experiment.

Each module follows :mod:`vlab.lab.experiment`: a model function returning data from a
real run of :mod:`vlab.os` (the multi-process kernel, its namespaces and cgroups, the
copy-on-write layer store), a plot function and a describe function.
"""
