/* A Win32-flavoured program: console output, a file written and read back, the
   tick count, the process heap.  It names no POSIX function: every call goes
   through its import table to KERNEL32.dll. */
#include <windows.h>

static void say(HANDLE out, const char *text)
{
    DWORD written;
    WriteConsoleA(out, text, lstrlenA(text), &written, NULL);
}

int main(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD n;
    say(out, "Hello from a PE program\n");

    HANDLE f = CreateFileA("note.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, NULL);
    if (f == INVALID_HANDLE_VALUE)
        return 2;
    WriteFile(f, "written by WriteFile\n", 21, &n, NULL);
    CloseHandle(f);

    char *buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, 64);
    f = CreateFileA("note.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    ReadFile(f, buf, 63, &n, NULL);
    CloseHandle(f);
    say(out, buf);
    HeapFree(GetProcessHeap(), 0, buf);

    if (CreateFileA("missing.txt", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL)
            == INVALID_HANDLE_VALUE && GetLastError() == ERROR_FILE_NOT_FOUND)
        say(out, "missing.txt: ERROR_FILE_NOT_FOUND\n");
    DWORD t = GetTickCount();
    say(out, t < 1000 ? "ticks: under a second since boot\n" : "ticks: a while\n");
    return 0;
}
