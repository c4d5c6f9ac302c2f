"""A JVM/CLR-like high-level-language VM for a subset of Python.

Pipeline (Smith & Nair, *Virtual Machines*, 2005, ch. 6; Lindholm et al., *The Java Virtual
Machine Specification*): ``syntax`` checks the source subset, ``compiler`` emits class files
(``classfile``, ``constpool``, ``opcodes``), ``loader`` loads them through class loaders,
``verifier`` type-checks the bytecode, ``interpreter`` runs it over a managed ``heap``
collected by ``gc``, ``jit`` compiles hot methods to Python, and ``natives`` reach the
outside world only through a ``host`` interface checked by a ``policy``. ``vm`` is the facade.
"""

from .compiler import compile_source  # noqa: E402
from .host import HostInterface, MemoryHost  # noqa: E402
from .policy import Policy  # noqa: E402
from .vm import VM, RunResult  # noqa: E402

__all__ = ["VM", "RunResult", "Policy", "HostInterface", "MemoryHost", "compile_source"]
