package dev.streamlens.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamlens.infra.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real job in a process of its own, started as {@code java ... StreamLensJob <options>} would
 * start it (a local mini-cluster with Flink's REST API), so a test can pause it ({@code SIGSTOP}),
 * kill it ({@code SIGKILL}) and start it again from its retained checkpoints, as happens to a
 * job on a real machine. Output goes to {@code job-<n>.log} in the work directory.
 */
final class JobProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int restPort;
    private final Path log;
    private String jobId;

    private JobProcess(Process process, int restPort, Path log) {
        this.process = process;
        this.restPort = restPort;
        this.log = log;
    }

    /** Starts the job with the pricing file and checkpoint directory of {@code work}, resuming from its checkpoints. */
    static JobProcess start(Path work, String kafka, String jdbcUrl, List<String> options) throws Exception {
        Path prices = work.resolve("prices.json");
        Files.writeString(prices, JobRun.PRICES);
        int port = FreePorts.pick();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "--add-opens",
                "java.base/java.util=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "-Dlog4j2.configurationFile=log4j2-test.properties",
                "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "dev.streamlens.job.StreamLensJob",
                "--kafka-brokers",
                kafka,
                "--jdbc-url",
                jdbcUrl,
                "--jdbc-user",
                "postgres",
                "--jdbc-password",
                "postgres",
                "--pricing-file",
                prices.toString(),
                "--checkpoint-dir",
                work.resolve("checkpoints").toUri().toString(),
                "--resume-from-latest-checkpoint",
                "--local-web-ui-port",
                Integer.toString(port)));
        command.addAll(options);
        long started;
        try (var logs = Files.list(work)) {
            started = logs.filter(p -> p.getFileName().toString().startsWith("job-"))
                    .count();
        }
        Path log = work.resolve("job-" + started + ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        // The job reads STREAMLENS_* settings too: only the test's arguments count.
        builder.environment().keySet().removeIf(name -> name.startsWith("STREAMLENS_"));
        Process process = builder.start();
        JobProcess job = new JobProcess(process, port, log);
        job.awaitRunning(Duration.ofSeconds(90));
        return job;
    }

    /** Freezes the whole process, as a long GC pause or a suspended VM would. */
    void pause() throws Exception {
        signal("STOP");
    }

    void resume() throws Exception {
        signal("CONT");
    }

    /** SIGKILL: no final checkpoint, no clean-up; the retained checkpoints stay. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    long pid() {
        return process.pid();
    }

    /** Asks the job for a checkpoint now and waits until it has completed. */
    void checkpoint() throws Exception {
        JsonNode trigger = post("/jobs/" + jobId + "/checkpoints", "{\"checkpointType\":\"FULL\"}");
        String triggerId = trigger.path("request-id").asText();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/checkpoints/" + triggerId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                if (status.path("operation").has("failure-cause")) {
                    throw new AssertionError("checkpoint failed: " + status.path("operation"));
                }
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no checkpoint completed within 60 s; see " + log);
    }

    /**
     * {@code flink stop --drain}: the sources end, the end-of-time watermark passes through every
     * operator, and a final savepoint is written under {@code target}. The job then finishes and
     * this process exits (its retained checkpoints are discarded, as on a cluster). Returns the
     * savepoint's directory, for {@code --from-savepoint}.
     */
    Path stopWithDrain(Path target) throws Exception {
        post("/jobs/" + jobId + "/stop", "{\"drain\":true,\"targetDirectory\":\"" + target.toUri() + "\"}");
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the drained job did not finish within 120 s; see " + log);
        }
        try (var savepoints = Files.list(target)) {
            return savepoints
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no savepoint under " + target + "; see " + log));
        }
    }

    /** Completed checkpoints of this run of the job. */
    long completedCheckpoints() throws Exception {
        return get("/jobs/" + jobId + "/checkpoints")
                .path("counts")
                .path("completed")
                .asLong();
    }

    /** The failures Flink recorded for the job in this process (a record that makes it throw shows here). */
    List<String> failures() throws Exception {
        List<String> failures = new ArrayList<>();
        for (JsonNode entry :
                get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
            failures.add(entry.path("exceptionName").asText() + ": "
                    + entry.path("stacktrace").asText().lines().findFirst().orElse(""));
        }
        return failures;
    }

    /**
     * The sum over subtasks of one of the job's counters (e.g. {@code streamlens_dead_letters}), as
     * Flink's REST API reports it (refreshed every few seconds).
     */
    long counter(String name) throws Exception {
        long sum = 0;
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String base = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
            for (JsonNode metric : get(base)) {
                String id = metric.path("id").asText();
                if (id.endsWith("." + name)) {
                    for (JsonNode value : get(base + "?agg=sum&get="
                            + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8))) {
                        sum += (long) value.path("sum").asDouble();
                    }
                }
            }
        }
        return sum;
    }

    private void awaitRunning(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the job exited with " + process.exitValue() + "; see " + log);
            }
            try {
                for (JsonNode job : get("/jobs/overview").path("jobs")) {
                    if ("RUNNING".equals(job.path("state").asText()) && allTasksRunning(job)) {
                        jobId = job.path("jid").asText();
                        return;
                    }
                }
            } catch (IOException notYet) {
                // the REST API is not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the job was not running after " + timeout.toSeconds() + " s; see " + log);
    }

    private static boolean allTasksRunning(JsonNode job) {
        JsonNode tasks = job.path("tasks");
        return tasks.path("total").asInt() > 0
                && tasks.path("running").asInt() == tasks.path("total").asInt();
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private JsonNode post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            kill(); // a test's job needs no clean shutdown: its checkpoints are retained either way
        }
    }
}
