package dev.streamlens.query;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.greaterThan;

import dev.streamlens.testing.HttpFuzzer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random mutations of valid metric queries (values, repeated, dropped and invented
 * parameters), odd headers, methods and bodies, sent raw to the running service: none is
 * answered 5xx, the heap stays bounded, the table is intact and a valid query still answers.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class FuzzIT {

    private static final int CASES = 3000;

    @TestHTTPResource("/")
    URL base;

    @Test
    void mutatedQueriesNeverGet5xxAndAValidQueryStillAnswers() throws Exception {
        MetricsFixture.write(
                PostgresTestResource.dataSource(),
                MetricsFixture.generate(
                        11,
                        "fuzzco",
                        new String[] {"chat"},
                        new String[] {"gpt-4o"},
                        Instant.parse("2026-05-01T00:00:00Z"),
                        10));
        HttpFuzzer fuzzer = new HttpFuzzer(base.getPort(), 20261127L);
        List<List<String>> valid = List.of(
                List.of("tenant_id=fuzzco"),
                List.of("tenant_id=fuzzco", "route=chat", "model=gpt-4o", "limit=10"),
                List.of(
                        "tenant_id=fuzzco",
                        "granularity=1h",
                        "group_by=none",
                        "from=2026-05-01T00:00:00Z",
                        "to=2026-05-02T00:00:00Z"),
                List.of("tenant_id=fuzzco", "granularity=5m", "group_by=route,model", "from=2026-05-01T00:00:00Z"));
        List<String> methods = List.of("POST", "PUT", "DELETE", "HEAD", "OPTIONS", "BREW");

        long heapBefore = HttpFuzzer.usedHeapAfterGc();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            int dice = fuzzer.random().nextInt(100);
            String method = dice < 90 ? "GET" : fuzzer.pick(methods);
            String target =
                    (dice % 10 == 0 ? "/v1/metrics/x" : "/v1/metrics") + "?" + fuzzer.mutateQuery(fuzzer.pick(valid));
            byte[] body = dice < 80
                    ? new byte[0]
                    : fuzzer.mutate("{\"tenant_id\": \"fuzzco\"}".getBytes(StandardCharsets.UTF_8));
            HttpFuzzer.Outcome outcome = fuzzer.send(method, target, fuzzer.headers("application/json"), body);
            statuses.merge(outcome.status(), 1, Integer::sum);
            if (outcome.status() == -1) {
                assertThat(HttpFuzzer.isValidRequestTarget(target, 4096))
                        .as("closed without an answer, yet the request line was HTTP: %s", target)
                        .isFalse();
            }
            assertThat(outcome.status())
                    .as(
                            "case %d: %s %s -> %s",
                            i,
                            method,
                            target.length() > 300 ? target.substring(0, 300) + "..." : target,
                            outcome.statusLine())
                    .isLessThan(500);
        }
        long heapGrowth = HttpFuzzer.usedHeapAfterGc() - heapBefore;
        // -1: the server closed the connection on a request line that is not HTTP (raw spaces or bytes in the target).
        System.out.printf(
                "[fuzz] query-service: %d cases, answers by status %s, heap growth %d MB%n",
                CASES, statuses, heapGrowth >> 20);
        assertThat(heapGrowth).as("heap growth").isLessThan(128L << 20);

        given().queryParam("tenant_id", "fuzzco")
                .get("/v1/metrics")
                .then()
                .statusCode(200)
                .body("count", greaterThan(0));
    }
}
