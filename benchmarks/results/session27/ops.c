// Uncontended locked instructions and a store model, in C (session 27, item 1). gcc -O2 ops.c -o ops && ./ops
#include <stdio.h>
#include <time.h>
#include <string.h>
static double now(){struct timespec a; clock_gettime(CLOCK_MONOTONIC,&a); return a.tv_sec*1e9+a.tv_nsec;}
static char ring[1<<21] __attribute__((aligned(64)));
int main(){ volatile long v=0; long N=20000000;
 for(int r=0;r<3;r++){
 double t=now(); for(long i=0;i<N;i++) __sync_fetch_and_add(&v,1); printf("lock xadd %.2f ns  ", (now()-t)/N);
 t=now(); for(long i=0;i<N;i++){ long e=v; __sync_bool_compare_and_swap(&v,e,e+1);} printf("cas %.2f ns  ", (now()-t)/N);
 t=now(); for(long i=0;i<N;i++){ char*c=ring+((i*128)&((1<<21)-1)); memset(c,i,104); __sync_fetch_and_add(&v,1);} printf("104B store+xadd over 2MB ring %.2f ns  ", (now()-t)/N);
 t=now(); for(long i=0;i<N;i++){ char*c=ring+((i*128)&((1<<21)-1)); memset(c,i,104); v=i;} printf("104B store+plain %.2f ns\n", (now()-t)/N);
 }}
