/* log.h — the one logger: one JSON object per line on stderr.
 *
 *   {"ts":"2026-11-23T16:50:00.123Z","level":"info","comp":"kafka","msg":"…"}
 *
 * Every program logs through this, and librdkafka's and libpq's own messages
 * are routed into it (see kafka/ and db/), so an operator reads one stream and
 * a machine can parse every line. The threshold comes from LT_LOG_LEVEL
 * (debug, info, warn, error; default info). Safe to call from any thread. */
#ifndef LT_CORE_LOG_H
#define LT_CORE_LOG_H

enum lt_log_level { LT_LOG_DEBUG = 0, LT_LOG_INFO, LT_LOG_WARN, LT_LOG_ERROR };

void lt_log(enum lt_log_level level, const char *comp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define lt_debug(comp, ...) lt_log(LT_LOG_DEBUG, comp, __VA_ARGS__)
#define lt_info(comp, ...) lt_log(LT_LOG_INFO, comp, __VA_ARGS__)
#define lt_warn(comp, ...) lt_log(LT_LOG_WARN, comp, __VA_ARGS__)
#define lt_error(comp, ...) lt_log(LT_LOG_ERROR, comp, __VA_ARGS__)

/* Sets the threshold (overrides LT_LOG_LEVEL). */
void lt_log_set_level(enum lt_log_level level);

/* Parses "debug", "info", "warn", "error"; returns -1 for anything else. */
int lt_log_level_parse(const char *s);

/* Appends s to buf (capacity cap, current length *len) as JSON string content,
 * escaping quotes, backslashes and control bytes; truncates safely. Exposed for
 * other JSON-line writers and for tests. */
void lt_log_json_escape(char *buf, size_t cap, size_t *len, const char *s);

#endif
