package dev.streamlens.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.ingest.ContentTypes;
import dev.streamlens.ingest.IngestMetrics;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.model.EventParser;
import dev.streamlens.model.ParseResult;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a batch body into its items: a JSON array, or NDJSON (one event per non-empty line). A
 * body of another type, beyond the batch bounds or holding no items is refused as a whole
 * (README.md#access-api-keys-tenants-rate-limits, Bounds); a bad item is only that item's error.
 */
@ApplicationScoped
public class BatchReader {

    @Inject
    IngestSettings settings;

    @Inject
    IngestMetrics metrics;

    private final EventParser parser = new EventParser();

    public BatchBody read(String contentType, byte[] body) {
        boolean ndjson = ContentTypes.isNdjson(contentType);
        if (!ndjson && !ContentTypes.isJson(contentType)) {
            metrics.rejected("content_type", 1);
            return BatchBody.refused(
                    Response.Status.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type",
                    "must be application/json (an array) or application/x-ndjson, not " + contentType);
        }
        if (body == null || body.length == 0) {
            return BatchBody.refused(Response.Status.BAD_REQUEST, "body", "is empty: send a JSON array of events");
        }
        if (body.length > settings.maxBatchBytes()) {
            metrics.rejected("too_large", 1);
            return BatchBody.refused(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body",
                    "must not exceed " + settings.maxBatchBytes() + " bytes");
        }
        List<ParseResult<JsonNode>> items = ndjson ? lines(body) : arrayItems(body);
        return items == null
                ? BatchBody.refused(Response.Status.BAD_REQUEST, "body", "must be a JSON array of events")
                : counted(items);
    }

    /** The items, unless there are none or more than a batch may hold. */
    private BatchBody counted(List<ParseResult<JsonNode>> items) {
        if (items.isEmpty()) {
            return BatchBody.refused(Response.Status.BAD_REQUEST, "body", "must hold at least one event");
        }
        if (items.size() > settings.maxBatchEvents()) {
            metrics.rejected("too_large", items.size());
            return BatchBody.refused(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "body",
                    "must hold at most " + settings.maxBatchEvents() + " events, not " + items.size());
        }
        return BatchBody.of(items);
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
}
