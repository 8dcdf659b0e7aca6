package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.otlp.GenAiSpans;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A decoded OTLP trace export, the same for both transports: map its GenAI spans to events
 * ({@link GenAiSpans}), bound them, check, admit and write them through {@link EventIntake}, and
 * say what happened. Success only once Kafka acknowledged every derived event.
 */
@ApplicationScoped
public class TraceExportIntake {

    @Inject
    EventIntake intake;

    @Inject
    IngestSettings settings;

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
        Delivery delivery = intake.deliver(checked.events());
        if (!delivery.admitted()) {
            return new TraceExportOutcome.RateLimited(delivery.refusal());
        }
        if (!delivery.allWritten()) {
            return new TraceExportOutcome.NotAcknowledged("Kafka did not acknowledge every event within "
                    + settings.sendTimeout().toSeconds() + " s; send the export again");
        }
        return new TraceExportOutcome.Accepted(
                spans.notInference() + checked.invalid().size(),
                rejectionMessage(spans.notInference(), checked.invalid()));
    }

    private static String rejectionMessage(int notInference, List<String> invalid) {
        List<String> parts = new ArrayList<>();
        if (notInference > 0) {
            parts.add(notInference + " spans are not GenAI inference spans and were ignored");
        }
        if (!invalid.isEmpty()) {
            parts.add(invalid.size() + " GenAI spans were invalid ("
                    + String.join("; ", invalid.subList(0, Math.min(5, invalid.size())))
                    + (invalid.size() > 5 ? "; ..." : "") + ")");
        }
        return String.join("; ", parts);
    }
}
