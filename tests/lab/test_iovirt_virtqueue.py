"""The virtqueue drawing reads a real queue back from memory after every step."""
from vlab.lab.iovirt.virtqueue_view import (
    QUEUE,
    describe_virtqueue,
    plot_virtqueue,
    virtqueue_explorer,
    virtqueue_steps,
)


def test_the_rings_move_as_the_spec_says():
    steps = virtqueue_steps()
    published = [s.queue.avail_idx for s in steps]
    used = [s.queue.used_idx for s in steps]
    assert published == sorted(published) and published[-1] == 3
    assert used == sorted(used) and used[-1] == 3
    assert all(s.queue.used_idx <= s.queue.device_taken <= s.queue.avail_idx for s in steps)
    assert [s.notifications for s in steps][-1] == 2          # two kicks for three requests
    last = steps[-1]
    # request C wrapped: descriptors 6, 7, 0, chained by NEXT
    assert last.queue.avail_ring[:3] == (0, 3, 6)
    assert [last.queue.descriptors[i][3] for i in (6, 7)] == [7, 0]
    assert last.queue.used_ring[:3] == ((0, 4097), (3, 4097), (6, 4097))
    assert len(last.queue.descriptors) == QUEUE


def test_the_experiment_has_one_state_per_step():
    exp = virtqueue_explorer()
    assert exp.states == len(virtqueue_steps()) and exp.stored
    exp.controls['step'].value = 3
    assert 'QueueNotify' in exp.text and exp.data.queue.avail_idx == 2
    assert plot_virtqueue(exp.data).axes and describe_virtqueue(exp.data).startswith('Step 3')
