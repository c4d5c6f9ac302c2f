/* An AF_UNIX stream server and client (fork): the child connects and sends lines, the
 * parent accepts, upper-cases what it reads and sends it back until end of file. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *PATH = "/tmp/echo.sock";

static int client(void) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, PATH);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("connect"); return 1; }
    const char *msg = "hello over a unix socket";
    write(fd, msg, strlen(msg));
    shutdown(fd, SHUT_WR);                  /* the server reads end of file */
    char buf[128]; int n, total = 0;
    while ((n = read(fd, buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    printf("client got: %s\n", buf);
    close(fd);
    return 0;
}

int main(void) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, PATH);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
    listen(s, 4);
    struct sockaddr_un nobody = {.sun_family = AF_UNIX};
    strcpy(nobody.sun_path, "/tmp/nobody.sock");
    int probe = socket(AF_UNIX, SOCK_STREAM, 0);
    if (connect(probe, (struct sockaddr *)&nobody, sizeof nobody) < 0)
        printf("connect to nobody: %s\n", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) return client();
    int c = accept(s, 0, 0);                /* blocks until the child connects */
    char buf[128]; int n, total = 0;
    while ((n = read(c, buf + total, sizeof buf - total)) > 0) total += n;
    printf("server read %d bytes\n", total);
    for (int i = 0; i < total; i++) buf[i] = toupper((unsigned char)buf[i]);
    write(c, buf, total);
    close(c);
    int status;
    waitpid(pid, &status, 0);
    printf("client exited %d\n", WEXITSTATUS(status));
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    signal(SIGPIPE, SIG_IGN);
    if (write(sv[0], "x", 1) < 0) printf("write to a closed pair: %s\n", strerror(errno));
    return 0;
}
