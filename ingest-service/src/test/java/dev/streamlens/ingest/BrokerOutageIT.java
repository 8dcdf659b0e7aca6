package dev.streamlens.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamlens.model.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka goes away mid-load and comes back: every event that got a 2xx is in the topic exactly
 * once, nothing else got a 2xx, failures answer 503 with Retry-After within a bounded time, and
 * the service recovers without a restart.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class BrokerOutageIT {

    /** The send timeout the test resource configures, plus the service's own margin. */
    private static final Duration WORST_ANSWER = Duration.ofSeconds(3 + 1 + 2);

    @TestHTTPResource("/v1/llm/request")
    URI endpoint;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Integer> statusById = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger();
    private final AtomicLong slowestMillis = new AtomicLong();
    private final AtomicInteger missingRetryAfter = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);

    @Test
    void acknowledgedEventsAreStoredExactlyOnceAcrossAnOutage() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            clients.submit(this::sendUntilStopped);
        }
        Thread.sleep(2000);
        int beforeOutage = accepted();

        KafkaTestResource.broker().stop();
        Thread.sleep(8000);
        int duringOutage = accepted();
        KafkaTestResource.broker().start();
        long back = System.nanoTime();
        while (accepted() == duringOutage && System.nanoTime() - back < TimeUnit.SECONDS.toNanos(60)) {
            Thread.sleep(200);
        }
        Thread.sleep(2000);
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        assertThat(beforeOutage).as("accepted before the outage").isPositive();
        assertThat(statusById.values()).as("only 202 or 503").allMatch(s -> s == 202 || s == 503);
        assertThat(statusById.values()).as("the outage was noticed").contains(503);
        assertThat(accepted()).as("recovered without a restart").isGreaterThan(duringOutage);
        assertThat(slowestMillis.get())
                .as("every answer within the send timeout")
                .isLessThan(WORST_ANSWER.toMillis());
        assertThat(missingRetryAfter.get()).as("503s without Retry-After").isZero();

        // The broker is shared with the other test classes of this module: look at this test's events only.
        Map<String, Long> stored = TopicReader.readAll(Topics.REQUESTS).stream()
                .filter(e -> e.key().startsWith("outage-"))
                .collect(Collectors.groupingBy(TopicReader.Entry::key, Collectors.counting()));
        statusById.forEach((id, status) -> {
            long copies = stored.getOrDefault(id, 0L);
            if (status == 202) {
                assertThat(copies).as("acknowledged %s stored exactly once", id).isEqualTo(1);
            } else {
                assertThat(copies).as("refused %s stored at most once", id).isLessThanOrEqualTo(1);
            }
        });
        assertThat(stored.keySet()).as("nothing stored that was not sent").isSubsetOf(statusById.keySet());
    }

    private int accepted() {
        return (int) statusById.values().stream().filter(s -> s == 202).count();
    }

    private void sendUntilStopped() {
        while (running.get()) {
            String id = "outage-" + sequence.incrementAndGet();
            String body = "{\"request_id\": \"" + id + "\", \"tenant_id\": \"acme\", \"route\": \"chat\", "
                    + "\"model\": \"gpt-4o\", \"timestamp\": \"2025-11-20T10:00:30Z\", \"prompt_tokens\": 1}";
            long started = System.nanoTime();
            try {
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(endpoint)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                slowestMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), Math::max);
                if (answer.statusCode() == 503
                        && answer.headers().firstValue("Retry-After").isEmpty()) {
                    missingRetryAfter.incrementAndGet();
                }
                statusById.put(id, answer.statusCode());
            } catch (Exception e) {
                statusById.put(id, -1);
            }
        }
    }
}
