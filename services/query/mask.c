/* mask.c — personal numbers shown only in part (mask.h). */
#include <stdio.h>
#include <string.h>

#include "mask.h"

#define KEEP 3

void lq_mask_number(const char *number, char *out, size_t cap)
{
    if (!cap)
        return;
    size_t n = strlen(number), i = 0;
    size_t keep_from = n > 2 * KEEP ? n - KEEP : n;
    for (; i < n && i + 1 < cap; i++)
        out[i] = i < keep_from ? '*' : number[i];
    out[i] = '\0';
}

void lq_mask_subject(const char *subject, char *out, size_t cap)
{
    if (!cap)
        return;
    const char *colon = strchr(subject, ':');
    if (!strncmp(subject, "enterprise:", 11) || !colon) {
        if (!colon) /* not a canonical id: show nothing of it */
            lq_mask_number(subject, out, cap);
        else
            snprintf(out, cap, "%s", subject);
        return;
    }
    size_t prefix = (size_t)(colon - subject) + 1;
    if (prefix >= cap) {
        lq_mask_number(subject, out, cap);
        return;
    }
    memcpy(out, subject, prefix);
    lq_mask_number(colon + 1, out + prefix, cap - prefix);
}

void lq_mask_row(json_t *row)
{
    char buf[128];
    json_t *v = json_object_get(row, "subject");
    if (json_is_string(v)) {
        lq_mask_subject(json_string_value(v), buf, sizeof buf);
        json_string_set(v, buf);
    }
    v = json_object_get(row, "passportNumber");
    if (json_is_string(v)) {
        lq_mask_number(json_string_value(v), buf, sizeof buf);
        json_string_set(v, buf);
    }
}
