"""Copy-on-write disk images: clones read the template, writes stay in the clone, the
template is never written, clones are small whatever the template holds, and bad images
are refused with the reason."""
import os

import pytest

from vlab.hardware.lifecycle.disk_image import (
    CLUSTER,
    DiskImage,
    DiskImageError,
    clone,
    create,
)


@pytest.fixture
def template(tmp_path):
    path = tmp_path / 'base.img'
    create(path, 64 * CLUSTER)
    with DiskImage(path, writable=True) as base:
        for c in range(64):
            base.write(c * CLUSTER, bytes([c + 1]) * CLUSTER)
    return path


def test_clone_reads_through_and_writes_copy_up(template, tmp_path):
    before = template.read_bytes()
    clone(template, tmp_path / 'a.img')
    clone(template, tmp_path / 'b.img')
    with DiskImage(tmp_path / 'a.img', writable=True) as a:
        assert a.read(5 * CLUSTER - 2, 4) == b'\x05\x05\x06\x06'
        a.write(5 * CLUSTER - 2, b'ABCD')                 # spans two clusters
        assert a.read(5 * CLUSTER - 3, 6) == b'\x05ABCD\x06'
        assert a.allocated() == 2
    with DiskImage(tmp_path / 'b.img') as b:
        assert b.read(5 * CLUSTER - 2, 4) == b'\x05\x05\x06\x06'
        assert b.allocated() == 0 and b.chain()[-1].endswith('base.img')
    assert template.read_bytes() == before


def test_clones_are_constant_size(tmp_path, template):
    small = tmp_path / 'tiny.img'
    create(small, 64 * CLUSTER)
    clone(small, tmp_path / 'c1.img')
    clone(template, tmp_path / 'c2.img')
    assert os.path.getsize(tmp_path / 'c1.img') == os.path.getsize(tmp_path / 'c2.img')
    assert os.path.getsize(tmp_path / 'c2.img') < 200 < os.path.getsize(template)


def test_chain_of_clones(template, tmp_path):
    clone(template, tmp_path / 'mid.img')
    with DiskImage(tmp_path / 'mid.img', writable=True) as mid:
        mid.write(0, b'mid')
    clone(tmp_path / 'mid.img', tmp_path / 'top.img')
    with DiskImage(tmp_path / 'top.img') as top:
        assert top.read(0, 4) == b'mid\x01' and len(top.chain()) == 3


def test_bad_images_are_refused(tmp_path, template):
    with pytest.raises(DiskImageError, match='read-only'):
        with DiskImage(template) as base:
            base.write(0, b'x')
    (tmp_path / 'junk.img').write_bytes(b'hello world' * 10)
    with pytest.raises(DiskImageError, match='not a vlab disk image'):
        DiskImage(tmp_path / 'junk.img')
    clone(template, tmp_path / 'orphan.img')
    os.unlink(template)
    with pytest.raises(DiskImageError, match='cannot open'):
        DiskImage(tmp_path / 'orphan.img')
    with pytest.raises(DiskImageError, match='multiple'):
        create(tmp_path / 'odd.img', 1000)
    with pytest.raises(DiskImageError, match='exists'):
        create(tmp_path / 'junk.img', CLUSTER)
    data = bytearray((tmp_path / 'orphan.img').read_bytes())
    data[20] ^= 1
    (tmp_path / 'corrupt.img').write_bytes(bytes(data))
    with pytest.raises(DiskImageError, match='checksum'):
        DiskImage(tmp_path / 'corrupt.img')
