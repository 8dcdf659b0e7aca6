package dev.streamlens.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Short, fresh data directories for embedded servers in tests: under the module's
 * {@code target/embedded/} (so {@code mvn clean} removes them) and short enough for RocksDB and
 * PostgreSQL's socket paths.
 */
public final class TestDirectories {

    private TestDirectories() {}

    public static Path fresh(String prefix) {
        try {
            Path root = Path.of("target", "embedded").toAbsolutePath();
            Files.createDirectories(root);
            return Files.createTempDirectory(root, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
