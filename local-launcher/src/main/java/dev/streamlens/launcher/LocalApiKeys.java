package dev.streamlens.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * API keys of the local stack when STREAMLENS_AUTH=api-key and no STREAMLENS_API_KEYS_FILE is
 * given: random keys are made for the tenants that need one, only their SHA-256 goes into
 * {@code $STREAMLENS_HOME/api-keys.json}, and the keys themselves are shown once.
 */
final class LocalApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private LocalApiKeys() {}

    /** A new random key: 32 bytes, URL-safe base64, prefixed so it is recognisable in a config. */
    static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "sl_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Writes a keys file holding a fresh key for each tenant; returns tenant → key. */
    static Map<String, String> createFile(Path file, Iterable<String> tenants) throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        StringBuilder json = new StringBuilder("{\"keys\": [");
        for (String tenant : tenants) {
            String key = newKey();
            keys.put(tenant, key);
            json.append(keys.size() > 1 ? ",\n  " : "\n  ")
                    .append("{\"tenant_id\": \"")
                    .append(tenant)
                    .append("\", \"sha256\": \"")
                    .append(sha256Hex(key))
                    .append("\"}");
        }
        json.append("\n]}\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return keys;
    }

    /** What the services compare a presented key against (service-access' ApiKeys.hashOf). */
    static String sha256Hex(String key) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
