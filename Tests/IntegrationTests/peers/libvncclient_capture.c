/*
 * A one-shot capture through libvncclient (LibVNCServer's client library, written by others).
 *
 * Why it exists: the integration suite must show that a real client decodes ZRLE at 16 bpp
 * RGB565 and at 8 bpp BGR233. vncdotool's ZRLE decoder always reads 3-byte CPIXELs, TigerVNC
 * never asks for 16 bpp and its 8 bpp format is rgb332, and TightVNC's viewer has no ZRLE.
 * libvncclient decodes ZRLE for 8, 16 and 32 bpp in whatever pixel format the client chose, so
 * this driver chooses the format and the single encoding, waits until updates have painted every
 * pixel, and writes libvncclient's own framebuffer bytes, untouched, for the test to read back.
 * (The first update may hold only pseudo-rectangles such as ExtendedDesktopSize, so "the first
 * update" is not "the picture".)
 *
 * Usage: libvncclient_capture HOST PORT FORMAT ENCODING OUTPUT
 *   FORMAT   rgb565 (16 bpp, max 31/63/31, shifts 11/5/0), bgr233 (8 bpp, max 7/7/3,
 *            shifts 0/3/6) or xrgb8888 (32 bpp, shifts 16/8/0); all little-endian.
 *   ENCODING one libvncclient encoding name, e.g. zrle, hextile, rre, raw.
 *   OUTPUT   "LVC1 <width> <height> <bits per pixel>\n" followed by width*height pixels as
 *            libvncclient stored them (little-endian pixel values of FORMAT).
 * Exit status: 0 on success, 1 on a usage error, 2 when the connection or the decoding fails,
 * 3 when the picture is not complete within 60 s.
 */
#include <rfb/rfbclient.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One byte per framebuffer pixel: set once an update rectangle has painted it. */
static unsigned char *painted;
static int paintedWidth, paintedHeight, unpaintedCount, pictureComplete;

static void resetCoverage(rfbClient *client) {
    free(painted);
    paintedWidth = client->width;
    paintedHeight = client->height;
    unpaintedCount = paintedWidth * paintedHeight;
    painted = calloc((size_t)unpaintedCount + 1, 1);
    if (!painted) {
        fprintf(stderr, "cannot allocate the coverage map for %dx%d\n", paintedWidth, paintedHeight);
        exit(2);
    }
}

static void onRectangle(rfbClient *client, int x, int y, int w, int h) {
    if (client->width != paintedWidth || client->height != paintedHeight) resetCoverage(client);
    for (int row = y < 0 ? 0 : y; row < y + h && row < paintedHeight; row++) {
        for (int column = x < 0 ? 0 : x; column < x + w && column < paintedWidth; column++) {
            unsigned char *p = &painted[(size_t)row * paintedWidth + column];
            if (!*p) { *p = 1; unpaintedCount--; }
        }
    }
}

static void onFinishedUpdate(rfbClient *client) {
    if (client->width != paintedWidth || client->height != paintedHeight) resetCoverage(client);
    if (unpaintedCount == 0) pictureComplete = 1;
}

static int chooseFormat(rfbPixelFormat *format, const char *name) {
    memset(format, 0, sizeof *format);
    format->bigEndian = 0;
    format->trueColour = 1;
    if (strcmp(name, "rgb565") == 0) {
        format->bitsPerPixel = 16; format->depth = 16;
        format->redMax = 31; format->greenMax = 63; format->blueMax = 31;
        format->redShift = 11; format->greenShift = 5; format->blueShift = 0;
    } else if (strcmp(name, "bgr233") == 0) {
        format->bitsPerPixel = 8; format->depth = 8;
        format->redMax = 7; format->greenMax = 7; format->blueMax = 3;
        format->redShift = 0; format->greenShift = 3; format->blueShift = 6;
    } else if (strcmp(name, "xrgb8888") == 0) {
        format->bitsPerPixel = 32; format->depth = 24;
        format->redMax = 255; format->greenMax = 255; format->blueMax = 255;
        format->redShift = 16; format->greenShift = 8; format->blueShift = 0;
    } else {
        return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT rgb565|bgr233|xrgb8888 ENCODING OUTPUT\n", argv[0]);
        return 1;
    }
    /* The arguments only size the default format, which chooseFormat replaces. */
    rfbClient *client = rfbGetClient(8, 3, 4);
    if (!chooseFormat(&client->format, argv[3])) {
        fprintf(stderr, "unknown pixel format %s\n", argv[3]);
        return 1;
    }
    client->serverHost = strdup(argv[1]);
    client->serverPort = atoi(argv[2]);
    client->appData.encodingsString = argv[4];
    client->appData.useRemoteCursor = FALSE;
    client->GotFrameBufferUpdate = onRectangle;
    client->FinishedFrameBufferUpdate = onFinishedUpdate;

    /* Connects, reads ServerInit, allocates the framebuffer in client->format, sends
     * SetPixelFormat and SetEncodings, and asks for a full (non-incremental) update. */
    if (!rfbInitClient(client, NULL, NULL)) {
        fprintf(stderr, "libvncclient could not connect to %s:%s\n", argv[1], argv[2]);
        return 2;
    }
    resetCoverage(client);
    time_t deadline = time(NULL) + 60;
    while (!pictureComplete) {
        if (time(NULL) > deadline) {
            fprintf(stderr, "%d pixels still unpainted after 60 s\n", unpaintedCount);
            return 3;
        }
        /* WaitForMessage only selects on the socket, but libvncclient reads greedily into its
         * own buffer: two updates that arrive together (under load, the ExtendedDesktopSize
         * answer and the picture) leave the second one buffered while the socket stays quiet. */
        int ready = client->buffered > 0 ? 1 : WaitForMessage(client, 500000);
        if (ready < 0) {
            fprintf(stderr, "the connection failed while waiting for an update\n");
            return 2;
        }
        if (ready > 0 && !HandleRFBServerMessage(client)) {
            fprintf(stderr, "libvncclient could not decode the server's message\n");
            return 2;
        }
    }

    FILE *output = fopen(argv[5], "wb");
    if (!output) {
        perror(argv[5]);
        return 2;
    }
    size_t bytes = (size_t)client->width * client->height * (client->format.bitsPerPixel / 8);
    fprintf(output, "LVC1 %d %d %d\n", client->width, client->height, client->format.bitsPerPixel);
    if (fwrite(client->frameBuffer, 1, bytes, output) != bytes || fclose(output) != 0) {
        perror(argv[5]);
        return 2;
    }
    rfbClientCleanup(client);
    return 0;
}
