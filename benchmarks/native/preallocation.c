/*
 * What the kernel's side of a log file costs per 210-byte line, with and without blocks reserved ahead
 * of the end (fallocate with FALLOC_FL_KEEP_SIZE, as StreamSink and the rolling FileSink do on Linux).
 * Appends 512 MB in 64 KB writes (the I/O thread's runs) to a fresh file in DIR, three times per mode:
 *   - "process": this process's CPU (user + system) until the last write returns;
 *   - "with fsync": wall time and the whole machine's busy CPU (/proc/stat: kernel writeback included)
 *     until fsync returns.
 * mode 0 = no reservation; mode N = reserve N MB whenever a write passes the reserved end.
 *
 *   gcc -O2 -o /tmp/preallocation benchmarks/native/preallocation.c
 *   for m in 0 1 0 1; do /tmp/preallocation $m /tmp; done
 *
 * Results and their reading: docs/benchmarks.md, "Session 16".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double process_cpu(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_utime.tv_sec + r.ru_utime.tv_usec / 1e6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec / 1e6;
}

static double machine_busy(void)
{
    long user, nice, sys, idle, iowait, irq, softirq;
    FILE *f = fopen("/proc/stat", "r");
    if (!f || fscanf(f, "cpu %ld %ld %ld %ld %ld %ld %ld", &user, &nice, &sys, &idle, &iowait, &irq, &softirq) != 7) exit(2);
    fclose(f);
    return (user + nice + sys + irq + softirq) / (double)sysconf(_SC_CLK_TCK);
}

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: %s <reserve MB, 0 = none> <dir>\n", argv[0]); return 1; }
    long step = atol(argv[1]) << 20;
    const long total = 512L << 20, chunk = 64 * 1024;
    const double lines = total / 210.0;
    char *buf = malloc(chunk), path[4096];
    memset(buf, 'x', chunk);
    snprintf(path, sizeof path, "%s/preallocation-test.log", argv[2]);
    printf("reserve %ld MB:", step >> 20);
    for (int rep = 0; rep < 3; rep++)
    {
        unlink(path);
        sync();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { perror(path); return 1; }
        double w0 = wall(), c0 = process_cpu(), b0 = machine_busy();
        long reserved = 0;
        for (long off = 0; off < total; off += chunk)
        {
            if (step > 0 && off + chunk > reserved)
            {
                if (fallocate(fd, FALLOC_FL_KEEP_SIZE, off, chunk + step) != 0) { perror("fallocate"); return 1; }
                reserved = off + chunk + step;
            }
            if (write(fd, buf, chunk) != chunk) { perror("write"); return 1; }
        }
        double c1 = process_cpu();
        fsync(fd);
        double w1 = wall(), b1 = machine_busy();
        printf("  process %.1f ns/line, with fsync %.2f GB/s and %.1f ns/line machine-wide |",
               (c1 - c0) * 1e9 / lines, total / (w1 - w0) / 1e9, (b1 - b0) * 1e9 / lines);
        ftruncate(fd, total);
        close(fd);
        unlink(path);
    }
    printf("\n");
    return 0;
}
