/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Measures one benchmark run inside the JVM: wall time and process CPU time
 * (every thread of the process, from OperatingSystemMXBean) between start()
 * and stop(), and the peak resident set (VmHWM of /proc/self/status, the
 * high-water mark of the whole process).  resultLine() formats the
 * harness's RESULT line.
 */
package sluice.bench.common;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

public final class RunMeter {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean();
  private boolean started;
  private long wallStart;
  private long cpuStart;
  private long wallNanos;
  private long cpuNanos;

  /* Marks the start of the measured interval. */
  public synchronized void start() {
    started = true;
    wallStart = System.nanoTime();
    cpuStart = os.getProcessCpuTime();
  }

  /* Marks its end; an interval that never started measures zero. */
  public synchronized void stop() {
    if (started) {
      wallNanos = System.nanoTime() - wallStart;
      cpuNanos = os.getProcessCpuTime() - cpuStart;
    }
  }

  /* "RESULT seconds=... cpu_seconds=... peak_rss_mb=... records_out=N". */
  public synchronized String resultLine(long recordsOut) {
    return String.format(Locale.ROOT,
        "RESULT seconds=%.3f cpu_seconds=%.3f peak_rss_mb=%.1f records_out=%d",
        wallNanos / 1e9, cpuNanos / 1e9, peakRssMb(), recordsOut);
  }

  /* VmHWM in MiB, or -1 when /proc/self/status cannot be read. */
  private static double peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String kb = line.substring(6).replace("kB", "").strip();
          return Long.parseLong(kb) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      System.err.println("peak RSS unavailable: " + e.getMessage());
    }
    return -1;
  }
}
