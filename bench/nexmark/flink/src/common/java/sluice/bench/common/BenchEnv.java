/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads the harness's NEXMARK_* environment variables, failing with the
 * variable's name when a required one is missing or malformed.
 */
package sluice.bench.common;

public final class BenchEnv {
  private BenchEnv() {
  }

  /* The value of NAME; exits with status 2 when it is unset or empty. */
  public static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      System.err.println("nexmark: environment variable " + name
          + " is not set");
      System.exit(2);
    }
    return value;
  }

  /* NAME as a positive int, FALLBACK when unset; exits 2 when malformed. */
  public static int intOr(String name, int fallback) {
    return (int) longOr(name, fallback);
  }

  /* NAME as a non-negative long, FALLBACK when unset; exits 2 if malformed. */
  public static long longOr(String name, long fallback) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      /* falls through to the message below */
    }
    System.err.println("nexmark: " + name + "=\"" + value
        + "\" is not a non-negative integer");
    System.exit(2);
    return fallback;
  }
}
