package dev.streamlens.ingest.intake;

import dev.streamlens.ingest.ValidatedEvent;
import dev.streamlens.model.FieldError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A batch's items after their checks, by position: the events to write, the invalid items, and
 * apart from them the forbidden ones (another tenant's events), which refuse the whole batch.
 */
public final class CheckedBatch {

    private final int size;
    private final List<ValidatedEvent> events = new ArrayList<>();
    private final List<Integer> eventIndexes = new ArrayList<>();
    private final List<ItemError> invalid = new ArrayList<>();
    private final List<ItemError> forbidden = new ArrayList<>();

    /** @param verdicts one per item, in the batch's order */
    public CheckedBatch(List<IntakeVerdict> verdicts) {
        size = verdicts.size();
        for (int i = 0; i < verdicts.size(); i++) {
            IntakeVerdict verdict = verdicts.get(i);
            if (verdict.isValid()) {
                events.add(verdict.event());
                eventIndexes.add(i);
            } else {
                (verdict.forbidden() ? forbidden : invalid).add(new ItemError(i, verdict.errors()));
            }
        }
    }

    public int size() {
        return size;
    }

    public List<ValidatedEvent> events() {
        return events;
    }

    public boolean hasForbidden() {
        return !forbidden.isEmpty();
    }

    public List<ItemError> forbidden() {
        return forbidden;
    }

    /** What became of the batch, given which of its events Kafka acknowledged. */
    public BatchOutcome outcome(boolean[] written) {
        List<ItemError> errors = new ArrayList<>(invalid);
        int accepted = 0;
        for (int e = 0; e < written.length; e++) {
            if (written[e]) {
                accepted++;
            } else {
                errors.add(new ItemError(
                        eventIndexes.get(e),
                        List.of(new FieldError("kafka", "not acknowledged in time: send this event again"))));
            }
        }
        errors.sort(Comparator.comparingInt(ItemError::index));
        return new BatchOutcome(size, accepted, invalid.size(), accepted < written.length, errors);
    }
}
