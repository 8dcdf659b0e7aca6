package dev.streamlens.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.model.EventJson;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.LlmRequest;
import dev.streamlens.model.LlmResponse;
import dev.streamlens.model.ParseResult;
import dev.streamlens.model.ValidationLimits;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Validates events with the shared event model and writes the valid ones to Kafka, answering
 * only once the broker has acknowledged them (or the send timeout has passed).
 */
@ApplicationScoped
public class EventIntake {

    /**
     * An event ready to be written: its topic, key and normalized JSON, and the tenant whose rate
     * limit it counts against (null: a response without tenant while keys are off).
     */
    public record Record(EventType type, String key, byte[] value, String tenant) {
    }

    /** The result of checking one event: a record, or the errors and whether they are a 403. */
    public record Checked(Record record, List<FieldError> errors, boolean forbidden) {
        public boolean isValid() {
            return record != null;
        }
    }

    private EventParser parser;

    @Inject
    IngestSettings settings;

    /**
     * The shared validation rules, with metadata bounds from the settings. They may only be
     * tightened: the job validates again with the defaults and would dead-letter what a relaxed
     * service accepted.
     */
    @PostConstruct
    void limits() {
        ValidationLimits defaults = ValidationLimits.DEFAULTS;
        if (settings.maxMetadataKeys() > defaults.maxMetadataKeys() || settings.maxMetadataDepth() > defaults.maxMetadataDepth()
                || settings.maxMetadataBytes() > defaults.maxMetadataBytes()) {
            throw new IllegalStateException("streamlens.ingest.max-metadata-* may only be lowered below the job's limits ("
                    + defaults.maxMetadataKeys() + " keys, depth " + defaults.maxMetadataDepth() + ", "
                    + defaults.maxMetadataBytes() + " bytes)");
        }
        parser = new EventParser(new ValidationLimits(defaults.maxIdentifierLength(), defaults.maxErrorLength(),
                settings.maxMetadataBytes(), settings.maxMetadataDepth(), settings.maxMetadataKeys(), defaults.maxTokens(),
                defaults.maxLatencyMs(), defaults.maxFutureSkew()), Clock.systemUTC());
    }

    @Inject
    EventPublisher publisher;

    @Inject
    IngestMetrics metrics;

    /**
     * Validates an event; with API keys on ({@code caller} present) a request must belong to the
     * caller's tenant, and a response is recorded with the caller's tenant so the job joins it
     * only to that tenant's request.
     */
    public Checked check(EventType type, byte[] body, Optional<String> caller) {
        ParseResult<JsonNode> tree = parser.readTree(body);
        return tree.isValid() ? check(type, tree.event(), caller) : invalid(tree.errors());
    }

    public Checked check(EventType type, JsonNode json, Optional<String> caller) {
        if (type == EventType.REQUEST) {
            ParseResult<LlmRequest> result = parser.parseRequest(json);
            if (!result.isValid()) {
                return invalid(result.errors());
            }
            LlmRequest request = result.event();
            if (caller.isPresent() && !caller.get().equals(request.tenantId())) {
                return forbidden();
            }
            return new Checked(new Record(type, request.requestId(), EventJson.toBytes(request), request.tenantId()),
                    List.of(), false);
        }
        ParseResult<LlmResponse> result = parser.parseResponse(json);
        if (!result.isValid()) {
            return invalid(result.errors());
        }
        LlmResponse response = result.event();
        if (caller.isPresent()) {
            if (response.tenantId() != null && !caller.get().equals(response.tenantId())) {
                return forbidden();
            }
            response = response.withTenantId(caller.get());
        }
        return new Checked(new Record(type, response.requestId(), EventJson.toBytes(response), response.tenantId()),
                List.of(), false);
    }

    /**
     * Writes records and waits for every acknowledgement.
     *
     * @return for each record, whether Kafka acknowledged it
     */
    public boolean[] publish(List<Record> records) {
        long started = System.nanoTime();
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        boolean[] written = new boolean[records.size()];
        for (Record r : records) {
            try {
                sends.add(publisher.send(r.type().topic(), r.key(), r.value()));
            } catch (RuntimeException e) {
                sends.add(null); // e.g. no metadata within the send timeout
            }
        }
        long deadline = started + publisher.maxWait().toNanos();
        for (int i = 0; i < sends.size(); i++) {
            Future<RecordMetadata> send = sends.get(i);
            try {
                if (send != null) {
                    send.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    written[i] = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                written[i] = false;
            }
        }
        metrics.produceLatency(System.nanoTime() - started);
        for (int i = 0; i < written.length; i++) {
            if (written[i]) {
                metrics.accepted(records.get(i).type(), 1);
            } else {
                metrics.rejected("kafka_unavailable", 1);
            }
        }
        return written;
    }

    private Checked invalid(List<FieldError> errors) {
        metrics.rejected(errors.get(0).field(), 1);
        return new Checked(null, errors, false);
    }

    private Checked forbidden() {
        metrics.rejected("tenant_forbidden", 1);
        return new Checked(null, List.of(new FieldError("tenant_id", "does not match the tenant of the API key")), true);
    }
}
