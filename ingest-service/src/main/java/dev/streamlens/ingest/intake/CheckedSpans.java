package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.ingest.otlp.GenAiSpans;
import java.util.List;

/**
 * An export's calls after their checks: each call whose two events passed the JSON API's rules,
 * with those events; why each other span was refused; or (then nothing else) why the whole export
 * is forbidden: a span of another tenant than the caller's.
 */
public record CheckedSpans(List<Valid> valid, List<String> invalid, String forbidden) {

    /** A call whose request and response events are both valid. */
    public record Valid(GenAiSpans.SpanCall call, ValidatedEvent request, ValidatedEvent response) {}

    static CheckedSpans forbidden(String reason) {
        return new CheckedSpans(List.of(), List.of(), reason);
    }

    public boolean isForbidden() {
        return forbidden != null;
    }
}
