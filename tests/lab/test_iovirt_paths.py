"""The drawing of the three I/O paths names modules that exist and implement each box."""
from pathlib import Path

import vlab
from vlab.lab.iovirt.paths import PATHS, plot_paths

ROOT = Path(vlab.__file__).parent


def test_every_named_module_exists():
    for boxes, _ in PATHS.values():
        for _, _, module in boxes:
            name = module.split(':')[0].split(',')[0].strip()
            path = ROOT / name if name.startswith('host/') else ROOT / 'hardware' / 'io' / name
            assert path.is_file(), module


def test_the_figure_has_one_column_per_method():
    fig = plot_paths()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert all(method in texts for method in PATHS)
