/* csv.c — agency CSV exports into Event JSON (see csv.h).
 *
 * Two halves: an RFC 4180 record reader over a buffer, and the conversion of
 * a record through a layout. The conversion never hard-codes a message: it
 * walks protobuf-c's descriptors along each column's JSON path, both to
 * check a layout once (field exists, kind fits its type) and to find what a
 * cell must become (64-bit integers as strings, the enum whose names an
 * ENUM cell is matched against). */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/date.h"
#include "core/err.h"
#include "core/mem.h"
#include "event/pbjson.h"
#include "lienthong/v1/event.pb-c.h"
#include "publish/csv.h"

#define PATH_SEG_MAX 64   /* longest JSON name of one path segment */
#define INDEX_MAX 99      /* highest array index a path may name */
#define ENUM_NAME_MAX 128

/* ---- errors ------------------------------------------------------------- */

void lt_csv_errors_init(struct lt_csv_errors *e)
{
    e->count = 0;
    e->n_stored = 0;
}

static void add_error(struct lt_csv_errors *e, size_t line, const char *column, const char *code,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Records one error; the message is "line N, column C: " + fmt (or
 * "line N: " + fmt when column is NULL or ""). */
static void add_error(struct lt_csv_errors *e, size_t line, const char *column, const char *code,
                      const char *fmt, ...)
{
    if (!e)
        return;
    e->count++;
    if (e->n_stored >= LT_CSV_MAX_ERRORS)
        return;
    struct lt_csv_error *it = &e->items[e->n_stored++];
    it->line = line;
    it->code = code;
    snprintf(it->column, sizeof it->column, "%s", column ? column : "");
    int n;
    if (column && *column)
        n = snprintf(it->message, sizeof it->message, "line %zu, column %s: ", line, column);
    else
        n = snprintf(it->message, sizeof it->message, "line %zu: ", line);
    if (n < 0 || (size_t)n >= sizeof it->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->message + n, sizeof it->message - (size_t)n, fmt, ap);
    va_end(ap);
}

json_t *lt_csv_errors_to_json(const struct lt_csv_errors *e)
{
    json_t *a = json_array();
    for (size_t i = 0; i < e->n_stored; i++) {
        const struct lt_csv_error *it = &e->items[i];
        json_t *o = json_object();
        if (it->column[0])
            json_object_set_new(o, "column", json_string(it->column));
        json_object_set_new(o, "code", json_string(it->code));
        /* Messages quote cells; a cell that is not UTF-8 must not make the
         * whole report vanish. */
        json_t *msg = json_string(it->message);
        json_object_set_new(o, "message", msg ? msg : json_string("(message not UTF-8)"));
        json_array_append_new(a, o);
    }
    return a;
}

/* A cell quoted for a message: at most 40 bytes, cut at a character
 * boundary, with "…" when cut. */
static const char *quote_cell(const char *s, char *buf, size_t cap)
{
    size_t n = strlen(s), max = cap > 8 ? cap - 6 : 0;
    if (max > 40)
        max = 40;
    if (n <= max) {
        snprintf(buf, cap, "%s", s);
        return buf;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    snprintf(buf, cap, "%.*s…", (int)max, s);
    return buf;
}

/* ---- the reader --------------------------------------------------------- */

struct lt_csv_reader {
    const char *data;
    size_t len, pos;
    size_t line;         /* physical line of data[pos] */
    char *buf;           /* the current record's cells, NUL-separated */
    size_t buf_len, buf_cap;
    size_t *starts;      /* offset of each cell in buf */
    char **cells;
    size_t n_cells, cells_cap;
};

struct lt_csv_reader *lt_csv_reader_new(const char *data, size_t len)
{
    struct lt_csv_reader *r = lt_calloc(1, sizeof *r);
    r->data = data;
    r->len = len;
    r->line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3; /* UTF-8 byte order mark, as spreadsheet programs write it */
    return r;
}

void lt_csv_reader_free(struct lt_csv_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->starts);
    free(r->cells);
    free(r);
}

static void buf_put(struct lt_csv_reader *r, char c)
{
    if (r->buf_len == r->buf_cap) {
        r->buf_cap = r->buf_cap ? 2 * r->buf_cap : 256;
        r->buf = lt_realloc(r->buf, r->buf_cap);
    }
    r->buf[r->buf_len++] = c;
}

static void cell_begin(struct lt_csv_reader *r)
{
    if (r->n_cells == r->cells_cap) {
        r->cells_cap = r->cells_cap ? 2 * r->cells_cap : 16;
        r->starts = lt_realloc(r->starts, r->cells_cap * sizeof *r->starts);
        r->cells = lt_realloc(r->cells, r->cells_cap * sizeof *r->cells);
    }
    r->starts[r->n_cells++] = r->buf_len;
}

/* 1 when data[pos] starts a line break (LF or CRLF); *n its length. */
static int at_break(const struct lt_csv_reader *r, size_t pos, size_t *n)
{
    if (pos < r->len && r->data[pos] == '\n') {
        *n = 1;
        return 1;
    }
    if (pos + 1 < r->len && r->data[pos] == '\r' && r->data[pos + 1] == '\n') {
        *n = 2;
        return 1;
    }
    return 0;
}

/* After an error: move past the end of the physical line at pos. */
static void skip_line(struct lt_csv_reader *r)
{
    const char *nl = r->pos < r->len ? memchr(r->data + r->pos, '\n', r->len - r->pos) : NULL;
    if (nl) {
        r->pos = (size_t)(nl - r->data) + 1;
        r->line++;
    } else {
        r->pos = r->len;
    }
}

int lt_csv_next(struct lt_csv_reader *r, struct lt_csv_record *rec, struct lt_csv_errors *errs)
{
    size_t brk;
    /* Entirely empty lines separate nothing: skip them. */
    while (at_break(r, r->pos, &brk)) {
        r->pos += brk;
        r->line++;
    }
    rec->line = r->line;
    rec->n = 0;
    rec->cells = NULL;
    if (r->pos >= r->len)
        return 0;

    r->buf_len = 0;
    r->n_cells = 0;
    for (;;) {
        cell_begin(r);
        if (r->pos < r->len && r->data[r->pos] == '"') {
            size_t opened = r->line;
            r->pos++;
            for (;;) {
                if (r->pos >= r->len) {
                    add_error(errs, rec->line, NULL, LT_CSV_E_MALFORMED,
                              "the quoted cell opened on line %zu is never closed", opened);
                    return LT_ERR_INVALID;
                }
                char c = r->data[r->pos];
                if (c == '"') {
                    if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
                        buf_put(r, '"');
                        r->pos += 2;
                        continue;
                    }
                    r->pos++;
                    break;
                }
                if (c == '\0') {
                    add_error(errs, rec->line, NULL, LT_CSV_E_MALFORMED, "NUL byte in a cell");
                    skip_line(r);
                    return LT_ERR_INVALID;
                }
                if (c == '\n')
                    r->line++;
                buf_put(r, c);
                r->pos++;
            }
            if (r->pos < r->len && r->data[r->pos] != ',' && !at_break(r, r->pos, &brk)) {
                add_error(errs, rec->line, NULL, LT_CSV_E_MALFORMED,
                          "text after the closing quote of cell %zu (a quote inside a cell "
                          "is written twice: \"\")", r->n_cells);
                skip_line(r);
                return LT_ERR_INVALID;
            }
        } else {
            while (r->pos < r->len && r->data[r->pos] != ',' && !at_break(r, r->pos, &brk)) {
                char c = r->data[r->pos];
                if (c == '"') {
                    add_error(errs, rec->line, NULL, LT_CSV_E_MALFORMED,
                              "a quote inside unquoted cell %zu (quote the whole cell and "
                              "write the quote twice: \"\")", r->n_cells);
                    skip_line(r);
                    return LT_ERR_INVALID;
                }
                if (c == '\0') {
                    add_error(errs, rec->line, NULL, LT_CSV_E_MALFORMED, "NUL byte in a cell");
                    skip_line(r);
                    return LT_ERR_INVALID;
                }
                buf_put(r, c);
                r->pos++;
            }
        }
        buf_put(r, '\0');
        if (r->pos < r->len && r->data[r->pos] == ',') {
            r->pos++;
            continue;
        }
        if (at_break(r, r->pos, &brk)) {
            r->pos += brk;
            r->line++;
        }
        break; /* end of line or of data */
    }
    for (size_t i = 0; i < r->n_cells; i++)
        r->cells[i] = r->buf + r->starts[i];
    rec->n = r->n_cells;
    rec->cells = r->cells;
    return 1;
}

/* ---- JSON paths through the descriptors --------------------------------- */

struct seg {
    const char *name;
    size_t len;
    long index; /* -1: none */
    int last;
};

/* Splits the next segment off *p. Returns 1 with *s filled, 0 at the end,
 * -1 for a malformed segment (empty name, bad index). */
static int next_seg(const char **p, struct seg *s)
{
    const char *q = *p;
    if (!*q)
        return 0;
    const char *end = strchr(q, '.');
    if (!end)
        end = q + strlen(q);
    const char *br = memchr(q, '[', (size_t)(end - q));
    s->name = q;
    s->len = (size_t)((br ? br : end) - q);
    s->index = -1;
    s->last = *end == '\0';
    if (s->len == 0 || s->len >= PATH_SEG_MAX)
        return -1;
    if (br) {
        const char *d = br + 1;
        long v = 0;
        if (d >= end || *d < '0' || *d > '9')
            return -1;
        while (d < end && *d >= '0' && *d <= '9') {
            v = v * 10 + (*d - '0');
            if (v > INDEX_MAX)
                return -1;
            d++;
        }
        if (d + 1 != end || *d != ']')
            return -1;
        s->index = v;
    }
    *p = *end ? end + 1 : end;
    return 1;
}

static const ProtobufCFieldDescriptor *field_by_json_name(const ProtobufCMessageDescriptor *d,
                                                          const char *name, size_t len)
{
    char buf[PATH_SEG_MAX + 8];
    for (unsigned i = 0; i < d->n_fields; i++) {
        size_t n = lt_pbjson_json_name(d->fields[i].name, buf, sizeof buf);
        if (n == len && memcmp(buf, name, len) == 0)
            return &d->fields[i];
    }
    return NULL;
}

/* The leaf field a JSON path names in Event, or NULL with a reason in err. */
static const ProtobufCFieldDescriptor *resolve_path(const char *path, char *err, size_t errlen)
{
    const ProtobufCMessageDescriptor *d = &lienthong__v1__event__descriptor;
    const ProtobufCFieldDescriptor *f = NULL;
    const char *p = path;
    struct seg s;
    int got;
    while ((got = next_seg(&p, &s)) == 1) {
        if (!d) {
            lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\": %s is not a message", path,
                       f ? f->name : "?");
            return NULL;
        }
        f = field_by_json_name(d, s.name, s.len);
        if (!f) {
            lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\": %s has no field \"%.*s\"", path,
                       d->name, (int)s.len, s.name);
            return NULL;
        }
        if (s.index >= 0 && (f->label != PROTOBUF_C_LABEL_REPEATED ||
                             f->type != PROTOBUF_C_TYPE_MESSAGE)) {
            lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\": an index on %s, which is not a "
                       "repeated message", path, f->name);
            return NULL;
        }
        if (!s.last && s.index < 0 && f->label == PROTOBUF_C_LABEL_REPEATED) {
            lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\": repeated %s needs an index ([0])",
                       path, f->name);
            return NULL;
        }
        if (s.last) {
            if (s.index >= 0) {
                lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\": the last segment cannot carry "
                           "an index", path);
                return NULL;
            }
            return f;
        }
        d = f->type == PROTOBUF_C_TYPE_MESSAGE ? f->descriptor : NULL;
    }
    lt_err_set(err, errlen, LT_ERR_CONFIG, "\"%s\" is not a JSON path (name.name[0].name)", path);
    return NULL;
}

static int is_int32_type(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_INT32 || t == PROTOBUF_C_TYPE_SINT32 ||
           t == PROTOBUF_C_TYPE_SFIXED32 || t == PROTOBUF_C_TYPE_UINT32 ||
           t == PROTOBUF_C_TYPE_FIXED32;
}

static int is_int64_type(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_INT64 || t == PROTOBUF_C_TYPE_SINT64 ||
           t == PROTOBUF_C_TYPE_SFIXED64 || t == PROTOBUF_C_TYPE_UINT64 ||
           t == PROTOBUF_C_TYPE_FIXED64;
}

static int is_unsigned_type(ProtobufCType t)
{
    return t == PROTOBUF_C_TYPE_UINT32 || t == PROTOBUF_C_TYPE_FIXED32 ||
           t == PROTOBUF_C_TYPE_UINT64 || t == PROTOBUF_C_TYPE_FIXED64;
}

/* 1 when a column of kind k can fill field f. */
static int kind_fits(enum lt_csv_kind k, const ProtobufCFieldDescriptor *f)
{
    int rep = f->label == PROTOBUF_C_LABEL_REPEATED;
    switch (k) {
    case LT_CSV_STRING:
        return !rep && f->type == PROTOBUF_C_TYPE_STRING;
    case LT_CSV_INT:
        return !rep && (is_int32_type(f->type) || is_int64_type(f->type) ||
                        f->type == PROTOBUF_C_TYPE_BOOL);
    case LT_CSV_ENUM:
        return !rep && f->type == PROTOBUF_C_TYPE_ENUM;
    case LT_CSV_LIST:
        return rep && (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_ENUM);
    case LT_CSV_LOCAL_TIME:
        return !rep && is_int64_type(f->type);
    }
    return 0;
}

static const char *kind_name(enum lt_csv_kind k)
{
    switch (k) {
    case LT_CSV_STRING: return "STRING";
    case LT_CSV_INT: return "INT";
    case LT_CSV_ENUM: return "ENUM";
    case LT_CSV_LIST: return "LIST";
    case LT_CSV_LOCAL_TIME: return "LOCAL_TIME";
    }
    return "?";
}

/* 1 when path is the first segment `prefix` or starts with "prefix." / "prefix[". */
static int path_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(path, prefix, n) == 0 && (path[n] == '.' || path[n] == '[' || !path[n]);
}

int lt_csv_layout_check(const struct lt_csv_layout *l, char *err, size_t errlen)
{
    static const char *const owned[] = {
        "header.eventId", "header.agencyCode", "header.sequence", "header.prevHash",
        "header.recordedAtMs", "header.schemaVersion",
    };
    if (!l || !l->name || !*l->name || !l->event_type || !l->columns || !l->n_columns)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "a CSV layout needs a name, an event "
                          "type and columns");
    for (const char *c = l->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\": a name is "
                              "[a-z0-9_-] (it is a file-name prefix)", l->name);
    const ProtobufCFieldDescriptor *body = NULL;
    const ProtobufCMessageDescriptor *ev = &lienthong__v1__event__descriptor;
    for (unsigned i = 0; i < ev->n_fields; i++)
        if (!strcmp(ev->fields[i].name, l->event_type) &&
            (ev->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
            body = &ev->fields[i];
    if (!body)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\": \"%s\" is not a body "
                          "case of lienthong.v1.Event", l->name, l->event_type);
    char body_json[PATH_SEG_MAX];
    lt_pbjson_json_name(body->name, body_json, sizeof body_json);

    for (size_t i = 0; i < l->n_columns; i++) {
        const struct lt_csv_column *c = &l->columns[i];
        if (!c->header || !*c->header || strlen(c->header) >= LT_CSV_COLUMN_MAX || !c->json_path)
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\": column %zu has "
                              "no header, a header of %d bytes or more, or no path", l->name,
                              i + 1, LT_CSV_COLUMN_MAX);
        if (!path_under(c->json_path, "header") && !path_under(c->json_path, body_json))
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\", column %s: \"%s\" "
                              "is neither under header nor under %s", l->name, c->header,
                              c->json_path, body_json);
        for (size_t k = 0; k < sizeof owned / sizeof owned[0]; k++)
            if (!strcmp(c->json_path, owned[k]))
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\", column %s: "
                                  "%s is set by the agency service, not by an input", l->name,
                                  c->header, c->json_path);
        char why[256];
        const ProtobufCFieldDescriptor *f = resolve_path(c->json_path, why, sizeof why);
        if (!f)
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\", column %s: %s",
                              l->name, c->header, why);
        if (!kind_fits(c->kind, f))
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\", column %s: kind %s "
                              "does not fit %s%s field %s", l->name, c->header,
                              kind_name(c->kind),
                              f->label == PROTOBUF_C_LABEL_REPEATED ? "repeated " : "",
                              f->type == PROTOBUF_C_TYPE_MESSAGE ? "message" : "scalar", f->name);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(l->columns[j].json_path, c->json_path))
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "CSV layout \"%s\": columns %s "
                                  "and %s both fill %s", l->name, l->columns[j].header,
                                  c->header, c->json_path);
    }
    return LT_OK;
}

const struct lt_csv_layout *lt_csv_layout_for_file(const struct lt_csv_layout *const *layouts,
                                                   const char *file_name)
{
    const struct lt_csv_layout *best = NULL;
    size_t flen = strlen(file_name);
    if (flen < 4 || strcmp(file_name + flen - 4, ".csv") != 0)
        return NULL;
    for (size_t i = 0; layouts && layouts[i]; i++) {
        const char *name = layouts[i]->name;
        size_t n = strlen(name);
        if (flen < n + 4 || strncmp(file_name, name, n) != 0)
            continue;
        if (file_name[n] != '.' && file_name[n] != '-')
            continue;
        if (file_name[n] == '.' && flen != n + 4)
            continue; /* "<name>.x.csv" is not "<name>.csv" */
        if (!best || n > strlen(best->name))
            best = layouts[i];
    }
    return best;
}

/* ---- the map of a file's header onto a layout ---------------------------- */

struct map_col {
    const struct lt_csv_column *c;
    const ProtobufCFieldDescriptor *f; /* the leaf field */
    long cell;                         /* its index in a record; -1: not in the file */
};

struct lt_csv_map {
    const struct lt_csv_layout *l;
    size_t header_line;
    size_t n_cells;        /* cells in the header */
    struct map_col *cols;  /* one per layout column */
    const char **cell_col; /* header name of each cell (the layout's string) */
};

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

int lt_csv_map_new(const struct lt_csv_layout *l, const struct lt_csv_record *header,
                   struct lt_csv_map **out, struct lt_csv_errors *errs)
{
    *out = NULL;
    char why[320];
    if (lt_csv_layout_check(l, why, sizeof why) != LT_OK) {
        add_error(errs, header->line, NULL, LT_CSV_E_LAYOUT, "%s", why);
        return LT_ERR_CONFIG;
    }
    struct lt_csv_map *m = lt_calloc(1, sizeof *m);
    m->l = l;
    m->header_line = header->line;
    m->n_cells = header->n;
    m->cols = lt_calloc(l->n_columns, sizeof *m->cols);
    m->cell_col = lt_calloc(header->n, sizeof *m->cell_col);
    for (size_t i = 0; i < l->n_columns; i++) {
        m->cols[i].c = &l->columns[i];
        m->cols[i].f = resolve_path(l->columns[i].json_path, NULL, 0);
        m->cols[i].cell = -1;
        assert(m->cols[i].f); /* lt_csv_layout_check resolved it */
    }
    int bad = 0;
    for (size_t k = 0; k < header->n; k++) {
        const char *h = header->cells[k];
        size_t n = strlen(h);
        trim(&h, &n);
        char q[64];
        if (n == 0) {
            add_error(errs, header->line, NULL, LT_CSV_E_UNKNOWN_COLUMN,
                      "column %zu of the header has no name", k + 1);
            bad = 1;
            continue;
        }
        int found = 0;
        for (size_t i = 0; i < l->n_columns; i++) {
            if (strlen(l->columns[i].header) != n || memcmp(l->columns[i].header, h, n) != 0)
                continue;
            found = 1;
            if (m->cols[i].cell >= 0) {
                add_error(errs, header->line, l->columns[i].header, LT_CSV_E_DUPLICATE_COLUMN,
                          "the header names this column twice (cells %ld and %zu)",
                          m->cols[i].cell + 1, k + 1);
                bad = 1;
                break;
            }
            m->cols[i].cell = (long)k;
            m->cell_col[k] = l->columns[i].header;
        }
        if (!found) {
            char name[LT_CSV_COLUMN_MAX];
            snprintf(name, sizeof name, "%.*s", (int)n, h);
            add_error(errs, header->line, name, LT_CSV_E_UNKNOWN_COLUMN,
                      "layout \"%s\" has no column \"%s\"", l->name,
                      quote_cell(name, q, sizeof q));
            bad = 1;
        }
    }
    for (size_t i = 0; i < l->n_columns; i++)
        if (l->columns[i].required && m->cols[i].cell < 0) {
            /* Several layout columns may share a header; report a name once. */
            int dup = 0;
            for (size_t j = 0; j < i; j++)
                dup |= l->columns[j].required && m->cols[j].cell < 0 &&
                       !strcmp(l->columns[j].header, l->columns[i].header);
            if (!dup)
                add_error(errs, header->line, l->columns[i].header, LT_CSV_E_MISSING_COLUMN,
                          "required column missing from the header (layout \"%s\")", l->name);
            bad = 1;
        }
    if (bad) {
        lt_csv_map_free(m);
        return LT_ERR_INVALID;
    }
    *out = m;
    return LT_OK;
}

void lt_csv_map_free(struct lt_csv_map *m)
{
    if (!m)
        return;
    free(m->cols);
    free(m->cell_col);
    free(m);
}

/* A column at col feeds path when one is inside the other: "header.subject"
 * holds the nationality column; "…wantedCountries[1]" is inside the
 * wanted_countries column. */
static int path_related(const char *col, const char *path)
{
    return path_under(col, path) || path_under(path, col);
}

size_t lt_csv_map_columns_for(const struct lt_csv_map *m, const char *path, char *buf, size_t cap)
{
    size_t named = 0, len = 0;
    if (cap)
        buf[0] = '\0';
    for (size_t i = 0; i < m->l->n_columns; i++) {
        const struct map_col *mc = &m->cols[i];
        if (mc->cell < 0 || !path || !*path || !path_related(mc->c->json_path, path))
            continue;
        /* A header shared by two paths is named once. */
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= m->cols[j].cell >= 0 && path_related(m->cols[j].c->json_path, path) &&
                    !strcmp(m->cols[j].c->header, mc->c->header);
        if (seen)
            continue;
        int n = snprintf(buf + len, cap > len ? cap - len : 0, "%s%s", named ? ", " : "",
                         mc->c->header);
        if (n > 0)
            len = len + (size_t)n < cap ? len + (size_t)n : (cap ? cap - 1 : 0);
        named++;
    }
    return named;
}

/* ---- cells -------------------------------------------------------------- */

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int lt_csv_parse_local_time(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    trim(&s, &n);
    if (n != 10 && n != 16 && n != 19)
        return LT_ERR_INVALID;
    char date[LT_DATE_STRLEN + 1];
    memcpy(date, s, LT_DATE_STRLEN);
    date[LT_DATE_STRLEN] = '\0';
    int32_t day;
    if (lt_date_parse(date, &day, NULL, 0) != LT_OK)
        return LT_ERR_INVALID;
    int h = 0, mi = 0, sec = 0;
    if (n >= 16) {
        if ((s[10] != ' ' && s[10] != 'T') || !digits(s + 11, 2) || s[13] != ':' ||
            !digits(s + 14, 2))
            return LT_ERR_INVALID;
        h = num(s + 11, 2);
        mi = num(s + 14, 2);
        if (n == 19) {
            if (s[16] != ':' || !digits(s + 17, 2))
                return LT_ERR_INVALID;
            sec = num(s + 17, 2);
        }
        if (h > 23 || mi > 59 || sec > 59)
            return LT_ERR_INVALID;
    }
    *ms = lt_date_vn_midnight_ms(day) + ((int64_t)h * 3600 + mi * 60 + sec) * 1000;
    return LT_OK;
}

/* Normalises an enum cell: ASCII upper case, '-' and ' ' as '_', Đ/đ as D.
 * Returns 0 when it does not fit. */
static int enum_norm(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char w;
        if (c == 0xC4 && i + 1 < n && ((unsigned char)s[i + 1] == 0x90 ||
                                       (unsigned char)s[i + 1] == 0x91)) {
            w = 'D'; /* Đ U+0110, đ U+0111: symbols are spelled without diacritics */
            i++;
        } else if (c >= 'a' && c <= 'z') {
            w = (char)(c - 'a' + 'A');
        } else if (c == '-' || c == ' ') {
            w = '_';
        } else {
            w = (char)c;
        }
        if (o + 1 >= cap)
            return 0;
        out[o++] = w;
    }
    out[o] = '\0';
    return 1;
}

/* The prefix of ed's value names: the name of value 0 without
 * "UNSPECIFIED" (enums.proto: value 0 is always <ENUM>_UNSPECIFIED), into
 * buf. Returns 0 when the enum does not follow that rule. */
static int enum_prefix(const ProtobufCEnumDescriptor *ed, char *buf, size_t cap)
{
    static const char unspec[] = "UNSPECIFIED";
    const ProtobufCEnumValue *zero = protobuf_c_enum_descriptor_get_value(ed, 0);
    if (!zero)
        return 0;
    size_t zl = strlen(zero->name), ul = sizeof unspec - 1;
    if (zl <= ul || strcmp(zero->name + zl - ul, unspec) != 0 || zl - ul >= cap)
        return 0;
    snprintf(buf, cap, "%.*s", (int)(zl - ul), zero->name);
    return 1;
}

/* The value a cell names, in full or without the enum's prefix; NULL if
 * none. Only an enum that breaks the naming rule (none in the contract) is
 * matched by a unique suffix instead. */
static const ProtobufCEnumValue *enum_lookup(const ProtobufCEnumDescriptor *ed, const char *s,
                                             size_t n)
{
    char norm[ENUM_NAME_MAX], prefix[ENUM_NAME_MAX], full[2 * ENUM_NAME_MAX];
    if (n == 0 || !enum_norm(s, n, norm, sizeof norm))
        return NULL;
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(ed, norm);
    if (v)
        return v;
    if (enum_prefix(ed, prefix, sizeof prefix)) {
        snprintf(full, sizeof full, "%s%s", prefix, norm);
        return protobuf_c_enum_descriptor_get_value_by_name(ed, full);
    }
    const ProtobufCEnumValue *hit = NULL;
    size_t nl = strlen(norm);
    for (unsigned i = 0; i < ed->n_values; i++) {
        const char *name = ed->values[i].name;
        size_t l = strlen(name);
        if (l > nl && name[l - nl - 1] == '_' && !strcmp(name + l - nl, norm)) {
            if (hit)
                return NULL;
            hit = &ed->values[i];
        }
    }
    return hit;
}

/* The short forms of ed's values, for error messages (cut with "…" when
 * they do not fit). */
static const char *enum_hint(const ProtobufCEnumDescriptor *ed, char *buf, size_t cap)
{
    char prefix[ENUM_NAME_MAX];
    size_t pl = enum_prefix(ed, prefix, sizeof prefix) ? strlen(prefix) : 0;
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < ed->n_values; i++) {
        if (ed->values[i].value == 0)
            continue;
        const char *name = ed->values[i].name;
        if (pl && !strncmp(name, prefix, pl))
            name += pl;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", name);
        if (w < 0 || (size_t)w >= cap - len) {
            /* Does not fit: end with an ellipsis where the last one fitted. */
            if (cap - len > 0)
                buf[len] = '\0';
            snprintf(buf + len, cap - len, "%s", cap - len > 6 ? ", …" : "");
            break;
        }
        len += (size_t)w;
    }
    return buf;
}

/* Parses an integer cell for field type t into a JSON value; NULL with why. */
static json_t *int_value(const char *s, size_t n, ProtobufCType t, const char **why)
{
    if (t == PROTOBUF_C_TYPE_BOOL) {
        if ((n == 1 && s[0] == '1') || (n == 4 && !strncasecmp(s, "true", 4)))
            return json_true();
        if ((n == 1 && s[0] == '0') || (n == 5 && !strncasecmp(s, "false", 5)))
            return json_false();
        *why = "bool";
        return NULL;
    }
    int neg = n > 0 && s[0] == '-';
    if (!digits(s + neg, n - (size_t)neg) || n - (size_t)neg > 20) {
        *why = "syntax";
        return NULL;
    }
    if (neg && is_unsigned_type(t)) {
        *why = "range";
        return NULL;
    }
    char tmp[24];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    char buf[32];
    if (neg) {
        long long v = strtoll(tmp, NULL, 10);
        if (errno == ERANGE || (is_int32_type(t) && v < INT32_MIN)) {
            *why = "range";
            return NULL;
        }
        if (is_int32_type(t))
            return json_integer((json_int_t)v);
        snprintf(buf, sizeof buf, "%lld", v);
        return json_string(buf);
    }
    unsigned long long v = strtoull(tmp, NULL, 10);
    if (errno == ERANGE || (is_int32_type(t) && v > (is_unsigned_type(t) ? UINT32_MAX
                                                                         : (unsigned)INT32_MAX)) ||
        (!is_unsigned_type(t) && v > (unsigned long long)INT64_MAX)) {
        *why = "range";
        return NULL;
    }
    if (is_int32_type(t))
        return json_integer((json_int_t)v);
    snprintf(buf, sizeof buf, "%llu", v);
    return json_string(buf);
}

/* Sets value (stolen) at path in root, creating objects and array elements
 * on the way. Paths were checked by lt_csv_layout_check. */
static void put_value(json_t *root, const char *path, json_t *value)
{
    json_t *cur = root;
    const char *p = path;
    struct seg s;
    char name[PATH_SEG_MAX];
    while (next_seg(&p, &s) == 1) {
        snprintf(name, sizeof name, "%.*s", (int)s.len, s.name);
        if (s.last) {
            json_object_set_new(cur, name, value);
            return;
        }
        json_t *child = json_object_get(cur, name);
        if (s.index < 0) {
            if (!child) {
                child = json_object();
                json_object_set_new(cur, name, child);
            }
            cur = child;
            continue;
        }
        if (!child) {
            child = json_array();
            json_object_set_new(cur, name, child);
        }
        while (json_array_size(child) <= (size_t)s.index)
            json_array_append_new(child, json_object());
        cur = json_array_get(child, (size_t)s.index);
    }
    json_decref(value); /* not reached for a checked path */
}

/* Converts one non-empty cell (trimmed unless STRING). Returns the value or
 * NULL after adding an error. */
static json_t *cell_value(const struct map_col *mc, const char *cell, size_t line,
                          struct lt_csv_errors *errs)
{
    const struct lt_csv_column *c = mc->c;
    const ProtobufCFieldDescriptor *f = mc->f;
    const char *s = cell;
    size_t n = strlen(cell);
    char q[64], hint[200];
    json_t *v = NULL;
    if (c->kind != LT_CSV_STRING)
        trim(&s, &n);
    switch (c->kind) {
    case LT_CSV_STRING:
        if (!(v = json_stringn(s, n)))
            add_error(errs, line, c->header, LT_CSV_E_BAD_UTF8, "the cell is not UTF-8 text");
        return v;
    case LT_CSV_LOCAL_TIME: {
        char tmp[32];
        int64_t ms;
        snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 31 ? n : 31), s);
        if (n > 31 || lt_csv_parse_local_time(tmp, &ms) != LT_OK) {
            add_error(errs, line, c->header, LT_CSV_E_BAD_TIME, "\"%s\" is not a Vietnam local "
                      "time (YYYY-MM-DD HH:MM[:SS] or YYYY-MM-DD)", quote_cell(cell, q, sizeof q));
            return NULL;
        }
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)ms);
        return json_string(buf);
    }
    case LT_CSV_INT: {
        const char *why = "syntax";
        if (!(v = int_value(s, n, f->type, &why))) {
            if (!strcmp(why, "bool"))
                add_error(errs, line, c->header, LT_CSV_E_BAD_BOOL, "\"%s\" is not 1, 0, true "
                          "or false", quote_cell(cell, q, sizeof q));
            else if (!strcmp(why, "range"))
                add_error(errs, line, c->header, LT_CSV_E_BAD_INTEGER, "%s is out of range for "
                          "this field", quote_cell(cell, q, sizeof q));
            else
                add_error(errs, line, c->header, LT_CSV_E_BAD_INTEGER, "\"%s\" is not a whole "
                          "number (digits only, no separators)", quote_cell(cell, q, sizeof q));
        }
        return v;
    }
    case LT_CSV_ENUM: {
        const ProtobufCEnumValue *ev = enum_lookup(f->descriptor, s, n);
        if (!ev) {
            const ProtobufCEnumDescriptor *ed = f->descriptor;
            add_error(errs, line, c->header, LT_CSV_E_BAD_ENUM, "\"%s\" is not a %s (one of: %s)",
                      quote_cell(cell, q, sizeof q), ed->short_name,
                      enum_hint(ed, hint, sizeof hint));
            return NULL;
        }
        return json_string(ev->name);
    }
    case LT_CSV_LIST: {
        json_t *a = json_array();
        const char *p = s, *end = s + n;
        size_t k = 0;
        while (p <= end) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *e = semi ? semi : end;
            const char *it = p;
            size_t il = (size_t)(e - p);
            trim(&it, &il);
            k++;
            if (il) {
                json_t *x = NULL;
                if (f->type == PROTOBUF_C_TYPE_ENUM) {
                    const ProtobufCEnumValue *ev = enum_lookup(f->descriptor, it, il);
                    if (ev) {
                        x = json_string(ev->name);
                    } else {
                        char one[LT_CSV_COLUMN_MAX];
                        snprintf(one, sizeof one, "%.*s", (int)(il < 60 ? il : 60), it);
                        const ProtobufCEnumDescriptor *ed = f->descriptor;
                        add_error(errs, line, c->header, LT_CSV_E_BAD_ENUM, "item %zu \"%s\" is "
                                  "not a %s (one of: %s)", k, quote_cell(one, q, sizeof q),
                                  ed->short_name, enum_hint(ed, hint, sizeof hint));
                    }
                } else if (!(x = json_stringn(it, il))) {
                    add_error(errs, line, c->header, LT_CSV_E_BAD_UTF8, "item %zu is not UTF-8 "
                              "text", k);
                }
                if (!x) {
                    json_decref(a);
                    return NULL;
                }
                json_array_append_new(a, x);
            }
            if (!semi)
                break;
            p = semi + 1;
        }
        if (json_array_size(a) == 0) {
            json_decref(a);
            return json_null(); /* only separators: treated as empty */
        }
        return a;
    }
    }
    return NULL;
}

int lt_csv_row_to_json(const struct lt_csv_map *m, const struct lt_csv_record *rec, json_t **out,
                       struct lt_csv_errors *errs)
{
    *out = NULL;
    size_t line = rec->line;
    if (rec->n != m->n_cells) {
        if (rec->n < m->n_cells) {
            const char *first = m->cell_col[rec->n] ? m->cell_col[rec->n] : "";
            add_error(errs, line, first, LT_CSV_E_CELL_COUNT, "%zu cells where the header (line "
                      "%zu) has %zu: the row ends before this column", rec->n, m->header_line,
                      m->n_cells);
        } else {
            const char *last = m->cell_col[m->n_cells - 1] ? m->cell_col[m->n_cells - 1] : "";
            add_error(errs, line, last, LT_CSV_E_CELL_COUNT, "%zu cells where the header (line "
                      "%zu) has %zu: extra cells after this last column", rec->n, m->header_line,
                      m->n_cells);
        }
        return LT_ERR_INVALID;
    }
    json_t *root = json_object();
    int bad = 0;
    for (size_t i = 0; i < m->l->n_columns; i++) {
        const struct map_col *mc = &m->cols[i];
        if (mc->cell < 0)
            continue;
        const char *cell = rec->cells[mc->cell];
        const char *t = cell;
        size_t tn = strlen(cell);
        trim(&t, &tn);
        if (tn == 0) {
            if (mc->c->required) {
                add_error(errs, line, mc->c->header, LT_CSV_E_REQUIRED_EMPTY,
                          "this column is required and the cell is empty");
                bad = 1;
            }
            continue;
        }
        json_t *v = cell_value(mc, cell, line, errs);
        if (!v) {
            bad = 1;
            continue;
        }
        if (json_is_null(v)) {
            if (mc->c->required) {
                add_error(errs, line, mc->c->header, LT_CSV_E_REQUIRED_EMPTY,
                          "this column is required and the list is empty");
                bad = 1;
            }
            continue;
        }
        put_value(root, mc->c->json_path, v);
    }
    if (bad) {
        json_decref(root);
        return LT_ERR_INVALID;
    }
    *out = root;
    return LT_OK;
}
