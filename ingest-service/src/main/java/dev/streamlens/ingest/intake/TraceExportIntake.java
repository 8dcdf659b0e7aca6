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
        RecentLayers.Decision oneCount = layers.decide(spans.calls());
        CheckedSpans checked = intake.checkSpans(oneCount.kept(), caller);
        if (checked.isForbidden()) {
            layers.forget(oneCount);
            return new TraceExportOutcome.Forbidden(checked.forbidden());
        }
        Delivery delivery = intake.deliver(checked.events());
        if (!delivery.admitted()) {
            layers.forget(oneCount);
            return new TraceExportOutcome.RateLimited(delivery.refusal());
        }
        if (!delivery.allWritten()) {
            layers.forget(oneCount);
            return new TraceExportOutcome.NotAcknowledged("Kafka did not acknowledge every event within "
                    + settings.sendTimeout().toSeconds() + " s; send the export again");
        }
        return new TraceExportOutcome.Accepted(
                spans.notInference()
                        + oneCount.innerLayers()
                        + checked.invalid().size(),
                rejectionMessage(spans.notInference(), oneCount.innerLayers(), checked.invalid()));
    }

    private static String rejectionMessage(int notInference, int innerLayers, List<String> invalid) {
        List<String> parts = new ArrayList<>();
        if (notInference > 0) {
            parts.add(notInference + " spans are not GenAI inference spans and were ignored");
        }
        if (innerLayers > 0) {
            parts.add(innerLayers + " GenAI spans were another layer of a call already counted (one call, one count)");
        }
        if (!invalid.isEmpty()) {
            parts.add(invalid.size() + " GenAI spans were invalid ("
                    + String.join("; ", invalid.subList(0, Math.min(5, invalid.size())))
                    + (invalid.size() > 5 ? "; ..." : "") + ")");
        }
        return String.join("; ", parts);
    }
}
