package dev.streamlens.e2e;

import dev.streamlens.infra.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./streamlens up} run the way a user runs it — the real script, from the repository root —
 * on free ports and its own data directory; its output is kept for failure messages.
 */
final class StackProcess implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** Timings that close windows within seconds: the end-to-end tests' stacks run with them. */
    static final long WINDOW_MS = 10_000;

    static final long JOIN_TIMEOUT_MS = 20_000;
    static final Map<String, String> SHORT_TIMES = Map.of(
            "STREAMLENS_WINDOW",
            "10s",
            "STREAMLENS_JOIN_TIMEOUT",
            "20s",
            "STREAMLENS_OUT_OF_ORDERNESS",
            "2s",
            "STREAMLENS_IDLE_TIMEOUT",
            "3s",
            "STREAMLENS_ALLOWED_LATENESS",
            "20s",
            "STREAMLENS_CHECKPOINT_INTERVAL",
            "2s");

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private StackProcess(Process process) {
        this.process = process;
    }

    /** The settings of one stack: free ports and a data directory, plus any STREAMLENS_* given. */
    static Map<String, String> settings(Path home, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("STREAMLENS_HOME", home.toString());
        for (String port : List.of(
                "STREAMLENS_INGEST_PORT",
                "STREAMLENS_OTLP_GRPC_PORT",
                "STREAMLENS_QUERY_PORT",
                "STREAMLENS_FLINK_UI_PORT",
                "STREAMLENS_KAFKA_PORT",
                "STREAMLENS_POSTGRES_PORT")) {
            env.put(port, Integer.toString(FreePorts.pick()));
        }
        return env;
    }

    /** Runs {@code ./streamlens up} and waits for its "StreamLens is up" line. */
    static StackProcess up(Map<String, String> settings) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", ROOT.resolve("streamlens").toString(), "up")
                .directory(ROOT.toFile())
                .redirectErrorStream(true);
        // Only the test's settings: none of the developer's own STREAMLENS_* variables.
        builder.environment().keySet().removeIf(name -> name.startsWith("STREAMLENS_"));
        builder.environment().putAll(settings);
        StackProcess stack = new StackProcess(builder.start());
        boolean ready = CompletableFuture.supplyAsync(stack::readUntilUp).get(4, TimeUnit.MINUTES);
        if (!ready) {
            throw new IllegalStateException("./streamlens up did not come up: " + stack.output);
        }
        return stack;
    }

    List<String> output() {
        return List.copyOf(output);
    }

    /** Waits for a line printed after the ready line (the URLs, the keys), read as it arrives. */
    boolean printed(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().stream().anyMatch(line -> line.contains(text))) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    Process process() {
        return process;
    }

    /** The launcher and everything it started, PostgreSQL included (pg_ctl makes it no child of ours). */
    List<ProcessHandle> everyProcess(Path home) throws IOException {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        all.addAll(process.toHandle().descendants().toList());
        Path postmasterPid = home.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(postmasterPid)) {
            ProcessHandle.of(Long.parseLong(
                            Files.readAllLines(postmasterPid).get(0).trim()))
                    .ifPresent(postmaster -> {
                        all.add(postmaster);
                        all.addAll(postmaster.descendants().toList());
                    });
        }
        return all;
    }

    /** Stops it as Ctrl-C would, and makes sure nothing survives a failed test. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Reads the output until the ready line, then keeps draining it so the launcher never blocks. */
    private boolean readUntilUp() {
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                output.add(line);
                if (line.equals("StreamLens is up")) {
                    Thread drain = new Thread(() -> lines.lines().forEach(output::add));
                    drain.setDaemon(true);
                    drain.start();
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
