package dev.streamlens.query;

import dev.streamlens.infra.EmbeddedPostgresServer;
import dev.streamlens.testing.TestDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import javax.sql.DataSource;

/** A real PostgreSQL (zonky's embedded binaries) for the service under test; Dev Services stay off. */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static EmbeddedPostgresServer server;

    @Override
    public Map<String, String> start() {
        server = EmbeddedPostgresServer.create(TestDirectories.fresh("pg-query"), 0)
                .start();
        return Map.of(
                "quarkus.datasource.jdbc.url",
                server.jdbcUrl(),
                "quarkus.datasource.username",
                server.user(),
                "quarkus.datasource.password",
                server.password());
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    public static DataSource dataSource() {
        return server.dataSource();
    }
}
