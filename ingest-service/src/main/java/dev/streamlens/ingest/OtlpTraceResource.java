package dev.streamlens.ingest;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
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
 * becomes a request and a response event, checked, rate-limited and written exactly like the
 * JSON API's, and the answer is 200 only once Kafka acknowledged every one of them.
 * Steps: decode → map spans → check → admit → publish → answer (docs/EVENTS.md#opentelemetry-genai-spans-post-v1traces).
 */
@Path("/v1/traces")
public class OtlpTraceResource {

    @Inject
    EventIntake intake;

    @Inject
    CallerTenant caller;

    @Inject
    TenantRateLimits limits;

    @Inject
    EventPublisher publisher;

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
        CheckedSpans checked = check(spans.calls(), tenant);
        if (checked.forbidden() != null) {
            return OtlpAnswers.failure(encoding, Response.Status.FORBIDDEN, checked.forbidden());
        }
        RateLimitDecision admission = limits.admit(checked.events());
        if (!admission.admitted()) {
            boolean retry = admission.refusal() == RateLimitDecision.Refusal.OVER_RATE;
            return OtlpAnswers.failure(
                    encoding,
                    retry ? Response.Status.TOO_MANY_REQUESTS : Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    admission.reason(),
                    retry ? admission.retryAfterSeconds() : 0);
        }
        if (!publish(checked.events())) {
            return OtlpAnswers.failure(
                    encoding,
                    Response.Status.SERVICE_UNAVAILABLE,
                    "Kafka did not acknowledge every " + "event within "
                            + settings.sendTimeout().toSeconds() + " s; send the export again",
                    settings.retryAfterSeconds());
        }
        int rejected = spans.notInference() + checked.invalid().size();
        return OtlpAnswers.success(encoding, rejected, rejectionMessage(spans.notInference(), checked.invalid()));
    }

    /** The spans' events that passed the JSON API's rules, the invalid spans' reasons, or a tenant refusal. */
    private record CheckedSpans(List<ValidatedEvent> events, List<String> invalid, String forbidden) {}

    /**
     * A span counts only when both its events are valid; every invalid span is reported, naming the
     * span attribute a refused token count came from. A span without valid ids has no events.
     */
    private CheckedSpans check(List<GenAiSpans.SpanCall> calls, Optional<String> tenant) {
        List<ValidatedEvent> events = new ArrayList<>();
        List<String> invalid = new ArrayList<>();
        for (GenAiSpans.SpanCall call : calls) {
            if (call.isRefused()) {
                metrics.rejected(call.refusal().field(), 2); // neither of its two events is written
                invalid.add("span " + call.span() + ": " + call.refusal().field() + " "
                        + call.refusal().reason());
                continue;
            }
            IntakeVerdict request = intake.check(EventType.REQUEST, call.request(), tenant);
            IntakeVerdict response = intake.check(EventType.RESPONSE, call.response(), tenant);
            if (request.forbidden() || response.forbidden()) {
                return new CheckedSpans(
                        List.of(),
                        List.of(),
                        "span " + call.span() + " names another tenant than the API key's; nothing was written");
            }
            if (request.isValid() && response.isValid()) {
                events.add(request.event());
                events.add(response.event());
            } else {
                List<FieldError> errors = new ArrayList<>(request.errors());
                errors.addAll(response.errors());
                FieldError first = errors.get(0);
                String attribute = call.attributeOf().get(first.field());
                invalid.add("span " + call.span() + ": " + first.field()
                        + (attribute == null ? "" : " (attribute " + attribute + ")") + " " + first.reason());
            }
        }
        return new CheckedSpans(events, invalid, null);
    }

    /** A call without an event to write never touches Kafka. */
    private boolean publish(List<ValidatedEvent> events) {
        if (events.isEmpty()) {
            return true;
        }
        for (boolean written : publisher.publish(events)) {
            if (!written) {
                return false;
            }
        }
        return true;
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
