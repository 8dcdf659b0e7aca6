package dev.streamlens.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.streamlens.infra.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose's job submitter ({@code flink-job/submit-job.sh}) run with bash, with the job
 * arguments of docker-compose.yml, against a stand-in JobManager (its REST API's
 * {@code /jobs/overview}, in Flink's format; restarted the way a JobManager without HA restarts: gone
 * for a moment, then back knowing no job) and a stand-in {@code flink} CLI that notes each
 * submission and what it restores from, worked out with the job's own settings and configuration
 * ({@code submitter/JobRestore.java}) over a checkpoint directory laid out as Flink lays it out
 * ({@code <job-id>/chk-<n>/_metadata}).
 */
class SubmitJobScriptIT {

    private static final Path SCRIPT = StackProcess.ROOT.resolve("flink-job/submit-job.sh");
    private static final String JOB = "StreamLens metrics";

    @TempDir
    Path dir;

    private Path checkpoints;
    private Path runs;
    private FakeJobManager jobManager;
    private final List<Process> scripts = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        checkpoints = Files.createDirectories(dir.resolve("flink-data/checkpoints"));
        runs = dir.resolve("runs.txt");
        Path fakes = Files.createDirectories(dir.resolve("bin"));
        for (String file : List.of("flink", "JobRestore.java")) {
            try (InputStream in = SubmitJobScriptIT.class.getResourceAsStream("/submitter/" + file)) {
                Files.write(fakes.resolve(file), in.readAllBytes());
            }
        }
        assertThat(fakes.resolve("flink").toFile().setExecutable(true)).isTrue();
        Files.createDirectories(dir.resolve("state"));
        jobManager = new FakeJobManager(FreePorts.pick(), runs);
        jobManager.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process script : scripts) {
            script.destroyForcibly();
            script.waitFor(10, TimeUnit.SECONDS);
        }
        jobManager.stop();
    }

    @Test
    void resumesTheNewestRetainedCheckpointAndAgainWhenTheJobManagerComesBackWithoutTheJob() throws Exception {
        checkpoint("a1", 3, Duration.ofMinutes(30));
        checkpoint("b2", 7, Duration.ofMinutes(5));
        Files.createDirectories(checkpoints.resolve("b2/chk-8")); // being written: no _metadata yet
        Files.createDirectories(checkpoints.resolve("b2/shared"));

        Process script = start(Map.of());
        Map<String, String> first = awaitRun(1);
        assertThat(first.get("options")).isEqualTo("-d -m " + jobManager.address());
        assertThat(first.get("jar")).isEqualTo("/opt/flink/usrlib/streamlens-job.jar");
        assertThat(first.get("restore"))
                .isEqualTo(checkpoints.resolve("b2/chk-7").toUri().toString());
        assertThat(first.get("args"))
                .startsWith(String.join(" ", composeArguments()))
                .endsWith("--resume-from-latest-checkpoint");

        // The resumed job checkpoints under its own id; then the JobManager restarts and knows no job.
        awaitOutput(script, "Watching " + JOB);
        checkpoint("c3", 12, Duration.ofSeconds(1));
        jobManager.restart();
        Map<String, String> second = awaitRun(2);
        assertThat(second.get("restore"))
                .isEqualTo(checkpoints.resolve("c3/chk-12").toUri().toString());
        assertThat(output(script)).contains("does not answer", "knows no " + JOB);

        // Stopped by an operator: the watch ends and nothing is submitted again.
        jobManager.endJobs("CANCELED");
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).as(output(script)).isTrue();
        assertThat(script.exitValue()).isZero();
        assertThat(Files.readAllLines(runs)).hasSize(2);
    }

    @Test
    void aSavepointComesFirstAndOnlyAtTheContainersFirstStart() throws Exception {
        checkpoint("a1", 3, Duration.ofMinutes(30));
        String savepoint = dir.resolve("flink-data/savepoints/savepoint-a1b2c3-0123456789ab")
                .toUri()
                .toString();
        Map<String, String> env = Map.of("STREAMLENS_SAVEPOINT", savepoint);

        Process script = start(env);
        Map<String, String> first = awaitRun(1);
        assertThat(first.get("options")).isEqualTo("-d -m " + jobManager.address() + " -s " + savepoint);
        assertThat(first.get("restore"))
                .as("-s alone: the job's own choice would override it")
                .isEqualTo(savepoint);
        assertThat(first.get("args")).doesNotContain("--resume-from-latest-checkpoint");

        awaitOutput(script, "Watching " + JOB);
        checkpoint("d4", 5, Duration.ofSeconds(1));
        jobManager.restart();
        assertThat(awaitRun(2).get("restore"))
                .as("after a JobManager restart: the checkpoints taken since")
                .isEqualTo(checkpoints.resolve("d4/chk-5").toUri().toString());

        // The container restarts (a reboot) with the same environment, and the cluster with it.
        script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        jobManager.restart();
        checkpoint("e5", 9, Duration.ofSeconds(1));
        start(env);
        Map<String, String> third = awaitRun(3);
        assertThat(third.get("options")).doesNotContain("-s");
        assertThat(third.get("restore"))
                .isEqualTo(checkpoints.resolve("e5/chk-9").toUri().toString());
    }

    @Test
    void aRunningJobIsLeftAloneAndTheSavepointWithIt() throws Exception {
        checkpoint("a1", 3, Duration.ofSeconds(1));
        jobManager.add("another job", "RUNNING");
        jobManager.add(JOB, "CANCELED");
        jobManager.add(JOB, "RESTARTING");

        Process script = start(Map.of("STREAMLENS_SAVEPOINT", "file:///flink-data/savepoints/savepoint-old"));
        awaitOutput(script, "Watching " + JOB);
        assertThat(output(script)).contains(JOB + " is already running on " + jobManager.address());
        Thread.sleep(1_000); // five looks at the cluster
        assertThat(runs).doesNotExist();

        jobManager.restart();
        assertThat(awaitRun(1).get("restore"))
                .as("not the savepoint: the running job was past it")
                .isEqualTo(checkpoints.resolve("a1/chk-3").toUri().toString());

        jobManager.endJobs("FINISHED"); // stopped with a savepoint for an upgrade
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).as(output(script)).isTrue();
        assertThat(script.exitValue()).isZero();
        assertThat(output(script)).contains(JOB + " has ended (FINISHED");
    }

    @Test
    void withoutTheCheckpointVolumeItSaysTheJobStartsWithoutState() throws Exception {
        Files.delete(checkpoints);
        Process script = start(Map.of("STREAMLENS_WATCH_INTERVAL", "0"));
        assertThat(script.waitFor(90, TimeUnit.SECONDS)).as(output(script)).isTrue();
        assertThat(script.exitValue()).as(output(script)).isZero();
        assertThat(awaitRun(1).get("restore")).isEqualTo("none");
        assertThat(output(script))
                .contains("WARNING: the checkpoint directory " + checkpoints
                        + " is not in this container (is its volume mounted?)");
    }

    /** The job-submitter's arguments in docker-compose.yml, with the checkpoint directory moved here. */
    private List<String> composeArguments() throws IOException {
        JsonNode command = new ObjectMapper(new YAMLFactory())
                .readTree(StackProcess.ROOT.resolve("docker-compose.yml").toFile())
                .at("/services/job-submitter/command");
        List<String> args = new ArrayList<>();
        command.forEach(arg -> args.add(arg.asText()));
        int dirAt = args.indexOf("--checkpoint-dir") + 1;
        assertThat(args.get(dirAt)).isEqualTo("file:///flink-data/checkpoints");
        args.set(dirAt, checkpoints.toUri().toString());
        return args;
    }

    private Process start(Map<String, String> settings) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(composeArguments());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("submitter-" + scripts.size() + ".log").toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("STREAMLENS_") || name.startsWith("FLINK_"));
        env.put("PATH", dir.resolve("bin") + ":" + env.get("PATH"));
        env.put("FLINK_JOBMANAGER", jobManager.address());
        env.put("STREAMLENS_JDBC_PASSWORD", "as-in-the-compose-file");
        env.put("STREAMLENS_WATCH_INTERVAL", "0.2");
        env.put("STREAMLENS_SUBMITTER_STATE", dir.resolve("state").toString());
        env.put("FAKE_FLINK_RUNS", runs.toString());
        env.put(
                "FAKE_FLINK_JAVA",
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("FAKE_FLINK_CLASSPATH", jobClasspath());
        env.putAll(settings);
        Process script = builder.start();
        scripts.add(script);
        return script;
    }

    private String output(Process script) throws IOException {
        return Files.readString(dir.resolve("submitter-" + scripts.indexOf(script) + ".log"));
    }

    private void awaitOutput(Process script, String text) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!output(script).contains(text)) {
            assertThat(Instant.now()).as("'%s' in: %s", text, output(script)).isBefore(deadline);
            Thread.sleep(100);
        }
    }

    /** The n-th submission (1-based), once made: its options, jar, restore path and arguments. */
    private Map<String, String> awaitRun(int n) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (!Files.exists(runs) || Files.readAllLines(runs).size() < n) {
            assertThat(Instant.now())
                    .as(
                            "submission %d; submitter output: %s",
                            n, scripts.isEmpty() ? "" : output(scripts.get(scripts.size() - 1)))
                    .isBefore(deadline);
            Thread.sleep(100);
        }
        List<String> lines = Files.readAllLines(runs);
        assertThat(lines).as("one submission at a time").hasSize(n);
        Map<String, String> run = new HashMap<>();
        for (String field : lines.get(n - 1).split("\\|")) {
            run.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
        }
        return run;
    }

    /** A completed checkpoint: {@code <job-id>/chk-<n>/_metadata}, written {@code age} ago. */
    private void checkpoint(String jobId, int n, Duration age) throws IOException {
        Path chk = Files.createDirectories(checkpoints.resolve(jobId).resolve("chk-" + n));
        Files.writeString(chk.resolve("_metadata"), "metadata of " + jobId + " " + n);
        Files.setLastModifiedTime(
                chk.resolve("_metadata"), FileTime.from(Instant.now().minus(age)));
    }

    private static String jobClasspath() throws IOException {
        try (InputStream in = SubmitJobScriptIT.class.getResourceAsStream("/streamlens/job.classpath")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /**
     * The REST API's {@code /jobs/overview} of a session cluster: the jobs it was given and each job the
     * stand-in {@code flink run} submitted (RUNNING). A restart goes away for a moment and comes back
     * knowing no job, as a JobManager without high availability does.
     */
    private static final class FakeJobManager {

        private final int port;
        private final Path runs;
        private final List<String[]> jobs = new ArrayList<>();
        private int runsSeen;
        private HttpServer server;

        FakeJobManager(int port, Path runs) {
            this.port = port;
            this.runs = runs;
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        synchronized void start() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/jobs/overview", this::overview);
            server.start();
        }

        synchronized void stop() {
            server.stop(0);
        }

        void restart() throws Exception {
            stop();
            synchronized (this) {
                takeSubmissions();
                jobs.clear();
            }
            Thread.sleep(2_000); // looks that find nobody (connection refused)
            start();
        }

        synchronized void add(String name, String state) {
            jobs.add(new String[] {name, state});
        }

        synchronized void endJobs(String state) throws IOException {
            takeSubmissions();
            jobs.forEach(job -> job[1] = state);
        }

        /** A job submitted is known at once (the Dispatcher registers it before `flink run -d` returns). */
        private void takeSubmissions() throws IOException {
            List<String> submitted = Files.exists(runs) ? Files.readAllLines(runs) : List.of();
            for (; runsSeen < submitted.size(); runsSeen++) {
                jobs.add(new String[] {JOB, "RUNNING"});
            }
        }

        private synchronized void overview(HttpExchange exchange) throws IOException {
            takeSubmissions();
            // As Flink 2.2's MultipleJobsDetails serializes.
            String body = jobs.stream()
                    .map(job -> "{\"jid\":\"" + String.format("%032x", job.hashCode()) + "\",\"name\":\""
                            + job[0] + "\",\"start-time\":1764940000000,\"end-time\":-1,\"duration\":5000,\"state\":\""
                            + job[1]
                            + "\",\"last-modification\":1764940005000,\"tasks\":{\"running\":4,\"canceling\":0,\"canceled\":0,"
                            + "\"total\":4,\"created\":0,\"scheduled\":0,\"deploying\":0,\"reconciling\":0,\"finished\":0,"
                            + "\"initializing\":0,\"failed\":0},\"pending-operators\":0}")
                    .collect(Collectors.joining(",", "{\"jobs\":[", "]}"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
