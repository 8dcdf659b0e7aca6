package dev.streamlens.ingest.http;

import dev.streamlens.access.CallerTenant;
import dev.streamlens.ingest.IngestSettings;
import dev.streamlens.ingest.intake.CheckedBatch;
import dev.streamlens.ingest.intake.Delivery;
import dev.streamlens.ingest.intake.EventIntake;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
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
    IngestSettings settings;

    @POST
    @Operation(summary = "Record a batch of request and response events (JSON array or NDJSON)")
    public Response batch(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body) {
        BatchBody batch = reader.read(contentType, body);
        if (batch.isRefused()) {
            return IngestAnswers.rejected(batch.refusedWith(), List.of(batch.refusal()));
        }
        CheckedBatch checked = intake.checkBatch(batch.items(), caller.get());
        if (checked.hasForbidden()) {
            return IngestAnswers.forbiddenBatch(checked.size(), checked.forbidden());
        }
        Delivery delivery = intake.deliver(checked.events());
        if (!delivery.admitted()) {
            return IngestAnswers.rateLimited(delivery.refusal());
        }
        return IngestAnswers.batch(checked.outcome(delivery.written()), settings.retryAfterSeconds());
    }
}
