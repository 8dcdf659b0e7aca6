package dev.streamlens.testing;

import dev.streamlens.infra.EmbeddedPostgresServer;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension: one real PostgreSQL server for a test class, migrated, data under
 * {@code target/embedded/}. Use as {@code @RegisterExtension static final PostgresExtension PG = ...}.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {

    private EmbeddedPostgresServer server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = EmbeddedPostgresServer.create(
                        TestDirectories.fresh(
                                "pg-" + context.getRequiredTestClass().getSimpleName()),
                        0)
                .start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.stop();
        }
    }

    public DataSource dataSource() {
        return server.dataSource();
    }

    public String jdbcUrl() {
        return server.jdbcUrl();
    }
}
