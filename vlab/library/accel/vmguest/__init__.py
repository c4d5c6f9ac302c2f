"""The accelerator remoted from inside a whole VM (vCUDA): guest side and run helpers.

``vcuda_virtio.c`` is the bare-metal guest's cuda.h library over the accelerator's
virtio device; ``build.py`` builds a program for the VM or natively from one source;
``run.py`` boots it in a VirtualMachine (``--cpu hw``) with the device attached.
(A package, not ``guest/``: ``vlab.library.accel.guest`` is already the module that
runs accelerator programs on the host kernel.)
"""

from .build import DEMOS, build_native_program, build_vm_program
from .run import AccelVmRun, accel_device, run_in_vm

__all__ = ["DEMOS", "AccelVmRun", "accel_device", "build_native_program",
           "build_vm_program", "run_in_vm"]
