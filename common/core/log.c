/* log.c — JSON-lines logger. Each line is built whole in a local buffer and
 * written with one fwrite, so lines from different threads never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

static int threshold = -1; /* -1: not yet read from the environment */

static const char *level_names[] = { "debug", "info", "warn", "error" };

int lt_log_level_parse(const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    return -1;
}

void lt_log_set_level(enum lt_log_level level)
{
    threshold = (int)level;
}

static int current_threshold(void)
{
    if (threshold < 0) {
        int t = lt_log_level_parse(getenv("LT_LOG_LEVEL"));
        threshold = t < 0 ? LT_LOG_INFO : t;
    }
    return threshold;
}

void lt_log_json_escape(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = *len;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char tmp[8];
        const char *out = tmp;
        size_t w;
        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\'; tmp[1] = (char)*p; w = 2;
        } else if (*p == '\n') {
            out = "\\n"; w = 2;
        } else if (*p == '\t') {
            out = "\\t"; w = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            w = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
        } else {
            tmp[0] = (char)*p; w = 1;
        }
        if (n + w + 1 > cap)
            break;
        memcpy(buf + n, out, w);
        n += w;
    }
    if (n < cap)
        buf[n] = '\0';
    *len = n;
}

void lt_log(enum lt_log_level level, const char *comp, const char *fmt, ...)
{
    if ((int)level < current_threshold())
        return;

    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);

    char line[4096];
    size_t len = (size_t)snprintf(line, sizeof line,
        "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\",\"level\":\"%s\",\"comp\":\"",
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
        tm.tm_sec, ts.tv_nsec / 1000000L, level_names[level]);
    lt_log_json_escape(line, sizeof line - 4, &len, comp ? comp : "-");
    len += (size_t)snprintf(line + len, sizeof line - len, "\",\"msg\":\"");
    lt_log_json_escape(line, sizeof line - 4, &len, msg);
    memcpy(line + len, "\"}\n", 3);
    len += 3;
    fwrite(line, 1, len, stderr);
}
