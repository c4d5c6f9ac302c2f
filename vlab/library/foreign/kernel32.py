"""KERNEL32.dll on POSIX: the Win32 functions a foreign program may import, each
implemented with system calls of the host kernel -- WINE's approach (Amstadt & Johnson,
"Wine", Linux Journal 1994; the WINE project's dlls/kernel32).

One function per Win32 function, registered with its real prototype (Microsoft Learn,
Win32 API reference).  Each receives the call's arguments (the a0-a7 registers of the
RISC-V calling convention) and a :class:`Win32Process` through which it makes POSIX
calls (``posix("openat", ...)``, recorded, so the runner can show each Win32 call beside
the POSIX calls it became) and keeps the Win32 state POSIX has no word for: handles,
the last-error value, the process heap.

Simplified: handles are small multiples of 4 mapped to descriptors; the heap is a
first-fit allocator in Python over memory the program gets with ``brk``; ANSI (``A``)
functions only; no overlapped I/O.
"""

from __future__ import annotations

import struct

from vlab.os.errno import EACCES, EBADF, EEXIST, EINVAL, EISDIR, ENOENT, ENOMEM, ENOSPC, ENOTDIR
from vlab.os.vfs.constants import AT_FDCWD, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY

MASK = 0xFFFF_FFFF
INVALID_HANDLE_VALUE = MASK
STD_HANDLES = {(-10) & MASK: 0, (-11) & MASK: 1, (-12) & MASK: 2}
GENERIC_READ, GENERIC_WRITE = 0x8000_0000, 0x4000_0000
HEAP_ZERO_MEMORY = 0x8
PROCESS_HEAP = 0x0015_0000

# Win32 error codes (winerror.h) for the errno a POSIX call failed with
ERROR_OF_ERRNO = {ENOENT: 2, ENOTDIR: 3, EACCES: 5, EISDIR: 5, EBADF: 6, ENOMEM: 8,
                  EEXIST: 80, EINVAL: 87, ENOSPC: 112}
ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY = 6, 87, 8

# dwCreationDisposition -> open flags (fileapi.h CreateFileA, "dwCreationDisposition")
DISPOSITION = {1: O_CREAT | O_EXCL, 2: O_CREAT | O_TRUNC, 3: 0, 4: O_CREAT, 5: O_TRUNC}

API: dict[str, tuple[str, object]] = {}


def win32(prototype: str):
    """Register a Win32 function under the name in its C ``prototype``."""
    def register(function):
        name = prototype.split("(")[0].split()[-1]
        API[name] = (prototype, function)
        return function
    return register


class Win32Process:
    """The Win32 view of one host process: handles, last error, heap, a call log."""

    def __init__(self, posix, memory):
        self.posix_call = posix            # (name, *args) -> signed result
        self.memory = memory               # read(addr, n), write(addr, data), string(addr)
        self.handles = {4 * (fd + 1): fd for fd in range(3)}
        self.last_error = 0
        self.heap_blocks: dict[int, int] = {}
        self.heap_free: list[tuple[int, int]] = []
        self.translated: list[str] = []    # POSIX calls of the current Win32 call

    def posix(self, name: str, *args) -> int:
        result = self.posix_call(name, *args)
        self.translated.append(f"{name}({', '.join(_show(a) for a in args)}) = {result}")
        return result

    def fail(self, errno_or_code: int, *, win32_code: bool = False) -> None:
        self.last_error = errno_or_code if win32_code else ERROR_OF_ERRNO.get(errno_or_code,
                                                                               31)

    def fd(self, handle: int) -> int | None:
        return self.handles.get(handle)

    def new_handle(self, fd: int) -> int:
        handle = 4 * (fd + 1)
        self.handles[handle] = fd
        return handle


class CString(int):
    """A guest address passed to a POSIX call, shown as the C string it points to."""

    def __new__(cls, address: int, text: str):
        self = super().__new__(cls, address)
        self.text = text
        return self


def _show(value) -> str:
    if isinstance(value, CString):
        return f'"{value.text}"'
    value &= MASK
    if value >= 0xFFFF_0000:                     # a small negative number (AT_FDCWD, -1)
        return str(value - (1 << 32))
    return f"{value:#x}" if value > 0xFFFF else str(value)


def _store_dword(w: Win32Process, address: int, value: int) -> None:
    if address:
        w.memory.write(address, struct.pack("<I", value & MASK))


@win32("HANDLE GetStdHandle(DWORD nStdHandle)")
def GetStdHandle(w, n_std):
    fd = STD_HANDLES.get(n_std)
    if fd is None:
        w.fail(ERROR_INVALID_HANDLE, win32_code=True)
        return INVALID_HANDLE_VALUE
    return 4 * (fd + 1)


def _write(w, handle, buffer, count, written_out):
    fd = w.fd(handle)
    if fd is None:
        w.fail(ERROR_INVALID_HANDLE, win32_code=True)
        return 0
    result = w.posix("write", fd, buffer, count)
    if result < 0:
        w.fail(-result)
        return 0
    _store_dword(w, written_out, result)
    return 1


@win32("BOOL WriteConsoleA(HANDLE hConsoleOutput, const VOID *lpBuffer, "
       "DWORD nNumberOfCharsToWrite, LPDWORD lpNumberOfCharsWritten, LPVOID lpReserved)")
def WriteConsoleA(w, handle, buffer, count, written_out, _reserved):
    return _write(w, handle, buffer, count, written_out)


@win32("BOOL WriteFile(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite, "
       "LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped)")
def WriteFile(w, handle, buffer, count, written_out, _overlapped):
    return _write(w, handle, buffer, count, written_out)


@win32("BOOL ReadFile(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, "
       "LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped)")
def ReadFile(w, handle, buffer, count, read_out, _overlapped):
    fd = w.fd(handle)
    if fd is None:
        w.fail(ERROR_INVALID_HANDLE, win32_code=True)
        return 0
    result = w.posix("read", fd, buffer, count)
    if result < 0:
        w.fail(-result)
        return 0
    _store_dword(w, read_out, result)
    return 1


@win32("HANDLE CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode, "
       "LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition, "
       "DWORD dwFlagsAndAttributes, HANDLE hTemplateFile)")
def CreateFileA(w, name, access, _share, _security, disposition, _flags, _template):
    if disposition not in DISPOSITION:
        w.fail(ERROR_INVALID_PARAMETER, win32_code=True)
        return INVALID_HANDLE_VALUE
    both = GENERIC_READ | GENERIC_WRITE
    mode = (O_RDWR if access & both == both else O_WRONLY if access & GENERIC_WRITE
            else O_RDONLY)
    path = CString(name, w.memory.string(name))
    fd = w.posix("openat", AT_FDCWD, path, mode | DISPOSITION[disposition], 0o644)
    if fd < 0:
        w.fail(-fd)
        return INVALID_HANDLE_VALUE
    w.last_error = 0
    return w.new_handle(fd)


@win32("BOOL CloseHandle(HANDLE hObject)")
def CloseHandle(w, handle):
    fd = w.handles.pop(handle, None)
    if fd is None:
        w.fail(ERROR_INVALID_HANDLE, win32_code=True)
        return 0
    result = w.posix("close", fd)
    return 1 if result == 0 else 0


@win32("DWORD GetTickCount(void)")
def GetTickCount(w):
    """Milliseconds since boot: clock_gettime(CLOCK_MONOTONIC), as WINE does."""
    scratch = w.memory.scratch(16)
    w.posix("clock_gettime64", 1, scratch)
    seconds, nanoseconds = struct.unpack("<qq", w.memory.read(scratch, 16))
    return (seconds * 1000 + nanoseconds // 1_000_000) & MASK


@win32("DWORD GetLastError(void)")
def GetLastError(w):
    return w.last_error


@win32("HANDLE GetProcessHeap(void)")
def GetProcessHeap(w):
    return PROCESS_HEAP


@win32("LPVOID HeapAlloc(HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes)")
def HeapAlloc(w, heap, flags, size):
    if heap != PROCESS_HEAP:
        w.fail(ERROR_INVALID_HANDLE, win32_code=True)
        return 0
    size = max(8, (size + 7) & ~7)
    for i, (start, length) in enumerate(w.heap_free):        # first fit
        if length >= size:
            w.heap_free[i:i + 1] = [(start + size, length - size)] if length > size else []
            break
    else:
        start = w.posix("brk", 0)
        if w.posix("brk", start + size) != start + size:
            w.fail(ERROR_NOT_ENOUGH_MEMORY, win32_code=True)
            return 0
    w.heap_blocks[start] = size
    if flags & HEAP_ZERO_MEMORY:
        w.memory.write(start, bytes(size))
    return start


@win32("BOOL HeapFree(HANDLE hHeap, DWORD dwFlags, LPVOID lpMem)")
def HeapFree(w, heap, _flags, block):
    size = w.heap_blocks.pop(block, None)
    if heap != PROCESS_HEAP or size is None:
        w.fail(ERROR_INVALID_PARAMETER, win32_code=True)
        return 0
    w.heap_free.append((block, size))
    return 1


@win32("int lstrlenA(LPCSTR lpString)")
def lstrlenA(w, string):
    return len(w.memory.string(string)) if string else 0


@win32("void ExitProcess(UINT uExitCode)")
def ExitProcess(w, code):
    """Leaves through the host kernel's exit_group, from the thunk page (the runner)."""
    w.translated.append(f"exit_group({code})")
    return code
