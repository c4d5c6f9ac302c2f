"""The image configuration: how to run the image and which layers make its root.

``config.md`` (image-spec v1.1), media type ``application/vnd.oci.image.config.v1+json``.
Fields written here: ``architecture``, ``os``, ``variant``, ``config`` (``Env``,
``Entrypoint``, ``Cmd``, ``WorkingDir``, ``User``), ``rootfs`` (``type: layers``,
``diff_ids``) and ``history``.  No ``created`` time is written, so building the same
thing twice gives the same config digest (the spec makes ``created`` OPTIONAL).

**Architecture.**  The spec asks for Go's ``GOARCH`` names.  Go has no 32-bit RISC-V
port, but ``riscv`` is in its list of known architectures (``go/build/syslist.go``,
reserved for it, beside the real ``riscv64``), so vlab images say
``architecture: "riscv"`` and ``variant: "rv32ima"`` (the base ISA and extensions the
machine implements; ``variant`` is the spec's field for a CPU variant).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.os.image import jsondoc
from vlab.os.image.digest import chain_id, check_digest
from vlab.os.image.errors import LayoutError

ARCHITECTURE = "riscv"
VARIANT = "rv32ima"
OS = "linux"


@dataclass
class ImageConfig:
    """The parts of an OCI image config that vlab reads and writes."""

    diff_ids: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    entrypoint: list[str] | None = None
    cmd: list[str] | None = None
    working_dir: str = ""
    user: str = ""
    history: list[dict] = field(default_factory=list)
    architecture: str = ARCHITECTURE
    variant: str | None = VARIANT
    os: str = OS

    @property
    def chain_id(self) -> str | None:
        """The ChainID of the whole layer stack (``None`` for an image with no layers)."""
        return chain_id(self.diff_ids)

    def env_dict(self) -> dict[str, str]:
        """``Env`` as a mapping (the last of two equal names wins, as in a shell)."""
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in self.env)

    def argv(self, command: list[str] | None = None) -> list[str]:
        """What a container runs: Entrypoint + (``command`` or Cmd) (``config.md``)."""
        return [*(self.entrypoint or []), *(command if command else (self.cmd or []))]

    def to_json(self) -> dict:
        run: dict = {}
        if self.env:
            run["Env"] = list(self.env)
        if self.entrypoint is not None:
            run["Entrypoint"] = list(self.entrypoint)
        if self.cmd is not None:
            run["Cmd"] = list(self.cmd)
        if self.working_dir:
            run["WorkingDir"] = self.working_dir
        if self.user:
            run["User"] = self.user
        obj = {"architecture": self.architecture, "os": self.os, "config": run,
               "rootfs": {"type": "layers", "diff_ids": list(self.diff_ids)},
               "history": [dict(h) for h in self.history]}
        if self.variant:
            obj["variant"] = self.variant
        return obj

    def to_bytes(self) -> bytes:
        return jsondoc.dumps(self.to_json())

    @classmethod
    def from_json(cls, obj: dict, where: str) -> ImageConfig:
        """Check and read a config object (unknown fields are ignored, as the spec says)."""
        architecture = jsondoc.field(obj, "architecture", str, where)
        os_name = jsondoc.field(obj, "os", str, where)
        rootfs = jsondoc.field(obj, "rootfs", dict, where)
        if rootfs.get("type") != "layers":
            raise LayoutError(f"{where}: rootfs.type is {rootfs.get('type')!r}; the spec "
                              "requires 'layers'")
        diff_ids = jsondoc.field(rootfs, "diff_ids", list, f"{where} rootfs")
        for i, diff_id in enumerate(diff_ids):
            check_digest(diff_id, f"{where} rootfs.diff_ids[{i}]")
        run = jsondoc.field(obj, "config", dict, where, required=False, default={})
        history = jsondoc.field(obj, "history", list, where, required=False, default=[])
        if not all(isinstance(h, dict) for h in history):
            raise LayoutError(f"{where}: history must be an array of objects")
        return cls(
            diff_ids=list(diff_ids),
            env=jsondoc.string_list(run, "Env", f"{where} config") or [],
            entrypoint=jsondoc.string_list(run, "Entrypoint", f"{where} config"),
            cmd=jsondoc.string_list(run, "Cmd", f"{where} config"),
            working_dir=jsondoc.field(run, "WorkingDir", str, f"{where} config",
                                      required=False, default=""),
            user=jsondoc.field(run, "User", str, f"{where} config", required=False,
                               default=""),
            history=list(history), architecture=architecture,
            variant=jsondoc.field(obj, "variant", str, where, required=False), os=os_name)

    @classmethod
    def from_bytes(cls, data: bytes, where: str) -> ImageConfig:
        return cls.from_json(jsondoc.loads(data, where), where)
