/* test_journal — the durable journal: what is appended and synced survives
 * close, reopen and kill -9 with its exact bytes; acks survive and free
 * segments; a torn tail is cut and logged while damage anywhere else is an
 * error naming file and offset; one process at a time.
 *
 * With LT_BENCH=1 the program runs the journal benchmark instead of the tests:
 * appends/s with one fdatasync per batch of 1, 16 and 256 entries, next to the
 * raw write+fdatasync rate of the same disk measured in the same run
 * (LT_BENCH_DIR picks the directory, default /tmp). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"
#include "core/log.h"
#include "journal/journal.h"

#define MAXP 256 /* largest test payload */

/* ---- helpers ------------------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The payload of seq: 16..215 bytes, a pure function of seq, so whoever
 * reads the journal can check every entry without being told. */
static size_t payload_for(uint64_t seq, uint8_t out[MAXP])
{
    uint64_t st = seq * 0x2545f4914f6cdd1dull;
    size_t len = 16 + (size_t)(splitmix(&st) % 200);
    for (size_t i = 0; i < len; i += 8) {
        uint64_t v = splitmix(&st);
        for (size_t k = 0; k < 8 && i + k < len; k++)
            out[i + k] = (uint8_t)(v >> (8 * k));
    }
    memcpy(out, &seq, sizeof seq); /* and it names its seq */
    return len;
}

static int payload_ok(uint64_t seq, const void *p, size_t len)
{
    uint8_t want[MAXP];
    size_t n = payload_for(seq, want);
    return n == len && memcmp(want, p, n) == 0;
}

static void append_seq(struct lt_journal *j, uint64_t seq)
{
    uint8_t p[MAXP];
    char err[256] = "";
    size_t n = payload_for(seq, p);
    int rc = lt_journal_append(j, seq, p, n, err, sizeof err);
    if (rc != LT_OK)
        print_error("append %" PRIu64 ": %s\n", seq, err);
    assert_int_equal(rc, LT_OK);
}

static void sync_ok(struct lt_journal *j)
{
    char err[256] = "";
    int rc = lt_journal_sync(j, err, sizeof err);
    if (rc != LT_OK)
        print_error("sync: %s\n", err);
    assert_int_equal(rc, LT_OK);
}

static struct lt_journal *open_ok(const char *dir, uint64_t max_pending, uint64_t seg_bytes)
{
    struct lt_journal_limits lim = { max_pending, seg_bytes };
    struct lt_journal *j = NULL;
    char err[512] = "";
    int rc = lt_journal_open(dir, &lim, &j, err, sizeof err);
    if (rc != LT_OK)
        print_error("open %s: %s\n", dir, err);
    assert_int_equal(rc, LT_OK);
    assert_non_null(j);
    return j;
}

/* A fresh temporary directory; the journal goes in <tmp>/j. */
struct tdir {
    char root[64];
    char dir[80];
};

static void tdir_new(struct tdir *t)
{
    snprintf(t->root, sizeof t->root, "/tmp/lt_journal_test_XXXXXX");
    assert_non_null(mkdtemp(t->root));
    snprintf(t->dir, sizeof t->dir, "%s/j", t->root);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void tdir_free(struct tdir *t)
{
    assert_int_equal(nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Segment files of dir, sorted (their names sort by first seq). */
struct seglist {
    size_t n;
    uint64_t first[4096];
    uint64_t size[4096];
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void list_segs(const char *dir, struct seglist *l)
{
    DIR *d = opendir(dir);
    l->n = 0;
    if (!d && errno == ENOENT)
        return; /* not created yet (a crash child killed at once) */
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t f;
        if (sscanf(de->d_name, "seg-%20" SCNu64 ".ltj", &f) == 1) {
            assert_true(l->n < 4096);
            l->first[l->n++] = f;
        }
    }
    closedir(d);
    qsort(l->first, l->n, sizeof l->first[0], cmp_u64);
    for (size_t i = 0; i < l->n; i++) {
        char p[256];
        struct stat st;
        snprintf(p, sizeof p, "%s/seg-%020" PRIu64 ".ltj", dir, l->first[i]);
        assert_int_equal(stat(p, &st), 0);
        l->size[i] = (uint64_t)st.st_size;
    }
}

static void seg_path(char *out, size_t cap, const char *dir, uint64_t first)
{
    snprintf(out, cap, "%s/seg-%020" PRIu64 ".ltj", dir, first);
}

/* Whole file into memory (caller frees). */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void spit(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* What foreach / foreach_pending saw. */
struct seen {
    size_t n;
    uint64_t seq[65536];
    int acked[65536];
    int bad_payload;
    int disorder;
    size_t stop_after;
};

static int see_pending(uint64_t seq, const void *p, size_t len, void *arg)
{
    struct seen *s = arg;
    if (!payload_ok(seq, p, len))
        s->bad_payload++;
    if (s->n && s->seq[s->n - 1] >= seq)
        s->disorder++;
    assert_true(s->n < 65536);
    s->acked[s->n] = 0;
    s->seq[s->n++] = seq;
    return s->stop_after && s->n >= s->stop_after;
}

static int see_all(uint64_t seq, const void *p, size_t len, int acked, void *arg)
{
    struct seen *s = arg;
    int stop = see_pending(seq, p, len, arg);
    s->acked[s->n - 1] = acked;
    return stop;
}

static struct seen *seen_pending(struct lt_journal *j)
{
    struct seen *s = calloc(1, sizeof *s);
    char err[512] = "";
    int rc = lt_journal_foreach_pending(j, see_pending, s, err, sizeof err);
    if (rc != LT_OK)
        print_error("foreach_pending: %s\n", err);
    assert_int_equal(rc, LT_OK);
    assert_int_equal(s->bad_payload, 0);
    assert_int_equal(s->disorder, 0);
    return s;
}

static struct seen *seen_all(struct lt_journal *j)
{
    struct seen *s = calloc(1, sizeof *s);
    char err[512] = "";
    int rc = lt_journal_foreach(j, see_all, s, err, sizeof err);
    if (rc != LT_OK)
        print_error("foreach: %s\n", err);
    assert_int_equal(rc, LT_OK);
    assert_int_equal(s->bad_payload, 0);
    assert_int_equal(s->disorder, 0);
    return s;
}

/* The pending set equals exactly the seqs in 1..last with acked[seq] == 0,
 * and the counters agree. */
static void check_pending(struct lt_journal *j, const unsigned char *acked, uint64_t last)
{
    struct seen *s = seen_pending(j);
    size_t k = 0;
    uint64_t bytes = 0;
    for (uint64_t q = 1; q <= last; q++) {
        if (acked[q])
            continue;
        assert_true(k < s->n);
        assert_int_equal(s->seq[k], q);
        uint8_t p[MAXP];
        bytes += payload_for(q, p);
        k++;
    }
    assert_int_equal(k, s->n);
    assert_int_equal(lt_journal_pending_count(j), k);
    assert_int_equal(lt_journal_pending_bytes(j), bytes);
    free(s);
}

static void check_last(struct lt_journal *j, uint64_t last)
{
    const void *p = (const void *)1;
    size_t len = 99;
    assert_int_equal(lt_journal_last_seq(j), last);
    assert_int_equal(lt_journal_last(j, &p, &len), LT_OK);
    if (!last) {
        assert_null(p);
        assert_int_equal(len, 0);
    } else {
        assert_true(payload_ok(last, p, len));
    }
}

/* Runs fn with stderr going into a buffer (for checking log lines). */
static void capture_stderr(char *buf, size_t cap, void (*fn)(void *), void *arg)
{
    fflush(stderr);
    int saved = dup(2);
    char path[] = "/tmp/lt_journal_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, buf, cap - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    fputs(buf, stderr); /* still shown */
}

/* ---- basics ------------------------------------------------------------- */

static void empty_journal(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    struct stat sb;
    assert_int_equal(stat(t.dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    check_last(j, 0);
    assert_int_equal(lt_journal_pending_count(j), 0);
    assert_int_equal(lt_journal_pending_bytes(j), 0);
    assert_int_equal(lt_journal_durable_seq(j), 0);
    sync_ok(j);
    free(seen_all(j));
    assert_int_equal(lt_journal_ack(j, 1), LT_ERR_INVALID);
    lt_journal_close(j);
    lt_journal_close(NULL);
    j = open_ok(t.dir, 0, 0);
    check_last(j, 0);
    lt_journal_close(j);

    char err[128];
    struct lt_journal *j2 = (struct lt_journal *)1;
    assert_int_equal(lt_journal_open("", NULL, &j2, err, sizeof err), LT_ERR_INVALID);
    assert_null(j2);
    assert_int_equal(lt_journal_open("/nonexistent-lt/x/y", NULL, &j2, err, sizeof err),
                     LT_ERR_IO);
    assert_non_null(strstr(err, "/nonexistent-lt/x/y"));
    tdir_free(&t);
}

/* The on-disk format, byte for byte (the comment at the top of journal.c). */
static void record_format(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    char err[256];
    assert_int_equal(lt_journal_append(j, 1, "abc", 3, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_ack(j, 1), LT_OK);
    lt_journal_close(j);

    char path[256];
    seg_path(path, sizeof path, t.dir, 1);
    assert_non_null(strstr(path, "/seg-00000000000000000001.ltj"));
    size_t n;
    uint8_t *b = slurp(path, &n);
    assert_int_equal(n, 36 + 3 + 36 + 8);

    uint8_t want[36 + 3 + 36 + 8] = { 'L', 'T', 'J', 'R', 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                                      3, 0, 0, 0 };
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 16);
    crypto_generichash_update(&h, want, 20);
    crypto_generichash_update(&h, (const uint8_t *)"abc", 3);
    crypto_generichash_final(&h, want + 20, 16);
    memcpy(want + 36, "abc", 3);
    uint8_t *a = want + 39;
    const uint8_t ahdr[20] = { 'L', 'T', 'J', 'R', 1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                               8, 0, 0, 0 };
    memcpy(a, ahdr, 20);
    const uint8_t count[8] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    crypto_generichash_init(&h, NULL, 0, 16);
    crypto_generichash_update(&h, a, 20);
    crypto_generichash_update(&h, count, 8);
    crypto_generichash_final(&h, a + 20, 16);
    memcpy(a + 36, count, 8);
    assert_memory_equal(b, want, sizeof want);
    /* Known answer for the entry's checksum (computed independently with
     * Python's hashlib.blake2b(digest_size=16)): the format must not drift. */
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[20 + i]);
    assert_string_equal(hex, "b03ee71c18240142a3b606203e4a05b8");
    free(b);
    tdir_free(&t);
}

static void append_sync_reopen(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    unsigned char acked[402] = { 0 };
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    for (uint64_t q = 1; q <= 200; q++)
        append_seq(j, q);
    assert_int_equal(lt_journal_durable_seq(j), 0);
    sync_ok(j);
    assert_int_equal(lt_journal_durable_seq(j), 200);
    check_last(j, 200);
    for (uint64_t q = 1; q <= 50; q++) {
        assert_int_equal(lt_journal_ack(j, q), LT_OK);
        acked[q] = 1;
    }
    for (uint64_t q = 77; q <= 200; q += 13) {
        assert_int_equal(lt_journal_ack(j, q), LT_OK);
        acked[q] = 1;
    }
    check_pending(j, acked, 200);
    lt_journal_close(j); /* acks are not synced by anyone but close */

    j = open_ok(t.dir, 0, 0);
    check_last(j, 200);
    assert_int_equal(lt_journal_durable_seq(j), 200);
    check_pending(j, acked, 200);
    struct seen *s = seen_all(j);
    assert_int_equal(s->n, 200);
    for (size_t i = 0; i < s->n; i++) {
        assert_int_equal(s->seq[i], i + 1);
        assert_int_equal(s->acked[i], acked[i + 1]);
    }
    free(s);
    /* Appending continues where it stopped, and not elsewhere. */
    char err[256];
    assert_int_equal(lt_journal_append(j, 200, "x", 1, err, sizeof err), LT_ERR_INVALID);
    for (uint64_t q = 201; q <= 400; q++)
        append_seq(j, q);
    sync_ok(j);
    check_last(j, 400);
    check_pending(j, acked, 400);
    lt_journal_close(j);
    j = open_ok(t.dir, 0, 0);
    check_last(j, 400);
    check_pending(j, acked, 400);
    lt_journal_close(j);
    tdir_free(&t);
}

static void gapless_seq(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    char err[256];
    assert_int_equal(lt_journal_append(j, 0, "a", 1, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_journal_append(j, 2, "a", 1, err, sizeof err), LT_ERR_INVALID);
    assert_non_null(strstr(err, "next seq is 1"));
    assert_int_equal(lt_journal_append(j, 1, "a", 1, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 1, "a", 1, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_journal_append(j, 3, "a", 1, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_journal_append(j, 2, "", 0, err, sizeof err), LT_OK); /* empty payload */
    assert_int_equal(lt_journal_last_seq(j), 2);
    const void *p;
    size_t len = 9;
    assert_int_equal(lt_journal_last(j, &p, &len), LT_OK);
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_int_equal(lt_journal_ack(j, 0), LT_ERR_INVALID);
    assert_int_equal(lt_journal_ack(j, 3), LT_ERR_INVALID);
    assert_int_equal(lt_journal_ack(j, 1), LT_OK);
    assert_int_equal(lt_journal_ack(j, 1), LT_OK); /* twice is fine */
    assert_int_equal(lt_journal_pending_count(j), 1);
    assert_int_equal(lt_journal_pending_bytes(j), 0);
    lt_journal_close(j);
    tdir_free(&t);
}

static void max_pending_bytes(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 1000, 0);
    static uint8_t big[LT_JOURNAL_MAX_PAYLOAD + 1];
    uint8_t p[300];
    memset(p, 'p', sizeof p);
    char err[256] = "";
    for (uint64_t q = 1; q <= 3; q++)
        assert_int_equal(lt_journal_append(j, q, p, sizeof p, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 4, p, sizeof p, err, sizeof err), LT_JOURNAL_FULL);
    assert_non_null(strstr(err, "full"));
    assert_string_equal(lt_journal_err_name(LT_JOURNAL_FULL), "journal_full");
    assert_string_equal(lt_journal_err_name(LT_ERR_IO), "io");
    assert_int_equal(lt_journal_last_seq(j), 3);
    /* Exactly up to the limit is allowed. */
    assert_int_equal(lt_journal_append(j, 4, p, 100, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 5, p, 1, err, sizeof err), LT_JOURNAL_FULL);
    /* Bigger than the whole limit can never fit: invalid, not "full". */
    assert_int_equal(lt_journal_append(j, 5, big, 1001, err, sizeof err), LT_ERR_INVALID);
    sync_ok(j);
    lt_journal_close(j);

    /* The pending bytes are rebuilt at open, so the limit still holds... */
    j = open_ok(t.dir, 1000, 0);
    assert_int_equal(lt_journal_pending_bytes(j), 1000);
    assert_int_equal(lt_journal_append(j, 5, p, 1, err, sizeof err), LT_JOURNAL_FULL);
    /* ...until acks free room. */
    assert_int_equal(lt_journal_ack(j, 2), LT_OK);
    assert_int_equal(lt_journal_append(j, 5, p, 300, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 6, p, 1, err, sizeof err), LT_JOURNAL_FULL);
    assert_int_equal(lt_journal_ack(j, 2), LT_OK); /* a double ack frees nothing */
    assert_int_equal(lt_journal_append(j, 6, p, 1, err, sizeof err), LT_JOURNAL_FULL);
    assert_int_equal(lt_journal_ack(j, 5), LT_OK);
    assert_int_equal(lt_journal_append(j, 6, p, 1, err, sizeof err), LT_OK);
    lt_journal_close(j);

    /* Without a limit, only the 16 MiB entry cap applies. */
    j = open_ok(t.dir, 0, 0);
    assert_int_equal(lt_journal_append(j, 7, big, sizeof big, err, sizeof err), LT_ERR_INVALID);
    assert_int_equal(lt_journal_append(j, 7, big, sizeof big - 1, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_last_seq(j), 7);
    lt_journal_close(j);
    j = open_ok(t.dir, 0, 0);
    const void *lp;
    size_t ll;
    assert_int_equal(lt_journal_last(j, &lp, &ll), LT_OK);
    assert_int_equal(ll, LT_JOURNAL_MAX_PAYLOAD);
    lt_journal_close(j);
    tdir_free(&t);
}

/* ---- segments ----------------------------------------------------------- */

/* Every file but the newest either holds a pending entry or is an empty
 * tombstone; tombstones never come first and never two in a row. */
static void check_files(const char *dir, const unsigned char *acked, uint64_t last)
{
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(dir, l);
    assert_true(l->n >= 1);
    assert_true(l->first[l->n - 1] <= last);
    assert_true(l->size[l->n - 1] > 0);
    for (size_t i = 0; i + 1 < l->n; i++) {
        int pending = 0;
        for (uint64_t q = l->first[i]; q < l->first[i + 1]; q++)
            pending |= !acked[q];
        if (l->size[i] == 0) {
            assert_int_equal(pending, 0);
            assert_true(i > 0);
            assert_true(l->size[i - 1] > 0);
        } else {
            assert_int_equal(pending, 1);
        }
    }
    free(l);
}

static void segments_roll_and_go_in_order(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    unsigned char acked[202] = { 0 };
    struct lt_journal *j = open_ok(t.dir, 0, 1024);
    for (uint64_t q = 1; q <= 100; q++) {
        append_seq(j, q);
        if (q % 7 == 0)
            sync_ok(j);
    }
    sync_ok(j);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t.dir, l);
    size_t nfiles = l->n;
    assert_true(nfiles >= 8);
    assert_int_equal(l->first[0], 1);
    /* Acks in order empty the files from the front. */
    for (uint64_t q = 1; q <= 100; q++) {
        assert_int_equal(lt_journal_ack(j, q), LT_OK);
        acked[q] = 1;
        if (q % 10 == 0)
            check_files(t.dir, acked, 100);
    }
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1); /* the newest stays, with the chain head */
    check_last(j, 100);
    check_pending(j, acked, 100);
    lt_journal_close(j);
    j = open_ok(t.dir, 0, 1024);
    check_last(j, 100);
    check_pending(j, acked, 100);
    struct seen *s = seen_all(j);
    assert_true(s->n >= 1);
    assert_int_equal(s->seq[s->n - 1], 100);
    for (size_t i = 0; i < s->n; i++)
        assert_int_equal(s->acked[i], 1);
    free(s);
    for (uint64_t q = 101; q <= 200; q++)
        append_seq(j, q);
    sync_ok(j);
    check_pending(j, acked, 200);
    lt_journal_close(j);
    free(l);
    tdir_free(&t);
}

/* A fully acked segment is kept until a later segment holds a synced entry:
 * the chain head must survive a power cut at any moment. */
static void head_segment_waits_for_sync(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 512);
    struct seglist *l = calloc(1, sizeof *l);
    for (uint64_t q = 1; q <= 30; q++)
        append_seq(j, q);
    for (uint64_t q = 1; q <= 30; q++)
        assert_int_equal(lt_journal_ack(j, q), LT_OK);
    list_segs(t.dir, l);
    size_t before = l->n;
    assert_true(before > 2); /* nothing synced yet: nothing may go */
    sync_ok(j);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1);
    check_last(j, 30);
    lt_journal_close(j);
    free(l);
    tdir_free(&t);
}

static void acks_random_order(void **st)
{
    (void)st;
    enum { N = 1500 };
    struct tdir t;
    tdir_new(&t);
    static unsigned char acked[N + 1];
    memset(acked, 0, sizeof acked);
    struct lt_journal *j = open_ok(t.dir, 0, 2048);
    for (uint64_t q = 1; q <= N; q++) {
        append_seq(j, q);
        if (q % 50 == 0)
            sync_ok(j);
    }
    sync_ok(j);
    static uint64_t order[N];
    for (uint64_t i = 0; i < N; i++)
        order[i] = i + 1;
    uint64_t rng = 42;
    for (size_t i = N - 1; i > 0; i--) {
        size_t k = (size_t)(splitmix(&rng) % (i + 1));
        uint64_t tmp = order[i];
        order[i] = order[k];
        order[k] = tmp;
    }
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t.dir, l);
    assert_true(l->n > 50);
    int saw_tomb = 0;
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(lt_journal_ack(j, order[i]), LT_OK);
        acked[order[i]] = 1;
        if (splitmix(&rng) % 4 == 0) { /* a repeat of an earlier ack */
            uint64_t again = order[splitmix(&rng) % (i + 1)];
            assert_int_equal(lt_journal_ack(j, again), LT_OK);
        }
        if (i % 100 == 99) {
            check_files(t.dir, acked, N);
            list_segs(t.dir, l);
            for (size_t k = 0; k < l->n; k++)
                saw_tomb |= l->size[k] == 0;
        }
        if (i == 300 || i == 800 || i == 1400) {
            /* Acks survive a clean close; the pending set is rebuilt exactly. */
            check_pending(j, acked, N);
            lt_journal_close(j);
            j = open_ok(t.dir, 0, 2048);
            check_last(j, N);
            check_pending(j, acked, N);
            check_files(t.dir, acked, N);
        }
    }
    assert_true(saw_tomb); /* middle segments were emptied before older ones */
    check_pending(j, acked, N);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1);
    check_last(j, N);
    lt_journal_close(j);
    j = open_ok(t.dir, 0, 2048);
    assert_int_equal(lt_journal_pending_count(j), 0);
    check_last(j, N);
    lt_journal_close(j);
    free(l);
    tdir_free(&t);
}

static int stop_cb(uint64_t seq, const void *p, size_t len, void *arg)
{
    (void)p;
    (void)len;
    struct seen *s = arg;
    s->seq[s->n++] = seq;
    return s->n == 3;
}

struct acker_ctx {
    struct lt_journal *j;
    size_t n;
};

static int acker(uint64_t seq, const void *p, size_t len, void *arg)
{
    struct acker_ctx *c = arg;
    assert_true(payload_ok(seq, p, len));
    assert_int_equal(lt_journal_ack(c->j, seq), LT_OK);
    c->n++;
    return 0;
}

static void foreach_stops_and_acks_inside(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 300);
    for (uint64_t q = 1; q <= 40; q++)
        append_seq(j, q);
    sync_ok(j);
    struct seen *s = calloc(1, sizeof *s);
    char err[256];
    assert_int_equal(lt_journal_foreach_pending(j, stop_cb, s, err, sizeof err), LT_OK);
    assert_int_equal(s->n, 3);
    assert_int_equal(s->seq[2], 3);
    free(s);
    /* A callback may ack what it is shown (the lock is not held), which
     * deletes segments under the walk. */
    struct acker_ctx c = { j, 0 };
    assert_int_equal(lt_journal_foreach_pending(j, acker, &c, err, sizeof err), LT_OK);
    assert_int_equal(c.n, 40);
    assert_int_equal(lt_journal_pending_count(j), 0);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1);
    free(l);
    lt_journal_close(j);
    tdir_free(&t);
}

static int collect_seq(uint64_t seq, const void *p, size_t len, void *arg)
{
    (void)p;
    (void)len;
    struct seen *s = arg;
    s->seq[s->n++] = seq;
    return 0;
}

/* Emptying a middle segment must not lose the acks it holds for entries of
 * older segments: they are written again to the newest one. */
static void tombstone_keeps_older_acks(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    uint8_t p[100];
    memset(p, 'x', sizeof p);
    char err[256];
    /* Records of 136 bytes, acks of 44: two entries per 250-byte segment. */
    struct lt_journal *j = open_ok(t.dir, 0, 250);
    for (uint64_t q = 1; q <= 2; q++)
        assert_int_equal(lt_journal_append(j, q, p, sizeof p, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 3, p, sizeof p, err, sizeof err), LT_OK); /* seg 3 */
    assert_int_equal(lt_journal_ack(j, 2), LT_OK); /* recorded in seg 3 */
    assert_int_equal(lt_journal_append(j, 4, p, sizeof p, err, sizeof err), LT_OK);
    assert_int_equal(lt_journal_append(j, 5, p, sizeof p, err, sizeof err), LT_OK); /* seg 5 */
    sync_ok(j);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 3);
    assert_int_equal(l->first[1], 3);
    assert_int_equal(l->first[2], 5);
    assert_int_equal(lt_journal_ack(j, 3), LT_OK);
    assert_int_equal(lt_journal_ack(j, 4), LT_OK); /* seg 3 all acked, seg 1 not: emptied */
    list_segs(t.dir, l);
    assert_int_equal(l->n, 3);
    assert_int_equal(l->size[1], 0);
    lt_journal_close(j);

    j = open_ok(t.dir, 0, 250);
    struct seen *s = calloc(1, sizeof *s);
    assert_int_equal(lt_journal_foreach_pending(j, collect_seq, s, err, sizeof err), LT_OK);
    assert_int_equal(s->n, 2); /* 1 and 5: the ack of 2 survived */
    assert_int_equal(s->seq[0], 1);
    assert_int_equal(s->seq[1], 5);
    assert_int_equal(lt_journal_pending_count(j), 2);
    assert_int_equal(lt_journal_pending_bytes(j), 200);
    /* Once 1 goes too, the tombstone and seg 1 go, oldest first. */
    assert_int_equal(lt_journal_ack(j, 1), LT_OK);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->first[0], 5);
    lt_journal_close(j);
    free(s);
    free(l);
    tdir_free(&t);
}

/* ---- torn tails and damage ---------------------------------------------- */

struct open_args {
    const char *dir;
    struct lt_journal *j;
    int rc;
    char err[512];
};

static void do_open(void *arg)
{
    struct open_args *a = arg;
    a->rc = lt_journal_open(a->dir, NULL, &a->j, a->err, sizeof a->err);
}

/* Builds dir with entries 1..n in one segment; returns the segment's bytes
 * and the offset of entry n's record. */
static uint8_t *build_single(const char *dir, uint64_t n, size_t *len, size_t *last_off)
{
    struct lt_journal *j = open_ok(dir, 0, 0);
    for (uint64_t q = 1; q <= n; q++)
        append_seq(j, q);
    lt_journal_close(j);
    char path[256];
    seg_path(path, sizeof path, dir, 1);
    uint8_t *b = slurp(path, len);
    uint8_t p[MAXP];
    *last_off = *len - (36 + payload_for(n, p));
    return b;
}

static void torn_tail_every_cut(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    size_t len, off;
    uint8_t *b = build_single(t.dir, 20, &len, &off);
    char path[256];
    seg_path(path, sizeof path, t.dir, 1);
    unsigned char acked[21] = { 0 };
    /* Cut the last record at every byte: recovery drops exactly it. */
    for (size_t cut = off + 1; cut < len; cut++) {
        spit(path, b, cut);
        struct lt_journal *j = open_ok(t.dir, 0, 0);
        check_last(j, 19);
        struct stat sb;
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal((size_t)sb.st_size, off);
        if (cut % 16 == 0) {
            check_pending(j, acked, 19);
            append_seq(j, 20); /* and the journal goes on */
            sync_ok(j);
            check_last(j, 20);
        }
        lt_journal_close(j);
    }
    /* Flip each byte of the last record in turn: the same. */
    for (size_t at = off; at < len; at++) {
        uint8_t *c = malloc(len);
        memcpy(c, b, len);
        c[at] ^= 0x20;
        spit(path, c, len);
        free(c);
        struct lt_journal *j = open_ok(t.dir, 0, 0);
        check_last(j, 19);
        lt_journal_close(j);
    }
    /* Garbage after the last record (a zero-filled tail) is cut too. */
    uint8_t *z = calloc(1, len + 4096);
    memcpy(z, b, len);
    spit(path, z, len + 4096);
    free(z);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    check_last(j, 20);
    lt_journal_close(j);
    /* And it is logged, naming the file and the offset. */
    spit(path, b, len - 5);
    char logbuf[8192];
    struct open_args a = { .dir = t.dir };
    capture_stderr(logbuf, sizeof logbuf, do_open, &a);
    assert_int_equal(a.rc, LT_OK);
    char want[64];
    snprintf(want, sizeof want, "offset %zu", off);
    assert_non_null(strstr(logbuf, "torn tail"));
    assert_non_null(strstr(logbuf, "seg-00000000000000000001.ltj"));
    assert_non_null(strstr(logbuf, want));
    assert_non_null(strstr(logbuf, "\"level\":\"warn\""));
    check_last(a.j, 19);
    lt_journal_close(a.j);
    free(b);
    tdir_free(&t);
}

/* The torn record can be an ack (the entry comes back as pending) or the
 * only entry of a just-created segment (the file goes, the head is the
 * previous segment's last entry). */
static void torn_tail_ack_and_new_segment(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    for (uint64_t q = 1; q <= 5; q++)
        append_seq(j, q);
    assert_int_equal(lt_journal_ack(j, 2), LT_OK);
    assert_int_equal(lt_journal_ack(j, 3), LT_OK);
    lt_journal_close(j);
    char path[256];
    seg_path(path, sizeof path, t.dir, 1);
    size_t len;
    uint8_t *b = slurp(path, &len);
    spit(path, b, len - 10); /* the ack of 3, torn */
    free(b);
    j = open_ok(t.dir, 0, 0);
    unsigned char acked[6] = { 0, 0, 1, 0, 0, 0 };
    check_pending(j, acked, 5);
    lt_journal_close(j);

    /* Segments of ~1 entry; tear the newest's only record. */
    struct tdir t2;
    tdir_new(&t2);
    j = open_ok(t2.dir, 0, 1); /* every entry in a segment of its own */
    for (uint64_t q = 1; q <= 6; q++)
        append_seq(j, q);
    sync_ok(j);
    lt_journal_close(j);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t2.dir, l);
    assert_int_equal(l->n, 6);
    seg_path(path, sizeof path, t2.dir, 6);
    b = slurp(path, &len);
    spit(path, b, 7);
    free(b);
    j = open_ok(t2.dir, 0, 1);
    check_last(j, 5);
    list_segs(t2.dir, l);
    assert_int_equal(l->n, 5);
    append_seq(j, 6);
    sync_ok(j);
    lt_journal_close(j);
    /* A crash right after creating a segment leaves it empty: removed. */
    seg_path(path, sizeof path, t2.dir, 7);
    spit(path, (const uint8_t *)"", 0);
    j = open_ok(t2.dir, 0, 1);
    check_last(j, 6);
    append_seq(j, 7);
    lt_journal_close(j);
    free(l);
    tdir_free(&t2);
    tdir_free(&t);
}

static void expect_open_error(const char *dir, const char *file, long off, const char *what)
{
    struct lt_journal *j = (struct lt_journal *)1;
    char err[512] = "";
    int rc = lt_journal_open(dir, NULL, &j, err, sizeof err);
    print_message("    expected error: %s\n", err);
    assert_int_equal(rc, LT_ERR_IO);
    assert_null(j);
    assert_non_null(strstr(err, file));
    if (off >= 0) {
        char want[64];
        snprintf(want, sizeof want, "offset %ld", off);
        assert_non_null(strstr(err, want));
    }
    if (what)
        assert_non_null(strstr(err, what));
}

static void damage_is_an_error(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    size_t len, off;
    uint8_t *b = build_single(t.dir, 20, &len, &off);
    char path[256];
    seg_path(path, sizeof path, t.dir, 1);
    const char *file = "seg-00000000000000000001.ltj";
    /* Offset of entry 10's record. */
    size_t off10 = 0;
    for (uint64_t q = 1; q < 10; q++) {
        uint8_t p[MAXP];
        off10 += 36 + payload_for(q, p);
    }
    uint8_t *c = malloc(len);
    uint8_t p10[MAXP];
    size_t l10 = 36 + payload_for(10, p10);
    size_t flips[] = { 0, 5, 9, 17, 25, 36, l10 - 1 }; /* magic, type, seq, len, check, payload */
    for (size_t k = 0; k < sizeof flips / sizeof flips[0]; k++) {
        memcpy(c, b, len);
        c[off10 + flips[k]] ^= 0x01;
        spit(path, c, len);
        expect_open_error(t.dir, file, (long)off10, "damage");
        struct stat sb; /* nothing was cut */
        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal((size_t)sb.st_size, len);
    }
    /* Record 10 cut out entirely: 11 arrives where 10 was expected. */
    memcpy(c, b, off10);
    memcpy(c + off10, b + off10 + l10, len - off10 - l10);
    spit(path, c, len - l10);
    expect_open_error(t.dir, file, (long)off10, "expected");
    free(c);
    free(b);

    /* In an older segment even the last record is damage, not a torn tail. */
    struct tdir t2;
    tdir_new(&t2);
    struct lt_journal *j = open_ok(t2.dir, 0, 1000);
    for (uint64_t q = 1; q <= 40; q++)
        append_seq(j, q);
    sync_ok(j);
    lt_journal_close(j);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t2.dir, l);
    assert_true(l->n >= 3);
    seg_path(path, sizeof path, t2.dir, l->first[1]);
    b = slurp(path, &len);
    uint8_t lp[MAXP];
    size_t lastoff = len - (36 + payload_for(l->first[2] - 1, lp));
    b[len - 1] ^= 0x80;
    spit(path, b, len);
    char fname[64];
    snprintf(fname, sizeof fname, "seg-%020" PRIu64 ".ltj", l->first[1]);
    expect_open_error(t2.dir, fname, (long)lastoff, "not the newest");
    b[len - 1] ^= 0x80;
    spit(path, b, lastoff); /* its last entry missing */
    expect_open_error(t2.dir, fname, -1, "missing");
    spit(path, b, len);
    free(b);
    j = open_ok(t2.dir, 0, 1000); /* repaired: fine again */
    lt_journal_close(j);
    /* A whole segment file gone from the middle. */
    seg_path(path, sizeof path, t2.dir, l->first[1]);
    unlink(path);
    snprintf(fname, sizeof fname, "seg-%020" PRIu64 ".ltj", l->first[0]);
    expect_open_error(t2.dir, fname, -1, "missing");
    free(l);
    tdir_free(&t2);
    tdir_free(&t);
}

/* ---- lock --------------------------------------------------------------- */

static void second_open_refused(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct lt_journal *j = open_ok(t.dir, 0, 0);
    append_seq(j, 1);
    struct lt_journal *j2 = (struct lt_journal *)1;
    char err[512] = "";
    assert_int_equal(lt_journal_open(t.dir, NULL, &j2, err, sizeof err), LT_ERR_IO);
    assert_null(j2);
    print_message("    expected error: %s\n", err);
    assert_non_null(strstr(err, "in use"));
    assert_non_null(strstr(err, t.dir));
    char pid[32];
    snprintf(pid, sizeof pid, "process %ld", (long)getpid());
    assert_non_null(strstr(err, pid));
    /* Another process is refused the same way. */
    fflush(NULL);
    pid_t c = fork();
    assert_true(c >= 0);
    if (c == 0) {
        struct lt_journal *jc = NULL;
        char e2[512];
        int rc = lt_journal_open(t.dir, NULL, &jc, e2, sizeof e2);
        _exit(rc == LT_ERR_IO && strstr(e2, "in use") ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(c, &status, 0), c);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    lt_journal_close(j);
    j = open_ok(t.dir, 0, 0); /* released by close */
    check_last(j, 1);
    lt_journal_close(j);
    tdir_free(&t);
}

/* ---- threads ------------------------------------------------------------ */

struct mt {
    struct lt_journal *j;
    uint64_t n;
    uint64_t synced; /* guarded by mu */
    int done;
    pthread_mutex_t mu;
};

static void *mt_writer(void *arg)
{
    struct mt *m = arg;
    for (uint64_t q = 1; q <= m->n; q++) {
        uint8_t p[MAXP];
        char err[256];
        size_t len = payload_for(q, p);
        if (lt_journal_append(m->j, q, p, len, err, sizeof err) != LT_OK)
            abort();
        if (q % 32 == 0 || q == m->n) {
            if (lt_journal_sync(m->j, err, sizeof err) != LT_OK)
                abort();
            pthread_mutex_lock(&m->mu);
            m->synced = q;
            pthread_mutex_unlock(&m->mu);
        }
    }
    return NULL;
}

static void *mt_acker(void *arg)
{
    struct mt *m = arg;
    uint64_t done = 0;
    while (done < m->n) {
        pthread_mutex_lock(&m->mu);
        uint64_t s = m->synced;
        pthread_mutex_unlock(&m->mu);
        /* Ack what is synced, newest first: out of order within each round. */
        for (uint64_t q = s; q > done; q--)
            if (lt_journal_ack(m->j, q) != LT_OK)
                abort();
        done = s;
        usleep(100);
    }
    return NULL;
}

static int mt_count(uint64_t seq, const void *p, size_t len, int acked, void *arg)
{
    (void)acked;
    if (!payload_ok(seq, p, len))
        abort();
    (*(size_t *)arg)++;
    return 0;
}

static void *mt_reader(void *arg)
{
    struct mt *m = arg;
    for (;;) {
        pthread_mutex_lock(&m->mu);
        int d = m->done;
        pthread_mutex_unlock(&m->mu);
        if (d)
            break;
        size_t n = 0;
        char err[512];
        if (lt_journal_foreach(m->j, mt_count, &n, err, sizeof err) != LT_OK) {
            fprintf(stderr, "foreach: %s\n", err);
            abort();
        }
        usleep(500);
    }
    return NULL;
}

static void threads_append_ack_read(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    struct mt m = { .n = 6000 };
    pthread_mutex_init(&m.mu, NULL);
    m.j = open_ok(t.dir, 0, 8192);
    pthread_t w, a, r;
    pthread_create(&r, NULL, mt_reader, &m);
    pthread_create(&w, NULL, mt_writer, &m);
    pthread_create(&a, NULL, mt_acker, &m);
    pthread_join(w, NULL);
    pthread_join(a, NULL);
    pthread_mutex_lock(&m.mu);
    m.done = 1;
    pthread_mutex_unlock(&m.mu);
    pthread_join(r, NULL);
    assert_int_equal(lt_journal_pending_count(m.j), 0);
    sync_ok(m.j);
    struct seglist *l = calloc(1, sizeof *l);
    list_segs(t.dir, l);
    assert_int_equal(l->n, 1);
    lt_journal_close(m.j);
    m.j = open_ok(t.dir, 0, 8192);
    check_last(m.j, m.n);
    assert_int_equal(lt_journal_pending_count(m.j), 0);
    lt_journal_close(m.j);
    pthread_mutex_destroy(&m.mu);
    free(l);
    tdir_free(&t);
}

/* ---- kill -9 ------------------------------------------------------------ */

/* Entries the crash child never acks: the first ten (so the oldest segment
 * stays and later ones are emptied in the middle) and every 997th. */
static int never_acked(uint64_t q)
{
    return q <= 10 || q % 997 == 0;
}

#define CRASH_SEG_BYTES 16384
#define CRASH_ACK_LAG 32

/* Appends and syncs in random batches forever; reports each seq on fd only
 * after lt_journal_sync returned; acks older entries, newest first. */
static void crash_child(const char *dir, int fd, uint64_t seed) __attribute__((noreturn));
static void crash_child(const char *dir, int fd, uint64_t seed)
{
    struct lt_journal_limits lim = { 0, CRASH_SEG_BYTES };
    struct lt_journal *j;
    char err[512];
    if (lt_journal_open(dir, &lim, &j, err, sizeof err) != LT_OK) {
        fprintf(stderr, "crash child: open: %s\n", err);
        _exit(3);
    }
    uint64_t seq = lt_journal_last_seq(j) + 1, acked_upto = 0;
    for (;;) {
        uint64_t r = splitmix(&seed);
        uint64_t k = r % 4 == 0 ? 1 + r / 4 % 256 : 1 + r / 4 % 16; /* group commits */
        uint64_t first = seq;
        for (uint64_t i = 0; i < k; i++, seq++) {
            uint8_t p[MAXP];
            size_t len = payload_for(seq, p);
            if (lt_journal_append(j, seq, p, len, err, sizeof err) != LT_OK) {
                fprintf(stderr, "crash child: append: %s\n", err);
                _exit(4);
            }
        }
        if (lt_journal_sync(j, err, sizeof err) != LT_OK) {
            fprintf(stderr, "crash child: sync: %s\n", err);
            _exit(5);
        }
        for (uint64_t q = first; q < seq; q++)
            if (write(fd, &q, sizeof q) != sizeof q)
                _exit(6);
        uint64_t upto = seq - 1 > CRASH_ACK_LAG ? seq - 1 - CRASH_ACK_LAG : 0;
        for (uint64_t q = upto; q > acked_upto; q--)
            if (!never_acked(q) && lt_journal_ack(j, q) != LT_OK)
                _exit(7);
        acked_upto = upto;
    }
}

struct crash_check {
    uint64_t max_reported; /* no ack ever went beyond this minus CRASH_ACK_LAG */
    uint64_t next;      /* next seq expected in the walk */
    uint64_t missing_ok;
    int bad;
};

static int crash_walk(uint64_t seq, const void *p, size_t len, int acked, void *arg)
{
    struct crash_check *c = arg;
    if (!payload_ok(seq, p, len) || seq < c->next ||
        (acked && (never_acked(seq) || seq + CRASH_ACK_LAG > c->max_reported)))
        c->bad++;
    /* Whatever is absent between two retained entries was deleted, so it
     * must have been acked. */
    for (uint64_t q = c->next; q < seq; q++) {
        if (never_acked(q) || q + CRASH_ACK_LAG > c->max_reported)
            c->bad++;
        c->missing_ok++;
    }
    c->next = seq + 1;
    return 0;
}

static void kill9_never_loses_a_synced_entry(void **st)
{
    (void)st;
    struct tdir t;
    tdir_new(&t);
    const int rounds = 25;
    uint64_t max_reported = 0, reported = 0, torn = 0, seed = (uint64_t)time(NULL);
    uint64_t tombs = 0, files = 0;
    print_message("    kill -9 seed %" PRIu64 "\n", seed);
    for (int round = 0; round < rounds; round++) {
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        fflush(NULL);
        pid_t c = fork();
        assert_true(c >= 0);
        if (c == 0) {
            close(pfd[0]);
            crash_child(t.dir, pfd[1], seed + (uint64_t)round);
        }
        close(pfd[1]);
        /* Kill at a random moment: some while it is still opening. */
        uint64_t r = splitmix(&seed);
        long us = round % 5 == 0 ? (long)(r % 3000) : 5000 + (long)(r % 120000);
        /* Read while waiting, so the pipe never fills. */
        struct timespec t0, now;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int flags = fcntl(pfd[0], F_GETFL);
        fcntl(pfd[0], F_SETFL, flags | O_NONBLOCK);
        uint64_t buf[512];
        for (;;) {
            ssize_t n = read(pfd[0], buf, sizeof buf);
            for (ssize_t i = 0; i < n / 8; i++) {
                assert_true(buf[i] > max_reported);
                max_reported = buf[i];
                reported++;
            }
            clock_gettime(CLOCK_MONOTONIC, &now);
            long el = (now.tv_sec - t0.tv_sec) * 1000000L + (now.tv_nsec - t0.tv_nsec) / 1000;
            if (el >= us)
                break;
            usleep(200);
        }
        kill(c, SIGKILL);
        int status;
        assert_int_equal(waitpid(c, &status, 0), c);
        if (!WIFSIGNALED(status))
            print_error("crash child exited with %d\n", WEXITSTATUS(status));
        assert_true(WIFSIGNALED(status));
        fcntl(pfd[0], F_SETFL, flags);
        ssize_t n;
        while ((n = read(pfd[0], buf, sizeof buf)) > 0) {
            assert_int_equal(n % 8, 0); /* 8-byte writes to a pipe are atomic */
            for (ssize_t i = 0; i < n / 8; i++) {
                assert_true(buf[i] > max_reported);
                max_reported = buf[i];
                reported++;
            }
        }
        close(pfd[0]);

        /* Note the newest file's size to see whether recovery cut a tail. */
        struct seglist *l = calloc(1, sizeof *l);
        list_segs(t.dir, l);
        uint64_t newest = l->n ? l->first[l->n - 1] : 0, size = l->n ? l->size[l->n - 1] : 0;

        struct lt_journal *j = open_ok(t.dir, 0, CRASH_SEG_BYTES);
        list_segs(t.dir, l);
        if (newest && (!l->n || l->first[l->n - 1] != newest || l->size[l->n - 1] < size))
            torn++;
        for (size_t i = 0; i < l->n; i++)
            tombs += l->size[i] == 0;
        files += l->n;
        free(l);
        uint64_t last = lt_journal_last_seq(j);
        /* Every seq reported synced is there (or was acked and deleted). */
        assert_true(last >= max_reported);
        check_last(j, last);
        struct crash_check cc = { .max_reported = max_reported, .next = 1 };
        char err[512];
        assert_int_equal(lt_journal_foreach(j, crash_walk, &cc, err, sizeof err), LT_OK);
        assert_int_equal(cc.bad, 0);
        assert_int_equal(cc.next, last + 1); /* gapless up to the head */
        /* Everything never acked is pending, with its bytes. */
        struct seen *s = seen_pending(j);
        for (uint64_t q = 1; q <= last; q++)
            if (never_acked(q)) {
                int found = 0;
                for (size_t i = 0; i < s->n && !found; i++)
                    found = s->seq[i] == q;
                assert_true(found);
            }
        assert_int_equal(lt_journal_pending_count(j), s->n);
        free(s);
        /* And the journal goes on at last+1. */
        append_seq(j, last + 1);
        sync_ok(j);
        if (last + 1 > max_reported)
            max_reported = last + 1;
        lt_journal_close(j);
    }
    print_message("    kill -9 x%d: %" PRIu64 " seqs reported synced (head %" PRIu64
                  "), all present or acked; recovery cut a torn tail or empty segment %" PRIu64
                  " time(s); after the kills %" PRIu64 " segment file(s) were seen, %" PRIu64
                  " of them emptied middle segments\n",
                  rounds, reported, max_reported, torn, files, tombs);
    assert_true(max_reported > 100);
    tdir_free(&t);
}

/* ---- benchmark (LT_BENCH=1) ---------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int bench(void)
{
    const char *base = getenv("LT_BENCH_DIR") ? getenv("LT_BENCH_DIR") : "/tmp";
    const double secs = 2.0;
    const size_t plen = 512;
    char root[256];
    snprintf(root, sizeof root, "%s/lt_journal_bench_XXXXXX", base);
    if (!mkdtemp(root)) {
        perror("mkdtemp");
        return 1;
    }
    uint8_t payload[512];
    memset(payload, 0xab, sizeof payload);

    /* Raw: append 548 bytes (one record's worth) and fdatasync, as fast as possible. */
    char path[300];
    snprintf(path, sizeof path, "%s/raw", root);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    uint64_t n = 0;
    double t0 = now_s(), el;
    uint8_t rec[548];
    memset(rec, 1, sizeof rec);
    while ((el = now_s() - t0) < secs) {
        if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec || fdatasync(fd) != 0) {
            perror("raw");
            return 1;
        }
        n++;
    }
    close(fd);
    unlink(path);
    double raw = (double)n / el;
    printf("journal benchmark in %s: %zu-byte payloads, %.0f s per row\n", base, plen, secs);
    printf("  raw write+fdatasync          %10.0f /s\n", raw);

    /* CPU cost alone: appends with no sync at all. */
    {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/jcpu", root);
        struct lt_journal *j;
        char err[512];
        if (lt_journal_open(dir, NULL, &j, err, sizeof err) != LT_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        uint64_t seq = 0;
        t0 = now_s();
        while ((el = now_s() - t0) < secs / 2)
            for (int i = 0; i < 1000; i++)
                if (lt_journal_append(j, ++seq, payload, plen, err, sizeof err) != LT_OK) {
                    fprintf(stderr, "%s\n", err);
                    return 1;
                }
        printf("  no sync (write(2) only):     %10.0f appends/s\n", (double)seq / el);
        lt_journal_close(j);
    }

    size_t batches[] = { 1, 16, 256 };
    for (size_t b = 0; b < 3; b++) {
        char dir[300];
        snprintf(dir, sizeof dir, "%s/j%zu", root, batches[b]);
        struct lt_journal_limits lim = { 0, 0 };
        struct lt_journal *j;
        char err[512];
        if (lt_journal_open(dir, &lim, &j, err, sizeof err) != LT_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        uint64_t seq = 0, syncs = 0;
        t0 = now_s();
        while ((el = now_s() - t0) < secs) {
            for (size_t i = 0; i < batches[b]; i++)
                if (lt_journal_append(j, ++seq, payload, plen, err, sizeof err) != LT_OK) {
                    fprintf(stderr, "%s\n", err);
                    return 1;
                }
            if (lt_journal_sync(j, err, sizeof err) != LT_OK) {
                fprintf(stderr, "%s\n", err);
                return 1;
            }
            syncs++;
        }
        printf("  batch %3zu: %10.0f appends/s  (%8.0f syncs/s, %.2fx the raw sync rate)\n",
               batches[b], (double)seq / el, (double)syncs / el, (double)syncs / el / raw);
        /* Acks: what the delivery thread costs. */
        t0 = now_s();
        for (uint64_t q = 1; q <= seq; q++)
            (void)lt_journal_ack(j, q);
        el = now_s() - t0;
        if (b == 2)
            printf("  ack (lazy, no fsync):        %10.0f /s\n", (double)seq / el);
        lt_journal_close(j);
    }
    nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

int main(void)
{
    if (getenv("LT_BENCH") && !strcmp(getenv("LT_BENCH"), "1")) {
        lt_log_set_level(LT_LOG_WARN);
        return bench();
    }
    lt_log_set_level(LT_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_journal),
        cmocka_unit_test(record_format),
        cmocka_unit_test(append_sync_reopen),
        cmocka_unit_test(gapless_seq),
        cmocka_unit_test(max_pending_bytes),
        cmocka_unit_test(segments_roll_and_go_in_order),
        cmocka_unit_test(head_segment_waits_for_sync),
        cmocka_unit_test(acks_random_order),
        cmocka_unit_test(tombstone_keeps_older_acks),
        cmocka_unit_test(foreach_stops_and_acks_inside),
        cmocka_unit_test(torn_tail_every_cut),
        cmocka_unit_test(torn_tail_ack_and_new_segment),
        cmocka_unit_test(damage_is_an_error),
        cmocka_unit_test(second_open_refused),
        cmocka_unit_test(threads_append_ack_read),
        cmocka_unit_test(kill9_never_loses_a_synced_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
