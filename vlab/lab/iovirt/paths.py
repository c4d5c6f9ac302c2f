"""The three I/O paths of a virtual machine, drawn side by side (a static figure).

What each method puts between a guest's driver and the physical device (Hwang, Dongarra
& Fox 2011, sec. 3.3.4; the modules of vlab/hardware/io/ that implement each box are
named in ``PATHS``):

* full emulation: the guest's unchanged driver, an exit per register access, the VMM's
  device model, the host's driver, the device;
* para-virtualization (split driver): a front end in the guest, shared rings and one
  notification per batch, the back end in the VMM, the host's driver, the device;
* direct I/O: the guest's driver programs the device itself; only its DMA goes through
  the IOMMU, whose tables the VMM owns.
"""
from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from vlab.lab.style import HIGHLIGHT, INK, ROLE_COLORS, new_figure, styled

# method -> boxes from the guest down to the device: (label, role, module); and the
# label of the crossing from the guest into the layer below it
PATHS = {
    'full emulation': (
        [('guest driver\n(unchanged)', 'guest_os', 'guest/iodrv.c'),
         ('VMM: device model', 'virt', 'disks.py, mmio exits'),
         ('host driver', 'host_os', 'host_disk.py'),
         ('physical device', 'hardware', 'host/devices/block.py')],
        'an exit per\nregister access'),
    'para-virtualization\n(virtio)': (
        [('front-end driver', 'guest_os', 'guest/iodrv.c'),
         ('VMM: back end', 'virt', 'virtio_blk.py'),
         ('host driver', 'host_os', 'host_disk.py'),
         ('physical device', 'hardware', 'host/devices/block.py')],
        'shared rings,\none exit per batch'),
    'direct I/O\n(assignment)': (
        [('guest driver\n(the device\'s own)', 'guest_os', 'guest/iodrv.c'),
         ('IOMMU', 'virt', 'iommu.py'),
         ('physical device', 'hardware', 'disks.py: PassthroughDisk')],
        'registers\nmapped:\nno exits'),
}
COLORS = {'guest_os': ROLE_COLORS['guest_os'], 'host_os': ROLE_COLORS['host_os'],
          'hardware': ROLE_COLORS['hardware'], 'virt': HIGHLIGHT}


@styled
def plot_paths() -> Figure:
    """Plot: one column of boxes per method, the guest at the top, the device below."""
    fig, ax = new_figure('column')
    ax.set_xlim(0, 3)
    ax.set_ylim(0.45, 5.4)
    ax.axis('off')
    for column, (method, (boxes, crossing)) in enumerate(PATHS.items()):
        x = column + 0.08
        ax.text(column + 0.5, 5.25, method, ha='center', va='top', fontsize=9,
                fontweight='bold')
        direct = len(boxes) == 3
        ys = [4.1 - row * 1.15 for row in range(len(boxes))]
        if direct:                                # the device level with the others
            ys[-1] = 4.1 - 3 * 1.15
        for index, ((label, role, module), y) in enumerate(zip(boxes, ys, strict=True)):
            left, width = (x + 0.48, 0.36) if direct and index == 1 else (x, 0.84)
            ax.add_patch(FancyBboxPatch((left, y), width, 0.7, boxstyle='round,pad=0.02',
                                        facecolor=COLORS[role], edgecolor=INK, lw=0.8))
            color = '#FFFFFF' if role == 'hardware' else INK
            ax.text(left + width / 2, y + 0.43, label, ha='center', va='center',
                    fontsize=9, color=color)
            ax.text(left + width / 2, y + 0.1, module, ha='center', va='center',
                    fontsize=9, color=color, style='italic')
        if direct:                  # registers straight down; DMA up through the IOMMU
            _arrow(ax, x + 0.12, ys[0], ys[2] + 0.72)
            _arrow(ax, x + 0.66, ys[2] + 0.72, ys[1])
            _arrow(ax, x + 0.66, ys[1] + 0.72, ys[0])
            ax.text(x + 0.70, (ys[1] + ys[2] + 0.72) / 2, 'DMA', fontsize=9, va='center',
                    color='#8A5A00')
            ax.text(x + 0.16, ys[1] + 0.35, crossing, ha='left', va='center',
                    fontsize=9, color='#8A5A00')
            continue
        for upper, lower in zip(ys, ys[1:], strict=False):
            _arrow(ax, x + 0.42, upper, lower + 0.72)
        ax.text(x + 0.47, ys[0] - 0.22, crossing, ha='left', va='center', fontsize=9,
                color='#8A5A00')
    ax.set_title('Three ways from a guest driver to a device (orange: the VMM\'s part)')
    return fig


def _arrow(ax, x, y_from, y_to):
    ax.add_patch(FancyArrowPatch((x, y_from), (x, y_to), arrowstyle='->', color=INK,
                                 mutation_scale=10))


__all__ = ['PATHS', 'plot_paths']
