/* config.c — the declarative configuration loader (see config.h).
 *
 * Every source goes through one function, set_value(), so a value from a file,
 * the environment or the command line is checked the same way and an error
 * always names where the bad value came from. */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/err.h"
#include "core/mem.h"

static const struct lt_opt *find_opt(const struct lt_config_spec *spec,
                                     const char *name, size_t namelen)
{
    for (size_t i = 0; i < spec->n_opts; i++)
        if (strlen(spec->opts[i].name) == namelen &&
            strncmp(spec->opts[i].name, name, namelen) == 0)
            return &spec->opts[i];
    return NULL;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* Stores text value v into the field of opt; `src` names the source for errors. */
static int set_value(const struct lt_opt *opt, void *out, const char *v,
                     const char *src, char *err, size_t errlen)
{
    char *field = (char *)out + opt->offset;
    switch (opt->type) {
    case LT_OPT_STRING: {
        char **s = (char **)(void *)field;
        free(*s);
        *s = lt_strdup(v);
        return LT_OK;
    }
    case LT_OPT_INT: {
        char *end;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            return lt_err_set(err, errlen, LT_ERR_CONFIG,
                              "%s: %s must be a whole number, got '%s'", src, opt->name, v);
        if ((opt->min || opt->max) && (n < opt->min || n > opt->max))
            return lt_err_set(err, errlen, LT_ERR_CONFIG,
                              "%s: %s must be between %lld and %lld, got %lld", src,
                              opt->name, opt->min, opt->max, n);
        *(long long *)(void *)field = n;
        return LT_OK;
    }
    case LT_OPT_BOOL: {
        int b;
        if (parse_bool(v, &b) != 0)
            return lt_err_set(err, errlen, LT_ERR_CONFIG,
                              "%s: %s must be true or false, got '%s'", src, opt->name, v);
        *(int *)(void *)field = b;
        return LT_OK;
    }
    }
    return lt_err_set(err, errlen, LT_ERR_CONFIG, "%s: bad option type", opt->name);
}

struct file_ctx {
    const struct lt_config_spec *spec;
    void *out;
    const char *path;
    int rc;
    char *err;
    size_t errlen;
};

static int file_handler(void *user, const char *section, const char *name, const char *value)
{
    struct file_ctx *c = user;
    (void)section; /* sections only group lines for the reader */
    if (c->rc != LT_OK)
        return 0;
    const struct lt_opt *opt = find_opt(c->spec, name, strlen(name));
    if (!opt) {
        c->rc = lt_err_set(c->err, c->errlen, LT_ERR_CONFIG,
                           "config file %s: unknown setting '%s'", c->path, name);
        return 0;
    }
    char src[512];
    snprintf(src, sizeof src, "config file %s", c->path);
    c->rc = set_value(opt, c->out, value, src, c->err, c->errlen);
    return c->rc == LT_OK;
}

static int load_file(const struct lt_config_spec *spec, void *out, const char *path,
                     char *err, size_t errlen)
{
    struct file_ctx c = { spec, out, path, LT_OK, err, errlen };
    int r = ini_parse(path, file_handler, &c);
    if (c.rc != LT_OK)
        return c.rc;
    if (r == -1)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "config file %s: cannot open: %s",
                          path, strerror(errno));
    if (r != 0)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "config file %s: syntax error on line %d",
                          path, r);
    return LT_OK;
}

static int is_help(const char *a)
{
    return !strcmp(a, "--help") || !strcmp(a, "-h");
}

int lt_config_load(const struct lt_config_spec *spec, void *out, int argc,
                   char **argv, int *first_arg, char *err, size_t errlen)
{
    int rc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (is_help(argv[i])) {
            lt_config_print_help(spec, stdout);
            return 1;
        }
    }

    for (size_t i = 0; i < spec->n_opts; i++)
        if (spec->opts[i].def &&
            (rc = set_value(&spec->opts[i], out, spec->opts[i].def, "default", err, errlen)))
            return rc;

    /* The config file: --config on the command line wins over LT_CONFIG. */
    const char *file = getenv("LT_CONFIG");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            if (i + 1 >= argc)
                return lt_err_set(err, errlen, LT_ERR_CONFIG, "--config needs a file name");
            file = argv[i + 1];
        } else if (!strncmp(argv[i], "--config=", 9)) {
            file = argv[i] + 9;
        }
    }
    if (file && *file && (rc = load_file(spec, out, file, err, errlen)))
        return rc;

    for (size_t i = 0; i < spec->n_opts; i++) {
        const struct lt_opt *o = &spec->opts[i];
        const char *v = o->env ? getenv(o->env) : NULL;
        if (v && *v) {
            char src[128];
            snprintf(src, sizeof src, "environment %s", o->env);
            if ((rc = set_value(o, out, v, src, err, errlen)))
                return rc;
        }
    }

    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        if (strncmp(a, "--", 2) != 0)
            break; /* first positional argument */
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t namelen = eq ? (size_t)(eq - name) : strlen(name);
        if (namelen == 6 && !strncmp(name, "config", 6)) {
            if (!eq)
                i++;
            continue;
        }
        const struct lt_opt *o = find_opt(spec, name, namelen);
        if (!o)
            return lt_err_set(err, errlen, LT_ERR_CONFIG,
                              "unknown option '%s' (see %s --help)", a, spec->program);
        const char *v;
        if (eq)
            v = eq + 1;
        else if (o->type == LT_OPT_BOOL)
            v = "true";
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "option --%s needs a value", o->name);
        if ((rc = set_value(o, out, v, "command line", err, errlen)))
            return rc;
    }
    if (first_arg)
        *first_arg = i;
    else if (i < argc)
        return lt_err_set(err, errlen, LT_ERR_CONFIG, "unexpected argument '%s' (see %s --help)",
                          argv[i], spec->program);

    for (size_t k = 0; k < spec->n_opts; k++) {
        const struct lt_opt *o = &spec->opts[k];
        if (o->required && o->type == LT_OPT_STRING &&
            !*(char **)(void *)((char *)out + o->offset))
            return lt_err_set(err, errlen, LT_ERR_CONFIG, "--%s is required%s%s%s", o->name,
                              o->env ? " (or set " : "", o->env ? o->env : "", o->env ? ")" : "");
    }
    return LT_OK;
}

void lt_config_print_help(const struct lt_config_spec *spec, FILE *f)
{
    fprintf(f, "Usage: %s %s\n\n%s\n\nOptions (command line > environment > config file > default):\n",
            spec->program, spec->usage, spec->summary);
    for (size_t i = 0; i < spec->n_opts; i++) {
        const struct lt_opt *o = &spec->opts[i];
        fprintf(f, "  --%s%s\n      %s\n", o->name,
                o->type == LT_OPT_BOOL ? "" : o->type == LT_OPT_INT ? " N" : " VALUE", o->help);
        if (o->type == LT_OPT_INT && (o->min || o->max))
            fprintf(f, "      range %lld..%lld\n", o->min, o->max);
        if (o->env || o->def || o->required)
            fprintf(f, "      %s%s%s%s%s\n", o->env ? "env " : "", o->env ? o->env : "",
                    o->def ? (o->env ? "; default " : "default ") : "", o->def ? o->def : "",
                    o->required ? "; required" : "");
    }
    fprintf(f, "  --config FILE\n      read settings from FILE (key = value lines); env LT_CONFIG\n"
               "  -h, --help\n      print this help\n");
}

void lt_config_free(const struct lt_config_spec *spec, void *out)
{
    if (!out)
        return;
    for (size_t i = 0; i < spec->n_opts; i++)
        if (spec->opts[i].type == LT_OPT_STRING) {
            char **s = (char **)(void *)((char *)out + spec->opts[i].offset);
            free(*s);
            *s = NULL;
        }
}
