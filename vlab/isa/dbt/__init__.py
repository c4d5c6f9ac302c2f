"""Level 1, ISA: dynamic binary translation of RV32 to Python (chapter 3).

Hwang, Dongarra & Fox (2011) sec. 3.1.2.1: "dynamic binary translation translates basic
blocks of dynamic source instructions to target instructions.  The basic blocks can also
be extended to program traces or super blocks to increase translation efficiency."  Here
the source ISA is RV32 and the target is Python: hot guest code becomes Python functions
generated from the ISA table's semantics strings, which CPython compiles to bytecode.

One concept per module:

``blocks``    basic-block discovery (from the interpreter's predecode cache)
``rewrite``   one instruction's table semantics -> statements over register locals, with
              lazy 32-bit masking
``memory``    inline RAM fast path and inline software TLB (Sv32), as source text
``rebase``    pointer registers of a loop kept relative to RAM's base (small integers)
``codegen``   a path, or a tree of paths, -> one Python function (loops, side exits,
              precise exceptions by line number)
``cache``     the translation cache: key, invalidation, size limit and flush policy
``chaining``  exits linked straight to their successor translations
``traces``    Dynamo's next-executing-tail trace selection: superblocks with side exits;
              a hot side exit adds its path back to the head (a trace *tree*)
``engine``    the dispatcher: interpret first, translate when hot (``DbtEngine``)
``explain``   hooks for chapter 3 (below)
``callouts``  the rewriter hook: a VMM doing binary translation replaces sensitive guest
              instructions by callouts as they are predecoded (vlab/hardware/bt.py)
``stats``     the counters ``vlab run --stats`` prints

Using it::

    from vlab.isa.machine import Machine
    m = Machine(engine='dbt')      # same Machine, same results as 'interp' (the engine
                                   # registry, vlab/isa/engines.py, imports this package)

Explainability hooks (for chapter 3):

* ``m.engine.stats``: a ``DbtStats`` -- blocks translated, traces formed, cache hits and
  misses, chained dispatches, side exits, invalidations, flushes, instructions retired in
  translated code vs interpreted.  Run in chunks (``m.run(max_instructions=...)``) and
  read it after each to plot hits and misses over a run.
* ``m.engine.translation(pc)`` -> the live ``Translation`` at ``pc``: ``.kind`` ('block'
  or 'trace'), ``.source`` (the generated Python), ``.blocks`` (a trace's first path as a
  list of block start pcs, for drawing on a control-flow graph), ``.paths`` (every path of
  a trace tree, each a list of block start pcs), ``.pcs`` (every instruction), ``.loops``;
  ``m.engine.translations()`` lists them all.
* ``Machine(engine='dbt-eager')`` translates every block at first sight and records a
  trace at the second backward arrival: tiny programs show their generated code at once.
* ``m.engine.translate_block(pc)`` translates a block on demand (its ``.source``).
* ``vlab.isa.dbt.explain``: ``block_source(words, at)``, ``trace_of(words)`` (the first
  trace formed: source, paths), ``cache_timeline(words, chunk)`` (hits/misses/
  translations after each chunk), ``host_work_per_instruction(words)`` (Python bytecodes
  per guest instruction, interpreter vs translated code: the FX!32 comparison, counted
  deterministically) and ``speedup_vs_trip_count(body, trips)`` (CPU time: benchmark
  cells only, marked nbval-ignore); ``loop_program``/``op`` build example programs.
* The ledger: every guest event as with the interpreter, plus one ``block_translate``
  per translation (the translator's own modeled work).
"""
from vlab.isa.dbt.engine import DbtEngine, EagerDbtEngine
from vlab.isa.dbt.stats import DbtStats

__all__ = ['DbtEngine', 'DbtStats', 'EagerDbtEngine']
