"""Application-level virtualization: the HLL VM and application sandboxing (chapter 9).

Hwang, Dongarra & Fox (2011), sec. 3.1.2.5.  One module per experiment, each a model
function (deterministic), a plot and a describe function wired by
:class:`vlab.lab.experiment.Experiment`:

- :mod:`.stepping`            step a compiled program and watch its operand stack;
- :mod:`.tampering`           change bytes of a class file and let the verifier judge;
- :mod:`.garbage_collection`  heap occupancy and collections over a run, per heap limit;
- :mod:`.hotness`             modeled JIT speedup as a method gets hotter;
- :mod:`.two_vms`             one class file, two differently configured VMs;
- :mod:`.sandbox_layers`      where a sandboxed application's files live (layers);
- :mod:`.package_streaming`   which package blocks a launch fetched, and when.

:mod:`.programs` holds the guest programs and files; :mod:`.exercises` the oracles of the
exercises.  The models drive :mod:`vlab.application.hll` and
:mod:`vlab.application.sandbox`; nothing here measures wall-clock time.
"""
