package dev.streamlens.infra;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the embedded Kafka broker and/or PostgreSQL until stopped (Ctrl-C, SIGTERM), for
 * benchmarks and manual experiments: {@code java -cp ... dev.streamlens.infra.StandaloneInfra --help}.
 */
@Command(
        name = "standalone-infra",
        mixinStandardHelpOptions = true,
        description = "Runs a real Kafka broker (KRaft) and a real PostgreSQL on this machine until stopped.")
public final class StandaloneInfra implements Callable<Integer> {

    @Option(
            names = "--data-dir",
            defaultValue = ".streamlens",
            description = "data directory (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "0 = no Kafka (default: ${DEFAULT-VALUE})")
    int kafkaPort;

    @Option(
            names = "--postgres-port",
            defaultValue = "15432",
            description = "0 = no PostgreSQL (default: ${DEFAULT-VALUE})")
    int postgresPort;

    @Option(
            names = "--partitions",
            defaultValue = "3",
            description = "partitions per topic (default: ${DEFAULT-VALUE})")
    int partitions;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StandaloneInfra()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker kafka = kafkaPort == 0
                ? null
                : EmbeddedKafkaBroker.builder()
                        .dataDirectory(dataDir.resolve("kafka"))
                        .port(kafkaPort)
                        .partitions(partitions)
                        .build();
        EmbeddedPostgresServer postgres =
                postgresPort == 0 ? null : EmbeddedPostgresServer.create(dataDir.resolve("postgres"), postgresPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (kafka != null) {
                kafka.stop();
            }
            if (postgres != null) {
                postgres.stop();
            }
            stopped.countDown();
        }));
        if (kafka != null) {
            kafka.start();
            System.out.println("kafka " + kafka.bootstrapServers());
        }
        if (postgres != null) {
            postgres.start();
            System.out.println("postgres " + postgres.jdbcUrl());
        }
        System.out.println("ready");
        stopped.await();
        return 0;
    }
}
