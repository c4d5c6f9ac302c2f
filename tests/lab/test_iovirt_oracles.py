"""The exercise oracle's formula for exits per disk read is what the VMM counts."""
import pytest

from vlab.lab.iovirt.exercises import measured_exits, predicted_exits


@pytest.mark.parametrize('method', ['emulated', 'virtio', 'passthrough'])
@pytest.mark.parametrize('kib,batch', [(4, 1), (10, 2), (64, 8), (33, 3)])
def test_prediction_matches_the_mechanism(method, kib, batch):
    assert predicted_exits(method, kib, batch) == measured_exits(method, kib, batch)


def test_unknown_method():
    with pytest.raises(ValueError, match='unknown I/O method'):
        predicted_exits('sr-iov', 4)
