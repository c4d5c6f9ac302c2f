/* printf.c -- a small printf: %d %i %u %x %X %s %c %p %%, field width, '-' and '0' flags.
 *
 * Output is buffered (flushed at '\n', when the buffer is full and at exit) and goes to
 * vlab_write_out(): write(1, ...) in user mode, the HTIF console in bare-metal mode.
 * No floating point, no long long, no precision: what small course programs need.
 */
#include "vlab.h"

struct sink {                 /* where formatted characters go: a buffer, or the console */
    char *buf;
    size_t size, len;
    int to_console;
};

static char out_buf[256];
static size_t out_len;

void vlab_flush(void)
{
    if (out_len) {
        vlab_write_out(out_buf, out_len);
        out_len = 0;
    }
}

static void emit(struct sink *s, char c)
{
    if (s->to_console) {
        out_buf[out_len++] = c;
        if (c == '\n' || out_len == sizeof out_buf)
            vlab_flush();
    } else if (s->len + 1 < s->size) {
        s->buf[s->len] = c;
    }
    s->len++;
}

static void emit_padded(struct sink *s, const char *text, int width, int left, char pad)
{
    int n = (int)strlen(text);
    if (pad == '0' && !left && (*text == '-') && n < width) {  /* -0042, not 00-42 */
        emit(s, *text++);
        width--;
        n--;
    }
    for (; !left && n < width; width--)
        emit(s, pad);
    while (*text)
        emit(s, *text++);
    for (; left && n < width; width--)
        emit(s, ' ');
}

static char *utoa(unsigned int value, unsigned int base, int upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    *--end = '\0';
    do {
        *--end = digits[value % base];
        value /= base;
    } while (value);
    return end;
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
    char tmp[16];
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(s, *fmt);
            continue;
        }
        int left = 0, width = 0;
        char pad = ' ';
        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
            *fmt == '-' ? (left = 1) : (pad = '0');
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        while (*fmt == 'l')                       /* long is int on ilp32 */
            fmt++;
        char *text = tmp;
        switch (*fmt) {
        case 'd': case 'i': {
            int v = va_arg(ap, int);
            text = utoa(v < 0 ? -(unsigned int)v : (unsigned int)v, 10, 0, tmp + sizeof tmp);
            if (v < 0)
                *--text = '-';
            break;
        }
        case 'u': text = utoa(va_arg(ap, unsigned int), 10, 0, tmp + sizeof tmp); break;
        case 'x': text = utoa(va_arg(ap, unsigned int), 16, 0, tmp + sizeof tmp); break;
        case 'X': text = utoa(va_arg(ap, unsigned int), 16, 1, tmp + sizeof tmp); break;
        case 'p':
            text = utoa((uintptr_t)va_arg(ap, void *), 16, 0, tmp + sizeof tmp);
            *--text = 'x';
            *--text = '0';
            break;
        case 's': text = va_arg(ap, char *); if (!text) text = "(null)"; pad = ' '; break;
        case 'c': tmp[0] = (char)va_arg(ap, int); tmp[1] = '\0'; break;
        case '%': tmp[0] = '%'; tmp[1] = '\0'; break;
        case '\0': return;
        default: tmp[0] = '%'; tmp[1] = *fmt; tmp[2] = '\0'; break;   /* print it as is */
        }
        emit_padded(s, text, width, left, pad);
    }
}

int vprintf(const char *fmt, va_list ap)
{
    struct sink s = { 0, 0, 0, 1 };
    format(&s, fmt, ap);
    return (int)s.len;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct sink s = { buf, size, 0, 0 };
    va_list ap;
    va_start(ap, fmt);
    format(&s, fmt, ap);
    va_end(ap);
    if (size)
        buf[s.len < size ? s.len : size - 1] = '\0';
    return (int)s.len;
}

int putchar(int c)
{
    struct sink s = { 0, 0, 0, 1 };
    emit(&s, (char)c);
    return (unsigned char)c;
}

int puts(const char *str)
{
    printf("%s\n", str);
    return 0;
}
