package dev.streamlens.model;

import java.util.List;

/**
 * Outcome of parsing one event: either the event, or every violation found in it.
 *
 * @param event  the valid event, null when {@code errors} is not empty
 * @param errors every offending field with its reason, empty when the event is valid
 */
public record ParseResult<T>(T event, List<FieldError> errors) {

    public static <T> ParseResult<T> valid(T event) {
        return new ParseResult<>(event, List.of());
    }

    public static <T> ParseResult<T> invalid(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid result needs at least one error");
        }
        return new ParseResult<>(null, List.copyOf(errors));
    }

    public boolean isValid() {
        return errors.isEmpty();
    }

    /** The errors as one line, e.g. for a dead-letter record: {@code "timestamp: ...; model: ..."}. */
    public String describeErrors() {
        StringBuilder out = new StringBuilder();
        for (FieldError e : errors) {
            if (out.length() > 0) {
                out.append("; ");
            }
            out.append(e.field()).append(": ").append(e.reason());
        }
        return out.toString();
    }
}
