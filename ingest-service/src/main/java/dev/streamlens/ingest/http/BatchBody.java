package dev.streamlens.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.model.FieldError;
import dev.streamlens.model.ParseResult;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * A batch body as {@link BatchReader} read it: its items (each parsed, or why not), or why the
 * body is not a batch at all, with the status to refuse it with.
 */
public record BatchBody(List<ParseResult<JsonNode>> items, Response.Status refusedWith, FieldError refusal) {

    static BatchBody of(List<ParseResult<JsonNode>> items) {
        return new BatchBody(items, null, null);
    }

    static BatchBody refused(Response.Status status, String field, String reason) {
        return new BatchBody(List.of(), status, new FieldError(field, reason));
    }

    public boolean isRefused() {
        return refusal != null;
    }
}
