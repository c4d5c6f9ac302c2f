/* true -- do nothing, successfully: exit status 0 (POSIX true(1)). */
int main(void)
{
    return 0;
}
