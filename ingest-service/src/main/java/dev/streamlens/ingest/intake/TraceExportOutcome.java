package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.admission.RateLimitDecision;

/**
 * What became of one OTLP trace export, whatever carried it (OTLP/HTTP or OTLP/gRPC); each
 * adapter words it in its own protocol's status codes.
 */
public sealed interface TraceExportOutcome {

    /** Every derived event acknowledged by Kafka; {@code rejectedSpans} spans were left out, as {@code message} says. */
    record Accepted(int rejectedSpans, String message) implements TraceExportOutcome {}

    /** More GenAI spans than one export may hold: nothing written. */
    record TooManySpans(String message) implements TraceExportOutcome {}

    /** A span names another tenant than the API key's: nothing written. */
    record Forbidden(String message) implements TraceExportOutcome {}

    /** The tenant's rate limit refused the export: nothing written. */
    record RateLimited(RateLimitDecision refusal) implements TraceExportOutcome {}

    /** Kafka did not acknowledge every event in time: the client should send the export again. */
    record NotAcknowledged(String message) implements TraceExportOutcome {}
}
