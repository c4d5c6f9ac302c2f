"""A 16550-compatible UART: the serial console of the modeled host.

Models the subset of the National Semiconductor PC16550D register file that
bare-metal code uses to print and read characters (the same device QEMU's
``virt`` board puts at 0x1000_0000, registers one byte apart). Source: TI/NS
"PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs", datasheet
(SNLS378), section 8 "Registers", Table 2.

=======  ===============  ===============  ==================================
offset   read             write            notes
=======  ===============  ===============  ==================================
0        RBR (rx data)    THR (tx data)    DLL when LCR.DLAB = 1
1        IER              IER              DLM when LCR.DLAB = 1
2        IIR              FCR
3        LCR              LCR              bit 7 = DLAB
4        MCR              MCR
5        LSR              (ignored)        DR 0x01, THRE 0x20, TEMT 0x40
6        MSR              (ignored)        CTS, DSR, DCD asserted: 0xB0
7        SCR              SCR              scratch byte
=======  ===============  ===============  ==================================

Simplifications (the model is a console, not a wire):

- Transmission is instantaneous: a byte written to THR is appended to
  ``output`` at once, so LSR always reports THRE and TEMT.
- Input comes from ``feed(bytes)`` into an unbounded receive queue; DR is set
  while it is non-empty. There are no line errors, no loopback (MCR bit 4 is
  stored but ignored) and the baud-rate divisor only reads back what was set.
- Interrupt identification follows the datasheet's priorities for the two
  sources modeled (received data available 0x4, THR empty 0x2); reading IIR
  clears a pending THR-empty interrupt. ``interrupt_pending()`` tells the
  machine whether the UART raises its interrupt line.
- Registers are 8 bits; a wider access uses the low byte (QEMU does the same).
"""

from __future__ import annotations

from collections import deque

from ..memory import AccessFault

RBR_THR, IER, IIR_FCR, LCR, MCR, LSR, MSR, SCR = range(8)
LSR_DR, LSR_THRE, LSR_TEMT = 0x01, 0x20, 0x40
LCR_DLAB = 0x80
IER_RX_AVAILABLE, IER_THR_EMPTY = 0x01, 0x02
IIR_NONE, IIR_THR_EMPTY, IIR_RX_AVAILABLE = 0x01, 0x02, 0x04
IIR_FIFOS_ENABLED = 0xC0
FCR_ENABLE, FCR_CLEAR_RX, FCR_CLEAR_TX = 0x01, 0x02, 0x04
MSR_CONNECTED = 0xB0  # DCD | DSR | CTS


class UART16550:
    """The console UART. ``output`` holds every byte transmitted."""

    SIZE = 0x100
    STATE = ("ier", "lcr", "mcr", "scr", "fcr", "divisor", "_thre_interrupt", "_rx", "_out")

    def __init__(self):
        self._out = bytearray()
        self._rx: deque[int] = deque()
        self.transmit_listeners: list = []  # callables(byte: int), e.g. echo to stdout
        self.reset()

    def reset(self) -> None:
        """Registers back to their datasheet reset values (output is kept)."""
        self.ier = self.lcr = self.mcr = self.scr = self.fcr = 0
        self.divisor = 0
        self._thre_interrupt = False

    # -- Python side --------------------------------------------------------

    @property
    def output(self) -> bytes:
        return bytes(self._out)

    def output_text(self) -> str:
        return self._out.decode("utf-8", errors="replace")

    def clear_output(self) -> None:
        self._out.clear()

    def feed(self, data: bytes | str) -> None:
        """Queue input bytes as if typed on the serial line."""
        if isinstance(data, str):
            data = data.encode()
        self._rx.extend(data)

    def interrupt_pending(self) -> bool:
        return self._interrupt_id() != IIR_NONE

    # -- bus side -----------------------------------------------------------

    def load(self, offset: int, size: int) -> int:
        dlab = self.lcr & LCR_DLAB
        if offset == RBR_THR:
            return self.divisor & 0xFF if dlab else self._receive()
        if offset == IER:
            return self.divisor >> 8 if dlab else self.ier
        if offset == IIR_FCR:
            return self._read_iir()
        if offset == LCR:
            return self.lcr
        if offset == MCR:
            return self.mcr
        if offset == LSR:
            return (LSR_DR if self._rx else 0) | LSR_THRE | LSR_TEMT
        if offset == MSR:
            return MSR_CONNECTED
        if offset == SCR:
            return self.scr
        raise AccessFault(offset, size, "load", _no_register(offset))

    def store(self, offset: int, size: int, value: int) -> None:
        value &= 0xFF
        dlab = self.lcr & LCR_DLAB
        if offset == RBR_THR:
            if dlab:
                self.divisor = (self.divisor & 0xFF00) | value
            else:
                self._transmit(value)
        elif offset == IER:
            if dlab:
                self.divisor = (self.divisor & 0x00FF) | (value << 8)
            else:
                self._write_ier(value)
        elif offset == IIR_FCR:
            self._write_fcr(value)
        elif offset == LCR:
            self.lcr = value
        elif offset == MCR:
            self.mcr = value & 0x1F
        elif offset == SCR:
            self.scr = value
        elif offset in (LSR, MSR):
            pass  # read-only status registers: writes have no effect
        else:
            raise AccessFault(offset, size, "store", _no_register(offset))

    # -- register behaviour ---------------------------------------------------

    def _transmit(self, byte: int) -> None:
        self._out.append(byte)
        for listener in self.transmit_listeners:
            listener(byte)
        self._thre_interrupt = True  # THR is empty again at once

    def _receive(self) -> int:
        return self._rx.popleft() if self._rx else 0

    def _write_ier(self, value: int) -> None:
        if value & IER_THR_EMPTY and not self.ier & IER_THR_EMPTY:
            self._thre_interrupt = True  # enabling ETBEI with THR empty interrupts
        self.ier = value & 0x0F

    def _write_fcr(self, value: int) -> None:
        if value & FCR_CLEAR_RX:
            self._rx.clear()
        self.fcr = value & ~(FCR_CLEAR_RX | FCR_CLEAR_TX) & 0xFF

    def _interrupt_id(self) -> int:
        if self.ier & IER_RX_AVAILABLE and self._rx:
            return IIR_RX_AVAILABLE
        if self.ier & IER_THR_EMPTY and self._thre_interrupt:
            return IIR_THR_EMPTY
        return IIR_NONE

    def _read_iir(self) -> int:
        ident = self._interrupt_id()
        if ident == IIR_THR_EMPTY:
            self._thre_interrupt = False  # datasheet: reading IIR clears this source
        fifo_bits = IIR_FIFOS_ENABLED if self.fcr & FCR_ENABLE else 0
        return ident | fifo_bits


def _no_register(offset: int) -> str:
    return f"no UART register at offset {offset:#x} (registers are at offsets 0-7)"
