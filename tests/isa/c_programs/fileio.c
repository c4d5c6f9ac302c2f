#include "vlab.h"

/* Writes a file in the sandbox, seeks, reads it back, checks fstat and error returns. */
int main(void)
{
    int fd = open("/notes.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    printf("open for writing: fd=%d\n", fd);
    const char text[] = "level 1: ISA\nlevel 2: hardware\n";
    printf("write: %d\n", write(fd, text, sizeof text - 1));
    printf("close: %d\n", close(fd));

    fd = open("notes.txt", O_RDONLY, 0);
    struct stat st;
    printf("fstat: %d size=%d regular=%d\n", fstat(fd, &st), (int)st.st_size,
           (st.st_mode & S_IFMT) == S_IFREG);
    printf("lseek: %d\n", lseek(fd, 9, SEEK_SET));
    char buf[16];
    int n = read(fd, buf, 3);
    buf[n] = '\0';
    printf("read %d: [%s]\n", n, buf);
    printf("lseek end: %d\n", lseek(fd, 0, SEEK_END));
    printf("read at end: %d\n", read(fd, buf, sizeof buf));
    close(fd);

    printf("missing: %d\n", open("/nope.txt", O_RDONLY, 0) == -ENOENT);
    printf("escape: %d\n", open("../../etc/passwd", O_RDONLY, 0) == -EACCES);
    printf("bad fd: %d\n", close(42) == -EBADF);
    printf("stdout seek: %d\n", lseek(1, 0, SEEK_SET) == -ESPIPE);
    printf("bad pointer: %d\n", write(1, (void *)0x10, 4) == -EFAULT);
    return 0;
}
