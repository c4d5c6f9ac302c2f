"""Instruction rewriting at translation time: the hook a binary-translating VMM uses.

VMware's binary translator (Adams & Agesen, ASPLOS 2006, sec. 3.1) translates guest
*kernel* code before it runs: innocuous instructions are copied unchanged ("IDENT"),
sensitive ones are replaced by code that calls into the monitor ("callouts"), so the
deprivileged kernel never executes a sensitive instruction itself -- not even one the
hardware would let through silently.

Both engines of the machine build every guest instruction's code from the interpreter's
predecoded handler: the interpreter runs the handler, and the DBT translates blocks of
them and leaves the rows it does not translate (CSR accesses, ECALL, xRET, WFI,
SFENCE.VMA: vlab/isa/dbt/blocks.py) to the predecoded handler on the exact path.  So one
place rewrites for both: ``install_rewriter(engine, rewrite)`` makes the engine pass
each newly predecoded instruction through ``rewrite(handler, decoded, pc)``, which
returns the handler to cache: the same one (copied), or a replacement (a callout).  The
replacement must carry the instruction's ``word`` (block discovery decodes it, and ends a
block before it when the row is one the translator leaves to the exact path).

The rewritten code lives in the engine's caches and is invalidated by the machine's own
machinery: a write to a translated instruction drops its handler and any block holding
it (vlab/host/watch.py, ``DbtEngine.invalidate``), and it is rewritten again when next
fetched -- self-modifying guest code needs nothing more.

Installing or removing a rewriter flushes the engine's caches: nothing made before it
stays (the engine instance's ``make_handler`` is wrapped; the class is untouched, so
other machines are not affected).
"""
from __future__ import annotations

from vlab.isa.decoder import decode

# Engines whose every instruction comes from a predecoded handler (the decode-and-dispatch
# teaching engine decodes anew each time, so its fast loop would bypass a rewriter).
PREDECODING_ENGINES = ('interp', 'dbt', 'dbt-eager')


def install_rewriter(engine, rewrite) -> None:
    """From now on every instruction ``engine`` predecodes goes through
    ``rewrite(handler, decoded, pc) -> handler`` (``decoded`` is the decoder's
    (spec, fields); illegal words are not passed: they trap as they are)."""
    if engine.name not in PREDECODING_ENGINES:
        raise ValueError(f'engine {engine.name!r} does not predecode instructions, so '
                         'nothing can rewrite them: use one of '
                         f'{", ".join(PREDECODING_ENGINES)}')
    remove_rewriter(engine)
    make = engine.make_handler

    def make_handler(word: int, pc: int):
        handler = make(word, pc)
        decoded = decode(word)
        if decoded is None:
            return handler
        replaced = rewrite(handler, decoded, pc)
        replaced.word = word
        return replaced

    make_handler.rewrite = rewrite
    engine.make_handler = make_handler
    engine.flush()
    engine.context_changed()


def remove_rewriter(engine) -> None:
    """Back to the engine's own predecoding (flushes what was rewritten)."""
    if 'make_handler' in vars(engine):
        del engine.make_handler
        engine.flush()
        engine.context_changed()


def rewriter_of(engine):
    """The installed ``rewrite`` function, or None."""
    return getattr(vars(engine).get('make_handler'), 'rewrite', None)


__all__ = ['PREDECODING_ENGINES', 'install_rewriter', 'remove_rewriter', 'rewriter_of']
