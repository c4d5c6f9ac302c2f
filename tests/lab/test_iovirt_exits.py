"""Exits per KiB for the three I/O methods: the shape of the split-driver results."""
from vlab.lab.iovirt.exits_view import (
    describe_io_costs,
    io_costs,
    io_costs_explorer,
    plot_io_costs,
)


def test_emulation_exits_per_register_virtio_per_batch_passthrough_never():
    c = io_costs(4, 1500)
    e, v, p = c.of('emulated'), c.of('virtio'), c.of('passthrough')
    assert e.exits_per_kib == 1.25                        # 5 accesses per 4 KiB command
    assert v.exits_per_kib == 1 / 16                      # 4 requests x 4 KiB per kick
    assert p.exits_per_kib == 0
    assert e.cycles_per_kib > v.cycles_per_kib > p.cycles_per_kib
    assert e.exits_per_line == 64 and p.exits_per_line == 0


def test_cheaper_exits_and_bigger_batches_narrow_the_gap():
    slow, fast = io_costs(4, 1500), io_costs(4, 500)
    assert fast.of('emulated').cycles_per_kib < slow.of('emulated').cycles_per_kib
    assert fast.of('passthrough').cycles_per_kib == slow.of('passthrough').cycles_per_kib
    assert io_costs(16, 1500).of('virtio').cycles_per_kib < \
        io_costs(1, 1500).of('virtio').cycles_per_kib


def test_the_experiment():
    exp = io_costs_explorer()
    assert exp.states == 20 and exp.stored
    exp.controls['batch'].value = 16
    assert exp.params == {'batch': 16, 'exit_cycles': 1500, 'device': 'disk'}
    assert 'one notification per 16 requests' in exp.text
    assert len(plot_io_costs(exp.data).axes) == 2 and describe_io_costs(exp.data)
    exp.controls['device'].value = 'console'
    assert exp.data.device == 'console'
    assert 'console line' in exp.figure.axes[0].get_ylabel()
