"""UART16550: the register subset bare-metal code uses."""

import pytest

from vlab.host import UART16550, AccessFault

THR = RBR = 0
IER, IIR, FCR, LCR, MCR, LSR, MSR, SCR = 1, 2, 2, 3, 4, 5, 6, 7


@pytest.fixture
def uart():
    return UART16550()


def puts(uart, text):
    """What a bare-metal putchar loop does: wait for THRE, write THR."""
    for byte in text.encode():
        while not uart.load(LSR, 1) & 0x20:
            pass
        uart.store(THR, 1, byte)


def test_transmit_collects_output(uart):
    puts(uart, "hello\n")
    assert uart.output == b"hello\n"
    assert uart.output_text() == "hello\n"


def test_lsr_reports_empty_transmitter_and_data_ready(uart):
    assert uart.load(LSR, 1) == 0x60  # THRE | TEMT, no data
    uart.feed(b"ok")
    assert uart.load(LSR, 1) == 0x61
    assert uart.load(RBR, 1) == ord("o")
    assert uart.load(RBR, 1) == ord("k")
    assert uart.load(LSR, 1) & 0x01 == 0
    assert uart.load(RBR, 1) == 0  # empty receiver reads 0


def test_divisor_latch_does_not_transmit(uart):
    uart.store(LCR, 1, 0x83)       # DLAB=1, 8N1
    uart.store(0, 1, 0x03)         # DLL
    uart.store(1, 1, 0x00)         # DLM
    assert uart.output == b""
    assert uart.divisor == 3
    assert uart.load(0, 1) == 3 and uart.load(1, 1) == 0
    uart.store(LCR, 1, 0x03)       # DLAB=0
    uart.store(THR, 1, ord("x"))
    assert uart.output == b"x"
    assert uart.load(LCR, 1) == 0x03


def test_scratch_and_modem_registers(uart):
    uart.store(SCR, 1, 0xA5)
    assert uart.load(SCR, 1) == 0xA5
    uart.store(MCR, 1, 0xFF)
    assert uart.load(MCR, 1) == 0x1F
    assert uart.load(MSR, 1) == 0xB0


def test_iir_without_interrupts_enabled(uart):
    assert uart.load(IIR, 1) == 0x01
    uart.store(FCR, 1, 0x07)  # enable + clear FIFOs
    assert uart.load(IIR, 1) == 0xC1


def test_receive_interrupt(uart):
    uart.store(IER, 1, 0x01)
    assert not uart.interrupt_pending()
    uart.feed("a")
    assert uart.interrupt_pending()
    assert uart.load(IIR, 1) & 0x0F == 0x04
    uart.load(RBR, 1)
    assert not uart.interrupt_pending()


def test_thr_empty_interrupt_cleared_by_reading_iir(uart):
    uart.store(IER, 1, 0x02)
    assert uart.load(IIR, 1) & 0x0F == 0x02
    assert uart.load(IIR, 1) & 0x0F == 0x01
    uart.store(THR, 1, ord("z"))
    assert uart.interrupt_pending()


def test_fifo_clear_drops_input(uart):
    uart.feed(b"abc")
    uart.store(FCR, 1, 0x03)
    assert uart.load(LSR, 1) & 0x01 == 0


def test_transmit_listener(uart):
    echoed = []
    uart.transmit_listeners.append(echoed.append)
    puts(uart, "hi")
    assert echoed == [ord("h"), ord("i")]


def test_word_access_uses_low_byte(uart):
    uart.store(THR, 4, 0x1234_5641)
    assert uart.output == b"A"


def test_no_register_beyond_offset_7(uart):
    with pytest.raises(AccessFault, match="offset 0x8"):
        uart.load(8, 1)
    with pytest.raises(AccessFault):
        uart.store(0x10, 1, 0)
