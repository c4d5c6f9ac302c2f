#include "vlab.h"

static void quicksort(int *a, int lo, int hi)
{
    if (lo >= hi)
        return;
    int pivot = a[(lo + hi) / 2], i = lo, j = hi;
    while (i <= j) {
        while (a[i] < pivot) i++;
        while (a[j] > pivot) j--;
        if (i <= j) {
            int t = a[i]; a[i] = a[j]; a[j] = t;
            i++, j--;
        }
    }
    quicksort(a, lo, j);
    quicksort(a, i, hi);
}

int main(void)
{
    int a[16];
    unsigned int seed = 12345;
    for (int i = 0; i < 16; i++) {
        seed = seed * 1103515245u + 12345u;       /* the classic C rand() LCG */
        a[i] = (int)((seed >> 16) % 1000) - 500;
    }
    quicksort(a, 0, 15);
    int sorted = 1;
    for (int i = 0; i < 16; i++) {
        printf("%d ", a[i]);
        if (i && a[i - 1] > a[i])
            sorted = 0;
    }
    printf("\n%s\n", sorted ? "sorted" : "NOT SORTED");
    return !sorted;
}
