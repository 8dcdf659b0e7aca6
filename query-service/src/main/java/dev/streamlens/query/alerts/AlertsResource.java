package dev.streamlens.query.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.Rfc3339;
import dev.streamlens.query.QueryAnswers;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * {@code GET /v1/alerts}: a tenant's alerts firing now ({@code state=firing}), or the history of its
 * transitions (firing and resolved, newest first) whose evaluation window ended in
 * {@code [from, to)} (default: the last 24 hours), each with its webhook delivery status.
 */
@Path("/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

    private static final Logger LOG = Logger.getLogger(AlertsResource.class);
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;

    @Inject
    AlertRepository alerts;

    @Inject
    CallerTenant caller;

    @GET
    @Operation(summary = "Alerts of a tenant: firing now (state=firing) or their transitions over a range")
    public Response alerts(
            @QueryParam("tenant_id") String tenantId,
            @QueryParam("state") String state,
            @QueryParam("from") String from,
            @QueryParam("to") String to,
            @QueryParam("limit") String limit) {
        Optional<String> own = caller.get();
        if (own.isPresent() && tenantId != null && !tenantId.equals(own.get())) {
            return QueryAnswers.anotherTenant();
        }
        String tenant = own.orElse(tenantId);
        List<FieldError> errors = new ArrayList<>();
        if (tenant == null || tenant.isBlank()) {
            errors.add(new FieldError("tenant_id", "is required"));
        }
        if (state != null && !state.equals("firing") && !state.equals("all")) {
            errors.add(new FieldError("state", "must be firing or all"));
        }
        Instant end = instant("to", to, Instant.now(), errors);
        Instant start = instant("from", from, end.minus(Duration.ofHours(24)), errors);
        if (errors.isEmpty() && !start.isBefore(end)) {
            errors.add(new FieldError("from", "must be before to"));
        }
        int rows = limit(limit, errors);
        if (!errors.isEmpty()) {
            return QueryAnswers.error(Response.Status.BAD_REQUEST, errors);
        }
        try {
            List<JsonNode> found =
                    "firing".equals(state) ? alerts.firing(tenant, rows) : alerts.history(tenant, start, end, rows);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("alerts", found);
            answer.put("count", found.size());
            return Response.ok(answer).build();
        } catch (SQLException e) {
            LOG.warn("alerts query failed", e);
            return QueryAnswers.storeUnavailable();
        }
    }

    private static Instant instant(String field, String value, Instant otherwise, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        Instant parsed = Rfc3339.parse(value.trim());
        if (parsed == null) {
            errors.add(new FieldError(field, "must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z"));
            return otherwise;
        }
        return parsed;
    }

    private static int limit(String value, List<FieldError> errors) {
        if (value == null || value.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(new FieldError("limit", "must be a whole number between 1 and " + MAX_LIMIT));
        return DEFAULT_LIMIT;
    }
}
