/* Comments and statement separators, as GNU as reads them:
 * block comments may span lines, '#' runs to the end of the line,
 * ';' separates statements on one line. */
    .text
    .globl _start
_start: li a0, 1 ; li a1, 2 ; add a2, a0, a1   # three statements
    addi a0, a0, /* inline */ 3
    /* a comment before */ nop /* and after */
loop:   addi a1, a1, -1 ; bnez a1, loop
    ret
    .data
msg: .ascii "# not a comment", "/* nor this */"
     .byte '#', ';'
