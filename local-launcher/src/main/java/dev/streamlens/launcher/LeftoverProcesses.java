package dev.streamlens.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The parts of a run whose launcher was killed (kill -9 gives it no chance to stop them): every
 * part's pid is recorded under {@code $STREAMLENS_HOME/run}, and the next {@code up} stops those
 * still alive before it starts, so their ports and data directories are free again. A pid is only
 * stopped when its start time matches the record, so a recycled pid is never touched.
 */
final class LeftoverProcesses {

    /** How the launcher itself is recorded: a live one means this directory is in use. */
    static final String LAUNCHER = "launcher";

    private final Path pidFile;
    private final Path postmasterPid;

    LeftoverProcesses(StackSettings settings) {
        this.pidFile = settings.home().resolve("run").resolve("pids");
        this.postmasterPid = settings.home().resolve("postgres").resolve("postmaster.pid");
    }

    /** Remembers a started part. */
    void record(String part, ProcessHandle process) {
        Optional<Instant> started = process.info().startInstant();
        String line = part.replace(' ', '_') + " " + process.pid() + " "
                + started.map(Instant::toEpochMilli).orElse(0L) + "\n";
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(
                    pidFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pidFile, e);
        }
    }

    /**
     * Stops what a previous run left alive (including its PostgreSQL server) and forgets it; refuses
     * when that run's launcher is still alive, i.e. StreamLens is running from this directory.
     */
    void stopAll(PrintStream out) throws IOException {
        if (Files.exists(pidFile)) {
            for (String line : Files.readAllLines(pidFile, StandardCharsets.UTF_8)) {
                String[] fields = line.trim().split(" ");
                if (fields.length == 3
                        && fields[0].equals(LAUNCHER)
                        && alive(Long.parseLong(fields[1]), Long.parseLong(fields[2]))) {
                    throw new ManagedProcess.StartFailure("StreamLens is already running from "
                            + pidFile.getParent().getParent() + " (launcher pid " + fields[1]
                            + "): stop it first, or use another STREAMLENS_HOME");
                }
            }
            for (String line : Files.readAllLines(pidFile, StandardCharsets.UTF_8)) {
                String[] fields = line.trim().split(" ");
                if (fields.length != 3) {
                    continue;
                }
                long recordedStart = Long.parseLong(fields[2]);
                ProcessHandle.of(Long.parseLong(fields[1]))
                        .filter(p -> p.info()
                                        .startInstant()
                                        .map(Instant::toEpochMilli)
                                        .orElse(-1L)
                                == recordedStart)
                        .ifPresent(p -> stop(fields[0].replace('_', ' '), p, out));
            }
            Files.delete(pidFile);
        }
        // zonky starts PostgreSQL through pg_ctl, so the server is not the launcher's child: its own pid
        // file names it, and its second line must be our data directory (a reused pid is someone else's).
        if (Files.exists(postmasterPid)) {
            List<String> lines = Files.readAllLines(postmasterPid, StandardCharsets.UTF_8);
            if (lines.size() > 1
                    && lines.get(0).trim().matches("\\d+")
                    && Path.of(lines.get(1).trim())
                            .toAbsolutePath()
                            .equals(postmasterPid.getParent().toAbsolutePath())
                    && isOurPostgres(Long.parseLong(lines.get(0).trim()), postmasterPid.getParent())) {
                ProcessHandle.of(Long.parseLong(lines.get(0).trim())).ifPresent(p -> stop("PostgreSQL", p, out));
            }
        }
    }

    /** After a clean stop there is nothing left to stop next time. */
    void forget() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // a stale record is harmless: start times protect recycled pids
        }
    }

    private static boolean alive(long pid, long startedAt) {
        return ProcessHandle.of(pid)
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .map(p -> p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == startedAt)
                .orElse(false);
    }

    /** A postgres process whose command line names this data directory. */
    private static boolean isOurPostgres(long pid, Path dataDirectory) {
        return ProcessHandle.of(pid)
                .map(p -> p.info().commandLine().orElse("").contains("-D " + dataDirectory))
                .orElse(false);
    }

    private static void stop(String part, ProcessHandle process, PrintStream out) {
        out.println("stopping " + part + " left running by a previous run (pid " + process.pid() + ")");
        process.destroy();
        try {
            process.onExit().get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }
}
