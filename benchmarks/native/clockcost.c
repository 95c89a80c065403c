/*
 * What one timestamp costs on this machine, below .NET: clock_gettime(CLOCK_MONOTONIC) (what
 * Stopwatch.GetTimestamp calls through the vDSO), CLOCK_REALTIME (DateTime.UtcNow), and the bare
 * rdtsc / rdtscp instructions that the vDSO itself reads. x86-64 only.
 *
 *   gcc -O2 -o /tmp/clockcost benchmarks/native/clockcost.c && /tmp/clockcost
 *
 * Results and their reading: docs/benchmarks.md, "What bounds the enabled call (floor driver)".
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(void)
{
    const int n = 10000000;
    volatile uint64_t sink = 0;
    struct timespec t;
    unsigned aux;
    for (int round = 0; round < 3; round++)
    {
        double a = now_ns();
        for (int i = 0; i < n; i++) { clock_gettime(CLOCK_MONOTONIC, &t); sink += t.tv_nsec; }
        double b = now_ns();
        for (int i = 0; i < n; i++) { clock_gettime(CLOCK_REALTIME, &t); sink += t.tv_nsec; }
        double c = now_ns();
        for (int i = 0; i < n; i++) sink += __rdtsc();
        double d = now_ns();
        for (int i = 0; i < n; i++) sink += __rdtscp(&aux);
        double e = now_ns();
        printf("round %d: clock_gettime(MONOTONIC) %.2f ns, clock_gettime(REALTIME) %.2f ns, rdtsc %.2f ns, rdtscp %.2f ns\n",
               round, (b - a) / n, (c - b) / n, (d - c) / n, (e - d) / n);
    }
    return 0;
}
