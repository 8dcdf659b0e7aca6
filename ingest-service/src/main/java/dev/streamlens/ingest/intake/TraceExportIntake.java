package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.ingest.otlp.GenAiSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded OTLP trace export, the same for both transports: map its GenAI spans to events
 * ({@link GenAiSpans}), bound and check them, leave out the second layer of a call traced twice
 * ({@link RecentLayers}), admit and write the rest through {@link EventIntake}, and say what
 * happened. Success only once Kafka acknowledged every derived event.
 */
@ApplicationScoped
public class TraceExportIntake {

    @Inject
    EventIntake intake;

    @Inject
    IngestSettings settings;

    @Inject
    RecentLayers layers;

    /** May block until Kafka answers (at most the send timeout): call it off the event loop. */
    public TraceExportOutcome export(ExportTraceServiceRequest export, Optional<String> caller) {
        GenAiSpans.Mapped spans = GenAiSpans.of(
                export,
                new GenAiSpans.Rules(
                        settings.otlpTenantAttribute(), settings.otlpDefaultTenant(), settings.otlpRouteAttribute()),
                caller);
        if (spans.calls().size() > settings.otlpMaxSpans()) {
            return new TraceExportOutcome.TooManySpans("body: at most " + settings.otlpMaxSpans()
                    + " GenAI spans per export, not " + spans.calls().size());
        }
        CheckedSpans checked = intake.checkSpans(spans.calls(), caller);
        if (checked.isForbidden()) {
            return new TraceExportOutcome.Forbidden(checked.forbidden());
        }
        // One call, one count among the valid calls only: an invalid layer must not stand in for a valid one.
        RecentLayers.Decision layered = layers.decide(checked.valid());
        List<ValidatedEvent> events = new ArrayList<>();
        for (CheckedSpans.Valid call : layered.kept()) {
            events.add(call.request());
            events.add(call.response());
        }
        Delivery delivery = intake.deliver(events);
        if (!delivery.admitted()) {
            layers.forget(layered);
            return new TraceExportOutcome.RateLimited(delivery.refusal());
        }
        if (!delivery.allWritten()) {
            layers.forget(layered);
            return new TraceExportOutcome.NotAcknowledged("Kafka did not acknowledge every event within "
                    + settings.sendTimeout().toSeconds() + " s; send the export again");
        }
        return new TraceExportOutcome.Accepted(
                spans.notInference() + layered.leftOut() + checked.invalid().size(),
                rejectionMessage(spans.notInference(), layered.leftOut(), checked.invalid()));
    }

    private static String rejectionMessage(int notInference, int otherLayers, List<String> invalid) {
        List<String> parts = new ArrayList<>();
        if (notInference > 0) {
            parts.add(notInference + " spans are not GenAI inference spans and were ignored");
        }
        if (otherLayers > 0) {
            parts.add(otherLayers + " GenAI spans were another layer of a call already counted (one call, one count)");
        }
        if (!invalid.isEmpty()) {
            parts.add(invalid.size() + " GenAI spans were invalid ("
                    + String.join("; ", invalid.subList(0, Math.min(5, invalid.size())))
                    + (invalid.size() > 5 ? "; ..." : "") + ")");
        }
        return String.join("; ", parts);
    }
}
