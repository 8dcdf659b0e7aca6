package dev.streamlens.job.it;

import dev.streamlens.infra.EmbeddedKafkaBroker;
import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.testing.TestDirectories;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: a Kafka broker, a PostgreSQL server, a work directory and a live traffic
 * sender of each test's own ({@code @RegisterExtension final TestStack stack = new TestStack();}),
 * so that every job a test starts reads only that test's events.
 */
final class TestStack implements BeforeEachCallback, AfterEachCallback {

    Path work;
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgresServer postgres;
    private LiveTraffic traffic;

    @Override
    public void beforeEach(ExtensionContext context) {
        String name = context.getRequiredTestMethod().getName();
        work = TestDirectories.fresh(name.length() > 24 ? name.substring(0, 24) : name);
        kafka = EmbeddedKafkaBroker.builder()
                .dataDirectory(work.resolve("kafka"))
                .build()
                .start();
        postgres = EmbeddedPostgresServer.create(work.resolve("pg"), 0).start();
        traffic = new LiveTraffic(kafka.bootstrapServers());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        traffic.close();
        postgres.stop();
        kafka.close();
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

    /** Stops PostgreSQL cleanly, keeping its data; {@link #startPostgres()} brings it back on the same port. */
    void stopPostgres() {
        postgres.stop();
    }

    void startPostgres() {
        postgres.start();
    }

    /** Stops the Kafka broker cleanly, keeping its data; {@link #startKafka()} brings it back on the same port. */
    void stopKafka() {
        kafka.stop();
    }

    void startKafka() {
        kafka.start();
    }

    LiveTraffic traffic() {
        return traffic;
    }
}
