/* err.c — names of the error codes and the one helper that fills an err buffer. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

const char *lt_err_name(int code)
{
    switch (code) {
    case LT_OK: return "ok";
    case LT_ERR_INVALID: return "invalid";
    case LT_ERR_IO: return "io";
    case LT_ERR_KAFKA: return "kafka";
    case LT_ERR_DB: return "db";
    case LT_ERR_CRYPTO: return "crypto";
    case LT_ERR_TIMEOUT: return "timeout";
    case LT_ERR_NOTFOUND: return "notfound";
    case LT_ERR_CONFIG: return "config";
    default: return "unknown";
    }
}

int lt_err_set(char *err, size_t errlen, int code, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}
