package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.model.FieldError;
import java.util.List;

/**
 * What {@link EventIntake} decided about one event: the event to write, or every error found in
 * it. A refusal is {@code forbidden} (403) when the event belongs to another tenant than the
 * caller's API key, and invalid (400) otherwise.
 */
public record IntakeVerdict(ValidatedEvent event, List<FieldError> errors, boolean forbidden) {

    public static IntakeVerdict valid(ValidatedEvent event) {
        return new IntakeVerdict(event, List.of(), false);
    }

    public static IntakeVerdict invalid(List<FieldError> errors) {
        return new IntakeVerdict(null, errors, false);
    }

    public static IntakeVerdict forbidden(List<FieldError> errors) {
        return new IntakeVerdict(null, errors, true);
    }

    public boolean isValid() {
        return event != null;
    }
}
