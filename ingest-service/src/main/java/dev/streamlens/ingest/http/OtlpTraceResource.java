package dev.streamlens.ingest.http;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.intake.TraceExportIntake;
import dev.streamlens.ingest.intake.TraceExportOutcome;
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
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * OTLP/HTTP traces (the path an OpenTelemetry exporter posts to): each GenAI inference span
 * becomes a request and a response event, checked, rate-limited and written by the same
 * intake as the JSON API's, and the answer is 200 only once Kafka acknowledged every
 * one of them. Steps: decode → {@link TraceExportIntake} (map spans → check → admit → publish) → answer (docs/EVENTS.md#opentelemetry-genai-spans-post-v1traces).
 */
@Path("/v1/traces")
public class OtlpTraceResource {

    @Inject
    TraceExportIntake exports;

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
        TraceExportOutcome outcome = exports.export(decoded.export(), caller.get());
        if (outcome instanceof TraceExportOutcome.Accepted accepted) {
            return OtlpAnswers.success(encoding, accepted.rejectedSpans(), accepted.message());
        }
        if (outcome instanceof TraceExportOutcome.TooManySpans tooMany) {
            return OtlpAnswers.failure(encoding, Response.Status.REQUEST_ENTITY_TOO_LARGE, tooMany.message());
        }
        if (outcome instanceof TraceExportOutcome.Forbidden forbidden) {
            return OtlpAnswers.failure(encoding, Response.Status.FORBIDDEN, forbidden.message());
        }
        if (outcome instanceof TraceExportOutcome.RateLimited limited) {
            return OtlpAnswers.failure( // no Retry-After (0) over the burst
                    encoding,
                    IngestAnswers.rateLimitStatus(limited.refusal()),
                    limited.refusal().reason(),
                    limited.refusal().retryAfterSeconds());
        }
        TraceExportOutcome.NotAcknowledged notAcknowledged = (TraceExportOutcome.NotAcknowledged) outcome;
        return OtlpAnswers.failure(
                encoding, Response.Status.SERVICE_UNAVAILABLE, notAcknowledged.message(), settings.retryAfterSeconds());
    }
}
