package dev.streamlens.ingest;

import dev.streamlens.access.CallerTenant;
import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.ParseResult;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Many events in one call: a JSON array, or NDJSON (one event per line) with
 * {@code Content-Type: application/x-ndjson}. Each item carries {@code "type": "request"} or
 * {@code "response"}. Valid items are written; invalid ones are reported by index (0-based, the
 * position in the array or among the non-empty lines).
 * <ul>
 *   <li>202 {@code accepted}: every item was written;</li>
 *   <li>207 {@code partial}: the valid items were written, the others are listed in {@code errors};</li>
 *   <li>400 {@code rejected}: no item was valid (or the body is not a batch);</li>
 *   <li>503 {@code unavailable}: Kafka did not acknowledge some items; {@code errors} lists them.</li>
 * </ul>
 */
@Path("/v1/llm/events")
@Produces(MediaType.APPLICATION_JSON)
public class BatchResource {

    @Inject
    EventIntake intake;

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    @Inject
    CallerTenant caller;

    @Inject
    TenantRateLimits limits;

    /** 207: some items were written, some refused (WebDAV's Multi-Status; JAX-RS has no constant). */
    private static final int MULTI_STATUS = 207;

    private final EventParser parser = new EventParser();

    @POST
    @Operation(summary = "Record a batch of request and response events (JSON array or NDJSON)")
    public Response batch(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        boolean ndjson = ContentTypes.isNdjson(contentType);
        if (!ndjson && !ContentTypes.isJson(contentType)) {
            metrics.rejected("content_type", 1);
            return Answers.rejected(Response.Status.UNSUPPORTED_MEDIA_TYPE, "Content-Type",
                    "must be application/json (an array) or application/x-ndjson, not " + contentType);
        }
        if (body == null || body.length == 0) {
            return Answers.rejected(Response.Status.BAD_REQUEST, "body", "is empty: send a JSON array of events");
        }
        if (body.length > settings.maxBatchBytes()) {
            metrics.rejected("too_large", 1);
            return Answers.rejected(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body",
                    "must not exceed " + settings.maxBatchBytes() + " bytes");
        }
        List<ParseResult<JsonNode>> items = ndjson ? lines(body) : arrayItems(body);
        if (items == null) {
            return Answers.rejected(Response.Status.BAD_REQUEST, "body", "must be a JSON array of events");
        }
        if (items.isEmpty()) {
            return Answers.rejected(Response.Status.BAD_REQUEST, "body", "must hold at least one event");
        }
        if (items.size() > settings.maxBatchEvents()) {
            metrics.rejected("too_large", items.size());
            return Answers.rejected(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body",
                    "must hold at most " + settings.maxBatchEvents() + " events, not " + items.size());
        }

        List<Map<String, Object>> errors = new ArrayList<>();
        List<Map<String, Object>> forbidden = new ArrayList<>();
        List<EventIntake.Record> records = new ArrayList<>();
        List<Integer> recordIndexes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            EventIntake.Checked checked = check(items.get(i));
            if (checked.isValid()) {
                records.add(checked.record());
                recordIndexes.add(i);
            } else {
                (checked.forbidden() ? forbidden : errors).add(itemError(i, checked.errors()));
            }
        }
        if (!forbidden.isEmpty()) {
            // Another tenant's event in a batch: nothing of it is written.
            return Answers.json(Response.Status.FORBIDDEN, Map.of("status", "rejected", "accepted", 0,
                    "rejected", items.size(), "errors", forbidden));
        }
        Response overLimit = takeFromRateLimits(records);
        if (overLimit != null) {
            return overLimit;
        }
        int rejected = errors.size();
        boolean[] written = records.isEmpty() ? new boolean[0] : intake.publish(records);
        int accepted = 0;
        boolean unavailable = false;
        for (int r = 0; r < written.length; r++) {
            if (written[r]) {
                accepted++;
            } else {
                unavailable = true;
                errors.add(itemError(recordIndexes.get(r),
                        List.of(new FieldError("kafka", "not acknowledged in time: send this event again"))));
            }
        }
        errors.sort((a, b) -> Integer.compare((Integer) a.get("index"), (Integer) b.get("index")));

        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", unavailable ? "unavailable" : rejected == 0 ? "accepted" : accepted > 0 ? "partial" : "rejected");
        answer.put("accepted", accepted);
        answer.put("rejected", items.size() - accepted);
        answer.put("errors", errors);
        if (unavailable) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", settings.retryAfterSeconds())
                    .type(MediaType.APPLICATION_JSON_TYPE).entity(answer).build();
        }
        int status = rejected == 0 ? 202 : accepted > 0 ? MULTI_STATUS : 400;
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(answer).build();
    }

    /** Each event counts against its tenant's limit; over any limit, the whole batch is refused. */
    private Response takeFromRateLimits(List<EventIntake.Record> records) {
        Map<String, Integer> perTenant = new LinkedHashMap<>();
        records.stream().filter(r -> r.tenant() != null).forEach(r -> perTenant.merge(r.tenant(), 1, Integer::sum));
        Map<String, Integer> taken = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> tenant : perTenant.entrySet()) {
            Optional<Response> refused = limits.admit(tenant.getKey(), tenant.getValue());
            if (refused.isPresent()) {
                taken.forEach(limits::giveBack);
                return refused.get();
            }
            taken.put(tenant.getKey(), tenant.getValue());
        }
        return null;
    }

    private EventIntake.Checked check(ParseResult<JsonNode> item) {
        if (!item.isValid()) {
            metrics.rejected("body", 1);
            return new EventIntake.Checked(null, item.errors(), false);
        }
        JsonNode json = item.event();
        JsonNode typeNode = json.isObject() ? json.get("type") : null;
        EventType type = typeNode != null && typeNode.isTextual() ? EventType.fromWireName(typeNode.textValue()) : null;
        if (type == null) {
            metrics.rejected("type", 1);
            List<FieldError> errors = new ArrayList<>();
            errors.add(new FieldError("type", "must be \"request\" or \"response\""));
            return new EventIntake.Checked(null, errors, false);
        }
        return intake.check(type, json, caller.get());
    }

    /** The items of a JSON array, or null when the body is not an array. */
    private List<ParseResult<JsonNode>> arrayItems(byte[] body) {
        ParseResult<JsonNode> tree = parser.readTree(body);
        if (!tree.isValid() || !tree.event().isArray()) {
            return null;
        }
        List<ParseResult<JsonNode>> items = new ArrayList<>(tree.event().size());
        tree.event().forEach(item -> items.add(ParseResult.valid(item)));
        return items;
    }

    /** One item per non-empty line; a line that is not JSON is an invalid item, not a failed batch. */
    private List<ParseResult<JsonNode>> lines(byte[] body) {
        List<ParseResult<JsonNode>> items = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                items.add(parser.readTree(line.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return items;
    }

    private static Map<String, Object> itemError(int index, List<FieldError> errors) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("index", index);
        error.put("errors", errors);
        return error;
    }
}
