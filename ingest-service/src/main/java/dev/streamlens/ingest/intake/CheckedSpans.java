package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.ValidatedEvent;
import java.util.List;

/**
 * An export's calls after their checks: the events of the spans that passed the JSON API's
 * rules, why each other span was refused, or (then nothing else) why the whole export is
 * forbidden: a span of another tenant than the caller's.
 */
public record CheckedSpans(List<ValidatedEvent> events, List<String> invalid, String forbidden) {

    static CheckedSpans forbidden(String reason) {
        return new CheckedSpans(List.of(), List.of(), reason);
    }

    public boolean isForbidden() {
        return forbidden != null;
    }
}
