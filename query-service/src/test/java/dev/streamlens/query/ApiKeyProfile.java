package dev.streamlens.query;

import dev.streamlens.access.ApiKeys;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The query service with API keys on: one key for acme, one for globex (only hashes in the file). */
public class ApiKeyProfile implements QuarkusTestProfile {

    static final String ACME_KEY = "acme-reader-key";
    static final String GLOBEX_KEY = "globex-reader-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        Path file = Path.of("target", "query-api-keys.json").toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(
                    file,
                    "{\"keys\": [{\"tenant_id\": \"acme\", \"sha256\": \"" + ApiKeys.hashOf(ACME_KEY) + "\"},"
                            + "{\"tenant_id\": \"globex\", \"sha256\": \"" + ApiKeys.hashOf(GLOBEX_KEY) + "\"}]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "streamlens.access.auth",
                "api-key",
                "streamlens.access.api-keys-file",
                file.toString(),
                "streamlens.prices.editors",
                "globex");
    }
}
