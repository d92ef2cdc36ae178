/* lt-loadgen — a steady stream of events into an agency service's HTTP input,
 * as agency software would send them, for the crash and fault tests.
 *
 * Each event is an Entry of a different foreigner, posted alone with its own
 * Idempotency-Key. When the service does not answer (killed, restarting) or
 * answers 5xx, the same event is sent again with the same key until it is
 * acknowledged, so a lost answer can never become a second event. Every
 * acknowledged event id is appended to --acked (one per line): the test then
 * checks each of them is in Kafka. Stops after --count events or on SIGTERM,
 * and prints what it did. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"

struct gen_cfg {
    long long port, count, rate;
    char *acked, *prefix;
};
static const struct lt_opt gen_opts[] = {
    { "port", LT_OPT_INT, NULL, 1, 65535, NULL, offsetof(struct gen_cfg, port), 0,
      "the service's HTTP port on 127.0.0.1" },
    { "count", LT_OPT_INT, "1000", 1, 100000000, NULL, offsetof(struct gen_cfg, count), 0,
      "how many events to send" },
    { "rate", LT_OPT_INT, "200", 1, 1000000, NULL, offsetof(struct gen_cfg, rate), 0,
      "events per second at most" },
    { "acked", LT_OPT_STRING, NULL, 0, 0, NULL, offsetof(struct gen_cfg, acked), 1,
      "file to append acknowledged event ids to" },
    { "prefix", LT_OPT_STRING, "lg", 0, 0, NULL, offsetof(struct gen_cfg, prefix), 0,
      "prefix of the Idempotency-Keys and passport numbers (letters only)" },
};
static const struct lt_config_spec gen_spec = {
    "lt-loadgen", "--port N --acked FILE [options]",
    "Posts Entry events one by one to an agency service, retrying each with the same\n"
    "Idempotency-Key until it is acknowledged.", gen_opts, sizeof gen_opts / sizeof gen_opts[0],
};

static volatile sig_atomic_t run = 1;
static void on_term(int s) { (void)s; run = 0; }

/* One POST; returns the HTTP status (0: no answer) and the body in resp. */
static int post(int port, const char *key, const char *body, char *resp, size_t resplen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return 0;
    }
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Idempotency-Key: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     key, strlen(body), body);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return 0;
    }
    size_t got = 0;
    ssize_t r;
    while (got + 1 < resplen && (r = read(fd, resp + got, resplen - 1 - got)) > 0)
        got += (size_t)r;
    resp[got] = '\0';
    close(fd);
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

int main(int argc, char **argv)
{
    struct gen_cfg c = { 0 };
    char err[512];
    int rc = lt_config_load(&gen_spec, &c, argc, argv, NULL, err, sizeof err);
    if (rc == 1)
        return 0;
    if (rc != LT_OK || !c.port) {
        fprintf(stderr, "lt-loadgen: %s\n", rc != LT_OK ? err : "--port is required");
        return 2;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    FILE *acked = fopen(c.acked, "a");
    if (!acked) {
        fprintf(stderr, "lt-loadgen: cannot open %s: %s\n", c.acked, strerror(errno));
        return 2;
    }
    /* Passport numbers are upper-case letters and digits. */
    char pp[7];
    snprintf(pp, sizeof pp, "%s", c.prefix);
    for (char *q = pp; *q; q++)
        if (*q >= 'a' && *q <= 'z')
            *q = (char)(*q - 'a' + 'A');
        else if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')))
            *q = 'X';
    long long sent = 0, ok = 0, dup = 0, retries = 0, rejected = 0;
    int64_t start = lt_mono_ms();
    for (long long i = 0; i < c.count && run; i++) {
        /* Pace: event i is due at start + i / rate. */
        int64_t due = start + i * 1000 / c.rate, now = lt_mono_ms();
        if (due > now) {
            struct timespec ts = { (due - now) / 1000, ((due - now) % 1000) * 1000000 };
            nanosleep(&ts, NULL);
        }
        char key[64], body[1024], resp[4096];
        snprintf(key, sizeof key, "%s-%lld", c.prefix, i);
        int64_t occurred = lt_now_ms() - 60000;
        snprintf(body, sizeof body,
                 "{\"header\":{\"occurredAtMs\":\"%" PRId64 "\",\"subject\":{\"foreigner\":"
                 "{\"nationality\":\"KOR\",\"passportNumber\":\"%s%08lld\"}}},"
                 "\"entry\":{\"borderGateCode\":\"BD-QUYNHON-PORT\",\"visaPurpose\":\"VISA_PURPOSE_LD1\","
                 "\"visaNo\":\"VN%07lld\",\"visaValidUntil\":\"2030-12-31\","
                 "\"permittedStayUntil\":\"2030-12-31\"}}",
                 occurred, pp, i, i % 10000000);
        for (;;) {
            sent++;
            int st = post((int)c.port, key, body, resp, sizeof resp);
            if (st == 202) {
                const char *id = strstr(resp, "\"eventId\"");
                char eid[40] = "";
                if (id && sscanf(id, "\"eventId\": \"%36[0-9a-f-]\"", eid) != 1)
                    sscanf(id, "\"eventId\":\"%36[0-9a-f-]\"", eid);
                if (!*eid) {
                    fprintf(stderr, "lt-loadgen: 202 without an event id: %s\n", resp);
                    return 1;
                }
                fprintf(acked, "%s\n", eid);
                fflush(acked);
                ok++;
                if (strstr(resp, "\"duplicate\": true") || strstr(resp, "\"duplicate\":true"))
                    dup++;
                break;
            }
            if (st >= 400 && st < 500) {
                fprintf(stderr, "lt-loadgen: event %lld refused (%d): %s\n", i, st, resp);
                rejected++;
                break;
            }
            retries++; /* no answer, or 5xx: same event, same key, again */
            if (!run)
                break;
            struct timespec ts = { 0, 100 * 1000000 };
            nanosleep(&ts, NULL);
        }
    }
    fclose(acked);
    printf("lt-loadgen: requests %lld, acknowledged %lld (of which answered as duplicates %lld), "
           "retries %lld, refused %lld, in %.1f s\n", sent, ok, dup, retries, rejected,
           (double)(lt_mono_ms() - start) / 1000.0);
    lt_config_free(&gen_spec, &c);
    return rejected ? 1 : 0;
}
