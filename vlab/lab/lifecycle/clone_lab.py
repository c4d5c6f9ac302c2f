"""Chapter 6's provisioning experiment: clone VMs from a template disk.

The model writes a template image of :data:`TEMPLATE_CLUSTERS` clusters
(vlab/hardware/lifecycle/disk_image.py), makes ``clones`` copy-on-write clones of it in a
temporary directory, lets each clone write ``writes`` clusters of its own (a VM's first
boot: logs, keys, its host name), and measures what each file holds: the clusters a
clone owns, those it still shares with the template, and the disk space all of it takes
compared with full copies.
"""
from __future__ import annotations

import functools
import os
import tempfile
import time
from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.hardware.lifecycle.disk_image import CLUSTER, DiskImage, clone, create
from vlab.lab.experiment import Experiment, stepped_slider
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

TEMPLATE_CLUSTERS = 1024            # a 4 MiB template disk
CLONE_COUNTS = (4, 16, 64)
WRITES = (0, 16, 128)


@dataclass(frozen=True)
class Provisioning:
    clones: int
    writes: int
    template_bytes: int
    clone_bytes: list          # file size of each clone after its writes
    owned: list                # clusters each clone owns
    empty_clone_bytes: int     # a clone as made, before it writes
    seconds_per_clone: float   # measured (wall clock, this machine; not shown as a claim)


@functools.cache
def provision(clones: int = 16, writes: int = 16) -> Provisioning:
    """Model: ``clones`` clones of one template, each writing ``writes`` clusters."""
    with tempfile.TemporaryDirectory() as tmp:
        template = os.path.join(tmp, 'template.img')
        create(template, TEMPLATE_CLUSTERS * CLUSTER)
        with DiskImage(template, writable=True) as image:
            for c in range(TEMPLATE_CLUSTERS):
                image.write(c * CLUSTER, bytes([c % 251 + 1]) * CLUSTER)
        names = [os.path.join(tmp, f'vm{i:03d}.img') for i in range(clones)]
        start = time.perf_counter()
        for name in names:
            clone(template, name)
        per_clone = (time.perf_counter() - start) / clones
        empty = os.path.getsize(names[0])
        owned = []
        for i, name in enumerate(names):
            with DiskImage(name, writable=True) as image:
                for w in range(writes):
                    cluster = (i * 7 + w * 13) % TEMPLATE_CLUSTERS
                    image.write(cluster * CLUSTER, f'vm{i}:{w}'.encode())
                owned.append(image.allocated())
        return Provisioning(clones, writes, os.path.getsize(template),
                            [os.path.getsize(n) for n in names], owned, empty, per_clone)


@styled
def plot_provisioning(p: Provisioning) -> Figure:
    """Plot: disk space of the template and its clones vs full copies."""
    fig, ax = new_figure('column_low')
    mib = 2**20
    clones_total = sum(p.clone_bytes)
    ax.bar(['full copies'], [p.template_bytes * (p.clones + 1) / mib],
           color=LEVEL_COLORS['isa'])
    ax.bar(['template + clones'], [p.template_bytes / mib], color=LEVEL_COLORS['os'],
           label='template (shared, read-only)')
    ax.bar(['template + clones'], [clones_total / mib], bottom=[p.template_bytes / mib],
           color=LEVEL_COLORS['hardware'], label='clusters the clones own')
    ax.set_ylabel('MiB on disk')
    ax.legend(fontsize=9)
    ax.set_title(f'{p.clones} VMs from one 4 MiB template, {p.writes} clusters '
                 'written by each')
    return fig


def describe_provisioning(p: Provisioning) -> str:
    shared = 1 - sum(p.owned) / (p.clones * TEMPLATE_CLUSTERS)
    return (f'A new clone is {p.empty_clone_bytes} bytes whatever the template holds. '
            f'After their writes the {p.clones} clones own {sum(p.owned)} clusters in all; '
            f'{shared:.1%} of what they read is still the template\'s. Disk used: '
            f'{(p.template_bytes + sum(p.clone_bytes)) / 2**20:.2f} MiB instead of '
            f'{p.template_bytes * (p.clones + 1) / 2**20:.2f} MiB for full copies.')


def provisioning_experiment() -> Experiment:
    return Experiment(provision, plot_provisioning, {
        'clones': stepped_slider('clones', CLONE_COUNTS, 16),
        'writes': stepped_slider('clusters written per clone', WRITES, 16)},
        describe=describe_provisioning)


__all__ = ['Provisioning', 'describe_provisioning', 'plot_provisioning', 'provision',
           'provisioning_experiment']
