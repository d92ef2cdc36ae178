/* auth.h — bearer tokens and roles of the query service.
 *
 * A token is "lqt_" followed by 43 base64url characters (32 random bytes);
 * the database keeps only its BLAKE2b-256 hash (api_tokens.token_hash,
 * deploy/sql/hub/005_query.sql), so a leaked table lets nobody in. The token
 * is shown once, by `lt-query token-add`.
 *
 * Roles and what they may do (the one place this policy lives):
 *   agency   lists and searches with personal numbers masked; in a timeline
 *            only the events its own agency published (the merged current
 *            status too); alerts that cite one of its events;
 *   staff    provincial staff: every personal-data endpoint, numbers shown;
 *   leader   aggregates only: no endpoint that returns personal data (403);
 *   auditor  everything staff may, and the access log.
 * Every read of personal data needs a stated purpose and is written to the
 * access log (access.h). */
#ifndef LQ_AUTH_H
#define LQ_AUTH_H

#include <stddef.h>
#include <stdint.h>

enum lq_role {
    LQ_ROLE_AGENCY = 1 << 0,
    LQ_ROLE_STAFF = 1 << 1,
    LQ_ROLE_LEADER = 1 << 2,
    LQ_ROLE_AUDITOR = 1 << 3,
};
#define LQ_ROLES_ALL (LQ_ROLE_AGENCY | LQ_ROLE_STAFF | LQ_ROLE_LEADER | LQ_ROLE_AUDITOR)
/* The roles that may read personal data at all. */
#define LQ_ROLES_PERSONAL (LQ_ROLE_AGENCY | LQ_ROLE_STAFF | LQ_ROLE_AUDITOR)

#define LQ_TOKEN_PREFIX "lqt_"
#define LQ_TOKEN_LEN 47 /* "lqt_" + 43 */
#define LQ_TOKEN_HASH_BYTES 32

/* Parses "agency", "staff", "leader" or "auditor"; 0 for anything else. */
enum lq_role lq_role_parse(const char *s);
/* The name of one role ("staff"), "?" for a value that is not one role. */
const char *lq_role_name(enum lq_role r);
/* 1 when the role sees personal numbers only masked (mask.h). */
int lq_role_masks_numbers(enum lq_role r);

/* Takes the token out of an Authorization header value: "Bearer <token>"
 * (scheme case-insensitive, one space) where the token has the shape above.
 * On LT_OK *token points into header. LT_ERR_INVALID for NULL, another
 * scheme, or a token of the wrong shape. */
int lq_auth_bearer(const char *header, const char **token) __attribute__((warn_unused_result));

/* A new random token into out (LQ_TOKEN_LEN + 1 bytes, NUL-terminated).
 * libsodium must be initialised. */
void lq_auth_token_new(char out[LQ_TOKEN_LEN + 1]);

/* The stored hash of a token: BLAKE2b-256 of its text. */
void lq_auth_token_hash(const char *token, uint8_t out[LQ_TOKEN_HASH_BYTES]);

#endif
