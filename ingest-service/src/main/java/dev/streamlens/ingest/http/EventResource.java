package dev.streamlens.ingest.http;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.ingest.ContentTypes;
import dev.streamlens.ingest.EventType;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.intake.Delivery;
import dev.streamlens.ingest.intake.EventIntake;
import dev.streamlens.ingest.intake.IntakeVerdict;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The two single-event calls (README.md#sending-events-ingest-service-port-8080): one event per
 * request, answered 202 once Kafka holds it. The call is read, checked and handed to the producer
 * on the event loop (a small body; the publisher moves a send that could block to a worker
 * thread), and the wait for the broker's acknowledgement holds no thread: the answer completes
 * from the producer's callback.
 */
@Path("/v1/llm")
@Produces(MediaType.APPLICATION_JSON)
public class EventResource {

    @Inject
    EventIntake intake;

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @Inject
    CallerTenant caller;

    @POST
    @Path("/request")
    @Operation(summary = "Record the start of an LLM call")
    public CompletionStage<Response> request(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return ingest(EventType.REQUEST, contentType, body);
    }

    @POST
    @Path("/response")
    @Operation(summary = "Record the end of an LLM call")
    public CompletionStage<Response> response(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        return ingest(EventType.RESPONSE, contentType, body);
    }

    private CompletionStage<Response> ingest(EventType type, String contentType, byte[] body) {
        Optional<Response> unreadable = refuseUnreadable(contentType, body);
        if (unreadable.isPresent()) {
            return CompletableFuture.completedFuture(unreadable.get());
        }
        IntakeVerdict verdict = intake.check(type, body, caller.get());
        if (!verdict.isValid()) {
            return CompletableFuture.completedFuture(IngestAnswers.rejected(
                    verdict.forbidden() ? Response.Status.FORBIDDEN : Response.Status.BAD_REQUEST, verdict.errors()));
        }
        return intake.deliverWithoutBlocking(List.of(verdict.event())).thenApply(this::answer);
    }

    private Response answer(Delivery delivery) {
        if (!delivery.admitted()) {
            return IngestAnswers.rateLimited(delivery.refusal());
        }
        return delivery.allWritten()
                ? IngestAnswers.accepted()
                : IngestAnswers.unavailable(
                        settings.retryAfterSeconds(),
                        "Kafka did not acknowledge the event within "
                                + settings.sendTimeout().toSeconds()
                                + " s; it may not be stored, send it again");
    }

    /** A body that is not JSON, empty or too large for one event, refused before it is read. */
    private Optional<Response> refuseUnreadable(String contentType, byte[] body) {
        if (!ContentTypes.isJson(contentType)) {
            metrics.rejected("content_type", 1);
            return Optional.of(IngestAnswers.rejected(
                    Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type",
                    "must be application/json, not " + contentType));
        }
        if (body == null || body.length == 0) {
            metrics.rejected("body", 1);
            return Optional.of(
                    IngestAnswers.rejected(Response.Status.BAD_REQUEST, "body", "is empty: send one JSON event"));
        }
        if (body.length > settings.maxEventBytes()) {
            metrics.rejected("too_large", 1);
            return Optional.of(IngestAnswers.rejected(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body",
                    "must not exceed " + settings.maxEventBytes() + " bytes"));
        }
        return Optional.empty();
    }
}
