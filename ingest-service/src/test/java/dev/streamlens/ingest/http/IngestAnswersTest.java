package dev.streamlens.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.ingest.EventType;
import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.ingest.admission.RateLimitDecision;
import dev.streamlens.ingest.intake.CheckedBatch;
import dev.streamlens.ingest.intake.IntakeVerdict;
import dev.streamlens.ingest.intake.ItemError;
import dev.streamlens.model.FieldError;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answers built from the steps' results: rate-limit refusals and a batch's outcome. */
class IngestAnswersTest {

    @Test
    void aTenantOverItsRateGets429WithRetryAfterNamingTenantId() {
        Response answer = IngestAnswers.rateLimited(RateLimitDecision.overRate("over", 2));
        assertThat(answer.getStatus()).isEqualTo(429);
        assertThat(answer.getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(answer.getEntity())
                .isEqualTo(Map.of("status", "rejected", "errors", List.of(new FieldError("tenant_id", "over"))));
    }

    @Test
    void eventsThatCanNeverPassAtOnceGet413NamingTheBody() {
        Response answer = IngestAnswers.rateLimited(RateLimitDecision.overBurst("too many"));
        assertThat(answer.getStatus()).isEqualTo(413);
        assertThat(answer.getHeaderString("Retry-After")).isNull();
        assertThat(answer.getEntity())
                .isEqualTo(Map.of("status", "rejected", "errors", List.of(new FieldError("body", "too many"))));
    }

    @Test
    void aBatchIsPartialWhenSomeItemsWereWrittenAndUnavailableWhenKafkaMissedOne() {
        IntakeVerdict valid = IntakeVerdict.valid(new ValidatedEvent(EventType.REQUEST, "r", new byte[0], "acme"));
        IntakeVerdict invalid = IntakeVerdict.invalid(List.of(new FieldError("timestamp", "is required")));
        CheckedBatch checked = new CheckedBatch(List.of(valid, invalid, valid));

        Response partial = IngestAnswers.batch(checked.outcome(new boolean[] {true, true}), 1);
        assertThat(partial.getStatus()).isEqualTo(207);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) partial.getEntity();
        assertThat(body)
                .containsEntry("status", "partial")
                .containsEntry("accepted", 2)
                .containsEntry("rejected", 1);

        Response unavailable = IngestAnswers.batch(checked.outcome(new boolean[] {false, true}), 3);
        assertThat(unavailable.getStatus()).isEqualTo(503);
        assertThat(unavailable.getHeaderString("Retry-After")).isEqualTo("3");
        assertThat((List<?>) ((Map<?, ?>) unavailable.getEntity()).get("errors"))
                .extracting(error -> ((ItemError) error).index())
                .containsExactly(0, 1);
    }
}
