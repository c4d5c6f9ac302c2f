# Data directives: every width, strings with escapes, alignment and fill.
    .data
bytes:   .byte  1, 2, 3, 'a', '\n', -128
    .balign 4
halves:  .half  1, -1, 0x8000, 65535
    .2byte 7
    .align 2
words:   .word  1, -1, 0x80000000, 0xffffffff, words, bytes + 3
    .4byte 9
    .long  10
    .short 11
text:    .ascii "abc", "de\tf"
         .asciz "with \"quotes\" and \\ and \101\x42 and \0 nul"
         .string "second"
    .p2align 3
eight:   .word 8
    .zero 5
    .space 3, 0xaa
    .skip 2
    .balign 16, 0x55
sixteen: .byte 16
    .align 4, 0xee
words_end:
    .equ COUNT, (words_end - words) / 4
    .word COUNT
    .word words_end - bytes

    .section .rodata
const:   .word 0xcafef00d
    .asciz "read only"

    .text
    .globl _start
_start:
    la    a0, const
    la    a1, words
    ret
