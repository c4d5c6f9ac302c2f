/* windows.h for vlab's foreign-API programs: the subset of the Win32 API that
   vlab.library.foreign.kernel32 implements, with the real names, types and
   signatures (Microsoft Learn, "Win32 API" reference, fileapi.h, consoleapi.h,
   processenv.h, heapapi.h, sysinfoapi.h, errhandlingapi.h, processthreadsapi.h).

   As with MSVC's __declspec(dllimport), every call goes through a pointer in the
   program's import address table: __imp_NAME, filled in by the loader. */
#ifndef VLAB_WINDOWS_H
#define VLAB_WINDOWS_H

typedef int BOOL;
typedef unsigned int DWORD, UINT;
typedef unsigned int SIZE_T;
typedef void *HANDLE, *LPVOID;
typedef const void *LPCVOID;
typedef DWORD *LPDWORD;
typedef const char *LPCSTR;
typedef void *LPOVERLAPPED, *LPSECURITY_ATTRIBUTES;
#define WINAPI
#define TRUE 1
#define FALSE 0
#define NULL ((void *)0)

#define STD_INPUT_HANDLE ((DWORD)-10)
#define STD_OUTPUT_HANDLE ((DWORD)-11)
#define STD_ERROR_HANDLE ((DWORD)-12)
#define INVALID_HANDLE_VALUE ((HANDLE)(long)-1)
#define GENERIC_READ 0x80000000u
#define GENERIC_WRITE 0x40000000u
#define CREATE_NEW 1
#define CREATE_ALWAYS 2
#define OPEN_EXISTING 3
#define OPEN_ALWAYS 4
#define TRUNCATE_EXISTING 5
#define FILE_ATTRIBUTE_NORMAL 0x80
#define HEAP_ZERO_MEMORY 0x00000008
#define ERROR_FILE_NOT_FOUND 2

#define WIN32_IMPORT(ret, name, args) \
    extern ret (WINAPI *__imp_##name) args;

WIN32_IMPORT(HANDLE, GetStdHandle, (DWORD nStdHandle))
WIN32_IMPORT(BOOL, WriteConsoleA, (HANDLE hConsoleOutput, const void *lpBuffer,
             DWORD nNumberOfCharsToWrite, LPDWORD lpNumberOfCharsWritten, LPVOID lpReserved))
WIN32_IMPORT(HANDLE, CreateFileA, (LPCSTR lpFileName, DWORD dwDesiredAccess,
             DWORD dwShareMode, LPSECURITY_ATTRIBUTES lpSecurityAttributes,
             DWORD dwCreationDisposition, DWORD dwFlagsAndAttributes, HANDLE hTemplateFile))
WIN32_IMPORT(BOOL, ReadFile, (HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead,
             LPDWORD lpNumberOfBytesRead, LPOVERLAPPED lpOverlapped))
WIN32_IMPORT(BOOL, WriteFile, (HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
             LPDWORD lpNumberOfBytesWritten, LPOVERLAPPED lpOverlapped))
WIN32_IMPORT(BOOL, CloseHandle, (HANDLE hObject))
WIN32_IMPORT(DWORD, GetTickCount, (void))
WIN32_IMPORT(DWORD, GetLastError, (void))
WIN32_IMPORT(HANDLE, GetProcessHeap, (void))
WIN32_IMPORT(LPVOID, HeapAlloc, (HANDLE hHeap, DWORD dwFlags, SIZE_T dwBytes))
WIN32_IMPORT(BOOL, HeapFree, (HANDLE hHeap, DWORD dwFlags, LPVOID lpMem))
WIN32_IMPORT(void, ExitProcess, (UINT uExitCode))
WIN32_IMPORT(int, lstrlenA, (LPCSTR lpString))

#define GetStdHandle (*__imp_GetStdHandle)
#define WriteConsoleA (*__imp_WriteConsoleA)
#define CreateFileA (*__imp_CreateFileA)
#define ReadFile (*__imp_ReadFile)
#define WriteFile (*__imp_WriteFile)
#define CloseHandle (*__imp_CloseHandle)
#define GetTickCount (*__imp_GetTickCount)
#define GetLastError (*__imp_GetLastError)
#define GetProcessHeap (*__imp_GetProcessHeap)
#define HeapAlloc (*__imp_HeapAlloc)
#define HeapFree (*__imp_HeapFree)
#define ExitProcess (*__imp_ExitProcess)
#define lstrlenA (*__imp_lstrlenA)

int main(void);

#endif
