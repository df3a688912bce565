/* Replays a ZRLE connection's deflate input through zlib at a chosen level and strategy, and
 * prints the bytes out and the time per chunk (best of REPS replays), so that levels and
 * strategies can be compared on exactly what the server compressed (docs/benchmarks.md, "The
 * fixed cost per commit, measured").
 *
 *   cc -O2 -o zlib-replay bench/zlib-replay.c -lz
 *   ./zlib-replay DUMP LEVEL STRATEGY [REPS]      STRATEGY: 0 default, 4 Z_FIXED (zlib.h)
 *
 * DUMP is a sequence of records: a 4-byte length (host order), one byte (1 for a sync flush,
 * 0 for a partial flush) and that many bytes of input, one record per call of
 * `DeflateStream.compress`. The server has no switch for writing it: a throwaway build that
 * fwrites those three fields at the top of `DeflateStream.compress` makes one. Chunks spliced
 * through libdeflate and the lanes' dictionary restarts are not in it, so it stands for serial
 * zlib streams (typing, the CopyRect workloads' strips), not for the lanes of large updates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

struct chunk { unsigned length; int sync; unsigned char *bytes; };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s DUMP LEVEL STRATEGY [REPS]\n", argv[0]); return 2; }
    FILE *file = fopen(argv[1], "rb");
    if (!file) { perror(argv[1]); return 1; }
    int level = atoi(argv[2]), strategy = atoi(argv[3]), reps = argc > 4 ? atoi(argv[4]) : 20;
    size_t count = 0, capacity = 1024;
    struct chunk *chunks = malloc(capacity * sizeof *chunks);
    if (!chunks) { perror("malloc"); return 1; }
    unsigned length;
    unsigned char flush;
    for (;;) {
        size_t got = fread(&length, 1, 4, file);
        if (got == 0) break;
        if (got != 4 || fread(&flush, 1, 1, file) != 1) { fprintf(stderr, "%s: truncated\n", argv[1]); return 1; }
        if (length > (1u << 30)) { fprintf(stderr, "%s: chunk of %u bytes: not a dump\n", argv[1], length); return 1; }
        if (count == capacity) {
            struct chunk *grown = realloc(chunks, capacity * 2 * sizeof *chunks);
            if (!grown) { perror("realloc"); return 1; }
            chunks = grown;
            capacity *= 2;
        }
        chunks[count] = (struct chunk){length, flush != 0, malloc(length ? length : 1)};
        if (!chunks[count].bytes) { perror("malloc"); return 1; }
        if (length && fread(chunks[count].bytes, 1, length, file) != length) { fprintf(stderr, "%s: truncated\n", argv[1]); return 1; }
        count++;
    }
    static unsigned char out[1 << 20];
    double best = 1e30;
    long in_total = 0, out_total = 0;
    for (int r = 0; r < reps; r++) {
        z_stream stream;
        memset(&stream, 0, sizeof stream);
        if (deflateInit2(&stream, level, Z_DEFLATED, 15, 8, strategy) != Z_OK) { fprintf(stderr, "deflateInit2 failed\n"); return 1; }
        in_total = out_total = 0;
        double start = seconds();
        for (size_t i = 0; i < count; i++) {
            stream.next_in = chunks[i].bytes;
            stream.avail_in = chunks[i].length;
            in_total += chunks[i].length;
            do {
                stream.next_out = out;
                stream.avail_out = sizeof out;
                deflate(&stream, chunks[i].sync ? Z_SYNC_FLUSH : Z_PARTIAL_FLUSH);
                out_total += (long)(sizeof out - stream.avail_out);
            } while (stream.avail_out == 0);
        }
        double elapsed = seconds() - start;
        if (elapsed < best) best = elapsed;
        deflateEnd(&stream);
    }
    printf("level %d strategy %d: chunks %zu in %ld out %ld, %.1f us total, %.2f us/chunk\n",
           level, strategy, count, in_total, out_total, best * 1e6, count ? best * 1e6 / count : 0.0);
    return 0;
}
