package dev.streamlens.query.metrics;

import dev.streamlens.model.FieldError;
import dev.streamlens.model.Rfc3339;
import dev.streamlens.query.QuerySettings;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link MetricsQueryRequest} into a {@link MetricsQuery}, reporting every malformed
 * parameter at once, in the order of the steps below (the first is the answer's {@code error}).
 * Rules: docs/DESIGN.md#the-query-service-query-service. Values are only ever bound as SQL
 * parameters, never spliced into SQL.
 */
public final class MetricsQueryParser {

    /** The parsed query, or the errors. */
    public record Result(MetricsQuery query, List<FieldError> errors) {

        static Result valid(MetricsQuery query) {
            return new Result(query, List.of());
        }

        static Result invalid(List<FieldError> errors) {
            return new Result(null, errors);
        }

        public boolean isValid() {
            return query != null;
        }
    }

    /** Which dimensions get rows of their own; the others are summed over. */
    private record Grouping(boolean byRoute, boolean byModel) {
        static final Grouping ROUTE_AND_MODEL = new Grouping(true, true);
    }

    /** The longest identifier, as for events (docs/EVENTS.md#common-rules). */
    private static final int MAX_NAME = 255;

    private final QuerySettings settings;
    private final Clock clock;

    public MetricsQueryParser(QuerySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Result parse(MetricsQueryRequest request) {
        List<FieldError> errors = new ArrayList<>();
        String tenant = name("tenant_id", request.tenantId(), true, errors);
        String route = name("route", request.route(), false, errors);
        String model = name("model", request.model(), false, errors);
        int limit = limit(request.limit(), errors);
        Granularity granularity = granularity(request.granularity(), errors);
        Grouping grouping = grouping(request.groupBy(), errors);
        boolean percentiles = flag("percentiles", request.percentiles(), errors);
        Instant from = instant("from", request.from(), errors);
        Instant to = instant("to", request.to(), errors);
        if (from != null && to != null && !from.isBefore(to)) {
            errors.add(new FieldError("from", "must be before to"));
        }
        if (!errors.isEmpty()) {
            return Result.invalid(errors);
        }
        MetricsQuery query = new MetricsQuery(
                tenant,
                route,
                model,
                limit,
                from,
                to,
                granularity,
                grouping.byRoute(),
                grouping.byModel(),
                percentiles);
        return from == null && to == null && query.isStoredMinuteRows() ? Result.valid(query) : inWholeBuckets(query);
    }

    /** tenant_id (required), route and model: identifiers, matched exactly. */
    public static String name(String field, String value, boolean required, List<FieldError> errors) {
        if (value == null) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return null;
        }
        if (value.isBlank()) {
            errors.add(new FieldError(field, "must not be empty"));
            return null;
        }
        if (value.length() > MAX_NAME) {
            errors.add(new FieldError(field, "must be at most " + MAX_NAME + " characters"));
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                errors.add(new FieldError(field, "must not contain control characters"));
                return null;
            }
        }
        return value;
    }

    /** Rows (or, for a rollup, buckets) to return: the settings' default when absent. */
    private int limit(String value, List<FieldError> errors) {
        if (value == null) {
            return settings.defaultLimit();
        }
        try {
            int rows = Integer.parseInt(value.trim());
            if (rows < 1 || rows > settings.maxLimit()) {
                errors.add(new FieldError("limit", "must be between 1 and " + settings.maxLimit()));
            }
            return rows;
        } catch (NumberFormatException e) {
            errors.add(new FieldError("limit", "must be a whole number between 1 and " + settings.maxLimit()));
            return settings.defaultLimit();
        }
    }

    /** The bucket size: the job's own minute when absent. */
    public static Granularity granularity(String value, List<FieldError> errors) {
        if (value == null) {
            return Granularity.MINUTE;
        }
        Granularity size = Granularity.parse(value.trim());
        if (size == null) {
            errors.add(new FieldError("granularity", "must be one of 1m, 5m, 15m, 1h, 1d, all"));
            return Granularity.MINUTE;
        }
        return size;
    }

    /** percentiles: true (the default) or false. */
    private static boolean flag(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return true;
        }
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                errors.add(new FieldError(field, "must be true or false"));
                yield true;
            }
        };
    }

    /** group_by: route, model, both (the default) or none. */
    private static Grouping grouping(String value, List<FieldError> errors) {
        if (value == null) {
            return Grouping.ROUTE_AND_MODEL;
        }
        String g = value.trim();
        boolean byRoute = false;
        boolean byModel = false;
        if (!g.equals("none")) {
            for (String part : g.split(",")) {
                switch (part.trim()) {
                    case "route" -> byRoute = true;
                    case "model" -> byModel = true;
                    default ->
                        errors.add(new FieldError("group_by", "must be route, model, route,model, none or tag:<key>"));
                }
            }
        }
        return new Grouping(byRoute, byModel);
    }

    /** from and to: RFC 3339 instants a timestamp can hold (docs/EVENTS.md#common-rules). */
    public static Instant instant(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        Instant instant = Rfc3339.parse(value.trim());
        if (instant == null) {
            errors.add(new FieldError(
                    field, "must be RFC 3339 with a four-digit year and an offset or Z, such as 2025-11-20T10:00:00Z"));
        } else if (!Rfc3339.inRange(instant)) {
            errors.add(new FieldError(field, "must lie between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z"));
            return null;
        }
        return instant;
    }

    /**
     * A range of whole buckets: the end defaults to now, the start to {@code limit} buckets before
     * it. Refused when it spans more buckets than the settings allow.
     */
    private Result inWholeBuckets(MetricsQuery query) {
        long bucketMs = query.granularity().size().toMillis();
        Instant end = query.to() != null ? query.to() : clock.instant();
        end = Instant.ofEpochMilli(ceil(end.toEpochMilli(), bucketMs));
        Instant start = query.from() != null ? query.from() : end.minusMillis(bucketMs * query.limit());
        start = Instant.ofEpochMilli(Math.floorDiv(start.toEpochMilli(), bucketMs) * bucketMs);
        long buckets = (end.toEpochMilli() - start.toEpochMilli()) / bucketMs;
        if (buckets > settings.maxBuckets() && !query.granularity().isWholeRange()) {
            return Result.invalid(List.of(new FieldError(
                    "from",
                    "the range spans " + buckets + " buckets of "
                            + query.granularity().text() + "; at most " + settings.maxBuckets()
                            + ": narrow it or use a coarser granularity")));
        }
        return Result.valid(query.withRange(start, end));
    }

    private static long ceil(long value, long unit) {
        return -Math.floorDiv(-value, unit) * unit;
    }
}
