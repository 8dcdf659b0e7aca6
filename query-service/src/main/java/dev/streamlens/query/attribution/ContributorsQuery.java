package dev.streamlens.query.attribution;

import dev.streamlens.model.FieldError;
import dev.streamlens.model.attribution.Contributors.Figure;
import dev.streamlens.query.metrics.Granularity;
import dev.streamlens.query.metrics.MetricsQueryParser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A question about end users or sessions over a range of one tenant's windows, checked: the range
 * is whole minutes (the job's windows), by default the last 24 hours.
 *
 * @param id          one user's or session's figures over time (null: a ranking)
 * @param by          what a ranking orders by
 * @param granularity the buckets of one id's figures
 */
public record ContributorsQuery(
        String tenantId,
        String route,
        String model,
        Instant from,
        Instant to,
        Figure by,
        int limit,
        String id,
        Granularity granularity) {

    /** The most ids a ranking lists. */
    public static final int MAX_LIMIT = 1_000;

    /** The longest range one question reads (the retention of minute rows is about this long). */
    static final Duration MAX_RANGE = Duration.ofDays(400);

    private static final Duration DEFAULT_RANGE = Duration.ofHours(24);

    /** The checked question, or the problems with each parameter. */
    public record Parsed(ContributorsQuery query, List<FieldError> errors) {}

    /** Checks the parameters as sent (null: absent, "": sent empty). */
    public static Parsed parse(
            ContributorKind kind,
            String tenant,
            String route,
            String model,
            String from,
            String to,
            String by,
            String limit,
            String id,
            String granularity,
            Clock clock) {
        List<FieldError> errors = new ArrayList<>();
        String tenantId = MetricsQueryParser.name("tenant_id", tenant, true, errors);
        String routeName = MetricsQueryParser.name("route", route, false, errors);
        String modelName = MetricsQueryParser.name("model", model, false, errors);
        String idValue = MetricsQueryParser.name(kind.idParameter, id, false, errors);
        Instant start = MetricsQueryParser.instant("from", from, errors);
        Instant end = MetricsQueryParser.instant("to", to, errors);
        Figure figure = figure(by, errors);
        int rows = limit(limit, errors);
        Granularity buckets =
                granularity == null ? Granularity.HOUR : MetricsQueryParser.granularity(granularity, errors);
        if (!errors.isEmpty()) {
            return new Parsed(null, errors);
        }
        long minute = Duration.ofMinutes(1).toMillis();
        end = end != null ? end : clock.instant();
        end = Instant.ofEpochMilli(-Math.floorDiv(-end.toEpochMilli(), minute) * minute);
        start = start != null ? start : end.minus(DEFAULT_RANGE);
        start = Instant.ofEpochMilli(Math.floorDiv(start.toEpochMilli(), minute) * minute);
        if (!start.isBefore(end)) {
            errors.add(new FieldError("from", "must be before to"));
        } else if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
            errors.add(new FieldError("from", "the range may span at most " + MAX_RANGE.toDays() + " days"));
        }
        if (!errors.isEmpty()) {
            return new Parsed(null, errors);
        }
        return new Parsed(
                new ContributorsQuery(tenantId, routeName, modelName, start, end, figure, rows, idValue, buckets),
                List.of());
    }

    /** by: cost (the default), requests, tokens or errors. */
    private static Figure figure(String value, List<FieldError> errors) {
        if (value == null) {
            return Figure.COST_NANO_USD;
        }
        return switch (value.trim()) {
            case "cost" -> Figure.COST_NANO_USD;
            case "requests" -> Figure.REQUESTS;
            case "tokens" -> Figure.TOKENS;
            case "errors" -> Figure.ERRORS;
            default -> {
                errors.add(new FieldError("by", "must be cost, requests, tokens or errors"));
                yield Figure.COST_NANO_USD;
            }
        };
    }

    private static int limit(String value, List<FieldError> errors) {
        if (value == null) {
            return 10;
        }
        try {
            int rows = Integer.parseInt(value.trim());
            if (rows >= 1 && rows <= MAX_LIMIT) {
                return rows;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        errors.add(new FieldError("limit", "must be a whole number between 1 and " + MAX_LIMIT));
        return 10;
    }
}
