package dev.streamlens.model.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's prices over time: one price set, or a list of them with conditions, tried last to
 * first: a {@code start_date} holds from that UTC midnight on, a {@code start_time}/{@code end_time}
 * holds in that UTC time of day (an off-peak price; it may wrap past midnight), an entry without a
 * condition ends the search; when none holds, the first entry's prices apply (the catalog's rule).
 */
public record DatedPrices(List<Entry> entries) {

    /** A price set and the condition under which it holds ({@code null} fields: none). */
    public record Entry(LocalDate startDate, LocalTime startTime, LocalTime endTime, PriceSet prices) {

        boolean unconditional() {
            return startDate == null && startTime == null;
        }

        boolean holdsAt(Instant time) {
            if (startDate != null) {
                return !time.isBefore(startDate.atStartOfDay().toInstant(ZoneOffset.UTC));
            }
            LocalTime of = LocalTime.ofInstant(time, ZoneOffset.UTC);
            return startTime.isBefore(endTime) || startTime.equals(endTime)
                    ? !of.isBefore(startTime) && of.isBefore(endTime)
                    : !of.isBefore(startTime) || of.isBefore(endTime);
        }
    }

    /** The prices in force at a call's time. */
    public PriceSet at(Instant time) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry entry = entries.get(i);
            if (entry.unconditional() || entry.holdsAt(time)) {
                return entry.prices();
            }
        }
        return entries.get(0).prices();
    }

    /** Whether the prices change with time (a dated or time-of-day entry). */
    public boolean changeOverTime() {
        return entries.size() > 1;
    }

    static DatedPrices of(JsonNode value, String where) {
        if (value.isObject()) {
            return new DatedPrices(List.of(new Entry(null, null, null, PriceSet.of(value, where))));
        }
        if (!value.isArray() || value.isEmpty()) {
            throw new IllegalArgumentException(where + ": prices are an object or a list of conditional prices");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode conditional : value) {
            JsonNode constraint = conditional.get("constraint");
            PriceSet prices = PriceSet.of(conditional.path("prices"), where);
            if (constraint == null || constraint.isNull()) {
                entries.add(new Entry(null, null, null, prices));
            } else if (constraint.has("start_date")) {
                entries.add(
                        new Entry(LocalDate.parse(constraint.get("start_date").asText()), null, null, prices));
            } else if (constraint.has("start_time") && constraint.has("end_time")) {
                entries.add(
                        new Entry(null, time(constraint.get("start_time")), time(constraint.get("end_time")), prices));
            } else {
                throw new IllegalArgumentException(where + ": unknown price constraint " + constraint);
            }
        }
        return new DatedPrices(List.copyOf(entries));
    }

    /** "00:30:00Z" (UTC) or "00:30:00" */
    private static LocalTime time(JsonNode value) {
        String text = value.asText();
        return text.endsWith("Z") || text.contains("+")
                ? OffsetTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalTime()
                : LocalTime.parse(text);
    }
}
