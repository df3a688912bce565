/*
 * A minimal neatvnc server for bench/run-peers.sh: the benchmark's frames (Benchmarks/Sources/
 * CBenchFrames) fed to an nvnc_display, the way a neatvnc application (wayvnc) hands pixels over:
 * each frame goes into a framebuffer from an nvnc_fb_pool and is fed with its damage.
 *
 *   peer-neatvnc WORKLOAD FRAMES FPS PORT LOG
 *
 * neatvnc may still be encoding a fed buffer when the next frame is due, so frames are painted
 * into a buffer the pool hands out free. Every buffer remembers the frame it last held and is
 * brought up to date with the damage since (bench_paint_since); the first three hold frame 0
 * before the measurement begins, and a buffer the pool makes later is painted whole.
 * Everything runs on aml's main loop: a SIGUSR1 handler starts a timerfd at FPS, and each tick
 * feeds the next frame. The server listens on 127.0.0.1:PORT without authentication and keeps
 * serving after the last frame until terminated. The log is described in feed.h.
 */
#include <aml.h>
#include <neatvnc.h>
#include <pixman.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "bench_frames.h"
#include "feed.h"

enum { MAX_BUFFERS = 8 };
/* DRM_FORMAT_XRGB8888 (drm_fourcc.h: fourcc 'X' 'R' '2' '4'), spelled out so libdrm-dev is not needed. */
static const uint32_t xrgb8888 = 0x34325258;

static int workload, width, height, timer;
static long frames, next_frame = 1;
static double interval, paint_cpu;
static FILE *log_file;
static struct nvnc_display *display;
static struct nvnc_fb_pool *pool;
/* The pool's buffers and the frame each one last held. */
static struct { struct nvnc_fb *fb; long frame; } buffers[MAX_BUFFERS];

static long *frame_of(struct nvnc_fb *fb) {
    for (int i = 0; i < MAX_BUFFERS; i++) {
        if (buffers[i].fb == fb) return &buffers[i].frame;
        if (!buffers[i].fb) { buffers[i].fb = fb; buffers[i].frame = -1; return &buffers[i].frame; }
    }
    fprintf(stderr, "peer-neatvnc: more than %d buffers in use\n", MAX_BUFFERS);
    exit(1);
}

/* Paints frame k into a free buffer and feeds it with frame k's damage. */
static void feed(long k) {
    double cpu = feed_thread_cpu();
    struct nvnc_fb *fb = nvnc_fb_pool_acquire(pool);
    long *held = frame_of(fb);
    bench_paint_since(workload, *held, k, nvnc_fb_get_addr(fb), (size_t)width);
    *held = k;
    paint_cpu += feed_thread_cpu() - cpu;
    struct pixman_region16 damage;
    pixman_region_init(&damage);
    bench_rect rects[BENCH_MAX_RECTS];
    int n = k == 0 ? 0 : bench_damage(workload, k, rects);
    if (k == 0) pixman_region_union_rect(&damage, &damage, 0, 0, width, height);
    for (int i = 0; i < n; i++) pixman_region_union_rect(&damage, &damage, rects[i].x, rects[i].y, rects[i].width, rects[i].height);
    nvnc_display_feed_buffer(display, fb, &damage);
    pixman_region_fini(&damage);
    nvnc_fb_unref(fb);
}

/* A timerfd tick: feeds the frames that are due (one, unless the loop fell behind). */
static void on_tick(void *handler) {
    uint64_t expirations;
    (void)handler;
    if (read(timer, &expirations, sizeof expirations) != sizeof expirations) return;
    for (uint64_t i = 0; i < expirations && next_frame <= frames; i++) {
        feed(next_frame);
        feed_log_frame(log_file, next_frame);
        next_frame++;
    }
    if (next_frame > frames) {
        struct itimerspec stop = {0};
        timerfd_settime(timer, 0, &stop, NULL);
        feed_log_end(log_file, paint_cpu);
    }
}

static void on_start(void *signal) {
    (void)signal;
    if (next_frame != 1) return;
    paint_cpu = 0; /* frame 0 was painted before the measurement began */
    long ns = (long)(interval * 1e9);
    struct itimerspec period = {{ns / 1000000000, ns % 1000000000}, {0, 1}};
    timerfd_settime(timer, 0, &period, NULL);
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: peer-neatvnc WORKLOAD FRAMES FPS PORT LOG\n"); return 2; }
    workload = bench_workload_named(argv[1]);
    frames = atol(argv[2]);
    interval = 1.0 / atof(argv[3]);
    int port = atoi(argv[4]);
    if (workload < 0 || frames < 1 || !(interval > 0) || port <= 0) { fprintf(stderr, "peer-neatvnc: bad arguments\n"); return 2; }
    log_file = fopen(argv[5], "w");
    if (!log_file) { perror(argv[5]); return 1; }
    bench_screen_size(workload, &width, &height);

    struct aml *aml = aml_new();
    aml_set_default(aml);
    struct nvnc *server = nvnc_open("127.0.0.1", (uint16_t)port);
    if (!server) { fprintf(stderr, "peer-neatvnc: cannot listen on port %d\n", port); return 1; }
    nvnc_set_name(server, "neatvnc");
    display = nvnc_display_new(0, 0);
    nvnc_add_display(server, display);
    pool = nvnc_fb_pool_new((uint16_t)width, (uint16_t)height, xrgb8888, (uint16_t)width);

    timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    struct aml_handler *ticks = aml_handler_new(timer, on_tick, NULL, NULL);
    aml_start(aml, ticks);
    struct aml_signal *start = aml_signal_new(SIGUSR1, on_start, NULL, NULL);
    aml_start(aml, start);

    /* The pool's first buffers hold frame 0 before the measurement begins, as porthole-feed's
     * do: a buffer first handed out during it would be painted whole, in this process, in the
     * middle of the frames measured. */
    struct nvnc_fb *ready[3];
    for (int i = 0; i < 3; i++) {
        ready[i] = nvnc_fb_pool_acquire(pool);
        bench_paint_since(workload, -1, 0, nvnc_fb_get_addr(ready[i]), (size_t)width);
        *frame_of(ready[i]) = 0;
    }
    for (int i = 0; i < 3; i++) nvnc_fb_unref(ready[i]);
    feed(0);
    feed_log_ready(log_file);
    aml_run(aml);
    return 0;
}
