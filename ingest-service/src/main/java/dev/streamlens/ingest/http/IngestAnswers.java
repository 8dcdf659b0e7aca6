package dev.streamlens.ingest.http;

import dev.streamlens.ingest.admission.RateLimitDecision;
import dev.streamlens.ingest.intake.BatchOutcome;
import dev.streamlens.ingest.intake.ItemError;
import dev.streamlens.model.FieldError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every JSON answer of the ingest API, built in one place so each refusal has the same shape
 * (README.md#sending-events-ingest-service-port-8080).
 */
public final class IngestAnswers {

    /** 207: some items were written, some refused (WebDAV's Multi-Status; JAX-RS has no constant). */
    private static final int MULTI_STATUS = 207;

    private IngestAnswers() {}

    /** 202 {"status": "accepted"}, the answer clients of the API rely on (README.md). */
    public static Response accepted() {
        return json(Response.Status.ACCEPTED, Map.of("status", "accepted"));
    }

    /** A 4xx naming every offending field. */
    public static Response rejected(Response.Status status, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "rejected");
        body.put("errors", errors);
        return json(status, body);
    }

    public static Response rejected(Response.Status status, String field, String reason) {
        return rejected(status, List.of(new FieldError(field, reason)));
    }

    /** 503 with Retry-After: the event is not durably stored; the client should send it again. */
    public static Response unavailable(int retryAfterSeconds, String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header("Retry-After", retryAfterSeconds)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("status", "unavailable", "error", reason))
                .build();
    }

    /**
     * A refusal by the rate limits; nothing of the call was written. 429 with Retry-After when the
     * tenant is over its rate, 413 naming the body when its events could never pass at once.
     */
    public static Response rateLimited(RateLimitDecision refusal) {
        Response.Status status = rateLimitStatus(refusal);
        if (status == Response.Status.REQUEST_ENTITY_TOO_LARGE) {
            return rejected(status, "body", refusal.reason());
        }
        return Response.status(status)
                .header("Retry-After", refusal.retryAfterSeconds())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("status", "rejected", "errors", List.of(new FieldError("tenant_id", refusal.reason()))))
                .build();
    }

    /** The status of a rate-limit refusal, in every dialect: 429 when waiting helps, else 413. */
    static Response.Status rateLimitStatus(RateLimitDecision refusal) {
        return refusal.refusal() == RateLimitDecision.Refusal.OVER_BURST
                ? Response.Status.REQUEST_ENTITY_TOO_LARGE
                : Response.Status.TOO_MANY_REQUESTS;
    }

    /** 403 for a batch holding another tenant's event: nothing of it is written. */
    public static Response forbiddenBatch(int items, List<ItemError> forbidden) {
        return json(
                Response.Status.FORBIDDEN,
                Map.of("status", "rejected", "accepted", 0, "rejected", items, "errors", forbidden));
    }

    /**
     * A batch's answer: 202 when every item was written, 207 when some were, 400 when none was
     * valid, 503 with Retry-After when Kafka did not acknowledge some (they are listed by index).
     */
    public static Response batch(BatchOutcome outcome, int retryAfterSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "status",
                outcome.unavailable()
                        ? "unavailable"
                        : outcome.invalid() == 0 ? "accepted" : outcome.accepted() > 0 ? "partial" : "rejected");
        body.put("accepted", outcome.accepted());
        body.put("rejected", outcome.items() - outcome.accepted());
        body.put("errors", outcome.errors());
        if (outcome.unavailable()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", retryAfterSeconds)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(body)
                    .build();
        }
        int status = outcome.invalid() == 0 ? 202 : outcome.accepted() > 0 ? MULTI_STATUS : 400;
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    /** A refusal raised by the framework (unknown path, wrong method, ...), named by its reason phrase. */
    public static Response frameworkRefusal(int code) {
        Response.Status status = Response.Status.fromStatusCode(code);
        return Response.status(code)
                .type("application/json")
                .entity(Map.of(
                        "status", "rejected", "error", status == null ? "HTTP " + code : status.getReasonPhrase()))
                .build();
    }

    public static Response json(Response.Status status, Object body) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }
}
