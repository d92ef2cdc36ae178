/* dropdir.c — the drop-folder input (see dropdir.h for the protocol and the
 * exactly-once argument).
 *
 * One thread does everything: at start it re-reads the files left in
 * processing/, then it polls inbox/, takes the files that are ready in name
 * order and reads each to the end before looking again. A file is read into
 * memory whole (it must be UTF-8 as a whole before any line is published),
 * converted line by line — JSON lines through pbjson, CSV through a layout
 * (csv.h) — prepared by the publisher, and submitted in batches. The
 * per-line scratch (pbjson errors, validation findings) lives in the
 * struct, as it is large and the thread is the only user. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uthash.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "event/pbjson.h"
#include "event/validate.h"
#include "publish/csv.h"
#include "publish/dropdir.h"

#define COMP "dropdir"
#define DIR_MODE 0750
#define FILE_MODE 0640

/* A file of inbox/ under observation: ready once unchanged for poll_ms. */
struct seen {
    char *name;
    off_t size;
    struct timespec mtime;
    int64_t since_ms; /* monotonic time it was first seen like this */
    int marked;       /* still present in the current scan */
    int warned;       /* "cannot take it yet" already logged */
    UT_hash_handle hh;
};

struct lt_dropdir {
    struct lt_publisher *pub;
    const struct lt_csv_layout *const *layouts;
    int poll_ms;
    char *inbox, *processing, *done, *failed;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;   /* guarded by lock */
    int broken; /* thread only: the journal failed, read nothing more */
    struct seen *seen;
    struct lt_pbjson_errors pe;
    struct lt_validate_result vr;
    struct lt_csv_errors ce;
};

enum outcome {
    OUT_DONE,    /* every line journaled or reported */
    OUT_FAILED,  /* not readable as a whole: to failed/ */
    OUT_ABORTED, /* stop or journal failure: stays in processing/ */
};

/* One file being read. */
struct job {
    struct lt_dropdir *d;
    const char *name;
    const char *format; /* "csv" or "jsonl" */
    const struct lt_csv_layout *layout;
    struct lt_csv_map *map;
    int recovered;
    size_t resume_line; /* lines up to it were journaled by an earlier pass */
    FILE *errors;       /* processing/.<name>.errors.jsonl, opened on the first bad line */
    size_t lines, accepted, duplicates, rejected;
    json_t *fail;       /* OUT_FAILED: the {"line", "errors"} entry saying why */
    size_t journaled;   /* last line journaled by this pass (0: none) */
    size_t n;           /* events in the batch */
    Lienthong__V1__Event *ev[LT_DROPDIR_BATCH];
    char *ids[LT_DROPDIR_BATCH];
    size_t lineno[LT_DROPDIR_BATCH];
};

/* ---- small file-system helpers ------------------------------------------ */

static char *path_join(const char *dir, const char *name)
{
    return lt_asprintf("%s/%s", dir, name);
}

/* Makes a rename or a new file in dir durable. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return;
    if (fsync(fd) != 0)
        lt_warn(COMP, "fsync of %s: %s", dir, strerror(errno));
    close(fd);
}

/* mkdir 0750 unless it exists; LT_OK or LT_ERR_IO. */
static int make_dir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, DIR_MODE) != 0 && errno != EEXIST)
        return lt_err_set(err, errlen, LT_ERR_IO, "mkdir %s: %s", path, strerror(errno));
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return lt_err_set(err, errlen, LT_ERR_IO, "%s is not a directory", path);
    return LT_OK;
}

/* 1 when dir/name exists (of any type). */
static int exists(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;
    int r = lstat(p, &st) == 0;
    free(p);
    return r;
}

/* Writes data to dir/name through dir/.name.tmp, fsync and rename. */
static int write_atomic(const char *dir, const char *name, const char *data, size_t len)
{
    char *tmp = lt_asprintf("%s/.%s.tmp", dir, name), *dst = path_join(dir, name);
    int rc = LT_ERR_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, FILE_MODE);
    if (fd < 0)
        goto out;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, dst) != 0)
        goto out;
    rc = LT_OK;
out:
    if (rc != LT_OK) {
        lt_error(COMP, "cannot write %s: %s", dst, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(dst);
    return rc;
}

/* Reads a whole file. Returns LT_OK, LT_ERR_INVALID (too large) or
 * LT_ERR_IO. */
static int read_whole(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lt_err_set(err, errlen, LT_ERR_IO, "open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return lt_err_set(err, errlen, LT_ERR_IO, "stat: %s", strerror(errno));
    }
    if (st.st_size > (off_t)LT_DROPDIR_MAX_FILE_BYTES) {
        close(fd);
        return lt_err_set(err, errlen, LT_ERR_INVALID, "the file has %jd bytes; at most %u are "
                          "read (split it)", (intmax_t)st.st_size, LT_DROPDIR_MAX_FILE_BYTES);
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = lt_malloc(cap);
    for (;;) {
        if (n == cap - 1) {
            if (cap > LT_DROPDIR_MAX_FILE_BYTES) {
                free(buf);
                close(fd);
                return lt_err_set(err, errlen, LT_ERR_INVALID, "the file grew beyond %u bytes",
                                  LT_DROPDIR_MAX_FILE_BYTES);
            }
            cap *= 2;
            buf = lt_realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            close(fd);
            return lt_err_set(err, errlen, LT_ERR_IO, "read: %s", strerror(errno));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return LT_OK;
}

/* Offset of the first byte that is not well-formed UTF-8 (or is NUL), or n. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c == 0)
                return i;
            i++;
            continue;
        }
        size_t k;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (n - i <= k)
            return i;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += k + 1;
    }
    return n;
}

static size_t line_of(const char *s, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

/* ---- error entries ------------------------------------------------------ */

static json_t *error_obj(const char *column, const char *field, const char *code,
                         const char *message)
{
    json_t *o = json_object();
    if (column && *column)
        json_object_set_new(o, "column", json_string(column));
    if (field && *field)
        json_object_set_new(o, "field", json_string(field));
    json_object_set_new(o, "code", json_string(code));
    json_t *m = json_string(message);
    json_object_set_new(o, "message", m ? m : json_string("(message not UTF-8)"));
    return o;
}

static json_t *entry(size_t line, json_t *errors)
{
    json_t *o = json_object();
    json_object_set_new(o, "line", json_integer((json_int_t)line));
    json_object_set_new(o, "errors", errors);
    return o;
}

static json_t *single_error(size_t line, const char *column, const char *code, const char *fmt,
                            ...) __attribute__((format(printf, 4, 5)));
static json_t *single_error(size_t line, const char *column, const char *code, const char *fmt,
                            ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *a = json_array();
    json_array_append_new(a, error_obj(column, NULL, code, msg));
    return entry(line, a);
}

/* Where an error found by pbjson or validation sits, for its message:
 * "line 7, column visa_purpose" (CSV, when a column feeds the path), "line 7,
 * field entry.visaPurpose", or "line 7". */
static void where(const struct job *j, size_t line, const char *path, char *column, size_t ccap,
                  char *buf, size_t cap)
{
    column[0] = '\0';
    if (j->map && path && *path)
        lt_csv_map_columns_for(j->map, path, column, ccap);
    if (column[0])
        snprintf(buf, cap, "line %zu, column %s", line, column);
    else if (path && *path)
        snprintf(buf, cap, "line %zu, field %s", line, path);
    else
        snprintf(buf, cap, "line %zu", line);
}

static json_t *pbjson_errors(const struct job *j, size_t line, const struct lt_pbjson_errors *pe)
{
    json_t *a = json_array();
    for (size_t i = 0; i < pe->n_stored; i++) {
        char column[256], at[320], msg[640];
        where(j, line, pe->items[i].path, column, sizeof column, at, sizeof at);
        snprintf(msg, sizeof msg, "%s: %s", at, pe->items[i].message);
        json_array_append_new(a, error_obj(column, pe->items[i].path, pe->items[i].code, msg));
    }
    if (pe->count > pe->n_stored) {
        char msg[128];
        snprintf(msg, sizeof msg, "line %zu: %zu more errors not listed", line,
                 pe->count - pe->n_stored);
        json_array_append_new(a, error_obj(NULL, NULL, "more_errors", msg));
    }
    return a;
}

static json_t *validate_errors(const struct job *j, size_t line,
                               const struct lt_validate_result *vr)
{
    json_t *a = json_array();
    for (size_t i = 0; i < vr->stored; i++) {
        const struct lt_violation *v = &vr->v[i];
        if (lt_validate_code_parks(v->code))
            continue; /* not a reason to refuse the line */
        char column[256], at[320], msg[640];
        where(j, line, v->path, column, sizeof column, at, sizeof at);
        snprintf(msg, sizeof msg, "%s: %s", at, v->message);
        json_array_append_new(a, error_obj(column, v->path, lt_validate_code_name(v->code), msg));
    }
    if (vr->count > vr->stored) {
        char msg[128];
        snprintf(msg, sizeof msg, "line %zu: %zu more findings not listed", line,
                 vr->count - vr->stored);
        json_array_append_new(a, error_obj(NULL, NULL, "more_errors", msg));
    }
    return a;
}

/* ---- one file ----------------------------------------------------------- */

static int stopping(struct lt_dropdir *d)
{
    pthread_mutex_lock(&d->lock);
    int s = d->stop;
    pthread_mutex_unlock(&d->lock);
    return s;
}

/* Sleeps up to ms or until stopped. */
static void nap(struct lt_dropdir *d, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&d->lock);
    while (!d->stop && pthread_cond_timedwait(&d->wake, &d->lock, &ts) == 0)
        ;
    pthread_mutex_unlock(&d->lock);
}

/* Reports a bad line: takes ownership of e ({"line", "errors"}). */
static int report(struct job *j, json_t *e)
{
    j->rejected++;
    if (!j->errors) {
        char *p = lt_asprintf("%s/.%s.errors.jsonl", j->d->processing, j->name);
        j->errors = fopen(p, "w");
        if (!j->errors)
            lt_error(COMP, "cannot create %s: %s", p, strerror(errno));
        free(p);
        if (!j->errors) {
            json_decref(e);
            return LT_ERR_IO;
        }
    }
    int rc = json_dumpf(e, j->errors, JSON_COMPACT) == 0 && fputc('\n', j->errors) != EOF
                 ? LT_OK
                 : LT_ERR_IO;
    json_decref(e);
    return rc;
}

static void batch_free(struct job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        lienthong__v1__event__free_unpacked(j->ev[i], NULL);
        free(j->ids[i]);
    }
    j->n = 0;
}

/* Records that every line up to `line` is journaled (dropdir.h, point 2). */
static int save_progress(struct job *j, size_t line)
{
    char name[300], text[32];
    snprintf(name, sizeof name, ".%s.progress", j->name);
    int n = snprintf(text, sizeof text, "%zu\n", line);
    return write_atomic(j->d->processing, name, text, (size_t)n);
}

/* The line recorded by save_progress for processing/<name>; 0 when none
 * (a file never submitted from, or a crash before the first record). */
static size_t load_progress(struct lt_dropdir *d, const char *name)
{
    char *p = lt_asprintf("%s/.%s.progress", d->processing, name);
    FILE *f = fopen(p, "r");
    free(p);
    size_t line = 0;
    if (f) {
        if (fscanf(f, "%zu", &line) != 1)
            line = 0;
        fclose(f);
    }
    return line;
}

/* Submits the batch as one all-or-nothing batch until the journal takes
 * it. When the journal is full the same events are offered again every
 * poll_ms: room comes as Kafka acknowledges what waits (and the publisher
 * admits any batch once nothing waits). Returns LT_OK, or LT_ERR_IO /
 * LT_ERR_TIMEOUT when the file must be left in processing/. */
static int submit(struct job *j)
{
    struct lt_dropdir *d = j->d;
    struct lt_pub_result res[LT_DROPDIR_BATCH];
    char err[512];
    size_t n = j->n;
    int waited = 0;
    for (;;) {
        int rc = lt_publisher_submit(d->pub, j->ev, (const char *const *)j->ids, n, res, err,
                                     sizeof err);
        if (rc == LT_OK)
            break;
        int full = 0, failed = 0;
        for (size_t i = 0; i < n; i++) {
            full |= res[i].status == LT_PUB_FULL;
            failed |= res[i].status == LT_PUB_FAILED;
        }
        if (!full || failed) {
            if (rc != LT_ERR_TIMEOUT) {
                lt_error(COMP, "file %s: the journal refused lines %zu-%zu (%s); the file stays "
                         "in processing/ and the drop folder reads nothing more until a restart",
                         j->name, j->lineno[0], j->lineno[n - 1], err);
                d->broken = 1;
            }
            return rc == LT_ERR_TIMEOUT ? LT_ERR_TIMEOUT : LT_ERR_IO;
        }
        if (!waited)
            lt_warn(COMP, "file %s: the journal is full (%s); waiting to submit lines %zu-%zu",
                    j->name, err, j->lineno[0], j->lineno[n - 1]);
        waited = 1;
        nap(d, d->poll_ms);
        if (stopping(d))
            return LT_ERR_TIMEOUT;
    }
    if (waited)
        lt_info(COMP, "file %s: the journal took lines %zu-%zu", j->name, j->lineno[0],
                j->lineno[n - 1]);
    for (size_t i = 0; i < n; i++) {
        if (res[i].status == LT_PUB_DUPLICATE)
            j->duplicates++;
        else
            j->accepted++;
    }
    return LT_OK;
}

/* Submits the batch, then records the progress. Returns LT_OK, or what
 * submit returned (the batch is then left for batch_free). */
static int flush(struct job *j)
{
    if (j->n == 0)
        return LT_OK;
    int rc = submit(j);
    if (rc != LT_OK)
        return rc;
    size_t last = j->lineno[j->n - 1];
    batch_free(j);
    j->journaled = last;
    if (save_progress(j, last) != LT_OK)
        return LT_ERR_IO; /* cannot promise the next pass skips them: stop here */
    return LT_OK;
}

/* The JSON of one line (CSV row or JSON line) becomes an event: checked,
 * prepared and queued, or reported. Takes ownership of js. Returns LT_OK or
 * an error that stops the file. */
static int take(struct job *j, size_t line, json_t *js)
{
    struct lt_dropdir *d = j->d;
    ProtobufCMessage *msg = NULL;
    int rc = lt_pbjson_to_message(&lienthong__v1__event__descriptor, js, &msg, &d->pe);
    json_decref(js);
    if (rc != LT_OK)
        return report(j, entry(line, pbjson_errors(j, line, &d->pe)));
    Lienthong__V1__Event *ev = (Lienthong__V1__Event *)msg;
    if (lt_publisher_prepare(d->pub, ev, &d->vr) != LT_OK) {
        lienthong__v1__event__free_unpacked(ev, NULL);
        return report(j, entry(line, validate_errors(j, line, &d->vr)));
    }
    if (line <= j->resume_line) {
        /* Journaled by the pass that was interrupted (dropdir.h, point 3). */
        lienthong__v1__event__free_unpacked(ev, NULL);
        j->duplicates++;
        return LT_OK;
    }
    j->ev[j->n] = ev;
    j->ids[j->n] = lt_asprintf("drop:%s:%zu", j->name, line);
    j->lineno[j->n] = line;
    j->n++;
    if (j->n == LT_DROPDIR_BATCH)
        return flush(j);
    return LT_OK;
}

/* Reads a JSON-lines file: one event per non-blank line. Returns LT_OK when
 * every line is journaled or reported, else what stops the file. */
static int read_jsonl(struct job *j, const char *data, size_t len)
{
    size_t pos = 0, line = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as some Windows tools write */
    while (pos < len) {
        line++;
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        const char *s = data + pos;
        pos = nl ? end + 1 : len;
        if (n && s[n - 1] == '\r')
            n--;
        size_t k = 0;
        while (k < n && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == n)
            continue; /* blank */
        j->lines++;
        json_error_t je;
        json_t *js = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
        int rc;
        if (!js)
            rc = report(j, single_error(line, NULL, "bad_json", "line %zu, position %d: %s",
                                        line, je.column, je.text));
        else if (!json_is_object(js)) {
            json_decref(js);
            rc = report(j, single_error(line, NULL, "not_an_object", "line %zu: an event is "
                                        "a JSON object", line));
        } else {
            rc = take(j, line, js);
        }
        if (rc != LT_OK)
            return rc;
        if (stopping(j->d)) {
            batch_free(j);
            return LT_ERR_TIMEOUT;
        }
    }
    return flush(j);
}

/* Reads a CSV file through j->layout. A missing or bad header sets j->fail
 * (the whole file is refused) and returns LT_OK; otherwise as read_jsonl. */
static int read_csv(struct job *j, const char *data, size_t len)
{
    struct lt_dropdir *d = j->d;
    struct lt_csv_reader *r = lt_csv_reader_new(data, len);
    struct lt_csv_record rec;
    int rc = LT_OK;
    lt_csv_errors_init(&d->ce);
    int got = lt_csv_next(r, &rec, &d->ce);
    if (got == 0) {
        j->fail = single_error(0, NULL, LT_CSV_E_NO_HEADER, "the file has no header line (layout "
                               "\"%s\")", j->layout->name);
        goto out;
    }
    if (got < 0) {
        j->fail = entry(rec.line, lt_csv_errors_to_json(&d->ce));
        goto out;
    }
    if (lt_csv_map_new(j->layout, &rec, &j->map, &d->ce) != LT_OK) {
        j->fail = entry(rec.line, lt_csv_errors_to_json(&d->ce));
        goto out;
    }
    for (;;) {
        lt_csv_errors_init(&d->ce);
        got = lt_csv_next(r, &rec, &d->ce);
        if (got == 0)
            break;
        j->lines++;
        json_t *js = NULL;
        if (got < 0 || lt_csv_row_to_json(j->map, &rec, &js, &d->ce) != LT_OK)
            rc = report(j, entry(rec.line, lt_csv_errors_to_json(&d->ce)));
        else
            rc = take(j, rec.line, js);
        if (rc != LT_OK)
            goto out;
        if (stopping(d)) {
            batch_free(j);
            rc = LT_ERR_TIMEOUT;
            goto out;
        }
    }
    rc = flush(j);
out:
    lt_csv_reader_free(r);
    return rc;
}

/* Moves dir/name to failed/ with its errors file. Takes ownership of why. */
static void to_failed(struct lt_dropdir *d, const char *dir, const char *name, json_t *why)
{
    char *target = lt_strdup(name);
    if (exists(d->failed, target)) {
        free(target);
        target = lt_asprintf("%s.%" PRId64, name, lt_now_ms());
    }
    char *ename = lt_asprintf("%s.errors.jsonl", target);
    char *text = json_dumps(why, JSON_COMPACT);
    char *src = path_join(dir, name), *dst = path_join(d->failed, target);
    if (text) {
        size_t n = strlen(text);
        text = lt_realloc(text, n + 2);
        memcpy(text + n, "\n", 2);
        (void)write_atomic(d->failed, ename, text, n + 1);
    }
    if (rename(src, dst) != 0)
        lt_error(COMP, "rename %s to %s: %s", src, dst, strerror(errno));
    sync_dir(d->failed);
    sync_dir(dir);
    json_t *first = json_array_get(json_object_get(why, "errors"), 0);
    const char *msg = json_string_value(json_object_get(first, "message"));
    lt_warn(COMP, "file %s failed: %s (moved to failed/%s)", name, msg ? msg : "?", target);
    free(text);
    free(src);
    free(dst);
    free(ename);
    free(target);
    json_decref(why);
}

/* Finishes a file read to the end: errors, result, rename (dropdir.h). */
static int finish(struct job *j)
{
    struct lt_dropdir *d = j->d;
    char ename[300], rname[300];
    snprintf(ename, sizeof ename, "%s.errors.jsonl", j->name);
    snprintf(rname, sizeof rname, "%s.result.json", j->name);
    char *etmp = lt_asprintf("%s/.%s.errors.jsonl", d->processing, j->name);
    char *edst = path_join(d->done, ename);
    char *src = path_join(d->processing, j->name), *dst = path_join(d->done, j->name);
    char *text = NULL;
    int rc = LT_ERR_IO;
    if (j->errors) {
        int bad = fflush(j->errors) != 0 || fsync(fileno(j->errors)) != 0;
        bad |= fclose(j->errors) != 0;
        j->errors = NULL;
        if (bad || rename(etmp, edst) != 0) {
            lt_error(COMP, "cannot write %s: %s", edst, strerror(errno));
            goto out;
        }
    }
    json_t *res = json_object();
    json_object_set_new(res, "file", json_string(j->name));
    json_object_set_new(res, "format", json_string(j->format));
    if (j->layout)
        json_object_set_new(res, "layout", json_string(j->layout->name));
    json_object_set_new(res, "lines", json_integer((json_int_t)j->lines));
    json_object_set_new(res, "accepted", json_integer((json_int_t)j->accepted));
    json_object_set_new(res, "duplicates", json_integer((json_int_t)j->duplicates));
    json_object_set_new(res, "rejected", json_integer((json_int_t)j->rejected));
    text = json_dumps(res, JSON_COMPACT);
    json_decref(res);
    size_t n = strlen(text);
    text = lt_realloc(text, n + 2);
    memcpy(text + n, "\n", 2);
    if (write_atomic(d->done, rname, text, n + 1) != LT_OK)
        goto out;
    sync_dir(d->done);
    if (rename(src, dst) != 0) {
        lt_error(COMP, "rename %s to %s: %s", src, dst, strerror(errno));
        goto out;
    }
    sync_dir(d->done);
    sync_dir(d->processing);
    char *prog = lt_asprintf("%s/.%s.progress", d->processing, j->name);
    unlink(prog);
    free(prog);
    rc = LT_OK;
out:
    free(etmp);
    free(edst);
    free(src);
    free(dst);
    free(text);
    return rc;
}

/* Reads processing/<name> to the end and moves it on. */
static void process(struct lt_dropdir *d, const char *name, int recovered)
{
    struct job *j = lt_calloc(1, sizeof *j);
    j->d = d;
    j->name = name;
    j->recovered = recovered;
    char *path = path_join(d->processing, name), *data = NULL;
    size_t len = 0;
    char err[512];
    enum outcome oc = OUT_ABORTED;
    int64_t t0 = lt_mono_ms();
    {
        /* A stale errors file of an interrupted pass: the lines are reported again. */
        char *etmp = lt_asprintf("%s/.%s.errors.jsonl", d->processing, name);
        unlink(etmp);
        free(etmp);
    }
    size_t nlen = strlen(name);
    if (nlen > 6 && !strcmp(name + nlen - 6, ".jsonl")) {
        j->format = "jsonl";
    } else {
        j->format = "csv";
        j->layout = lt_csv_layout_for_file(d->layouts, name);
        if (!j->layout) {
            char names[512] = "";
            size_t o = 0;
            for (size_t i = 0; d->layouts && d->layouts[i] && o + 1 < sizeof names; i++) {
                int w = snprintf(names + o, sizeof names - o, "%s%s", i ? ", " : "",
                                 d->layouts[i]->name);
                o += w > 0 ? (size_t)w : 0;
            }
            j->fail = single_error(0, NULL, "no_layout", "no CSV layout for this file name: it "
                                   "must be <layout>.csv or <layout>-<anything>.csv, layouts: %s",
                                   names[0] ? names : "(none: this agency reads JSON lines only)");
            oc = OUT_FAILED;
            goto out;
        }
    }
    if (!recovered && exists(d->done, name)) {
        j->fail = single_error(0, NULL, "name_reused", "a file named %s was already read (it is "
                               "in done/); lines are identified by file name and line number, "
                               "so every file needs a new name", name);
        oc = OUT_FAILED;
        goto out;
    }
    int rc = read_whole(path, &data, &len, err, sizeof err);
    if (rc == LT_ERR_INVALID) {
        j->fail = single_error(0, NULL, "too_large", "%s", err);
        oc = OUT_FAILED;
        goto out;
    }
    if (rc != LT_OK) {
        lt_error(COMP, "file %s: %s; it stays in processing/", name, err);
        goto out;
    }
    size_t bad = utf8_invalid_at((const unsigned char *)data, len);
    if (bad < len) {
        size_t line = line_of(data, bad);
        j->fail = single_error(line, NULL, "not_utf8", "line %zu: byte %zu (0x%02X) is %s; the "
                               "file must be UTF-8 text", line, bad + 1,
                               (unsigned char)data[bad],
                               data[bad] ? "not valid UTF-8" : "a NUL byte");
        oc = OUT_FAILED;
        goto out;
    }
    j->resume_line = recovered ? load_progress(d, name) : 0;
    rc = !strcmp(j->format, "jsonl") ? read_jsonl(j, data, len) : read_csv(j, data, len);
    if (j->fail)
        oc = OUT_FAILED;
    else if (rc == LT_OK)
        oc = finish(j) == LT_OK ? OUT_DONE : OUT_ABORTED;
out:
    batch_free(j);
    if (j->errors)
        fclose(j->errors);
    if (oc == OUT_FAILED) {
        char *etmp = lt_asprintf("%s/.%s.errors.jsonl", d->processing, name);
        char *prog = lt_asprintf("%s/.%s.progress", d->processing, name);
        unlink(etmp);
        unlink(prog);
        free(etmp);
        free(prog);
        to_failed(d, d->processing, name, j->fail);
        j->fail = NULL;
    } else if (oc == OUT_DONE) {
        lt_info(COMP, "file %s done: format=%s%s%s lines=%zu accepted=%zu duplicates=%zu "
                "rejected=%zu ms=%" PRId64 "%s", name, j->format, j->layout ? " layout=" : "",
                j->layout ? j->layout->name : "", j->lines, j->accepted, j->duplicates,
                j->rejected, lt_mono_ms() - t0, recovered ? " (re-read after a restart)" : "");
        if (!recovered && j->duplicates)
            lt_warn(COMP, "file %s: %zu line(s) were already journaled under the same source "
                    "ids: was a file name used twice?", name, j->duplicates);
    } else {
        size_t upto = j->journaled > j->resume_line ? j->journaled : j->resume_line;
        lt_warn(COMP, "file %s interrupted with lines up to %zu journaled; it stays in "
                "processing/ and is read again at the next start", name, upto);
    }
    json_decref(j->fail);
    lt_csv_map_free(j->map);
    free(data);
    free(path);
    free(j);
}

/* ---- the folders -------------------------------------------------------- */

/* 1 for a name the drop folder reads: *.jsonl or *.csv, not hidden, UTF-8. */
static int input_name(const char *name)
{
    size_t n = strlen(name);
    if (name[0] == '.' || utf8_invalid_at((const unsigned char *)name, n) < n)
        return 0; /* hidden, or a name no report could carry */
    return (n > 6 && !strcmp(name + n - 6, ".jsonl")) || (n > 4 && !strcmp(name + n - 4, ".csv"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The input files of dir, sorted; *n of them. Caller frees each and the array. */
static char **list_inputs(const char *dir, size_t *n)
{
    *n = 0;
    DIR *dh = opendir(dir);
    if (!dh) {
        lt_error(COMP, "opendir %s: %s", dir, strerror(errno));
        return NULL;
    }
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dh))) {
        if (!input_name(de->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            v = lt_realloc(v, cap * sizeof *v);
        }
        v[(*n)++] = lt_strdup(de->d_name);
    }
    closedir(dh);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* Start-up: files left in processing/ are read again; stray dot files of
 * files no longer there are removed. */
static void recover(struct lt_dropdir *d)
{
    DIR *dh = opendir(d->processing);
    if (dh) {
        struct dirent *de;
        while ((de = readdir(dh))) {
            const char *nm = de->d_name;
            size_t l = strlen(nm);
            const char *base_end = NULL;
            if (nm[0] != '.')
                continue;
            if (l > 9 && !strcmp(nm + l - 9, ".progress"))
                base_end = nm + l - 9;
            else if (l > 13 && !strcmp(nm + l - 13, ".errors.jsonl"))
                base_end = nm + l - 13;
            else if (l > 4 && !strcmp(nm + l - 4, ".tmp"))
                base_end = nm + 1; /* always stale */
            if (!base_end)
                continue;
            char *base = lt_strndup(nm + 1, (size_t)(base_end - nm - 1));
            if (base_end == nm + 1 || !exists(d->processing, base)) {
                char *p = path_join(d->processing, nm);
                unlink(p);
                free(p);
            }
            free(base);
        }
        closedir(dh);
    }
    size_t n;
    char **names = list_inputs(d->processing, &n);
    if (n)
        lt_info(COMP, "%zu file(s) left in processing/ by an earlier run: reading them again", n);
    for (size_t i = 0; i < n; i++) {
        if (!stopping(d) && !d->broken)
            process(d, names[i], 1);
        free(names[i]);
    }
    free(names);
}

/* One look at inbox/: takes every file that is ready, in name order. */
static void scan(struct lt_dropdir *d)
{
    size_t n;
    char **names = list_inputs(d->inbox, &n);
    int64_t now = lt_mono_ms();
    for (struct seen *s = d->seen; s; s = s->hh.next)
        s->marked = 0;
    for (size_t i = 0; i < n; i++) {
        char *p = path_join(d->inbox, names[i]);
        struct stat st;
        int ok = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
        free(p);
        struct seen *s = NULL;
        HASH_FIND_STR(d->seen, names[i], s);
        if (!ok) {
            free(names[i]);
            names[i] = NULL;
            continue;
        }
        if (!s) {
            s = lt_calloc(1, sizeof *s);
            s->name = lt_strdup(names[i]);
            HASH_ADD_KEYPTR(hh, d->seen, s->name, strlen(s->name), s);
            s->since_ms = now;
        } else if (s->size != st.st_size || s->mtime.tv_sec != st.st_mtim.tv_sec ||
                   s->mtime.tv_nsec != st.st_mtim.tv_nsec) {
            s->since_ms = now;
        }
        s->size = st.st_size;
        s->mtime = st.st_mtim;
        s->marked = 1;
        if (now - s->since_ms < d->poll_ms) {
            free(names[i]); /* still changing, or just arrived */
            names[i] = NULL;
        }
    }
    struct seen *s, *tmp;
    HASH_ITER(hh, d->seen, s, tmp) {
        if (!s->marked) {
            HASH_DEL(d->seen, s);
            free(s->name);
            free(s);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!names[i])
            continue;
        if (!stopping(d) && !d->broken) {
            HASH_FIND_STR(d->seen, names[i], s);
            if (exists(d->processing, names[i])) {
                if (s && !s->warned)
                    lt_warn(COMP, "file %s waits in inbox/: a file of that name is still in "
                            "processing/", names[i]);
                if (s)
                    s->warned = 1;
            } else {
                char *src = path_join(d->inbox, names[i]);
                char *dst = path_join(d->processing, names[i]);
                if (rename(src, dst) == 0) {
                    sync_dir(d->processing);
                    sync_dir(d->inbox);
                    if (s) {
                        HASH_DEL(d->seen, s);
                        free(s->name);
                        free(s);
                    }
                    process(d, names[i], 0);
                } else if (errno != ENOENT) {
                    lt_error(COMP, "rename %s to %s: %s", src, dst, strerror(errno));
                }
                free(src);
                free(dst);
            }
        }
        free(names[i]);
    }
    free(names);
}

static void *run(void *arg)
{
    struct lt_dropdir *d = arg;
    recover(d);
    while (!stopping(d)) {
        if (!d->broken)
            scan(d);
        nap(d, d->poll_ms);
    }
    return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

static void dropdir_free(struct lt_dropdir *d)
{
    struct seen *s, *tmp;
    HASH_ITER(hh, d->seen, s, tmp) {
        HASH_DEL(d->seen, s);
        free(s->name);
        free(s);
    }
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->wake);
    free(d->inbox);
    free(d->processing);
    free(d->done);
    free(d->failed);
    free(d);
}

int lt_dropdir_start(struct lt_publisher *pub, const char *dir,
                     const struct lt_csv_layout *const *layouts, int poll_ms,
                     struct lt_dropdir **out, char *err, size_t errlen)
{
    *out = NULL;
    if (poll_ms < 10 || poll_ms > 3600000)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "drop folder poll interval %d ms is "
                          "outside 10 … 3600000", poll_ms);
    for (size_t i = 0; layouts && layouts[i]; i++) {
        int rc = lt_csv_layout_check(layouts[i], err, errlen);
        if (rc != LT_OK)
            return rc;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(layouts[k]->name, layouts[i]->name))
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "two CSV layouts are named %s",
                                  layouts[i]->name);
    }
    int rc = make_dir(dir, err, errlen);
    if (rc != LT_OK)
        return rc;
    struct lt_dropdir *d = lt_calloc(1, sizeof *d);
    d->pub = pub;
    d->layouts = layouts;
    d->poll_ms = poll_ms;
    d->inbox = path_join(dir, "inbox");
    d->processing = path_join(dir, "processing");
    d->done = path_join(dir, "done");
    d->failed = path_join(dir, "failed");
    pthread_mutex_init(&d->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &ca);
    pthread_condattr_destroy(&ca);
    if ((rc = make_dir(d->inbox, err, errlen)) != LT_OK ||
        (rc = make_dir(d->processing, err, errlen)) != LT_OK ||
        (rc = make_dir(d->done, err, errlen)) != LT_OK ||
        (rc = make_dir(d->failed, err, errlen)) != LT_OK)
        goto fail;
    if (pthread_create(&d->thread, NULL, run, d) != 0) {
        rc = lt_err_set(err, errlen, LT_ERR_IO, "cannot start the drop folder thread");
        goto fail;
    }
    lt_info(COMP, "watching %s every %d ms (%s)", d->inbox, poll_ms,
            layouts && layouts[0] ? "JSON lines and CSV" : "JSON lines");
    *out = d;
    return LT_OK;
fail:
    dropdir_free(d);
    return rc;
}

void lt_dropdir_stop(struct lt_dropdir *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->stop = 1;
    pthread_cond_broadcast(&d->wake);
    pthread_mutex_unlock(&d->lock);
    pthread_join(d->thread, NULL);
    dropdir_free(d);
}
