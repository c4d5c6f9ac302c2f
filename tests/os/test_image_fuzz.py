"""Fuzz: damaged layer tars and damaged layout documents give ImageErrors, nothing else.

Seeded, so a failure reproduces.  Each trial flips bytes of a tar, or replaces, deletes or
retypes one field of index.json, the manifest or the config (re-hashing what points at
it, so the damage gets past the digest check to the parser behind it).
"""

import hashlib
import io
import json
import random
import shutil
import tarfile

from vlab.os.fs import ImageLayer
from vlab.os.image import ImageConfig, ImageError, ImageStore
from vlab.os.image.tarsafe import read_layer, to_image_layer

VALUES = [None, 0, -1, 1.5, True, "", "x", "sha256:" + "0" * 64, [], {}, [1], {"a": 1},
          ["x"], 2**70]


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sample_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for i in range(4):
            info = tarfile.TarInfo("d/" * i + f"f{i}\u00e9")
            data = b"x" * (i * 300)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("link")
        info.type, info.linkname = tarfile.SYMTYPE, "f0\u00e9"
        archive.addfile(info)
    return buffer.getvalue()


def test_damaged_tars_are_image_errors():
    base, rng = sample_tar(), random.Random(1)
    for _ in range(2000):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data) if rng.random() < 0.5 else 2048)] = rng.randrange(256)
        try:
            to_image_layer(read_layer(bytes(data), "fuzz"), "fuzz")
        except ImageError:
            pass


def mutate(obj, rng) -> None:
    if isinstance(obj, dict) and obj:
        key = rng.choice(list(obj))
        roll = rng.random()
        if roll < 0.3:
            del obj[key]
        elif roll < 0.6:
            obj[key] = rng.choice(VALUES)
        else:
            mutate(obj[key], rng)
    elif isinstance(obj, list) and obj:
        i = rng.randrange(len(obj))
        if rng.random() < 0.5:
            obj[i] = rng.choice(VALUES)
        else:
            mutate(obj[i], rng)


def test_damaged_documents_are_image_errors(tmp_path):
    store = ImageStore(tmp_path / "s")
    layers = [store.add_layer(ImageLayer({"/a": b"1"})),
              store.add_layer(ImageLayer({"/b": b"2"}), compress=True)]
    store.add_image("x", layers, ImageConfig(cmd=["/a"], env=["A=1"]))
    store.export("x", tmp_path / "out")
    rng = random.Random(2)
    for trial in range(200):
        work = tmp_path / f"w{trial}"
        shutil.copytree(tmp_path / "out", work)
        blobs = work / "blobs" / "sha256"
        index = json.loads((work / "index.json").read_text())
        manifest = json.loads((blobs / index["manifests"][0]["digest"][7:]).read_bytes())
        config = json.loads((blobs / manifest["config"]["digest"][7:]).read_bytes())
        which = rng.choice(["index", "manifest", "config"])
        if which == "config":
            mutate(config, rng)
            data = json.dumps(config).encode()
            (blobs / sha(data)[7:]).write_bytes(data)
            manifest["config"].update(digest=sha(data), size=len(data))
        if which in ("config", "manifest"):
            if which == "manifest":
                mutate(manifest, rng)
            data = json.dumps(manifest).encode()
            (blobs / sha(data)[7:]).write_bytes(data)
            index["manifests"][0].update(digest=sha(data), size=len(data))
        else:
            mutate(index, rng)
        (work / "index.json").write_text(json.dumps(index))
        target = ImageStore(tmp_path / f"t{trial}")
        try:
            target.import_layout(work)
            for name in target.names():
                target.rootfs_layers(name)
        except ImageError:
            assert target.names() == []
        shutil.rmtree(work)
