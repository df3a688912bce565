/*
 * The X client that feeds the X-based servers of bench/run-peers.sh (TigerVNC's Xvnc, x11vnc on
 * Xvfb, Porthole's X11 mirror on Xvfb): it puts the benchmark's frames (Benchmarks/Sources/
 * CBenchFrames) on the root window of $DISPLAY, the way an X application hands pixels to its
 * server.
 *
 *   feed-x11 WORKLOAD FRAMES FPS LOG [copyarea]
 *
 * Each frame's damage rectangles (the stamp last) are painted into a scratch image and sent with
 * PutImage, in bands that keep every request under the core protocol's request size limit. With
 * `copyarea`, a frame that is a move (scrolling, drag: bench_move) is made the way a scrolling
 * application or a window system makes it: CopyArea of the moved pixels on the root window, then
 * PutImage of what the move uncovered. Then
 * GetInputFocus is asked for: its reply comes after the server has executed the PutImages (core
 * protocol: requests are executed in order), so the logged time is when the frame was on the
 * screen. Like bench/x11-draw.c, which it follows; the protocol of the log is in feed.h.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "bench_frames.h"
#include "feed.h"

static xcb_connection_t *c;
static xcb_window_t root;
static xcb_gcontext_t gc;
static uint32_t *scratch;

/* Paints rectangle r of frame k and sends it in bands of at most 256 kB, the bottom band first.
 * A server may send the viewer what it has between two PutImages (Xvnc does, on full-screen
 * motion), and the stamp at the screen's top-left is painted into every rectangle that covers it:
 * with the top band last, no viewer can read frame k's number before the whole rectangle is on
 * the screen, which would count the frame as delivered early (a negative latency). */
static void put(int workload, long k, bench_rect r) {
    int band = (int)(262000 / 4 / r.width);
    if (band < 1) band = 1;
    for (int y = (r.height - 1) / band * band; y >= 0; y -= band) {
        int h = r.height - y < band ? r.height - y : band;
        bench_paint(workload, k, (bench_rect){r.x, r.y + y, r.width, h}, scratch, (size_t)r.width);
        xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, root, gc, (uint16_t)r.width, (uint16_t)h, (int16_t)r.x,
                      (int16_t)(r.y + y), 0, 24, (uint32_t)(r.width * h * 4), (const uint8_t *)scratch);
    }
}

static void round_trip(void) { free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL)); }

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && strcmp(argv[5], "copyarea") == 0)) {
        fprintf(stderr, "usage: feed-x11 WORKLOAD FRAMES FPS LOG [copyarea]\n");
        return 2;
    }
    int copy_area = argc == 6;
    int workload = bench_workload_named(argv[1]), width, height;
    long frames = atol(argv[2]);
    double interval = 1.0 / atof(argv[3]);
    if (workload < 0 || frames < 1 || !(interval > 0)) { fprintf(stderr, "feed-x11: bad arguments\n"); return 2; }
    FILE *log = fopen(argv[4], "w");
    if (!log) { perror(argv[4]); return 1; }
    feed_block_start_signal();
    c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) { fprintf(stderr, "feed-x11: cannot connect to $DISPLAY\n"); return 1; }
    xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    bench_screen_size(workload, &width, &height);
    if (screen->root_depth != 24 || screen->width_in_pixels != width || screen->height_in_pixels != height) {
        fprintf(stderr, "feed-x11: needs a %dx%d depth-24 screen\n", width, height);
        return 1;
    }
    root = screen->root;
    gc = xcb_generate_id(c);
    /* No GraphicsExpose/NoExpose events for the CopyAreas: the root window is never obscured. */
    uint32_t no_exposures = 0;
    xcb_create_gc(c, gc, root, XCB_GC_GRAPHICS_EXPOSURES, &no_exposures);
    scratch = malloc(262144);

    put(workload, 0, (bench_rect){0, 0, width, height});
    round_trip();
    feed_log_ready(log);
    feed_wait_for_start();

    double start = feed_now(), paint_cpu = 0;
    bench_rect rects[BENCH_MAX_RECTS], from;
    for (long k = 1; k <= frames; k++) {
        feed_sleep_until(start + (k - 1) * interval);
        double cpu = feed_thread_cpu();
        int to_x, to_y, n = copy_area ? bench_move(workload, k, &from, &to_x, &to_y, rects) : -1;
        if (n >= 0)
            xcb_copy_area(c, root, root, gc, (int16_t)from.x, (int16_t)from.y, (int16_t)to_x, (int16_t)to_y,
                          (uint16_t)from.width, (uint16_t)from.height);
        else
            n = bench_damage(workload, k, rects);
        for (int i = 0; i < n; i++) put(workload, k, rects[i]);
        paint_cpu += feed_thread_cpu() - cpu;
        round_trip();
        feed_log_frame(log, k);
    }
    feed_log_end(log, paint_cpu);
    xcb_disconnect(c);
    return 0;
}
