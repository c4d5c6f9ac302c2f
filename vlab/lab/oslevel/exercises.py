"""Oracles for chapter 7's exercises: real runs of the models, not tables of answers."""

from __future__ import annotations

from vlab.os.fs import ImageLayer, Overlay, WritableLayer

# --- exercise: an image's layers and a container's writes ----------------------------

#: The image, bottom layer first.  ``app`` replaces ``/etc/motd`` and deletes one
#: document of ``base`` (a whiteout inside the image itself).
SCENARIO_IMAGE = (
    ("base", {"/bin/sh": b"sh\n", "/etc/motd": b"base motd\n", "/etc/hosts": b"127.0.0.1\n",
              "/usr/share/doc/a.txt": b"a\n", "/usr/share/doc/b.txt": b"b\n"},
     ()),
    ("app", {"/app/run": b"run\n", "/etc/motd": b"app motd\n"}, ("/usr/share/doc/b.txt",)),
)
#: (operation, path[, data]) the container performs, in order.
SCENARIO_STEPS = (
    ("append", "/etc/motd", b"edited\n"),
    ("delete", "/bin/sh"),
    ("remove_tree", "/usr/share/doc"),
    ("write", "/usr/share/doc/c.txt", b"c\n"),
    ("write", "/tmp/t", b"t\n"),
    ("delete", "/tmp/t"),
)
SCENARIO_PATHS = ("/app/run", "/bin/sh", "/etc/hosts", "/etc/motd", "/tmp/t",
                  "/usr/share/doc/a.txt", "/usr/share/doc/b.txt", "/usr/share/doc/c.txt")


def scenario_image() -> list[ImageLayer]:
    """The scenario's image layers, bottom first."""
    return [ImageLayer(files, whiteouts=whiteouts, name=name)
            for name, files, whiteouts in SCENARIO_IMAGE]


def scenario_container(steps=SCENARIO_STEPS) -> Overlay:
    """A container's file system (its layer named ``container``) after ``steps``."""
    fs = Overlay(WritableLayer("container"), tuple(reversed(scenario_image())))
    for operation, path, *data in steps:
        getattr(fs, operation)(path, *data)
    return fs


def scenario_answers(steps=SCENARIO_STEPS) -> dict:
    """What really happened: the layer answering each path, and the container layer's
    files, whiteouts and opaque directories (sorted lists)."""
    fs = scenario_container(steps)
    return {"answering": {path: fs.layer_of(path) for path in SCENARIO_PATHS},
            "files": fs.upper.paths(),
            "whiteouts": sorted(fs.upper.whiteout_paths()),
            "opaque": sorted(fs.upper.opaque_dirs())}


# --- exercise: DiffIDs and ChainIDs of an image ---------------------------------------

def stored_chain_ids(layers: list[dict[str, bytes]]) -> tuple[list[str], list[str]]:
    """Store each of ``layers`` (bottom first; path -> content) in a fresh OCI image store,
    name one image per prefix of the stack, and read back what the store says:
    ``(DiffIDs, ChainIDs)``, the ChainID of prefix k being that image's ``chain_id``."""
    import tempfile

    from vlab.os.image import ImageStore

    with tempfile.TemporaryDirectory() as root:
        store = ImageStore(root)
        refs = [store.add_layer(ImageLayer(files, name=f"layer{i}"))
                for i, files in enumerate(layers)]
        chains = [store.add_image(f"prefix:{k}", refs[:k]).chain_id
                  for k in range(1, len(refs) + 1)]
        return [ref.diff_id for ref in refs], chains


#: Layers for the ChainID exercise (bottom first).
CHAIN_LAYERS = [{"/bin/sh": b"sh\n"}, {"/etc/motd": b"hi\n"}, {"/app/run": b"run\n"}]
