"""The end every self-checking guest of chapter 4 shares: the riscv-tests convention.

``gp`` holds the number of the check being run; ``fail`` reports it and a guest that
reaches ``write_tohost`` with ``a0 = 1`` passes.  The HTIF ``tohost`` word (riscv-tests'
``env/p/riscv_test.h``) carries ``code << 1 | 1``: exit code 0 for a pass, ``gp`` for a
failed check.  A guest that points its trap vector at ``handler`` sends any
unexpected trap to ``fail`` too.
"""

HTIF_EXIT = '''
handler:
fail:
    slli a0, gp, 1
    ori a0, a0, 1
write_tohost:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''
