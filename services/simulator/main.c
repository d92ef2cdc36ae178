/* lt-simulator — a synthetic province that feeds the agency services.
 *
 * Generates, deterministically from --seed, the events the agencies' own
 * software would send over a period (--from, --days) at a scale (--scale or
 * explicit counts): employers and foreign workers in Bình Định, citizens of
 * Quảng Nam working abroad, and the messy cases the consolidator's alerts
 * must catch (sim.h). Every event passes the project's validator before it
 * leaves.
 *
 * Two outputs, usable together:
 *   --out DIR    one JSON-lines file per agency code, DIR/<code>.jsonl, each
 *                line one Event in the protobuf JSON mapping without the
 *                fields the agency service owns, in the agency's sending
 *                order; and DIR/summary.json (counts per agency, type, messy
 *                case; persons; seed; period);
 *   --send code=URL (repeatable) or --send-map FILE ("code url" lines):
 *                POST each agency's events to its service's /v1/events in
 *                batches (simhttp.h); agencies without a URL are skipped and
 *                counted.
 * Progress goes to the log (stderr) every few seconds. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/date.h"
#include "core/err.h"
#include "core/log.h"
#include "core/mem.h"
#include "registry/units.h"
#include "sim.h"
#include "simhttp.h"

#define COMP "simulator"
#define PROGRAM "lt-simulator"
#define MAX_SENDS 64

struct sim_opts {
    long long seed;
    char *from;
    long long days;
    char *scale;
    long long employers, foreign_workers, outbound_workers;
    char *units;
    char *out;
    char *send;
    char *send_map;
    long long batch;
    char *registrar;
    long long rate[LT_SIM_MESSY_COUNT];
    long long no_permit_days, no_return_days;
    long long progress_s;
};

#define O(f) offsetof(struct sim_opts, f)

static const struct lt_opt sim_opt_table[] = {
    { "seed", LT_OPT_INT, "1", 0, INT64_MAX, "LT_SIM_SEED", O(seed), 0,
      "seed of every random choice: the same seed gives byte-identical output" },
    { "from", LT_OPT_STRING, "2023-01-01", 0, 0, "LT_SIM_FROM", O(from), 0,
      "first day of the period, YYYY-MM-DD (Vietnam time), on or after 2022-01-01" },
    { "days", LT_OPT_INT, "1096", 1, 36500, "LT_SIM_DAYS", O(days), 0,
      "length of the period in days (1096: 2023-2025, across the 2025 reforms)" },
    { "scale", LT_OPT_STRING, "demo", 0, 0, "LT_SIM_SCALE", O(scale), 0,
      "per-year rates: demo (a few thousand events over three years), small (a whole "
      "province: ~1,000 foreign workers and ~1,500 departures a year), large (millions "
      "of events)" },
    { "employers", LT_OPT_INT, "-1", -1, 1000000, NULL, O(employers), 0,
      "employers over the whole period (-1: from --scale)" },
    { "foreign-workers", LT_OPT_INT, "-1", -1, 4000000, NULL, O(foreign_workers), 0,
      "foreign workers hired over the whole period (-1: from --scale)" },
    { "outbound-workers", LT_OPT_INT, "-1", -1, 1000000, NULL, O(outbound_workers), 0,
      "citizens registering to work abroad over the whole period (-1: from --scale)" },
    { "units", LT_OPT_STRING, "deploy/registry/units.json", 0, 0, "LT_UNITS", O(units), 0,
      "administrative units file; every area written is a unit of it in force that day" },
    { "out", LT_OPT_STRING, NULL, 0, 0, "LT_SIM_OUT", O(out), 0,
      "write DIR/<agency code>.jsonl and DIR/summary.json (DIR is created)" },
    { "send", LT_OPT_STRING, NULL, 0, 0, NULL, O(send), 0,
      "code=URL: POST that agency's events to URL/v1/events (repeatable)" },
    { "send-map", LT_OPT_STRING, NULL, 0, 0, "LT_SIM_SEND_MAP", O(send_map), 0,
      "file of 'code url' lines (# comments), as many --send" },
    { "batch", LT_OPT_INT, "200", 1, 1000, NULL, O(batch), 0,
      "events per POST (the Idempotency-Key numbers batches, so keep it for re-runs)" },
    { "registrar", LT_OPT_STRING, "local", 0, 0, NULL, O(registrar), 0,
      "who registers outbound workers: local (the district or ward agency where the demo "
      "registry has one, else labour) or labour (always; for sending history older than "
      "2025-07-01 through live services, which closed district agencies cannot sign)" },
    { "rate-present-expired-permit", LT_OPT_INT, "15", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_PRESENT_EXPIRED_PERMIT]), 0,
      "per mille of foreign workers who stay on after the permit expired" },
    { "rate-present-revoked-permit", LT_OPT_INT, "10", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_PRESENT_REVOKED_PERMIT]), 0,
      "per mille of foreign workers who stay on after the permit was revoked" },
    { "rate-labour-visa-no-permit", LT_OPT_INT, "15", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_LABOUR_VISA_NO_PERMIT]), 0,
      "per mille of foreign workers entering on an LD2 visa with no permit for more than "
      "--no-permit-days" },
    { "rate-employer-no-demand", LT_OPT_INT, "20", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_EMPLOYER_NO_DEMAND]), 0,
      "per mille of hiring rounds (Decree 152) whose permits rest on no approved demand" },
    { "rate-departure-no-contract", LT_OPT_INT, "10", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_DEPARTURE_NO_CONTRACT]), 0,
      "per mille of citizens who depart with no registered contract" },
    { "rate-contract-ended-no-return", LT_OPT_INT, "15", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_CONTRACT_ENDED_NO_RETURN]), 0,
      "per mille of citizens abroad who do not return after the contract ended" },
    { "rate-second-extension", LT_OPT_INT, "15", 0, 1000, NULL,
      O(rate[LT_SIM_MESSY_SECOND_EXTENSION]), 0,
      "per mille of foreign workers whose permit is extended a second time" },
    { "rate-late-event", LT_OPT_INT, "5", 0, 1000, NULL, O(rate[LT_SIM_MESSY_LATE_EVENT]), 0,
      "per mille of events sent 2-30 days late (after events that happened later)" },
    { "no-permit-days", LT_OPT_INT, "30", 1, 365, NULL, O(no_permit_days), 0,
      "the LD2-without-permit case keeps the worker without a permit longer than this" },
    { "no-return-days", LT_OPT_INT, "90", 1, 365, NULL, O(no_return_days), 0,
      "the no-return case stays abroad longer than this after the contract ended" },
    { "progress", LT_OPT_INT, "5", 0, 3600, NULL, O(progress_s), 0,
      "seconds between progress lines on stderr (0: none)" },
};

static const struct lt_config_spec sim_spec = {
    PROGRAM,
    "[options]",
    "Generates a synthetic province, deterministically from --seed: employers and foreign\n"
    "workers in Binh Dinh, citizens of Quang Nam working abroad, and the messy cases the\n"
    "alerts must catch. Writes one JSON-lines file per agency (--out) and/or POSTs each\n"
    "agency's events to its agency service (--send). Every event passes validation.\n"
    "Examples:\n"
    "  lt-simulator --scale demo --out /tmp/sim\n"
    "  lt-simulator --scale small --seed 7 --send bdinh.police=http://127.0.0.1:8101",
    sim_opt_table,
    sizeof sim_opt_table / sizeof sim_opt_table[0],
};

static volatile sig_atomic_t run_flag = 1;

static void on_signal(int sig)
{
    (void)sig;
    run_flag = 0;
}

struct target {
    char *code;
    char *url;
};

/* Everything the per-event callback needs. */
struct app {
    const struct lt_sim_config *cfg;
    const char *out_dir;
    FILE *files[32];
    struct lt_simhttp *senders[32];
    int sending;
    uint64_t skipped[32];        /* no URL for the agency */
    uint64_t events;
    int64_t t0, last_progress;
    long long progress_ms;
    int failed;
    char err[2048];
};

static int emit(const struct lt_sim_event *ev, void *arg)
{
    struct app *a = arg;
    size_t ai = ev->agency_index;
    a->events++;
    if (a->out_dir) {
        if (!a->files[ai]) {
            char *path = lt_asprintf("%s/%s.jsonl", a->out_dir, ev->agency);
            a->files[ai] = fopen(path, "w");
            if (!a->files[ai]) {
                lt_err_set(a->err, sizeof a->err, LT_ERR_IO, "create %s: %s", path,
                           strerror(errno));
                free(path);
                a->failed = 1;
                return 1;
            }
            setvbuf(a->files[ai], NULL, _IOFBF, 1 << 16);
            free(path);
        }
        if (json_dumpf(ev->json, a->files[ai], JSON_COMPACT | JSON_PRESERVE_ORDER) != 0 ||
            fputc('\n', a->files[ai]) == EOF) {
            lt_err_set(a->err, sizeof a->err, LT_ERR_IO, "write %s/%s.jsonl: %s", a->out_dir,
                       ev->agency, strerror(errno));
            a->failed = 1;
            return 1;
        }
    }
    if (a->sending) {
        if (a->senders[ai]) {
            if (lt_simhttp_add(a->senders[ai], ev->json, a->err, sizeof a->err) != LT_OK) {
                a->failed = 1;
                return 1;
            }
        } else {
            a->skipped[ai]++;
        }
    }
    if (a->progress_ms > 0) {
        int64_t now = lt_mono_ms();
        if (now - a->last_progress >= a->progress_ms) {
            a->last_progress = now;
            double frac = lt_sim_progress(a->cfg, ev->emit_ms);
            double secs = (double)(now - a->t0) / 1000.0;
            double rate = secs > 0 ? (double)a->events / secs : 0;
            double eta = frac > 0.001 ? secs * (1 - frac) / frac : -1;
            char day[LT_DATE_STRLEN + 1];
            lt_date_format(lt_date_vn_from_unix_ms(ev->emit_ms), day);
            lt_info(COMP,
                    "progress events=%" PRIu64 " rate=%.0f/s simulated=%s done=%.1f%% eta_s=%.0f",
                    a->events, rate, day, 100 * frac, eta);
        }
    }
    return run_flag ? 0 : 1;
}

/* Takes every --send VALUE / --send=VALUE out of argv (they repeat, which
 * the config table does not) into list. Returns the new argc. */
static int take_sends(int argc, char **argv, char **list, int *n, char *err, size_t errlen)
{
    int o = 1;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--")) {
            while (i < argc)
                argv[o++] = argv[i++];
            break;
        }
        if (!strcmp(argv[i], "--send")) {
            if (i + 1 >= argc)
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "--send needs code=URL");
            v = argv[++i];
        } else if (!strncmp(argv[i], "--send=", 7)) {
            v = argv[i] + 7;
        }
        if (v) {
            if (*n >= MAX_SENDS)
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "at most %d --send", MAX_SENDS);
            list[(*n)++] = (char *)v;
        } else {
            argv[o++] = argv[i];
        }
    }
    return o;
}

static int add_target(struct target *t, int *n, const char *code, const char *url, char *err,
                      size_t errlen)
{
    if (*n >= MAX_SENDS)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "at most %d send targets", MAX_SENDS);
    for (int i = 0; i < *n; i++)
        if (!strcmp(t[i].code, code))
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "agency %s has two URLs", code);
    t[*n].code = lt_strdup(code);
    t[*n].url = lt_strdup(url);
    (*n)++;
    return LT_OK;
}

static int read_send_map(const char *path, struct target *t, int *n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "--send-map %s: %s", path,
                          strerror(errno));
    char line[1024];
    int lineno = 0, rc = LT_OK;
    while (rc == LT_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char code[256], url[512], extra[8];
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        int k = sscanf(line, "%255s %511s %7s", code, url, extra);
        if (k <= 0)
            continue;
        if (k != 2)
            rc = lt_err_set(err, errlen, LT_ERR_CONFIG,
                            "--send-map %s line %d: want 'agency-code url'", path, lineno);
        else
            rc = add_target(t, n, code, url, err, errlen);
    }
    fclose(f);
    return rc;
}

static int write_summary(struct app *a, const struct lt_sim_config *cfg,
                         const struct lt_sim_summary *sum, int interrupted)
{
    json_t *j = lt_sim_summary_json(cfg, sum);
    if (interrupted)
        json_object_set_new(j, "interrupted", json_true());
    if (a->sending) {
        json_t *s = json_object();
        uint64_t skipped = 0;
        for (size_t i = 0; i < lt_sim_agency_count(); i++) {
            if (a->senders[i]) {
                const struct lt_simhttp_stats *st = lt_simhttp_stats(a->senders[i]);
                json_object_set_new(
                    s, lt_sim_agency_code(i),
                    json_pack("{s:I, s:I, s:I, s:I}", "accepted", (json_int_t)st->events,
                              "duplicates", (json_int_t)st->duplicates, "batches",
                              (json_int_t)st->batches, "retries", (json_int_t)st->retries));
            } else if (a->skipped[i]) {
                json_object_set_new(s, lt_sim_agency_code(i),
                                    json_pack("{s:I}", "skippedNoUrl", (json_int_t)a->skipped[i]));
                skipped += a->skipped[i];
            }
        }
        json_object_set_new(j, "send", s);
        json_object_set_new(j, "skippedNoUrl", json_integer((json_int_t)skipped));
    }
    int rc = LT_OK;
    if (a->out_dir) {
        char *path = lt_asprintf("%s/summary.json", a->out_dir);
        if (json_dump_file(j, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
            rc = lt_err_set(a->err, sizeof a->err, LT_ERR_IO, "write %s: %s", path,
                            strerror(errno));
        free(path);
    }
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    fflush(stdout);
    json_decref(j);
    return rc;
}

int main(int argc, char **argv)
{
    struct sim_opts o = { 0 };
    struct lt_sim_config cfg;
    struct lt_sim_summary sum;
    struct lt_units *units = NULL;
    struct app *a = lt_calloc(1, sizeof *a);
    struct target targets[MAX_SENDS];
    char *send_args[MAX_SENDS];
    int n_targets = 0, n_send_args = 0, status = 1, interrupted = 0;
    char err[2048] = "";

    int rc = take_sends(argc, argv, send_args, &n_send_args, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        free(a);
        return 2;
    }
    argc = rc;
    rc = lt_config_load(&sim_spec, &o, argc, argv, NULL, err, sizeof err);
    if (rc == 1) {
        status = 0;
        goto out;
    }
    if (rc != LT_OK) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    if (o.send)
        send_args[n_send_args++] = o.send; /* from the environment or a config file */

    /* The configuration of the run. */
    lt_sim_config_init(&cfg);
    cfg.seed = (uint64_t)o.seed;
    cfg.days = (int32_t)o.days;
    if (lt_date_parse(o.from, &cfg.first_day, err, sizeof err) != LT_OK) {
        fprintf(stderr, "%s: --from: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    if (lt_sim_config_scale(&cfg, o.scale) != LT_OK) {
        fprintf(stderr, "%s: --scale must be demo, small or large, not '%s'\n", PROGRAM,
                o.scale);
        status = 2;
        goto out;
    }
    if (o.employers >= 0)
        cfg.employers = (long)o.employers;
    if (o.foreign_workers >= 0)
        cfg.foreign_workers = (long)o.foreign_workers;
    if (o.outbound_workers >= 0)
        cfg.outbound_workers = (long)o.outbound_workers;
    for (int i = 0; i < LT_SIM_MESSY_COUNT; i++)
        cfg.rate_permille[i] = (int)o.rate[i];
    cfg.no_permit_days = (int)o.no_permit_days;
    cfg.no_return_days = (int)o.no_return_days;
    if (!strcmp(o.registrar, "labour"))
        cfg.registrar = LT_SIM_REGISTRAR_LABOUR;
    else if (strcmp(o.registrar, "local") != 0) {
        fprintf(stderr, "%s: --registrar must be local or labour, not '%s'\n", PROGRAM,
                o.registrar);
        status = 2;
        goto out;
    }

    /* Where the events go. */
    for (int i = 0; i < n_send_args; i++) {
        char *eq = strchr(send_args[i], '=');
        if (!eq || eq == send_args[i] || !eq[1]) {
            fprintf(stderr, "%s: --send wants code=URL, not '%s'\n", PROGRAM, send_args[i]);
            status = 2;
            goto out;
        }
        *eq = '\0';
        rc = add_target(targets, &n_targets, send_args[i], eq + 1, err, sizeof err);
        *eq = '=';
        if (rc != LT_OK) {
            fprintf(stderr, "%s: %s\n", PROGRAM, err);
            status = 2;
            goto out;
        }
    }
    if (o.send_map && read_send_map(o.send_map, targets, &n_targets, err, sizeof err) != LT_OK) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    if (!o.out && n_targets == 0) {
        fprintf(stderr, "%s: nothing to do: give --out DIR and/or --send code=URL "
                        "(see --help)\n", PROGRAM);
        status = 2;
        goto out;
    }
    if (n_targets > 0) {
        /* An event cannot be recorded before it happens. */
        int32_t today = lt_date_vn_from_unix_ms(lt_now_ms());
        if (cfg.first_day + cfg.days - 1 >= today) {
            char last[LT_DATE_STRLEN + 1];
            lt_date_format(cfg.first_day + cfg.days - 1, last);
            fprintf(stderr, "%s: --send: the period ends on %s, not before today: an agency "
                            "service records events as they arrive and refuses events from "
                            "the future; shorten --days or move --from\n", PROGRAM, last);
            status = 2;
            goto out;
        }
    }
    if (lt_units_new(o.units, &units, err, sizeof err) != LT_OK) {
        fprintf(stderr, "%s: --units: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    cfg.units = units;
    if (lt_sim_config_check(&cfg, err, sizeof err) != LT_OK) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    /* Keys name the seed, the run's settings and the batch size, so only a
     * true repeat of a run is taken for one. */
    char key_prefix[64];
    snprintf(key_prefix, sizeof key_prefix, "sim-%llu-%08x.%lld", (unsigned long long)cfg.seed,
             lt_sim_fingerprint(&cfg), o.batch);
    for (int i = 0; i < n_targets; i++) {
        size_t k = 0;
        while (k < lt_sim_agency_count() && strcmp(lt_sim_agency_code(k), targets[i].code))
            k++;
        if (k == lt_sim_agency_count()) {
            /* A province's send map may list agencies this model has no events
             * for (e.g. Bình Định's foreign affairs): they simply get none. */
            char list[2048];
            size_t used = 0;
            for (size_t m = 0; m < lt_sim_agency_count() && used < sizeof list; m++)
                used += (size_t)snprintf(list + used, sizeof list - used, " %s",
                                         lt_sim_agency_code(m));
            lt_warn("simulator", "--send: the simulator publishes nothing for agency %s (its "
                    "agencies:%s); it gets no events", targets[i].code, list);
            continue;
        }
        if (lt_simhttp_new(targets[i].code, targets[i].url, key_prefix, (size_t)o.batch,
                           &run_flag, &a->senders[k], err, sizeof err) != LT_OK) {
            fprintf(stderr, "%s: --send: %s\n", PROGRAM, err);
            status = 2;
            goto out;
        }
        a->sending = 1;
    }
    if (o.out && mkdir(o.out, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: --out %s: %s\n", PROGRAM, o.out, strerror(errno));
        goto out;
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    a->cfg = &cfg;
    a->out_dir = o.out;
    a->progress_ms = o.progress_s * 1000;
    a->t0 = a->last_progress = lt_mono_ms();
    lt_info(COMP, "start seed=%lld from=%s days=%lld employers=%ld foreign_workers=%ld "
                  "outbound_workers=%ld", o.seed, o.from, o.days, cfg.employers,
            cfg.foreign_workers, cfg.outbound_workers);

    rc = lt_sim_run(&cfg, emit, a, &sum, err, sizeof err);
    if (rc != LT_OK && !a->failed && run_flag) {
        fprintf(stderr, "%s: %s\n", PROGRAM, err);
        status = 2;
        goto out;
    }
    interrupted = !run_flag && !a->failed;
    /* Flush: the last partial batches, the files. */
    for (size_t i = 0; i < lt_sim_agency_count() && !a->failed && !interrupted; i++)
        if (a->senders[i] && lt_simhttp_flush(a->senders[i], a->err, sizeof a->err) != LT_OK)
            a->failed = 1;
    for (size_t i = 0; i < lt_sim_agency_count(); i++)
        if (a->files[i] && fclose(a->files[i]) != 0 && !a->failed) {
            lt_err_set(a->err, sizeof a->err, LT_ERR_IO, "write %s/%s.jsonl: %s", o.out,
                       lt_sim_agency_code(i), strerror(errno));
            a->failed = 1;
        }
    memset(a->files, 0, sizeof a->files);
    if (write_summary(a, &cfg, &sum, interrupted || a->failed) != LT_OK)
        a->failed = 1;
    double secs = (double)(lt_mono_ms() - a->t0) / 1000.0;
    lt_info(COMP, "done events=%" PRIu64 " seconds=%.1f rate=%.0f/s%s", sum.events, secs,
            secs > 0 ? (double)sum.events / secs : 0, interrupted ? " interrupted" : "");
    if (a->failed) {
        fprintf(stderr, "%s: %s\n", PROGRAM, a->err);
        goto out;
    }
    status = interrupted ? 130 : 0;
out:
    for (size_t i = 0; i < 32; i++) {
        if (a->files[i])
            fclose(a->files[i]);
        lt_simhttp_free(a->senders[i]);
    }
    for (int i = 0; i < n_targets; i++) {
        free(targets[i].code);
        free(targets[i].url);
    }
    lt_units_free(units);
    lt_config_free(&sim_spec, &o);
    free(a);
    return status;
}
