/* err.h — the one error-code enum every Lienthong module returns.
 *
 * A function that can fail returns int: 0 (LT_OK) on success or one of the
 * negative codes below, and may fill a caller's `char *err, size_t errlen` with
 * a human sentence. Codes are stable: logs and tests match on them. */
#ifndef LT_CORE_ERR_H
#define LT_CORE_ERR_H

enum lt_err {
    LT_OK = 0,
    LT_ERR_INVALID = -1,   /* bad argument or input: the caller's fault */
    LT_ERR_IO = -2,        /* file system or socket error */
    LT_ERR_KAFKA = -3,     /* the Kafka client or broker reported an error */
    LT_ERR_DB = -4,        /* PostgreSQL reported an error */
    LT_ERR_CRYPTO = -5,    /* a signature or hash did not verify */
    LT_ERR_TIMEOUT = -6,   /* the other side did not answer in time */
    LT_ERR_NOTFOUND = -7,  /* the thing asked for does not exist */
    LT_ERR_CONFIG = -8,    /* configuration is missing or out of bounds */
};

/* Short stable name of a code ("invalid", "io", …); "unknown" for others. */
const char *lt_err_name(int code);

/* Writes a formatted message into err (if err && errlen), always
 * NUL-terminated, and returns code, so call sites read
 *     return lt_err_set(err, errlen, LT_ERR_IO, "open %s: %s", path, strerror(errno)); */
int lt_err_set(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
