/*
 * What the feeders of bench/run-peers.sh share (docs/benchmarks.md, "Porthole and its peers"):
 * the clocks, the start signal and the hand-over log the measuring viewer reads.
 *
 * A feeder paints frame 0 whole, writes "ready" to its log and waits for SIGUSR1 (sent by the
 * viewer once it holds the whole first picture). Then it hands frames 1..FRAMES to its server at
 * FPS, each at its due time, and logs "K SECONDS" (CLOCK_REALTIME) when frame K was handed over.
 * Last it logs "end PAINT_CPU", the thread CPU seconds it spent painting pixels, which the viewer
 * subtracts from a server that paints in its own process (neatvnc, libvncserver): painting is
 * the application's work, not the server's.
 */
#ifndef FEED_H
#define FEED_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

static inline double feed_clock(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static inline double feed_now(void) { return feed_clock(CLOCK_REALTIME); }
static inline double feed_thread_cpu(void) { return feed_clock(CLOCK_THREAD_CPUTIME_ID); }

/* Blocks SIGUSR1 in this thread (and threads created after) so feed_wait_for_start can take it. */
static inline void feed_block_start_signal(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static inline void feed_wait_for_start(void) {
    sigset_t set;
    int signal;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigwait(&set, &signal);
}

/* Sleeps until CLOCK_REALTIME reaches `due`. */
static inline void feed_sleep_until(double due) {
    for (double t = feed_now(); t < due; t = feed_now()) {
        struct timespec s = {(time_t)(due - t), (long)((due - t - (time_t)(due - t)) * 1e9)};
        nanosleep(&s, NULL);
    }
}

static inline void feed_log_ready(FILE *log) { fprintf(log, "ready\n"); fflush(log); }
static inline void feed_log_frame(FILE *log, long k) { fprintf(log, "%ld %.6f\n", k, feed_now()); fflush(log); }
static inline void feed_log_end(FILE *log, double paint_cpu) { fprintf(log, "end %.6f\n", paint_cpu); fflush(log); }

#endif
