/* config.h — configuration as one declarative table.
 *
 * A program describes each setting once (name, type, default, bounds,
 * environment variable, help) and gets a filled, read-only struct. Sources, from
 * weakest to strongest: the default, a config file (`--config FILE` or the
 * LT_CONFIG variable; `key = value` lines, inih syntax), the environment, the
 * command line (`--name value` or `--name=value`; `--name` alone for a bool).
 * Unknown names and out-of-bounds values are errors that name the source.
 * `--help` prints the table. */
#ifndef LT_CORE_CONFIG_H
#define LT_CORE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum lt_opt_type {
    LT_OPT_STRING, /* char * in the struct, owned by it (lt_config_free) */
    LT_OPT_INT,    /* long long in the struct */
    LT_OPT_BOOL,   /* int (0/1) in the struct */
};

struct lt_opt {
    const char *name;     /* "kafka-bootstrap": long option and file key */
    enum lt_opt_type type;
    const char *def;      /* default as text, NULL for none */
    long long min, max;   /* bounds for LT_OPT_INT (both 0: unbounded) */
    const char *env;      /* environment variable or NULL */
    size_t offset;        /* offsetof(struct your_config, field) */
    int required;         /* must end up set (non-NULL / given) */
    const char *help;
};

struct lt_config_spec {
    const char *program;  /* "lt-smoke" */
    const char *usage;    /* "[options]" or "[options] FILE" */
    const char *summary;  /* one paragraph printed by --help */
    const struct lt_opt *opts;
    size_t n_opts;
};

/* Fills *out (a struct laid out as the offsets say; zero it first) from all
 * sources. On return *first_arg (if not NULL) is the index in argv of the first
 * positional argument. Returns LT_OK; 1 when --help was printed (exit 0);
 * LT_ERR_CONFIG with a sentence in err on any bad setting. */
int lt_config_load(const struct lt_config_spec *spec, void *out, int argc,
                   char **argv, int *first_arg, char *err, size_t errlen)
    __attribute__((warn_unused_result));

void lt_config_print_help(const struct lt_config_spec *spec, FILE *f);

/* Frees the strings lt_config_load put in *out. NULL out is a no-op. */
void lt_config_free(const struct lt_config_spec *spec, void *out);

#endif
