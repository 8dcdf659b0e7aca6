package dev.streamlens.query;

import dev.streamlens.model.FieldError;
import dev.streamlens.model.Rfc3339;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the query string of {@code GET /v1/metrics} and reports every malformed parameter at
 * once. Values are only ever bound as SQL parameters, never spliced into SQL.
 */
public final class MetricsQueryParser {

    /** The parsed query, or the errors. */
    public record Result(MetricsQuery query, List<FieldError> errors) {
    }

    private static final int MAX_NAME = 255;

    private final QuerySettings settings;
    private final Clock clock;

    public MetricsQueryParser(QuerySettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public Result parse(String tenantId, String route, String model, String limit, String from, String to,
                        String granularity, String groupBy) {
        List<FieldError> errors = new ArrayList<>();
        String tenant = name("tenant_id", tenantId, true, errors);
        String routeName = name("route", route, false, errors);
        String modelName = name("model", model, false, errors);

        int rows = settings.defaultLimit();
        if (limit != null) {
            try {
                rows = Integer.parseInt(limit.trim());
                if (rows < 1 || rows > settings.maxLimit()) {
                    errors.add(new FieldError("limit", "must be between 1 and " + settings.maxLimit()));
                }
            } catch (NumberFormatException e) {
                errors.add(new FieldError("limit", "must be a whole number between 1 and " + settings.maxLimit()));
            }
        }

        Granularity size = Granularity.MINUTE;
        if (granularity != null) {
            size = Granularity.parse(granularity.trim());
            if (size == null) {
                errors.add(new FieldError("granularity", "must be one of 1m, 5m, 15m, 1h, 1d"));
                size = Granularity.MINUTE;
            }
        }

        boolean byRoute = true;
        boolean byModel = true;
        if (groupBy != null) {
            String g = groupBy.trim();
            byRoute = false;
            byModel = false;
            if (!g.equals("none")) {
                for (String part : g.split(",")) {
                    switch (part.trim()) {
                        case "route" -> byRoute = true;
                        case "model" -> byModel = true;
                        default -> errors.add(new FieldError("group_by",
                                "must be route, model, route,model or none"));
                    }
                }
            }
        }

        Instant start = instant("from", from, errors);
        Instant end = instant("to", to, errors);
        if (start != null && end != null && !start.isBefore(end)) {
            errors.add(new FieldError("from", "must be before to"));
        }
        if (!errors.isEmpty()) {
            return new Result(null, errors);
        }

        long bucketMs = size.size().toMillis();
        boolean seriesRows = size == Granularity.MINUTE && byRoute && byModel;
        if (start != null || end != null || !seriesRows) {
            // A range of whole buckets: the end defaults to now, the start to `limit` buckets before it.
            Instant rangeEnd = end != null ? end : clock.instant();
            rangeEnd = Instant.ofEpochMilli(ceil(rangeEnd.toEpochMilli(), bucketMs));
            Instant rangeStart = start != null ? start : rangeEnd.minusMillis(bucketMs * rows);
            rangeStart = Instant.ofEpochMilli(Math.floorDiv(rangeStart.toEpochMilli(), bucketMs) * bucketMs);
            long buckets = (rangeEnd.toEpochMilli() - rangeStart.toEpochMilli()) / bucketMs;
            if (buckets > settings.maxBuckets()) {
                return new Result(null, List.of(new FieldError("from", "the range spans " + buckets + " buckets of "
                        + size.text() + "; at most " + settings.maxBuckets() + ": narrow it or use a coarser granularity")));
            }
            start = rangeStart;
            end = rangeEnd;
        }
        return new Result(new MetricsQuery(tenant, routeName, modelName, rows, start, end, size, byRoute, byModel),
                List.of());
    }

    private static String name(String field, String value, boolean required, List<FieldError> errors) {
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

    private static Instant instant(String field, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        Instant instant = Rfc3339.parse(value.trim());
        if (instant == null) {
            errors.add(new FieldError(field,
                    "must be RFC 3339 with a four-digit year and an offset or Z, such as 2025-11-20T10:00:00Z"));
        } else if (!Rfc3339.inRange(instant)) {
            errors.add(new FieldError(field, "must lie between 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z"));
            return null;
        }
        return instant;
    }

    private static long ceil(long value, long unit) {
        return -Math.floorDiv(-value, unit) * unit;
    }
}
