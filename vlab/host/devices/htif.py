"""HTIF: the Host-Target InterFace of Spike, the RISC-V reference simulator.

Bare-metal test programs (the riscv-tests suite, Spike's ``pk``, many course
exercises) talk to the simulator through two 64-bit words in RAM named by the
ELF symbols ``tohost`` and ``fromhost``. The target writes a command into
``tohost``; the host (this object) notices it, clears ``tohost`` to 0, carries
the command out and, when the command has a reply, writes the reply into
``fromhost`` (only when ``fromhost`` is 0: the target acknowledges a reply by
zeroing it). This follows Spike's front-end server (riscv-isa-sim,
``fesvr/htif.cc`` ``htif_t::run``, ``fesvr/device.cc``, ``fesvr/syscall.cc``).

A command word is ``device << 56 | cmd << 48 | payload`` (48-bit payload):

==========  =====  =========================================================
device      cmd    meaning
==========  =====  =========================================================
0 (syscall) 0      payload odd: **exit** with code ``payload >> 1`` (the
                   riscv-tests convention: 1 = pass, ``(n << 1) | 1`` = test n
                   failed). Payload even: address of a "magic memory" block
                   of eight 64-bit words ``[num, a0, a1, ...]``; the host runs
                   system call ``num``, stores the result in word 0 and
                   replies 1. Modeled calls: write (64) to fd 1/2 -> console,
                   exit (93); any other returns -ENOSYS (-38).
1 (console) 1      putchar: ``payload & 0xFF`` goes to the console; reply
                   ``0x100 | char`` (as current Spike does).
1 (console) 0      getchar: reply ``0x100 | char`` once input is available
                   (see ``feed``).
others      any    ignored, as Spike ignores commands nobody registered.
==========  =====  =========================================================

When to poll. The machine calls :meth:`poll` between instructions. An RV32
hart writes the 64-bit ``tohost`` with two ``sw`` (riscv-tests: low word,
then ``sw zero, tohost+4``), and the value only means something once both
halves are written. Both stores are always in one basic block, so polling at
block ends (after a control transfer) or when the run stops is safe; a CPU can
make polling cheap by noting stores for which :meth:`touches` is true and
polling at the next block end only then. Each handled command is charged to
the bus's ledger as one ``device_access``.
"""

from __future__ import annotations

from collections import deque

MASK64 = (1 << 64) - 1
PAYLOAD_MASK = (1 << 48) - 1
DEV_SYSCALL, DEV_CONSOLE = 0, 1
CMD_GETCHAR, CMD_PUTCHAR = 0, 1
SYS_WRITE, SYS_EXIT = 64, 93
ENOSYS = 38
MAGIC_WORDS = 8
_ZERO8 = bytes(8)


def command_word(device: int, cmd: int, payload: int) -> int:
    """Pack an HTIF command, as the target writes it into ``tohost``."""
    return ((device & 0xFF) << 56) | ((cmd & 0xFF) << 48) | (payload & PAYLOAD_MASK)


class HTIF:
    """Spike's tohost/fromhost protocol on ``bus`` at the given RAM addresses.

    ``fromhost_addr`` comes from the ELF symbol ``fromhost``; without it,
    commands still run but replies are dropped (Spike warns the same way).
    """

    STATE = ("exit_code", "_console", "_input", "_pending_reads", "_replies",
             "ignored_commands")

    def __init__(self, bus, tohost_addr: int, fromhost_addr: int | None = None):
        for name, addr in (("tohost", tohost_addr), ("fromhost", fromhost_addr)):
            if addr is not None and not bus.is_ram(addr, 8):
                raise ValueError(f"HTIF {name} at {addr:#010x} is not 8 bytes of RAM "
                                 f"({bus.regions_near(addr)}); check the ELF symbol {name!r}")
        self.bus = bus
        self.tohost_addr = tohost_addr
        self.fromhost_addr = fromhost_addr
        self.exit_code: int | None = None
        self._console = bytearray()
        self._input: deque[int] = deque()
        self._pending_reads = 0
        self._replies: deque[int] = deque()
        self.console_listeners: list = []  # callables(byte: int)
        self.ignored_commands = 0

    @property
    def console(self) -> bytes:
        return bytes(self._console)

    @property
    def exited(self) -> bool:
        return self.exit_code is not None

    def feed(self, data: bytes | str) -> None:
        """Queue console input for getchar commands."""
        self._input.extend(data.encode() if isinstance(data, str) else data)

    def touches(self, addr: int, size: int) -> bool:
        """Does a store of ``size`` bytes at ``addr`` write part of ``tohost``?"""
        return addr < self.tohost_addr + 8 and self.tohost_addr < addr + size

    # -- the host's loop ------------------------------------------------------

    def poll(self) -> bool:
        """Handle a command in ``tohost`` if there is one, deliver a pending
        reply into ``fromhost`` if it is free. True once the target has exited."""
        ram = self.bus.ram
        offset = self.tohost_addr - ram.base
        idle = not self._replies and not (self._pending_reads and self._input)
        if idle and ram.data[offset:offset + 8] == _ZERO8:
            return self.exit_code is not None  # the common case: nothing to do
        value = self.bus.load(self.tohost_addr, 8)
        if value:
            self.bus.store(self.tohost_addr, 8, 0)
            self._handle(value >> 56, (value >> 48) & 0xFF, value & PAYLOAD_MASK)
        self._answer_reads()
        self._deliver_reply()
        return self.exit_code is not None

    def _handle(self, device: int, cmd: int, payload: int) -> None:
        if self.bus.ledger is not None:
            self.bus.ledger.charge("device_access")
        if device == DEV_SYSCALL:
            self._syscall(payload)
        elif device == DEV_CONSOLE and cmd == CMD_PUTCHAR:
            self._putchar(payload & 0xFF)
            self._replies.append(command_word(DEV_CONSOLE, CMD_PUTCHAR, 0x100 | payload & 0xFF))
        elif device == DEV_CONSOLE and cmd == CMD_GETCHAR:
            self._pending_reads += 1
        else:
            self.ignored_commands += 1

    def _putchar(self, byte: int) -> None:
        self._console.append(byte)
        for listener in self.console_listeners:
            listener(byte)

    def _answer_reads(self) -> None:
        while self._pending_reads and self._input:
            self._pending_reads -= 1
            char = self._input.popleft()
            self._replies.append(command_word(DEV_CONSOLE, CMD_GETCHAR, 0x100 | char))

    def _deliver_reply(self) -> None:
        if not self._replies or self.fromhost_addr is None:
            self._replies.clear()
            return
        if self.bus.load(self.fromhost_addr, 8) == 0:
            self.bus.store(self.fromhost_addr, 8, self._replies.popleft())

    # -- device 0: exit and proxied system calls ------------------------------

    def _syscall(self, payload: int) -> None:
        if payload & 1:
            self.exit_code = payload >> 1
            return
        if not self.bus.is_ram(payload, 8 * MAGIC_WORDS):
            self.ignored_commands += 1  # a bad pointer: nothing sensible to answer
            return
        words = [self.bus.load(payload + 8 * i, 8) for i in range(MAGIC_WORDS)]
        result = self._run_syscall(words[0], words[1:])
        self.bus.store(payload, 8, result & MASK64)
        self._replies.append(1)

    def _run_syscall(self, number: int, args: list[int]) -> int:
        if number == SYS_EXIT:
            self.exit_code = args[0] & 0xFFFF_FFFF
            return 0
        if number == SYS_WRITE and args[0] in (1, 2):
            buf, length = args[1], args[2]
            if not self.bus.is_ram(buf, length):
                return -14  # EFAULT
            for byte in self.bus.read_bytes(buf, length):
                self._putchar(byte)
            return length
        return -ENOSYS
