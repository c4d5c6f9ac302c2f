"""End to end: HLL programs run by the VM straight from a streamed package, sandboxed."""

import pytest

from vlab.application.hll.policy import Policy
from vlab.application.sandbox.hll_app import package_program, run_app
from vlab.application.sandbox.package_format import HEADER
from vlab.application.sandbox.streaming import StreamingServer
from vlab.application.sandbox.workstation import Workstation

HOST = {"/etc/motd": b"welcome\n", "/home/student/notes.txt": b"milk\n"}

NOTES = '''
class Note:
    def __init__(self, text):
        self.text = text
    def render(self):
        return "- " + self.text

class NeverUsed:
    def hello(self):
        return "never"

lines = [Note("alpha").render(), Note("beta").render()]
write_text("/apps/notes/out.txt", "\\n".join(lines))
write_text("/etc/motd", "changed by notes\\n")
print(read_text("/apps/notes/out.txt"))
print(read_text("/etc/motd"), end="")
print(read_text("/apps/notes/data/greeting.txt"), end="")
'''
NOTES_OUTPUT = "- alpha\n- beta\nchanged by notes\nhello from the package\n"


def notes_package(**options):
    return package_program(NOTES, "notes", files={"data/greeting.txt": b"hello from the package\n"},
                           **options)


@pytest.fixture
def ws():
    return Workstation(HOST)


def test_a_program_runs_from_its_package_and_writes_only_its_sandbox(ws):
    before = ws.host.digest()
    app = ws.launch(notes_package())
    run = run_app(app)
    assert (run.result.status, run.output) == ("ok", NOTES_OUTPUT)
    assert dict(run.sandbox_changes) == {"/apps/notes/out.txt": "written", "/etc/motd": "written"}
    assert ws.host.digest() == before
    assert ws.host.read("/etc/motd") == b"welcome\n"


def test_classes_are_streamed_on_first_use_and_unused_ones_never(ws):
    app = ws.launch(notes_package())
    run = run_app(app)
    assert run.classes_loaded == ["notes", "Note"]
    fetched = {path for event in run.fetches for path in event.paths}
    assert fetched == {"/apps/notes/classes/notes.vlc", "/apps/notes/classes/Note.vlc",
                       "/apps/notes/data/greeting.txt"}
    assert not app.client.is_cached("/apps/notes/classes/NeverUsed.vlc")
    assert app.stats.bytes_fetched < app.stats.package_bytes


def test_prefetched_launch_set_leaves_only_data_to_fault_in(ws):
    app = ws.launch(notes_package(), prefetch=True)
    run = run_app(app)
    assert run.output == NOTES_OUTPUT
    assert [event.paths for event in run.fetches] == [("/apps/notes/data/greeting.txt",)]


def test_a_second_run_finds_its_sandbox_and_fetches_nothing_new(ws):
    package = notes_package()
    run_app(ws.launch(package))
    again = run_app(ws.launch(package))
    assert again.output == NOTES_OUTPUT
    assert again.fetches == []


def test_two_applications_are_isolated(ws):
    run_app(ws.launch(notes_package()))
    spy = package_program('''
try:
    print(read_text("/apps/notes/out.txt"))
except FileNotFoundError as e:
    print("not found")
print(read_text("/etc/motd"), end="")
''', "spy")
    run = run_app(ws.launch(spy))
    assert run.output == "not found\nwelcome\n"


def test_removal_leaves_the_workstation_as_it_was(ws):
    before = ws.host.digest()
    package = notes_package()
    run_app(ws.launch(package))
    ws.remove("notes")
    assert ws.applications == [] and ws.host.digest() == before
    fresh = ws.launch(package)
    assert not fresh.vfs.exists("/apps/notes/out.txt")
    assert fresh.vfs.read("/etc/motd") == b"welcome\n"
    assert run_app(fresh).fetches  # the cache went too: classes stream again


def test_policy_and_sandbox_combine(ws):
    package = package_program('''
try:
    write_text("/etc/motd", "x")
except PermissionError as e:
    print("denied:", e)
print(read_text("/etc/motd"), end="")
''', "careful")
    policy = Policy(read_paths=("/",), write_paths=("/apps/careful",))
    run = run_app(ws.launch(package), policy=policy)
    assert run.output == "denied: policy denies write access to /etc/motd\nwelcome\n"
    assert run.sandbox_changes == []


def test_sandbox_quota_is_a_catchable_guest_error():
    ws = Workstation(HOST, quota_bytes=1000)
    package = package_program('''
try:
    write_text("/tmp/big", "x" * 5000)
except PermissionError as e:
    print("refused")
write_text("/tmp/small", "ok")
print(list_dir("/tmp"))
''', "filler")
    run = run_app(ws.launch(package))
    assert run.output == "refused\n['small']\n"


def test_full_isolation_hides_host_files_from_the_program(ws):
    source = '''
try:
    print(read_text("/home/student/notes.txt"), end="")
except FileNotFoundError as e:
    print("hidden")
'''
    visible = run_app(ws.launch(package_program(source, "open")))
    hidden = run_app(ws.launch(package_program(source, "closed", isolation={"/home": "full"})))
    assert (visible.output, hidden.output) == ("milk\n", "hidden\n")


def test_a_corrupt_class_block_is_rejected_not_run(ws):
    package = notes_package()
    entry = package.index.files["/apps/notes/classes/Note.vlc"]
    block = package.index.blocks[entry.first_block]
    data = bytearray(package.data)
    data[HEADER.size + package.header.index_length + block.offset + 5] ^= 0x40
    run = run_app(ws.launch(StreamingServer(bytes(data))))
    assert run.result.status == "rejected"
    assert run.exit_code == 2
    assert "class Note from package: checksum mismatch in block" in run.result.message


def test_the_same_package_runs_in_interpreted_and_jit_vms():
    package = notes_package()
    outputs = {run_app(Workstation(HOST).launch(package), jit=jit).output for jit in (False, True)}
    assert outputs == {NOTES_OUTPUT}


def test_vm_work_and_streaming_land_on_one_ledger():
    from vlab.host.ledger import Ledger

    ledger = Ledger()
    app = Workstation(HOST, ledger=ledger).launch(notes_package())
    run = run_app(app, ledger=ledger)
    assert run.output == NOTES_OUTPUT
    categories = ledger.by_category()
    assert set(categories) == {"network", "application"}
    assert ledger.count("stream_round_trip") == app.stats.requests
    assert ledger.count("hll_interpret") + ledger.count("hll_compiled") == (
        run.result.stats["instructions"])
