/* Replays a ZRLE connection's deflate input through zlib at a chosen level and strategy, and
 * prints the bytes out and the time per chunk (best of REPS replays), so that levels and
 * strategies can be compared on exactly what the server compressed (docs/benchmarks.md, "The
 * fixed cost per commit, measured" and "Serial rectangles spliced").
 *
 *   cc -O2 -o zlib-replay bench/zlib-replay.c -lz -ldeflate
 *   ./zlib-replay DUMP LEVEL STRATEGY [REPS]      STRATEGY: 0 default, 4 Z_FIXED (zlib.h)
 *
 * Two variations, from the environment:
 *   CHAIN=N CHAIN_FROM=B   chunks of B bytes or more search hash chains of at most N
 *                          (deflateTune with the level's other parameters); others the level's own
 *   SPLICE_FROM=B [RESTART=sized]   chunks of B bytes or more go through libdeflate at the same
 *                          level, as `DeflateStream.compressSpliced` splices them: an empty sync
 *                          flush first if the chunk before left bits pending, 5 bytes of closing
 *                          stored block after; the zlib stream then restarts with the last 32 KiB
 *                          as its dictionary, or with `sized`, with 64 bytes of it per byte of the
 *                          next chunk, 4-32 KiB (the server's sized restart when the figures in
 *                          "Serial rectangles spliced" were taken; since then it takes 4-16 KiB).
 *                          The stream is raw deflate then, plus 2 bytes counted for its header.
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
#include <libdeflate.h>

struct chunk { unsigned length; int sync; unsigned char *bytes; };

/* zlib's own parameters per level (deflate.c, configuration_table): good, lazy, nice, chain. */
static const int level_tuning[10][4] = {
    {0, 0, 0, 0}, {4, 4, 8, 4}, {4, 5, 16, 8}, {4, 6, 32, 32}, {4, 4, 16, 16},
    {8, 16, 32, 32}, {8, 16, 128, 128}, {8, 32, 128, 256}, {32, 128, 258, 1024}, {32, 258, 258, 4096}};

static long env_long(const char *name, long fallback) {
    const char *value = getenv(name);
    return value ? atol(value) : fallback;
}

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
    static unsigned char history[32768];
    long chain = env_long("CHAIN", 0), chain_from = env_long("CHAIN_FROM", 0);
    long splice_from = env_long("SPLICE_FROM", -1);
    int sized = getenv("RESTART") && strcmp(getenv("RESTART"), "sized") == 0;
    if (level < 1 || level > 9) { fprintf(stderr, "LEVEL must be 1-9\n"); return 2; }
    struct libdeflate_compressor *splicer = splice_from >= 0 ? libdeflate_alloc_compressor(level) : NULL;
    if (splice_from >= 0 && !splicer) { fprintf(stderr, "libdeflate_alloc_compressor failed\n"); return 1; }
    double best = 1e30;
    long in_total = 0, out_total = 0, spliced = 0;
    for (int r = 0; r < reps; r++) {
        z_stream stream;
        memset(&stream, 0, sizeof stream);
        if (deflateInit2(&stream, level, Z_DEFLATED, splicer ? -15 : 15, 8, strategy) != Z_OK) { fprintf(stderr, "deflateInit2 failed\n"); return 1; }
        in_total = spliced = 0;
        out_total = splicer ? 2 : 0;
        size_t history_count = 0;
        int bits_pending = 0, restart = 0, tuned = 0;
        double start = seconds();
        for (size_t i = 0; i < count; i++) {
            unsigned length = chunks[i].length;
            in_total += length;
            if (splicer && length >= (unsigned long)splice_from) {
                if (bits_pending) {
                    stream.next_in = NULL;
                    stream.avail_in = 0;
                    stream.next_out = out;
                    stream.avail_out = sizeof out;
                    deflate(&stream, Z_SYNC_FLUSH);
                    out_total += (long)(sizeof out - stream.avail_out);
                    bits_pending = 0;
                }
                size_t made = libdeflate_deflate_compress(splicer, chunks[i].bytes, length, out, sizeof out);
                if (!made) { fprintf(stderr, "chunk %zu: libdeflate made nothing\n", i); return 1; }
                out_total += (long)made + 5;
                spliced++;
                restart = 1;
            } else {
                if (restart) {
                    deflateReset(&stream);
                    tuned = 0;
                    size_t take = history_count;
                    if (sized) {
                        size_t want = length < 512 ? length * 64 : 32768;
                        if (want < 4096) want = 4096;
                        if (want < take) take = want;
                    }
                    if (take) deflateSetDictionary(&stream, history + history_count - take, (unsigned)take);
                    restart = 0;
                }
                int want_tuned = chain > 0 && length >= (unsigned long)chain_from;
                if (want_tuned != tuned) {
                    const int *t = level_tuning[level];
                    deflateTune(&stream, t[0], t[1], t[2], want_tuned ? (int)chain : t[3]);
                    tuned = want_tuned;
                }
                stream.next_in = chunks[i].bytes;
                stream.avail_in = length;
                do {
                    stream.next_out = out;
                    stream.avail_out = sizeof out;
                    deflate(&stream, chunks[i].sync ? Z_SYNC_FLUSH : Z_PARTIAL_FLUSH);
                    out_total += (long)(sizeof out - stream.avail_out);
                } while (stream.avail_out == 0);
                bits_pending = !chunks[i].sync;
            }
            if (splicer) {
                /* The stream's last 32 KiB of input, for the restarts. */
                if (length >= sizeof history) {
                    memcpy(history, chunks[i].bytes + length - sizeof history, sizeof history);
                    history_count = sizeof history;
                } else {
                    if (history_count + length > sizeof history) {
                        size_t drop = history_count + length - sizeof history;
                        memmove(history, history + drop, history_count - drop);
                        history_count -= drop;
                    }
                    memcpy(history + history_count, chunks[i].bytes, length);
                    history_count += length;
                }
            }
        }
        double elapsed = seconds() - start;
        if (elapsed < best) best = elapsed;
        deflateEnd(&stream);
    }
    if (splicer) printf("spliced %ld of ", spliced);
    printf("level %d strategy %d: chunks %zu in %ld out %ld, %.1f us total, %.2f us/chunk\n",
           level, strategy, count, in_total, out_total, best * 1e6, count ? best * 1e6 / count : 0.0);
    return 0;
}
