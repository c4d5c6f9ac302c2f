"""HLL programs as virtual applications: package a program, run it from its package.

The two forms of application-level virtualization in the lecture meet here.
:func:`package_program` compiles a subset-Python program with the HLL VM's
compiler and packs its class files (plus any data files) into a ``.vapp``
package whose launch set is the class files.  :func:`run_app` runs a launched
application on a fresh :class:`~vlab.application.hll.vm.VM` whose class path is
the streamed package and whose host interface is the application's sandboxed
file system, so

* classes are fetched from the server the first time the loader asks,
* every file the program writes lands in the application's sandbox layer,
* nothing is installed on, or written to, the workstation.

The VM's capability policy still applies on top (default here: allow every
path, because the sandbox, not the policy, is what keeps the host intact;
pass a stricter :class:`~vlab.application.hll.policy.Policy` to combine both).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vlab.application.hll import classfile
from vlab.application.hll.compiler import compile_source
from vlab.application.hll.loader import EXTENSION
from vlab.application.hll.policy import Policy
from vlab.application.hll.vm import VM, RunResult
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.packager import DEFAULT_BLOCK_SIZE, build_package
from vlab.application.sandbox.streaming import FetchEvent
from vlab.application.sandbox.workstation import VirtualApp

CLASS_DIRECTORY = "classes"


def package_program(
    source: str,
    name: str,
    *,
    files: Mapping[str, bytes] | None = None,
    launch: Sequence[str] | None = None,
    isolation: Mapping[str, str] | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Package:
    """Compile ``source`` (module ``name``) and pack its class files with ``files``.

    The entry class is the module class; the launch set defaults to every
    class file.  Compile errors are the compiler's (line, column, construct).
    """
    classes = compile_source(source, f"{name}.py")
    class_files = {f"{CLASS_DIRECTORY}/{c.name}{EXTENSION}": classfile.write(c) for c in classes}
    return build_package(
        {**class_files, **(files or {})}, name,
        entry=classes[0].name,
        launch=list(class_files) if launch is None else list(launch),
        isolation=isolation, block_size=block_size,
    )


@dataclass
class AppRun:
    """What one run of a sandboxed HLL application produced and cost."""

    result: RunResult
    output: str
    fetches: list[FetchEvent]
    classes_loaded: list[str]
    sandbox_changes: list[tuple[str, str]]

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


def run_app(
    app: VirtualApp,
    *,
    policy: Policy | None = None,
    heap_limit: int = 16 * 2**20,
    jit: bool = True,
    max_instructions: int = 10**7,
    ledger=None,
) -> AppRun:
    """Run ``app``'s entry class on a new VM over its package and sandbox.

    ``ledger`` (a :class:`~vlab.host.ledger.Ledger`) is charged with the VM's work;
    give the workstation the same ledger to see streaming beside it.
    """
    host = app.host()
    class_path = app.class_path()
    first_event = len(app.stats.events)
    vm = VM(class_path, heap_limit=heap_limit, jit=jit, host=host,
            policy=Policy.allow_all() if policy is None else policy,
            max_instructions=max_instructions, ledger=ledger)
    result = vm.run(app.manifest.entry)
    result.output = host.output()
    return AppRun(result, host.output(), app.stats.events[first_event:],
                  list(class_path.loaded), app.sandbox.changes())
