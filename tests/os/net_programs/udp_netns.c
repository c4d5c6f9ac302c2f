/* Network namespaces keep their loopback: a child that unshares CLONE_NEWNET sends to
 * 127.0.0.1:7777 and reaches nobody (and may bind 7777 itself); a child that stays in
 * the parent's namespace reaches the parent's socket. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct sockaddr_in port7777(void) {
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(7777)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    return sa;
}

static int child(int unshare_net) {
    if (unshare_net && unshare(CLONE_NEWNET) < 0) { perror("unshare"); return 1; }
    struct sockaddr_in sa = port7777();
    int c = socket(AF_INET, SOCK_DGRAM, 0);
    const char *msg = unshare_net ? "from another namespace" : "from the same namespace";
    sendto(c, msg, strlen(msg), 0, (struct sockaddr *)&sa, sizeof sa);
    if (unshare_net) {
        int own = socket(AF_INET, SOCK_DGRAM, 0);
        if (bind(own, (struct sockaddr *)&sa, sizeof sa) == 0)
            printf("child bound 127.0.0.1:7777 in its own namespace\n");
    }
    return 0;
}

static void receive(int s) {
    char buf[64];
    int n = recv(s, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n < 0) { printf("parent: nothing (%s)\n", strerror(errno)); return; }
    buf[n] = 0;
    printf("parent got: %s\n", buf);
}

int main(void) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = port7777();
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("bind"); return 1; }
    for (int unshare_net = 1; unshare_net >= 0; unshare_net--) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) return child(unshare_net);
        int status;
        waitpid(pid, &status, 0);
        receive(s);
    }
    return 0;
}
