package dev.streamlens.query.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.FieldError;
import dev.streamlens.query.QuerySettings;
import jakarta.ws.rs.core.MultivaluedHashMap;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The parsing steps of GET /v1/metrics, without a server: every error named, in a fixed order. */
class MetricsQueryParserTest {

    private static final Instant NOW = Instant.parse("2025-11-20T10:07:30Z");

    private final MetricsQueryParser parser = new MetricsQueryParser(
            new QuerySettings() {
                @Override
                public int defaultLimit() {
                    return 60;
                }

                @Override
                public int maxLimit() {
                    return 1000;
                }

                @Override
                public long maxBuckets() {
                    return 50_000;
                }
            },
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void thePlainCallReadsTheLatestMinuteRowsWithoutARange() {
        MetricsQuery query =
                parse(request("acme", null, null, null, null, null, null, null)).query();
        assertThat(query)
                .isEqualTo(new MetricsQuery("acme", null, null, 60, null, null, Granularity.MINUTE, true, true));
    }

    @Test
    void everyBadParameterIsNamedInTheOrderOfTheSteps() {
        var result = parse(request(null, "", "m\u0001", "abc", "yesterday", "2025-13-01T00:00:00Z", "2m", "tenant"));
        assertThat(result.isValid()).isFalse();
        assertThat(result.errors())
                .extracting(FieldError::field)
                .containsExactly("tenant_id", "route", "model", "limit", "granularity", "group_by", "from", "to");
        assertThat(result.errors().get(0).reason()).isEqualTo("is required");
        assertThat(result.errors().get(3).reason()).isEqualTo("must be a whole number between 1 and 1000");
        assertThat(parse(request("acme", null, null, "0", "2025-11-20T10:00:00Z", "2025-11-20T09:00:00Z", null, null))
                        .errors())
                .containsExactly(
                        new FieldError("limit", "must be between 1 and 1000"),
                        new FieldError("from", "must be before to"));
    }

    @Test
    void aRollupCoversWholeBucketsUpToNowOrWithinItsRange() {
        MetricsQuery latest = parse(request("acme", null, null, "3", null, null, "5m", "none"))
                .query();
        assertThat(latest.from()).isEqualTo(Instant.parse("2025-11-20T09:55:00Z"));
        assertThat(latest.to()).isEqualTo(Instant.parse("2025-11-20T10:10:00Z"));
        assertThat(latest.byRoute() || latest.byModel()).isFalse();

        MetricsQuery ranged = parse(request(
                        "acme", null, null, null, "2025-11-20T08:20:00Z", "2025-11-20T09:10:00Z", "1h", "model"))
                .query();
        assertThat(ranged.from()).isEqualTo(Instant.parse("2025-11-20T08:00:00Z"));
        assertThat(ranged.to()).isEqualTo(Instant.parse("2025-11-20T10:00:00Z"));
        assertThat(ranged.byModel() && !ranged.byRoute()).isTrue();
    }

    @Test
    void aRangeOfTooManyBucketsIsRefusedNamingFrom() {
        var result =
                parse(request("acme", null, null, null, "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", null, null));
        assertThat(result.errors())
                .containsExactly(new FieldError(
                        "from",
                        "the range spans 217440 buckets of 1m; "
                                + "at most 50000: narrow it or use a coarser granularity"));
    }

    @Test
    void aParameterSentEmptyIsEmptyNotAbsent() {
        var sent = new MultivaluedHashMap<String, String>();
        sent.add("tenant_id", "acme");
        sent.add("route", "");
        MetricsQueryRequest bound = request("acme", null, null, null, null, null, null, null);
        MetricsQueryRequest request = bound.withEmptyValuesFrom(sent);
        assertThat(request.route()).isEmpty();
        assertThat(request.model()).isNull();
        assertThat(parse(request).errors()).containsExactly(new FieldError("route", "must not be empty"));
    }

    private MetricsQueryParser.Result parse(MetricsQueryRequest request) {
        return parser.parse(request);
    }

    private static MetricsQueryRequest request(
            String tenantId,
            String route,
            String model,
            String limit,
            String from,
            String to,
            String granularity,
            String groupBy) {
        return new MetricsQueryRequest(tenantId, route, model, limit, from, to, granularity, groupBy, null);
    }
}
