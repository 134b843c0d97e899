/*
 * A Kafka-protocol broker for tests: librdkafka's mock cluster (rdkafka_mock.h), kept alive until SIGTERM/SIGINT.
 *
 * usage: mockkafka <bootstrap_out_file> [topic:partitions ...]
 *
 * The mock binds an ephemeral port on 127.0.0.1 (librdkafka 2.0 cannot be told which); the bootstrap address is
 * written to <bootstrap_out_file> once the cluster is up, so the caller can point the fixed-port front at it.
 * Topics not named here are auto-created with the mock's default of 4 partitions on first use.
 * One broker only: the front (scripts/kafka-front.mjs) forwards to exactly one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t running = 1;

static void on_stop(int sig) {
  (void)sig;
  running = 0;
}

static int parse_topic(const char *arg, char *name, size_t name_size, int *partitions) {
  const char *colon = strchr(arg, ':');
  size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
  if (len == 0 || len >= name_size) return -1;
  memcpy(name, arg, len);
  name[len] = '\0';
  *partitions = 1;
  if (colon) {
    char *end = NULL;
    errno = 0;
    long n = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || n < 1 || n > 10000) return -1;
    *partitions = (int)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <bootstrap_out_file> [topic:partitions ...]\n", argv[0]);
    return 2;
  }
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "mockkafka: %s\n", err);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "mockkafka: rd_kafka_new: %s\n", err);
    return 1;
  }
  rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, 1);
  if (!cluster) {
    fprintf(stderr, "mockkafka: could not create the mock cluster\n");
    return 1;
  }
  for (int i = 2; i < argc; i++) {
    char topic[250];
    int partitions;
    if (parse_topic(argv[i], topic, sizeof topic, &partitions) != 0) {
      fprintf(stderr, "mockkafka: bad topic spec \"%s\" (expected name or name:partitions)\n", argv[i]);
      return 2;
    }
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster, topic, partitions, 1);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "mockkafka: create topic %s: %s\n", topic, rd_kafka_err2str(e));
      return 1;
    }
  }

  /* Block the stop signals until sigsuspend, so one arriving just before the wait is not missed. */
  sigset_t stop_signals, wait_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, &wait_mask);
  sigdelset(&wait_mask, SIGTERM);
  sigdelset(&wait_mask, SIGINT);
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);

  const char *bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  /* Write to a temp file and rename, so a reader never sees a half-written address. */
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]) >= (int)sizeof tmp) {
    fprintf(stderr, "mockkafka: bootstrap file path too long\n");
    return 1;
  }
  FILE *f = fopen(tmp, "w");
  if (!f || fprintf(f, "%s\n", bootstrap) < 0 || fclose(f) != 0 || rename(tmp, argv[1]) != 0) {
    fprintf(stderr, "mockkafka: cannot write %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  printf("mock kafka cluster at %s\n", bootstrap);
  fflush(stdout);

  while (running) sigsuspend(&wait_mask);

  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
