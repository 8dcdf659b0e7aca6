package dev.streamlens.access;

import java.util.Optional;

/** The key a caller sent: {@code Authorization: Bearer <key>}, or {@code X-API-Key: <key>}. */
public final class PresentedKey {

    private static final int MAX_KEY_LENGTH = 256;

    private PresentedKey() {}

    public static Optional<String> from(String authorization, String apiKeyHeader) {
        if (authorization != null) {
            String value = authorization.trim();
            if (value.length() > 7 && value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return usable(value.substring(7).trim());
            }
        }
        return apiKeyHeader == null ? Optional.empty() : usable(apiKeyHeader.trim());
    }

    private static Optional<String> usable(String key) {
        return key.isEmpty() || key.length() > MAX_KEY_LENGTH ? Optional.empty() : Optional.of(key);
    }
}
