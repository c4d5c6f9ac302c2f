"""The build executor (COPY/ENV/WORKDIR/CMD, the layer cache) and the image views."""

from __future__ import annotations

import io

import pytest

from vlab.os.container.build import BuildError, build
from vlab.os.container.errors import ContainerError
from vlab.os.container.runtime import Runtime
from vlab.os.container.statedir import StateDir
from vlab.os.image.errors import ContainerfileError


@pytest.fixture
def runtime(tmp_path):
    return Runtime(StateDir(tmp_path / "state"))


def _context(tmp_path, containerfile: str, files=None):
    context = tmp_path / "ctx"
    context.mkdir(exist_ok=True)
    (context / "Containerfile").write_text(containerfile)
    for name, data in (files or {}).items():
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text(data)
    return context


SCRATCH = """\
FROM scratch
COPY hello.txt /srv/hello.txt
ENV GREETING=hi
WORKDIR /srv
COPY conf/ etc/
CMD ["/bin/cat", "hello.txt"]
"""


def test_scratch_build_makes_layers_and_config(runtime, tmp_path):
    context = _context(tmp_path, SCRATCH, {"hello.txt": "hello\n", "conf/a.conf": "a=1\n"})
    out = io.StringIO()
    name = build(runtime, str(context), "demo", out=out)
    assert name == "demo:latest"
    record = runtime.images.record("demo")
    assert len(record.layers) == 2
    assert record.config.env == ["GREETING=hi"]
    assert record.config.working_dir == "/srv"
    assert record.config.cmd == ["/bin/cat", "hello.txt"]
    lowers = runtime.images.layers("demo")
    assert lowers[1].read("/srv/hello.txt") == b"hello\n"
    assert lowers[0].read("/srv/etc/a.conf") == b"a=1\n"     # relative to WORKDIR
    assert "CACHED" not in out.getvalue()
    assert "STEP 6/6" in out.getvalue()


def test_second_build_is_all_cache_hits_and_a_change_misses(runtime, tmp_path):
    context = _context(tmp_path, SCRATCH, {"hello.txt": "hello\n", "conf/a.conf": "a=1\n"})
    build(runtime, str(context), "demo", out=io.StringIO())
    first = runtime.images.record("demo").id
    out = io.StringIO()
    build(runtime, str(context), "demo", out=out)
    assert out.getvalue().count("CACHED") == 2
    assert runtime.images.record("demo").id == first
    (context / "conf" / "a.conf").write_text("a=2\n")
    out = io.StringIO()
    build(runtime, str(context), "demo", out=out)
    assert out.getvalue().count("CACHED") == 1          # the first COPY only
    assert runtime.images.record("demo").id != first
    out = io.StringIO()
    build(runtime, str(context), "demo", out=out, no_cache=True)
    assert "CACHED" not in out.getvalue()


def test_copy_cannot_escape_the_context(runtime, tmp_path):
    (tmp_path / "secret").write_text("no")
    context = _context(tmp_path, "FROM scratch\nCOPY ../secret /s\n")
    with pytest.raises(ContainerfileError, match="Containerfile:2"):
        build(runtime, str(context), "bad", out=io.StringIO())
    assert runtime.images.list() == []


def test_syntax_error_names_file_and_line_and_leaves_no_image(runtime, tmp_path):
    context = _context(tmp_path, "FROM scratch\nCOPPY a /a\n")
    with pytest.raises(ContainerfileError, match="Containerfile:2"):
        build(runtime, str(context), "bad", out=io.StringIO())
    assert runtime.images.list() == []


def test_unknown_base_and_bad_context(runtime, tmp_path):
    context = _context(tmp_path, "FROM nosuch\n")
    with pytest.raises(ContainerError, match="nosuch"):
        build(runtime, str(context), "x", out=io.StringIO())
    with pytest.raises(BuildError, match="not a directory"):
        build(runtime, str(tmp_path / "missing"), "x", out=io.StringIO())


def test_base_image_is_built_on_first_use(runtime):
    assert runtime.images.exists("vlab/base")
    (layer,) = runtime.images.layers("vlab/base")
    for path in ("/bin/sh", "/sbin/init", "/bin/ls", "/proc/.keep", "/dev/.keep"):
        assert layer.has(path), path
    assert layer.read("/bin/sh").startswith(b"\x7fELF")
    info = runtime.images.inspect("vlab/base")
    assert info["Config"]["Cmd"] == ["/bin/sh"] and info["Architecture"] == "riscv"


def test_save_load_round_trip(runtime, tmp_path):
    context = _context(tmp_path, SCRATCH, {"hello.txt": "hello\n", "conf/a.conf": "a=1\n"})
    build(runtime, str(context), "demo", out=io.StringIO())
    runtime.images.save("demo", tmp_path / "layout")
    other = Runtime(StateDir(tmp_path / "other"))
    assert other.images.load(tmp_path / "layout") == ["demo:latest"]
    assert other.images.record("demo").id == runtime.images.record("demo").id
