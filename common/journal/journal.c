/* journal.c — the durable local journal: append-only segment files of
 * checksummed records, recovered and verified at open.
 *
 * Directory layout
 *   LOCK                           flock(LOCK_EX) while a handle is open; holds its pid
 *   seg-00000000000000000001.ltj   segments, named by the seq of their first entry
 *   seg-00000000000000004097.ltj   (20 digits, so names sort like numbers)
 * Only the newest segment is written to. A segment covers the seqs from its
 * name up to the name of the next one, minus one.
 *
 * Record (all integers little-endian; no file header, no padding)
 *   off  size  field
 *    0    4    magic    "LTJR"
 *    4    1    version  1
 *    5    1    type     1 = entry, 2 = ack
 *    6    2    flags    0 (reserved)
 *    8    8    seq      entry: its sequence number; ack: the first seq acked
 *   16    4    len      payload bytes (entry: <= 16 MiB; ack: 8)
 *   20   16    check    BLAKE2b-128 (unkeyed) of bytes 0..19 followed by the payload
 *   36   len   payload  entry: the caller's bytes; ack: u64 count (seq..seq+count-1)
 *
 * Entries appear in seq order with no gap, from the segment's name on; every
 * segment but the newest ends exactly where the next one begins. Ack records
 * are written lazily (no fsync) into the newest segment, after the entries
 * they refer to.
 *
 * Deletion. A segment whose entries are all acked goes, unless it holds the
 * newest durable entry or comes after it (so the chain head survives a power
 * cut at any moment):
 *   - the oldest segment is unlinked;
 *   - one in the middle is truncated to 0 bytes and fdatasync'ed, leaving an
 *     empty "tombstone" whose name still marks where its range starts; a
 *     tombstone next to another one, or left oldest, is unlinked.
 * A middle segment may hold ack records for entries of older segments; before
 * it is emptied those acks are written again, as ranges, to the newest
 * segment. A segment is emptied with ftruncate + fdatasync before any
 * neighbour is unlinked, and when the oldest file goes, the directory is
 * fsynced before the tombstone behind it goes too: a power cut never leaves a
 * gap that recovery would take for lost entries.
 *
 * Recovery (lt_journal_open) reads every record of every segment. A record
 * that does not verify is a torn tail only when it is in the newest segment
 * and no valid record follows it anywhere after it: then the file is cut
 * there and the cut logged. Anything else — a bad record with a valid one
 * after it, a bad record in an older segment, entries out of order or
 * missing, an ack for an entry not yet written — is LT_ERR_IO naming the
 * file and offset. An empty newest segment (a crash between creating it and
 * writing its first entry) is removed.
 *
 * Memory per segment with entries: an array of (offset, length) and a bitmap
 * of acks; tombstones hold nothing. Acks find their segment by binary search
 * over the retained segments, then cost O(1). */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "journal/journal.h"

#define COMP "journal"

#define REC_MAGIC "LTJR"
#define REC_VERSION 1
#define REC_ENTRY 1
#define REC_ACK 2
#define REC_HDR 36
#define REC_CHECKED 20 /* header bytes covered by the checksum */
#define REC_CHECK_BYTES 16
#define ACK_PAYLOAD 8

#define SEG_PREFIX "seg-"
#define SEG_SUFFIX ".ltj"
#define SEG_DIGITS 20
#define SEG_NAME_LEN (sizeof SEG_PREFIX - 1 + SEG_DIGITS + sizeof SEG_SUFFIX - 1)
#define LOCK_NAME "LOCK"

#define READ_CHUNK (1u << 20)

/* One entry of a retained segment. */
struct ent {
    uint64_t off; /* of its record in the segment file */
    uint32_t len; /* payload bytes */
};

struct seg {
    uint64_t first;    /* seq in the file name */
    uint64_t n;        /* entries held (0 for a tombstone) */
    uint64_t n_acked;
    int tomb;          /* emptied: [first, next->first) all acked */
    int back_acks;     /* holds ack records for entries of older segments */
    struct ent *ents;  /* n of them, capacity cap */
    uint64_t *bits;    /* ack bitmap, cap bits */
    size_t cap;
};

struct lt_journal {
    pthread_mutex_t mu;      /* guards everything below */
    pthread_mutex_t sync_mu; /* one lt_journal_sync at a time */
    char *dir;
    int dirfd, lockfd;
    struct lt_journal_limits lim;
    struct seg **segs;       /* oldest first; tombstones are never first (but for a
                              * failed unlink) nor last */
    size_t nsegs, segcap;
    int cur_fd;              /* the newest segment (read+write), -1 when none */
    uint64_t cur_size;       /* its length: where the next record goes */
    uint64_t last_seq, durable_seq;
    size_t pending_n;
    uint64_t pending_bytes;
    int dir_dirty;           /* a segment file was created since the last dir fsync */
    int failed;              /* a write or sync failed beyond repair: refuse writes */
    char failmsg[256];
    uint8_t *last_buf;       /* lt_journal_last's copy of the head payload */
    size_t last_len;
    uint64_t last_buf_seq;
};

/* ---- encoding ----------------------------------------------------------- */

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void rec_check(uint8_t out[REC_CHECK_BYTES], const uint8_t *hdr, const void *payload,
                      size_t len)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, REC_CHECK_BYTES);
    crypto_generichash_update(&st, hdr, REC_CHECKED);
    if (len)
        crypto_generichash_update(&st, payload, len);
    crypto_generichash_final(&st, out, REC_CHECK_BYTES);
}

/* Fills a record header for the given payload. */
static void rec_header(uint8_t hdr[REC_HDR], int type, uint64_t seq, const void *payload,
                       size_t len)
{
    memcpy(hdr, REC_MAGIC, 4);
    hdr[4] = REC_VERSION;
    hdr[5] = (uint8_t)type;
    hdr[6] = hdr[7] = 0;
    put_le64(hdr + 8, seq);
    put_le32(hdr + 16, (uint32_t)len);
    rec_check(hdr + REC_CHECKED, hdr, payload, len);
}

/* ---- small file helpers ------------------------------------------------- */

static void seg_name(char out[SEG_NAME_LEN + 1], uint64_t first)
{
    snprintf(out, SEG_NAME_LEN + 1, SEG_PREFIX "%020" PRIu64 SEG_SUFFIX, first);
}

/* Parses a segment file name; 1 and *first on success, 0 for other names. */
static int seg_parse_name(const char *name, uint64_t *first)
{
    if (strlen(name) != SEG_NAME_LEN || strncmp(name, SEG_PREFIX, sizeof SEG_PREFIX - 1) ||
        strcmp(name + sizeof SEG_PREFIX - 1 + SEG_DIGITS, SEG_SUFFIX))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < SEG_DIGITS; i++) {
        char c = name[sizeof SEG_PREFIX - 1 + i];
        if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v == 0)
        return 0;
    *first = v;
    return 1;
}

/* Writes iov[0..cnt) at off in full (retrying short writes and EINTR).
 * Returns 0, or -1 with errno set. iov is consumed. */
static int pwritev_full(int fd, struct iovec *iov, int cnt, uint64_t off)
{
    while (cnt > 0) {
        ssize_t w = pwritev(fd, iov, cnt, (off_t)off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        off += (uint64_t)w;
        size_t left = (size_t)w;
        while (cnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            cnt--;
        }
        if (cnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
    return 0;
}

/* Reads up to n bytes at off; returns the count (short only at end of file)
 * or -1 with errno set. */
static ssize_t pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, (off_t)(off + got));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static int fdatasync_retry(int fd)
{
    int r;
    while ((r = fdatasync(fd)) < 0 && errno == EINTR)
        ;
    return r;
}

static int fsync_retry(int fd)
{
    int r;
    while ((r = fsync(fd)) < 0 && errno == EINTR)
        ;
    return r;
}

/* ---- segments in memory ------------------------------------------------- */

static struct seg *seg_new(uint64_t first)
{
    struct seg *s = lt_calloc(1, sizeof *s);
    s->first = first;
    return s;
}

static void seg_free(struct seg *s)
{
    if (!s)
        return;
    free(s->ents);
    free(s->bits);
    free(s);
}

/* Drops a segment's entry arrays: it became a tombstone. */
static void seg_make_tomb(struct seg *s)
{
    free(s->ents);
    free(s->bits);
    s->ents = NULL;
    s->bits = NULL;
    s->cap = 0;
    s->n = s->n_acked = 0;
    s->tomb = 1;
    s->back_acks = 0;
}

static void seg_push(struct seg *s, uint64_t off, uint32_t len)
{
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        s->ents = lt_realloc(s->ents, ncap * sizeof *s->ents);
        s->bits = lt_realloc(s->bits, (ncap / 64) * sizeof *s->bits);
        memset(s->bits + s->cap / 64, 0, (ncap - s->cap) / 64 * sizeof *s->bits);
        s->cap = ncap;
    }
    s->ents[s->n].off = off;
    s->ents[s->n].len = len;
    s->n++;
}

static int seg_bit(const struct seg *s, uint64_t i)
{
    return (int)((s->bits[i / 64] >> (i % 64)) & 1);
}

static void seg_set_bit(struct seg *s, uint64_t i)
{
    s->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

static void segs_insert(struct lt_journal *j, size_t at, struct seg *s)
{
    if (j->nsegs == j->segcap) {
        j->segcap = j->segcap ? j->segcap * 2 : 8;
        j->segs = lt_realloc(j->segs, j->segcap * sizeof *j->segs);
    }
    memmove(j->segs + at + 1, j->segs + at, (j->nsegs - at) * sizeof *j->segs);
    j->segs[at] = s;
    j->nsegs++;
}

static void segs_remove(struct lt_journal *j, size_t at)
{
    seg_free(j->segs[at]);
    memmove(j->segs + at, j->segs + at + 1, (j->nsegs - at - 1) * sizeof *j->segs);
    j->nsegs--;
}

/* Index of the segment whose range holds seq (the last one with first <=
 * seq), or -1 when seq comes before every retained segment. */
static ssize_t seg_find(const struct lt_journal *j, uint64_t seq)
{
    size_t lo = 0, hi = j->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->segs[mid]->first <= seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ssize_t)lo - 1;
}

static struct seg *newest(const struct lt_journal *j)
{
    return j->nsegs ? j->segs[j->nsegs - 1] : NULL;
}

/* Marks seqs [lo, hi) of live segment s acked; adjusts the pending totals. */
static void seg_ack_range(struct lt_journal *j, struct seg *s, uint64_t lo, uint64_t hi)
{
    for (uint64_t q = lo; q < hi; q++) {
        uint64_t i = q - s->first;
        if (seg_bit(s, i))
            continue;
        seg_set_bit(s, i);
        s->n_acked++;
        j->pending_n--;
        j->pending_bytes -= s->ents[i].len;
    }
}

/* Locks for the getters, which take a const journal (the mutex is not
 * part of the journal's value). */
static void lock_c(const struct lt_journal *j)
{
    pthread_mutex_lock((pthread_mutex_t *)&j->mu);
}

static void unlock_c(const struct lt_journal *j)
{
    pthread_mutex_unlock((pthread_mutex_t *)&j->mu);
}

/* ---- writing ------------------------------------------------------------ */

static int fail(struct lt_journal *j, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Poisons j: after this every write is refused with the same sentence. */
static int fail(struct lt_journal *j, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->failmsg, sizeof j->failmsg, fmt, ap);
    va_end(ap);
    j->failed = 1;
    lt_error(COMP, "%s; the journal refuses writes until the service restarts", j->failmsg);
    return lt_err_set(err, errlen, LT_ERR_IO, "%s", j->failmsg);
}

static int refuse_failed(const struct lt_journal *j, char *err, size_t errlen)
{
    return lt_err_set(err, errlen, LT_ERR_IO, "journal %s failed earlier (%s); restart to recover",
                      j->dir, j->failmsg);
}

/* Appends records (iov holds whole encoded records) to the newest segment at
 * cur_size. On failure the file is cut back so no partial record remains;
 * if that is impossible too, j is poisoned. Caller holds mu. */
static int write_records(struct lt_journal *j, struct iovec *iov, int cnt, char *err,
                         size_t errlen)
{
    assert(j->cur_fd >= 0 && !j->failed);
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    if (pwritev_full(j->cur_fd, iov, cnt, j->cur_size) < 0) {
        int e = errno;
        char name[SEG_NAME_LEN + 1];
        seg_name(name, newest(j)->first);
        if (ftruncate(j->cur_fd, (off_t)j->cur_size) < 0)
            return fail(j, err, errlen, "write to %s/%s failed (%s) and cutting it back failed (%s)",
                        j->dir, name, strerror(e), strerror(errno));
        return lt_err_set(err, errlen, LT_ERR_IO, "write to %s/%s: %s", j->dir, name, strerror(e));
    }
    j->cur_size += total;
    return LT_OK;
}

/* Encodes ack records for [seq, seq+count) into buf (ACK record size each). */
static size_t encode_ack(uint8_t *buf, uint64_t seq, uint64_t count)
{
    uint8_t payload[ACK_PAYLOAD];
    put_le64(payload, count);
    rec_header(buf, REC_ACK, seq, payload, sizeof payload);
    memcpy(buf + REC_HDR, payload, sizeof payload);
    return REC_HDR + ACK_PAYLOAD;
}

/* Writes again, as ranges, the acks of every live segment before index
 * `before`, so they outlive the segment being emptied. Caller holds mu. */
static int rerecord_acks(struct lt_journal *j, size_t before)
{
    enum { REC = REC_HDR + ACK_PAYLOAD, BATCH = 256 };
    uint8_t *buf = lt_malloc((size_t)REC * BATCH);
    size_t used = 0;
    int rc = LT_OK;
    for (size_t k = 0; k < before && rc == LT_OK; k++) {
        struct seg *s = j->segs[k];
        if (s->tomb || !s->n_acked)
            continue;
        for (uint64_t i = 0; i < s->n && rc == LT_OK;) {
            if (!seg_bit(s, i)) {
                i++;
                continue;
            }
            uint64_t run = i;
            while (run < s->n && seg_bit(s, run))
                run++;
            used += encode_ack(buf + used, s->first + i, run - i);
            i = run;
            if (used == (size_t)REC * BATCH) {
                struct iovec iov = { buf, used };
                rc = write_records(j, &iov, 1, NULL, 0);
                used = 0;
            }
        }
    }
    if (rc == LT_OK && used) {
        struct iovec iov = { buf, used };
        rc = write_records(j, &iov, 1, NULL, 0);
    }
    free(buf);
    if (rc == LT_OK)
        newest(j)->back_acks = 1;
    return rc;
}

/* Unlinks segment i's file and forgets it. Returns 0 or -1 (logged). */
static int seg_unlink(struct lt_journal *j, size_t i)
{
    char name[SEG_NAME_LEN + 1];
    seg_name(name, j->segs[i]->first);
    if (unlinkat(j->dirfd, name, 0) < 0 && errno != ENOENT) {
        lt_warn(COMP, "could not delete %s/%s: %s (it is retried at the next open)", j->dir, name,
                strerror(errno));
        return -1;
    }
    lt_debug(COMP, "deleted %s/%s", j->dir, name);
    segs_remove(j, i);
    return 0;
}

/* Unlinks tombstones left at the front. Each removal after the first is
 * preceded by a directory fsync: a power cut must never undo an older removal
 * while keeping a newer one. */
static void drop_leading_tombs(struct lt_journal *j, int synced_before)
{
    while (j->nsegs > 1 && j->segs[0]->tomb) {
        if (!synced_before && fsync_retry(j->dirfd) < 0) {
            lt_warn(COMP, "fsync of %s: %s", j->dir, strerror(errno));
            return;
        }
        if (seg_unlink(j, 0) < 0)
            return;
        synced_before = 0;
    }
}

/* Index of the segment holding the newest durable entry, or -1. Segments at
 * or after it are never deleted. */
static ssize_t head_index(const struct lt_journal *j)
{
    return j->durable_seq ? seg_find(j, j->durable_seq) : -1;
}

/* Deletes segment i if it is entirely acked and older than the head segment.
 * Returns 1 if the segment list changed. Caller holds mu. */
static int maybe_retire(struct lt_journal *j, size_t i)
{
    struct seg *s = j->segs[i];
    ssize_t h = head_index(j);
    if (s->tomb || s->n == 0 || s->n_acked < s->n || h < 0 || (ssize_t)i >= h || j->failed)
        return 0;
    char name[SEG_NAME_LEN + 1];
    seg_name(name, s->first);
    if (i == 0) {
        if (seg_unlink(j, 0) < 0)
            return 0;
        drop_leading_tombs(j, 0);
        return 1;
    }
    /* A middle segment: keep the acks it holds for older ones, then empty it. */
    if (s->back_acks && rerecord_acks(j, i) != LT_OK) {
        lt_warn(COMP, "could not re-record acks before emptying %s/%s; it stays for now", j->dir,
                name);
        return 0;
    }
    int fd = openat(j->dirfd, name, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 0) < 0 || fdatasync_retry(fd) < 0) {
        lt_warn(COMP, "could not empty %s/%s: %s (retried at the next open)", j->dir, name,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return 0;
    }
    close(fd);
    seg_make_tomb(s);
    lt_debug(COMP, "emptied %s/%s (all acked, older entries still pending)", j->dir, name);
    /* Neighbouring tombstones merge: the earlier one's range extends to the
     * next file's name. All of them are already empty on disk. */
    if (i + 1 < j->nsegs && j->segs[i + 1]->tomb)
        seg_unlink(j, i + 1);
    if (j->segs[i - 1]->tomb)
        seg_unlink(j, i);
    return 1;
}

/* Retires every deletable segment. Caller holds mu. */
static void retire_all(struct lt_journal *j)
{
    for (size_t i = 0; i < j->nsegs;) {
        if (maybe_retire(j, i))
            i = 0;
        else
            i++;
    }
}

/* Creates the segment file for first and makes it the newest, writing the
 * records in iov to it. On failure nothing changes. Caller holds mu. */
static int roll(struct lt_journal *j, uint64_t first, struct iovec *iov, int cnt, char *err,
                size_t errlen)
{
    char name[SEG_NAME_LEN + 1];
    seg_name(name, first);
    if (j->cur_fd >= 0 && fdatasync_retry(j->cur_fd) < 0) {
        char old[SEG_NAME_LEN + 1];
        seg_name(old, newest(j)->first);
        return fail(j, err, errlen, "fdatasync of %s/%s: %s", j->dir, old, strerror(errno));
    }
    int fd = openat(j->dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "create %s/%s: %s", j->dir, name,
                          strerror(errno));
    size_t total = 0;
    for (int i = 0; i < cnt; i++)
        total += iov[i].iov_len;
    if (pwritev_full(fd, iov, cnt, 0) < 0) {
        int e = errno;
        close(fd);
        unlinkat(j->dirfd, name, 0);
        return lt_err_set(err, errlen, LT_ERR_IO, "write to %s/%s: %s", j->dir, name, strerror(e));
    }
    if (j->cur_fd >= 0)
        close(j->cur_fd);
    j->cur_fd = fd;
    j->cur_size = total;
    j->dir_dirty = 1;
    segs_insert(j, j->nsegs, seg_new(first));
    lt_debug(COMP, "new segment %s/%s", j->dir, name);
    return LT_OK;
}

int lt_journal_append(struct lt_journal *j, uint64_t seq, const void *payload, size_t len,
                      char *err, size_t errlen)
{
    assert(j);
    if (len > LT_JOURNAL_MAX_PAYLOAD)
        return lt_err_set(err, errlen, LT_ERR_INVALID,
                          "journal entry of %zu bytes exceeds the limit of %u", len,
                          LT_JOURNAL_MAX_PAYLOAD);
    if (len && !payload)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "journal entry without payload");
    int rc;
    pthread_mutex_lock(&j->mu);
    if (j->failed) {
        rc = refuse_failed(j, err, errlen);
        goto out;
    }
    if (seq != j->last_seq + 1) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                        "journal append of seq %" PRIu64 " refused: the next seq is %" PRIu64, seq,
                        j->last_seq + 1);
        goto out;
    }
    uint64_t max = j->lim.max_pending_bytes;
    if (max && len > max) {
        rc = lt_err_set(err, errlen, LT_ERR_INVALID,
                        "journal entry of %zu bytes exceeds max_pending_bytes (%" PRIu64 ")", len,
                        max);
        goto out;
    }
    if (max && j->pending_bytes + len > max) {
        rc = lt_err_set(err, errlen, LT_JOURNAL_FULL,
                        "journal full: %" PRIu64 " bytes not yet delivered, %zu more would pass "
                        "the limit of %" PRIu64,
                        j->pending_bytes, len, max);
        goto out;
    }
    uint8_t hdr[REC_HDR];
    rec_header(hdr, REC_ENTRY, seq, payload, len);
    struct iovec iov[2] = { { hdr, REC_HDR }, { (void *)payload, len } };
    uint64_t off;
    if (!j->nsegs || j->cur_size >= j->lim.segment_bytes) {
        if ((rc = roll(j, seq, iov, len ? 2 : 1, err, errlen)) != LT_OK)
            goto out;
        off = 0;
    } else {
        off = j->cur_size;
        if ((rc = write_records(j, iov, len ? 2 : 1, err, errlen)) != LT_OK)
            goto out;
    }
    seg_push(newest(j), off, (uint32_t)len);
    j->last_seq = seq;
    j->pending_n++;
    j->pending_bytes += len;
    rc = LT_OK;
out:
    pthread_mutex_unlock(&j->mu);
    return rc;
}

int lt_journal_sync(struct lt_journal *j, char *err, size_t errlen)
{
    assert(j);
    int rc = LT_OK;
    pthread_mutex_lock(&j->sync_mu);
    pthread_mutex_lock(&j->mu);
    if (j->failed) {
        rc = refuse_failed(j, err, errlen);
        pthread_mutex_unlock(&j->mu);
        goto out;
    }
    uint64_t target = j->last_seq;
    int dirsync = j->dir_dirty;
    if (target == j->durable_seq && !dirsync) {
        pthread_mutex_unlock(&j->mu);
        goto out;
    }
    /* A duplicate, so that a roll closing cur_fd meanwhile cannot pull the
     * descriptor from under fdatasync. A roll fdatasyncs the old segment
     * itself, so everything up to target is covered either way. */
    int fd = j->cur_fd >= 0 ? fcntl(j->cur_fd, F_DUPFD_CLOEXEC, 0) : -1;
    if (j->cur_fd >= 0 && fd < 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "journal sync: dup: %s", strerror(errno));
        pthread_mutex_unlock(&j->mu);
        goto out;
    }
    j->dir_dirty = 0;
    pthread_mutex_unlock(&j->mu);

    int r = 0, e = 0;
    const char *what = "fdatasync of the newest segment";
    if (fd >= 0) {
        r = fdatasync_retry(fd);
        e = errno;
        close(fd);
    }
    if (r == 0 && dirsync) {
        what = "fsync of the directory";
        r = fsync_retry(j->dirfd);
        e = errno;
    }

    pthread_mutex_lock(&j->mu);
    if (r < 0) {
        rc = fail(j, err, errlen, "journal %s: %s: %s", j->dir, what, strerror(e));
    } else if (target > j->durable_seq) {
        ssize_t h0 = head_index(j);
        j->durable_seq = target;
        if (head_index(j) != h0)
            retire_all(j);
    }
    pthread_mutex_unlock(&j->mu);
out:
    pthread_mutex_unlock(&j->sync_mu);
    return rc;
}

int lt_journal_ack(struct lt_journal *j, uint64_t seq)
{
    assert(j);
    int rc = LT_OK;
    pthread_mutex_lock(&j->mu);
    if (seq == 0 || seq > j->last_seq) {
        rc = LT_ERR_INVALID;
        goto out;
    }
    ssize_t i = seg_find(j, seq);
    if (i < 0 || j->segs[i]->tomb)
        goto out; /* already acked and deleted */
    struct seg *s = j->segs[i];
    assert(seq - s->first < s->n);
    if (seg_bit(s, seq - s->first))
        goto out;
    seg_ack_range(j, s, seq, seq + 1);
    if (j->failed) {
        rc = LT_ERR_IO;
    } else {
        uint8_t rec[REC_HDR + ACK_PAYLOAD];
        struct iovec iov = { rec, encode_ack(rec, seq, 1) };
        char err[256];
        if ((rc = write_records(j, &iov, 1, err, sizeof err)) != LT_OK)
            lt_warn(COMP, "ack of seq %" PRIu64 " not recorded (%s); it will be re-sent after a "
                    "restart", seq, err);
        else if (seq < newest(j)->first)
            newest(j)->back_acks = 1;
    }
    if (s->n_acked == s->n)
        maybe_retire(j, (size_t)i);
out:
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* ---- reading back --------------------------------------------------------- */

/* A buffered reader over one segment file for the recovery scan. */
struct rd {
    int fd;
    uint64_t size;
    uint64_t boff;  /* file offset of buf[0] */
    size_t have;    /* valid bytes in buf */
    size_t cap;
    uint8_t *buf;
    int ioerr;      /* errno of a failed pread, else 0 */
};

/* Bytes [off, off+n) of the file, or NULL when the file is shorter or a read
 * failed (r->ioerr). The pointer is valid until the next call. */
static const uint8_t *rd_get(struct rd *r, uint64_t off, size_t n)
{
    if (off >= r->boff && off + n <= r->boff + r->have)
        return r->buf + (off - r->boff);
    if (off > r->size || n > r->size - off)
        return NULL;
    size_t want = n > READ_CHUNK ? n : READ_CHUNK;
    if (want > r->size - off)
        want = (size_t)(r->size - off);
    if (want > r->cap) {
        free(r->buf);
        r->buf = lt_malloc(want);
        r->cap = want;
    }
    ssize_t got = pread_full(r->fd, r->buf, want, off);
    if (got < 0) {
        r->ioerr = errno;
        r->have = 0;
        return NULL;
    }
    r->boff = off;
    r->have = (size_t)got;
    return r->have >= n ? r->buf : NULL;
}

struct rec {
    int type;
    uint64_t seq;
    uint32_t len;
    const uint8_t *payload; /* valid until the next rd_get */
};

/* Verifies the header fields of a record; 1 if plausible, else 0 and why. */
static int hdr_ok(const uint8_t *h, char *why, size_t whylen)
{
    if (memcmp(h, REC_MAGIC, 4)) {
        snprintf(why, whylen, "bad magic");
        return 0;
    }
    if (h[4] != REC_VERSION) {
        snprintf(why, whylen, "unsupported record version %u", h[4]);
        return 0;
    }
    if (h[5] != REC_ENTRY && h[5] != REC_ACK) {
        snprintf(why, whylen, "unknown record type %u", h[5]);
        return 0;
    }
    if (h[6] || h[7]) {
        snprintf(why, whylen, "reserved flags set");
        return 0;
    }
    uint32_t len = get_le32(h + 16);
    if (h[5] == REC_ENTRY ? len > LT_JOURNAL_MAX_PAYLOAD : len != ACK_PAYLOAD) {
        snprintf(why, whylen, "impossible payload length %" PRIu32, len);
        return 0;
    }
    return 1;
}

/* Reads and verifies the record at off. Returns 1 (valid, *out filled), 0
 * (invalid: why says how) or -1 (read error: r->ioerr). */
static int rec_read(struct rd *r, uint64_t off, struct rec *out, char *why, size_t whylen)
{
    const uint8_t *h = rd_get(r, off, REC_HDR);
    if (!h) {
        if (r->ioerr)
            return -1;
        snprintf(why, whylen, "truncated record header (%" PRIu64 " bytes left)", r->size - off);
        return 0;
    }
    if (!hdr_ok(h, why, whylen))
        return 0;
    uint32_t len = get_le32(h + 16);
    const uint8_t *p = rd_get(r, off, (size_t)REC_HDR + len);
    if (!p) {
        if (r->ioerr)
            return -1;
        snprintf(why, whylen, "truncated record (%" PRIu64 " bytes needed, %" PRIu64 " left)",
                 (uint64_t)REC_HDR + len, r->size - off);
        return 0;
    }
    uint8_t check[REC_CHECK_BYTES];
    rec_check(check, p, p + REC_HDR, len);
    if (memcmp(check, p + REC_CHECKED, REC_CHECK_BYTES)) {
        snprintf(why, whylen, "checksum mismatch");
        return 0;
    }
    out->type = p[5];
    out->seq = get_le64(p + 8);
    out->len = len;
    out->payload = p + REC_HDR;
    return 1;
}

/* Offset of the first valid record starting after `from`, or UINT64_MAX.
 * -1 in *ioerr on a read error. */
static uint64_t find_valid_after(struct rd *r, uint64_t from, int *ioerr)
{
    char why[128];
    struct rec rec;
    for (uint64_t p = from; p + REC_HDR <= r->size; p++) {
        const uint8_t *m = rd_get(r, p, 4);
        if (!m) {
            *ioerr = r->ioerr != 0;
            return UINT64_MAX;
        }
        if (memcmp(m, REC_MAGIC, 4))
            continue;
        int v = rec_read(r, p, &rec, why, sizeof why);
        if (v < 0) {
            *ioerr = 1;
            return UINT64_MAX;
        }
        if (v == 1)
            return p;
    }
    return UINT64_MAX;
}

/* ---- recovery ----------------------------------------------------------- */

/* Applies a recovered ack record for [a, a+count), found in segment `at`
 * while scanning; entries up to max_seen exist so far. */
static int recover_ack(struct lt_journal *j, size_t at, uint64_t a, uint64_t count,
                       uint64_t max_seen, const char *path, uint64_t off, char *err,
                       size_t errlen)
{
    if (a == 0 || count == 0 || count > UINT64_MAX - a || a + count - 1 > max_seen)
        return lt_err_set(err, errlen, LT_ERR_IO,
                          "corrupt journal: %s at offset %" PRIu64 ": ack of seqs %" PRIu64
                          "+%" PRIu64 " before those entries were written (last entry so far "
                          "%" PRIu64 ")",
                          path, off, a, count, max_seen);
    if (a < j->segs[at]->first)
        j->segs[at]->back_acks = 1;
    uint64_t end = a + count;
    ssize_t i = seg_find(j, a);
    if (i < 0)
        i = 0;
    for (size_t k = (size_t)i; k <= at && k < j->nsegs; k++) {
        struct seg *s = j->segs[k];
        if (s->tomb)
            continue;
        uint64_t lo = a > s->first ? a : s->first;
        uint64_t se = s->first + s->n;
        uint64_t hi = end < se ? end : se;
        if (lo < hi)
            seg_ack_range(j, s, lo, hi);
        if (end <= se)
            break;
    }
    return LT_OK;
}

/* Scans segment i (not a tombstone): loads its entries and applies its acks.
 * In the newest segment a torn tail is cut off. Returns LT_OK or LT_ERR_IO. */
static int scan_segment(struct lt_journal *j, size_t i, uint64_t *size_out, char *err,
                        size_t errlen)
{
    struct seg *s = j->segs[i];
    int last = i + 1 == j->nsegs;
    char name[SEG_NAME_LEN + 1];
    seg_name(name, s->first);
    char *path = lt_asprintf("%s/%s", j->dir, name);
    struct rd r = { .fd = -1 };
    int rc = LT_OK;
    char why[160];

    r.fd = openat(j->dirfd, name, (last ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    struct stat st;
    if (r.fd < 0 || fstat(r.fd, &st) < 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "open %s: %s", path, strerror(errno));
        goto out;
    }
    r.size = (uint64_t)st.st_size;
    uint64_t off = 0, expected = s->first;
    while (off < r.size) {
        struct rec rec;
        int v = rec_read(&r, off, &rec, why, sizeof why);
        if (v < 0) {
            rc = lt_err_set(err, errlen, LT_ERR_IO, "read %s: %s", path, strerror(r.ioerr));
            goto out;
        }
        if (v == 0) {
            if (!last) {
                rc = lt_err_set(err, errlen, LT_ERR_IO,
                                "corrupt journal: %s at offset %" PRIu64 ": %s (not the newest "
                                "segment, so this is damage, not a torn write)",
                                path, off, why);
                goto out;
            }
            int ioerr = 0;
            uint64_t next = find_valid_after(&r, off + 1, &ioerr);
            if (ioerr) {
                rc = lt_err_set(err, errlen, LT_ERR_IO, "read %s: %s", path, strerror(r.ioerr));
                goto out;
            }
            if (next != UINT64_MAX) {
                rc = lt_err_set(err, errlen, LT_ERR_IO,
                                "corrupt journal: %s at offset %" PRIu64 ": %s; a valid record "
                                "follows at offset %" PRIu64 ", so this is damage, not a torn "
                                "write",
                                path, off, why, next);
                goto out;
            }
            if (ftruncate(r.fd, (off_t)off) < 0 || fdatasync_retry(r.fd) < 0) {
                rc = lt_err_set(err, errlen, LT_ERR_IO, "cutting the torn tail of %s at %" PRIu64
                                ": %s", path, off, strerror(errno));
                goto out;
            }
            lt_warn(COMP, "torn tail cut: %s at offset %" PRIu64 ": %s; %" PRIu64 " byte(s) "
                    "dropped (a write the crash interrupted; it was never synced)",
                    path, off, why, r.size - off);
            r.size = off;
            break;
        }
        if (rec.type == REC_ENTRY) {
            if (rec.seq != expected) {
                rc = lt_err_set(err, errlen, LT_ERR_IO,
                                "corrupt journal: %s at offset %" PRIu64 ": entry seq %" PRIu64
                                " where %" PRIu64 " was expected",
                                path, off, rec.seq, expected);
                goto out;
            }
            seg_push(s, off, rec.len);
            j->pending_n++;
            j->pending_bytes += rec.len;
            expected++;
        } else {
            rc = recover_ack(j, i, rec.seq, get_le64(rec.payload), expected - 1, path, off, err,
                             errlen);
            if (rc != LT_OK)
                goto out;
        }
        off += (uint64_t)REC_HDR + rec.len;
    }
    if (!last) {
        uint64_t next = j->segs[i + 1]->first;
        if (s->n == 0) {
            rc = lt_err_set(err, errlen, LT_ERR_IO,
                            "corrupt journal: %s holds no entry but is not the newest segment",
                            path);
            goto out;
        }
        if (expected != next) {
            rc = lt_err_set(err, errlen, LT_ERR_IO,
                            "corrupt journal: %s ends with seq %" PRIu64 " (offset %" PRIu64
                            ") but the next segment starts at %" PRIu64 ": entries are missing",
                            path, expected - 1, off, next);
            goto out;
        }
    }
    *size_out = r.size;
out:
    if (r.fd >= 0)
        close(r.fd);
    free(r.buf);
    free(path);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Lists the segment files, oldest first, into j->segs (tombstones marked). */
static int list_segments(struct lt_journal *j, char *err, size_t errlen)
{
    int fd = openat(j->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return lt_err_set(err, errlen, LT_ERR_IO, "read directory %s: %s", j->dir,
                          strerror(errno));
    }
    uint64_t *firsts = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t first;
        if (!seg_parse_name(de->d_name, &first)) {
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
                strcmp(de->d_name, LOCK_NAME))
                lt_warn(COMP, "ignoring %s/%s: not a journal file", j->dir, de->d_name);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            firsts = lt_realloc(firsts, cap * sizeof *firsts);
        }
        firsts[n++] = first;
    }
    closedir(d);
    if (n)
        qsort(firsts, n, sizeof *firsts, cmp_u64);
    int rc = LT_OK;
    for (size_t i = 0; i < n; i++) {
        char name[SEG_NAME_LEN + 1];
        seg_name(name, firsts[i]);
        struct stat st;
        if (fstatat(j->dirfd, name, &st, 0) < 0) {
            rc = lt_err_set(err, errlen, LT_ERR_IO, "stat %s/%s: %s", j->dir, name,
                            strerror(errno));
            break;
        }
        struct seg *s = seg_new(firsts[i]);
        s->tomb = st.st_size == 0 && i + 1 < n;
        segs_insert(j, j->nsegs, s);
    }
    free(firsts);
    return rc;
}

/* The whole recovery: segments, torn tail, head, retirement. */
static int recover(struct lt_journal *j, char *err, size_t errlen)
{
    int rc = list_segments(j, err, errlen);
    if (rc != LT_OK)
        return rc;
    uint64_t size = 0;
    for (size_t i = 0; i < j->nsegs; i++) {
        if (j->segs[i]->tomb)
            continue;
        if ((rc = scan_segment(j, i, &size, err, errlen)) != LT_OK)
            return rc;
    }
    /* An empty newest segment: created, then the crash came before its first
     * entry was whole. The segment before it still holds the head. */
    while (j->nsegs && newest(j)->n == 0) {
        struct seg *s = newest(j);
        char name[SEG_NAME_LEN + 1];
        seg_name(name, s->first);
        if (j->nsegs == 1 && s->first != 1)
            return lt_err_set(err, errlen, LT_ERR_IO,
                              "corrupt journal: %s/%s is the only segment and holds no entry, "
                              "so the entries before seq %" PRIu64 " (the chain head) are missing",
                              j->dir, name, s->first);
        lt_warn(COMP, "removing %s/%s: a segment without any entry (crash right after it was "
                "created)", j->dir, name);
        if (unlinkat(j->dirfd, name, 0) < 0 || fsync_retry(j->dirfd) < 0)
            return lt_err_set(err, errlen, LT_ERR_IO, "remove %s/%s: %s", j->dir, name,
                              strerror(errno));
        segs_remove(j, j->nsegs - 1);
        if (j->nsegs && newest(j)->tomb) {
            seg_name(name, newest(j)->first);
            return lt_err_set(err, errlen, LT_ERR_IO,
                              "corrupt journal: %s/%s is empty but is the newest segment left: "
                              "the chain head is missing", j->dir, name);
        }
        size = 0;
        if (j->nsegs) {
            struct stat st;
            seg_name(name, newest(j)->first);
            if (fstatat(j->dirfd, name, &st, 0) < 0)
                return lt_err_set(err, errlen, LT_ERR_IO, "stat %s/%s: %s", j->dir, name,
                                  strerror(errno));
            size = (uint64_t)st.st_size;
        }
    }
    drop_leading_tombs(j, 1);
    if (!j->nsegs)
        return LT_OK;
    struct seg *s = newest(j);
    j->last_seq = s->first + s->n - 1;
    char name[SEG_NAME_LEN + 1];
    seg_name(name, s->first);
    j->cur_fd = openat(j->dirfd, name, O_RDWR | O_CLOEXEC);
    if (j->cur_fd < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "open %s/%s: %s", j->dir, name, strerror(errno));
    j->cur_size = size;
    /* What was read may sit only in the page cache (a killed process never
     * synced it): make it durable before treating it as the head. */
    if (fdatasync_retry(j->cur_fd) < 0 || fsync_retry(j->dirfd) < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "sync %s: %s", j->dir, strerror(errno));
    j->durable_seq = j->last_seq;
    retire_all(j);
    return LT_OK;
}

/* Creates dir (0700) if missing, making its entry durable. */
static int make_dir(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) == 0) {
        char *parent = lt_strdup(dir);
        size_t n = strlen(parent);
        while (n > 1 && parent[n - 1] == '/')
            parent[--n] = '\0';
        char *slash = strrchr(parent, '/');
        if (slash == parent)
            slash[1] = '\0';
        else if (slash)
            *slash = '\0';
        else
            strcpy(parent, ".");
        int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd >= 0) {
            fsync_retry(pfd);
            close(pfd);
        }
        free(parent);
        lt_info(COMP, "created journal directory %s", dir);
        return LT_OK;
    }
    if (errno != EEXIST)
        return lt_err_set(err, errlen, LT_ERR_IO, "create journal directory %s: %s", dir,
                          strerror(errno));
    return LT_OK;
}

/* Takes the directory's lock; a held lock is reported with the holder's pid. */
static int take_lock(struct lt_journal *j, char *err, size_t errlen)
{
    j->lockfd = openat(j->dirfd, LOCK_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (j->lockfd < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "open %s/" LOCK_NAME ": %s", j->dir,
                          strerror(errno));
    if (flock(j->lockfd, LOCK_EX | LOCK_NB) < 0) {
        int e = errno;
        if (e != EWOULDBLOCK)
            return lt_err_set(err, errlen, LT_ERR_IO, "lock %s/" LOCK_NAME ": %s", j->dir,
                              strerror(e));
        char pid[32] = "";
        ssize_t n = pread(j->lockfd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        return lt_err_set(err, errlen, LT_ERR_IO,
                          "journal %s is in use: another handle holds its lock (process %s); "
                          "only one service may open a journal",
                          j->dir, pid[0] ? pid : "unknown");
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(j->lockfd, 0) < 0 || pwrite(j->lockfd, pid, (size_t)n, 0) != n)
        lt_warn(COMP, "could not write the pid into %s/" LOCK_NAME ": %s", j->dir,
                strerror(errno));
    return LT_OK;
}

int lt_journal_open(const char *dir, const struct lt_journal_limits *lim,
                    struct lt_journal **out, char *err, size_t errlen)
{
    assert(out);
    *out = NULL;
    if (!dir || !*dir)
        return lt_err_set(err, errlen, LT_ERR_INVALID, "journal directory not given");
    if (sodium_init() < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "libsodium could not be initialised");
    int rc = make_dir(dir, err, errlen);
    if (rc != LT_OK)
        return rc;

    struct lt_journal *j = lt_calloc(1, sizeof *j);
    pthread_mutex_init(&j->mu, NULL);
    pthread_mutex_init(&j->sync_mu, NULL);
    j->dir = lt_strdup(dir);
    j->lockfd = j->cur_fd = -1;
    if (lim)
        j->lim = *lim;
    if (!j->lim.segment_bytes)
        j->lim.segment_bytes = LT_JOURNAL_DEFAULT_SEGMENT_BYTES;
    j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->dirfd < 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "open journal directory %s: %s", dir,
                        strerror(errno));
        goto fail;
    }
    if ((rc = take_lock(j, err, errlen)) != LT_OK)
        goto fail;
    if ((rc = recover(j, err, errlen)) != LT_OK)
        goto fail;
    lt_info(COMP, "opened journal %s: last seq %" PRIu64 ", %zu pending entr%s (%" PRIu64
            " bytes) in %zu segment(s)",
            dir, j->last_seq, j->pending_n, j->pending_n == 1 ? "y" : "ies", j->pending_bytes,
            j->nsegs);
    *out = j;
    return LT_OK;
fail:
    j->failed = 1; /* close must not sync a journal that did not open */
    lt_journal_close(j);
    return rc;
}

void lt_journal_close(struct lt_journal *j)
{
    if (!j)
        return;
    if (!j->failed && j->cur_fd >= 0) {
        if (fdatasync_retry(j->cur_fd) < 0 || (j->dir_dirty && fsync_retry(j->dirfd) < 0))
            lt_warn(COMP, "sync at close of %s: %s", j->dir, strerror(errno));
    }
    if (j->cur_fd >= 0)
        close(j->cur_fd);
    if (j->lockfd >= 0)
        close(j->lockfd); /* releases the flock */
    if (j->dirfd >= 0)
        close(j->dirfd);
    for (size_t i = 0; i < j->nsegs; i++)
        seg_free(j->segs[i]);
    free(j->segs);
    free(j->last_buf);
    free(j->dir);
    pthread_mutex_destroy(&j->mu);
    pthread_mutex_destroy(&j->sync_mu);
    free(j);
}

/* ---- queries ------------------------------------------------------------ */

uint64_t lt_journal_last_seq(const struct lt_journal *j)
{
    lock_c(j);
    uint64_t v = j->last_seq;
    unlock_c(j);
    return v;
}

uint64_t lt_journal_first_seq(const struct lt_journal *j)
{
    lock_c(j);
    uint64_t v = j->nsegs ? j->segs[0]->first : 0;
    unlock_c(j);
    return v;
}

uint64_t lt_journal_durable_seq(const struct lt_journal *j)
{
    lock_c(j);
    uint64_t v = j->durable_seq;
    unlock_c(j);
    return v;
}

size_t lt_journal_pending_count(const struct lt_journal *j)
{
    lock_c(j);
    size_t v = j->pending_n;
    unlock_c(j);
    return v;
}

uint64_t lt_journal_pending_bytes(const struct lt_journal *j)
{
    lock_c(j);
    uint64_t v = j->pending_bytes;
    unlock_c(j);
    return v;
}

const char *lt_journal_err_name(int code)
{
    return code == LT_JOURNAL_FULL ? "journal_full" : lt_err_name(code);
}

/* Reads entry seq's record (at off, payload len) from fd into *buf (grown as
 * needed) and verifies it. Returns 1 valid, 0 not (short or damaged: why),
 * -1 read error (errno). */
static int read_entry(int fd, uint64_t seq, uint64_t off, uint32_t len, uint8_t **buf,
                      size_t *cap, char *why, size_t whylen)
{
    size_t need = (size_t)REC_HDR + len;
    if (need > *cap) {
        free(*buf);
        *buf = lt_malloc(need);
        *cap = need;
    }
    ssize_t got = pread_full(fd, *buf, need, off);
    if (got < 0)
        return -1;
    if ((size_t)got < need) {
        snprintf(why, whylen, "record cut short");
        return 0;
    }
    const uint8_t *p = *buf;
    if (!hdr_ok(p, why, whylen))
        return 0;
    if (p[5] != REC_ENTRY || get_le64(p + 8) != seq || get_le32(p + 16) != len) {
        snprintf(why, whylen, "not the record of entry %" PRIu64, seq);
        return 0;
    }
    uint8_t check[REC_CHECK_BYTES];
    rec_check(check, p, p + REC_HDR, len);
    if (memcmp(check, p + REC_CHECKED, REC_CHECK_BYTES)) {
        snprintf(why, whylen, "checksum mismatch");
        return 0;
    }
    return 1;
}

int lt_journal_last(struct lt_journal *j, const void **payload, size_t *len)
{
    assert(j && payload && len);
    int rc = LT_OK;
    pthread_mutex_lock(&j->mu);
    *payload = NULL;
    *len = 0;
    if (!j->last_seq)
        goto out;
    if (j->last_buf_seq != j->last_seq) {
        struct seg *s = newest(j);
        assert(s && s->n && s->first + s->n - 1 == j->last_seq);
        struct ent e = s->ents[s->n - 1];
        uint8_t *buf = NULL;
        size_t cap = 0;
        char why[128];
        int v = read_entry(j->cur_fd, j->last_seq, e.off, e.len, &buf, &cap, why, sizeof why);
        if (v <= 0) {
            char name[SEG_NAME_LEN + 1];
            seg_name(name, s->first);
            lt_error(COMP, "reading the last entry (seq %" PRIu64 ") back from %s/%s at offset "
                     "%" PRIu64 ": %s", j->last_seq, j->dir, name, e.off,
                     v < 0 ? strerror(errno) : why);
            free(buf);
            rc = LT_ERR_IO;
            goto out;
        }
        memmove(buf, buf + REC_HDR, e.len);
        free(j->last_buf);
        j->last_buf = buf;
        j->last_len = e.len;
        j->last_buf_seq = j->last_seq;
    }
    *payload = j->last_buf ? (const void *)j->last_buf : (const void *)"";
    *len = j->last_len;
out:
    pthread_mutex_unlock(&j->mu);
    return rc;
}

/* The walk behind both foreach functions. The mutex is held only to find the
 * next entry and its place; the record is read and fn called without it. A
 * segment emptied or deleted meanwhile (all its entries acked) is skipped. */
static int walk(struct lt_journal *j, int all,
                int (*fn_all)(uint64_t, const void *, size_t, int, void *),
                int (*fn_pending)(uint64_t, const void *, size_t, void *), void *arg, char *err,
                size_t errlen)
{
    uint64_t cursor = 1;
    int fd = -1;
    uint64_t fd_first = 0;
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc = LT_OK;
    char name[SEG_NAME_LEN + 1];
    for (;;) {
        pthread_mutex_lock(&j->mu);
        ssize_t i = seg_find(j, cursor);
        size_t k = i < 0 ? 0 : (size_t)i;
        struct seg *s = NULL;
        uint64_t idx = 0;
        for (; k < j->nsegs; k++) {
            s = j->segs[k];
            if (s->tomb)
                continue;
            idx = cursor > s->first ? cursor - s->first : 0;
            while (idx < s->n && !all && seg_bit(s, idx)) {
                if (idx % 64 == 0 && s->bits[idx / 64] == UINT64_MAX)
                    idx += 64;
                else
                    idx++;
            }
            if (idx < s->n)
                break;
        }
        if (k == j->nsegs) {
            pthread_mutex_unlock(&j->mu);
            break;
        }
        uint64_t seq = s->first + idx;
        int acked = seg_bit(s, idx);
        struct ent e = s->ents[idx];
        seg_name(name, s->first);
        if (fd < 0 || fd_first != s->first) {
            if (fd >= 0)
                close(fd);
            fd = openat(j->dirfd, name, O_RDONLY | O_CLOEXEC);
            fd_first = s->first;
            if (fd < 0) {
                rc = lt_err_set(err, errlen, LT_ERR_IO, "open %s/%s: %s", j->dir, name,
                                strerror(errno));
                pthread_mutex_unlock(&j->mu);
                break;
            }
        }
        pthread_mutex_unlock(&j->mu);

        char why[128];
        int v = read_entry(fd, seq, e.off, e.len, &buf, &cap, why, sizeof why);
        if (v < 0) {
            rc = lt_err_set(err, errlen, LT_ERR_IO, "read %s/%s: %s", j->dir, name,
                            strerror(errno));
            break;
        }
        if (v == 0) {
            /* Damage, or the segment was emptied since: only the first is an error. */
            pthread_mutex_lock(&j->mu);
            ssize_t i2 = seg_find(j, seq);
            int gone = i2 < 0 || j->segs[i2]->tomb || j->segs[i2]->first != fd_first;
            pthread_mutex_unlock(&j->mu);
            if (!gone) {
                rc = lt_err_set(err, errlen, LT_ERR_IO,
                                "corrupt journal: %s/%s at offset %" PRIu64 ": %s", j->dir, name,
                                e.off, why);
                break;
            }
            close(fd);
            fd = -1;
            cursor = seq + 1;
            continue;
        }
        int stop = all ? fn_all(seq, buf + REC_HDR, e.len, acked, arg)
                       : fn_pending(seq, buf + REC_HDR, e.len, arg);
        if (stop)
            break;
        cursor = seq + 1;
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

int lt_journal_foreach_pending(struct lt_journal *j,
                               int (*fn)(uint64_t seq, const void *payload, size_t len,
                                         void *arg),
                               void *arg, char *err, size_t errlen)
{
    assert(j && fn);
    return walk(j, 0, NULL, fn, arg, err, errlen);
}

int lt_journal_foreach(struct lt_journal *j,
                       int (*fn)(uint64_t seq, const void *payload, size_t len, int acked,
                                 void *arg),
                       void *arg, char *err, size_t errlen)
{
    assert(j && fn);
    return walk(j, 1, fn, NULL, arg, err, errlen);
}
