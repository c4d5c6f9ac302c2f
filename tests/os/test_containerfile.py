"""Containerfile parsing, errors with file:line, COPY from the build context, cache keys."""

import os

import pytest

from vlab.os.image import (
    ContainerfileError,
    ImageConfig,
    ImageError,
    cache_key,
    copy_files,
    copy_layer,
    parse,
    parse_text,
)

EXAMPLE = """\
# a comment
ARG TAG=1.0
FROM vlab/base:$TAG
ENV GREETING=hello NAME="big world"
ENV PLAIN  the rest of the line
WORKDIR app
COPY hello.txt data/ ./
RUN echo $GREETING \\
    # a comment inside a continuation is dropped
    && echo done
RUN ["/bin/echo", "exec", "form"]
USER 1000:1000
ENTRYPOINT ["/bin/sh"]
CMD echo ${NAME:-nobody}
"""


def test_every_instruction_of_the_subset():
    plan = parse_text(EXAMPLE, "Containerfile")
    assert plan.base == "vlab/base:1.0"
    assert [i.keyword for i in plan.steps] == ["ENV", "ENV", "WORKDIR", "COPY", "RUN", "RUN",
                                               "USER", "ENTRYPOINT", "CMD"]
    env, plain, workdir, copy, run, run_exec, user, entry, cmd = plan.steps
    assert env.pairs == (("GREETING", "hello"), ("NAME", "big world"))
    assert plain.pairs == (("PLAIN", "the rest of the line"),)
    assert workdir.args == ("/app",)
    assert copy.sources == ("hello.txt", "data/") and copy.dest == "./"
    assert run.line == 8 and run.form == "shell"
    assert run.argv() == ["/bin/sh", "-c", "echo $GREETING && echo done"]   # RUN: not expanded
    assert run_exec.argv() == ["/bin/echo", "exec", "form"] and run_exec.form == "exec"
    assert user.args == ("1000:1000",)
    assert entry.argv() == ["/bin/sh"]
    assert cmd.form == "shell" and cmd.args == ("echo ${NAME:-nobody}",)
    assert plan.instructions[0].keyword == "ARG" and plan.instructions[0].line == 2


def test_continuations_skip_blank_lines_and_windows_line_ends():
    plan = parse_text("FROM scratch\r\nRUN echo a \\\r\n\r\n   b\r\nCMD x\r\n")
    assert [(i.line, i.args) for i in plan.steps] == [(2, ("echo a b",)), (5, ("x",))]


def test_from_scratch_lower_case_keywords_and_build_args():
    plan = parse_text("from scratch\nworkdir /a\nworkdir b/../c\n")
    assert plan.base == "scratch" and plan.steps[-1].args == ("/a/c",)
    plan = parse_text("ARG V=1\nFROM img:$V\n", build_args={"V": "2"})
    assert plan.base == "img:2"
    plan = parse_text("FROM scratch\nENV A=x\nENV B=${A:+set} C=${MISSING:-dflt} D=\\$A\n")
    assert plan.steps[-1].pairs == (("B", "set"), ("C", "dflt"), ("D", "$A"))


@pytest.mark.parametrize("text, line, reason, hint", [
    ("FROM scratch\nRUNN echo\n", 2, "unknown instruction 'RUNN'", "did you mean RUN?"),
    ("FROM scratch\nCOPPY a b\n", 2, "unknown instruction 'COPPY'", "did you mean COPY?"),
    ("FROM scratch\nFROBNICATE\n", 2, "unknown instruction", "the instructions are"),
    ("RUN echo\n", 1, "RUN before FROM", "FROM scratch"),
    ("# only a comment\n\n", 1, "no FROM instruction", "FROM scratch"),
    ("FROM scratch\nCMD [\"a\", 'b']\n", 2, "bad JSON (exec) form", "double-quoted"),
    ("FROM scratch\nENTRYPOINT [1, 2]\n", 2, "must be a non-empty JSON array of strings", ""),
    ("FROM scratch\n\nRUN [\"sh\",\n", 3, "bad JSON (exec) form", ""),
    ("FROM scratch\nADD x /y\n", 2, "ADD is a Dockerfile instruction outside", "use COPY"),
    ("FROM scratch\nFROM scratch\n", 2, "multi-stage", ""),
    ("FROM base AS build\n", 1, "FROM takes one image", "multi-stage"),
    ("FROM ../evil\n", 1, "bad image name", ""),
    ("FROM scratch\nCOPY onlyone\n", 2, "at least one source and a destination", ""),
    ("FROM scratch\nCOPY a b /dir\n", 2, "ending in '/'", "/dir/"),
    ("FROM scratch\nCOPY --chown=1 a /b\n", 2, "option '--chown' is not supported", ""),
    ("FROM scratch\nENV A=\"unclosed\n", 2, "cannot split", "close every quote"),
    ("FROM scratch\nENV A\n", 2, "ENV A has no value", ""),
    ("FROM scratch\nENV A=1 B\n", 2, "ENV word 'B' has no '='", ""),
    ("FROM scratch\nENV 1A=x\n", 2, "bad variable name '1A'", ""),
    ("FROM scratch\nWORKDIR /../..\n", 2, "bad WORKDIR", ""),
    ("FROM scratch\nUSER a b\n", 2, "bad USER", ""),
    ("FROM scratch\nRUN\n", 2, "RUN needs arguments", "e.g."),
    ("FROM scratch\nRUN a \\\n  b\nBAD x\n", 4, "unknown instruction 'BAD'", ""),
])
def test_errors_give_file_line_reason_and_hint(text, line, reason, hint):
    with pytest.raises(ContainerfileError) as caught:
        parse_text(text, "ctx/Containerfile")
    error = caught.value
    assert (error.path, error.line) == ("ctx/Containerfile", line)
    assert str(error).startswith(f"ctx/Containerfile:{line}: ")
    assert reason in error.reason and hint in error.hint


def test_parse_reads_a_directory_or_a_file(tmp_path):
    (tmp_path / "Containerfile").write_text("FROM scratch\nCMD [\"/hello\"]\n")
    assert parse(tmp_path).steps[0].argv() == ["/hello"]
    assert parse(tmp_path / "Containerfile").path.endswith("Containerfile")
    with pytest.raises(ContainerfileError, match=r"missing: cannot read: No such file"):
        parse(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContainerfileError, match="no Containerfile"):
        parse(tmp_path / "empty")
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ContainerfileError, match="not UTF-8"):
        parse(tmp_path / "bin")


# ------------------------------------------------------------ COPY and the build context

@pytest.fixture
def context(tmp_path):
    root = tmp_path / "ctx"
    (root / "data" / "sub").mkdir(parents=True)
    (root / "hello.txt").write_bytes(b"hello")
    (root / "data" / "a").write_bytes(b"A")
    (root / "data" / "sub" / "b").write_bytes(b"B")
    (tmp_path / "secret").write_bytes(b"outside")
    return root


def copy(text, context, workdir="/"):
    instruction = parse_text("FROM scratch\n" + text).steps[-1]
    return copy_files(context, instruction, workdir)


def test_copy_follows_the_dockerfile_rules(context):
    assert copy("COPY hello.txt /etc/greeting", context) == {"/etc/greeting": b"hello"}
    assert copy("COPY hello.txt /etc/", context) == {"/etc/hello.txt": b"hello"}
    assert copy("COPY data /opt", context) == {"/opt/a": b"A", "/opt/sub/b": b"B"}
    assert copy("COPY hello.txt data/ ./", context, workdir="/app") == {
        "/app/hello.txt": b"hello", "/app/a": b"A", "/app/sub/b": b"B"}
    assert copy('COPY ["hello.txt", "/x"]', context) == {"/x": b"hello"}


def test_copy_cannot_leave_the_context(context):
    with pytest.raises(ContainerfileError, match="outside the build context"):
        copy("COPY ../secret /s", context)
    os.symlink(context.parent / "secret", context / "link")
    with pytest.raises(ContainerfileError, match="leaves the build context|outside"):
        copy("COPY link /s", context)
    os.symlink(context.parent / "secret", context / "data" / "inner-link")
    with pytest.raises(ContainerfileError, match="leaves the build context"):
        copy("COPY data /d", context)
    with pytest.raises(ContainerfileError, match="not found in the build context"):
        copy("COPY nothing /n", context)


def test_copy_layer_digest_is_a_content_address(context):
    instruction = parse_text("FROM scratch\nCOPY data /opt").steps[-1]
    first = copy_layer(context, instruction)
    assert first.digest() == copy_layer(context, instruction).digest()
    (context / "data" / "a").write_bytes(b"changed")
    assert copy_layer(context, instruction).digest() != first.digest()


# ------------------------------------------------------------ the cache key

def test_cache_key_changes_with_each_input():
    plan = parse_text("FROM scratch\nRUN echo a\nRUN echo b\nRUN  echo a\nCOPY x /x\n")
    run_a, run_b, run_a_again, copy_step = plan.steps
    parent = "sha256:" + "0" * 64
    key = cache_key(parent, run_a)
    assert key.startswith("sha256:") and key == cache_key(parent, run_a)
    assert cache_key(parent, run_b) != key
    assert cache_key("sha256:" + "1" * 64, run_a) != key
    assert cache_key(None, run_a) != key
    assert cache_key(parent, run_a, config=ImageConfig(env=["A=1"])) != key
    assert cache_key(parent, run_a, config=ImageConfig(working_dir="/w")) != key
    assert cache_key(parent, run_a_again) == key         # spacing is not content
    with pytest.raises(ImageError, match="content digest"):
        cache_key(parent, copy_step)
    one = cache_key(parent, copy_step, content_digest="sha256:" + "a" * 64)
    assert one != cache_key(parent, copy_step, content_digest="sha256:" + "b" * 64)
