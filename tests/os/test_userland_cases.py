"""Shell scripts with their expected output, shared by the userland's native tests and
the tests that boot the same programs on the vlab kernel (a differential test: the same
script must print the same bytes and exit with the same status on both).

Each case: (name, script for ``sh -c``, expected stdout, expected exit status).  The
scripts start in an empty working directory and use only the userland's own programs
($PATH holds nothing else), so the expected output does not depend on the machine.
"""

CASES = [
    ("echo", "echo hello world; echo -n no-newline; echo", "hello world\nno-newline\n", 0),
    ("quotes", "X=5; echo \"x=$X\" '$X' \\$X \"a  b\"", "x=5 $X $X a  b\n", 0),
    ("braces", "X=ab; echo ${X}c $Xc.", "abc .\n", 0),
    ("status", "false; echo $?; true; echo $?", "1\n0\n", 0),
    ("and-or", "false || echo or; true && echo and; false && echo no; true || echo no",
     "or\nand\n", 0),
    ("and-or-chain", "false && echo a || echo b", "b\n", 0),
    ("negate", "! false; echo $?; ! true; echo $?", "0\n1\n", 0),
    ("exit-status", "echo before; exit 3; echo after", "before\n", 3),
    ("not-found", "nosuchprogram 2>/dev/null; echo $?", "127\n", 0),
    ("pipe", "echo a b c | wc", "      1       3       6\n", 0),
    ("pipe-three", "echo one two | cat | wc -w", "2\n", 0),
    ("pipe-status", "true | false; echo $?; false | true; echo $?", "1\n0\n", 0),
    ("yes-head", "yes | head -n 3; yes ab cd | head -2", "y\ny\ny\nab cd\nab cd\n", 0),
    ("redirect", "echo abc > f; echo more >> f; cat < f; cat f | head -n 1",
     "abc\nmore\nabc\n", 0),
    ("stderr", "cat nosuch 2> err; echo $?; cat err",
     "1\ncat: nosuch: No such file or directory\n", 0),
    ("dup", "cat nosuch 2>&1 | wc -l; echo to-err >&2 2>/dev/null", "1\n", 0),
    ("redirect-fail", "cat < nosuch 2>/dev/null; echo $?", "1\n", 0),
    ("comment", "echo a # not this\n# whole line\necho b#c", "a\nb#c\n", 0),
    ("assign-env", "A=1; env | grep -c ^A=; export A; env | grep ^A=; B=2 env | grep ^B=;"
     " echo \"B=$B\"", "0\nA=1\nB=2\nB=\n", 0),
    ("export-assign", "export C=3; sh -c 'echo $C'", "3\n", 0),
    ("env-i", "env -i X=1 Y=2 env", "X=1\nY=2\n", 0),
    ("cd", "mkdir d; cd d; pwd | grep -c /d$; cd nosuch 2>/dev/null; echo $?",
     "1\n1\n", 0),
    ("background", "sleep 0.1 & echo started; wait; echo waited $?", "started\nwaited 0\n", 0),
    ("wait-status", "sh -c 'exit 7' & wait $!; echo $?", "7\n", 0),
    ("kill", "sleep 5 & kill $!; wait $!; echo $?", "143\n", 0),
    ("kill-9", "sleep 5 & kill -9 $!; wait $!; echo $?", "137\n", 0),
    ("kill-self", "sh -c 'kill -KILL $$'; echo $?", "137\n", 0),
    ("mkdir-ls", "mkdir -p a/b/c && touch a/y a/.hidden a/b/c/x; ls a; ls -a a",
     "b\ny\n.\n..\n.hidden\nb\ny\n", 0),
    ("ls-args", "mkdir a b; touch a/1 b/2 f; ls f a b",
     "f\n\na:\n1\n\nb:\n2\n", 0),
    ("ls-missing", "ls nosuch; echo $?",
     "2\n", 0),
    ("rm", "mkdir -p a/b; touch a/b/c f; rm f; rm a 2>/dev/null; echo $?; rm -r a; ls; "
     "rm nosuch 2>/dev/null; echo $?; rm -f nosuch; echo $?", "1\n1\n0\n", 0),
    ("touch", "touch t; touch t; ls; wc -c t", "t\n0 t\n", 0),
    ("wc", "echo 'one two' > f; echo three >> f; wc f; wc -l f; wc -w < f; wc -c f f",
     "      2       3      14 f\n2 f\n3\n14 f\n14 f\n28 total\n", 0),
    ("head", "yes | head -n 2 > f; echo x >> f; head -n 1 f; head -1 f f",
     "y\n==> f <==\ny\n\n==> f <==\ny\n", 0),
    ("grep-basic", "echo abc > f; echo ABD >> f; echo xyz >> f; grep ab f; grep -i ab f;"
     " grep -c -i ab f; grep -v -i a f; grep '^x.z$' f; grep -n z f; grep -q none f;"
     " echo $?; grep -F '.' f; echo $?",
     "abc\nabc\nABD\n2\nxyz\nxyz\n3:xyz\n1\n1\n", 0),
    ("grep-files", "echo a > f; echo b > g; grep -c . f g; grep a f g",
     "f:1\ng:1\nf:a\n", 0),
    ("grep-bad", "grep 'a\\(' /dev/null 2>/dev/null; echo $?", "2\n", 0),
    ("glob", "touch b.c a.c d.h; echo *.c; echo '*.c'; echo x*", "a.c b.c\n*.c\nx*\n", 0),
    ("field-split", "X='a  b'; echo $X \"$X\"", "a b a  b\n", 0),
    ("true-false", "true; echo $?; false; echo $?", "0\n1\n", 0),
    ("sleep", "sleep 0.05; echo $?; sleep x 2>/dev/null; echo $?", "0\n1\n", 0),
    ("syntax", "echo a; ; echo b", "", 2),
    ("positional", "echo $# $1", "0\n", 0),
    ("if", "if true; then echo yes; else echo no; fi; if false; then echo yes;"
     " elif [ 1 -eq 1 ]; then echo elif; else echo no; fi; if false; then echo x; fi;"
     " echo $?", "yes\nelif\n0\n", 0),
    ("for", "for i in a b c; do echo $i; done; for f in x y; do for g in 1 2; do echo $f$g;"
     " done; done; touch q.c p.c; for f in *.c; do echo file $f; done",
     "a\nb\nc\nx1\nx2\ny1\ny2\nfile p.c\nfile q.c\n", 0),
    ("while", "i=; while [ \"$i\" != xxx ]; do i=${i}x; echo $i; done; until true; do echo no;"
     " done; echo end", "x\nxx\nxxx\nend\n", 0),
    ("break-continue", "for i in 1 2 3 4; do if [ $i = 2 ]; then continue; fi;"
     " if [ $i = 4 ]; then break; fi; echo $i; done; for i in 1 2; do for j in a b c; do"
     " [ $j = b ] && continue 2; echo $i$j; done; done; for i in 1 2; do for j in a b; do"
     " break 2; done; echo never; done; echo out", "1\n3\n1a\n2a\nout\n", 0),
    ("loop-io", "for i in 3 1 2; do echo $i; done | wc -l; for i in a b; do echo $i; done > o;"
     " cat o; while true; do echo bg; break; done & wait; if true; then cat; fi < o",
     "3\na\nb\nbg\na\nb\n", 0),
    ("read", "echo 'a b c' > in; echo '  x   y  ' >> in; echo -n last >> in;"
     " while read p q; do echo \"[$p] [$q]\"; done < in; read x < in; echo \"$x\";"
     " read < in; echo \"<$REPLY>\"; read v < /dev/null; echo $?",
     "[a] [b c]\n[x] [y]\na b c\n<a b c>\n1\n", 0),
    ("arithmetic", "echo $((1 + 2 * 3)) $(( (1+2)*3 )) $((7/2)) $((7%3)) $((-3+1)) $((!0))"
     " $((2<3)) $((3<=2)) $((1==1 && 0 || 1)); i=5; echo $((i*2)) $(($i+1)) $((nosuch+1))"
     " \"q$((10-1))q\"; n=0; while [ $n -lt 5 ]; do n=$((n+1)); done; echo $n;"
     " echo $((1/0)) $((1+)) 2>/dev/null",
     "7 9 3 1 -2 1 1 0 1\n10 6 1 q9q\n5\n0 0\n", 0),
    ("cd-dash", "mkdir a b; cd a; cd ../b; cd - > ../o; grep -c /a$ ../o; pwd | grep -c /a$; cd /;"
     " pwd; cd - > /dev/null; pwd | grep -c /a$", "1\n1\n/\n1\n", 0),
    ("export-list", "export Z=1 A=2; export | grep \"^export [AZ]=\"",
     "export A='2'\nexport Z='1'\n", 0),
    ("set-e", "set -e; true; false || echo ok; if false; then :; fi; ! true; false && echo no;"
     " echo still; false; echo not reached", "ok\nstill\n", 1),
    ("set-e-loop", "set -e; while false; do :; done; for i in 1; do false; echo not; done;"
     " echo not2", "", 1),
    ("set-x", "set -x; echo a $((1+1)); set +x; echo quiet", "a 2\nquiet\n", 0),
    ("set-u", "X=1; set -u; echo $X; echo $NOPE; echo not", "1\n", 2),
    ("set-args", "set -- a \"b c\"; echo $#; for x in \"$@\"; do echo \"[$x]\"; done;"
     " set -q 2>/dev/null; echo $?", "2\n[a]\n[b c]\n2\n", 0),
    ("nesting-error", "echo a; fi", "", 2),
    ("test", "touch f; mkdir d; test -f f && echo f; [ -d d ] && echo d;"
     " [ -e nosuch ] || echo none; test 3 -lt 10 && test a != b && echo cmp;"
     " [ -n \"$X\" ]; echo $?; [ x -eq 1 ] 2>/dev/null; echo $?; [ -f f 2>/dev/null; echo $?;"
     " [ ! -d f -a -f f ] && echo combined", "f\nd\nnone\ncmp\n1\n2\n2\ncombined\n", 0),
]

# a script run with arguments (sh -c SCRIPT zero "a b" c): "$@" keeps "a b" whole
DOLLAR_AT = ('for a in "$@"; do echo "[$a]"; done; for a in $@; do echo "<$a>"; done;'
             ' echo "x$@y" $#')


def test_cases_are_well_formed():
    names = [case[0] for case in CASES]
    assert len(names) == len(set(names))
    for _name, script, out, status in CASES:
        assert isinstance(script, str) and isinstance(out, str) and isinstance(status, int)
