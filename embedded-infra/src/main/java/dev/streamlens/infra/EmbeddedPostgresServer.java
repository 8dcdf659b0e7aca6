package dev.streamlens.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * A real PostgreSQL server from zonky's embedded binaries (no Docker), with its data in a chosen
 * directory so a server started again on the same directory keeps its rows, and with StreamLens'
 * schema migrations applied on every start.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String DATABASE = "postgres";

    private final Path dataDirectory;
    private final int port;
    private boolean durable;
    private EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path dataDirectory, int port) {
        this.dataDirectory = dataDirectory.toAbsolutePath();
        this.port = port == 0 ? FreePorts.pick() : port;
    }

    /** A server on {@code port} (0 picks a free one) keeping its data in {@code dataDirectory}. */
    public static EmbeddedPostgresServer create(Path dataDirectory, int port) {
        return new EmbeddedPostgresServer(dataDirectory, port);
    }

    /**
     * Commits survive a crash of the server's processes (kill -9) and of the machine: zonky's
     * defaults, made for throwaway test databases, skip fsync and commit asynchronously, so a
     * killed server can forget a commit it has already confirmed. The local stack keeps user data
     * and turns this on; tests that never kill the server leave it off.
     */
    public EmbeddedPostgresServer durable() {
        this.durable = true;
        return this;
    }

    /** Starts the server (initialising the directory on first use) and migrates the schema. */
    public synchronized EmbeddedPostgresServer start() {
        if (postgres != null) {
            return this;
        }
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (durable) {
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            postgres = builder.setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("max_prepared_transactions", "0")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL in " + dataDirectory, e);
        }
        SchemaMigrations.apply(dataSource());
        return this;
    }

    /** Stops the server cleanly, keeping its data. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop PostgreSQL", e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    /** zonky's server trusts local connections: any password is accepted. */
    public String password() {
        return "postgres";
    }

    public synchronized DataSource dataSource() {
        if (postgres == null) {
            throw new IllegalStateException("PostgreSQL is not running");
        }
        return postgres.getPostgresDatabase();
    }
}
