package dev.streamlens.job.it;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.infra.TestDirectories;
import java.nio.file.Path;
import javax.sql.DataSource;

/** A Kafka broker, a PostgreSQL server and a work directory of one test's own. */
final class TestStack implements AutoCloseable {

    final Path work;
    private final EmbeddedKafkaBroker kafka;
    private final EmbeddedPostgresServer postgres;

    private TestStack(Path work, EmbeddedKafkaBroker kafka, EmbeddedPostgresServer postgres) {
        this.work = work;
        this.kafka = kafka;
        this.postgres = postgres;
    }

    static TestStack start(String name) {
        Path work = TestDirectories.fresh(name.length() > 24 ? name.substring(0, 24) : name);
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().dataDirectory(work.resolve("kafka")).build().start();
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.create(work.resolve("pg"), 0).start();
        return new TestStack(work, kafka, postgres);
    }

    String kafka() {
        return kafka.bootstrapServers();
    }

    String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    DataSource postgres() {
        return postgres.dataSource();
    }

    @Override
    public void close() {
        postgres.stop();
        kafka.close();
    }
}
