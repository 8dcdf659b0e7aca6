package dev.streamlens.query;

import dev.streamlens.model.FieldError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The error answers of the query API (metrics, alerts, progress), built in one place so each
 * error has the same shape (docs/DESIGN.md#the-query-service-query-service).
 */
public final class QueryAnswers {

    private QueryAnswers() {}

    /** The API's error shape: the first problem as text, then every field with its reason. */
    public static Response error(Response.Status status, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", errors.get(0).field() + " " + errors.get(0).reason());
        body.put("errors", errors);
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body)
                .build();
    }

    /** 403: the query names another tenant than the caller's API key. */
    public static Response anotherTenant() {
        return error(
                Response.Status.FORBIDDEN,
                List.of(new FieldError("tenant_id", "belongs to another tenant than the API key")));
    }

    /** 503 with Retry-After: PostgreSQL did not answer. */
    public static Response storeUnavailable() {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header("Retry-After", 1)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", "the metrics store is unavailable; try again"))
                .build();
    }

    /** A refusal raised by the framework (unknown path, wrong method, ...), named by its reason phrase. */
    public static Response frameworkRefusal(int code) {
        Response.Status status = Response.Status.fromStatusCode(code);
        return Response.status(code)
                .type("application/json")
                .entity(Map.of("error", status == null ? "HTTP " + code : status.getReasonPhrase()))
                .build();
    }
}
