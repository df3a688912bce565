/* Changes colours on a colormapped X screen the way old X programs animate them: without drawing.
 *
 * Usage: x11_colormap_cell RRGGBB [RRGGBB ...]   (on $DISPLAY)
 *
 * Allocates one read/write cell in the screen's default colormap (AllocColorCells), stores the
 * first colour in it and makes it the root window's background. At each SIGUSR1 it stores the
 * next colour in the same cell (StoreColors): every root pixel changes colour, yet no pixel is
 * drawn, so no DAMAGE event is sent. It prints a line after each colour has reached the server,
 * then waits to be stopped (the cell lives as long as the connection).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <xcb/xcb.h>

static void store(xcb_connection_t *c, xcb_colormap_t map, uint32_t pixel, unsigned long rgb) {
    xcb_coloritem_t item = {
        .pixel = pixel,
        .red = (uint16_t)(((rgb >> 16) & 0xff) * 257),
        .green = (uint16_t)(((rgb >> 8) & 0xff) * 257),
        .blue = (uint16_t)((rgb & 0xff) * 257),
        .flags = XCB_COLOR_FLAG_RED | XCB_COLOR_FLAG_GREEN | XCB_COLOR_FLAG_BLUE,
    };
    xcb_store_colors(c, map, 1, &item);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s RRGGBB [RRGGBB ...]\n", argv[0]); return 2; }
    xcb_connection_t *c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) { fprintf(stderr, "cannot connect to $DISPLAY\n"); return 1; }
    xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    xcb_colormap_t map = screen->default_colormap;
    xcb_alloc_color_cells_reply_t *cells =
        xcb_alloc_color_cells_reply(c, xcb_alloc_color_cells(c, 0, map, 1, 0), NULL);
    if (!cells || xcb_alloc_color_cells_pixels_length(cells) != 1) {
        fprintf(stderr, "AllocColorCells failed (is the root visual PseudoColor?)\n");
        return 1;
    }
    uint32_t pixel = xcb_alloc_color_cells_pixels(cells)[0];
    sigset_t wake;
    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1);
    sigprocmask(SIG_BLOCK, &wake, NULL);
    for (int i = 1; i < argc; i++) {
        store(c, map, pixel, strtoul(argv[i], NULL, 16));
        if (i == 1) {
            xcb_change_window_attributes(c, screen->root, XCB_CW_BACK_PIXEL, &pixel);
            xcb_clear_area(c, 0, screen->root, 0, 0, 0, 0);
        }
        /* A round trip: the server has carried out everything before it. */
        free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
        if (xcb_connection_has_error(c)) { fprintf(stderr, "the X connection broke\n"); return 1; }
        printf("pixel %u shows %s\n", pixel, argv[i]);
        fflush(stdout);
        if (i + 1 < argc) {
            int signal;
            sigwait(&wake, &signal);
        }
    }
    for (;;) pause();
}
