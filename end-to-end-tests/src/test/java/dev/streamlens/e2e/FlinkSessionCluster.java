package dev.streamlens.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamlens.infra.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Flink session cluster: a JobManager and TaskManagers of two slots each, every one its
 * own JVM started with Flink's own entrypoints from the Maven Central jars (no distribution),
 * driven over the REST API the way an operator drives a remote cluster: upload a jar, run it,
 * stop it with a savepoint; and a TaskManager can be killed.
 */
final class FlinkSessionCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Flink's scripts pass to both JVMs on Java 17. */
    private static final List<String> JAVA17_OPENS = Arrays.stream(new String[] {
                "java.lang",
                "java.net",
                "java.io",
                "java.nio",
                "sun.nio.ch",
                "java.lang.reflect",
                "java.text",
                "java.time",
                "java.util",
                "java.util.concurrent",
                "java.util.concurrent.atomic",
                "java.util.concurrent.locks"
            })
            .map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
            .collect(Collectors.toList());

    private final Path dir;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> taskManagers = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FlinkSessionCluster(Path dir, int restPort) {
        this.dir = dir;
        this.restPort = restPort;
    }

    /** Starts a JobManager and one TaskManager and waits until the TaskManager has registered its slots. */
    static FlinkSessionCluster start(Path dir, String classpath) throws Exception {
        return start(dir, classpath, 1);
    }

    /** Starts a JobManager and {@code taskManagers} TaskManagers, and waits until all their slots are registered. */
    static FlinkSessionCluster start(Path dir, String classpath, int taskManagers) throws Exception {
        FlinkSessionCluster cluster = new FlinkSessionCluster(dir, FreePorts.pick());
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(
                conf.resolve("config.yaml"),
                String.join(
                        "\n",
                        "jobmanager.rpc.address: localhost",
                        "jobmanager.rpc.port: " + FreePorts.pick(),
                        "jobmanager.bind-host: localhost",
                        "rest.address: localhost",
                        "rest.bind-address: localhost",
                        "rest.port: " + cluster.restPort,
                        "taskmanager.host: localhost",
                        "taskmanager.bind-host: localhost",
                        "taskmanager.numberOfTaskSlots: 2",
                        "parallelism.default: 2",
                        // Without Flink's scripts the TaskManager's memory must be spelled out (the scripts compute
                        // it).
                        "taskmanager.cpu.cores: 2.0",
                        "taskmanager.memory.framework.heap.size: 128m",
                        "taskmanager.memory.framework.off-heap.size: 128m",
                        "taskmanager.memory.task.heap.size: 384m",
                        "taskmanager.memory.task.off-heap.size: 0m",
                        "taskmanager.memory.network.min: 64m",
                        "taskmanager.memory.network.max: 64m",
                        "taskmanager.memory.managed.size: 128m",
                        "taskmanager.memory.jvm-metaspace.size: 256m",
                        "taskmanager.memory.jvm-overhead.min: 192m",
                        "taskmanager.memory.jvm-overhead.max: 192m",
                        "io.tmp.dirs: " + dir.resolve("tmp"),
                        "web.upload.dir: " + dir.resolve("uploads"),
                        "execution.checkpointing.savepoint-dir: "
                                + dir.resolve("savepoints").toUri(),
                        // Spread a job's slots over the TaskManagers, so that losing one always hits the job.
                        "taskmanager.load-balance.mode: SLOTS",
                        // A killed TaskManager is noticed in seconds, not after the default 50 s.
                        "heartbeat.interval: 1000",
                        "heartbeat.timeout: 5000",
                        ""));
        try (InputStream log = FlinkSessionCluster.class.getResourceAsStream("/streamlens/job-log4j2.properties")) {
            Files.write(conf.resolve("log4j2.properties"), log.readAllBytes());
        }
        try {
            cluster.launch(
                    "jobmanager",
                    classpath,
                    List.of("-Xmx512m"),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            for (int i = 0; i < taskManagers; i++) {
                cluster.launchTaskManager(classpath, taskManagers == 1 ? "taskmanager" : "taskmanager-" + i);
            }
            cluster.await(
                    "TaskManagers registered",
                    Duration.ofMinutes(2),
                    () -> cluster.get("/overview").path("slots-total").asInt() >= 2 * taskManagers);
            return cluster;
        } catch (Exception | Error e) {
            cluster.close(); // the caller never gets the cluster to close: leave no JVM behind
            throw e;
        }
    }

    /** Uploads a jar (POST /jars/upload, multipart field "jarfile"); returns its id. */
    String upload(Path jar) throws Exception {
        String boundary = "streamlens-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(jar));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = send(HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** Runs an uploaded jar (POST /jars/{id}/run), from a savepoint when one is given; returns the job id. */
    String run(String jarId, List<String> args, String savepoint) throws Exception {
        return run(jarId, args, savepoint, 2);
    }

    /** As {@link #run(String, List, String)}, at the given parallelism. */
    String run(String jarId, List<String> args, String savepoint, int parallelism) throws Exception {
        ObjectNode request = JSON.createObjectNode().put("parallelism", parallelism);
        args.forEach(request.putArray("programArgsList")::add);
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        String jobId = send(HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(request.toString())))
                .path("jobid")
                .asText();
        await("job " + jobId + " running", Duration.ofMinutes(2), () -> "RUNNING".equals(state(jobId)));
        return jobId;
    }

    /** Starts one more TaskManager (a replacement) and waits until it has registered. */
    void addTaskManager(String classpath) throws Exception {
        java.util.Set<String> before = taskManagerIds();
        launchTaskManager(classpath, "taskmanager-" + taskManagers.size());
        await("the new TaskManager registered", Duration.ofMinutes(2), () -> !before.containsAll(taskManagerIds()));
    }

    private java.util.Set<String> taskManagerIds() throws Exception {
        java.util.Set<String> ids = new java.util.HashSet<>();
        get("/taskmanagers")
                .path("taskmanagers")
                .forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    private void launchTaskManager(String classpath, String name) throws IOException {
        // heap = framework 128m + task 384m; direct = framework off-heap 128m + network 64m
        taskManagers.add(launch(
                name,
                classpath,
                List.of("-Xmx512m", "-Xms512m", "-XX:MaxDirectMemorySize=192m", "-XX:MaxMetaspaceSize=256m"),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
    }

    /** Kills a TaskManager the way a lost machine goes: at once, without a goodbye (SIGKILL). */
    void killTaskManager(int index) throws InterruptedException {
        Process taskManager = taskManagers.get(index);
        processes.remove(taskManager);
        taskManager.destroyForcibly();
        taskManager.waitFor(30, TimeUnit.SECONDS);
    }

    /** How many failures a job has recorded (its exception history: each one cost a failover). */
    int failures(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/exceptions")
                .path("exceptionHistory")
                .path("entries")
                .size();
    }

    /** The parallelism of each of a job's vertices, by name. */
    JsonNode vertices(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("vertices");
    }

    String state(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Stops a job with a savepoint (POST /jobs/{id}/stop) and returns the savepoint's location. */
    String stopWithSavepoint(String jobId) throws Exception {
        ObjectNode request = JSON.createObjectNode()
                .put("targetDirectory", dir.resolve("savepoints").toUri().toString())
                .put("drain", false);
        String trigger = send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/stop"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(request.toString())))
                .path("request-id")
                .asText();
        String[] location = new String[1];
        await("savepoint of " + jobId, Duration.ofMinutes(2), () -> {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (!"COMPLETED".equals(status.path("status").path("id").asText())) {
                return false;
            }
            JsonNode operation = status.path("operation");
            if (operation.has("failure-cause")) {
                throw new IllegalStateException("savepoint failed: " + operation.path("failure-cause"));
            }
            location[0] = operation.path("location").asText();
            return true;
        });
        await("job " + jobId + " finished", Duration.ofMinutes(1), () -> "FINISHED".equals(state(jobId)));
        return location[0];
    }

    Path log(String process) {
        return dir.resolve(process + ".log");
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private Process launch(String name, String classpath, List<String> jvm, String mainClass) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm);
        command.addAll(JAVA17_OPENS);
        command.addAll(List.of(
                "-Dlog4j.configurationFile="
                        + dir.resolve("conf/log4j2.properties").toUri(),
                "-cp",
                classpath,
                mainClass,
                "--configDir",
                dir.resolve("conf").toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(process);
        return process;
    }

    private JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> answer =
                http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() / 100 != 2) {
            throw new IOException(answer.statusCode() + " " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    @FunctionalInterface
    interface Check {
        boolean done() throws Exception;
    }

    private void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a cluster process exited (" + process.exitValue()
                            + ") while waiting for " + what + "; see " + dir);
                }
            }
            try {
                if (check.done()) {
                    return;
                }
            } catch (IOException e) {
                last = e; // not answering yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("timed out waiting for " + what + "; logs in " + dir, last);
    }
}
