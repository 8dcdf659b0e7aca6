package dev.streamlens.ingest.intake;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.ingest.EventType;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.ingest.admission.RateLimitDecision;
import dev.streamlens.ingest.admission.TenantRateLimits;
import dev.streamlens.ingest.kafka.EventPublisher;
import dev.streamlens.ingest.otlp.GenAiSpans;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.ParseResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one way in, whatever the adapter (single events, batches, OTLP spans): check every event
 * ({@link EventChecks}), admit what passed under the tenant's rate limit ({@link TenantRateLimits}),
 * publish what was admitted ({@link EventPublisher}). The adapters only read their protocol and
 * word the answer; the order of the steps lives here.
 */
@ApplicationScoped
public class EventIntake {

    @Inject
    EventChecks checks;

    @Inject
    TenantRateLimits limits;

    @Inject
    EventPublisher publisher;

    @Inject
    IngestMetrics metrics;

    /** One event of a known type, as sent (JSON bytes). */
    public IntakeVerdict check(EventType type, byte[] body, Optional<String> caller) {
        return checks.check(type, body, caller);
    }

    /** Every item of a batch, so that all the errors are reported at once. */
    public CheckedBatch checkBatch(List<ParseResult<JsonNode>> items, Optional<String> caller) {
        return new CheckedBatch(
                items.stream().map(item -> checks.checkItem(item, caller)).toList());
    }

    /**
     * The calls mapped from spans: a span counts only when both its events are valid; every invalid
     * span is reported, naming the span attribute a refused value came from. A span without valid
     * ids has no events. A span of another tenant than the caller's refuses the whole export.
     */
    public CheckedSpans checkSpans(List<GenAiSpans.SpanCall> calls, Optional<String> caller) {
        List<CheckedSpans.Valid> valid = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (GenAiSpans.SpanCall call : calls) {
            if (call.isRefused()) {
                metrics.rejected(call.refusal().field(), 2); // neither of its two events is written
                invalid.add("span " + call.span() + ": " + call.refusal().field() + " "
                        + call.refusal().reason());
                continue;
            }
            IntakeVerdict request = checks.check(EventType.REQUEST, call.request(), caller);
            IntakeVerdict response = checks.check(EventType.RESPONSE, call.response(), caller);
            if (request.forbidden() || response.forbidden()) {
                return CheckedSpans.forbidden(
                        "span " + call.span() + " names another tenant than the API key's; nothing was written");
            }
            if (request.isValid() && response.isValid()) {
                valid.add(new CheckedSpans.Valid(call, request.event(), response.event()));
            } else {
                List<FieldError> errors = new ArrayList<>(request.errors());
                errors.addAll(response.errors());
                FieldError first = errors.get(0);
                String attribute = call.attributeOf().get(first.field());
                invalid.add("span " + call.span() + ": " + first.field()
                        + (attribute == null ? "" : " (attribute " + attribute + ")") + " " + first.reason());
            }
        }
        return new CheckedSpans(valid, invalid, null);
    }

    /**
     * Admits checked events under their tenant's rate limit, then writes them and waits for Kafka.
     * Nothing is written when the limit refuses them; no event never touches Kafka.
     */
    public Delivery deliver(List<ValidatedEvent> events) {
        return refusedByRateLimit(events)
                .orElseGet(() -> Delivery.written(events.isEmpty() ? new boolean[0] : publisher.publish(events)));
    }

    /**
     * {@link #deliver} for the event loop: the wait for Kafka's acknowledgement holds no thread, the
     * answer completes from the producer's callback.
     */
    public CompletionStage<Delivery> deliverWithoutBlocking(List<ValidatedEvent> events) {
        Optional<Delivery> refused = refusedByRateLimit(events);
        if (refused.isPresent() || events.isEmpty()) {
            return CompletableFuture.completedFuture(refused.orElseGet(() -> Delivery.written(new boolean[0])));
        }
        return publisher.publishWithoutBlocking(events).thenApply(Delivery::written);
    }

    /** The admission step both deliveries start with: empty when the tenant's limit admits the events. */
    private Optional<Delivery> refusedByRateLimit(List<ValidatedEvent> events) {
        RateLimitDecision admission = limits.admit(events);
        return admission.admitted() ? Optional.empty() : Optional.of(Delivery.refused(admission));
    }
}
