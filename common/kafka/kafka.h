/* kafka.h — creating librdkafka producers and consumers the Lienthong way.
 *
 * One place decides the settings every client shares: the bootstrap servers,
 * an idempotent producer with acks=all, consumers that never auto-commit
 * (offsets are stored with the data, in PostgreSQL), and librdkafka's own log
 * routed into the project logger. Extra settings (security, tuning) are passed
 * as a NULL-terminated list of key/value pairs. */
#ifndef LT_KAFKA_KAFKA_H
#define LT_KAFKA_KAFKA_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* Sets every pair of the NULL-terminated list {k1, v1, k2, v2, …, NULL} on
 * conf. Returns LT_OK or LT_ERR_CONFIG naming the bad key. */
int lt_kafka_conf_apply(rd_kafka_conf_t *conf, const char *const *kv, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Reads a librdkafka properties file (key=value lines, # comments) into a
 * NULL-terminated key/value list for lt_kafka_conf_apply (release with
 * lt_kafka_config_free). It may hold a password, so it is refused when group
 * or others may read it. Returns LT_OK or LT_ERR_CONFIG with the reason. */
int lt_kafka_config_read(const char *path, char ***out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Releases a list from lt_kafka_config_read; NULL is a no-op. */
void lt_kafka_config_free(char **kv);

/* A configuration with what every client shares: the bootstrap servers, the
 * client id, librdkafka's log routed into the project logger, the settings of
 * the file named by LT_KAFKA_CONFIG (lt_kafka_config_read) and the debug
 * contexts of LT_KAFKA_DEBUG if set. For a client that needs settings the
 * constructors below cannot give (a rebalance callback); the caller owns it
 * (rd_kafka_new takes it). Returns NULL and fills err on failure. */
rd_kafka_conf_t *lt_kafka_conf_new(const char *bootstrap, const char *client_id, char *err,
                                   size_t errlen);

/* A new idempotent producer (enable.idempotence=true, acks=all, the Java
 * client's murmur2 partitioner so every publisher partitions alike). If dr_cb is
 * not NULL it receives every delivery report (set an opaque with
 * rd_kafka_conf_set_opaque through `opaque`). Returns NULL and fills err on
 * failure. The caller owns the handle: rd_kafka_flush() then
 * rd_kafka_destroy(). */
rd_kafka_t *lt_kafka_producer_new(const char *bootstrap, const char *client_id,
                                  const char *const *extra,
                                  void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                                  void *opaque, char *err, size_t errlen);

/* A new consumer in group_id with auto-commit off and the poll queue
 * redirected to the consumer queue. Returns NULL and fills err on failure.
 * The caller owns it: rd_kafka_consumer_close() then rd_kafka_destroy(). */
rd_kafka_t *lt_kafka_consumer_new(const char *bootstrap, const char *group_id,
                                  const char *client_id, const char *const *extra,
                                  char *err, size_t errlen);

/* Finds header `name` on msg and returns its value as a NUL-terminated copy
 * in buf (truncated to bufsize-1). Returns LT_OK or LT_ERR_NOTFOUND. */
int lt_kafka_header(const rd_kafka_message_t *msg, const char *name, char *buf, size_t bufsize)
    __attribute__((warn_unused_result));

/* Creates topic `name` with the given partition count and replication factor
 * (-1 for the broker's default.replication.factor)
 * through the Admin API on handle rk (any producer or consumer), waiting up to
 * timeout_ms. A topic that already exists is success. configs is a
 * NULL-terminated key/value list of topic settings, or NULL. Returns LT_OK,
 * LT_ERR_TIMEOUT or LT_ERR_KAFKA with the broker's reason in err. */
int lt_kafka_create_topic(rd_kafka_t *rk, const char *name, int partitions, int replication,
                          const char *const *configs, int timeout_ms, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
