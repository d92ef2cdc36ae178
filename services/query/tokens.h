/* tokens.h — `lt-query token-add | token-revoke | token-list`: managing the
 * query service's bearer tokens (auth.h) from the command line.
 *
 * token-add makes a random token, stores only its hash with the holder's
 * name and role, and prints the token once on stdout (nothing else goes to
 * stdout, so scripts can capture it). token-revoke stamps revoked_at;
 * token-list prints one JSON line per token (never a hash). They connect
 * with --pg-url as a login allowed to change lienthong.api_tokens (the
 * migrator role or the DBA), not as the service's reader login. */
#ifndef LQ_TOKENS_H
#define LQ_TOKENS_H

/* Runs the subcommand argv[0] ("token-add", …) with its options; returns the
 * process exit status (0 ok, 1 failure, 2 usage). */
int lq_tokens_main(int argc, char **argv);

#endif
