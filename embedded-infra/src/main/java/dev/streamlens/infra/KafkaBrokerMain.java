package dev.streamlens.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * Entry point of the broker's own JVM, started by {@link EmbeddedKafkaBroker}: formats the KRaft
 * storage on first use, runs a combined broker+controller until told to stop, and exits when the
 * JVM that started it is gone, so a killed test run or launcher leaves no broker behind.
 *
 * <p>Arguments: {@code <server.properties> <cluster-id> [<parent-pid>]}.
 */
public final class KafkaBrokerMain {

    /** Printed on standard output once the broker accepts connections. */
    static final String READY_LINE = "STREAMLENS-KAFKA-READY";

    private KafkaBrokerMain() {}

    public static void main(String[] args) throws IOException {
        Path configFile = Path.of(args[0]);
        String clusterId = args[1];
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(configFile)) {
            props.load(in);
        }

        int formatted = StorageTool.execute(
                new String[] {
                    "format", "--cluster-id", clusterId, "--config", configFile.toString(), "--ignore-formatted"
                },
                System.out);
        if (formatted != 0) {
            System.err.println("formatting the KRaft storage failed with exit code " + formatted);
            System.exit(2);
        }

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.shutdown();
                            server.awaitShutdown();
                        },
                        "kafka-shutdown"));
        server.startup();
        if (args.length > 2) {
            exitWhenParentDies(Long.parseLong(args[2]));
        }
        PrintStream out = System.out;
        out.println(READY_LINE);
        out.flush();
        server.awaitShutdown();
    }

    private static void exitWhenParentDies(long parentPid) {
        Thread watcher = new Thread(
                () -> {
                    while (ProcessHandle.of(parentPid)
                            .map(ProcessHandle::isAlive)
                            .orElse(false)) {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    System.err.println("parent process " + parentPid + " is gone; stopping the broker");
                    System.exit(0);
                },
                "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
