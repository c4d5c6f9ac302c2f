"""The .vapp package format: round trip, layout, and clear rejection of malformed packages."""

import struct
import zlib

import pytest

from vlab.application.sandbox.errors import PackageFormatError, PathEscapeError
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.package_format import HEADER, MAGIC
from vlab.application.sandbox.packager import build_package, build_package_from_directory

FILES = {
    "classes/Main.vcls": bytes(range(256)) * 9,  # 2304 bytes: 3 blocks of 1024
    "data/config.txt": b"greeting=hello\n",
    "/etc/hello.conf": b"colour=blue\n",
    "empty.txt": b"",
}


def make(**options):
    return build_package(FILES, "hello", launch=["classes/Main.vcls"], **options)


def test_round_trip_reads_every_file_back():
    package = Package.from_bytes(make().data)
    assert package.read("/apps/hello/classes/Main.vcls") == FILES["classes/Main.vcls"]
    assert package.read("/apps/hello/data/config.txt") == b"greeting=hello\n"
    assert package.read("/etc/hello.conf") == b"colour=blue\n"
    assert package.read("/apps/hello/empty.txt") == b""


def test_header_layout_is_as_documented():
    package = make()
    magic, major, minor, block_size, count, index_length, crc = HEADER.unpack_from(package.data)
    assert (magic, major, minor, block_size) == (MAGIC, 1, 0, 1024)
    assert count == 3 + 1 + 1  # Main.vcls: 3 blocks, the two small files 1 each, empty: 0
    index = package.data[HEADER.size:HEADER.size + index_length]
    assert zlib.crc32(index) == crc
    assert package.size == len(package.data) == HEADER.size + index_length + sum(
        len(data) for data in FILES.values())


def test_file_is_cut_into_blocks_of_block_size():
    package = make(block_size=100)
    entry = package.index.files["/apps/hello/classes/Main.vcls"]
    assert entry.block_count == 24  # ceil(2304 / 100)
    lengths = [package.index.blocks[b].length for b in entry.blocks]
    assert lengths == [100] * 23 + [4]


def test_manifest_round_trips():
    manifest = make(entry="Main", isolation={"/home": "full"}).manifest
    assert manifest.name == "hello"
    assert manifest.root == "/apps/hello"
    assert manifest.class_path == "/apps/hello/classes"
    assert manifest.entry == "Main"
    assert manifest.launch == ("/apps/hello/classes/Main.vcls",)
    assert manifest.isolation == {"/home": "full"}


def test_packager_reads_a_directory(tmp_path):
    (tmp_path / "classes").mkdir()
    (tmp_path / "classes" / "Main.vcls").write_bytes(b"\x01\x02")
    (tmp_path / "readme.txt").write_bytes(b"hi")
    package = build_package_from_directory(tmp_path, "dirapp")
    assert package.paths == ["/apps/dirapp/classes/Main.vcls", "/apps/dirapp/readme.txt"]
    assert package.read("/apps/dirapp/readme.txt") == b"hi"


def test_packager_refuses_a_symlink(tmp_path):
    (tmp_path / "link").symlink_to("/etc/passwd")
    with pytest.raises(PathEscapeError, match="symbolic link"):
        build_package_from_directory(tmp_path, "linky")


@pytest.mark.parametrize("name", ["../evil", "classes/../../evil", "C:/evil", "a\\b", "x\0"])
def test_packager_refuses_names_that_escape_the_root(name):
    with pytest.raises(PathEscapeError):
        build_package({name: b"x"}, "bad")


def test_launch_file_must_be_in_the_package():
    with pytest.raises(PackageFormatError, match="launch file"):
        build_package({"a": b"x"}, "app", launch=["b"])


# ---------------------------------------------------------------- malformed packages


def test_bad_magic_is_rejected():
    data = bytearray(make().data)
    data[0:4] = b"\x7fELF"
    with pytest.raises(PackageFormatError, match="bad magic"):
        Package.from_bytes(bytes(data))


def test_unknown_major_version_is_rejected():
    data = bytearray(make().data)
    data[4:6] = struct.pack("<H", 9)
    with pytest.raises(PackageFormatError, match="version 9.0 is not supported"):
        Package.from_bytes(bytes(data))


@pytest.mark.parametrize("keep", [0, 10, HEADER.size, HEADER.size + 20])
def test_truncated_metadata_is_rejected(keep):
    with pytest.raises(PackageFormatError, match="truncated"):
        Package.from_bytes(make().data[:keep])


def test_truncated_data_is_rejected_naming_the_block_and_file():
    data = make().data
    with pytest.raises(PackageFormatError, match=r"truncated package: block \d+ \(/"):
        Package.from_bytes(data[:-1])


def test_corrupt_index_fails_its_checksum():
    data = bytearray(make().data)
    data[HEADER.size + 6] ^= 0xFF  # inside the manifest
    with pytest.raises(PackageFormatError, match="index checksum mismatch"):
        Package.from_bytes(bytes(data))


def test_corrupt_block_fails_its_checksum():
    data = bytearray(make().data)
    data[-3] ^= 0x01  # inside the last block
    with pytest.raises(PackageFormatError, match="checksum mismatch in block"):
        Package.from_bytes(bytes(data))


def test_trailing_garbage_is_rejected():
    with pytest.raises(PackageFormatError, match="unexpected bytes after the last block"):
        Package.from_bytes(make().data + b"junk")


def _forge_index(index: bytes) -> bytes:
    """A package whose index is ``index`` with a correct CRC (an attacker can do this)."""
    header = HEADER.pack(MAGIC, 1, 0, 1024, 0, len(index), zlib.crc32(index))
    return header + index


def test_forged_entry_with_dotdot_is_rejected_even_with_a_good_checksum():
    manifest = b"class-path: /apps/x/classes\nname: x\nroot: /apps/x\nversion: 1"
    path = b"/apps/x/../../etc/passwd"
    index = (struct.pack("<I", len(manifest)) + manifest + struct.pack("<I", 1)
             + struct.pack("<H", len(path)) + path + struct.pack("<III", 0, 0, 0))
    with pytest.raises(PackageFormatError, match="not a canonical file path"):
        Package.from_bytes(_forge_index(index))


def test_forged_manifest_missing_keys_is_rejected():
    manifest = b"name: x"
    index = struct.pack("<I", len(manifest)) + manifest + struct.pack("<I", 0)
    with pytest.raises(PackageFormatError, match="manifest lacks version, root, class-path"):
        Package.from_bytes(_forge_index(index))


def test_random_bytes_never_escape_as_a_python_exception():
    import random

    rng = random.Random(1)
    good = make().data
    rejected = 0
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        data = bytes(data[:rng.randrange(len(data) + 1)])
        try:
            Package.from_bytes(data)
        except PackageFormatError:
            rejected += 1
    assert rejected > 250  # a few mutations may hit nothing checked (e.g. block size field)


@pytest.mark.parametrize("fields, reason", [
    ({"isolation": {"/home": "merged"}}, "isolation mode 'merged'"),
    ({"isolation": {"home": "full"}}, "not canonical"),
])
def test_manifest_rejects_bad_isolation(fields, reason):
    with pytest.raises(PackageFormatError, match=reason):
        build_package({"a": b"x"}, "app", **fields)


@pytest.mark.parametrize("name", ["", "a/b", "a,b"])
def test_application_names_are_plain_words(name):
    with pytest.raises(PackageFormatError, match="plain word"):
        build_package({"a": b"x"}, name)


def test_two_input_names_for_one_path_are_refused():
    with pytest.raises(PackageFormatError, match="two input files land at"):
        build_package({"x": b"1", "/apps/app/x": b"2"}, "app")
