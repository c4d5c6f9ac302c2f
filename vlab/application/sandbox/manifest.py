"""The package manifest: what the application is and how its sandbox is set up.

Real products keep this beside or inside the package (App-V's OSD and
manifest XML, ThinApp's ``Package.ini``).  Here it is a few ``key: value``
lines stored in the package index:

=============  ==============================================================
key            meaning
=============  ==============================================================
``name``       the application's name (also names its sandbox)
``version``    the application's version
``root``       where the package's own files appear in the VFS (``/apps/NAME``)
``class-path`` the directory of its class files (``ROOT/classes``)
``entry``      the class whose ``main`` starts it (empty: none)
``launch``     comma-separated files needed to start it: App-V's "feature
               block 1", prefetched in one round trip at launch
``isolation``  comma-separated ``DIR=MODE``; MODE is ``writecopy`` (host
               files visible, writes go to the sandbox) or ``full`` (host files
               under DIR invisible).  ThinApp's ``DirectoryIsolationMode``.
=============  ==============================================================

ThinApp's third mode, *Merged*, lets writes reach the real host; vlab leaves
it out on purpose: here an application's writes never leave its sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vlab.application.sandbox.errors import PackageFormatError, PathEscapeError
from vlab.application.sandbox.paths import normalize

ISOLATION_MODES = ("writecopy", "full")
REQUIRED = ("name", "version", "root", "class-path")


def _path_field(key: str, value: str) -> str:
    try:
        path = normalize(value)
    except PathEscapeError as exc:
        raise PackageFormatError(f"manifest {key!r}: {exc}") from None
    if path != value:
        raise PackageFormatError(f"manifest {key!r}: {value!r} is not canonical ({path!r})")
    return path


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class Manifest:
    """The parsed manifest of one application package."""

    name: str
    version: str = "1.0"
    root: str = ""
    class_path: str = ""
    entry: str = ""
    launch: tuple[str, ...] = ()
    isolation: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or "/" in self.name or "," in self.name:
            raise PackageFormatError(f"application name {self.name!r} must be a plain word")
        if not self.root:
            object.__setattr__(self, "root", f"/apps/{self.name}")
        if not self.class_path:
            object.__setattr__(self, "class_path", f"{self.root}/classes")
        for directory, mode in self.isolation.items():
            _path_field("isolation", directory)
            if mode not in ISOLATION_MODES:
                raise PackageFormatError(
                    f"isolation mode {mode!r} for {directory!r} is not one of {ISOLATION_MODES}"
                )

    def to_fields(self) -> dict[str, str]:
        isolation = ",".join(f"{d}={m}" for d, m in sorted(self.isolation.items()))
        return {
            "name": self.name, "version": self.version, "root": self.root,
            "class-path": self.class_path, "entry": self.entry,
            "launch": ",".join(self.launch), "isolation": isolation,
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Manifest:
        missing = [key for key in REQUIRED if key not in fields]
        if missing:
            raise PackageFormatError(f"manifest lacks {', '.join(missing)}")
        isolation = {}
        for item in _split(fields.get("isolation", "")):
            directory, sep, mode = item.partition("=")
            if not sep:
                raise PackageFormatError(f"manifest isolation item {item!r} is not DIR=MODE")
            isolation[directory] = mode
        return cls(
            name=fields["name"], version=fields["version"],
            root=_path_field("root", fields["root"]),
            class_path=_path_field("class-path", fields["class-path"]),
            entry=fields.get("entry", ""),
            launch=tuple(_path_field("launch", p) for p in _split(fields.get("launch", ""))),
            isolation=isolation,
        )
