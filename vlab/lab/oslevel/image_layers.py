"""An image's layers and what a container's writes do to them.

A container image is a stack of read-only, content-addressed layers (OCI image-spec,
``layer.md``); each container started from it gets one writable layer of its own on
top, joined by a union file system (Linux overlayfs,
``Documentation/filesystems/overlayfs.rst``).  Two containers of one image share every
image layer by content; only their upper layers differ.  What a write does:

* changing a file of the image **copies it up** into the container's layer first;
* deleting one leaves a **whiteout** (``.wh.NAME``), the image layer is untouched;
* overwriting one puts the new content in the container's layer, which hides the
  image's copy from this container only (per-container configuration);
* a new file lands in the container's layer alone.

The model builds two images in a real OCI image layout (:mod:`vlab.os.image`: an image
store, every blob named by its SHA-256), starts containers A and B of ``web:1`` on vlab's
kernel (:mod:`vlab.lab.oslevel.containers`), lets A run a shell command and B look at the
files afterwards, and reads A's writable layer: the kernel's overlay file system put
there whatever A's programs changed.  Under the image both containers also get the
layers with the shell and the commands (:func:`~vlab.lab.oslevel.containers.default_image`),
left out of the figure.
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.lab.experiment import Experiment, Table, dropdown
from vlab.lab.oslevel.containers import Lab, default_image
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled
from vlab.os.fs import ImageLayer, Overlay, WritableLayer
from vlab.os.image import ImageConfig, ImageStore, mediatypes

#: The image "web:1", bottom layer first: a base OS, a runtime, the application.
IMAGE_LAYERS: tuple[tuple[str, dict[str, bytes]], ...] = (
    ("base", {"/etc/motd": b"welcome\n", "/etc/os-release": b"NAME=vlab\n"}),
    ("runtime", {"/usr/lib/libssl.so": b"\x7fELF ssl" + bytes(3000),
                 "/usr/share/doc/README": b"runtime docs\n",
                 "/usr/share/doc/LICENSE": b"MIT\n"}),
    ("app", {"/app/server": b"\x7fELF server" + bytes(1500),
             "/app/config.ini": b"port=8080\n"}),
)
#: A second image on the same two lower layers, with its own top layer.
API_LAYER = ("api", {"/app/api": b"\x7fELF api" + bytes(1200), "/app/api.ini": b"port=9090\n"})
#: Files of the layers under the image (the shell and commands) the figure leaves out.
TOOLBOX = ("/bin/", "/sbin/", "/tmp/", "/mnt/", "/etc/passwd", "/etc/group")

#: What container A runs (a shell command line), by the name shown in the drop-down.
ACTIONS = {
    "nothing": "true",
    "echo 'hello from A' >> /etc/motd": "echo 'hello from A' >> /etc/motd",
    "rm /usr/lib/libssl.so": "rm /usr/lib/libssl.so",
    "echo port=9000 > /app/config.ini": "echo port=9000 > /app/config.ini",
    "echo started > /app/server.log": "echo started > /app/server.log",
}
#: What container B runs, a second later (after A's command), to show what it sees.
B_LOOKS = "sleep 1; cat /etc/motd; ls /usr/lib /usr/share/doc"


def layer_files() -> dict[str, dict[str, bytes]]:
    """Every layer's files by layer name."""
    return {name: dict(files) for name, files in (*IMAGE_LAYERS, API_LAYER)}


def build_images(root: str | Path) -> ImageStore:
    """An OCI image store at ``root`` holding ``web:1`` (base, runtime, app) and ``api:1``
    (base, runtime, api): the two images share their two lower layers by content."""
    store = ImageStore(root)
    refs = {name: store.add_layer(ImageLayer(files, name=name))
            for name, files in layer_files().items()}
    store.add_image("web:1", [refs["base"], refs["runtime"], refs["app"]],
                    ImageConfig(cmd=["/app/server"], working_dir="/app"))
    store.add_image("api:1", [refs["base"], refs["runtime"], refs["api"]],
                    ImageConfig(cmd=["/app/api"], working_dir="/app"))
    return store


@functools.cache
def layer_names() -> dict[str, str]:
    """DiffID (the digest of a layer's uncompressed tar) -> the layer's name here."""
    return {ImageLayer(files, name=name).digest(): name
            for name, files in layer_files().items()}


def shown(path: str) -> bool:
    """Whether the figure draws ``path`` (the userland of the base layer is left out)."""
    return not path.startswith(TOOLBOX)


def layout_table() -> Table:
    """What the image store holds on disk: the layout files and every blob, once."""
    with tempfile.TemporaryDirectory() as root:
        store = build_images(root)
        names = layer_names()
        rows = [("oci-layout", "", "", (Path(root) / "oci-layout").stat().st_size),
                ("index.json", "", "", (Path(root) / "index.json").stat().st_size)]
        seen = set()
        for record in store.list():
            blobs = [("manifest of " + record.name, mediatypes.MANIFEST,
                      record.digest, None),
                     ("config of " + record.name, record.manifest.config.media_type,
                      record.manifest.config.digest, record.manifest.config.size)]
            blobs += [(f"layer {names[ref.diff_id]}", ref.descriptor.media_type, ref.digest,
                       ref.descriptor.size) for ref in record.layers]
            for what, media, digest, size in blobs:
                if digest in seen:
                    continue
                seen.add(digest)
                path = Path(root) / "blobs" / "sha256" / digest[7:]
                rows.append((what, media, f"blobs/sha256/{digest[7:19]}...",
                             path.stat().st_size if size is None else size))
        return Table(["what", "media type", "file", "bytes"],
                     [(w, m.removeprefix("application/vnd.oci.image."), f or w, b)
                      for w, m, f, b in rows],
                     caption="An OCI image layout (image-spec v1.1) holding web:1 and api:1.")


@dataclass(frozen=True)
class LayersView:
    """The image layers, two containers' upper layers and what each container sees."""

    action: str
    image: dict[str, list[str]]          # layer name -> its files (bottom layer first)
    digests: dict[str, str]              # layer name -> sha256 digest
    uppers: dict[str, list[str]]         # "A"/"B" -> files in that container's layer
    whiteouts: dict[str, list[str]]      # "A"/"B" -> whiteouts
    opaque: dict[str, list[str]]         # "A"/"B" -> opaque directories
    visible: dict[str, dict[str, str]]   # "A"/"B" -> path -> layer answering
    copy_ups: dict[str, int]
    shared_lowers: bool                  # both containers' lower layers are the same objects
    image_bytes: int
    upper_bytes: dict[str, int]
    outputs: dict[str, str]              # what A's command and B's look printed


@functools.cache
def layers_view(action: str = "echo 'hello from A' >> /etc/motd") -> LayersView:
    """Model: start A and B from image ``web:1`` on one kernel; A runs ``action``, then B
    looks at the files; read both writable layers."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; choose one of {sorted(ACTIONS)}")
    names = layer_names()
    with tempfile.TemporaryDirectory() as root:
        store = build_images(root)
        record = store.image("web:1")
        # under the image, the layers with the shell and commands (not drawn)
        lowers = {name: store.rootfs_layers("web:1") + default_image() for name in "AB"}
        image_bytes = sum(ref.descriptor.size for ref in record.layers)
    lab = Lab()
    a = lab.start("A", ["/bin/sh", "-c", ACTIONS[action]], image=lowers["A"])
    b = lab.start("B", ["/bin/sh", "-c", B_LOOKS], image=lowers["B"])
    lab.run(20_000_000)
    fs = {name: Overlay(c.upper, lowers[name]) for name, c in (("A", a), ("B", b))}

    def answering(overlay: Overlay, path: str) -> str:
        layer = overlay.layer_answering(path)
        return layer.name if isinstance(layer, WritableLayer) else names[layer.digest()]

    layers = [layer for layer in reversed(lowers["A"]) if layer.digest() in names]
    return LayersView(
        action=action,
        image={names[layer.digest()]: [p for p in layer.paths() if shown(p)]
               for layer in layers},
        digests={names[layer.digest()]: layer.digest() for layer in layers},
        uppers={n: [p for p in f.upper.paths() if shown(p)] for n, f in fs.items()},
        whiteouts={n: sorted(f.upper.whiteout_paths()) for n, f in fs.items()},
        opaque={n: sorted(f.upper.opaque_dirs()) for n, f in fs.items()},
        visible={n: {p: answering(f, p) for p in f.visible_files() if shown(p)}
                 for n, f in fs.items()},
        copy_ups={n: f.upper.copy_ups for n, f in fs.items()},
        shared_lowers=all(x is y for x, y in zip(lowers["A"], lowers["B"], strict=True)),
        image_bytes=image_bytes,
        upper_bytes={n: f.upper.size_bytes() for n, f in fs.items()},
        outputs={"A": a.text, "B": b.text},
    )


LAYER_COLORS = {"base": ROLE_COLORS["host_os"], "runtime": LEVEL_COLORS["library"],
                "app": LEVEL_COLORS["application"], "upper A": LEVEL_COLORS["os"],
                "upper B": LEVEL_COLORS["isa"]}


@styled
def plot_layers(view: LayersView) -> Figure:
    """Plot: one lane per layer (shared image layers at the bottom), then each view.

    A box is a file; gold hatching is a whiteout, a gold outline an opaque directory's
    new content; in the view lanes each file takes the color of the layer that answers.
    """
    fig, ax = new_figure("column_tall")
    paths = sorted({p for files in view.image.values() for p in files}
                   | {p for files in view.uppers.values() for p in files}
                   | {p for ws in view.whiteouts.values() for p in ws})
    lanes = [*view.image, "upper A", "upper B", "A sees", "B sees"]
    for row, lane in enumerate(lanes):
        label = f"{lane} (image)" if lane in view.image else lane
        ax.text(-0.15, row + 0.4, label, ha="right", va="center", fontsize=9, weight="bold")
        for column, path in enumerate(paths):
            _draw(ax, view, lane, row, column, path)
    for column, path in enumerate(paths):
        ax.text(column + 0.45, -0.2, path, rotation=40, ha="right", va="top", fontsize=9)
    ax.axhline(len(view.image) - 0.1, color=INK, lw=0.8, ls=":")
    ax.set_xlim(-2.6, len(paths))
    ax.set_ylim(-3.6, len(lanes))
    ax.axis("off")
    ax.set_title(f"Container A ran: {_wrap(view.action)}\n(image layers shared by A and B;"
                 " gold hatch: whiteout)")
    return fig


def _wrap(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text.replace("; ", ";\n")


def _draw(ax, view: LayersView, lane: str, row: int, column: int, path: str) -> None:
    box = {"xy": (column, row), "width": 0.9, "height": 0.8}
    if lane.endswith(" sees"):
        layer = view.visible[lane[0]].get(path)
        if layer is not None:
            ax.add_patch(Rectangle(**box, facecolor=LAYER_COLORS[layer], edgecolor=INK))
        return
    if lane.startswith("upper"):
        name = lane[-1]
        if path in view.whiteouts[name]:
            ax.add_patch(Rectangle(**box, facecolor="white", edgecolor=HIGHLIGHT, hatch="xx",
                                   lw=1.5))
        elif path in view.uppers[name]:
            in_image = any(path in files for files in view.image.values())
            ax.add_patch(Rectangle(**box, facecolor=LAYER_COLORS[lane], edgecolor=INK))
            ax.text(column + 0.45, row + 0.4, "copy" if in_image else "new", ha="center",
                    va="center", fontsize=9, color="white")
        return
    if path in view.image[lane]:
        ax.add_patch(Rectangle(**box, facecolor=LAYER_COLORS[lane], edgecolor=INK))


def describe_layers(view: LayersView) -> str:
    """Says what A's command changed, where, and that B and the image are untouched."""
    changes = []
    if view.uppers["A"]:
        changes.append(f"{len(view.uppers['A'])} file(s) in A's own layer "
                       f"({view.copy_ups['A']} copied up from the image)")
    if view.whiteouts["A"]:
        changes.append("a whiteout for " + ", ".join(view.whiteouts["A"]))
    if view.opaque["A"]:
        changes.append("opaque directory " + ", ".join(view.opaque["A"]))
    done = "; ".join(changes) if changes else "nothing"
    same = sum(view.visible["A"].get(p) == layer for p, layer in view.visible["B"].items())
    motd = view.outputs["B"].splitlines()[0] if view.outputs["B"] else ""
    return (f"A's command left {done}. B, looking a second later, still sees all "
            f"{len(view.visible['B'])} files of the image ({same} of them answered by the "
            f"same layer in A) and reads /etc/motd as {motd!r}. The image layers "
            f"({view.image_bytes:,} bytes of tar) are "
            f"{'shared, not copied' if view.shared_lowers else 'COPIED'}; A's own layer "
            f"holds {view.upper_bytes['A']} bytes.")


def layers_explorer(action: str = "echo 'hello from A' >> /etc/motd") -> Experiment:
    """The experiment: a drop-down of what container A runs."""
    control = dropdown("Container A runs", list(ACTIONS), action, width="34em")
    return Experiment(layers_view, plot_layers, {"action": control},
                      describe=describe_layers)
