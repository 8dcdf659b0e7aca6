package dev.streamlens.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the newest complete checkpoint (a {@code chk-N} directory holding {@code _metadata})
 * under a local checkpoint directory, so a restarted job resumes where the last one stopped.
 */
public final class LatestCheckpoint {

    private LatestCheckpoint() {}

    public static Optional<String> find(String checkpointDir) {
        Path root = checkpointDir.startsWith("file:") ? Path.of(URI.create(checkpointDir)) : Path.of(checkpointDir);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(root)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(LatestCheckpoint::checkpointsOf)
                    .filter(chk -> Files.exists(chk.resolve("_metadata")))
                    .max(Comparator.comparingLong(LatestCheckpoint::modified))
                    .map(chk -> chk.toUri().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try {
            return Files.list(jobDir).filter(p -> p.getFileName().toString().startsWith("chk-")).toList().stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long modified(Path chk) {
        try {
            return Files.getLastModifiedTime(chk.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
