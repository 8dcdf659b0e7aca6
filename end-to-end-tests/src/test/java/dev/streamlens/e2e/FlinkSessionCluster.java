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
 * A real Flink session cluster: a JobManager and a TaskManager, each its own JVM started with
 * Flink's own entrypoints from the Maven Central jars (no distribution), driven over the REST API
 * the way an operator drives a remote cluster: upload a jar, run it, stop it with a savepoint.
 */
final class FlinkSessionCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** What Flink's scripts pass to both JVMs on Java 17. */
    private static final List<String> JAVA17_OPENS = Arrays.stream(new String[] {"java.lang", "java.net", "java.io",
        "java.nio", "sun.nio.ch", "java.lang.reflect", "java.text", "java.time", "java.util", "java.util.concurrent",
        "java.util.concurrent.atomic", "java.util.concurrent.locks"}).map(p -> "--add-opens=java.base/" + p + "=ALL-UNNAMED")
            .collect(Collectors.toList());

    private final Path dir;
    private final int restPort;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private FlinkSessionCluster(Path dir, int restPort) {
        this.dir = dir;
        this.restPort = restPort;
    }

    /** Starts both processes and waits until the TaskManager has registered its slots. */
    static FlinkSessionCluster start(Path dir, String classpath) throws Exception {
        FlinkSessionCluster cluster = new FlinkSessionCluster(dir, FreePorts.pick());
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
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
                // Without Flink's scripts the TaskManager's memory must be spelled out (the scripts compute it).
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
                "execution.checkpointing.savepoint-dir: " + dir.resolve("savepoints").toUri(),
                ""));
        try (InputStream log = FlinkSessionCluster.class.getResourceAsStream("/streamlens/job-log4j2.properties")) {
            Files.write(conf.resolve("log4j2.properties"), log.readAllBytes());
        }
        try {
            cluster.launch("jobmanager", classpath, List.of("-Xmx512m"),
                    "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
            // heap = framework 128m + task 384m; direct = framework off-heap 128m + network 64m
            cluster.launch("taskmanager", classpath, List.of("-Xmx512m", "-Xms512m", "-XX:MaxDirectMemorySize=192m",
                    "-XX:MaxMetaspaceSize=256m"), "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            cluster.await("TaskManager registered", Duration.ofMinutes(2),
                    () -> cluster.get("/overview").path("slots-total").asInt() >= 2);
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
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
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
        ObjectNode request = JSON.createObjectNode().put("parallelism", 2);
        args.forEach(request.putArray("programArgsList")::add);
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        String jobId = send(HttpRequest.newBuilder(uri("/jars/" + jarId + "/run")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()))).path("jobid").asText();
        await("job " + jobId + " running", Duration.ofMinutes(2), () -> "RUNNING".equals(state(jobId)));
        return jobId;
    }

    String state(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** Stops a job with a savepoint (POST /jobs/{id}/stop) and returns the savepoint's location. */
    String stopWithSavepoint(String jobId) throws Exception {
        ObjectNode request = JSON.createObjectNode().put("targetDirectory", dir.resolve("savepoints").toUri().toString())
                .put("drain", false);
        String trigger = send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/stop")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(request.toString()))).path("request-id").asText();
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

    private void launch(String name, String classpath, List<String> jvm, String mainClass) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm);
        command.addAll(JAVA17_OPENS);
        command.addAll(List.of("-Dlog4j.configurationFile=" + dir.resolve("conf/log4j2.properties").toUri(),
                "-cp", classpath, mainClass, "--configDir", dir.resolve("conf").toString()));
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    private JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> answer = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
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
                    throw new IllegalStateException("a cluster process exited (" + process.exitValue() + ") while waiting for "
                            + what + "; see " + dir);
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
