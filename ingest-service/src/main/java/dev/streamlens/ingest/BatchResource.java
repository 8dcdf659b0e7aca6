package dev.streamlens.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamlens.access.CallerTenant;
import dev.streamlens.model.ParseResult;
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
 *   <li>403 {@code rejected}: an item belongs to another tenant than the API key's; nothing was written;</li>
 *   <li>413 or 429: over the tenant's rate limit; nothing was written;</li>
 *   <li>503 {@code unavailable}: Kafka did not acknowledge some items; {@code errors} lists them.</li>
 * </ul>
 */
@Path("/v1/llm/events")
@Produces(MediaType.APPLICATION_JSON)
public class BatchResource {

    @Inject
    BatchReader reader;

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

    @POST
    @Operation(summary = "Record a batch of request and response events (JSON array or NDJSON)")
    public Response batch(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        BatchBody batch = reader.read(contentType, body);
        if (batch.isRefused()) {
            return IngestAnswers.rejected(batch.refusedWith(), List.of(batch.refusal()));
        }
        CheckedBatch checked = check(batch.items());
        if (checked.hasForbidden()) {
            return IngestAnswers.forbiddenBatch(checked.size(), checked.forbidden());
        }
        RateLimitDecision admission = limits.admit(checked.events());
        if (!admission.admitted()) {
            return IngestAnswers.rateLimited(admission);
        }
        boolean[] written = publish(checked.events());
        return IngestAnswers.batch(checked.outcome(written), settings.retryAfterSeconds());
    }

    /** A batch without a valid event never touches Kafka. */
    private boolean[] publish(List<ValidatedEvent> events) {
        return events.isEmpty() ? new boolean[0] : publisher.publish(events);
    }

    /** Every item is checked, so that all the errors are reported at once. */
    private CheckedBatch check(List<ParseResult<JsonNode>> items) {
        Optional<String> tenant = caller.get();
        return new CheckedBatch(
                items.stream().map(item -> intake.checkItem(item, tenant)).toList());
    }
}
