package dev.streamlens.ingest;

import dev.streamlens.model.FieldError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON answers of the ingest API, in one place so every error has the same shape. */
public final class Answers {

    private Answers() {
    }

    /** 202 {"status": "accepted"}, as the original service answered. */
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

    /** 429 with Retry-After: the tenant is over its rate limit; nothing of this call was written. */
    public static Response rateLimited(int retryAfterSeconds, String tenant, long eventsPerSecond) {
        return Response.status(Response.Status.TOO_MANY_REQUESTS)
                .header("Retry-After", retryAfterSeconds)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("status", "rejected", "errors", List.of(new FieldError("tenant_id",
                        "tenant " + tenant + " is over its limit of " + eventsPerSecond + " events per second: retry after "
                                + retryAfterSeconds + " s"))))
                .build();
    }

    public static Response json(Response.Status status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
