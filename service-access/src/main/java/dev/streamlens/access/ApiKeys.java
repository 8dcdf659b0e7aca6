package dev.streamlens.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The tenants' API keys, from the file named by STREAMLENS_API_KEYS_FILE:
 * <pre>{"keys": [{"tenant_id": "acme", "sha256": "&lt;hex SHA-256 of the key&gt;", "events_per_second": 500}]}</pre>
 * Only hashes are stored. A presented key is hashed and compared with every entry in constant
 * time, so neither timing nor an early exit tells which entry (or how much of one) matched. The
 * file is read again when its modification time or size changes (checked at most once a second);
 * a file that no longer parses keeps the previous keys and is reported in the log.
 */
public final class ApiKeys {

    /** One key's owner and, optionally, its own rate limit (null: the service's default). */
    public record TenantKey(String tenantId, byte[] sha256, Long eventsPerSecond) {}

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RECHECK_NANOS = 1_000_000_000L;

    private final Path file;
    private final LongSupplier nanoClock;
    private volatile List<TenantKey> keys;
    private volatile String version;
    private volatile long checkedAt;

    private ApiKeys(Path file, LongSupplier nanoClock) {
        this.file = file;
        this.nanoClock = nanoClock;
        this.version = versionOf(file);
        this.keys = parse(file);
        this.checkedAt = nanoClock.getAsLong();
    }

    /** Reads the file now; a missing or malformed file is an error (the service must not start). */
    public static ApiKeys load(Path file) {
        return new ApiKeys(file, System::nanoTime);
    }

    static ApiKeys load(Path file, LongSupplier nanoClock) {
        return new ApiKeys(file, nanoClock);
    }

    /** The tenant of a presented key, if it is one of ours. */
    public Optional<TenantKey> find(String presentedKey) {
        reloadIfChanged();
        byte[] presented = sha256(presentedKey);
        TenantKey match = null;
        for (TenantKey key : keys) {
            if (MessageDigest.isEqual(presented, key.sha256()) && match == null) {
                match = key; // no break: every entry is compared, whichever matches
            }
        }
        return Optional.ofNullable(match);
    }

    /** The limit configured for a tenant's key, if any. */
    public Optional<Long> eventsPerSecond(String tenantId) {
        reloadIfChanged();
        return keys.stream()
                .filter(k -> k.tenantId().equals(tenantId) && k.eventsPerSecond() != null)
                .map(TenantKey::eventsPerSecond)
                .findFirst();
    }

    /** The hex SHA-256 of a key: what goes into the file. */
    public static String hashOf(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }

    private void reloadIfChanged() {
        long now = nanoClock.getAsLong();
        if (now - checkedAt < RECHECK_NANOS) {
            return;
        }
        synchronized (this) {
            if (now - checkedAt < RECHECK_NANOS) {
                return;
            }
            checkedAt = now;
            String current = versionOf(file);
            if (current.equals(version)) {
                return;
            }
            try {
                keys = parse(file);
                version = current;
                LOG.infof("API keys reloaded from %s: %d keys", file, keys.size());
            } catch (RuntimeException e) {
                LOG.errorf(
                        "API keys file %s changed but cannot be used, keeping the previous keys: %s",
                        file, e.getMessage());
            }
        }
    }

    private static List<TenantKey> parse(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API keys file " + file, e);
        }
        JsonNode entries = root == null ? null : root.get("keys");
        if (entries == null || !entries.isArray()) {
            throw new IllegalArgumentException(file + ": must be {\"keys\": [{\"tenant_id\": ..., \"sha256\": ...}]}");
        }
        List<TenantKey> keys = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            JsonNode tenant = entry.get("tenant_id");
            JsonNode hash = entry.get("sha256");
            JsonNode rate = entry.get("events_per_second");
            if (tenant == null || !tenant.isTextual() || tenant.textValue().isBlank()) {
                throw new IllegalArgumentException(file + ": keys[" + i + "].tenant_id must be a non-empty string");
            }
            if (hash == null || !hash.isTextual() || !hash.textValue().matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(
                        file + ": keys[" + i + "].sha256 must be 64 hex digits (the SHA-256 of the key)");
            }
            if (rate != null && !(rate.isIntegralNumber() && rate.canConvertToLong() && rate.longValue() > 0)) {
                throw new IllegalArgumentException(
                        file + ": keys[" + i + "].events_per_second must be a positive integer");
            }
            byte[] sha256 = HexFormat.of().parseHex(hash.textValue().toLowerCase());
            if (keys.stream().anyMatch(k -> MessageDigest.isEqual(k.sha256(), sha256))) {
                throw new IllegalArgumentException(
                        file + ": keys[" + i + "].sha256 is listed twice: a key belongs to one tenant");
            }
            keys.add(new TenantKey(tenant.textValue(), sha256, rate == null ? null : rate.longValue()));
        }
        return List.copyOf(keys);
    }

    private static String versionOf(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.lastModifiedTime().toMillis() + "/" + attributes.size();
        } catch (IOException e) {
            return "missing";
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
