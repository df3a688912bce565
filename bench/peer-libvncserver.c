/*
 * A minimal libvncserver server for bench/run-peers.sh: one framebuffer, the benchmark's frames
 * (Benchmarks/Sources/CBenchFrames) painted into it in place, each damage rectangle announced
 * with rfbMarkRectAsModified, the way a libvncserver application hands pixels over.
 *
 *   peer-libvncserver WORKLOAD FRAMES FPS PORT LOG [copyrect]
 *
 * With `copyrect`, a frame that is a move (scrolling, drag: bench_move) is made with rfbDoCopyRect
 * (which moves the pixels and sends viewers that take CopyRect a CopyRect), then the uncovered
 * rectangles are painted and marked.
 *
 * The server runs libvncserver's own event loop in the background (a thread per client, its
 * default deferUpdateTime), listens on 127.0.0.1:PORT without authentication, and keeps serving
 * after the last frame until it is terminated. The pixel format is 32-bit 0x00RRGGBB, like the
 * frames. The log and the start signal are described in feed.h.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <rfb/rfb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_frames.h"
#include "feed.h"

int main(int argc, char **argv) {
    if (argc != 6 && !(argc == 7 && strcmp(argv[6], "copyrect") == 0)) {
        fprintf(stderr, "usage: peer-libvncserver WORKLOAD FRAMES FPS PORT LOG [copyrect]\n");
        return 2;
    }
    int copy_rect = argc == 7;
    int workload = bench_workload_named(argv[1]), width, height;
    long frames = atol(argv[2]);
    double interval = 1.0 / atof(argv[3]);
    int port = atoi(argv[4]);
    if (workload < 0 || frames < 1 || !(interval > 0) || port <= 0) { fprintf(stderr, "peer-libvncserver: bad arguments\n"); return 2; }
    FILE *log = fopen(argv[5], "w");
    if (!log) { perror(argv[5]); return 1; }
    bench_screen_size(workload, &width, &height);
    /* Before any thread exists, so libvncserver's threads inherit the blocked start signal. */
    feed_block_start_signal();

    int no_arguments = 1;
    rfbLogEnable(0);
    rfbScreenInfoPtr screen = rfbGetScreen(&no_arguments, argv, width, height, 8, 3, 4);
    if (!screen) return 1;
    screen->serverFormat.redShift = 16;
    screen->serverFormat.greenShift = 8;
    screen->serverFormat.blueShift = 0;
    screen->desktopName = "libvncserver";
    screen->port = port;
    screen->ipv6port = 0;
    screen->listenInterface = htonl(INADDR_LOOPBACK);
    screen->alwaysShared = TRUE;
    /* No cursor: libvncserver would draw its default one into the picture of a viewer that does
     * not take cursor shapes (like x11vnc -nocursor in the benchmark). */
    screen->cursor = NULL;
    /* rfbScheduleCopyRegion (0.9.14) crashes without a cursor, so with copyrect the cursor is a
     * 1x1 one with an empty mask: nothing is drawn. */
    if (copy_rect) screen->cursor = rfbMakeXCursor(1, 1, " ", " ");
    uint32_t *pixels = malloc((size_t)width * height * 4);
    screen->frameBuffer = (char *)pixels;
    bench_paint_since(workload, -1, 0, pixels, (size_t)width);
    rfbInitServer(screen);
    rfbRunEventLoop(screen, -1, TRUE);
    feed_log_ready(log);
    feed_wait_for_start();

    double start = feed_now(), paint_cpu = 0;
    bench_rect rects[BENCH_MAX_RECTS], from;
    for (long k = 1; k <= frames; k++) {
        feed_sleep_until(start + (k - 1) * interval);
        double cpu = feed_thread_cpu();
        int to_x, to_y, n = copy_rect ? bench_move(workload, k, &from, &to_x, &to_y, rects) : -1;
        if (n >= 0)  /* The destination rectangle (x2, y2 exclusive) and the move that lands there. */
            rfbDoCopyRect(screen, to_x, to_y, to_x + from.width, to_y + from.height, to_x - from.x, to_y - from.y);
        else
            n = bench_damage(workload, k, rects);
        for (int i = 0; i < n; i++) {
            bench_paint(workload, k, rects[i], pixels + (size_t)rects[i].y * width + rects[i].x, (size_t)width);
            rfbMarkRectAsModified(screen, rects[i].x, rects[i].y, rects[i].x + rects[i].width, rects[i].y + rects[i].height);
        }
        paint_cpu += feed_thread_cpu() - cpu;
        feed_log_frame(log, k);
    }
    feed_log_end(log, paint_cpu);
    pause();
    return 0;
}
