/* sh -- a small POSIX-style command shell (the grammar of POSIX "Shell Command
 * Language", XCU chapter 2, cut down to what a first userland needs).
 *
 *   sh                  read commands from standard input (a prompt when interactive)
 *   sh -c 'CMDS' [ARG0 [ARG]...]     run CMDS
 *   sh FILE [ARG]...    run the script FILE
 *   sh -i               force the interactive prompt
 *
 * Grammar (read a line at a time; a line ending in |, && or ||, or inside an open if,
 * while, until or for, continues on the next):
 *   list     := and_or ((';' | '&' | newline) and_or)*     '&' runs it in background
 *   and_or   := pipeline (('&&' | '||') pipeline)*
 *   pipeline := ['!'] command ('|' command)*
 *   command  := (NAME=VALUE)* (WORD | redirection)*  |  compound redirection*
 *   compound := if list then list (elif list then list)* [else list] fi
 *             | while list do list done  |  until list do list done
 *             | for NAME [in WORD*] (';' | newline) do list done
 *   redirection := [N]'<' WORD | [N]'>' WORD | [N]'>>' WORD | [N]'>&'M | [N]'<&'M
 * Words: '...' is literal, "..." expands $ and keeps spaces, \ quotes one character,
 * # starts a comment.  $NAME ${NAME} $? $$ $! $# $0..$9 $@ $* expand ($PPID is the
 * parent's pid, $PWD the directory after cd; "$@" gives one field per argument, $* and
 * an unquoted $@ join them, up to 1 KiB), and $((EXPRESSION)) is integer arithmetic;
 * an unquoted expansion is split at blanks,
 * and a word with an unquoted * ? [ is matched against file names (glob(3); kept as
 * written if nothing matches).
 * Built in: cd, exit, export, unset, wait, pwd, exec, ':', break, continue, read, set
 * (-e: exit when a command fails, except in a condition, before && or ||, or after !;
 * -u: an unset variable is an error; -x: trace commands; -- ARGS: new $1...)
 * ("test" and "[" are programs).  Everything else is a program found along $PATH
 * (execvp(3)).  A command of assignments only sets shell variables; "export
 * NAME[=VALUE]" puts one in the environment of later commands; "NAME=VALUE cmd" sets it
 * for that command only.
 *
 * Simplified (said, not hidden): no case, no functions, no { } or ( ), no $(COMMAND)
 * or backquotes (command substitution), no here-documents, no job control (a background list is started with its
 * standard input from /dev/null, as POSIX says for a shell without job control; it is
 * collected by "wait").  Exit status of a command killed by signal N is 128+N.
 * A syntax error prints "sh: syntax error: unexpected X", status 2; a non-interactive
 * shell then stops.  A command not found is status 127, not executable 126.
 */
#include <ctype.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "util.h"

extern char **environ;

/* ---------------------------------------------------------------- tokens */

enum kind { WORD, PIPE, AND, OR, SEMI, BACKGROUND, REDIRECT };
enum redir { R_IN, R_OUT, R_APPEND, R_DUP };
static const char *KIND_TEXT[] = {"word", "|", "&&", "||", ";", "&", "redirection"};

struct token {
    enum kind kind;
    char *text;          /* WORD: as written, quotes included; REDIRECT: its operator */
    enum redir redir;    /* REDIRECT: what it does ... */
    int fd;              /* ... to which descriptor */
};

struct tokens { struct token *at; int n, cap; };

static void push_token(struct tokens *t, struct token token)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 32;
        t->at = realloc(t->at, (size_t)t->cap * sizeof *t->at);
        if (!t->at) {
            warn_errno("out of memory");
            exit(2);
        }
    }
    t->at[t->n++] = token;
}

static void free_tokens(struct tokens *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->at[i].text);
    free(t->at);
    t->at = NULL;
    t->n = t->cap = 0;
}

static int is_separator(enum kind k)
{
    return k == PIPE || k == AND || k == OR || k == SEMI || k == BACKGROUND;
}

/* ---------------------------------------------------------------- compound commands
 *
 * if/while/until/for are recognized by their first word at the start of a command
 * ("echo if" is an echo).  A compound command is the range of tokens from its opening
 * word to its closing one (fi, done) at the same depth; scan() walks tokens keeping
 * that depth, so that a ';' or '|' inside a loop body does not end the command around
 * it. */

static int word_in(const char *word, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(word, *list) == 0)
            return 1;
    return 0;
}

static const char *const OPENERS[] = {"if", "while", "until", "for", NULL};
static const char *const CLOSERS[] = {"fi", "done", NULL};
/* after these words a new command starts (as after a separator) */
static const char *const LEADERS[] = {"then", "do", "else", "elif", "if", "while", "until",
                                      "!", NULL};

/* The first token at or after i, before b, at depth 0, that is a separator of a kind in
 * `stop` (a bit set of 1 << kind) or a word of `words` at the start of a command; b if
 * none.  i must be at the start of a command. */
static int scan(const struct token *t, int i, int b, unsigned stop, const char *const *words)
{
    int depth = 0, start = 1;
    for (; i < b; i++) {
        if (t[i].kind == REDIRECT) {
            i++;                                 /* and its target */
            continue;
        }
        if (t[i].kind != WORD) {
            if (depth == 0 && (stop & (1u << t[i].kind)))
                return i;
            start = 1;
            continue;
        }
        if (start && depth == 0 && words && word_in(t[i].text, words))
            return i;
        if (start && word_in(t[i].text, OPENERS))
            depth++;
        else if (start && word_in(t[i].text, CLOSERS))
            depth--;
        start = start && word_in(t[i].text, LEADERS);
    }
    return b;
}

static int is_word(const struct token *t, int i, const char *word)
{
    return t[i].kind == WORD && strcmp(t[i].text, word) == 0;
}

/* The index just past the fi/done that closes the compound command opened at i. */
static int compound_end(const struct token *t, int i, int b)
{
    static const char *const FI[] = {"fi", NULL}, *const DONE[] = {"done", NULL};
    int close = scan(t, i + 1, b, 0, is_word(t, i, "if") ? FI : DONE);
    return close < b ? close + 1 : b;
}

/* Check the nesting of if/then/elif/else/fi and while/until/for/do/done: NULL if it is
 * right, else the word that is out of place; *open is set to the number of compound
 * commands still open at the end (then more input may complete them). */
static const char *check_nesting(const struct token *t, int n, int *open)
{
    char stack[64];                      /* 'i' an if, 'l' a loop */
    int depth = 0, start = 1;
    for (int i = 0; i < n; i++) {
        if (t[i].kind == REDIRECT) {
            i++;
            continue;
        }
        if (t[i].kind != WORD) {
            start = 1;
            continue;
        }
        const char *w = t[i].text;
        if (start) {
            if (word_in(w, OPENERS)) {
                if (depth == (int)sizeof stack)
                    return w;
                stack[depth++] = strcmp(w, "if") == 0 ? 'i' : 'l';
                if (strcmp(w, "for") == 0 && (i + 1 == n || t[i + 1].kind != WORD))
                    return w;
            } else if (!strcmp(w, "then") || !strcmp(w, "elif") || !strcmp(w, "else")
                       || !strcmp(w, "fi")) {
                if (depth == 0 || stack[depth - 1] != 'i')
                    return w;
                if (!strcmp(w, "fi"))
                    depth--;
            } else if (!strcmp(w, "do") || !strcmp(w, "done")) {
                if (depth == 0 || stack[depth - 1] != 'l')
                    return w;
                if (!strcmp(w, "done"))
                    depth--;
            }
        }
        start = start && word_in(w, LEADERS);
    }
    *open = depth;
    return NULL;
}

enum lex_result { LEX_OK, LEX_INCOMPLETE, LEX_ERROR };

/* Split src into tokens.  LEX_INCOMPLETE: an open quote or a trailing | && || (more
 * input may finish it); LEX_ERROR: a syntax error, already reported. */
static enum lex_result lex(const char *src, struct tokens *out)
{
    const char *p = src;
    while (*p) {
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }
        if (*p == '#') {                          /* a comment, up to the newline */
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (*p == '\n') {                         /* newline ends a command, if any */
            if (out->n && !is_separator(out->at[out->n - 1].kind))
                push_token(out, (struct token){SEMI, strdup(";"), 0, 0});
            p++;
            continue;
        }
        static const struct { const char *text; enum kind kind; } OPS[] = {
            {"&&", AND}, {"||", OR}, {"|", PIPE}, {"&", BACKGROUND}, {";", SEMI},
        };
        int matched = 0;
        for (unsigned k = 0; k < sizeof OPS / sizeof OPS[0] && !matched; k++) {
            size_t len = strlen(OPS[k].text);
            if (strncmp(p, OPS[k].text, len) == 0) {
                push_token(out, (struct token){OPS[k].kind, strdup(OPS[k].text), 0, 0});
                p += len;
                matched = 1;
            }
        }
        if (matched)
            continue;
        const char *start = p;
        int fd = -1;
        if (isdigit((unsigned char)p[0]) && (p[1] == '<' || p[1] == '>'))
            fd = *p++ - '0';
        if (*p == '<' || *p == '>') {             /* [N]< [N]> [N]>> [N]>& [N]<& */
            struct token t = {REDIRECT, NULL, R_IN, fd >= 0 ? fd : (*p == '<' ? 0 : 1)};
            if (p[0] == '>' && p[1] == '>')
                t.redir = R_APPEND, p += 2;
            else if (p[1] == '&')
                t.redir = R_DUP, p += 2;
            else
                t.redir = *p == '<' ? R_IN : R_OUT, p += 1;
            t.text = strndup(start, (size_t)(p - start));
            push_token(out, t);
            continue;
        }
        p = start;                                /* a word, quotes and all */
        while (*p && !strchr(" \t\n|&;<>", *p)) {
            if (*p == '\\') {
                if (!p[1])
                    return LEX_INCOMPLETE;
                p += 2;
            } else if (*p == '\'' || *p == '"') {
                char quote = *p++;
                while (*p && *p != quote)
                    p += (quote == '"' && *p == '\\' && p[1]) ? 2 : 1;
                if (!*p)
                    return LEX_INCOMPLETE;
                p++;
            } else if (p[0] == '$' && p[1] == '(') {    /* $((...)): to its last ')' */
                int depth = 0;
                p++;
                do {
                    depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
                    p++;
                } while (*p && depth > 0);
                if (depth > 0)
                    return LEX_INCOMPLETE;
            } else
                p++;
        }
        push_token(out, (struct token){WORD, strndup(start, (size_t)(p - start)), 0, 0});
    }
    /* check the order of tokens: every separator follows a command, every redirection
     * is followed by a word */
    int has_command = 0;
    for (int i = 0; i < out->n; i++) {
        struct token *t = &out->at[i];
        if (t->kind == WORD)
            has_command = 1;
        else if (t->kind == REDIRECT) {
            if (i + 1 == out->n || out->at[i + 1].kind != WORD) {
                fprintf(stderr, "sh: syntax error: unexpected %s after %s\n",
                        i + 1 == out->n ? "end of line" : out->at[i + 1].text, t->text);
                return LEX_ERROR;
            }
            has_command = 1;
        } else {
            if (!has_command) {
                fprintf(stderr, "sh: syntax error: unexpected '%s'\n", KIND_TEXT[t->kind]);
                return LEX_ERROR;
            }
            has_command = 0;
        }
    }
    int open = 0;
    const char *misplaced = check_nesting(out->at, out->n, &open);
    if (misplaced) {
        fprintf(stderr, "sh: syntax error: unexpected '%s'\n", misplaced);
        return LEX_ERROR;
    }
    if (out->n) {
        enum kind last = out->at[out->n - 1].kind;
        if (last == PIPE || last == AND || last == OR || open)
            return LEX_INCOMPLETE;
    }
    return LEX_OK;
}

/* ---------------------------------------------------------------- variables */

struct var { char *name, *value; int exported; };
static struct var *vars;
static int nvars;
static int last_status, interactive;
/* set -e, -u, -x (errexit, nounset, xtrace); failure_counts: 0 while a failure may not
 * end the shell under -e (a condition of if/while/until, a pipeline before && or ||,
 * one with '!') */
static int errexit, nounset, xtrace, in_condition, failure_counts;
static pid_t shell_pid, last_background;
static char **positional;    /* $0, $1, ... */
static int npositional;

static struct var *find_var(const char *name, size_t len)
{
    for (int i = 0; i < nvars; i++)
        if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0)
            return &vars[i];
    return NULL;
}

static void set_var(const char *name, const char *value, int exported)
{
    struct var *v = find_var(name, strlen(name));
    if (!v) {
        vars = realloc(vars, (size_t)(nvars + 1) * sizeof *vars);
        v = &vars[nvars++];
        v->name = strdup(name);
        v->value = NULL;
        v->exported = 0;
    }
    if (value) {
        free(v->value);
        v->value = strdup(value);
    }
    v->exported |= exported;
}

static void unset_var(const char *name)
{
    struct var *v = find_var(name, strlen(name));
    if (!v)
        return;
    free(v->name);
    free(v->value);
    *v = vars[--nvars];
}

static int is_name(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* "NAME=..." with a valid NAME: the length of NAME, else 0. */
static size_t assignment_name(const char *word)
{
    const char *eq = strchr(word, '=');
    return (eq && is_name(word, (size_t)(eq - word))) ? (size_t)(eq - word) : 0;
}

/* Make environ hold the exported variables (in a child, before execve). */
static void export_environment(void)
{
    clearenv();
    for (int i = 0; i < nvars; i++)
        if (vars[i].exported && vars[i].value)
            setenv(vars[i].name, vars[i].value, 1);
}

/* ---------------------------------------------------------------- expansion */

struct str { char *s; size_t n, cap; };

static void put(struct str *b, char c)
{
    if (b->n + 2 > b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->s = realloc(b->s, b->cap);
    }
    b->s[b->n++] = c;
    b->s[b->n] = 0;
}

static void puts_str(struct str *b, const char *s)
{
    while (*s)
        put(b, *s++);
}

struct fields { char **at; int n, cap; };

static void push_field(struct fields *f, char *s)
{
    if (f->n + 2 > f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->at = realloc(f->at, (size_t)f->cap * sizeof *f->at);
    }
    f->at[f->n++] = s;
    f->at[f->n] = NULL;
}

static void free_fields(struct fields *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->at[i]);
    free(f->at);
    f->at = NULL;
    f->n = f->cap = 0;
}

/* The value of the parameter that p names (after the '$'); *len is set to the length
 * of its name.  NULL: unset, or not a parameter (then *len is 0: a literal '$'). */
static const char *parameter(const char *p, size_t *len, char *scratch, size_t size)
{
    *len = 0;
    if (*p == '{') {
        const char *close = strchr(p, '}');
        if (!close)
            return NULL;
        size_t inner;
        const char *value = parameter(p + 1, &inner, scratch, size);
        if (inner != (size_t)(close - p - 1))
            return NULL;                     /* "${" not closed by one name: literal */
        *len = inner + 2;
        return value;
    }
    if (*p == '?' || *p == '$' || *p == '!' || *p == '#') {
        *len = 1;
        long n = *p == '?' ? last_status : *p == '$' ? shell_pid
               : *p == '!' ? last_background : npositional - 1;
        if (*p == '!' && !last_background)
            return "";
        snprintf(scratch, size, "%ld", n);
        return scratch;
    }
    if (isdigit((unsigned char)*p)) {
        *len = 1;
        int k = *p - '0';
        return k < npositional ? positional[k] : "";
    }
    if (*p == '@' || *p == '*') {                 /* joined by spaces, up to `size` */
        size_t used = 0;
        *len = 1;
        scratch[0] = 0;
        for (int k = 1; k < npositional; k++) {
            int n = snprintf(scratch + used, size - used, "%s%s", k > 1 ? " " : "",
                             positional[k]);
            if (n < 0 || (size_t)n >= size - used)
                break;
            used += (size_t)n;
        }
        return scratch;
    }
    while (isalnum((unsigned char)p[*len]) || p[*len] == '_')
        (*len)++;
    if (*len == 0 || isdigit((unsigned char)p[0])) {
        *len = 0;
        return NULL;
    }
    struct var *v = find_var(p, *len);
    if (nounset && !(v && v->value)) {
        fprintf(stderr, "sh: %.*s: parameter not set\n", (int)*len, p);
        if (!interactive)
            exit(2);
    }
    return (v && v->value) ? v->value : "";
}

/* ---------------------------------------------------------------- arithmetic
 *
 * $((EXPRESSION)) (POSIX XCU 2.6.4): long integers, C's operators and precedence for
 * || && == != < <= > >= + - * / % and unary - + !, parentheses, decimal numbers, and
 * variables by NAME or $NAME (unset or empty: 0); no assignment operators (=, +=, ++).
 * A syntax error or a division by zero is reported and counts as 0.  Recursive
 * descent, one function per precedence level. */

static const char *arith_p;
static int arith_error;

static void arith_blanks(void)
{
    while (*arith_p == ' ' || *arith_p == '\t' || *arith_p == '\n')
        arith_p++;
}

/* The operator at the cursor if it is one of ops (longest first in the list). */
static const char *arith_op(const char *const *ops)
{
    arith_blanks();
    for (; *ops; ops++)
        if (strncmp(arith_p, *ops, strlen(*ops)) == 0) {
            arith_p += strlen(*ops);
            return *ops;
        }
    return NULL;
}

static long arith_or(void);

static long arith_primary(void)
{
    arith_blanks();
    if (*arith_p == '(') {
        arith_p++;
        long value = arith_or();
        arith_blanks();
        if (*arith_p != ')')
            arith_error = 1;
        else
            arith_p++;
        return value;
    }
    if (isdigit((unsigned char)*arith_p))
        return strtol(arith_p, (char **)&arith_p, 10);
    if (*arith_p == '$')
        arith_p++;
    const char *name = arith_p;
    while (isalnum((unsigned char)*arith_p) || *arith_p == '_')
        arith_p++;
    if (arith_p == name || isdigit((unsigned char)*name)) {
        arith_error = 1;
        return 0;
    }
    struct var *v = find_var(name, (size_t)(arith_p - name));
    return v && v->value ? strtol(v->value, NULL, 10) : 0;
}

static long arith_unary(void)
{
    static const char *const OPS[] = {"-", "+", "!", NULL};
    const char *op = arith_op(OPS);
    if (!op)
        return arith_primary();
    long value = arith_unary();
    return *op == '-' ? -value : *op == '!' ? !value : value;
}

static long arith_mul(void)
{
    static const char *const OPS[] = {"*", "/", "%", NULL};
    long value = arith_unary();
    for (const char *op; (op = arith_op(OPS));) {
        long right = arith_unary();
        if (*op != '*' && right == 0) {
            fprintf(stderr, "sh: arithmetic: division by zero\n");
            arith_error = 2;
            return 0;
        }
        value = *op == '*' ? value * right : *op == '/' ? value / right : value % right;
    }
    return value;
}

static long arith_add(void)
{
    static const char *const OPS[] = {"+", "-", NULL};
    long value = arith_mul();
    for (const char *op; (op = arith_op(OPS));) {
        long right = arith_mul();
        value = *op == '+' ? value + right : value - right;
    }
    return value;
}

static long arith_rel(void)
{
    static const char *const OPS[] = {"<=", ">=", "<", ">", NULL};
    long value = arith_add();
    for (const char *op; (op = arith_op(OPS));) {
        long right = arith_add();
        value = op[0] == '<' ? (op[1] ? value <= right : value < right)
                             : (op[1] ? value >= right : value > right);
    }
    return value;
}

static long arith_eq(void)
{
    static const char *const OPS[] = {"==", "!=", NULL};
    long value = arith_rel();
    for (const char *op; (op = arith_op(OPS));) {
        long right = arith_rel();
        value = *op == '=' ? value == right : value != right;
    }
    return value;
}

static long arith_and(void)
{
    static const char *const OPS[] = {"&&", NULL};
    long value = arith_eq();
    while (arith_op(OPS)) {
        long right = arith_eq();
        value = value && right;
    }
    return value;
}

static long arith_or(void)
{
    static const char *const OPS[] = {"||", NULL};
    long value = arith_and();
    while (arith_op(OPS)) {
        long right = arith_and();
        value = value || right;
    }
    return value;
}

/* The value of the expression text[0..len). */
static long arithmetic(const char *text, size_t len)
{
    char *copy = strndup(text, len);
    arith_p = copy;
    arith_error = 0;
    long value = arith_or();
    arith_blanks();
    if (*arith_p || arith_error == 1)
        fprintf(stderr, "sh: arithmetic: syntax error in '%s'\n", copy);
    free(copy);
    return (*arith_p || arith_error) ? 0 : value;
}

/* One finished field: glob it if it has an unquoted pattern character. */
static void end_field(struct fields *out, struct str *word, struct str *pattern, int glob_it)
{
    glob_t g;
    if (glob_it && glob(pattern->s, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++)
            push_field(out, strdup(g.gl_pathv[i]));
        globfree(&g);
    } else
        push_field(out, strdup(word->s ? word->s : ""));
    word->n = pattern->n = 0;
    if (word->s)
        word->s[0] = 0;
    if (pattern->s)
        pattern->s[0] = 0;
}

/* Expand one word as written into fields (split = 0: exactly one field, no splitting
 * and no globbing -- for assignments and redirection targets). */
static void expand(const char *p, struct fields *out, int split)
{
    struct str word = {0}, pattern = {0};
    int have = 0, glob_it = 0, quote = 0;          /* quote: 0, '\'' or '"' */
    int no_params = 0;                              /* "$@" with no parameters */
    char scratch[1024];
    /* a literal character: quoted ones are escaped in the glob pattern */
    #define LITERAL(c, quoted) do { put(&word, (c)); \
        if ((quoted) && strchr("*?[\\", (c))) put(&pattern, '\\'); \
        put(&pattern, (c)); have = 1; } while (0)
    while (*p) {
        char c = *p;
        if (quote == '\'') {
            if (c == '\'')
                quote = 0;
            else
                LITERAL(c, 1);
            p++;
        } else if (c == '\\' && p[1] && (!quote || strchr("$\"\\`\n", p[1]))) {
            LITERAL(p[1], 1);
            p += 2;
        } else if (c == '\'' && !quote) {
            quote = '\'';
            have = 1;
            p++;
        } else if (c == '"') {
            quote = quote ? 0 : '"';
            have = 1;
            p++;
        } else if (c == '$' && quote && split && (!strncmp(p, "$@", 2)
                                                  || !strncmp(p, "${@}", 4))) {
            /* "$@": each positional parameter a field of its own; none: no field */
            p += p[1] == '@' ? 2 : 4;
            for (int k = 1; k < npositional; k++) {
                if (k > 1)
                    end_field(out, &word, &pattern, 0);
                for (const char *v = positional[k]; *v; v++)
                    LITERAL(*v, 1);
            }
            if (npositional > 1)
                have = 1;
            else if (word.n == 0)
                no_params = 1;
        } else if (c == '$' && p[1] == '(') {
            const char *q = p + 1;                      /* to the matching ')' */
            for (int depth = 0; *q; q++) {
                depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
                if (depth == 0)
                    break;
            }
            if (p[2] != '(' || !*q || q[-1] != ')') {
                fprintf(stderr, "sh: $(...): command substitution is not supported\n");
                LITERAL('$', 1);
                p++;
                continue;
            }
            long value = arithmetic(p + 3, (size_t)(q - 1 - (p + 3)));
            snprintf(scratch, sizeof scratch, "%ld", value);
            for (const char *v = scratch; *v; v++)
                LITERAL(*v, 1);
            p = q + 1;
        } else if (c == '$') {
            size_t len;
            const char *value = parameter(p + 1, &len, scratch, sizeof scratch);
            if (len == 0) {
                LITERAL('$', 1);
                p++;
                continue;
            }
            p += 1 + len;
            for (; value && *value; value++) {
                if (split && !quote && strchr(" \t\n", *value)) {
                    if (have)
                        end_field(out, &word, &pattern, glob_it);
                    have = glob_it = 0;
                } else
                    LITERAL(*value, 1);
            }
            if (quote)
                have = 1;
        } else {
            if (split && !quote && strchr("*?[", c))
                glob_it = 1;
            LITERAL(c, quote != 0);
            p++;
        }
    }
    #undef LITERAL
    if (no_params && word.n == 0)                   /* the word was just "$@" */
        have = 0;
    if (have || !split)
        end_field(out, &word, &pattern, split && glob_it);
    free(word.s);
    free(pattern.s);
}

/* ---------------------------------------------------------------- redirections */

/* Apply the redirections among tokens [a, b); -1 (reported) if one fails.  saved, if
 * not NULL, receives copies of the replaced descriptors 0..9 (for a built-in). */
static int redirect(struct token *t, int a, int b, int saved[10])
{
    for (int i = a; i < b; i++) {
        if (t[i].kind != REDIRECT)
            continue;
        struct fields target = {0};
        expand(t[++i].text, &target, 0);
        const char *name = target.at[0];
        int fd, to = t[i - 1].fd;
        if (saved && to < 10 && saved[to] == -2)    /* a copy at 10 or above, closed */
            saved[to] = fcntl(to, F_DUPFD_CLOEXEC, 10); /* on exec; -1: it was not open */
        if (t[i - 1].redir == R_DUP) {
            if (!isdigit((unsigned char)name[0]) || name[1]) {
                fprintf(stderr, "sh: %s: bad file descriptor number\n", name);
                free_fields(&target);
                return -1;
            }
            fd = name[0] - '0';
            if (dup2(fd, to) < 0) {
                fprintf(stderr, "sh: %d: %s\n", fd, strerror(errno));
                free_fields(&target);
                return -1;
            }
            free_fields(&target);
            continue;
        }
        static const int FLAGS[] = {
            [R_IN] = O_RDONLY,
            [R_OUT] = O_WRONLY | O_CREAT | O_TRUNC,
            [R_APPEND] = O_WRONLY | O_CREAT | O_APPEND,
        };
        fd = open(name, FLAGS[t[i - 1].redir], 0666);
        if (fd < 0) {
            fprintf(stderr, "sh: %s: %s\n", name, strerror(errno));
            free_fields(&target);
            return -1;
        }
        if (fd != to) {
            dup2(fd, to);
            close(fd);
        }
        free_fields(&target);
    }
    return 0;
}

static void restore(int saved[10])
{
    for (int fd = 0; fd < 10; fd++) {
        if (saved[fd] == -2)
            continue;
        if (saved[fd] < 0)
            close(fd);
        else {
            dup2(saved[fd], fd);
            close(saved[fd]);
        }
    }
}

/* ---------------------------------------------------------------- built-ins */

static int status_of(int wstatus)
{
    return WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}

/* cd [DIR | -]: DIR, or $HOME (else /); "-" is $OLDPWD, printed.  Sets PWD, OLDPWD. */
static int builtin_cd(char **argv)
{
    const char *dir = argv[1];
    char old[4096], cwd[4096];
    struct var *home = find_var("HOME", 4), *previous = find_var("OLDPWD", 6);
    if (!dir)
        dir = (home && home->value) ? home->value : "/";
    else if (strcmp(dir, "-") == 0) {
        if (!previous || !previous->value) {
            fprintf(stderr, "sh: cd: OLDPWD not set\n");
            return 1;
        }
        dir = previous->value;
    }
    int had_old = getcwd(old, sizeof old) != NULL;
    if (chdir(dir) < 0) {
        fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (had_old)
        set_var("OLDPWD", old, 0);
    if (getcwd(cwd, sizeof cwd))
        set_var("PWD", cwd, 0);
    if (argv[1] && strcmp(argv[1], "-") == 0) {
        printf("%s\n", cwd);
        fflush(stdout);
    }
    return 0;
}

static int builtin_pwd(char **argv)
{
    char cwd[4096];
    (void)argv;
    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
        return 1;
    }
    printf("%s\n", cwd);
    fflush(stdout);
    return 0;
}

static int builtin_exit(char **argv)
{
    int code = last_status;
    if (argv[1]) {
        long n = parse_count(argv[1]);
        if (n < 0) {
            fprintf(stderr, "sh: exit: %s: a number from 0 to 255 is needed\n", argv[1]);
            code = 2;
        } else
            code = (int)(n & 255);
    }
    fflush(stdout);
    exit(code);
}

static int builtin_export(char **argv)
{
    if (!argv[1]) {                         /* list them, sorted by name */
        int order[nvars > 0 ? nvars : 1], n = 0;
        for (int i = 0; i < nvars; i++)
            if (vars[i].exported && vars[i].value)
                order[n++] = i;
        for (int i = 1; i < n; i++)          /* insertion sort: a short list */
            for (int j = i; j > 0 && strcmp(vars[order[j - 1]].name, vars[order[j]].name) > 0;
                 j--) {
                int swap = order[j];
                order[j] = order[j - 1];
                order[j - 1] = swap;
            }
        for (int i = 0; i < n; i++)
            printf("export %s='%s'\n", vars[order[i]].name, vars[order[i]].value);
        fflush(stdout);
        return 0;
    }
    int status = 0;
    for (int i = 1; argv[i]; i++) {
        size_t len = assignment_name(argv[i]);
        if (len) {
            argv[i][len] = 0;
            set_var(argv[i], argv[i] + len + 1, 1);
        } else if (is_name(argv[i], strlen(argv[i])))
            set_var(argv[i], NULL, 1);
        else {
            fprintf(stderr, "sh: export: %s: not a valid name\n", argv[i]);
            status = 1;
        }
    }
    return status;
}

static int builtin_unset(char **argv)
{
    for (int i = 1; argv[i]; i++)
        unset_var(argv[i]);
    return 0;
}

static int builtin_wait(char **argv)
{
    int wstatus, status = 0;
    if (!argv[1]) {                         /* every child: until there is none */
        while (wait(&wstatus) > 0 || errno == EINTR)
            ;
        return 0;
    }
    for (int i = 1; argv[i]; i++) {
        pid_t pid = (pid_t)atol(argv[i]);
        if (waitpid(pid, &wstatus, 0) < 0) {
            fprintf(stderr, "sh: wait: %s: not a child of this shell\n", argv[i]);
            status = 127;
        } else
            status = status_of(wstatus);
    }
    return status;
}

/* break [N] and continue [N]: leave (or go on with) the N-th enclosing loop.  They set
 * a count that run_list and the loops look at (loop_jump) as they unwind. */
static int loop_depth, breaking, continuing;

static int loop_jump(void)
{
    return breaking || continuing;
}

static int loop_count(char **argv, const char *name)
{
    long n = argv[1] ? parse_count(argv[1]) : 1;
    if (n < 1) {
        fprintf(stderr, "sh: %s: %s: a loop count (1 or more) is needed\n", name, argv[1]);
        return -1;
    }
    return n > loop_depth ? loop_depth : (int)n;
}

static int builtin_break(char **argv)
{
    int n = loop_count(argv, "break");
    if (n < 0)
        return 2;
    breaking = n;
    return 0;
}

static int builtin_continue(char **argv)
{
    int n = loop_count(argv, "continue");
    if (n < 0)
        return 2;
    continuing = n;
    return 0;
}

/* read [-r] [NAME...]: one line of standard input into variables (POSIX read): split
 * at blanks, the last NAME gets the rest of the line (REPLY if none is named).  Without
 * -r a backslash quotes the next character (a backslash-newline joins lines).  Read a
 * byte at a time, so that the next reader of the input starts after this line.  Status
 * 1 at the end of the input. */
static int builtin_read(char **argv)
{
    int raw = 0, i = 1, ended = 0;
    if (argv[i] && strcmp(argv[i], "-r") == 0) {
        raw = 1;
        i++;
    }
    struct str line = {0};
    put(&line, 0);
    line.n = 0;
    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (c == '\n') {
            ended = 1;
            break;
        }
        if (!raw && c == '\\') {
            if (read(0, &c, 1) <= 0)
                break;
            if (c == '\n')
                continue;
        }
        put(&line, c);
    }
    static char *reply[] = {"read", "REPLY", NULL};
    char **names = argv[i] ? argv + i : reply + 1;
    char *p = line.s;
    for (; *names; names++) {
        while (*p == ' ' || *p == '\t')
            p++;
        char *end = p;
        if (names[1])
            while (*end && *end != ' ' && *end != '\t')
                end++;
        else {
            end = p + strlen(p);
            while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        }
        char saved = *end;
        *end = 0;
        if (!is_name(*names, strlen(*names))) {
            fprintf(stderr, "sh: read: %s: not a valid name\n", *names);
            free(line.s);
            return 2;
        }
        set_var(*names, p, 0);
        *end = saved;
        p = end;
    }
    free(line.s);
    return ended ? 0 : 1;
}

/* set [-eux | +eux]... [-- ARG...]: switch errexit, nounset, xtrace on (-) or off (+);
 * "--" and what follows replace the positional parameters $1...  Without arguments it
 * lists the shell's variables. */
static int builtin_set(char **argv)
{
    static const struct { char letter; int *flag; } OPTIONS[] = {
        {'e', &errexit}, {'u', &nounset}, {'x', &xtrace},
    };
    int i = 1;
    if (!argv[1]) {
        for (int k = 0; k < nvars; k++)
            if (vars[k].value)
                printf("%s='%s'\n", vars[k].name, vars[k].value);
        fflush(stdout);
        return 0;
    }
    for (; argv[i] && (argv[i][0] == '-' || argv[i][0] == '+') && strcmp(argv[i], "--"); i++)
        for (const char *o = argv[i] + 1; *o; o++) {
            unsigned k = 0;
            while (k < sizeof OPTIONS / sizeof OPTIONS[0] && OPTIONS[k].letter != *o)
                k++;
            if (k == sizeof OPTIONS / sizeof OPTIONS[0]) {
                fprintf(stderr, "sh: set: -%c: unknown option (use -e, -u, -x)\n", *o);
                return 2;
            }
            *OPTIONS[k].flag = argv[i][0] == '-';
        }
    if (argv[i] && strcmp(argv[i], "--") == 0) {
        int n = 0;
        while (argv[i + 1 + n])
            n++;
        char **params = malloc((size_t)(n + 2) * sizeof *params);  /* kept for good */
        params[0] = strdup(positional[0]);
        for (int k = 0; k < n; k++)
            params[k + 1] = strdup(argv[i + 1 + k]);
        params[n + 1] = NULL;
        positional = params;
        npositional = n + 1;
    }
    return 0;
}

static int builtin_colon(char **argv)
{
    (void)argv;
    return 0;
}

static int builtin_exec(char **argv);

static const struct { const char *name; int (*run)(char **argv); } BUILTINS[] = {
    {"cd", builtin_cd}, {"pwd", builtin_pwd}, {"exit", builtin_exit},
    {"export", builtin_export}, {"unset", builtin_unset}, {"wait", builtin_wait},
    {":", builtin_colon}, {"exec", builtin_exec}, {"break", builtin_break},
    {"continue", builtin_continue}, {"read", builtin_read}, {"set", builtin_set},
};

static int (*find_builtin(const char *name))(char **)
{
    for (unsigned i = 0; i < sizeof BUILTINS / sizeof BUILTINS[0]; i++)
        if (strcmp(name, BUILTINS[i].name) == 0)
            return BUILTINS[i].run;
    return NULL;
}

/* ---------------------------------------------------------------- commands */

/* In a child: run a program (argv[0] along $PATH); never returns. */
static void exec_program(char **argv)
{
    export_environment();
    execvp(argv[0], argv);
    int missing = errno == ENOENT;
    if (missing)
        fprintf(stderr, "sh: %s: not found\n", argv[0]);
    else
        fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(errno));
    exit(missing ? 127 : 126);
}

static int builtin_exec(char **argv)
{
    if (argv[1])
        exec_program(argv + 1);
    return 0;
}

/* Signal dispositions a child gets back (an interactive shell ignores these). */
static void default_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

static int run_compound(struct token *t, int a, int b, int in_child);

/* Tokens [a, b) are one simple command.  in_child: this process may be replaced
 * (a pipeline member); else a program is run in a new child and waited for. */
static int run_command(struct token *t, int a, int b, int in_child)
{
    if (t[a].kind == WORD && word_in(t[a].text, OPENERS))
        return run_compound(t, a, b, in_child);
    struct fields argv = {0};
    int i = a, status = 0;
    for (; i < b && t[i].kind == WORD && assignment_name(t[i].text); i++)
        ;
    int assignments_end = i;
    for (; i < b; i++) {
        if (t[i].kind == REDIRECT)
            i++;                                 /* its target is not an argument */
        else
            expand(t[i].text, &argv, 1);
    }
    /* NAME=VALUE words: shell variables if alone, else the command's environment */
    struct fields values = {0};
    for (i = a; i < assignments_end; i++)
        expand(t[i].text + assignment_name(t[i].text) + 1, &values, 0);
    if (argv.n == 0) {
        for (i = a; i < assignments_end; i++) {
            size_t len = assignment_name(t[i].text);
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)len, t[i].text);
            set_var(name, values.at[i - a], 0);
        }
        int saved[10] = {-2, -2, -2, -2, -2, -2, -2, -2, -2, -2};
        status = redirect(t, assignments_end, b, saved) < 0 ? 1 : 0;
        restore(saved);
        free_fields(&values);
        return status;
    }
    if (xtrace) {                 /* set -x: "+ cmd args" on stderr, in one write so */
        struct str line = {0};    /* the traces of a pipeline's commands do not mix */
        put(&line, '+');
        for (i = 0; i < argv.n; i++) {
            put(&line, ' ');
            puts_str(&line, argv.at[i]);
        }
        put(&line, '\n');
        fwrite(line.s, 1, line.n, stderr);
        free(line.s);
    }
    int (*builtin)(char **) = find_builtin(argv.at[0]);
    if (builtin && !in_child) {
        int saved[10] = {-2, -2, -2, -2, -2, -2, -2, -2, -2, -2};
        status = redirect(t, assignments_end, b, builtin == builtin_exec ? NULL : saved);
        if (status == 0)
            status = builtin(argv.at);
        else
            status = 1;
        fflush(stdout);
        if (builtin != builtin_exec)
            restore(saved);
        free_fields(&argv);
        free_fields(&values);
        return status;
    }
    pid_t pid = in_child ? 0 : fork();
    if (pid < 0) {
        fprintf(stderr, "sh: fork: %s\n", strerror(errno));
        status = 2;
    } else if (pid == 0) {
        if (!in_child)
            default_signals();
        if (redirect(t, assignments_end, b, NULL) < 0)
            exit(1);
        if (builtin) {
            status = builtin(argv.at);
            fflush(stdout);
            exit(status);
        }
        for (i = a; i < assignments_end; i++) {
            size_t len = assignment_name(t[i].text);
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)len, t[i].text);
            set_var(name, values.at[i - a], 1);
        }
        exec_program(argv.at);
    } else {
        int wstatus;
        while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
        status = status_of(wstatus);
    }
    free_fields(&argv);
    free_fields(&values);
    return status;
}

#define MAX_PIPELINE 64

/* Tokens [a, b) are a pipeline: its commands run at once, joined by pipes; its status
 * is the last command's ('!' in front inverts it). */
static int run_pipeline(struct token *t, int a, int b)
{
    int negate = 0;
    if (t[a].kind == WORD && strcmp(t[a].text, "!") == 0 && a + 1 < b) {
        negate = 1;
        a++;
    }
    int ends[MAX_PIPELINE], n = 0;
    for (int i = scan(t, a, b, 1u << PIPE, NULL); i < b;
         i = scan(t, i + 1, b, 1u << PIPE, NULL)) {
        if (n == MAX_PIPELINE - 1) {
            fprintf(stderr, "sh: a pipeline of more than %d commands\n", MAX_PIPELINE);
            return 2;
        }
        ends[n++] = i;
    }
    ends[n++] = b;
    int status;
    if (n == 1)
        status = run_command(t, a, b, 0);
    else {
        pid_t pids[MAX_PIPELINE];
        int input = -1, start = a;
        for (int k = 0; k < n; k++) {
            int fds[2] = {-1, -1};
            if (k + 1 < n && pipe(fds) < 0) {
                fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
                break;
            }
            pids[k] = fork();
            if (pids[k] == 0) {
                default_signals();
                if (input >= 0) {
                    dup2(input, 0);
                    close(input);
                }
                if (fds[1] >= 0) {
                    dup2(fds[1], 1);
                    close(fds[1]);
                    close(fds[0]);
                }
                exit(run_command(t, start, ends[k], 1));
            }
            if (input >= 0)
                close(input);
            if (fds[1] >= 0)
                close(fds[1]);
            input = fds[0];
            start = ends[k] + 1;
        }
        status = 0;
        for (int k = 0; k < n; k++) {
            int wstatus;
            if (pids[k] < 0)
                continue;
            while (waitpid(pids[k], &wstatus, 0) < 0 && errno == EINTR)
                ;
            status = status_of(wstatus);
        }
    }
    failure_counts = !negate;
    return negate ? !status : status;
}

/* Tokens [a, b) are pipelines joined by && and ||. */
static int run_and_or(struct token *t, int a, int b)
{
    int start = a, status = 0;
    enum kind op = AND;
    for (;;) {
        int i = scan(t, start, b, 1u << AND | 1u << OR, NULL);
        if (start == a || (op == AND) == (status == 0)) {
            status = run_pipeline(t, start, i);
            failure_counts = failure_counts && i >= b;    /* the last one only */
        }
        if (i >= b || loop_jump())
            return status;
        op = t[i].kind;
        start = i + 1;
    }
}

/* True if tokens [a, b) are one command (no | && || !): a child can then become that
 * command itself, so that $! is the program's own pid. */
static int simple(struct token *t, int a, int b)
{
    if (is_word(t, a, "!"))
        return 0;
    return scan(t, a, b, 1u << PIPE | 1u << AND | 1u << OR, NULL) == b;
}

/* Tokens [a, b) are a list: and-or lists ended by ';' (wait) or '&' (do not). */
static void run_list(struct token *t, int a, int b)
{
    for (int start = a; start < b && !loop_jump();) {
        int i = scan(t, start, b, 1u << SEMI | 1u << BACKGROUND, NULL);
        if (i > start) {
            if (i < b && t[i].kind == BACKGROUND) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid == 0) {
                    int null = open("/dev/null", O_RDONLY);
                    if (null > 0) {
                        dup2(null, 0);
                        close(null);
                    }
                    exit(simple(t, start, i) ? run_command(t, start, i, 1)
                                             : run_and_or(t, start, i));
                }
                if (pid < 0)
                    fprintf(stderr, "sh: fork: %s\n", strerror(errno));
                else {
                    last_background = pid;
                    if (interactive)
                        fprintf(stderr, "[%d]\n", (int)pid);
                }
                last_status = pid < 0 ? 2 : 0;
            } else {
                last_status = run_and_or(t, start, i);
                if (errexit && last_status != 0 && failure_counts && !in_condition) {
                    fflush(stdout);
                    exit(last_status);                  /* set -e */
                }
            }
        }
        start = i + 1;
    }
}

/* if COND; then LIST; [elif COND; then LIST;]... [else LIST;] fi -- tokens [a, end).
 * Its status is the branch's, or 0 if no branch ran (POSIX). */
static int run_if(struct token *t, int a, int end)
{
    static const char *const THEN[] = {"then", NULL}, *const ELSE[] = {"elif", "else", NULL};
    int fi = end - 1;
    for (int cond = a + 1;;) {
        int then = scan(t, cond, fi, 0, THEN);
        int next = scan(t, then + 1, fi, 0, ELSE);
        in_condition++;
        run_list(t, cond, then);
        in_condition--;
        if (loop_jump())
            return last_status;
        if (last_status == 0) {
            run_list(t, then + 1, next);
            return last_status;
        }
        if (next == fi)
            return 0;
        if (is_word(t, next, "else")) {
            run_list(t, next + 1, fi);
            return last_status;
        }
        cond = next + 1;                                /* elif */
    }
}

/* After a loop's body: 1 if the loop must stop (break, or a continue/break of an
 * outer loop), 0 to go on. */
static int loop_ends(void)
{
    if (breaking) {
        breaking--;
        return 1;
    }
    if (continuing && --continuing > 0)
        return 1;
    return 0;
}

/* while COND; do LIST; done (until: while not COND) -- tokens [a, end). */
static int run_while(struct token *t, int a, int end)
{
    static const char *const DO[] = {"do", NULL};
    int until = is_word(t, a, "until"), done = end - 1, status = 0;
    int body = scan(t, a + 1, done, 0, DO);
    loop_depth++;
    for (;;) {
        in_condition++;
        run_list(t, a + 1, body);
        in_condition--;
        if (loop_jump()) {
            if (loop_ends())
                break;
            continue;
        }
        if ((last_status == 0) == until)
            break;
        run_list(t, body + 1, done);
        status = last_status;
        if (loop_jump() && loop_ends())
            break;
    }
    loop_depth--;
    return status;
}

/* for NAME [in WORD...]; do LIST; done -- tokens [a, end).  Without "in" the words are
 * the positional parameters $1, $2... */
static int run_for(struct token *t, int a, int end)
{
    static const char *const DO[] = {"do", NULL};
    int done = end - 1, status = 0;
    int body = scan(t, a + 1, done, 0, DO);
    const char *name = t[a + 1].text;
    if (!is_name(name, strlen(name))) {
        fprintf(stderr, "sh: for: %s: not a valid name\n", name);
        return 2;
    }
    struct fields items = {0};
    if (a + 2 < body && is_word(t, a + 2, "in")) {
        for (int i = a + 3; i < body; i++)
            if (t[i].kind == WORD)
                expand(t[i].text, &items, 1);
    } else
        for (int k = 1; k < npositional; k++)
            push_field(&items, strdup(positional[k]));
    loop_depth++;
    for (int k = 0; k < items.n; k++) {
        set_var(name, items.at[k], 0);
        run_list(t, body + 1, done);
        status = last_status;
        if (loop_jump() && loop_ends())
            break;
    }
    loop_depth--;
    free_fields(&items);
    return status;
}

/* Tokens [a, b): a compound command (from if/while/until/for to its fi/done), then
 * redirections for all of it ("done < file"). */
static int run_compound(struct token *t, int a, int b, int in_child)
{
    int end = compound_end(t, a, b);
    int saved[10] = {-2, -2, -2, -2, -2, -2, -2, -2, -2, -2};
    if (redirect(t, end, b, in_child ? NULL : saved) < 0) {
        restore(saved);
        return 1;
    }
    int status = is_word(t, a, "if") ? run_if(t, a, end)
               : is_word(t, a, "for") ? run_for(t, a, end) : run_while(t, a, end);
    fflush(stdout);
    restore(saved);
    return status;
}

/* ---------------------------------------------------------------- input */

/* Run the commands of text; LEX_INCOMPLETE means nothing ran: more text is needed. */
static enum lex_result run_text(const char *text)
{
    struct tokens tokens = {0};
    enum lex_result result = lex(text, &tokens);
    if (result == LEX_OK)
        run_list(tokens.at, 0, tokens.n);
    else if (result == LEX_ERROR)
        last_status = 2;
    free_tokens(&tokens);
    return result;
}

/* One line from fd into line (without its newline); 0 at the end of input.  Standard
 * input is read a byte at a time so that the commands run get the rest of it. */
static int read_line(int fd, struct str *line)
{
    static char buf[4096];
    static int have, next;
    line->n = 0;
    put(line, 0);
    line->n = 0;
    for (;;) {
        char c;
        if (fd != 0) {
            if (next == have) {
                have = (int)read(fd, buf, sizeof buf);
                next = 0;
                if (have <= 0) {
                    have = 0;
                    return line->n > 0;
                }
            }
            c = buf[next++];
        } else {
            ssize_t n = read(fd, &c, 1);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return line->n > 0;
        }
        if (c == '\n')
            return 1;
        put(line, c);
    }
}

static void prompt(int continuation)
{
    struct var *ps1 = find_var("PS1", 3);
    const char *text = continuation ? "> "
                     : (ps1 && ps1->value) ? ps1->value : geteuid() == 0 ? "# " : "$ ";
    fputs(text, stderr);
    fflush(stderr);
}

/* Read and run commands from fd until its end (or "exit"). */
static void run_stream(int fd)
{
    struct str line = {0}, pending = {0};
    for (;;) {
        if (interactive) {
            int wstatus;
            while (waitpid(-1, &wstatus, WNOHANG) > 0)   /* collect finished '&' jobs */
                ;
            prompt(pending.n > 0);
        }
        if (!read_line(fd, &line)) {
            if (pending.n) {
                fprintf(stderr, "sh: syntax error: unexpected end of file\n");
                last_status = 2;
            }
            break;
        }
        puts_str(&pending, line.s);
        put(&pending, '\n');
        enum lex_result result = run_text(pending.s);
        if (result == LEX_INCOMPLETE)
            continue;
        pending.n = 0;
        pending.s[0] = 0;
        if (result == LEX_ERROR && !interactive)
            break;
    }
    free(line.s);
    free(pending.s);
}

int main(int argc, char **argv)
{
    set_prog("sh");
    shell_pid = getpid();
    for (char **e = environ; e && *e; e++) {
        char *eq = strchr(*e, '=');
        if (eq && is_name(*e, (size_t)(eq - *e))) {
            *eq = 0;
            set_var(*e, eq + 1, 1);
            *eq = '=';
        }
    }
    char ppid[16];
    snprintf(ppid, sizeof ppid, "%d", (int)getppid());
    set_var("PPID", ppid, 0);
    int i = 1, force_interactive = 0;
    const char *command = NULL;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            command = argv[++i];
        else if (strcmp(argv[i], "-i") == 0)
            force_interactive = 1;
        else if (strcmp(argv[i], "-s") == 0)
            ;
        else {
            fprintf(stderr, "sh: unknown option %s (use -c CMD, -i, -s)\n", argv[i]);
            return 2;
        }
    }
    if (command) {                 /* sh -c CMD [ARG0 [ARG]...] */
        positional = argv + i;
        npositional = argc - i;
        static char *name[] = {"sh"};
        if (npositional == 0)
            positional = name, npositional = 1;
        if (run_text(command) == LEX_INCOMPLETE) {
            fprintf(stderr, "sh: syntax error: unexpected end of file\n");
            last_status = 2;
        }
        fflush(stdout);
        return last_status;
    }
    if (i < argc) {                /* sh FILE [ARG]... */
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "sh: %s: %s\n", argv[i], strerror(errno));
            return 127;
        }
        positional = argv + i;
        npositional = argc - i;
        run_stream(fd);
        close(fd);
        return last_status;
    }
    positional = argv;
    npositional = 1;
    interactive = force_interactive || (isatty(0) && isatty(2));
    if (interactive) {
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }
    run_stream(0);
    fflush(stdout);
    return last_status;
}
