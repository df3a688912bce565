/*
 * The X client of bench/x11-vs-x11vnc.sh: draws numbered frames on an X display and records when
 * each one reached the X server.
 *
 *   x11-draw WORKLOAD FRAMES FPS LOG
 *
 * WORKLOAD is "typing" (a 10x18 glyph-sized rectangle, at the next position of a text line, once
 * a frame) or "video" (a 640x360 region of fresh noise every frame). Every frame also paints the
 * 16x16 stamp at (0,0) in a colour that encodes its number: red 0x80, green and blue
 * the number's high and low byte. After drawing, GetInputFocus is asked for: its reply comes after
 * the server has executed the drawing requests (core protocol: requests are executed in order), so
 * the time written to LOG ("FRAME SECONDS", CLOCK_REALTIME) is when the frame was on the screen.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fill(xcb_connection_t *c, xcb_drawable_t d, xcb_gcontext_t gc, uint32_t colour, int16_t x, int16_t y, uint16_t w, uint16_t h) {
    xcb_change_gc(c, gc, XCB_GC_FOREGROUND, &colour);
    xcb_rectangle_t r = {x, y, w, h};
    xcb_poly_fill_rectangle(c, d, gc, 1, &r);
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: x11-draw typing|video FRAMES FPS LOG\n"); return 2; }
    int video = strcmp(argv[1], "video") == 0;
    int frames = atoi(argv[2]);
    double interval = 1.0 / atof(argv[3]);
    FILE *log = fopen(argv[4], "w");
    if (!log) { perror(argv[4]); return 1; }
    xcb_connection_t *c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) { fprintf(stderr, "x11-draw: cannot connect to $DISPLAY\n"); return 1; }
    xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    if (screen->root_depth != 24) { fprintf(stderr, "x11-draw: needs a depth-24 root\n"); return 1; }
    xcb_window_t root = screen->root;
    xcb_gcontext_t gc = xcb_generate_id(c);
    xcb_create_gc(c, gc, root, 0, NULL);
    fill(c, root, gc, 0x202020, 0, 0, screen->width_in_pixels, screen->height_in_pixels);
    free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));

    enum { VW = 640, VH = 360, BAND = 60 };
    /* The noise is sent in bands so each PutImage stays under the core request size limit. */
    uint32_t *noise = malloc(VW * BAND * 4);
    uint32_t seed = 12345;
    double start = now() + interval;
    for (int k = 1; k <= frames; k++) {
        double due = start + (k - 1) * interval;
        for (double t = now(); t < due; t = now()) {
            struct timespec s = {0, (long)((due - t) * 1e9)};
            nanosleep(&s, NULL);
        }
        if (video) {
            for (int y = 0; y < VH; y += BAND) {
                for (int i = 0; i < VW * BAND; i++) { seed = seed * 1664525u + 1013904223u; noise[i] = seed >> 8; }
                xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, root, gc, VW, BAND, 200, 200 + y, 0, 24, VW * BAND * 4, (uint8_t *)noise);
            }
        } else {
            int column = (k - 1) % 80, line = ((k - 1) / 80) % 20;
            fill(c, root, gc, 0xe0e0e0 ^ (uint32_t)(k * 0x010307), 200 + column * 10, 200 + line * 18, 10, 18);
        }
        fill(c, root, gc, 0x800000 | (uint32_t)(k & 0xffff), 0, 0, 16, 16);
        free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
        fprintf(log, "%d %.6f\n", k, now());
    }
    fclose(log);
    xcb_disconnect(c);
    return 0;
}
