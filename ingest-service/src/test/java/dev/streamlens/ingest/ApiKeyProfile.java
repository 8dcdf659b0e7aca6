package dev.streamlens.ingest;

import dev.streamlens.access.ApiKeys;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ingest service with API keys on: acme and globex with the default limit, "metered" and
 * "metered-grpc" (each its own bucket) with 5 events/s (a bucket of 10). Only the keys' hashes are written to the file.
 */
public class ApiKeyProfile implements QuarkusTestProfile {

    static final String ACME_KEY = "acme-test-key-1";
    static final String GLOBEX_KEY = "globex-test-key-2";
    static final String METERED_KEY = "metered-test-key-3";
    static final String METERED_GRPC_KEY = "metered-grpc-test-key-4";
    static final Path KEYS_FILE = Path.of("target", "ingest-api-keys.json").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        writeKeys(profileKeys());
        return Map.of("streamlens.access.auth", "api-key", "streamlens.access.api-keys-file", KEYS_FILE.toString());
    }

    /** The keys of the profile, as entries of the keys file. */
    static String profileKeys() {
        return entry("acme", ACME_KEY) + "," + entry("globex", GLOBEX_KEY) + "," + metered("metered", METERED_KEY) + ","
                + metered("metered-grpc", METERED_GRPC_KEY);
    }

    private static String metered(String tenant, String key) {
        return "{\"tenant_id\": \"" + tenant + "\", \"sha256\": \"" + ApiKeys.hashOf(key)
                + "\", \"events_per_second\": 5}";
    }

    static void writeKeys(String entries) {
        try {
            Files.createDirectories(KEYS_FILE.getParent());
            Files.writeString(KEYS_FILE, "{\"keys\": [" + entries + "]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String entry(String tenant, String key) {
        return "{\"tenant_id\": \"" + tenant + "\", \"sha256\": \"" + ApiKeys.hashOf(key) + "\"}";
    }
}
