"""A virtqueue drawn as the guest's driver fills it and the device consumes it.

A real split virtqueue (OASIS virtio 1.1, sec. 2.6; vlab/hardware/io/virtqueue.py) of 8
entries lives in the RAM of a small modeled machine; a virtio-blk device
(vlab/hardware/io/virtio_blk.py) over its virtio-mmio transport serves it.  The driver
is vlab/hardware/io/pydriver.py, doing what the guest's C driver does.  After every step
the model reads the queue back *from memory* (``PyVirtioDriver.snapshot``) -- the figure
shows bytes, not a picture of the algorithm.

The steps: the driver writes two read requests (three descriptors each: header, data,
status) and their heads into the available ring, publishes the ring's index and notifies
once; the device takes the chains one by one and returns them on the used ring; then a
third request reuses freed descriptors, wrapping around the table.  (The back end serves
all the chains of a notification in one go; the model steps through that same loop --
``pop``, ``serve``, ``push`` -- one chain per step, to watch it.)
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Rectangle

from vlab.hardware.guest_memory import GuestMemory
from vlab.hardware.io.guest_dma import GuestDma
from vlab.hardware.io.pydriver import PyVirtioDriver, QueueSnapshot
from vlab.hardware.io.virtio_blk import VIRTIO_BLK_T_IN, VirtioBlk
from vlab.hardware.io.virtio_mmio import VirtioMmio
from vlab.host.platform import Platform
from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, new_figure, styled

QUEUE = 8
GUEST = 1 << 20
AREA, HEADERS, DATA, STATUS = 0x8001_0000, 0x8002_0000, 0x8003_0000, 0x8002_1000
REQUESTS = ('A', 'B', 'C')
REQUEST_COLORS = {'A': LEVEL_COLORS['hardware'], 'B': LEVEL_COLORS['os'],
                  'C': LEVEL_COLORS['application']}


@dataclass(frozen=True)
class QueueStep:
    """One step: what happened, the queue in memory, who owns each descriptor, and the
    notifications (exits) so far."""

    step: int
    caption: str
    queue: QueueSnapshot
    owner: tuple[str | None, ...]          # request using each descriptor, or None
    done: tuple[str, ...]                  # requests the device has finished
    notifications: int
    added: tuple[str, ...]                 # requests in the available ring's slots, in order


@functools.cache
def virtqueue_steps() -> tuple[QueueStep, ...]:
    """Model: run the steps on a real virtqueue; the snapshot after each."""
    platform = Platform(ram_size=2 * GUEST)
    memory = GuestMemory(platform.bus, GUEST, GUEST)
    backend = VirtioBlk(platform.block, platform.bus)
    transport = VirtioMmio(backend, GuestDma(memory))
    driver = PyVirtioDriver(platform.bus, transport, AREA, queue_size=QUEUE,
                            no_interrupt=True)
    driver.start(1)
    bus = platform.bus
    owner: list[str | None] = [None] * QUEUE
    done: list[str] = []
    heads: dict[int, str] = {}
    added: list[str] = []
    steps: list[QueueStep] = []

    def record(caption):
        steps.append(QueueStep(len(steps), caption, driver.snapshot(0), tuple(owner),
                               tuple(done), transport.notifications, tuple(added)))

    def add(name, n):
        bus.write_bytes(HEADERS + 16 * n, VIRTIO_BLK_T_IN.to_bytes(4, 'little') + bytes(4)
                        + (8 * n).to_bytes(8, 'little'))
        head = driver.add_chain(0, [(HEADERS + 16 * n, 16, False),
                                    (DATA + 4096 * n, 4096, True), (STATUS + n, 1, True)])
        for i in range(3):
            owner[(head + i) % QUEUE] = name
        heads[head] = name
        added.append(name)
        record(f'driver: request {name} in descriptors {head}..{(head + 2) % QUEUE} '
               f'(header, data, status), head {head} in the available ring -- not yet '
               'visible to the device')

    def serve_one():
        vq = transport.queue(0)
        chain = vq.pop()
        written = backend.serve(transport.dma, chain)
        vq.push(chain.head, written)
        name = heads[chain.head]
        done.append(name)
        record(f'device: took chain {chain.head} ({name}), read 8 sectors into its data '
               f'buffer, returned it on the used ring with len {written}')

    record('the driver has set up an empty queue of 8 entries in guest memory')
    add('A', 0)
    add('B', 1)
    driver.publish(0)
    transport.notifications += 1           # the kick: QueueNotify (see the docstring)
    record('driver: avail idx = 2 publishes both chains; ONE write of QueueNotify '
           '(one VM exit) tells the device')
    serve_one()
    serve_one()
    for head, _ in driver.used(0):
        for i in range(3):
            owner[(head + i) % QUEUE] = None
    record('driver: reaps the used ring (idx 2); descriptors 0..5 are free again')
    add('C', 2)
    driver.publish(0)
    transport.notifications += 1
    record('driver: publishes avail idx = 3 and notifies (the second exit)')
    serve_one()
    return tuple(steps)


def virtqueue_step(step: int = 0) -> QueueStep:
    return virtqueue_steps()[step]


CELL = 0.6


def _cells(ax, x0, y0, values, colors, height=0.55):
    for i, (value, color) in enumerate(zip(values, colors, strict=True)):
        ax.add_patch(Rectangle((x0 + i * CELL, y0), CELL, height, facecolor=color,
                               edgecolor=INK, lw=0.8))
        ax.text(x0 + (i + 0.5) * CELL, y0 + height / 2, value, ha='center', va='center',
                fontsize=9)
        ax.text(x0 + (i + 0.5) * CELL, y0 + height + 0.12, str(i), ha='center',
                va='bottom', fontsize=9, color='#666666')


@styled
def plot_virtqueue(s: QueueStep) -> Figure:
    """Plot: descriptor table (left), available and used rings (right), as in memory."""
    fig, ax = new_figure('column')
    ax.set_xlim(-0.3, 10.5)
    ax.set_ylim(-1.0, 6.6)
    ax.axis('off')
    ax.text(0, 6.25, 'descriptor table', fontsize=9, fontweight='bold')
    ax.text(0.45, 5.85, 'addr         len   flags → next', fontsize=9, color='#666666')
    row_h = 0.66
    for i, (addr, length, flags, nxt) in enumerate(s.queue.descriptors):
        y = 5.1 - i * row_h
        who = s.owner[i]
        color = REQUEST_COLORS[who] if who else '#F4F4F4'
        alpha = 0.35 if who in s.done else 0.9
        ax.add_patch(Rectangle((0.35, y), 4.95, row_h * 0.9, facecolor=color, alpha=alpha,
                               edgecolor=INK, lw=0.8))
        ax.text(0.2, y + 0.3, str(i), ha='right', va='center', fontsize=9)
        text = '' if not length else (f'{addr:#x} {length:<4} {_flags(flags)}'
                                      f'{f" → {nxt}" if flags & 1 else ""}')
        ax.text(0.45, y + 0.3, text, va='center', fontsize=9)
    n, x0 = QUEUE, 5.6
    avail = [str(h) if i < len(s.added) else '' for i, h in enumerate(s.queue.avail_ring)]
    colors = [REQUEST_COLORS[s.added[i]] if i < len(s.added) else '#FFFFFF'
              for i in range(n)]
    ax.text(x0, 6.25, 'available ring (the driver writes)', fontsize=9, fontweight='bold')
    ax.text(x0, 5.85, f'idx = {s.queue.avail_idx}; the device has taken '
            f'{s.queue.device_taken}', fontsize=9)
    _cells(ax, x0, 4.6, avail, colors)
    _pointer(ax, x0, 4.6, s.queue.avail_idx % n, 'idx', HIGHLIGHT)
    _pointer(ax, x0, 4.6, s.queue.device_taken % n, 'device', INK, dx=0.12, low=True)
    used = [f'{h}\n{length}' if i < s.queue.used_idx else ''
            for i, (h, length) in enumerate(s.queue.used_ring)]
    ax.text(x0, 2.75, 'used ring (the device writes): id, len', fontsize=9,
            fontweight='bold')
    ax.text(x0, 2.35, f'idx = {s.queue.used_idx}', fontsize=9)
    _cells(ax, x0, 0.95, used, ['#DDDDDD' if u else '#FFFFFF' for u in used], height=0.85)
    _pointer(ax, x0, 0.95, s.queue.used_idx % n, 'idx', HIGHLIGHT)
    ax.text(x0, -0.35, f'notifications (VM exits) so far: {s.notifications}', fontsize=9)
    ax.text(x0, -0.75, '   '.join(f'{r}: request {r}' for r in REQUESTS) + '  (faded: served)',
            fontsize=9)
    ax.set_title(f'A split virtqueue in guest memory, step {s.step}')
    return fig


def _pointer(ax, x0, y0, slot, label, color, dx=0.0, low=False):
    x = x0 + (slot + 0.5) * CELL + dx
    tail = y0 - (1.05 if low else 0.55)
    ax.add_patch(FancyArrowPatch((x, tail), (x, y0 - 0.08), arrowstyle='->',
                                 color=color, mutation_scale=10, lw=1.4))
    ax.text(x, tail - 0.05, label, ha='center', va='top', fontsize=9, color=color)


def _flags(flags: int) -> str:
    names = [name for bit, name in ((1, 'NEXT'), (2, 'WRITE'), (4, 'INDIRECT'))
             if flags & bit]
    return '|'.join(names)


def describe_virtqueue(s: QueueStep) -> str:
    return f'Step {s.step}: {s.caption}.'


def virtqueue_explorer(step: int = 0) -> Experiment:
    """The experiment: a slider over the steps."""
    return Experiment(virtqueue_step, plot_virtqueue,
                      {'step': stepped_slider('step', list(range(len(virtqueue_steps()))),
                                              step)},
                      describe=describe_virtqueue)


__all__ = ['QueueStep', 'describe_virtqueue', 'plot_virtqueue', 'virtqueue_explorer',
           'virtqueue_step', 'virtqueue_steps']
