package dev.streamlens.ingest;

/**
 * An event that passed every check, ready to be written: its type (which names the topic), its
 * Kafka key, its normalized JSON, and the tenant whose rate limit it counts against (null: a
 * response without tenant while API keys are off, see README.md#access-api-keys-tenants-rate-limits).
 */
public record ValidatedEvent(EventType type, String key, byte[] value, String tenant) {}
