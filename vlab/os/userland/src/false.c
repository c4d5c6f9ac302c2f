/* false -- do nothing, unsuccessfully: exit status 1 (POSIX false(1)). */
int main(void)
{
    return 1;
}
