/* libfakeclock.so: preloaded before libvc.so, its vc_time is found first. */
long vc_time(void)
{
    return 86400;                      /* one day after the epoch */
}
