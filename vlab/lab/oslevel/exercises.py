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


# --- exercise: limits for a container, graded by running it --------------------------

#: The window over which the CPU share is measured (guest ms after boot): whole cpu.max
#: periods for every period that divides 10 ms (periods start at time 0 in the kernel).
CPU_WINDOW_MS = (20, 60)
HOG_SIZES_KIB = (1024, 4096)
STEP_INSTRUCTIONS = 5_000     # 50 us of guest time between looks at the clock


def _cpu_share_alone(limits: dict[str, str]) -> float:
    """The share of the CPU a lone spinner under ``limits`` gets over CPU_WINDOW_MS: the
    time the CPU was not idle (``kernel.idle_ns``: waiting in WFI with nothing to run)."""
    from vlab.lab.oslevel.containers import Lab
    from vlab.lab.oslevel.workloads import workload_layer

    lab = Lab()
    lab.start("limited", ["/bin/spin"], limits=limits, image=workload_layer(HOG_SIZES_KIB))
    marks = []
    for until_ms in CPU_WINDOW_MS:
        while lab.now_ns() < until_ms * 1_000_000:
            lab.run(STEP_INSTRUCTIONS)
        marks.append((lab.now_ns(), lab.kernel.idle_ns))
    (t0, idle0), (t1, idle1) = marks
    return 1 - (idle1 - idle0) / (t1 - t0)


def run_with_limits(limits: dict[str, str]) -> dict:
    """Run the graded workloads, each in a container with ``limits`` on a fresh kernel.

    Returns ``cpu_share`` (of a spinner alone on the machine), ``hog_exit`` (KiB
    touched -> the container's exit status: 0 done, 137 OOM-killed) and ``processes``
    (pids.current after ``forker`` tried ten forks).  Limits the kernel refuses give
    ``{"error": why}``.
    """
    from vlab.lab.oslevel.containers import Lab
    from vlab.lab.oslevel.workloads import workload_layer
    from vlab.os.container.errors import ContainerError

    if not isinstance(limits, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                               for k, v in limits.items()):
        return {"error": "limits must be a dict from file names to strings, e.g. "
                         "{'pids.max': '10'}"}
    image = workload_layer(HOG_SIZES_KIB)
    try:
        result = {"cpu_share": _cpu_share_alone(limits), "hog_exit": {}}
        for size in HOG_SIZES_KIB:
            lab = Lab()
            hog = lab.start("hog", [f"/bin/hog{size}"], limits=limits, image=image)
            lab.run(5_000_000)
            result["hog_exit"][size] = hog.run.outcome(lab.host).exit_code
        lab = Lab()
        forker = lab.start("forker", ["/bin/forker"], limits=limits, image=image)
        lab.run(300_000)
        result["processes"] = int(forker.cgroup.read_file("pids.current"))
    except ContainerError as error:
        return {"error": str(error)}
    return result


# --- exercise: a Containerfile, graded by building and running it ---------------------

#: The build context the student's Containerfile is built in.
MESSAGE = b"served from /srv\n"


def build_and_run(containerfile: str, env: tuple[str, ...] = ()) -> dict:
    """Build ``containerfile`` with vlab's build executor in a context holding ``greet``
    (prints $GREETING, then ./message.txt) and ``message.txt``, in a fresh state
    directory, and run the image once (``env``: ``-e K=V`` options).

    Returns ``output`` (what the container printed, stdout and stderr), ``exit_code``,
    ``layers`` (how many the image has), ``env``, ``workdir`` and ``cmd`` (its
    config), or ``{"error": why}`` when the build fails (a Containerfile error names
    the line).
    """
    import io
    import tempfile
    from pathlib import Path

    from vlab.lab.oslevel.workloads import greet_elf
    from vlab.os.container.build import build
    from vlab.os.container.errors import ContainerError
    from vlab.os.container.runtime import Runtime
    from vlab.os.container.spec import RunSpec
    from vlab.os.container.statedir import StateDir
    from vlab.os.image.errors import ImageError

    if not isinstance(containerfile, str):
        return {"error": "the Containerfile must be a string (its text)"}
    with tempfile.TemporaryDirectory() as directory:
        context = Path(directory) / "context"
        context.mkdir()
        (context / "greet").write_bytes(greet_elf())
        (context / "greet").chmod(0o755)
        (context / "message.txt").write_bytes(MESSAGE)
        (context / "Containerfile").write_text(containerfile, encoding="utf-8")
        runtime = Runtime(StateDir(Path(directory) / "state"))
        log = io.StringIO()
        try:
            image = build(runtime, str(context), "answer:1", out=log)
            config = runtime.images.store.config(image)
            layers = len(runtime.images.store.image(image).layers)
            record = runtime.create(RunSpec(image=image, env=list(env)))
            output = io.BytesIO()
            outcome = runtime.start(record, stdout=output, stderr=output,
                                    budget=1_000_000)
        except (ContainerError, ImageError) as error:
            why = str(error).replace(str(context), "<context>")
            return {"error": why.replace(directory, "<build directory>")}
    return {"output": output.getvalue().decode("utf-8", "replace"),
            "exit_code": outcome.exit_code, "layers": layers, "env": list(config.env),
            "workdir": config.working_dir, "cmd": config.argv()}
