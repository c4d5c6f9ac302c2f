"""The interpreter as a whole: budget, snapshots, self-modifying code, breakpoints, single
step, tracing, and the Python trap-handler API."""
from conftest import RAM, Prog, code, ins, li, run_words
from vlab.isa.decoder import decode


def count_loop(n):
    """a0 = 0; repeat n times: a0 += 1; then ecall."""
    p = Prog().op('addi', 'a0', 'zero', 0).li('t0', n)
    p.label('loop').op('addi', 'a0', 'a0', 1).op('addi', 't0', 't0', -1)
    p.branch('bne', 't0', 'zero', 'loop').op('ecall')
    return p


def test_budget_stops_runaway_code_with_a_message(machine):
    result = run_words(machine, ins('jal', 'zero', 0), max_instructions=1000)
    assert result.status == 'budget' and result.instructions == 1000
    assert 'budget' in result.message and machine.pc == RAM
    assert machine.ledger.count('instruction') == 1000


def test_instret_is_exact_and_charged_in_bulk(machine):
    machine.load_bytes(RAM, count_loop(1000).build())
    result = machine.run()
    assert result.exit_code == 1000
    assert machine.hart.instret == 3 + 3 * 1000 == result.instructions   # ecall: no retire
    assert machine.ledger.count('instruction') == machine.hart.instret


def test_snapshot_restore_round_trip(machine):
    machine.load_bytes(RAM, count_loop(500).build())
    machine.run(max_instructions=700)
    snap = machine.snapshot()
    machine.load_bytes(RAM + 0x8000, b'scribble')
    first = machine.run()
    end_state = (list(machine.regs), machine.pc, machine.hart.instret,
                 machine.bus.read_bytes(RAM, 0x9000))
    machine.restore(snap)
    assert machine.hart.instret == 700 and machine.bus.read_bytes(RAM + 0x8000, 8) == bytes(8)
    machine.load_bytes(RAM + 0x8000, b'scribble')
    second = machine.run()
    assert (first.exit_code, first.instructions) == (second.exit_code, second.instructions)
    assert end_state == (list(machine.regs), machine.pc, machine.hart.instret,
                         machine.bus.read_bytes(RAM, 0x9000))


def test_self_modifying_code_sees_its_own_store(machine):
    """Iteration 1 runs 'addi a0, a0, 1', then patches it to 'addi a0, a0, 100'."""
    p = Prog().li('s0', 2).la('s1', 'patched').li('s2', ins('addi', 'a0', 'a0', 100))
    p.label('loop').label('patched').op('addi', 'a0', 'a0', 1)
    p.op('sw', 's2', 0, 's1').op('addi', 's0', 's0', -1).branch('bne', 's0', 'zero', 'loop')
    p.op('ecall')
    machine.load_bytes(RAM, p.build())
    assert machine.run().exit_code == 101


def test_code_written_by_the_host_is_re_decoded(machine):
    run_words(machine, ins('addi', 'a0', 'zero', 1), ins('ecall'))
    assert machine.regs[10] == 1
    machine.load_bytes(RAM, code(ins('addi', 'a0', 'zero', 2)))   # through the bus
    machine.pc = RAM
    assert machine.run(max_instructions=10).exit_code == 2


def test_fence_i_flushes_predecoded_code(machine):
    machine.load_bytes(RAM, code(ins('fence.i'), ins('ecall')))
    machine.run(max_instructions=10)
    assert machine.engine.cache == {} or RAM not in machine.engine.cache


def test_breakpoint_stops_before_the_instruction_and_resumes(machine):
    machine.load_bytes(RAM, count_loop(3).build())
    loop = RAM + 12
    machine.breakpoints.add(loop)
    hits = []
    for _ in range(4):
        result = machine.run()
        hits.append((result.status, machine.regs[10]))
    assert hits == [('breakpoint', 0), ('breakpoint', 1), ('breakpoint', 2), ('exit', 3)]
    assert machine.pc != loop


def test_single_step(machine):
    machine.load_bytes(RAM, code(ins('addi', 'a0', 'zero', 5), ins('addi', 'a1', 'a0', 1)))
    machine.pc = RAM
    r1 = machine.step()
    assert r1.status == 'step' and r1.instructions == 1 and machine.regs[10] == 5
    machine.step()
    assert machine.regs[11] == 6 and machine.pc == RAM + 8


def test_trace_records_registers_memory_and_traps(machine):
    machine.regs[11] = RAM + 0x100
    result = run_words(machine, ins('addi', 'a0', 'zero', 7), ins('sw', 'a0', 0, 'a1'),
                       ins('lw', 'a2', 0, 'a1'), ins('ecall'))
    assert result.status == 'exit' and machine.tracer is None       # off by default
    machine.trace = True
    run_words(machine, ins('addi', 'a0', 'zero', 7), ins('sw', 'a0', 0, 'a1'),
              ins('lw', 'a2', 0, 'a1'), ins('ecall'))
    recs = machine.tracer.records
    assert [r.pc - RAM for r in recs] == [0, 4, 8, 12]
    assert recs[0].regs == [(10, 7)] and 'addi' in recs[0].text or 'li' in recs[0].text
    assert recs[1].mem == [('st', RAM + 0x100, 4, 7)]
    assert recs[2].mem == [('ld', RAM + 0x100, 4, 7)] and recs[2].regs == [(12, 7)]
    assert recs[3].trap and 'environment call' in recs[3].trap
    assert 'a0=0x7' in machine.tracer.text()
    machine.trace = False
    assert machine.engine.tracer is None


def test_handler_skip_emulates_an_ecall_in_user_mode(new_machine):
    m = new_machine()
    out = bytearray()

    def pk(ctx):
        ctx.charge('syscall')
        if ctx.reg(17) == 64:
            out.extend(ctx.read(ctx.reg(11), ctx.reg(12)))
            ctx.set_reg(10, ctx.reg(12))
            return ctx.skip()
        return ctx.exit(ctx.reg(10))

    m.set_trap_handler('M', pk)
    p = Prog().la('a1', 'msg').li('a2', 3).li('a7', 64).op('ecall')
    p.op('addi', 'a0', 'a0', 40).li('a7', 93).op('ecall').label('msg').word(0x00696821)
    m.load_bytes(RAM, p.build())
    m.priv = 'U'
    result = m.run(max_instructions=100)
    assert bytes(out) == b'!hi' and result.exit_code == 43
    assert m.ledger.count('syscall') == 2 and m.ledger.count('trap') == 2
    assert m.priv == 0                                   # never left U-mode


def test_trap_and_emulate_a_privileged_csr_access(new_machine):
    """A hypervisor sketch: a guest kernel deprivileged to U touches sscratch; the Python
    M-mode handler decodes the trapped instruction from tval and emulates it."""
    m = new_machine()
    virtual_csrs = {'sscratch': 0}

    def hypervisor(ctx):
        if ctx.cause == 2:
            decoded = decode(ctx.tval)
            assert ctx.instruction() == ctx.tval
            if decoded.spec.name == 'csrrw' and decoded.fields['csr'] == 0x140:
                old = virtual_csrs['sscratch']
                virtual_csrs['sscratch'] = ctx.reg(decoded.fields['rs1'])
                ctx.set_reg(decoded.fields['rd'], old)
                ctx.charge('vm_exit')
                return ctx.skip()
        return ctx.exit(ctx.reg(10))

    m.set_trap_handler('M', hypervisor)
    words = li('a1', 1234) + [ins('csrrw', 'zero', 'sscratch', 'a1'),
                              ins('csrrw', 'a0', 'sscratch', 'zero'), ins('ecall')]
    m.load_bytes(RAM, code(*words))
    m.priv = 'U'
    assert m.run(max_instructions=100).exit_code == 1234
    assert m.ledger.count('vm_exit') == 2


def test_handler_can_deliver_to_the_guest_handler(new_machine):
    m = new_machine()
    m.set_trap_handler('M', lambda ctx: ctx.deliver() if ctx.cause == 3 else ctx.exit(
        ctx.reg(10)))
    p = Prog().la('t0', 'handler').csrw('mtvec', 't0').op('ebreak').label('handler')
    p.csrr('a0', 'mcause').op('ecall')
    m.load_bytes(RAM, p.build())
    assert m.run(max_instructions=100).exit_code == 3


def test_handler_resume_into_another_privilege_charges_a_switch(new_machine):
    m = new_machine()
    calls = []

    def kernel(ctx):
        calls.append(ctx.from_priv)
        if len(calls) == 1:
            return ctx.resume(RAM + 8, priv='U')
        ctx.exit(ctx.reg(10))

    m.set_trap_handler('M', kernel)
    m.load_bytes(RAM, code(ins('ecall'), ins('ebreak'), ins('ecall')))
    assert m.run(max_instructions=10).status == 'exit'
    assert calls == [3, 0] and m.ledger.count('privilege_switch') == 1


def test_handler_that_decides_nothing_is_reported(new_machine):
    m = new_machine()
    m.set_trap_handler('M', lambda ctx: None)
    m.load_bytes(RAM, code(ins('ecall')))
    result = m.run(max_instructions=10)
    assert result.status == 'fault' and 'without calling skip()' in result.message


def test_guest_fault_inside_a_handler_is_reported(new_machine):
    m = new_machine()
    m.set_trap_handler('M', lambda ctx: ctx.read(0x4000_0000, 4))
    m.load_bytes(RAM, code(ins('ecall')))
    result = m.run(max_instructions=10)
    assert result.status == 'fault' and 'load access fault' in result.message


def test_python_kernel_time_slices_two_paged_processes(new_machine):
    """A host kernel in Python: timer interrupts preempt two U-mode processes, each with
    its own Sv32 address space (same virtual addresses, different physical pages)."""
    from vlab.isa.mmu import Sv32PageTables
    m = new_machine()
    loop = Prog().li('s0', 0x2_0000).label('loop').op('lw', 't0', 0, 's0')
    loop.op('addi', 't0', 't0', 1).op('sw', 't0', 0, 's0').jal('zero', 'loop')
    procs = []
    for n in range(2):
        code_pa, data_pa = RAM + 0x10000 * (n + 1), RAM + 0x10000 * (n + 1) + 0x1000
        m.load_bytes(code_pa, loop.build(0x1_0000))
        pt = Sv32PageTables(m.bus, RAM + 0x80000 + 0x10000 * n)
        pt.map(0x1_0000, code_pa, 'rxu')
        pt.map(0x2_0000, data_pa, 'rwu')
        procs.append({'satp': pt.satp, 'pc': 0x1_0000, 'regs': [0] * 32, 'data': data_pa})
    quantum, switches, current = 50, [], [0]

    def kernel(ctx):
        if not (ctx.interrupt and ctx.cause == 7) or len(switches) == 10:
            return ctx.halt('done')
        old, new = procs[current[0]], procs[1 - current[0]]
        old['regs'], old['pc'] = list(ctx.regs), ctx.epc
        ctx.regs[:] = new['regs']
        ctx.csr['satp'] = new['satp']
        m.clint.mtimecmp[0] = m.clint.mtime + quantum
        ctx.charge('context_switch')
        switches.append(ctx.epc)
        current[0] = 1 - current[0]
        ctx.resume(new['pc'], priv='U')

    m.set_trap_handler('M', kernel)
    m.csr['mie'] = 0x80
    m.clint.mtimecmp[0] = quantum
    m.csr['satp'] = procs[0]['satp']
    m.pc, m.priv = 0x1_0000, 'U'
    result = m.run(max_instructions=100_000)
    assert result.status == 'halt' and m.ledger.count('context_switch') == 10
    counts = [m.bus.load(p['data'], 4) for p in procs]
    assert counts[0] > 50 and counts[1] > 50 and abs(counts[0] - counts[1]) <= 130
    if m.engine.name == 'interp':               # each process's code decoded once, then reused
        assert m.engine.decoded <= 2 * 7


def test_snapshot_covers_csrs_privilege_tlb_state_and_devices(new_machine):
    m = new_machine()
    m.csr['mscratch'], m.csr['mtvec'] = 0x1234, RAM + 0x100
    m.priv = 'S'
    m.clint.mtimecmp[0] = 777
    snap = m.snapshot()
    m.csr['mscratch'], m.csr['mtvec'] = 0, 0
    m.priv = 'M'
    m.clint.mtimecmp[0] = 5
    m.platform.uart.store(0, 1, ord('x'))
    m.restore(snap)
    assert (m.csr['mscratch'], m.csr['mtvec'], m.priv) == (0x1234, RAM + 0x100, 1)
    assert m.clint.mtimecmp[0] == 777 and m.platform.uart.output == b''
