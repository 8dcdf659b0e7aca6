package dev.streamlens.infra;

import dev.streamlens.model.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker in KRaft mode (one combined broker and controller) running in a
 * child JVM from Maven artifacts: no Docker, no download. It supports transactions on its single
 * node (transaction log replication 1, min ISR 1) and keeps its data in a chosen directory, so a
 * broker started again on the same directory still holds every committed record.
 *
 * <p>The broker's classpath was written next to this class at build time; the caller needs only
 * kafka-clients, whatever its version.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final String CLASSPATH_RESOURCE = "/streamlens/kafka-broker.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDirectory;
    private final int port;
    private final int controllerPort;
    private final int partitions;
    private final Duration transactionMaxTimeout;
    private final String heap;
    private final Path logFile;
    private Process process;

    private EmbeddedKafkaBroker(Builder builder) {
        this.dataDirectory = builder.dataDirectory.toAbsolutePath();
        this.port = builder.port == 0 ? FreePorts.pick() : builder.port;
        this.controllerPort = builder.controllerPort == 0 ? FreePorts.pick() : builder.controllerPort;
        this.partitions = builder.partitions;
        this.transactionMaxTimeout = builder.transactionMaxTimeout;
        this.heap = builder.heap;
        this.logFile = builder.logFile == null ? dataDirectory.resolve("kafka.log") : builder.logFile.toAbsolutePath();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the broker (or starts it again after {@link #stop()}), then creates StreamLens's topics
     * (README.md, Kafka topics).
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (isRunning()) {
            return this;
        }
        try {
            Files.createDirectories(dataDirectory);
            Path config = writeServerProperties();
            Path log = logFile();
            Files.createDirectories(log.getParent());
            long logOffset = Files.exists(log) ? Files.size(log) : 0;
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + heap,
                    "-Xss1m",
                    "-Dorg.slf4j.simpleLogger.showDateTime=true",
                    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=info",
                    "-cp",
                    brokerClasspath(),
                    KafkaBrokerMain.class.getName(),
                    config.toString(),
                    clusterId(),
                    Long.toString(ProcessHandle.current().pid())));
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitReady(log, logOffset);
            createTopics(Topics.ALL, partitions);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start Kafka in " + dataDirectory, e);
        }
    }

    /** Stops the broker cleanly (SIGTERM, then waits), keeping its data. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Kills the broker like a power cut (SIGKILL), for crash tests. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path logFile() {
        return logFile;
    }

    private static void applyConfig(Admin admin, String topic, Map<String, String> config)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        List<AlterConfigOp> ops = config.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), ops))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not apply the settings of topic " + topic, e.getCause());
        }
    }

    /** The broker process' id, while it runs. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /**
     * Creates topics that do not exist yet; an existing one keeps its partitions and gets the
     * settings of {@link Topics#config} (a broker of an older version takes the retention it now has).
     */
    public void createTopics(Collection<String> names, int partitionCount) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            for (String name : names) {
                Map<String, String> config = new java.util.HashMap<>(Topics.config(name));
                config.put("min.insync.replicas", "1");
                NewTopic topic = new NewTopic(name, partitionCount, (short) 1).configs(config);
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name, e.getCause());
                    }
                    applyConfig(admin, name, config);
                }
            }
            awaitMetadata(admin, names);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating topics on " + bootstrapServers(), e);
        }
    }

    /**
     * Waits until the broker answers for every partition of the topics: a topic the controller has
     * just created can be unknown to the broker's metadata for a moment, and a client asking then
     * (a test, the job counting partitions) would be told it does not exist.
     */
    private static void awaitMetadata(Admin admin, Collection<String> names)
            throws InterruptedException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "topics not visible in the broker's metadata: " + names, e.getCause());
                }
                Thread.sleep(50);
            }
        }
    }

    private Path writeServerProperties() throws IOException {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDirectory.resolve("data").toString());
        p.put("num.partitions", Integer.toString(partitions));
        p.put("auto.create.topics.enable", "false");
        // One node: every internal topic has one replica and needs one in sync.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("transaction.max.timeout.ms", Long.toString(transactionMaxTimeout.toMillis()));
        p.put("group.initial.rebalance.delay.ms", "0");
        Path file = dataDirectory.resolve("server.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "written by StreamLens' EmbeddedKafkaBroker");
        }
        return file;
    }

    /** The cluster id is chosen once per data directory and reused on every restart. */
    private String clusterId() throws IOException {
        Path file = dataDirectory.resolve("cluster.id");
        if (Files.exists(file)) {
            return Files.readString(file).trim();
        }
        String id = Uuid.randomUuid().toString();
        Files.writeString(file, id);
        return id;
    }

    private static String brokerClasspath() throws IOException {
        String dependencies;
        try (InputStream in = EmbeddedKafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build embedded-infra with Maven");
            }
            dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        try {
            String self = Path.of(EmbeddedKafkaBroker.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
            return self + java.io.File.pathSeparator + dependencies;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Path log, long fromOffset) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (readFrom(log, fromOffset).contains(KafkaBrokerMain.READY_LINE)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with code " + process.exitValue()
                        + " while starting; see " + log + ":\n" + tail(readFrom(log, fromOffset)));
            }
            sleep(100);
        }
        kill();
        throw new IllegalStateException("Kafka did not start within " + START_TIMEOUT.toSeconds() + " s; see " + log
                + ":\n" + tail(readFrom(log, fromOffset)));
    }

    private static String readFrom(Path log, long offset) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(offset, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Settings of a broker; ports of 0 pick free ones. */
    public static final class Builder {
        private Path dataDirectory;
        private int port;
        private int controllerPort;
        private int partitions = 3;
        private Duration transactionMaxTimeout = Duration.ofHours(1);
        private String heap = "512m";
        private Path logFile;

        public Builder dataDirectory(Path dir) {
            this.dataDirectory = dir;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /** Partitions of each StreamLens topic (default 3). */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** The broker's transaction.max.timeout.ms: must exceed what any transactional producer asks. */
        public Builder transactionMaxTimeout(Duration timeout) {
            this.transactionMaxTimeout = timeout;
            return this;
        }

        /** The broker JVM's maximum heap, e.g. "512m". */
        public Builder heap(String heap) {
            this.heap = heap;
            return this;
        }

        /** Where the broker's output goes (default: kafka.log in the data directory). */
        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        public EmbeddedKafkaBroker build() {
            if (dataDirectory == null) {
                throw new IllegalStateException("a data directory is required");
            }
            return new EmbeddedKafkaBroker(this);
        }
    }
}
