/* A small program for interposition: it reads a configuration file and tells the
   time.  Run it as it is, under the tracer (vlab lib trace), or with hooks that
   redirect its file and fake its clock (vlab lib run --preload ...). */
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(void)
{
    char line[64];
    FILE *f = fopen("config.txt", "r");
    if (!f) {
        puts("no config.txt");
        return 1;
    }
    if (fgets(line, sizeof line, f))
        printf("config: %s", line);
    fclose(f);
    time_t now = time(NULL);
    printf("seconds since 1970: %ld (%s)\n", (long)now,
           now > 1000000000 ? "this century" : "the last century");
    printf("name length %d\n", (int)strlen("vlab"));
    return 0;
}
