/* mask.h — hiding personal numbers from callers whose role does not see them.
 *
 * A personal number is a citizen's 12-digit ID or a foreigner's passport
 * number. Masked, all but the last 3 characters become '*' (a number of 6
 * characters or fewer is masked whole); the nationality prefix of a canonical
 * id stays, so "VNM:049098001234" -> "VNM:*********234" and
 * "JPN:TK1234567" -> "JPN:******567". Enterprise ids are not personal and
 * pass unchanged. Which roles see masked numbers is auth.h's policy. */
#ifndef LQ_MASK_H
#define LQ_MASK_H

#include <stddef.h>

#include <jansson.h>

/* Writes the masked form of a personal number into out (cap bytes, always
 * NUL-terminated; cut if too small). */
void lq_mask_number(const char *number, char *out, size_t cap);

/* Writes the masked form of a canonical subject id into out. */
void lq_mask_subject(const char *subject, char *out, size_t cap);

/* Masks, in place, the personal numbers of a projection row or list item:
 * the string members "subject" and "passportNumber". Other members are left
 * alone. A non-object is left alone. */
void lq_mask_row(json_t *row);

#endif
