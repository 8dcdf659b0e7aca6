package dev.streamlens.bench.capacity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of each part of a running stack, from {@code /proc/<pid>/stat} (Linux): the parts
 * {@code ./streamlens up} records in {@code $STREAMLENS_HOME/run/pids}, PostgreSQL with every backend
 * it forked (its {@code postmaster.pid}), and this load generator.
 */
final class ProcessCpu {

    /** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux the JDK runs on). */
    private static final double TICKS_PER_SECOND = 100;

    private final Map<String, Long> parts = new LinkedHashMap<>();
    private final long postgres;

    ProcessCpu(Path streamlensHome) throws IOException {
        for (String line : Files.readAllLines(streamlensHome.resolve("run").resolve("pids"))) {
            String[] fields = line.trim().split(" ");
            if (fields.length == 3 && !fields[0].equals("launcher")) {
                parts.put(fields[0].replace('_', ' '), Long.parseLong(fields[1]));
            }
        }
        parts.put("load generator", ProcessHandle.current().pid());
        Path postmaster = streamlensHome.resolve("postgres").resolve("postmaster.pid");
        postgres = Files.exists(postmaster)
                ? Long.parseLong(Files.readAllLines(postmaster).get(0).trim())
                : -1;
    }

    /** Seconds of CPU each part has used so far (user + system), PostgreSQL's backends included. */
    Map<String, Double> cpuSeconds() throws IOException {
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<Long, long[]> all = allProcesses(); // pid -> {ppid, ticks}
        parts.forEach((part, pid) -> {
            long[] process = all.get(pid);
            seconds.put(part, process == null ? 0 : process[1] / TICKS_PER_SECOND);
        });
        if (postgres > 0) {
            long ticks = 0;
            for (Map.Entry<Long, long[]> e : all.entrySet()) {
                if (e.getKey() == postgres || e.getValue()[0] == postgres) {
                    ticks += e.getValue()[1];
                }
            }
            seconds.put("PostgreSQL", ticks / TICKS_PER_SECOND);
        }
        return seconds;
    }

    /** Each part's share of one core between two readings, in per cent (200 % is both cores of two). */
    static Map<String, Double> percentOfACore(
            Map<String, Double> before, Map<String, Double> after, double wallSeconds) {
        Map<String, Double> percent = new LinkedHashMap<>();
        after.forEach(
                (part, seconds) -> percent.put(part, 100 * (seconds - before.getOrDefault(part, 0.0)) / wallSeconds));
        return percent;
    }

    private static Map<Long, long[]> allProcesses() throws IOException {
        Map<Long, long[]> processes = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(entry.resolve("stat"));
                    // the command name may hold spaces and parentheses: the fields start after the last ')'
                    List<String> fields =
                            List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
                    long ppid = Long.parseLong(fields.get(1));
                    long ticks = Long.parseLong(fields.get(11)) + Long.parseLong(fields.get(12));
                    processes.put(Long.parseLong(name), new long[] {ppid, ticks});
                } catch (IOException | RuntimeException e) {
                    // the process ended while we looked
                }
            }
        }
        return processes;
    }
}
