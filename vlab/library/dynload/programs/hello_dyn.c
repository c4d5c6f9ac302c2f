/* A dynamically linked program: PT_INTERP names vlab's loader, DT_NEEDED libvc.so;
   every call into the library goes through a PLT entry and a GOT slot. */
int vc_puts(const char *s);
long vc_time(void);
void vc_exit(int code);
extern int vc_calls;

__attribute__((used, section(".interp"))) const char interp[] = "/lib/ld-vlab.so.1";

static void say_number(long n)
{
    char buf[24];
    int i = sizeof buf - 1;
    buf[i] = 0;
    do {
        buf[--i] = '0' + n % 10;
        n /= 10;
    } while (n);
    vc_puts(buf + i);
}

void _start(void)
{
    vc_puts("hello from a dynamically linked program");
    long now = vc_time();
    vc_puts(now > 1000000000 ? "the clock says: this century" : "the clock says: long ago");
    say_number(now);
    vc_puts("library calls counted by libvc:");
    say_number(vc_calls);
    vc_exit(0);
}
