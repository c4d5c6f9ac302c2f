"""Oracles for chapter 8's exercises: real runs of the translation library and of the
remoting model, not tables of answers."""

from __future__ import annotations

from vlab.library.accel.workload import run_workload
from vlab.library.foreign import kernel32
from vlab.library.foreign.run import UnimplementedApi, run_foreign

from .programs import fresh_root, win32_program

EXPECTED_OUTPUT = ("Hello from a PE program\nwritten by WriteFile\n"
                   "missing.txt: ERROR_FILE_NOT_FOUND\nticks: under a second since boot\n")


def run_with(functions: dict) -> dict:
    """Run the chapter's Win32 program with ``functions`` (Win32 name -> Python function
    ``f(w, *args)``) in place of the library's own; what happened, as a dict."""
    library = dict(kernel32.API)
    for name, function in functions.items():
        if name not in library:
            return {"error": f"{name} is not a function of the translation library"}
        library[name] = (library[name][0], function)
    root = fresh_root()
    try:
        run = run_foreign(win32_program(), root=root, library=library)
    except UnimplementedApi as exc:
        return {"error": str(exc)}
    except Exception as exc:                      # the student's function failed
        return {"error": f"{type(exc).__name__}: {exc}"}
    note = root / "note.txt"
    return {"error": None, "output": run.stdout.decode("latin-1"), "exit_code": run.exit_code,
            "note": note.read_text() if note.exists() else None,
            "log": [(t.call.split("(")[0], t.result, t.posix) for t in run.log]}


class _NoMemory:
    def string(self, address):
        raise AssertionError(f"the function read guest memory at {address:#x}")

    read = write = string


def probe(function, *args) -> dict:
    """Call a translation-library function outside any program, with POSIX calls that
    succeed (returning 0) and are recorded: its result, last error and POSIX calls."""
    calls = []

    def posix(name, *posix_args):
        calls.append(name)
        return 0

    process = kernel32.Win32Process(posix, _NoMemory())
    try:
        result = function(process, *args)
    except AssertionError as exc:
        return {"error": str(exc)}
    return {"error": None, "result": result, "last_error": process.last_error,
            "posix": calls}


def measured_overhead(kernel: str, n: int, launches: int = 1) -> dict:
    """The workload's API calls, bytes marshaled, and the cycles remoting from a VM adds
    (VM run minus native run), measured on the model."""
    vm, native = run_workload(kernel, n, "vm", launches), run_workload(kernel, n, "native",
                                                                        launches)
    return {"calls": vm.calls, "bytes": vm.bytes_moved, "extra_cycles": vm.cycles - native.cycles}
