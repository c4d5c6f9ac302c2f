"""Chapter 4's models: CPU virtualization on the real VMMs of vlab/hardware/.

* ``microbench.py``: Adams & Agesen (ASPLOS 2006) style microbenchmark guests -- a tiny
  S-mode kernel doing one operation in a loop -- and their per-operation cost, bare,
  under trap-and-emulate, binary translation and the H extension (``hw``);
* ``trap_step.py``: one privileged instruction stepped through a VM exit and back;
* ``equivalence.py``: the non-virtualizable switch and who it breaks;
* ``classification.py``: Popek & Goldberg's sensitive/privileged table;
* ``architectures.py``: the drawing of native, hosted and dual-mode VMs;
* ``kernel_runs.py``: one user program on the C guest kernel, trap-emulate/paravirt/hw;
* ``microbench_chart.py``: the microbenchmark experiment (exit-price slider), tables;
* ``exercises.py``: the grading hook for a student's ``csrrw`` emulator.
"""
