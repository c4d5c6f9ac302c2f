/* UDP on the loopback: the parent binds 127.0.0.1:7777, the child (fork) sends two
 * datagrams from an ephemeral port, the parent answers each to its sender's address. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(7777)};
    inet_pton(AF_INET, "127.0.0.1", &me.sin_addr);
    if (bind(s, (struct sockaddr *)&me, sizeof me) < 0) { perror("bind"); return 1; }
    pid_t pid = fork();
    if (pid == 0) {
        int c = socket(AF_INET, SOCK_DGRAM, 0);
        const char *words[] = {"ping", "pong!"};
        for (int i = 0; i < 2; i++) {
            sendto(c, words[i], strlen(words[i]), 0, (struct sockaddr *)&me, sizeof me);
            char buf[64];
            int n = recv(c, buf, sizeof buf - 1, 0);
            buf[n] = 0;
            printf("child got %s\n", buf);
        }
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        char buf[64], ip[16];
        struct sockaddr_in from; socklen_t len = sizeof from;
        int n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &len);
        buf[n] = 0;
        inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip);
        printf("server got %s (%d bytes) from %s:%d\n", buf, n, ip, ntohs(from.sin_port));
        fflush(stdout);
        char reply[80];
        int m = snprintf(reply, sizeof reply, "%d", n);
        sendto(s, reply, m, 0, (struct sockaddr *)&from, len);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("child exited %d\n", WEXITSTATUS(status));
    return 0;
}
