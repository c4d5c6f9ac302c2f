"""Real driver code against our devices.

``programs/devices.c`` is compiled by GNU gcc for RV32 and run by unicorn (a
reference CPU, QEMU's engine) whose RAM *is* our ``Platform.ram.data`` and whose
MMIO accesses go through our ``Platform.bus``. The HTIF is polled at every
basic-block start, as the docs recommend. This checks the devices against the
code a student's bare-metal program really executes, without our own CPU.
"""

import ctypes
import shutil
import subprocess
from pathlib import Path

import pytest

from vlab.host import CLINT_BASE, RAM_BASE, UART_BASE, Platform

unicorn = pytest.importorskip("unicorn")
GCC = shutil.which("riscv64-unknown-elf-gcc")
NM = shutil.which("riscv64-unknown-elf-nm")
OBJCOPY = shutil.which("riscv64-unknown-elf-objcopy")
pytestmark = [
    pytest.mark.toolchain,
    pytest.mark.skipif(not (GCC and NM and OBJCOPY), reason="needs riscv64-unknown-elf gcc"),
]
PROGRAMS = Path(__file__).parent / "programs"
RAM_SIZE = 64 * 1024


def build(tmp_path):
    elf = tmp_path / "devices.elf"
    subprocess.run([GCC, "-march=rv32ima", "-mabi=ilp32", "-O2", "-ffreestanding",
                    "-nostdlib", "-static", "-Wl,--no-warn-rwx-segments",
                    "-T", PROGRAMS / "link.ld", PROGRAMS / "start.S", PROGRAMS / "devices.c",
                    "-o", elf], check=True)
    image = tmp_path / "devices.bin"
    subprocess.run([OBJCOPY, "-O", "binary", elf, image], check=True)
    symbols = {}
    for line in subprocess.run([NM, elf], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        addr, _, name = line.split()
        symbols[name] = int(addr, 16)
    return image.read_bytes(), symbols


def run_on_unicorn(host, image, symbols):
    from unicorn import UC_ARCH_RISCV, UC_HOOK_BLOCK, UC_MODE_RISCV32, UC_PROT_ALL, Uc

    host.bus.write_bytes(RAM_BASE, image)
    htif = host.attach_htif(symbols["tohost"], symbols["fromhost"])
    uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
    ram = (ctypes.c_char * RAM_SIZE).from_buffer(host.ram.data)
    uc.mem_map_ptr(RAM_BASE, RAM_SIZE, UC_PROT_ALL, ctypes.addressof(ram))

    def mmio(base, size):
        uc.mmio_map(base, size,
                    lambda _uc, off, n, _d: host.bus.load(base + off, n), None,
                    lambda _uc, off, n, value, _d: host.bus.store(base + off, n, value), None)

    mmio(CLINT_BASE, 0x1_0000)
    mmio(UART_BASE, 0x2000)          # UART and block device share one 4 KiB-page pair

    def block_start(uc_, _addr, _size, _data):
        host.clint.advance(1)
        if htif.poll():
            uc_.emu_stop()

    uc.hook_add(UC_HOOK_BLOCK, block_start)
    uc.emu_start(RAM_BASE, 0, count=200_000)
    del ram
    return htif


def test_driver_program_runs_against_our_devices(tmp_path):
    image, symbols = build(tmp_path)
    disk = bytes((i * i // 3 + 1) & 0xFF for i in range(4096))  # 8 sectors, uneven sums
    host = Platform(ram_size=RAM_SIZE, disk_image=disk)
    sector1 = bytes(host.block.image[512:1024])

    def terminal(_byte):  # types "!" once the prompt is out (init cleared the FIFO)
        if host.uart.output == b"uart ok ":
            host.uart.feed(b"!")

    host.uart.transmit_listeners.append(terminal)
    htif = run_on_unicorn(host, image, symbols)

    assert sum(sector1) & 0x7F > 14                     # 10..14 are the driver's failure codes
    assert htif.exit_code == sum(sector1) & 0x7F
    assert host.uart.output == b"uart ok !"
    assert htif.console == b"htif ok"
    assert host.uart.divisor == 3 and host.uart.load(3, 1) == 0x03
    assert bytes(host.block.image[1024:1536]) == bytes(b ^ 0xFF for b in sector1)
    assert host.block.completed == 2 and host.block.status == 2    # last: BAD_SECTOR
    assert host.ledger.count("dma_byte") == 1024
    assert host.ledger.count("device_access") > 0
