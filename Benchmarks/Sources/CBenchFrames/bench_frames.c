/*
 * The frame sequences of the peer benchmark; see include/bench_frames.h for the contract.
 *
 * Each workload is a pure function pixel(workload, k, x, y) built from a few pieces:
 * - a static desktop (flat background with light windows of text on a 256-pixel grid), rendered
 *   once at 3840x2160 and read by every workload;
 * - text: glyph-sized 10x18 cells whose ink is a hash of a glyph number, so text compresses like
 *   text (runs and few colours) without any font;
 * - noise: a hash of (x, y, k), incompressible on purpose.
 */
#include "bench_frames.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { DESK_W = 3840, DESK_H = 2160, CELL_W = 10, CELL_H = 18 };

/* Typing: a terminal window of 160x46 cells; three glyphs typed per frame. */
enum { TERM_X = 160, TERM_Y = 120, TERM_COLS = 160, TERM_ROWS = 46, GLYPHS_PER_FRAME = 3 };
/* Scrolling: a document window whose text moves up three 20-pixel lines per frame. */
enum { DOC_X = 320, DOC_Y = 60, DOC_W = 1280, DOC_H = 960, DOC_LINE = 20, DOC_LINES_PER_FRAME = 3 };
/* Video: a 640x360 region of noise in the middle of the desktop. */
enum { VIDEO_X = 640, VIDEO_Y = 360, VIDEO_W = 640, VIDEO_H = 360 };
/* Motion: the desktop panned by (12, 6) pixels per frame. Drag: an 800x600 window bouncing. */
enum { PAN_X = 12, PAN_Y = 6, WIN_W = 800, WIN_H = 600, WIN_TITLE = 28, DRAG_X = 16, DRAG_Y = 9 };

static const char *const names[BENCH_WORKLOADS] = {"typing", "scrolling", "video", "motion", "drag"};

static uint32_t mix(uint32_t x) {
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}

static uint32_t hash3(uint32_t a, uint32_t b, uint32_t c) {
    return mix(a * 0x9e3779b1U ^ mix(b * 0x85ebca6bU ^ mix(c + 0x27d4eb2fU)));
}

/* Whether pixel (gx, gy) of a 10x18 cell is ink for glyph `glyph` (0: a blank cell). Ink sits in
 * an 8x12 box of 4x4 "strokes" (2x3 pixels each), about 40% of them set. The last glyph's stroke
 * mask is cached per thread: neighbouring pixels mostly belong to the same glyph. */
static int glyph_ink(uint32_t glyph, int gx, int gy) {
    static __thread uint32_t cached_glyph, cached_mask;
    if (glyph == 0 || gx < 1 || gx > 8 || gy < 3 || gy > 14) return 0;
    if (glyph != cached_glyph) {
        cached_glyph = glyph;
        cached_mask = mix(glyph) & (mix(glyph * 3 + 1) | mix(glyph * 5 + 2));
    }
    return cached_mask >> ((gy - 3) / 3 * 4 + (gx - 1) / 2) & 1;
}

/* The length in columns of line `line` of the scrolling document (0: a blank line), cached. */
static int document_line_length(uint32_t line) {
    static __thread uint32_t cached_line = UINT32_MAX;
    static __thread int cached_length;
    if (line != cached_line) {
        cached_line = line;
        cached_length = hash3(line, 1, 1) % 7 == 0 ? 0 : 40 + hash3(line, 2, 2) % 80;
    }
    return cached_length;
}

static uint32_t *desk;
static pthread_once_t desk_once = PTHREAD_ONCE_INIT;

/* The static desktop: on a 256-pixel grid, a third of the cells hold a window (title bar, light
 * body with lines of text); the rest is flat background. */
static void make_desk(void) {
    desk = malloc((size_t)DESK_W * DESK_H * 4);
    if (!desk) abort();
    for (int y = 0; y < DESK_H; y++) {
        for (int x = 0; x < DESK_W; x++) {
            uint32_t cx = x / 256, cy = y / 256;
            int wx = x % 256 - 16, wy = y % 256 - 16;
            uint32_t pixel = 0x2e3440;
            if (hash3(cx, cy, 7) % 3 == 0 && wx >= 0 && wx < 224 && wy >= 0 && wy < 224) {
                if (wy < 20) pixel = 0x4c566a;
                else {
                    int line = (wy - 20) / CELL_H, column = (wx - 8) / CELL_W;
                    uint32_t glyph = wx >= 8 && column < 20 && (int)(hash3(cx, cy, line) % 21) > column ? hash3(cx, cy, line * 64 + column) | 1 : 0;
                    pixel = glyph_ink(glyph, (wx - 8) % CELL_W, (wy - 20) % CELL_H) ? 0x3b4252 : 0xeceff4;
                }
            }
            desk[(size_t)y * DESK_W + x] = pixel;
        }
    }
}

static inline uint32_t desktop(int x, int y) { return desk[(size_t)y * DESK_W + x]; }

/* A triangle wave over [0, span]: positions that bounce instead of jumping back. */
static int bounce(long v, int span) {
    long m = v % (2L * span);
    return (int)(m <= span ? m : 2L * span - m);
}

static bench_rect window_at(long k) {
    bench_rect r = {bounce(100 + DRAG_X * k, DESK_W - WIN_W), bounce(80 + DRAG_Y * k, DESK_H - WIN_H), WIN_W, WIN_H};
    return r;
}

static uint32_t pixel_at(int workload, long k, int x, int y) {
    if (x < BENCH_STAMP_SIDE && y < BENCH_STAMP_SIDE) return 0x800000 | (uint32_t)(k & 0xffff);
    switch (workload) {
    case BENCH_TYPING:
        if (x >= TERM_X && x < TERM_X + TERM_COLS * CELL_W && y >= TERM_Y && y < TERM_Y + TERM_ROWS * CELL_H) {
            long cell = (long)(y - TERM_Y) / CELL_H * TERM_COLS + (x - TERM_X) / CELL_W, typed = GLYPHS_PER_FRAME * k;
            long total = (long)TERM_COLS * TERM_ROWS;
            /* The latest glyph typed into this cell (glyph i goes to cell (i-1) mod total). */
            uint32_t glyph = typed < cell + 1 ? 0 : (uint32_t)(cell + 1 + total * ((typed - cell - 1) / total));
            return glyph_ink(glyph, (x - TERM_X) % CELL_W, (y - TERM_Y) % CELL_H) ? 0xd5c4a1 : 0x1d2021;
        }
        return desktop(x, y);
    case BENCH_SCROLLING:
        if (x >= DOC_X && x < DOC_X + DOC_W && y >= DOC_Y && y < DOC_Y + DOC_H) {
            long doc_y = (long)(y - DOC_Y) + (long)DOC_LINE * DOC_LINES_PER_FRAME * k;
            uint32_t line = (uint32_t)(doc_y / DOC_LINE);
            int column = (x - DOC_X - 40) / CELL_W;
            uint32_t glyph = x >= DOC_X + 40 && column < document_line_length(line) ? (line * 131 + (uint32_t)column) | 1 : 0;
            return glyph_ink(glyph, (x - DOC_X - 40) % CELL_W, (int)(doc_y % DOC_LINE)) ? 0x202020 : 0xfdfdfd;
        }
        return desktop(x, y);
    case BENCH_VIDEO:
        if (x >= VIDEO_X && x < VIDEO_X + VIDEO_W && y >= VIDEO_Y && y < VIDEO_Y + VIDEO_H)
            return hash3((uint32_t)x, (uint32_t)y, (uint32_t)k) & 0xffffff;
        return desktop(x, y);
    case BENCH_MOTION:
        return desktop((int)((x + PAN_X * k) % DESK_W), (int)((y + PAN_Y * k) % DESK_H));
    case BENCH_DRAG: {
        bench_rect w = window_at(k);
        int wx = x - w.x, wy = y - w.y;
        if (wx < 0 || wy < 0 || wx >= w.width || wy >= w.height) return desktop(x, y);
        if (wy < WIN_TITLE) return 0x5e81ac;
        int line = (wy - WIN_TITLE) / CELL_H, column = (wx - 12) / CELL_W;
        uint32_t glyph = wx >= 12 && column < 70 && (int)(mix((uint32_t)line * 7 + 9) % 71) > column ? ((uint32_t)line * 71 + (uint32_t)column) | 1 : 0;
        return glyph_ink(glyph, (wx - 12) % CELL_W, (wy - WIN_TITLE) % CELL_H) ? 0x2e3440 : 0xf5f5f5;
    }
    }
    return 0;
}

int bench_workload_named(const char *name) {
    for (int w = 0; w < BENCH_WORKLOADS; w++) if (strcmp(name, names[w]) == 0) return w;
    return -1;
}

const char *bench_workload_name(int workload) {
    return workload >= 0 && workload < BENCH_WORKLOADS ? names[workload] : "?";
}

void bench_screen_size(int workload, int *width, int *height) {
    *width = workload == BENCH_DRAG ? 3840 : 1920;
    *height = workload == BENCH_DRAG ? 2160 : 1080;
}

int bench_damage(int workload, long k, bench_rect rects[BENCH_MAX_RECTS]) {
    int n = 0, width, height;
    bench_screen_size(workload, &width, &height);
    switch (workload) {
    case BENCH_TYPING:
        for (long i = GLYPHS_PER_FRAME * (k - 1) + 1; i <= GLYPHS_PER_FRAME * k; i++) {
            long cell = (i - 1) % ((long)TERM_COLS * TERM_ROWS);
            rects[n++] = (bench_rect){TERM_X + (int)(cell % TERM_COLS) * CELL_W, TERM_Y + (int)(cell / TERM_COLS) * CELL_H, CELL_W, CELL_H};
        }
        break;
    case BENCH_SCROLLING: rects[n++] = (bench_rect){DOC_X, DOC_Y, DOC_W, DOC_H}; break;
    case BENCH_VIDEO: rects[n++] = (bench_rect){VIDEO_X, VIDEO_Y, VIDEO_W, VIDEO_H}; break;
    case BENCH_MOTION: rects[n++] = (bench_rect){0, 0, width, height}; break;
    case BENCH_DRAG: rects[n++] = window_at(k - 1); rects[n++] = window_at(k); break;
    }
    rects[n++] = (bench_rect){0, 0, BENCH_STAMP_SIDE, BENCH_STAMP_SIDE};
    return n;
}

int bench_move(int workload, long k, bench_rect *from, int *to_x, int *to_y, bench_rect rest[BENCH_MAX_RECTS]) {
    int n = 0, shift = DOC_LINE * DOC_LINES_PER_FRAME;
    switch (workload) {
    case BENCH_SCROLLING:
        /* Document row y of frame k is row y + shift of frame k-1 (pixel_at: doc_y grows by shift). */
        *from = (bench_rect){DOC_X, DOC_Y + shift, DOC_W, DOC_H - shift};
        *to_x = DOC_X; *to_y = DOC_Y;
        rest[n++] = (bench_rect){DOC_X, DOC_Y + DOC_H - shift, DOC_W, shift};
        break;
    case BENCH_DRAG: {
        /* The window's pixels depend only on the position inside it; what the old place keeps
         * outside the new one is desktop again: up to a band above or below and one to a side. */
        bench_rect o = window_at(k - 1), w = window_at(k);
        *from = o; *to_x = w.x; *to_y = w.y;
        if (w.x >= o.x + o.width || o.x >= w.x + w.width || w.y >= o.y + o.height || o.y >= w.y + w.height) {
            rest[n++] = o;
            break;
        }
        if (w.y > o.y) rest[n++] = (bench_rect){o.x, o.y, o.width, w.y - o.y};
        if (w.y < o.y) rest[n++] = (bench_rect){o.x, w.y + w.height, o.width, o.y - w.y};
        int top = o.y > w.y ? o.y : w.y, bottom = o.y + o.height < w.y + w.height ? o.y + o.height : w.y + w.height;
        if (w.x > o.x) rest[n++] = (bench_rect){o.x, top, w.x - o.x, bottom - top};
        if (w.x < o.x) rest[n++] = (bench_rect){w.x + w.width, top, o.x - w.x, bottom - top};
        break;
    }
    default:
        return -1;
    }
    rest[n++] = (bench_rect){0, 0, BENCH_STAMP_SIDE, BENCH_STAMP_SIDE};
    return n;
}

/* Row `y` (screen coordinates), columns x0..x1-1, of frame k of the fast workloads: motion copies
 * the panned desktop (at most two copies where it wraps), drag copies the desktop around the
 * window. Gives the same pixels as pixel_at, which stays the definition; this is only faster. */
static void paint_row_fast(int workload, long k, int y, int x0, int x1, uint32_t *out) {
    if (workload == BENCH_MOTION) {
        const uint32_t *source = desk + (size_t)((y + PAN_Y * k) % DESK_H) * DESK_W;
        int sx = (int)((x0 + PAN_X * k) % DESK_W);
        for (int x = x0; x < x1;) {
            int n = x1 - x < DESK_W - sx ? x1 - x : DESK_W - sx;
            memcpy(out + (x - x0), source + sx, (size_t)n * 4);
            x += n; sx = 0;
        }
        return;
    }
    bench_rect w = window_at(k);
    int in0 = y >= w.y && y < w.y + w.height ? (x0 > w.x ? x0 : w.x) : x1;
    int in1 = y >= w.y && y < w.y + w.height ? (x1 < w.x + w.width ? x1 : w.x + w.width) : x1;
    if (in0 >= in1) { in0 = x1; in1 = x1; }
    memcpy(out, desk + (size_t)y * DESK_W + x0, (size_t)(in0 - x0) * 4);
    int wy = y - w.y, line = (wy - WIN_TITLE) / CELL_H, length = (int)(mix((uint32_t)line * 7 + 9) % 71);
    for (int x = in0; x < in1; x++) {
        int wx = x - w.x, column = (wx - 12) / CELL_W;
        uint32_t glyph = wx >= 12 && column < 70 && length > column ? ((uint32_t)line * 71 + (uint32_t)column) | 1 : 0;
        out[x - x0] = wy < WIN_TITLE ? 0x5e81ac : glyph_ink(glyph, (wx - 12) % CELL_W, (wy - WIN_TITLE) % CELL_H) ? 0x2e3440 : 0xf5f5f5;
    }
    memcpy(out + (in1 - x0), desk + (size_t)y * DESK_W + in1, (size_t)(x1 - in1) * 4);
}

void bench_paint(int workload, long k, bench_rect r, uint32_t *dst, size_t stride) {
    pthread_once(&desk_once, make_desk);
    for (int y = 0; y < r.height; y++) {
        uint32_t *row = dst + (size_t)y * stride;
        if (workload == BENCH_MOTION || workload == BENCH_DRAG) {
            paint_row_fast(workload, k, r.y + y, r.x, r.x + r.width, row);
            /* The stamp is on top of everything. */
            for (int x = r.x; x < r.x + r.width && x < BENCH_STAMP_SIDE && r.y + y < BENCH_STAMP_SIDE; x++)
                row[x - r.x] = pixel_at(workload, k, x, r.y + y);
        } else {
            for (int x = 0; x < r.width; x++) row[x] = pixel_at(workload, k, r.x + x, r.y + y);
        }
    }
}

void bench_paint_since(int workload, long from, long to, uint32_t *screen, size_t stride) {
    if (from < 0 || to - from > 16) {
        int width, height;
        bench_screen_size(workload, &width, &height);
        bench_paint(workload, to, (bench_rect){0, 0, width, height}, screen, stride);
        return;
    }
    /* Frames 1..16's rectangles, each painted once: a rectangle inside one already painted is
     * skipped (scrolling, video and motion damage the same rectangle every frame). */
    bench_rect painted[16 * BENCH_MAX_RECTS], rects[BENCH_MAX_RECTS];
    int count = 0;
    for (long j = from + 1; j <= to; j++) {
        int n = bench_damage(workload, j, rects);
        for (int i = 0; i < n; i++) {
            bench_rect r = rects[i];
            int inside = 0;
            for (int p = 0; p < count && !inside; p++)
                inside = r.x >= painted[p].x && r.y >= painted[p].y && r.x + r.width <= painted[p].x + painted[p].width &&
                         r.y + r.height <= painted[p].y + painted[p].height;
            if (inside) continue;
            bench_paint(workload, to, r, screen + (size_t)r.y * stride + r.x, stride);
            painted[count++] = r;
        }
    }
}

long bench_stamp_value(uint32_t pixel) {
    return (pixel >> 16 & 0xff) == 0x80 ? (long)(pixel & 0xffff) : -1;
}
