package dev.streamlens.ingest.http;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.admission.RateLimitDecision;
import dev.streamlens.ingest.intake.CheckedSpans;
import dev.streamlens.ingest.intake.Delivery;
import dev.streamlens.ingest.intake.EventIntake;
import dev.streamlens.ingest.otlp.GenAiSpans;
import dev.streamlens.ingest.otlp.OtlpEncoding;
import dev.streamlens.ingest.otlp.OtlpPayloads;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * OTLP/HTTP traces (the path an OpenTelemetry exporter posts to): each GenAI inference span
 * becomes a request and a response event, checked, rate-limited and written by the same
 * {@link EventIntake} as the JSON API's, and the answer is 200 only once Kafka acknowledged every
 * one of them. Steps: decode → map spans → intake (check → admit → publish) → answer (docs/EVENTS.md#opentelemetry-genai-spans-post-v1traces).
 */
@Path("/v1/traces")
public class OtlpTraceResource {

    @Inject
    EventIntake intake;

    @Inject
    CallerTenant caller;

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @POST
    @Consumes({"application/x-protobuf", MediaType.APPLICATION_JSON})
    @Operation(
            summary =
                    "OTLP/HTTP traces (protobuf or JSON, gzip allowed): GenAI spans become request and response events")
    public Response export(
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding,
            byte[] body) {
        OtlpEncoding encoding = OtlpEncoding.of(contentType);
        OtlpPayloads.Decoded decoded = OtlpPayloads.decode(
                encoding, contentEncoding, body == null ? new byte[0] : body, settings.otlpMaxBodyBytes());
        if (!decoded.isValid()) {
            metrics.rejected(decoded.tooLarge() ? "too_large" : "body", 1);
            return OtlpAnswers.failure(
                    encoding,
                    decoded.tooLarge() ? Response.Status.REQUEST_ENTITY_TOO_LARGE : Response.Status.BAD_REQUEST,
                    decoded.problem());
        }
        Optional<String> tenant = caller.get();
        GenAiSpans.Mapped spans = GenAiSpans.of(
                decoded.export(),
                new GenAiSpans.Rules(
                        settings.otlpTenantAttribute(), settings.otlpDefaultTenant(), settings.otlpRouteAttribute()),
                tenant);
        if (spans.calls().size() > settings.otlpMaxSpans()) {
            return OtlpAnswers.failure(
                    encoding,
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body: at most " + settings.otlpMaxSpans() + " GenAI spans per export, not "
                            + spans.calls().size());
        }
        CheckedSpans checked = intake.checkSpans(spans.calls(), tenant);
        if (checked.isForbidden()) {
            return OtlpAnswers.failure(encoding, Response.Status.FORBIDDEN, checked.forbidden());
        }
        Delivery delivery = intake.deliver(checked.events());
        if (!delivery.admitted()) {
            RateLimitDecision refusal = delivery.refusal(); // no Retry-After (0) over the burst
            return OtlpAnswers.failure(
                    encoding, IngestAnswers.rateLimitStatus(refusal), refusal.reason(), refusal.retryAfterSeconds());
        }
        if (!delivery.allWritten()) {
            return OtlpAnswers.failure(
                    encoding,
                    Response.Status.SERVICE_UNAVAILABLE,
                    "Kafka did not acknowledge every event within "
                            + settings.sendTimeout().toSeconds() + " s; send the export again",
                    settings.retryAfterSeconds());
        }
        int rejected = spans.notInference() + checked.invalid().size();
        return OtlpAnswers.success(encoding, rejected, rejectionMessage(spans.notInference(), checked.invalid()));
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
