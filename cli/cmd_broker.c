/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_broker.c - `sluice broker`: the embedded in-memory Kafka broker as a
 * process of its own, for other clients (kcat, a second sluice) during
 * development.
 *
 * The first line of standard output is `bootstrap: 127.0.0.1:PORT`
 * (flushed at once, so a script can read it from a pipe); the broker then
 * runs until SIGINT or SIGTERM and exits 0.  Its data lives in memory
 * only, under the limits described in engine/kafka/broker.h.  It serves
 * topic creation to other processes through its requests topic, which
 * Sluice's admin client finds on its own.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/common/log.h"
#include "engine/kafka/broker.h"

static const char broker_help[] =
    "Usage: sluice broker [--log-level LEVEL]\n"
    "\n"
    "Runs an embedded in-memory Kafka broker on 127.0.0.1 until Ctrl-C.\n"
    "The first line of standard output is \"bootstrap: 127.0.0.1:PORT\".\n"
    "Other sluice processes create topics on it with the partitions they\n"
    "ask for; other clients get 4 partitions when they first name a topic.\n"
    "Each partition keeps about 5 MB, older records are deleted.\n"
    "\n"
    "  --log-level LEVEL  error, warn, info (default) or debug\n"
    "  -h, --help         show this help\n";

/* Parses the options; returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv) {
  static const struct option options[] = {
      {"log-level", required_argument, NULL, 'l'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
    sl_log_level level;
    switch (c) {
    case 'h':
      fputs(broker_help, stdout);
      return 0;
    case 'l':
      if (!sl_log_parse_level(optarg, &level)) {
        fprintf(stderr, "sluice broker: unknown log level \"%s\"; expected "
                "error, warn, info or debug\n", optarg);
        return 2;
      }
      sl_log_set_level(level);
      break;
    default:
      fprintf(stderr, "sluice broker: unknown option or missing value "
              "\"%s\"; see sluice broker --help\n", argv[optind - 1]);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "sluice broker: unexpected argument \"%s\"\n",
            argv[optind]);
    return 2;
  }
  return -1;
}

int sl_cmd_broker(int argc, char **argv) {
  int rc = parse_args(argc, argv);
  if (rc >= 0)
    return rc;

  /* Block the stop signals before the broker's threads start, so that
   * they inherit the mask and only sigwait below sees the signals. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  sl_kafka_broker *broker = NULL;
  sl_error err;
  if (sl_kafka_broker_start(1, &broker, &err) != SL_OK) {
    char buf[1200];
    fprintf(stderr, "sluice broker: %s\n",
            sl_error_format(&err, buf, sizeof(buf)));
    return sl_error_exit_code(err.code);
  }
  if (sl_kafka_broker_serve_requests(broker, &err) != SL_OK) {
    char buf[1200];
    fprintf(stderr, "sluice broker: %s\n",
            sl_error_format(&err, buf, sizeof(buf)));
    sl_kafka_broker_stop(broker);
    return sl_error_exit_code(err.code);
  }
  printf("bootstrap: %s\n", sl_kafka_broker_bootstrap(broker));
  fflush(stdout);
  fprintf(stderr, "sluice broker: in-memory broker running (data is lost "
          "on exit); stop it with Ctrl-C\n");

  int sig = 0;
  sigwait(&stop, &sig);
  fprintf(stderr, "sluice broker: %s received, stopping\n",
          sig == SIGINT ? "SIGINT" : "SIGTERM");
  sl_kafka_broker_stop(broker);
  return 0;
}
