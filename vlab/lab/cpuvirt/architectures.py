"""A drawing of the three VM architectures (Hwang et al. 2011, sec. 3.1.3, Fig. 3.1).

Native (bare-metal, type 1): the VMM runs in the most privileged mode directly on the
hardware, guests above it.  Hosted (type 2): a host OS owns the hardware, the VMM runs as
an application (plus a driver) above it, unmodified.  Dual-mode: part of the VMM runs at
user level, part at the privileged level, and the host OS is modified to make room for it.
``plot_architectures()`` stacks each as boxes against the privilege level they run at.
"""
from __future__ import annotations

from matplotlib.patches import Rectangle

from vlab.lab.style import new_figure, styled

COLORS = {'guest': '#8172b3', 'vmm': '#c44e52', 'host': '#4c72b0', 'hw': '#7f7f7f',
          'app': '#55a868'}
#: architecture -> boxes (label, kind, x0, x1, y0, y1); y: 0 hardware, 1 privileged, 2 user
ARCHITECTURES = {
    'Native (type 1)': [('hardware', 'hw', 0, 2, 0, 1), ('VMM (privileged)', 'vmm', 0, 2, 1, 2),
                        ('guest OS + apps', 'guest', 0, 0.95, 2, 3),
                        ('guest OS + apps', 'guest', 1.05, 2, 2, 3)],
    'Hosted (type 2)': [('hardware', 'hw', 0, 2, 0, 1),
                        ('host OS (unmodified)', 'host', 0, 2, 1, 2),
                        ('VMM (user process)', 'vmm', 0, 1.2, 2, 2.45),
                        ('guest OS + apps', 'guest', 0, 1.2, 2.5, 3),
                        ('host apps', 'app', 1.3, 2, 2, 3)],
    'Dual-mode': [('hardware', 'hw', 0, 2, 0, 1), ('host OS (modified)', 'host', 0, 1.2, 1, 2),
                  ('VMM\nkernel\npart', 'vmm', 1.25, 2, 1, 2),
                  ('VMM (user part)', 'vmm', 0, 1.2, 2, 2.45),
                  ('guest OS + apps', 'guest', 0, 1.2, 2.5, 3), ('host apps', 'app', 1.3, 2, 2, 3)],
}
LEVELS = ('hardware', 'privileged mode', 'user mode')


@styled
def plot_architectures():
    fig, axes = new_figure('column', ncols=len(ARCHITECTURES), sharey=True)
    for ax, (name, boxes) in zip(axes, ARCHITECTURES.items(), strict=True):
        for label, kind, x0, x1, y0, y1 in boxes:
            ax.add_patch(Rectangle((x0, y0 + 0.04), x1 - x0, y1 - y0 - 0.08,
                                   color=COLORS[kind], alpha=0.85))
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, label, ha='center', va='center',
                    color='white', fontsize=9, wrap=True)
        ax.set_xlim(0, 2)
        ax.set_ylim(0, 3)
        ax.set_xticks([])
        ax.set_title(name)
    axes[0].set_yticks([0.5, 1.5, 2.5], LEVELS)
    fig.suptitle('Where the VMM runs: three VM architectures')
    return fig
